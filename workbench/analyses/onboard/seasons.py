"""Eclipse seasons over a year: when, and for how long, each orbit enters the Earth's shadow.

A dawn–dusk sun-synchronous orbit rides the terminator, but it is not eclipse-free all year:
the Sun's declination tilts the terminator against the orbit plane, and around one solstice
(December for a 06:00 ascending node, June for 18:00) the beta angle drops below
asin(R⊕ / a) and every orbit grazes the shadow for up to about 20 minutes. This module
samples one orbit every few days over a span, one propagation per sample (bounded memory,
vectorised over satellites and steps), and reports the eclipse per orbit, the beta angle and
the local time of the ascending node, so a planner sees the season and checks that the node
stays put.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from ...model.constellation import Constellation
from ...model.errors import ModelError, Problem
from ...model.sunsync import sun_right_ascension_deg
from ...model.timegrid import TimeGrid
from ...orbits.propagation import propagate_state, satrecs
from ...orbits.sun import shadow_spans, sun_position_km

Progress = Callable[[float, str], None]

SEASON_SCHEMA = pl.Schema({
    "time_utc": pl.Datetime("us", "UTC"), "eclipse_max_s": pl.Float64,
    "eclipse_mean_s": pl.Float64, "eclipsed_frac": pl.Float64, "beta_min_deg": pl.Float64,
    "ltan_h": pl.Float64, "ltan_mean_h": pl.Float64})
"""Columns of :func:`eclipse_seasons`."""


def _periods_s(constellation: Constellation, epoch_utc: datetime) -> np.ndarray:
    """Anomalistic period of every satellite from its SGP4 mean motion, s."""
    return np.array([2.0 * math.pi / rec.no_kozai * 60.0
                     for rec in satrecs(constellation, epoch=epoch_utc)])


def _mean_sun_ra_deg(when: datetime) -> float:
    """Right ascension of the fictitious mean Sun, equinox of date: the Sun's geometric mean
    longitude less 20.5″ of aberration (Meeus, *Astronomical Algorithms*, 2nd ed., eq. 25.2
    and ch. 28, where E = L₀ − 0.0057183° − α)."""
    t = (when - datetime(2000, 1, 1, 12, tzinfo=when.tzinfo)).total_seconds() / 86400.0 / 36525
    return (280.46646 + 36000.76983 * t + 0.0003032 * t * t - 0.0057183) % 360.0


def _check(days: float, every_days: float, step_s: float) -> None:
    problems = []
    if not 0.0 < days <= 3660.0:
        problems.append(Problem("days", days, "must be more than 0 and at most 3,660"))
    if not 0.01 <= every_days <= max(days, 0.01):
        problems.append(Problem("every_days", every_days,
                                "must be at least 0.01 and at most the span in days"))
    if not 1.0 <= step_s <= 120.0:
        problems.append(Problem("step_s", step_s, "must be between 1 and 120 s"))
    if problems:
        raise ModelError("eclipse_seasons", problems)


def eclipse_seasons(constellation: Constellation, *, epoch_utc: datetime,
                    start_utc: datetime | None = None, days: float = 365.0,
                    every_days: float = 1.0, step_s: float = 30.0,
                    progress: Progress | None = None) -> pl.DataFrame:
    """Eclipse per orbit, beta angle and node local time, one orbit every ``every_days``.

    Parameters
    ----------
    constellation : Constellation
    epoch_utc : datetime
        Epoch of the Walker shells' elements (the scenario epoch). Every sample propagates
        from it, so the nodes precess as SGP4 (J2, J4) moves them.
    start_utc : datetime, optional
        First sample (default ``epoch_utc``).
    days, every_days : float
        Span and spacing of the samples, days (default a year, daily).
    step_s : float
        Step within each sampled orbit (default 30 s; crossings are refined to well under
        a second along the Hermite orbit, as :func:`~workbench.orbits.eclipse_intervals`).
    progress : callable(fraction, message), optional

    Returns
    -------
    polars.DataFrame, one row per sample:

    - time_utc : datetime (µs, UTC), start of the sampled orbit
    - eclipse_max_s, eclipse_mean_s : f64, s, time in the shadow during one orbit (each
      satellite's own period from that instant), the most and the mean over satellites
    - eclipsed_frac : f64, fraction of the satellites whose orbit enters the shadow
    - beta_min_deg : f64, deg, the smallest |β| over satellites and the orbit
    - ltan_h : f64, h, local apparent solar time of the ascending node of satellite 0's
      orbit (orbit-averaged plane, GCRS, Sun from DE421)
    - ltan_mean_h : f64, h, the same against the mean Sun (``ltan_h`` less the equation of
      time): constant for an exactly sun-synchronous node

    Notes
    -----
    Over any window of exactly one period a satellite spends one eclipse's worth of time in
    the shadow (the pieces clipped at both ends add up), so each sample is one propagation
    of one period. The shadow is skyfield's ``is_sunlit`` test
    (:func:`~workbench.orbits.sun.shadow_spans`). Cost: about one propagation of
    n_sats × (period / step) steps per sample.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> c = Constellation.sun_synchronous(650, 6.0, epoch_utc=datetime(2026, 6, 21, tzinfo=UTC))
    >>> f = eclipse_seasons(c, epoch_utc=datetime(2026, 6, 21, tzinfo=UTC), days=1)
    >>> f.height, float(f["eclipse_max_s"][0])
    (1, 0.0)
    """
    _check(days, every_days, step_s)
    start = epoch_utc if start_utc is None else start_utc
    periods = _periods_s(constellation, epoch_utc)
    n_samples = max(math.floor(days / every_days + 1e-9), 1)
    window_s = math.ceil(float(periods.max()) / step_s) * step_s
    rows: dict[str, list] = {name: [] for name in SEASON_SCHEMA.names()}
    for k in range(n_samples):
        if progress is not None:
            progress(k / n_samples, f"orbit {k + 1} of {n_samples}")
        grid = TimeGrid(start=start + timedelta(days=k * every_days), duration_s=window_s,
                        step_s=step_s)
        r, v, _ = propagate_state(constellation, grid, frame="gcrs", epoch=epoch_utc)
        sun = sun_position_km(grid)
        spans = shadow_spans(r, v, sun, grid.offsets_s)
        end_s = np.minimum(spans["end_s"], periods[spans["sat"]])
        shadow_s = np.bincount(spans["sat"], weights=np.maximum(end_s - spans["start_s"], 0.0),
                               minlength=r.shape[0])
        h = np.cross(r, v)
        h /= np.linalg.norm(h, axis=-1, keepdims=True)
        s_hat = sun / np.linalg.norm(sun, axis=-1, keepdims=True)
        beta = np.degrees(np.arcsin(np.clip(np.einsum("stk,tk->st", h, s_hat), -1.0, 1.0)))
        normal = h[0].mean(axis=0)
        node_ra = math.degrees(math.atan2(normal[0], -normal[1]))
        sun_ra = math.degrees(math.atan2(s_hat[0, 1], s_hat[0, 0]))
        ltan = (12.0 + (node_ra - sun_ra) / 15.0) % 24.0
        when = grid.start
        eot_h = ((_mean_sun_ra_deg(when) - sun_right_ascension_deg(when) + 180.0) % 360.0
                 - 180.0) / 15.0
        rows["time_utc"].append(when)
        rows["eclipse_max_s"].append(float(shadow_s.max()))
        rows["eclipse_mean_s"].append(float(shadow_s.mean()))
        rows["eclipsed_frac"].append(float((shadow_s > 0.0).mean()))
        rows["beta_min_deg"].append(float(np.abs(beta).min()))
        rows["ltan_h"].append(ltan)
        rows["ltan_mean_h"].append((ltan - eot_h) % 24.0)
    if progress is not None:
        progress(1.0, "eclipse seasons done")
    return pl.DataFrame(rows, schema=SEASON_SCHEMA)


def eclipse_season_spans(seasons: pl.DataFrame) -> pl.DataFrame:
    """The runs of consecutive samples of :func:`eclipse_seasons` in which some orbit
    enters the shadow.

    Returns
    -------
    polars.DataFrame, one row per season: start_utc, end_utc (datetime µs UTC: the first
    and last eclipsed samples), n_samples (u32), eclipse_max_s (f64, s, the longest eclipse
    per orbit in the season)
    """
    eclipsed = seasons["eclipse_max_s"] > 0.0
    run = (eclipsed != eclipsed.shift(1, fill_value=False)).cum_sum()
    return (seasons.with_columns(run=run, eclipsed=eclipsed).filter(pl.col("eclipsed"))
            .group_by("run", maintain_order=True)
            .agg(start_utc=pl.col("time_utc").first(), end_utc=pl.col("time_utc").last(),
                 n_samples=pl.len().cast(pl.UInt32),
                 eclipse_max_s=pl.col("eclipse_max_s").max())
            .drop("run"))


def ltan_drift_min_per_year(seasons: pl.DataFrame) -> float:
    """Secular drift of the mean-Sun node local time, minutes per year: the slope of a
    straight line through ``ltan_mean_h`` (unwrapped) against time."""
    t_days = (seasons["time_utc"].dt.epoch("us").to_numpy() / 86400e6)
    ltan_rad = np.unwrap(seasons["ltan_mean_h"].to_numpy() * math.pi / 12.0)
    if t_days.size < 2:
        raise ModelError("ltan_drift_min_per_year", [Problem(
            "seasons", t_days.size, "needs at least two samples")])
    slope_rad_per_day = np.polyfit(t_days - t_days[0], ltan_rad, 1)[0]
    return float(slope_rad_per_day * 12.0 / math.pi * 60.0 * 365.25)


__all__ = ["SEASON_SCHEMA", "eclipse_season_spans", "eclipse_seasons",
           "ltan_drift_min_per_year"]
