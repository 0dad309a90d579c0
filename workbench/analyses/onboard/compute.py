"""Compute: effective TOPS after power and thermal limits, aggregates, compute in view.

The payload's INT8 TOPS scale with the duty cycle the power simulation lets it run at
(itself capped by the radiator); summed over satellites this is the constellation's
capacity, and summed over the satellites a ground site sees it is the orbital compute
that site can reach at each moment.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from ...model.compute_basis import BASES, ComputeBasis, compute_basis
from ...model.ground import GroundSegment, GroundSite
from ...model.hardware import ComputePayload
from ...model.options import CapacityOptions, resolve_options
from ...model.scenario import Scenario
from ...orbits.geometry import OrbitGeometry, Progress, scenario_geometry
from .power import (
    PowerState,
    long_frame,
    power_frames,
    power_summary,
    sample_sat_ids,
    simulate_power,
)
from .result import CapacityResult
from .thermal import (
    ThermalLimits,
    radiator_temp_k,
    thermal_frames,
    thermal_limits,
    thermal_summary,
)

HOURS_PER_DAY = 24.0
PERCENTILES = (5, 50, 95)

def effective_tops(payload: ComputePayload, compute_w: np.ndarray,
                   tops_per_sat: float | None = None) -> np.ndarray:
    """INT8 TOPS delivered at a payload power draw: TOPS at full power × (power drawn / full
    power). TOPS at full power: ``tops_per_sat`` (a :class:`ComputeBasis`'s), else the
    payload's typical TOPS where known, else its peak."""
    full = payload.rated_int8_tops if tops_per_sat is None else tops_per_sat
    return full * np.asarray(compute_w) / payload.power_w


def compute_in_view(n_in_view: np.ndarray, tops_in_view: np.ndarray,
                    sites: Sequence[GroundSite], geometry: OrbitGeometry
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Frames of the compute each site can reach: the sum over the satellites it sees.

    Parameters
    ----------
    n_in_view : ndarray (n_sites, n_times), satellites each site sees
    tops_in_view : ndarray (n_sites, n_times), their effective TOPS summed
        (both from :meth:`OrbitGeometry.view_totals`)
    sites : the sites, in that order
    geometry : OrbitGeometry (for the time grid)

    Returns
    -------
    in_view : polars.DataFrame, one row per (site, step): time_utc, site (str), role (str),
        n_sats_in_view (u32), tops_in_view (f64, TOPS)
    in_view_stats : polars.DataFrame, one row per site: site, role, min_elevation_deg,
        tops_min, tops_p5, tops_p50, tops_mean, tops_p95, tops_max (TOPS),
        n_sats_in_view_mean, covered_frac (share of steps with at least one satellite)
    """
    n_sites, n_times = len(sites), geometry.n_times
    names = [s.name for s in sites]
    roles = [s.role for s in sites]
    in_view = pl.DataFrame({
        "time_utc": pl.concat([geometry.grid.times_utc] * n_sites) if n_sites
        else geometry.grid.times_utc[:0],
        "site": pl.Series(np.repeat(names, n_times).tolist(), dtype=pl.String),
        "role": pl.Series(np.repeat(roles, n_times).tolist(), dtype=pl.String),
        "n_sats_in_view": pl.Series(n_in_view.ravel(), dtype=pl.UInt32),
        "tops_in_view": tops_in_view.ravel(),
    })
    pct = np.percentile(tops_in_view, PERCENTILES, axis=1) if n_times else \
        np.zeros((len(PERCENTILES), n_sites))
    stats = pl.DataFrame({
        "site": pl.Series(names, dtype=pl.String), "role": pl.Series(roles, dtype=pl.String),
        "min_elevation_deg": [s.elevation_mask_deg for s in sites],
        "tops_min": tops_in_view.min(axis=1, initial=np.inf) if n_times else np.zeros(n_sites),
        **{f"tops_p{p}": pct[j] for j, p in enumerate(PERCENTILES)},
        "tops_mean": tops_in_view.mean(axis=1) if n_times else np.zeros(n_sites),
        "tops_max": tops_in_view.max(axis=1, initial=0.0),
        "n_sats_in_view_mean": n_in_view.mean(axis=1) if n_times else np.zeros(n_sites),
        "covered_frac": (n_in_view > 0).mean(axis=1) if n_times else np.zeros(n_sites),
    }, schema_overrides={"min_elevation_deg": pl.Float64})
    return in_view, stats


def compute_frames(state: PowerState, limits: ThermalLimits, geometry: OrbitGeometry,
                   payload: ComputePayload, sat_ids: np.ndarray,
                   tops: np.ndarray | None = None) -> dict[str, pl.DataFrame]:
    """Compute columns: ``satellites`` (sat_id, effective_tops_mean, tops_hours_per_day,
    thermal_duty_frac, is_thermal_limited, limit), ``timeseries`` (time_utc, sat_id,
    effective_tops, radiator_temp_k: steady radiator temperature at that step's payload
    heat) and ``constellation`` (time_utc, effective_tops summed)."""
    tops = effective_tops(payload, state.compute_w) if tops is None else tops
    valid = geometry.is_valid
    n_valid = np.maximum(valid.sum(axis=1), 1)
    tops_mean = tops.sum(axis=1) / n_valid
    ps = state.per_satellite
    power_duty = ps["power_duty_frac"]
    limit = np.where(ps["is_bus_infeasible"], "infeasible",
                     np.where((power_duty >= 1.0 - 1e-9) & (limits.duty_frac >= 1.0 - 1e-9),
                              "none", np.where(power_duty < limits.duty_frac, "power",
                                               "thermal")))
    satellites = pl.DataFrame({
        "sat_id": geometry.satellites["sat_id"],
        "effective_tops_mean": tops_mean,
        "tops_hours_per_day": tops_mean * HOURS_PER_DAY,
        "thermal_duty_frac": np.full(geometry.n_sats, limits.duty_frac),
        "is_thermal_limited": np.full(geometry.n_sats, limits.is_thermal_limited),
        "limit": pl.Series(limit.tolist(), dtype=pl.String),
    })
    heat = state.compute_w[sat_ids]  # compute power is heat
    temp = radiator_temp_k(heat, limits.radiator_area_m2, emissivity_frac=limits.emissivity_frac,
                           sink_temp_k=limits.sink_temp_k) if limits.radiator_area_m2 > 0 else \
        np.full(heat.shape, limits.sink_temp_k)
    timeseries = long_frame(geometry, sat_ids, {"effective_tops": tops[sat_ids],
                                                "radiator_temp_k": np.minimum(temp, 1e4)})
    constellation = pl.DataFrame({"time_utc": geometry.grid.times_utc,
                                  "effective_tops": tops.sum(axis=0)})
    return {"satellites": satellites, "timeseries": timeseries,
            "constellation": constellation}


def compute_summary(frames: dict[str, pl.DataFrame], payload: ComputePayload,
                    geometry: OrbitGeometry, stats: pl.DataFrame | None,
                    basis: ComputeBasis | None = None) -> dict[str, Any]:
    """Summary of the compute frames. ``total_compute_tops`` is the constellation's total on
    ``total_compute_basis`` (:func:`compute_basis`); ``peak_tops_total`` stays the plain sum
    of peaks, for comparison."""
    sats = frames["satellites"]
    total = frames["constellation"]["effective_tops"]
    n = geometry.n_sats
    if basis is None:
        per_sat = payload.rated_int8_tops
        basis = ComputeBasis(per_sat * n, per_sat, "sum of typical"
                             if payload.chip.typical_int8_tops is not None else "sum of peaks")
    summary: dict[str, Any] = {
        "n_sats": n,
        "peak_tops_per_sat": payload.int8_tops,
        "peak_tops_total": payload.int8_tops * n,
        "total_compute_tops": basis.total_tops,
        "total_compute_basis": basis.basis,
        "effective_tops_total_mean": float(total.mean() or 0.0),
        "effective_tops_total_min": float(total.min() or 0.0),
        "tops_hours_per_day_total": float(sats["tops_hours_per_day"].sum()),
        "limit_counts": {k: int(v) for k, v in sats["limit"].value_counts()
                         .iter_rows()},
    }
    if stats is not None and stats.height:
        summary["tops_in_view_p50"] = dict(zip(stats["site"].to_list(),
                                               stats["tops_p50"].to_list(), strict=True))
    summary["warnings"] = [basis.note] if basis.note else []
    return summary


def site_tuple(scenario: Scenario, sites: GroundSegment | Sequence[GroundSite] | None
           ) -> tuple[GroundSite, ...]:
    """The sites given (a segment, one site or a sequence), or the scenario's."""
    if sites is None:
        return scenario.ground.sites
    if isinstance(sites, GroundSegment):
        return sites.sites
    if isinstance(sites, GroundSite):
        return (sites,)
    return tuple(sites)


def compute_capacity(scenario: Scenario, *, geometry: OrbitGeometry | None = None,
                     sites: GroundSegment | Sequence[GroundSite] | None = None,
                     progress: Progress | None = None, options: CapacityOptions | Mapping[str, Any] | None = None) -> CapacityResult:
    """Effective compute of every satellite after power and thermal limits, and in view.

    Parameters
    ----------
    scenario : Scenario
    geometry : OrbitGeometry, optional — reuse a propagation
    sites : ground sites for compute-in-view (default: all the scenario's sites)
    progress : callable(fraction, message), optional
    options : CapacityOptions (or a mapping of its fields), default the scenario's;

    Returns
    -------
    CapacityResult with the frames of :func:`~workbench.analyses.onboard.power.power_budget` and
    :func:`~workbench.analyses.onboard.thermal.thermal_budget`, plus

    - ``satellites``: effective_tops_mean (TOPS), tops_hours_per_day (TOPS·h/day),
      thermal_duty_frac, is_thermal_limited, limit (str: none, power, thermal, infeasible)
    - ``timeseries``: effective_tops, radiator_temp_k
    - ``constellation``: effective_tops (sum, TOPS)
    - ``in_view``, ``in_view_stats``: see :func:`compute_in_view`
    """
    opts = resolve_options(CapacityOptions, options, scenario.options.capacity)
    site_list = site_tuple(scenario, sites)
    limits = thermal_limits(scenario.platform, scenario.payload, sink_temp_k=opts.sink_temp_k)
    geometry = scenario_geometry(scenario, geometry, progress=progress)
    state = simulate_power(scenario.platform, scenario.payload, geometry, options=opts,
                           max_duty_frac=limits.duty_frac)
    sat_ids = sample_sat_ids(geometry.n_sats, opts.timeseries_sats)
    power = power_frames(state, geometry, scenario.platform, sat_ids)
    result = CapacityResult(frames=power, summary=power_summary(state, power["satellites"]),
                            title=f"Compute: {scenario.name}")
    result = result.merge(CapacityResult(frames=thermal_frames(limits),
                                         summary=thermal_summary(limits)))
    basis = compute_basis(scenario.payload, scenario.constellation)
    tops = effective_tops(scenario.payload, state.compute_w, basis.tops_per_sat)
    frames = compute_frames(state, limits, geometry, scenario.payload, sat_ids, tops)
    stats = None
    if site_list:
        n_in_view, tops_in_view, _ = geometry.view_totals(site_list, tops)
        frames["in_view"], stats = compute_in_view(n_in_view, tops_in_view, site_list,
                                                   geometry)
        frames["in_view_stats"] = stats
    return result.merge(CapacityResult(
        frames=frames, summary=compute_summary(frames, scenario.payload, geometry, stats,
                                               basis)))


__all__ = ["effective_tops", "compute_basis", "ComputeBasis", "BASES", "compute_in_view",
           "compute_capacity", "PERCENTILES"]
