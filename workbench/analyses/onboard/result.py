"""The result of a capacity analysis: polars frames, a summary and its yield for the business
case (:class:`~workbench.analyses.handoff.CapacityYield`). Figures: ``workbench.viz.figures``."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..handoff import CapacityYield

FRAME_KEYS: dict[str, tuple[str, ...]] = {
    "satellites": ("sat_id",),
    "timeseries": ("time_utc", "sat_id"),
    "constellation": ("time_utc",),
}
"""Frames that several parts contribute columns to, and the keys they are joined on."""

FRAME_DESCRIPTIONS: dict[str, str] = {
    "satellites": "one row per satellite: power, thermal, compute, data and radiation figures",
    "timeseries": "every step of a few sample satellites: sunlight, power, battery, duty, TOPS",
    "constellation": "every step, summed over the constellation",
    "thermal": "the radiator against the payload's heat (one row)",
    "radiator_curve": "radiator capacity and area needed against radiator temperature",
    "in_view": "compute in view of each ground site at every step",
    "in_view_stats": "percentiles of the compute in view of each site",
    "data_pipeline": "remote-sensing data flow at every step, bent-pipe vs in-orbit",
    "data_summary": "remote-sensing data per day, bent-pipe vs in-orbit",
    "oec": "frame deadline, time to analyse a frame and the frame-parallel pipeline it needs",
    "dose_depth": "dose rate and radiation life against shielding",
}


@dataclass(frozen=True, eq=False)
class CapacityResult:
    """Frames and a summary from :func:`workbench.analyses.capacity` or one of its parts.

    Frames are reached as ``result.frames["satellites"]``, ``result["satellites"]`` or
    ``result.satellites``; :attr:`FRAME_DESCRIPTIONS` says what each holds and every
    producing function documents its schema. ``summary`` is a flat dict of numbers (unit
    suffixes in the keys) plus ``warnings``: what limits the system, in words.
    """

    frames: dict[str, pl.DataFrame]
    summary: dict[str, Any] = field(default_factory=dict)
    title: str = "Capacity"

    def __getitem__(self, name: str) -> pl.DataFrame:
        try:
            return self.frames[name]
        except KeyError:
            raise KeyError(f"no frame {name!r}; frames: {sorted(self.frames)}") from None

    def __getattr__(self, name: str) -> pl.DataFrame:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(f"{type(self).__name__!r} has no attribute or frame {name!r}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.frames})

    @property
    def warnings(self) -> list[str]:
        return list(self.summary.get("warnings", []))

    def merge(self, other: CapacityResult) -> CapacityResult:
        """Both results in one: shared frames joined on their keys, summaries combined."""
        frames = dict(self.frames)
        for name, right in other.frames.items():
            left = frames.get(name)
            keys = FRAME_KEYS.get(name)
            if left is None or keys is None:
                frames[name] = right
                continue
            extra = [c for c in right.columns if c not in left.columns or c in keys]
            frames[name] = left.join(right.select(extra), on=list(keys), how="left")
        summary = {**self.summary, **other.summary}
        summary["warnings"] = self.warnings + [w for w in other.warnings
                                               if w not in self.warnings]
        return CapacityResult(frames=frames, summary=summary, title=self.title)

    @property
    def yields(self) -> CapacityYield:
        """What the business case takes from this result, per satellite and year.

        From the summary: ``useful_life_years_median``, ``radiation_life_years_min``,
        ``tops_hours_per_day_total`` / ``n_sats`` × 365, ``duty_mean_frac``; data products =
        the in-orbit mode's ``downlinked_tb_per_day`` (``data_summary`` frame) × 1,000 GB/TB
        × 365 / ``n_sats``. Figures a part analysis did not compute stay None.
        """
        s = self.summary

        def number(key: str) -> float | None:
            value = s.get(key)
            return float(value) if isinstance(value, int | float) and not isinstance(
                value, bool) else None

        n_sats = int(number("n_sats") or 0)
        per_day = number("tops_hours_per_day_total")
        data = self.frames.get("data_summary")
        data_gb = None
        if data is not None and n_sats and {"mode", "downlinked_tb_per_day"} <= set(
                data.columns):
            in_orbit = data.filter(pl.col("mode") == "in_orbit")["downlinked_tb_per_day"]
            if in_orbit.len():
                data_gb = float(in_orbit[0]) * 1000.0 * 365.0 / n_sats
        return CapacityYield(
            n_sats=n_sats, useful_life_years=number("useful_life_years_median"),
            radiation_life_years=number("radiation_life_years_min"),
            tops_hours_per_sat_year=(per_day * 365.0 / n_sats if per_day is not None
                                     and n_sats else None),
            duty_frac=number("duty_mean_frac"), data_gb_per_sat_year=data_gb)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in self.summary.items() if k != "warnings")
        warnings = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        frames = "".join(
            f"<li><code>{html.escape(name)}</code> {frame.height:,} × {frame.width}: "
            f"{html.escape(FRAME_DESCRIPTIONS.get(name, ''))}</li>"
            for name, frame in self.frames.items())
        head = ""
        if "satellites" in self.frames:
            head = "<p>First satellites:</p>" + self.frames["satellites"].head(5)._repr_html_()
        return (f"<div><b>{html.escape(self.title)}</b>"
                + (f"<ul style='color:#a33'>{warnings}</ul>" if warnings else "")
                + f"<table><tbody>{rows}</tbody></table>"
                + f"<p>Frames:</p><ul>{frames}</ul>{head}</div>")

    def __repr__(self) -> str:
        frames = ", ".join(f"{n}[{f.height}×{f.width}]" for n, f in self.frames.items())
        return f"CapacityResult({self.title!r}; frames: {frames})"


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


__all__ = ["CapacityResult", "FRAME_KEYS", "FRAME_DESCRIPTIONS"]
