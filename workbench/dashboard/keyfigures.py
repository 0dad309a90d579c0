"""Key figures of an analysis result: its ``summary`` entries with a label and a unit in the
reader's language, and the value formatted for people (``−1,167 million USD``, ``47 %``).

Known summary names have a label here (marked ``N_`` for the catalogs); names made of a
known prefix and an option or mode (``rtt_ms_p50_ground_fibre``) are labelled from both
parts; any other name (a plugin's) is shown with its unit read from the name's suffix.
Entries that are not numbers or short text (lists, per-site dicts) are left out.

>>> [(f.label, f.value, f.unit) for f in key_figures({"npv_usd": -1.2e9}, lang="en")]
[('Net present value', '-1,200', 'million USD')]
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..locale import N_, gettext, normalize_language

_MILLION = 1e6

# name → (label, unit, scale): the value shown is value / scale; unit "%" for fractions
_KNOWN: dict[str, tuple[str, str, float]] = {
    # capacity
    "n_sats": (N_("Satellites"), "", 1.0),
    "eclipse_min_per_orbit_mean": (N_("Mean eclipse per orbit"), N_("min"), 1.0),
    "eclipse_max_min": (N_("Longest eclipse"), N_("min"), 1.0),
    "sunlit_frac_mean": (N_("Mean time in sunlight"), "%", 1.0),
    "generation_mean_w": (N_("Mean solar generation per satellite"), "W", 1.0),
    "power_duty_frac_mean": (N_("Mean duty cycle the power budget allows"), "%", 1.0),
    "duty_mean_frac": (N_("Mean compute duty cycle"), "%", 1.0),
    "n_power_limited": (N_("Satellites limited by power"), "", 1.0),
    "n_infeasible": (N_("Satellites that cannot run compute"), "", 1.0),
    "n_not_propagated": (N_("Satellites not propagated"), "", 1.0),
    "radiator_capacity_w": (N_("Radiator capacity"), "W", 1.0),
    "radiator_area_needed_m2": (N_("Radiator area needed for full compute"), "m²", 1.0),
    "thermal_duty_frac": (N_("Duty cycle the radiator allows"), "%", 1.0),
    "max_compute_power_w": (N_("Compute power the radiator sustains"), "W", 1.0),
    "peak_tops_per_sat": (N_("Peak compute per satellite"), N_("INT8 TOPS"), 1.0),
    "peak_tops_total": (N_("Peak compute of the constellation"), N_("INT8 TOPS"), 1.0),
    "total_compute_tops": (N_("Total compute of the constellation"), N_("INT8 TOPS"), 1.0),
    "total_compute_basis": (N_("Total compute counted as"), "", 1.0),
    "effective_tops_total_mean": (N_("Mean effective compute of the constellation"),
                                  N_("INT8 TOPS"), 1.0),
    "effective_tops_total_min": (N_("Lowest effective compute of the constellation"),
                                 N_("INT8 TOPS"), 1.0),
    "tops_hours_per_day_total": (N_("Compute delivered per day"), N_("TOPS-hours"), 1.0),
    "sensor_rate_gbps": (N_("Sensor data rate"), "Gbps", 1.0),
    "frame_deadline_s": (N_("Frame deadline"), "s", 1.0),
    "tiles_needed_per_s": (N_("Tiles to process per second"), "", 1.0),
    "tiles_processable_per_s": (N_("Tiles the payload processes per second"), "", 1.0),
    "realtime_sats_frac": (N_("Satellites keeping up in real time"), "%", 1.0),
    "inference_basis": (N_("Inference cost given as"), "", 1.0),
    "oec_frame_length_km": (N_("Frame length on the ground"), "km", 1.0),
    "oec_frame_deadline_s": (N_("Frame deadline (one frame of ground track)"), "s", 1.0),
    "oec_frame_processing_s": (N_("Time to analyse one frame"), "s", 1.0),
    "oec_tiles_per_frame": (N_("Tiles per frame"), "", 1.0),
    "oec_n_sats_frame_parallel": (N_("Satellites a frame-parallel pipeline needs"), "", 1.0),
    "dose_rad_per_year_median": (N_("Median dose rate"), N_("rad(Si)/year"), 1.0),
    "radiation_life_years_min": (N_("Shortest radiation life"), N_("years"), 1.0),
    "useful_life_years_median": (N_("Median useful life"), N_("years"), 1.0),
    "n_radiation_limited": (N_("Satellites limited by radiation"), "", 1.0),
    "seu_per_day": (N_("Single-event upsets per day"), "", 1.0),
    "limiting_factor": (N_("What limits compute"), "", 1.0),
    # latency
    "n_pairs": (N_("Site pairs"), "", 1.0),
    "n_steps": (N_("Time steps"), "", 1.0),
    "reachable_frac": (N_("Time with a route"), "%", 1.0),
    "pairs_always_reachable_frac": (N_("Pairs always reachable"), "%", 1.0),
    "rtt_ms_p50": (N_("Median round-trip time"), "ms", 1.0),
    "rtt_ms_p95": (N_("95th percentile round-trip time"), "ms", 1.0),
    "fibre_rtt_ms_p50": (N_("Median round-trip time over fibre"), "ms", 1.0),
    "faster_than_fibre_frac": (N_("Pairs faster than fibre"), "%", 1.0),
    "n_path_changes_per_pair_hour": (N_("Route changes per pair and hour"), "", 1.0),
    # placement, event to insight
    "n_users": (N_("Users"), "", 1.0),
    "best_option": (N_("Best placement most often"), "", 1.0),
    "n_events": (N_("Events"), "", 1.0),
    "fastest_mode": (N_("Fastest way of working"), "", 1.0),
    # business
    "scenario": (N_("Scenario"), "", 1.0),
    "launch_vehicle": (N_("Launch vehicle"), "", 1.0),
    "start_year": (N_("Start year"), "", 1.0),
    "horizon_years": (N_("Horizon"), N_("years"), 1.0),
    "discount_rate_frac": (N_("Discount rate"), "%", 1.0),
    "npv_usd": (N_("Net present value"), N_("million USD"), _MILLION),
    "irr_frac": (N_("Internal rate of return"), "%", 1.0),
    "payback_year": (N_("Payback year"), "", 1.0),
    "discounted_payback_year": (N_("Discounted payback year"), "", 1.0),
    "pv_cost_usd": (N_("Present value of costs"), N_("million USD"), _MILLION),
    "pv_revenue_usd": (N_("Present value of revenue"), N_("million USD"), _MILLION),
    "lcoc_usd_per_tops_hour": (N_("Levelised cost of compute"), N_("USD per TOPS-hour"), 1.0),
    "lcoc_usd_per_kwh": (N_("Levelised cost of compute energy"), N_("USD per kWh"), 1.0),
    "break_even_compute_price_usd_per_tops_hour": (N_("Break-even compute price"),
                                                   N_("USD per TOPS-hour"), 1.0),
    "break_even_launch_cost_usd_per_kg": (N_("Break-even launch price"), "USD/kg", 1.0),
    "total_spend_usd": (N_("Total spend"), N_("million USD"), _MILLION),
    "total_revenue_usd": (N_("Total revenue"), N_("million USD"), _MILLION),
    "n_satellites_built": (N_("Satellites built"), "", 1.0),
    "n_launches": (N_("Launches"), "", 1.0),
    "useful_life_years": (N_("Useful life"), N_("years"), 1.0),
    "crossing_launch_cost_usd_per_kg": (N_("Launch price where space matches ground"),
                                        "USD/kg", 1.0),
    "local_share_frac": (N_("Share of spend in the local cluster"), "%", 1.0),
    "launch_cost_usd_per_kg": (N_("Launch price"), "USD/kg", 1.0),
}

# prefix → (label template with {what}, unit, scale), for names ending in an option or mode
_PREFIXED: dict[str, tuple[str, str, float]] = {
    "win_frac_": (N_("Time {what} is best"), "%", 1.0),
    "rtt_ms_p50_": (N_("Median round-trip time, {what}"), "ms", 1.0),
    "insight_s_p50_": (N_("Median time from event to insight, {what}"), N_("min"), 60.0),
    "within_deadline_frac_": (N_("Events answered within the deadline, {what}"), "%", 1.0),
    "tiles_delivered_per_day_": (N_("Tiles delivered per day, {what}"), "", 1.0),
    "lost_raw_frac_": (N_("Raw data lost, {what}"), "%", 1.0),
}

_CHOICES: dict[str, str] = {
    "overhead": N_("satellite overhead"), "within_k_hops": N_("satellite within k hops"),
    "ground_fibre": N_("ground DC over fibre"),
    "ground_via_gateway": N_("ground DC via constellation + gateway"),
    "in_orbit_isl": N_("process in orbit, relay over ISLs"),
    "in_orbit_store_forward": N_("process in orbit, wait for own contact"),
    "bent_pipe": N_("bent pipe (downlink raw)"), "in_orbit": N_("process in orbit"),
    "none": N_("nothing"), "power": N_("power"), "thermal": N_("thermal"),
    "radiation": N_("radiation"), "data": N_("data pipeline"),
    "published total": N_("published total"), "sum of typical": N_("sum of typical"),
    "sum of peaks": N_("sum of peaks"), "measured": N_("measured time per tile"),
    "operations": N_("operations per tile"),
}
"""Option, mode and limit names that appear in summary values and name suffixes."""

SUFFIX_UNITS = (("_usd_per_kg", "USD/kg"), ("_usd", "USD"), ("_cny", "CNY"), ("_frac", "%"),
                 ("_ms", "ms"), ("_s", "s"), ("_km", "km"), ("_deg", "°"), ("_kw", "kW"),
                 ("_wh", "Wh"), ("_w", "W"), ("_kg", "kg"), ("_m2", "m²"), ("_gbps", "Gbps"),
                 ("_tb", "TB"), ("_years", N_("years")))
"""Units read from the end of a summary name (first match wins), for names not listed."""


@dataclass(frozen=True)
class KeyFigure:
    """One row of a key-figures table, in the reader's language."""

    name: str
    label: str
    value: str
    unit: str


def _format_number(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return "—"
    if unit == "%":
        return f"{value * 100:.1f}" if abs(value) < 0.1 and value != 0 else f"{value * 100:.0f}"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def _describe(name: str) -> tuple[str, str, float, str | None]:
    """(label template, unit, scale, choice) of a summary name, in English."""
    if name in _KNOWN:
        return (*_KNOWN[name], None)
    for prefix, (label, unit, scale) in _PREFIXED.items():
        if name.startswith(prefix):
            return label, unit, scale, name[len(prefix):]
    for suffix, unit in SUFFIX_UNITS:
        if name.endswith(suffix):
            stem = name[: -len(suffix)].replace("_", " ").strip()
            return stem[:1].upper() + stem[1:], unit, 1.0, None
    return name.replace("_", " ").capitalize(), "", 1.0, None


def key_figures(summary: Mapping[str, Any], *, lang: str | None = None) -> list[KeyFigure]:
    """The key figures of a result's ``summary`` in ``lang``, in the summary's order.

    Numbers (scaled to their shown unit), text and booleans are kept; lists and mappings
    are left out. Not-a-number values show as "—".
    """
    lang = normalize_language(lang)
    rows: list[KeyFigure] = []
    for name, value in summary.items():
        if isinstance(value, (list, tuple, set, dict)) or value is None:
            continue
        label, unit, scale, choice = _describe(str(name))
        if choice is not None:
            what = gettext(_CHOICES.get(choice, choice.replace("_", " ")), lang=lang)
            label_text = gettext(label, lang=lang).format(what=what)
        else:
            label_text = gettext(label, lang=lang)
        unit_text = gettext(unit, lang=lang) if unit else ""
        if isinstance(value, bool):
            shown = gettext(N_("yes") if value else N_("no"), lang=lang)
        elif isinstance(value, numbers.Real):
            shown = _format_number(float(value) / scale, unit)
        else:
            text = str(value)
            shown = gettext(_CHOICES[text], lang=lang) if text in _CHOICES else text
        rows.append(KeyFigure(name=str(name), label=label_text, value=shown, unit=unit_text))
    return rows


__all__ = ["SUFFIX_UNITS", "KeyFigure", "key_figures"]
