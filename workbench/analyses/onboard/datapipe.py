"""The remote-sensing data pipeline: sensor rate, frame deadline, storage and downlink.

The orbital-edge-computing question (Denby & Lucia, ASPLOS 2020): can the onboard pipeline
keep up with the imager, and does data pile up? Two ways to run a satellite are compared
on the same orbits, contacts and storage:

- **bent pipe**: store raw imagery, downlink it raw at each gateway contact;
- **in orbit**: analyse the imagery onboard (as fast as the effective TOPS allow), keep
  the products (``data_reduction_frac`` of the raw size) and downlink those.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from ...model.application import RemoteSensingInference
from ...model.constants import MU_EARTH_KM3_PER_S2, R_EARTH_KM
from ...model.errors import ModelError, Problem
from ...model.ground import GroundSite
from ...model.options import CapacityOptions, require, resolve_options
from ...model.scenario import Scenario
from ...orbits.geometry import OrbitGeometry, Progress, scenario_geometry
from .compute import compute_basis, effective_tops
from .power import simulate_power
from .result import CapacityResult
from .thermal import thermal_limits

Mode = Literal["bent_pipe", "in_orbit"]
MODES: tuple[Mode, ...] = ("bent_pipe", "in_orbit")
BITS_PER_TB = 8e12
BITS_PER_GB = 8e9
SECONDS_PER_DAY = 86400.0


# --------------------------------------------------------------------------- formulas

def ground_speed_km_per_s(altitude_km: float | np.ndarray) -> np.ndarray:
    """Speed of the sub-satellite point of a circular orbit: v_g = √(μ/a) · R⊕/a, km/s.

    >>> round(float(ground_speed_km_per_s(550.0)), 3)
    6.983
    """
    h = require("ground_speed_km_per_s", "altitude_km", altitude_km, gt=0.0, unit="km")
    a = R_EARTH_KM + h
    return np.sqrt(MU_EARTH_KM3_PER_S2 / a) * R_EARTH_KM / a


def sensor_data_rate_bps(app: RemoteSensingInference, altitude_km: float | np.ndarray
                         ) -> np.ndarray:
    """Raw data rate of a push-broom imager while imaging, bit/s.

    Notes
    -----
    (swath / GSD) pixels across × (v_g / GSD) lines per second × bands × bits per sample
    (Denby & Lucia, *Orbital Edge Computing*, ASPLOS 2020, §2; Wertz & Larson, SMAD
    3rd ed. §9.4: data rate = pixels per second × bits per pixel). With a ``sensor`` the
    GSD follows the altitude (:class:`~workbench.model.sensor.Sensor`) and the pixels across
    are the detector's.

    >>> app = RemoteSensingInference(swath_km=30, gsd_m=3, bands=4, bit_depth=12)
    >>> round(float(sensor_data_rate_bps(app, 550.0)) / 1e9, 3)
    1.117
    """
    gsd = app.gsd_m_at(altitude_km)
    across = (app.sensor.pixels_across if app.sensor is not None
              else app.swath_km_at(altitude_km) * 1000.0 / gsd)
    lines_per_s = ground_speed_km_per_s(altitude_km) * 1000.0 / gsd
    return across * lines_per_s * app.sample_bands * app.sample_bit_depth


def tile_bits(app: RemoteSensingInference) -> float:
    """Bits of one tile the model processes: tile_px² × bands × bit depth."""
    return float(app.tile_px) ** 2 * app.sample_bands * app.sample_bit_depth


def tiles_needed_per_s(app: RemoteSensingInference, altitude_km: float | np.ndarray
                       ) -> np.ndarray:
    """Tiles per second the imager produces while imaging: pixel rate / tile_px²."""
    return sensor_data_rate_bps(app, altitude_km) / tile_bits(app)


def frame_deadline_s(app: RemoteSensingInference, altitude_km: float | np.ndarray
                     ) -> np.ndarray:
    """Time the ground track takes to cross one tile, s: tile_px · GSD / v_g. The tiles
    across the swath must be analysed within it for the pipeline to keep up in real time
    (Denby & Lucia's frame deadline)."""
    return app.tile_px * app.gsd_m_at(altitude_km) / (ground_speed_km_per_s(altitude_km)
                                                      * 1000.0)


def achieved_utilisation(app: RemoteSensingInference, utilisation_frac: float) -> float:
    """The share of the TOPS an inference achieves: ``utilisation_frac`` for a cost in
    operations; 1 for a measured time, which already holds what the chip achieved."""
    return 1.0 if app.inference is not None else utilisation_frac


def tiles_processable_per_s(app: RemoteSensingInference, tops: float | np.ndarray, *,
                            utilisation_frac: float = 1.0) -> np.ndarray:
    """Tiles per second the onboard model analyses: TOPS·1e12·u / (GOP per tile·1e9).

    GOP per tile is ``model_gop_per_tile`` or, for a measured time, ms × the measuring
    chip's TOPS (:attr:`~workbench.model.application.MeasuredInference.
    equivalent_gop_per_tile`): the measured rate scaled by the ratio of throughputs, and
    ``u`` is then 1 (:func:`achieved_utilisation`).

    >>> from workbench.model.hardware import ComputeChip
    >>> tx2 = ComputeChip(name="TX2", int8_tops=1.33, power_w=11.33, mass_kg=0.085,
    ...                   tid_krad=20, unit_cost_usd=399)
    >>> app = RemoteSensingInference(inference={"ms_per_tile": 44.86, "power_w": 11.33,
    ...                                         "chip": tx2})
    >>> round(float(tiles_processable_per_s(app, 1.33)), 2)  # on a TX2: 1000 / 44.86
    22.29
    """
    t = require("tiles_processable_per_s", "tops", tops, ge=0.0, unit="TOPS")
    u = require("tiles_processable_per_s", "utilisation_frac", utilisation_frac, gt=0.0,
                le=1.0)
    return t * 1e3 * achieved_utilisation(app, u) / app.gop_per_tile


# --------------------------------------------------------------------------- simulation

def imaging_fraction(app: RemoteSensingInference, geometry: OrbitGeometry,
                     imaging: str) -> np.ndarray:
    """Share of each step spent imaging (n_sats, n_times): the imaging duty spread over the
    sunlit steps (``sunlit``: the orbit average is still the duty, capped at 1 while lit)
    or over every step (``continuous``)."""
    valid_tm = np.ascontiguousarray(geometry.is_valid.T)
    if imaging == "continuous":
        return (app.imaging_duty_frac * valid_tm).T
    lit_tm = np.ascontiguousarray(geometry.is_sunlit.T)
    sunlit_frac = lit_tm.sum(axis=0) / np.maximum(valid_tm.sum(axis=0), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_lit_step = np.where(sunlit_frac > 0, np.minimum(
            app.imaging_duty_frac / sunlit_frac, 1.0), 0.0)
    return (per_lit_step[None, :] * lit_tm).T


def simulate_storage(app: RemoteSensingInference, storage_tb: float, downlink_gbps: float,
                     geometry: OrbitGeometry, tops: np.ndarray, contact: np.ndarray, *,
                     options: CapacityOptions | None = None) -> dict[Mode, dict[str, Any]]:
    """Step the onboard storage of every satellite through the grid, both ways of working.

    Parameters
    ----------
    app : the remote-sensing application
    storage_tb : onboard storage per satellite, TB (8e12 bits)
    downlink_gbps : space-to-ground rate during a gateway contact
    geometry : OrbitGeometry
    tops : ndarray (n_sats, n_times), effective TOPS
    contact : ndarray (n_sats, n_times) of bool, in view of at least one gateway
    options : CapacityOptions (``imaging``, ``utilisation_frac``)

    Returns
    -------
    dict mode → {"per_time": dict of (n_times,) arrays, "per_sat": dict of (n_sats,) arrays}
    with, per time, summed over satellites: stored_bits, used_frac_mean, used_frac_max,
    n_sats_full, acquired_bits, downlinked_bits, lost_bits, tiles_delivered; per satellite:
    acquired_bits, processed_bits (in orbit), downlinked_bits, lost_bits, lost_raw_bits,
    lost_product_bits, raw_end_bits, product_end_bits, tiles_delivered.

    Notes
    -----
    Each step: imagery arrives (rate × imaging share × dt); in orbit, the model turns up to
    tiles_processable_per_s × dt tiles of the raw backlog into products of
    ``data_reduction_frac`` the size; the link sends up to rate × dt of what waits for it
    (raw in the bent pipe, products in orbit); whatever then exceeds the storage is lost,
    raw imagery first. Volumes are conserved: acquired = downlinked + lost + left in
    storage (counting products at their reduced size).
    """
    options = options or CapacityOptions()
    dt = geometry.grid.step_s
    n_sats, n_times = geometry.n_sats, geometry.n_times
    capacity = storage_tb * BITS_PER_TB
    rate = sensor_data_rate_bps(app, np.maximum(geometry.altitude_km, 1.0))
    # the step loop reads one step of every satellite at a time: time-major arrays
    acquired = np.ascontiguousarray(
        imaging_fraction(app, geometry, options.imaging).T) * (rate[None, :] * dt)
    link = np.ascontiguousarray(contact.T) * (downlink_gbps * 1e9 * dt)
    bits_per_tile = tile_bits(app)
    # tiles_processable_per_s without its argument checks (tops come from the simulation)
    processable = np.ascontiguousarray(np.asarray(tops).T) * (
        1e3 * achieved_utilisation(app, options.utilisation_frac) / app.gop_per_tile
        * bits_per_tile * dt)
    reduction = app.data_reduction_frac

    def per_time() -> dict[str, np.ndarray]:
        return {k: np.zeros(n_times) for k in ("stored_bits", "used_frac_mean",
                                                "used_frac_max", "n_sats_full",
                                                "acquired_bits", "downlinked_bits",
                                                "lost_bits", "tiles_delivered")}

    out: dict[Mode, dict[str, Any]] = {m: {"per_time": per_time()} for m in MODES}
    raw_bp = np.zeros(n_sats)
    raw_io, prod_io = np.zeros(n_sats), np.zeros(n_sats)
    sums = {m: {k: np.zeros(n_sats) for k in ("downlinked", "lost_raw", "lost_product",
                                              "processed")} for m in MODES}
    full = capacity * (1.0 - 1e-9)
    for t in range(n_times):
        acq, cap = acquired[t], link[t]
        # bent pipe
        raw_bp += acq
        down = np.minimum(raw_bp, cap)
        raw_bp -= down
        lost = np.maximum(raw_bp - capacity, 0.0)
        raw_bp -= lost
        s, pt = sums["bent_pipe"], out["bent_pipe"]["per_time"]
        s["downlinked"] += down
        s["lost_raw"] += lost
        pt["stored_bits"][t] = raw_bp.sum()
        pt["used_frac_max"][t] = raw_bp.max(initial=0.0) / capacity if capacity else 0.0
        pt["n_sats_full"][t] = np.count_nonzero(raw_bp >= full) if capacity else n_sats
        pt["downlinked_bits"][t], pt["lost_bits"][t] = down.sum(), lost.sum()
        pt["tiles_delivered"][t] = down.sum() / bits_per_tile
        # in orbit
        raw_io += acq
        done = np.minimum(raw_io, processable[t])
        raw_io -= done
        prod_io += done * reduction
        down = np.minimum(prod_io, cap)
        prod_io -= down
        over = np.maximum(raw_io + prod_io - capacity, 0.0)
        lost_raw = np.minimum(over, raw_io)
        raw_io -= lost_raw
        lost_prod = over - lost_raw
        prod_io -= lost_prod
        s, pt = sums["in_orbit"], out["in_orbit"]["per_time"]
        s["processed"] += done
        s["downlinked"] += down
        s["lost_raw"] += lost_raw
        s["lost_product"] += lost_prod
        stored = raw_io + prod_io
        pt["stored_bits"][t] = stored.sum()
        pt["used_frac_max"][t] = stored.max(initial=0.0) / capacity if capacity else 0.0
        pt["n_sats_full"][t] = np.count_nonzero(stored >= full) if capacity else n_sats
        pt["downlinked_bits"][t], pt["lost_bits"][t] = down.sum(), (lost_raw + lost_prod).sum()
        pt["tiles_delivered"][t] = down.sum() / (bits_per_tile * reduction)
    acquired_total = acquired.sum(axis=0)
    for mode in MODES:
        pt = out[mode]["per_time"]
        pt["acquired_bits"] = acquired.sum(axis=1)
        pt["used_frac_mean"] = pt["stored_bits"] / (capacity * max(n_sats, 1)) if capacity \
            else np.zeros(n_times)
        s = sums[mode]
        per_tile = bits_per_tile * (reduction if mode == "in_orbit" else 1.0)
        out[mode]["per_sat"] = {
            "acquired_bits": acquired_total,
            "processed_bits": s["processed"],
            "downlinked_bits": s["downlinked"],
            "lost_raw_bits": s["lost_raw"],
            "lost_product_bits": s["lost_product"],
            "lost_bits": s["lost_raw"] + s["lost_product"],
            "raw_end_bits": raw_bp.copy() if mode == "bent_pipe" else raw_io.copy(),
            "product_end_bits": np.zeros(n_sats) if mode == "bent_pipe" else prod_io.copy(),
            "tiles_delivered": s["downlinked"] / per_tile,
        }
    return out


# --------------------------------------------------------------------------- frames

def data_frames(app: RemoteSensingInference, flows: dict[Mode, dict[str, Any]],
                geometry: OrbitGeometry, tops: np.ndarray, contact: np.ndarray,
                downlink_gbps: float, options: CapacityOptions) -> dict[str, pl.DataFrame]:
    """``satellites`` data columns, ``data_pipeline`` (per step and mode) and
    ``data_summary`` (per mode) frames; schemas in :func:`data_pipeline`."""
    altitude = np.maximum(geometry.altitude_km, 1.0)
    valid = geometry.is_valid
    n_valid = np.maximum(valid.sum(axis=1), 1)
    days = max(geometry.n_times * geometry.grid.step_s, geometry.grid.step_s) / SECONDS_PER_DAY
    needed = tiles_needed_per_s(app, altitude)
    processable_mean = tiles_processable_per_s(app, tops.sum(axis=1) / n_valid,
                                               utilisation_frac=options.utilisation_frac)
    contact_frac = contact.sum(axis=1) / n_valid
    per_sat = {m: flows[m]["per_sat"] for m in MODES}
    with np.errstate(divide="ignore", invalid="ignore"):
        lost_frac = {m: np.where(per_sat[m]["acquired_bits"] > 0, per_sat[m]["lost_raw_bits"]
                                 / per_sat[m]["acquired_bits"], 0.0) for m in MODES}
    satellites = pl.DataFrame({
        "sat_id": geometry.satellites["sat_id"],
        "ground_speed_km_per_s": ground_speed_km_per_s(altitude),
        "sensor_rate_gbps": sensor_data_rate_bps(app, altitude) / 1e9,
        "frame_deadline_s": frame_deadline_s(app, altitude),
        "tiles_needed_per_s": needed,
        "tiles_processable_per_s": processable_mean,
        "is_realtime": processable_mean >= needed,
        "contact_frac": contact_frac,
        "downlink_capacity_tb_per_day": contact_frac * downlink_gbps * 1e9 * SECONDS_PER_DAY
        / BITS_PER_TB,
        "lost_frac_bent_pipe": lost_frac["bent_pipe"],
        "lost_frac_in_orbit": lost_frac["in_orbit"],
    })
    parts = []
    for mode in MODES:
        pt = flows[mode]["per_time"]
        parts.append(pl.DataFrame({
            "time_utc": geometry.grid.times_utc,
            "mode": pl.Series([mode] * geometry.n_times, dtype=pl.String),
            "stored_tb": pt["stored_bits"] / BITS_PER_TB,
            "storage_used_frac_mean": pt["used_frac_mean"],
            "storage_used_frac_max": pt["used_frac_max"],
            "n_sats_full": pl.Series(pt["n_sats_full"].astype(np.uint32), dtype=pl.UInt32),
            "acquired_gb": pt["acquired_bits"] / BITS_PER_GB,
            "downlinked_gb": pt["downlinked_bits"] / BITS_PER_GB,
            "lost_gb": pt["lost_bits"] / BITS_PER_GB,
            "tiles_delivered": pt["tiles_delivered"],
        }))
    rows = []
    for mode in MODES:
        ps = per_sat[mode]
        acquired = float(ps["acquired_bits"].sum())
        rows.append({
            "mode": mode,
            "acquired_tb_per_day": acquired / BITS_PER_TB / days,
            "processed_tb_per_day": float(ps["processed_bits"].sum()) / BITS_PER_TB / days,
            "downlinked_tb_per_day": float(ps["downlinked_bits"].sum()) / BITS_PER_TB / days,
            "lost_tb_per_day": float(ps["lost_bits"].sum()) / BITS_PER_TB / days,
            "lost_raw_frac": float(ps["lost_raw_bits"].sum()) / acquired if acquired else 0.0,
            "backlog_end_tb": float((ps["raw_end_bits"] + ps["product_end_bits"]).sum())
            / BITS_PER_TB,
            "tiles_delivered_per_day": float(ps["tiles_delivered"].sum()) / days,
            "n_sats_losing_data": int(np.count_nonzero(ps["lost_bits"] > 0)),
        })
    return {"satellites": satellites, "data_pipeline": pl.concat(parts),
            "data_summary": pl.DataFrame(rows)}


def data_summary(frames: dict[str, pl.DataFrame], app: RemoteSensingInference,
                 n_gateways: int) -> dict[str, Any]:
    sats, per_mode = frames["satellites"], frames["data_summary"]
    by_mode = {row["mode"]: row for row in per_mode.iter_rows(named=True)}
    summary: dict[str, Any] = {
        "sensor_rate_gbps": float(sats["sensor_rate_gbps"].median() or 0.0),
        "frame_deadline_s": float(sats["frame_deadline_s"].median() or 0.0),
        "tiles_needed_per_s": float(sats["tiles_needed_per_s"].median() or 0.0),
        "tiles_processable_per_s": float(sats["tiles_processable_per_s"].median() or 0.0),
        "realtime_sats_frac": float(sats["is_realtime"].mean() or 0.0),
        "inference_basis": app.inference_basis,
        **{f"tiles_delivered_per_day_{m}": by_mode[m]["tiles_delivered_per_day"]
           for m in MODES},
        **{f"lost_raw_frac_{m}": by_mode[m]["lost_raw_frac"] for m in MODES},
    }
    warnings = []
    if n_gateways == 0:
        warnings.append("no gateway among the ground sites: nothing is downlinked")
    for mode in MODES:
        row = by_mode[mode]
        if row["n_sats_losing_data"]:
            warnings.append(
                f"{mode.replace('_', '-')}: storage overflows on {row['n_sats_losing_data']} "
                f"satellites, {row['lost_raw_frac']:.0%} of the imagery is lost "
                f"({row['lost_tb_per_day']:.2f} TB/day)")
    if summary["realtime_sats_frac"] < 1.0:
        cost = (f"{app.inference.ms_per_tile:g} ms per {app.tile_px}-px tile measured on "
                f"{app.inference.chip.name}" if app.inference is not None
                else f"{app.model_gop_per_tile:g} GOP per {app.tile_px}-px tile")
        warnings.append(
            f"the onboard model ({cost}) "
            f"keeps up with the imager on {summary['realtime_sats_frac']:.0%} of satellites: "
            f"{summary['tiles_processable_per_s']:.1f} of {summary['tiles_needed_per_s']:.1f}"
            f" tiles/s (frame deadline {summary['frame_deadline_s']:.2f} s)")
    summary["warnings"] = warnings
    return summary


def remote_sensing_app(scenario: Scenario, application: RemoteSensingInference | None
                       ) -> RemoteSensingInference | None:
    """The application given, else the scenario's first remote-sensing application."""
    if application is not None:
        if not isinstance(application, RemoteSensingInference):
            raise ModelError("data_pipeline", [Problem(
                "application", application, "must be a RemoteSensingInference")])
        return application
    return next((a for a in scenario.applications if isinstance(a, RemoteSensingInference)),
                None)


def required_remote_sensing_app(scenario: Scenario,
                                application: RemoteSensingInference | None,
                                where: str) -> RemoteSensingInference:
    """:func:`remote_sensing_app`, or a ModelError from ``where`` naming ``applications``
    when there is none."""
    app = remote_sensing_app(scenario, application)
    if app is None:
        raise ModelError(where, [Problem(
            "applications", [a.kind for a in scenario.applications],
            "need a remote_sensing application (or pass application=...)")])
    return app


def gateway_index(sites: Sequence[GroundSite]) -> list[int]:
    """Positions of the gateways (role ``gateway``) among ``sites``."""
    return [i for i, s in enumerate(sites) if s.role == "gateway"]


def gateway_contact(geometry: OrbitGeometry, sites: Sequence[GroundSite]) -> np.ndarray:
    """Whether each satellite sees at least one gateway among ``sites``, (n_sats, n_times)."""
    index = gateway_index(sites)
    if not index:
        return np.zeros((geometry.n_sats, geometry.n_times), dtype=bool)
    return geometry.visible([sites[i] for i in index]).any(axis=0)


def data_pipeline(scenario: Scenario, *, application: RemoteSensingInference | None = None,
                  geometry: OrbitGeometry | None = None, progress: Progress | None = None,
                  options: CapacityOptions | Mapping[str, Any] | None = None) -> CapacityResult:
    """Remote-sensing data flow of every satellite: bent pipe against processing in orbit.

    Parameters
    ----------
    scenario : Scenario
        Its platform (storage via the payload, downlink rate), gateways (role ``gateway``)
        and, unless ``application`` is given, its first remote-sensing application.
    application : RemoteSensingInference, optional
    geometry : OrbitGeometry, optional — reuse a propagation
    progress : callable(fraction, message), optional
    options : CapacityOptions (or a mapping of its fields), default the scenario's; (``imaging``, ``utilisation_frac`` and the power and
        thermal options that set the effective TOPS)

    Returns
    -------
    CapacityResult with frames

    - ``satellites``: sat_id, ground_speed_km_per_s, sensor_rate_gbps, frame_deadline_s,
      tiles_needed_per_s, tiles_processable_per_s (at the mean effective TOPS),
      is_realtime, contact_frac, downlink_capacity_tb_per_day, lost_frac_bent_pipe,
      lost_frac_in_orbit
    - ``data_pipeline``: one row per (step, mode): time_utc, mode (bent_pipe, in_orbit),
      stored_tb (sum), storage_used_frac_mean, storage_used_frac_max, n_sats_full (u32),
      acquired_gb, downlinked_gb, lost_gb (sums over the step, GB), tiles_delivered
    - ``data_summary``: one row per mode: acquired_tb_per_day, processed_tb_per_day,
      downlinked_tb_per_day, lost_tb_per_day, lost_raw_frac, backlog_end_tb,
      tiles_delivered_per_day (tiles' worth of imagery or products on the ground),
      n_sats_losing_data

    Raises ModelError naming ``applications`` when the scenario has no remote-sensing
    application and none is given.
    """
    opts = resolve_options(CapacityOptions, options, scenario.options.capacity)
    app = required_remote_sensing_app(scenario, application, "data_pipeline")
    limits = thermal_limits(scenario.platform, scenario.payload, sink_temp_k=opts.sink_temp_k)
    geometry = scenario_geometry(scenario, geometry, progress=progress)
    state = simulate_power(scenario.platform, scenario.payload, geometry, options=opts,
                           max_duty_frac=limits.duty_frac)
    basis = compute_basis(scenario.payload, scenario.constellation)
    tops = effective_tops(scenario.payload, state.compute_w, basis.tops_per_sat)
    sites = scenario.ground.sites
    contact = gateway_contact(geometry, sites)
    flows = simulate_storage(app, scenario.payload.storage_tb,
                             scenario.platform.downlink_rate_gbps, geometry, tops, contact,
                             options=opts)
    frames = data_frames(app, flows, geometry, tops, contact,
                         scenario.platform.downlink_rate_gbps, opts)
    frames["satellites"] = geometry.satellites.join(frames["satellites"], on="sat_id")
    n_gateways = sum(s.role == "gateway" for s in sites)
    return CapacityResult(frames=frames, summary=data_summary(frames, app, n_gateways),
                          title=f"Data pipeline: {scenario.name}")


__all__ = ["ground_speed_km_per_s", "sensor_data_rate_bps", "tile_bits", "tiles_needed_per_s",
           "frame_deadline_s", "tiles_processable_per_s", "achieved_utilisation", "imaging_fraction",
           "simulate_storage", "data_pipeline", "gateway_contact", "MODES"]
