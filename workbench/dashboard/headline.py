"""Key figures of a result: the headline row above an analysis's charts.

:data:`KEY_FIGURES` says which ``result.summary`` entries each built-in analysis shows
first, with a label (a catalog msgid), a unit and a scale; any other analysis (a
plugin's) shows its first numeric summary entries under their own names. Values come out
as text for a person in the session's language (``−1.20 bn USD``, ``14.4 ms``).

>>> figures = key_figures("latency", {"rtt_ms_p50": 14.42, "reachable_frac": 0.59})
>>> [(f.label, f.text) for f in figures]
[('Median RTT', '14.4 ms'), ('Reachable', '59 %')]
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..locale import N_, translator
from .keyfigures import SUFFIX_UNITS


@dataclass(frozen=True)
class KeyFigure:
    """One headline number: its label and its value as text, both in one language."""

    key: str
    label: str
    text: str
    value: float | str | None


@dataclass(frozen=True)
class _Entry:
    key: str
    label: str
    unit: str = ""
    scale: float = 1.0
    digits: int = 3


KEY_FIGURES: dict[str, tuple[_Entry, ...]] = {
    "capacity": (
        _Entry("effective_tops_total_mean", N_("Compute in orbit"), "TOPS"),
        _Entry("total_compute_tops", N_("Total compute"), "TOPS"),
        _Entry("total_compute_basis", N_("Total compute counted as")),
        _Entry("tops_in_view_p50", N_("Median compute in view"), "TOPS"),
        _Entry("sunlit_frac_mean", N_("Time in sunlight"), "%", 100.0, 0),
        _Entry("duty_mean_frac", N_("Compute duty"), "%", 100.0, 0),
        _Entry("radiation_life_years_min", N_("Radiation life"), "years"),
        _Entry("limiting_factor", N_("Limiting factor")),
    ),
    "latency": (
        _Entry("rtt_ms_p50", N_("Median RTT"), "ms"),
        _Entry("rtt_ms_p95", N_("95th percentile RTT"), "ms"),
        _Entry("reachable_frac", N_("Reachable"), "%", 100.0, 0),
        _Entry("faster_than_fibre_frac", N_("Pairs faster than fibre"), "%", 100.0, 0),
    ),
    "placement": (
        _Entry("best_option", N_("Best placement")),
        _Entry("rtt_ms_p50_overhead", N_("Median RTT, satellite overhead"), "ms"),
        _Entry("rtt_ms_p50_ground_fibre", N_("Median RTT, ground over fibre"), "ms"),
    ),
    "event_to_insight": (
        _Entry("fastest_mode", N_("Fastest mode")),
        _Entry("insight_s_p50_in_orbit_isl", N_("Median time to insight, in orbit"), "s"),
        _Entry("insight_s_p50_bent_pipe", N_("Median time to insight, bent pipe"), "s"),
        _Entry("within_deadline_frac_in_orbit_isl", N_("Within deadline, in orbit"), "%",
               100.0, 0),
    ),
    "business": (
        _Entry("npv_usd", N_("NPV"), "M USD", 1e-6),
        _Entry("break_even_compute_price_usd_per_tops_hour", N_("Break-even compute price"),
               "USD/(TOPS·h)"),
        _Entry("lcoc_usd_per_tops_hour", N_("Levelised cost of compute"), "USD/(TOPS·h)"),
        _Entry("irr_frac", N_("IRR"), "%", 100.0, 1),
        _Entry("local_share_frac", N_("Spend supplied locally"), "%", 100.0, 0),
    ),
    "scheduling": (
        _Entry("completion_frac", N_("Jobs done"), "%", 100.0, 1),
        _Entry("latency_p95_s", N_("95th percentile job latency"), "s"),
        _Entry("n_dropped", N_("Jobs dropped")),
        _Entry("utilisation_mean_frac", N_("Mean utilisation"), "%", 100.0, 0),
        _Entry("energy_per_job_wh", N_("Energy per job"), "Wh"),
    ),
    "coverage": (
        _Entry("covered_frac_mean", N_("Time covered, mean over cells"), "%", 100.0, 0),
        _Entry("always_covered_frac", N_("Cells always covered"), "%", 100.0, 0),
        _Entry("max_gap_s", N_("Longest gap"), "min", 1 / 60, 3),
        _Entry("revisit_mean_s_mean", N_("Mean revisit time"), "min", 1 / 60, 3),
    ),
}
"""Analysis name → the summary entries its headline shows, in order."""

VALUE_WORDS = (N_("none"), N_("power"), N_("thermal"), N_("data"), N_("radiation"),
               N_("power (infeasible)"), N_("overhead"), N_("within k hops"),
               N_("ground fibre"), N_("ground via gateway"), N_("in orbit isl"),
               N_("in orbit store forward"), N_("bent pipe"), N_("published total"),
               N_("sum of typical"), N_("sum of peaks"))
"""Text values the built-in summaries hold (``limiting_factor``, ``best_option``,
``fastest_mode``; ``_`` read as a space), marked for the catalogs."""
UNIT_WORDS = (N_("M USD"), N_("USD/(TOPS·h)"))
"""Units of the key figures that the field declarations do not already hold."""

GENERIC_COUNT = 4
"""Numeric summary entries a headline shows for an analysis not in KEY_FIGURES."""


def _number(value: float, digits: int) -> str:
    if digits == 0:
        return f"{value:,.0f}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}g}" if magnitude >= 1 else f"{value:.{digits}g}"


def _median(value: Any) -> float | None:
    """A per-site mapping (``tops_in_view_p50``) stands for its median."""
    numbers = sorted(v for v in value.values() if isinstance(v, int | float))
    if not numbers:
        return None
    mid = len(numbers) // 2
    return float(numbers[mid] if len(numbers) % 2 else (numbers[mid - 1] + numbers[mid]) / 2)


def format_value(value: Any, *, unit: str = "", scale: float = 1.0, digits: int = 3,
                 lang: str | None = None) -> str:
    """A summary value as text: numbers scaled, rounded, with their unit; text translated;
    a missing or non-finite number as ``—``."""
    _ = translator(lang)
    if isinstance(value, Mapping):
        value = _median(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return "—"
        text = _number(value * scale, digits)
        return f"{text} {_(unit)}" if unit else text
    if value is None:
        return "—"
    return _(str(value).replace("_", " "))


def _generic_entry(key: str) -> _Entry:
    """A plugin's summary entry: its name made readable, its unit read from the suffix
    as the key-figures table reads it (``in_park_share_frac`` → "In park share", %)."""
    for suffix, unit in SUFFIX_UNITS:
        if key.endswith(suffix) and len(key) > len(suffix):
            stem = key[:-len(suffix)]
            break
    else:
        stem, unit = key, ""
    scale = 100.0 if unit == "%" else 1.0
    words = stem.replace("_", " ").strip()
    label = words[:1].upper() + words[1:] if not words.startswith("n ") else (
        "Number of " + words[2:])
    return _Entry(key, label, unit, scale, 0 if unit == "%" else 3)


def key_figures(name: str, summary: Mapping[str, Any], *,
                lang: str | None = None) -> list[KeyFigure]:
    """The headline of an analysis's summary, in ``lang``."""
    _ = translator(lang)
    entries = KEY_FIGURES.get(name)
    if entries is None:
        entries = tuple(_generic_entry(k) for k, v in summary.items()
                        if isinstance(v, int | float) and not isinstance(v, bool))[
            :GENERIC_COUNT]
    out = []
    for entry in entries:
        if entry.key not in summary:
            continue
        value = summary[entry.key]
        out.append(KeyFigure(entry.key, _(entry.label),
                             format_value(value, unit=entry.unit, scale=entry.scale,
                                          digits=entry.digits, lang=lang),
                             value if isinstance(value, int | float | str) else None))
    return out


__all__ = ["GENERIC_COUNT", "KEY_FIGURES", "KeyFigure", "format_value", "key_figures"]
