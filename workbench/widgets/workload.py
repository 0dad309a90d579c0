"""Satellite colours for the workload of a scheduling result at one step: idle grey →
half-busy orange → saturated red (:meth:`~workbench.widgets.globe.Globe.show_workload`).

The colour of a value ``v`` (a fraction of the scale: utilisation 0–1, or the queue over
the result's longest queue) is the piecewise-linear blend of :data:`WORKLOAD_STOPS`, rounded
to bytes; satellites the result kept no timeseries for are :data:`NO_DATA_RGBA`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

WORKLOAD_STOPS: tuple[tuple[float, tuple[int, int, int, int]], ...] = (
    (0.0, (150, 150, 150, 255)),   # idle: grey
    (0.5, (255, 165, 0, 255)),     # half busy: orange
    (1.0, (220, 30, 0, 255)),      # saturated: red
)
"""(fraction of the scale, RGBA) anchors of the colour map, blended linearly between."""

NO_DATA_RGBA = (60, 70, 95, 255)
"""Satellites without a timeseries in the result (see ``timeseries_sats``): dark slate."""

WORKLOAD_COLUMNS = {"utilisation_frac": "utilisation", "queue_jobs": "queue"}
"""Columns of the ``satellites`` frame a replay can colour by, with their words."""


def workload_rgba(fraction: np.ndarray) -> np.ndarray:
    """RGBA bytes (n, 4) for fractions of the scale (clipped to 0–1; NaN: no data)."""
    v = np.asarray(fraction, dtype=float)
    stops = np.array([s for s, _ in WORKLOAD_STOPS])
    colours = np.array([c for _, c in WORKLOAD_STOPS], dtype=float)
    clipped = np.clip(np.nan_to_num(v, nan=0.0), 0.0, 1.0)
    rgba = np.stack([np.interp(clipped, stops, colours[:, i]) for i in range(4)], axis=-1)
    rgba = np.rint(rgba).astype(np.uint8)
    rgba[np.isnan(v)] = NO_DATA_RGBA
    return rgba


def workload_steps(result: Any) -> list[datetime]:
    """The time steps (UTC) of a scheduling result's ``satellites`` frame, in order."""
    return result.frames["satellites"]["time_utc"].unique().sort().to_list()


def workload_scale(result: Any, column: str) -> float:
    """The value shown as full red: 1 for utilisation, the longest queue (≥ 1) for queues."""
    if column == "utilisation_frac":
        return 1.0
    longest = result.frames["satellites"][column].max()
    return max(float(longest or 0.0), 1.0)


def workload_at(result: Any, time_index: int, n_sats: int, column: str = "utilisation_frac"
                ) -> tuple[datetime, np.ndarray]:
    """The step's time and ``column`` per satellite (n_sats,), NaN where not kept.

    ``time_index`` counts the result's steps (clipped to them); ``column`` is one of
    :data:`WORKLOAD_COLUMNS`.
    """
    if column not in WORKLOAD_COLUMNS:
        raise ValueError(f"column={column!r}: expected one of {sorted(WORKLOAD_COLUMNS)}")
    sats = result.frames["satellites"]
    times = workload_steps(result)
    if not times:
        raise ValueError("the scheduling result kept no satellite timeseries "
                         "(timeseries_sats is 0)")
    when = times[min(max(int(time_index), 0), len(times) - 1)]
    step = sats.filter(pl.col("time_utc") == when)
    ids = step["sat_id"].to_numpy().astype(np.int64)
    if ids.size and ids.max() >= n_sats:
        raise ValueError(f"the scheduling result has satellite {int(ids.max())} but the globe "
                         f"shows {n_sats} satellites; recompute the analyses")
    values = np.full(n_sats, np.nan)
    values[ids] = step[column].to_numpy()
    return when, values


def workload_legend(column: str, scale: float) -> str:
    """One line of plain text saying what the colours mean."""
    if column == "utilisation_frac":
        return ("utilisation: grey idle (0 %) → orange half busy (50 %) → red saturated "
                "(100 %); dark slate: not in the timeseries")
    return (f"queue: grey empty → orange {scale / 2:,.3g} jobs → red {scale:,.3g} jobs "
            "(the longest queue of the run); dark slate: not in the timeseries")


__all__ = ["NO_DATA_RGBA", "WORKLOAD_COLUMNS", "WORKLOAD_STOPS", "workload_at",
           "workload_legend", "workload_rgba", "workload_scale", "workload_steps"]
