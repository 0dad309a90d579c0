"""Power: solar generation, the Earth's shadow, the battery, and the compute duty cycle.

Formulas first (each works on scalars or numpy arrays), then the per-step simulation of
every satellite's battery (:func:`simulate_power`) and the analysis that turns it into
frames (:func:`power_budget`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ...model.constants import MU_EARTH_KM3_PER_S2, SOLAR_CONSTANT_W_PER_M2
from ...model.hardware import ComputePayload, Platform
from ...model.options import CapacityOptions, require, resolve_options
from ...model.scenario import Scenario
from ...orbits.geometry import OrbitGeometry, Progress, scenario_geometry
from ...orbits.sun import ERAD_KM
from .result import CapacityResult

SECONDS_PER_HOUR = 3600.0


# --------------------------------------------------------------------------- formulas

def orbit_period_s(altitude_km: float | np.ndarray) -> np.ndarray:
    """Circular period T = 2π √(a³/μ), a = R + h (R = 6378.1366 km, skyfield's ERAD)."""
    a = ERAD_KM + require("orbit_period_s", "altitude_km", altitude_km, gt=-ERAD_KM)
    return 2.0 * np.pi * np.sqrt(a**3 / MU_EARTH_KM3_PER_S2)


def critical_beta_deg(altitude_km: float | np.ndarray) -> np.ndarray:
    """Beta angle above which a circular orbit sees no eclipse: asin(R / (R + h)), degrees.

    >>> round(float(critical_beta_deg(550.0)), 1)
    67.0
    """
    h = require("critical_beta_deg", "altitude_km", altitude_km, gt=0.0, unit="km")
    return np.degrees(np.arcsin(ERAD_KM / (ERAD_KM + h)))


def eclipse_fraction(altitude_km: float | np.ndarray, beta_deg: float | np.ndarray
                     ) -> np.ndarray:
    """Fraction of a circular orbit spent in the Earth's (cylindrical) shadow.

    Parameters
    ----------
    altitude_km : float or array, km above a spherical Earth of radius 6378.1366 km
    beta_deg : float or array, degrees

    Returns
    -------
    ndarray, fraction in [0, 0.5); 0 when |β| ≥ the critical beta angle.

    Notes
    -----
    f = (1/180°) · acos(√(h² + 2 R h) / ((R + h) cos β)) for |β| < asin(R/(R + h))
    (Wertz & Larson, *Space Mission Analysis and Design*, 3rd ed., eq. 5-2 family; also
    NASA/TM-2002-211785), the shadow test of skyfield's ``is_sunlit`` for a circular orbit.

    >>> round(float(eclipse_fraction(550.0, 0.0) * orbit_period_s(550.0) / 60.0), 1)
    35.6
    """
    h = require("eclipse_fraction", "altitude_km", altitude_km, gt=0.0, unit="km")
    beta = np.radians(require("eclipse_fraction", "beta_deg", beta_deg, ge=-90.0, le=90.0,
                              unit="deg"))
    a = ERAD_KM + h
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sqrt(h * h + 2.0 * ERAD_KM * h) / (a * np.cos(beta))
    return np.where(ratio < 1.0, np.arccos(np.minimum(ratio, 1.0)) / np.pi, 0.0)


def eclipse_duration_s(altitude_km: float | np.ndarray, beta_deg: float | np.ndarray
                       ) -> np.ndarray:
    """Eclipse length per orbit, s: :func:`eclipse_fraction` × :func:`orbit_period_s`."""
    return eclipse_fraction(altitude_km, beta_deg) * orbit_period_s(altitude_km)


def battery_capacity_wh(load_w: float | np.ndarray, eclipse_s: float | np.ndarray, *,
                        depth_of_discharge_frac: float, efficiency_frac: float) -> np.ndarray:
    """Battery capacity that carries ``load_w`` through an eclipse: E = P·t / (DoD·η), Wh.

    Notes
    -----
    Wertz & Larson, SMAD 3rd ed., eq. 11-6: C = P_e T_e / ((DoD) N n) with N = 1 battery
    and n the battery-to-load transmission efficiency.

    >>> round(float(battery_capacity_wh(1000.0, 2136.0, depth_of_discharge_frac=0.3,
    ...                                 efficiency_frac=0.9)))
    2198
    """
    load = require("battery_capacity_wh", "load_w", load_w, ge=0.0, unit="W")
    t = require("battery_capacity_wh", "eclipse_s", eclipse_s, ge=0.0, unit="s")
    dod = require("battery_capacity_wh", "depth_of_discharge_frac", depth_of_discharge_frac,
                  gt=0.0, le=1.0)
    eta = require("battery_capacity_wh", "efficiency_frac", efficiency_frac, gt=0.0, le=1.0)
    return load * t / SECONDS_PER_HOUR / (dod * eta)


def array_power_w(area_m2: float | np.ndarray, *, efficiency_frac: float | np.ndarray,
                  cos_incidence: float | np.ndarray = 1.0, age_years: float = 0.0,
                  degradation_per_year_frac: float = 0.0,
                  irradiance_w_per_m2: float | np.ndarray = SOLAR_CONSTANT_W_PER_M2
                  ) -> np.ndarray:
    """Solar array output in sunlight: S · A · η · cos θ · (1 − d)^years, W.

    >>> round(float(array_power_w(4.0, efficiency_frac=0.3)))
    1633
    """
    area = require("array_power_w", "area_m2", area_m2, ge=0.0, unit="m2")
    eta = require("array_power_w", "efficiency_frac", efficiency_frac, gt=0.0, le=1.0)
    cos = require("array_power_w", "cos_incidence", cos_incidence, ge=0.0, le=1.0)
    years = require("array_power_w", "age_years", age_years, ge=0.0, unit="years")
    d = require("array_power_w", "degradation_per_year_frac", degradation_per_year_frac,
                ge=0.0, lt=1.0)
    s = require("array_power_w", "irradiance_w_per_m2", irradiance_w_per_m2, ge=0.0)
    return s * area * eta * cos * (1.0 - d) ** years


def sustainable_load_w(generation_mean_w: float | np.ndarray, sunlit_frac: float | np.ndarray,
                       *, efficiency_frac: float) -> np.ndarray:
    """Largest constant load the orbit-average generation sustains, W.

    Load L runs from the array in sunlight and from the battery in eclipse, which returns
    η of what was stored: (Ḡ − L f_sun) ≥ L f_ecl / η, so L = Ḡ / (f_sun + f_ecl / η),
    with Ḡ the generation averaged over the whole orbit (zero in eclipse).
    """
    g = require("sustainable_load_w", "generation_mean_w", generation_mean_w, ge=0.0)
    f_sun = require("sustainable_load_w", "sunlit_frac", sunlit_frac, ge=0.0, le=1.0)
    eta = require("sustainable_load_w", "efficiency_frac", efficiency_frac, gt=0.0, le=1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g > 0.0, g / (f_sun + (1.0 - f_sun) / eta), 0.0)


# --------------------------------------------------------------------------- simulation

@dataclass(frozen=True, eq=False)
class PowerState:
    """Every satellite's power flows on the grid (arrays (n_sats, n_times) unless noted).

    Attributes
    ----------
    generation_w, compute_w : float arrays, W
        Array output; payload power actually drawn (the duty cycle × payload power).
    soc_frac : float array, battery state of charge at each step's start
    is_throttled : bool array, compute cut below its target by the battery floor
    per_satellite : dict of (n_sats,) arrays — see :func:`simulate_power`.
    """

    generation_w: np.ndarray
    compute_w: np.ndarray
    soc_frac: np.ndarray
    is_throttled: np.ndarray
    per_satellite: dict[str, np.ndarray]
    payload_power_w: float
    bus_power_w: float


def longest_run_steps(mask: np.ndarray) -> np.ndarray:
    """Longest run of consecutive True along the last axis of a 2-D array, per row.

    Vectorised over the runs' edges (few) rather than over every element.

    >>> longest_run_steps(np.array([[True, True, False, True], [False] * 4]))
    array([2, 0])
    """
    mask = np.asarray(mask, dtype=bool)
    n_rows, n_cols = mask.shape
    out = np.zeros(n_rows, dtype=np.int64)
    if n_cols == 0 or n_rows == 0:
        return out
    edges = np.diff(mask.view(np.int8), axis=1, prepend=0, append=0)
    row_start, col_start = np.nonzero(edges == 1)
    _, col_end = np.nonzero(edges == -1)  # same rows, same order: runs alternate
    np.maximum.at(out, row_start, col_end - col_start)
    return out


def cos_incidence(geometry: OrbitGeometry, pointing: str) -> np.ndarray | float:
    """cos θ between the array normal and the Sun for a pointing model (see
    :class:`~workbench.model.options.CapacityOptions`)."""
    if pointing == "sun_tracking":
        return 1.0
    if pointing == "single_axis":
        return np.abs(np.cos(np.radians(geometry.beta_deg)))
    sun_unit = geometry.sun_itrs_km / np.linalg.norm(geometry.sun_itrs_km, axis=-1,
                                                     keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("stk,tk->st", geometry.r_itrs_km, sun_unit) / geometry.radius_km
    return np.clip(np.nan_to_num(cos), 0.0, 1.0)


def simulate_power(platform: Platform, payload: ComputePayload, geometry: OrbitGeometry, *,
                   options: CapacityOptions | None = None,
                   max_duty_frac: float = 1.0) -> PowerState:
    """Step every satellite's battery through the grid and find the compute duty cycle.

    Parameters
    ----------
    platform, payload : the bus and the compute it carries
    geometry : OrbitGeometry
    options : CapacityOptions (pointing, age_years, policy, initial_soc_frac)
    max_duty_frac : float
        Ceiling on the duty cycle from other limits (the radiator's, see
        :func:`workbench.analyses.onboard.thermal.thermal_limits`).

    Returns
    -------
    PowerState; ``per_satellite`` holds, per satellite: ``sunlit_frac``,
    ``eclipse_max_s`` (longest eclipse: analytic at the smallest |β| on the grid, or the
    longest the grid saw if that is longer),
    ``eclipse_observed_max_s`` (longest run of eclipsed steps × step), ``generation_mean_w``,
    ``sustainable_load_w``, ``power_duty_frac`` (duty the budget allows), ``target_duty_frac``,
    ``duty_mean_frac``, ``throttled_frac``, ``soc_min_frac``, ``is_bus_infeasible`` and the
    energy totals ``generation_wh``, ``load_wh``, ``curtailed_wh``, ``loss_wh``,
    ``unserved_wh``, ``stored_change_wh`` (generation = load + curtailed + loss + stored
    change, to rounding).

    Notes
    -----
    Generation S(t)·A·η·cos θ·(1 − d)^age while sunlit, with S = S₀ (1 au / r☉)² and θ from
    the pointing model. Orbit averages come from the grid when it spans at least an orbit,
    else from the circular orbit at the grid's mean beta angle. The budget: the largest constant load the orbit-average generation
    sustains (:func:`sustainable_load_w`) and the battery carries through the longest
    eclipse without passing its depth of discharge (L ≤ DoD·E·η / t_ecl); what is left
    after the bus load, over the payload's full power, is the duty cycle the power budget
    allows (capped at 1 and at ``max_duty_frac``). Policy ``steady`` runs compute at that
    duty; ``greedy`` at ``max_duty_frac``. Either way, at each step surplus power charges
    the battery (any beyond full is curtailed) and a deficit discharges it at efficiency η
    down to the floor (1 − DoD)·E; past the floor compute is throttled, and if the bus
    itself cannot be served the shortfall is counted as unserved (the satellite is
    infeasible). The payload's whole power (chips and overhead) scales with duty; bus
    load is constant.
    """
    options = options or CapacityOptions()
    n_sats, n_times = geometry.n_sats, geometry.n_times
    dt_h = geometry.grid.step_s / SECONDS_PER_HOUR
    valid = geometry.is_valid
    n_valid = np.maximum(valid.sum(axis=1), 1)
    p_payload = payload.power_w
    p_bus = platform.bus_power_w
    eta = platform.battery_efficiency_frac
    capacity_wh = platform.battery_wh
    floor_wh = (1.0 - platform.depth_of_discharge_frac) * capacity_wh

    peak_w = array_power_w(platform.solar_array_area_m2,
                           efficiency_frac=platform.cell_efficiency_frac,
                           age_years=options.age_years,
                           degradation_per_year_frac=platform.degradation_per_year_frac)
    # the step loop below reads one time step of every satellite at a time: keep the
    # arrays it reads and writes time-major (n_times, n_sats) and hand out transposed views
    irradiance = peak_w / geometry.sun_distance_au**2
    sunlit_tm = np.ascontiguousarray(geometry.is_sunlit.T)
    cos = cos_incidence(geometry, options.pointing)
    generation_tm = irradiance[:, None] * sunlit_tm
    if not np.isscalar(cos):
        generation_tm *= np.ascontiguousarray(np.asarray(cos).T)
    generation = generation_tm.T

    sunlit_frac = geometry.is_sunlit.sum(axis=1) / n_valid
    altitude = np.maximum(geometry.altitude_km, 1.0)
    min_beta = np.abs(geometry.beta_deg).min(axis=1, initial=90.0,
                                              where=valid) if n_times else np.full(n_sats, 90.0)
    observed_max_s = longest_run_steps(~geometry.is_sunlit & valid) * geometry.grid.step_s
    # analytic (circular orbit) at the smallest |β|, or what the grid saw if longer: a run
    # of k eclipsed steps lasted at least (k − 1) steps
    eclipse_max_s = np.maximum(eclipse_duration_s(altitude, np.minimum(min_beta, 90.0)),
                               observed_max_s - geometry.grid.step_s)
    generation_mean = generation.sum(axis=1) / n_valid
    # a grid shorter than an orbit cannot average one: use the circular orbit at the grid's
    # mean beta instead (fraction sunlit 1 − f_ecl(β); mean cos θ over the orbit 1, |cos β|
    # or |cos β|/π for the three pointing models; the shadow falls where a zenith panel
    # sees no Sun anyway)
    short = geometry.grid.duration_s < orbit_period_s(altitude)
    if np.any(short):
        beta_mean = np.where(valid, geometry.beta_deg, 0.0).sum(axis=1) / n_valid
        lit = 1.0 - eclipse_fraction(altitude, np.clip(beta_mean, -90.0, 90.0))
        cos_beta = np.abs(np.cos(np.radians(beta_mean)))
        mean_cos = {"sun_tracking": lit, "single_axis": lit * cos_beta,
                    "zenith_fixed": cos_beta / np.pi}[options.pointing]
        analytic_w = peak_w * float(np.mean(1.0 / geometry.sun_distance_au**2)) * mean_cos
        sunlit_frac = np.where(short, lit, sunlit_frac)
        generation_mean = np.where(short, analytic_w, generation_mean)
    load_energy_w = sustainable_load_w(generation_mean, sunlit_frac, efficiency_frac=eta)
    with np.errstate(divide="ignore"):
        load_dod_w = np.where(eclipse_max_s > 0.0, platform.depth_of_discharge_frac
                              * capacity_wh * eta * SECONDS_PER_HOUR / eclipse_max_s, np.inf)
    load_max_w = np.minimum(load_energy_w, load_dod_w)
    power_duty = np.clip((load_max_w - p_bus) / p_payload, 0.0, 1.0)
    ceiling = float(np.clip(max_duty_frac, 0.0, 1.0))
    target = np.minimum(power_duty, ceiling) if options.policy == "steady" else \
        np.full(n_sats, ceiling)
    want_w = target * p_payload

    compute_tm = np.empty((n_times, n_sats))
    soc_tm = np.empty((n_times, n_sats))
    throttled_tm = np.empty((n_times, n_sats), dtype=bool)
    all_valid = bool(valid.all())
    valid_tm = None if all_valid else np.ascontiguousarray(valid.T)
    stored = np.full(n_sats, options.initial_soc_frac * capacity_wh)
    stored0 = stored.copy()
    totals = {k: np.zeros(n_sats) for k in ("load", "curtailed", "loss", "unserved")}
    bus_full = np.full(n_sats, p_bus)
    for t in range(n_times):
        gen = generation_tm[t]
        if valid_tm is None:
            want, bus = want_w, bus_full
        else:
            want, bus = want_w * valid_tm[t], bus_full * valid_tm[t]
        net = gen - bus - want
        surplus = np.maximum(net, 0.0)
        charge = np.minimum(surplus, (capacity_wh - stored) / dt_h)
        need = np.maximum(-net, 0.0)
        deliverable = np.maximum(stored - floor_wh, 0.0) * (eta / dt_h)
        short = np.maximum(need - deliverable, 0.0)
        cut = np.minimum(short, want)
        unserved = short - cut
        delivered = need - short
        np.divide(stored, capacity_wh, out=soc_tm[t])
        np.subtract(want, cut, out=compute_tm[t])
        np.greater(cut, 1e-9 * p_payload, out=throttled_tm[t])
        stored += (charge - delivered / eta) * dt_h
        totals["load"] += (bus - unserved + compute_tm[t]) * dt_h
        totals["curtailed"] += (surplus - charge) * dt_h
        totals["loss"] += delivered * ((1.0 / eta - 1.0) * dt_h)
        totals["unserved"] += unserved * dt_h
    compute, soc, throttled = compute_tm.T, soc_tm.T, throttled_tm.T
    per_satellite = {
        "sunlit_frac": sunlit_frac,
        "eclipse_max_s": eclipse_max_s,
        "eclipse_observed_max_s": observed_max_s.astype(np.float64),
        "generation_mean_w": generation_mean,
        "sustainable_load_w": load_max_w,
        "power_duty_frac": power_duty,
        "target_duty_frac": target,
        "duty_mean_frac": compute.sum(axis=1) / n_valid / p_payload,
        "throttled_frac": throttled.sum(axis=1) / n_valid,
        "soc_min_frac": np.where(valid, soc, np.inf).min(axis=1, initial=np.inf),
        "is_bus_infeasible": (load_max_w < p_bus) | (totals["unserved"] > 0.0),
        "generation_wh": generation.sum(axis=1) * dt_h,
        "load_wh": totals["load"],
        "curtailed_wh": totals["curtailed"],
        "loss_wh": totals["loss"],
        "unserved_wh": totals["unserved"],
        "stored_change_wh": stored - stored0,
    }
    per_satellite["soc_min_frac"] = np.where(np.isfinite(per_satellite["soc_min_frac"]),
                                             per_satellite["soc_min_frac"],
                                             options.initial_soc_frac)
    return PowerState(generation_w=generation, compute_w=compute, soc_frac=soc,
                      is_throttled=throttled, per_satellite=per_satellite,
                      payload_power_w=p_payload, bus_power_w=p_bus)


# --------------------------------------------------------------------------- frames

def sample_sat_ids(n_sats: int, n_keep: int) -> np.ndarray:
    """``n_keep`` satellite ids spread evenly over 0 … n_sats−1 (all when fewer)."""
    if n_keep <= 0 or n_sats == 0:
        return np.zeros(0, dtype=np.int64)
    if n_sats <= n_keep:
        return np.arange(n_sats)
    return np.unique(np.linspace(0, n_sats - 1, n_keep).round().astype(np.int64))


def long_frame(geometry: OrbitGeometry, sat_ids: np.ndarray,
               columns: dict[str, np.ndarray]) -> pl.DataFrame:
    """A (time_utc, sat_id, columns…) frame for the rows ``sat_ids`` of (n_sats, n_times)
    arrays (or of arrays already holding just those rows), sorted by sat_id then time."""
    n_times = geometry.n_times
    frame = {
        "time_utc": pl.concat([geometry.grid.times_utc] * len(sat_ids)) if len(sat_ids)
        else geometry.grid.times_utc[:0],
        "sat_id": pl.Series(np.repeat(sat_ids, n_times).astype(np.uint32), dtype=pl.UInt32),
    }
    for name, values in columns.items():
        values = np.asarray(values)
        frame[name] = (values if values.shape[0] == len(sat_ids) else values[sat_ids]).ravel()
    return pl.DataFrame(frame)


def power_frames(state: PowerState, geometry: OrbitGeometry, platform: Platform,
                 sat_ids: np.ndarray) -> dict[str, pl.DataFrame]:
    """``satellites``, ``timeseries`` and ``constellation`` frames of a :class:`PowerState`
    (schemas in :func:`power_budget`)."""
    ps = state.per_satellite
    period_s = orbit_period_s(np.maximum(geometry.altitude_km, 1.0))
    battery_full_wh = battery_capacity_wh(
        state.bus_power_w + state.payload_power_w, ps["eclipse_max_s"],
        depth_of_discharge_frac=platform.depth_of_discharge_frac,
        efficiency_frac=platform.battery_efficiency_frac)
    valid = geometry.is_valid
    beta_mean = np.where(valid, geometry.beta_deg, 0.0).sum(axis=1) / np.maximum(
        valid.sum(axis=1), 1)
    satellites = geometry.satellites.with_columns(
        beta_mean_deg=pl.Series(beta_mean),
        beta_min_abs_deg=pl.Series(np.abs(geometry.beta_deg).min(axis=1, initial=90.0,
                                                                   where=valid)),
        sunlit_frac=pl.Series(ps["sunlit_frac"]),
        eclipse_min_per_orbit=pl.Series((1.0 - ps["sunlit_frac"]) * period_s / 60.0),
        eclipse_max_min=pl.Series(ps["eclipse_max_s"] / 60.0),
        generation_mean_w=pl.Series(ps["generation_mean_w"]),
        load_mean_w=pl.Series(ps["load_wh"] / np.maximum(valid.sum(axis=1), 1)
                              / (geometry.grid.step_s / SECONDS_PER_HOUR)),
        sustainable_load_w=pl.Series(ps["sustainable_load_w"]),
        power_duty_frac=pl.Series(ps["power_duty_frac"]),
        target_duty_frac=pl.Series(ps["target_duty_frac"]),
        duty_mean_frac=pl.Series(ps["duty_mean_frac"]),
        throttled_frac=pl.Series(ps["throttled_frac"]),
        soc_min_frac=pl.Series(ps["soc_min_frac"]),
        battery_for_full_compute_wh=pl.Series(battery_full_wh),
        curtailed_wh=pl.Series(ps["curtailed_wh"]),
        unserved_wh=pl.Series(ps["unserved_wh"]),
        is_power_limited=pl.Series(ps["power_duty_frac"] < 1.0 - 1e-9),
        is_infeasible=pl.Series(ps["is_bus_infeasible"]),
        is_propagated=pl.Series(valid.all(axis=1)),
    )
    compute_w = state.compute_w[sat_ids]
    timeseries = long_frame(geometry, sat_ids, {
        "is_sunlit": geometry.is_sunlit[sat_ids], "beta_deg": geometry.beta_deg[sat_ids],
        "generation_w": state.generation_w[sat_ids],
        "load_w": compute_w + state.bus_power_w * valid[sat_ids],
        "compute_w": compute_w, "soc_frac": state.soc_frac[sat_ids],
        "duty_frac": compute_w / state.payload_power_w,
        "is_throttled": state.is_throttled[sat_ids]})
    constellation = pl.DataFrame({
        "time_utc": geometry.grid.times_utc,
        "n_sunlit": pl.Series(geometry.is_sunlit.sum(axis=0), dtype=pl.UInt32),
        "generation_w": state.generation_w.sum(axis=0),
        "compute_w": state.compute_w.sum(axis=0),
        "duty_mean_frac": state.compute_w.sum(axis=0) / state.payload_power_w
        / np.maximum(valid.sum(axis=0), 1),
        "n_throttled": pl.Series(state.is_throttled.sum(axis=0), dtype=pl.UInt32),
    })
    return {"satellites": satellites, "timeseries": timeseries,
            "constellation": constellation}


def power_summary(state: PowerState, satellites: pl.DataFrame) -> dict[str, Any]:
    """Summary numbers of a power simulation and warnings in words."""
    ps = state.per_satellite
    n = len(ps["sunlit_frac"])
    # satellites SGP4 failed on are left out of the fleet means (they would count as dark
    # or as fully sunlit, depending on the step they failed at)
    ok = satellites["is_propagated"].to_numpy() if n else np.zeros(0, dtype=bool)

    def mean(values: Any) -> float:
        return float(np.mean(np.asarray(values)[ok])) if ok.any() else 0.0

    good = satellites.filter(pl.col("is_propagated"))
    summary: dict[str, Any] = {
        "eclipse_min_per_orbit_mean": float(good["eclipse_min_per_orbit"].mean() or 0.0),
        "eclipse_max_min": float(good["eclipse_max_min"].max() or 0.0),
        "sunlit_frac_mean": mean(ps["sunlit_frac"]),
        "generation_mean_w": mean(ps["generation_mean_w"]),
        "power_duty_frac_mean": mean(ps["power_duty_frac"]),
        "duty_mean_frac": mean(ps["duty_mean_frac"]),
        "n_power_limited": int(satellites["is_power_limited"].sum()),
        "n_infeasible": int(np.sum(ps["is_bus_infeasible"])),
        "n_not_propagated": int((~satellites["is_propagated"]).sum()),
    }
    warnings = []
    if summary["n_infeasible"]:
        warnings.append(f"{summary['n_infeasible']} of {n} satellites cannot power even the "
                        f"bus ({state.bus_power_w:g} W) through the orbit: infeasible "
                        "(is_infeasible); more array, battery or less bus load needed")
    if summary["n_power_limited"]:
        warnings.append(f"{summary['n_power_limited']} of {n} satellites are power-limited: "
                        f"the budget allows a mean duty of {summary['power_duty_frac_mean']:.0%}"
                        f" of the {state.payload_power_w:g} W payload")
    if summary["n_not_propagated"]:
        warnings.append(f"{summary['n_not_propagated']} satellites failed SGP4 on part of "
                        "the grid; those steps carry no power, compute or data, and those "
                        "satellites are left out of the fleet means (sunlit, eclipse, "
                        "generation, duty); wb.orbits.propagation_errors() lists them")
    summary["warnings"] = warnings
    return summary


def power_budget(scenario: Scenario, *, geometry: OrbitGeometry | None = None,
                 progress: Progress | None = None, options: CapacityOptions | Mapping[str, Any] | None = None) -> CapacityResult:
    """Power of every satellite over the scenario's grid: generation, battery, duty cycle.

    Parameters
    ----------
    scenario : Scenario
    geometry : OrbitGeometry, optional
        Reuse a propagation (:func:`~workbench.orbits.geometry.orbit_geometry`).
    progress : callable(fraction, message), optional
    options : CapacityOptions or a mapping of its fields, optional
        Default ``scenario.options.capacity``. Fields: ``pointing``,
        ``age_years``, ``policy``, ``initial_soc_frac``, ``timeseries_sats``.

    Returns
    -------
    CapacityResult with frames

    - ``satellites``: sat_id (u32), name, shell (str), inclination_deg, altitude_km,
      beta_mean_deg, beta_min_abs_deg (deg), sunlit_frac, eclipse_min_per_orbit,
      eclipse_max_min (min), generation_mean_w, load_mean_w, sustainable_load_w (W),
      power_duty_frac, target_duty_frac, duty_mean_frac, throttled_frac, soc_min_frac,
      battery_for_full_compute_wh, curtailed_wh, unserved_wh, is_power_limited,
      is_infeasible, is_propagated (bool)
    - ``timeseries`` (sample satellites): time_utc, sat_id, is_sunlit, beta_deg,
      generation_w, load_w, compute_w, soc_frac, duty_frac, is_throttled
    - ``constellation``: time_utc, n_sunlit (u32), generation_w, compute_w (sums, W),
      duty_mean_frac, n_throttled (u32)

    No thermal ceiling applies here; :func:`workbench.analyses.capacity` combines both.

    Examples
    --------
    >>> import workbench as wb                                          # doctest: +SKIP
    >>> wb.analyses.power_budget(wb.load_scenario("beijing-etown-demo"))  # doctest: +SKIP
    """
    opts = resolve_options(CapacityOptions, options, scenario.options.capacity)
    geometry = scenario_geometry(scenario, geometry, progress=progress)
    state = simulate_power(scenario.platform, scenario.payload, geometry, options=opts)
    frames = power_frames(state, geometry, scenario.platform,
                          sample_sat_ids(geometry.n_sats, opts.timeseries_sats))
    return CapacityResult(frames=frames, summary=power_summary(state, frames["satellites"]),
                          title=f"Power: {scenario.name}")


__all__ = ["orbit_period_s", "critical_beta_deg", "eclipse_fraction", "eclipse_duration_s",
           "battery_capacity_wh", "array_power_w", "sustainable_load_w", "PowerState",
           "simulate_power", "power_budget", "longest_run_steps", "sample_sat_ids"]
