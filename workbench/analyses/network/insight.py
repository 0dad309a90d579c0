"""Event to insight: how long from something happening on Earth to an answer in a user's hands.

For each event (a place and a time) three ways to answer:

- ``in_orbit_isl``: the first satellite to see the place images it, processes on board,
  and sends the small result over laser ISLs to a gateway in view (then fibre) or
  straight down to the user;
- ``in_orbit_store_forward``: the same, but the result waits for the imaging satellite's
  own next gateway contact;
- ``bent_pipe``: the imaging satellite waits for its next gateway contact, downlinks the raw
  data, and the processing happens on the ground.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy.sparse.csgraph import dijkstra

from ...model.application import EventResponse, RemoteSensingInference
from ...model.constants import C_KM_PER_S, R_EARTH_KM
from ...model.errors import ModelError, Problem
from ...model.ground import GroundSite
from ...model.options import NetworkOptions, resolve_options
from ...model.scenario import Scenario
from ...model.timegrid import TimeGrid
from ...orbits.geometry import OrbitGeometry, scenario_geometry
from ..summary_html import result_html
from .graph import Progress, route_ends, step_graph
from .links import fibre_delay_s, great_circle_km
from .roundtrip import UnreachableWarning, build_network

Mode = Literal["in_orbit_isl", "in_orbit_store_forward", "bent_pipe"]
MODES: tuple[str, ...] = ("in_orbit_isl", "in_orbit_store_forward", "bent_pipe")
MODE_LABELS = {"in_orbit_isl": "process in orbit, relay over ISLs",
               "in_orbit_store_forward": "process in orbit, wait for own contact",
               "bent_pipe": "bent pipe: downlink raw, process on ground"}


@dataclass(frozen=True)
class InsightResult:
    """What :func:`event_to_insight` returns.

    Attributes
    ----------
    events : polars.DataFrame, one row per (event, mode):
        event_id (u32), lat_deg, lon_deg (f64), event_utc (datetime), mode (enum of
        ``MODES``), image_utc (datetime, null when never imaged in the window), sat_id
        (u32, the imaging satellite), revisit_wait_s, processing_s, delivery_wait_s
        (waiting for a route or a contact), transfer_s (downlink serialisation and
        propagation), insight_s (f64, s: event → insight, null when not delivered),
        insight_utc, gateway (str, null when delivered straight to the user),
        is_delivered, is_within_deadline (bool)
    by_mode : polars.DataFrame, one row per mode: n_events, n_delivered (u32),
        insight_s_p50, insight_s_p90 (f64, s; undelivered events count as never, so these
        are null when too few arrive), insight_s_mean (f64, s, delivered events only),
        revisit_wait_s_p50 (f64, s), within_deadline_frac (f64)
    info : dict of the assumptions used
    summary : dict, the headline: n_events, fastest_mode (lowest median insight time),
        and per mode ``insight_s_p50_<mode>`` and ``within_deadline_frac_<mode>``
    """

    events: pl.DataFrame
    by_mode: pl.DataFrame
    info: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        """The result's frames by name."""
        return {"events": self.events, "by_mode": self.by_mode}

    def _repr_html_(self) -> str:
        return result_html("Event to insight", self.summary, self.frames)


def random_events(region: EventResponse, n_events: int, start: datetime, span_s: float, *,
                  seed: int = 0) -> pl.DataFrame:
    """``n_events`` events uniform in area over the region's box and uniform in time.

    Latitudes are drawn uniform in sin(lat) (equal area). Returns event_id (u32), lat_deg,
    lon_deg (f64), time_utc (datetime µs UTC).
    """
    rng = np.random.default_rng(seed)
    s0, s1 = np.sin(np.radians([region.lat_min_deg, region.lat_max_deg]))
    lat = np.degrees(np.arcsin(rng.uniform(s0, s1, n_events)))
    lon_min, lon_max = region.lon_min_deg, region.lon_max_deg
    width = (lon_max - lon_min) % 360.0 or 360.0
    lon = (lon_min + rng.uniform(0.0, width, n_events) + 180.0) % 360.0 - 180.0
    offsets_us = np.sort(rng.uniform(0.0, span_s, n_events)) * 1e6
    start_us = np.datetime64(start.replace(tzinfo=None), "us")
    times = start_us + np.round(offsets_us).astype("int64").astype("timedelta64[us]")
    return pl.DataFrame({"event_id": pl.Series(np.arange(n_events), dtype=pl.UInt32),
                         "lat_deg": lat, "lon_deg": lon,
                         "time_utc": pl.Series(times).dt.replace_time_zone("UTC")})


def imaging_elevation_deg(max_off_nadir_deg: float, altitude_km: float) -> float:
    """Lowest elevation from the target at which a satellite pointing up to
    ``max_off_nadir_deg`` off nadir can image it (spherical Earth):
    cos ε = (R⊕ + h)/R⊕ · sin η."""
    c = (R_EARTH_KM + altitude_km) / R_EARTH_KM * math.sin(math.radians(max_off_nadir_deg))
    return math.degrees(math.acos(min(1.0, c)))


def _first_window(windows: pl.DataFrame, key: str, keys: np.ndarray, after_s: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each (key, time): the earliest moment ≥ time inside a window of that key.

    ``windows`` has columns ``key``, rise_s, set_s, sat_id, site. Returns (time_s, sat_id,
    site index into ``windows``), inf / −1 where none.
    """
    n = keys.size
    best_t = np.full(n, np.inf)
    best_row = np.full(n, -1)
    if windows.is_empty() or n == 0:
        return best_t, np.full(n, -1), best_row
    w_key = windows[key].to_numpy()
    rise, set_ = windows["rise_s"].to_numpy(), windows["set_s"].to_numpy()
    for k in range(n):  # a loop over events (tens), each vectorised over windows
        ok = (w_key == keys[k]) & (set_ >= after_s[k])
        if ok.any():
            t = np.maximum(rise[ok], after_s[k])
            j = int(np.argmin(t))
            best_t[k] = t[j]
            best_row[k] = np.flatnonzero(ok)[j]
    sat = np.where(best_row >= 0, windows["sat_id"].to_numpy().astype(np.int64)[
        np.maximum(best_row, 0)], -1)
    return best_t, sat, best_row


def event_to_insight(scenario: Scenario, events: pl.DataFrame | None = None, *,
                     user: str | None = None, gateways: Sequence[str] | None = None,
                     effective_tops: pl.DataFrame | float | None = None,
                     options: NetworkOptions | Mapping[str, Any] | None = None,
                     geometry: OrbitGeometry | None = None,
                     progress: Progress | None = None) -> InsightResult:
    """Time from events on the ground to insights delivered to a user, three ways.

    Parameters
    ----------
    scenario : Scenario
        Constellation, payload (onboard TOPS), platform (downlink rate), ground sites
        (gateways, the user) and, unless ``events`` is given, an ``EventResponse``
        application whose region, rate, deadline, operations and result size are used.
    events : frame with lat_deg, lon_deg, time_utc (and optionally event_id); None draws
        ``options.n_events`` random events (:func:`random_events`, ``options.seed``) in the
        EventResponse region (default: events_per_day × the scenario's days)
    user : site receiving the insight (default: the first site with role "user")
    gateways : gateway site names (default: sites with role "gateway")
    effective_tops : onboard compute for the job: None takes payload INT8 TOPS ×
        ``options.efficiency_frac``; a number; or a frame (sat_id, effective_tops) from a
        capacity analysis
    options : NetworkOptions or a mapping of its fields, optional
        Default ``scenario.options.network``: the network (``isl``, ``seam``,
        ``isl_max_range_km``, ``fibre_detour_factor``) as in
        :func:`workbench.analyses.latency`; ``max_off_nadir_deg`` (sets the imaging
        elevation mask through :func:`imaging_elevation_deg`, median altitude of the
        constellation); ``processing_gop`` and ``result_size_mb`` per event (None: the
        EventResponse application's); ``raw_data_mb`` for the bent pipe (None: a swath ×
        swath scene of the RemoteSensingInference application, else 1,000 MB);
        ``ground_tops`` of the ground processing centre.
    geometry : OrbitGeometry, optional
        The scenario's propagation, shared with the other analyses; None propagates here.

    Returns
    -------
    InsightResult
        ``events`` and ``summary`` frames (schemas in :class:`InsightResult`). Events never
        imaged, or whose result finds no route or contact before the window ends, are
        rows with ``is_delivered = false``, with an UnreachableWarning.

    Notes
    -----
    Revisit: the first access window (``workbench.orbits.access.access_windows``, rise and
    set refined between grid steps) of any satellite over the event's place above the
    imaging elevation, at or after the event. Onboard processing: operations ÷ (TOPS ×
    1000 GOP/s). In orbit with ISLs: at the first grid step at or after processing ends,
    the shortest route (Dijkstra over the same network as ``latency``) from the imaging
    satellite to the user directly or to a gateway then fibre; if there is none, the next
    step that has one. Store and forward and bent pipe: the imaging satellite's next
    gateway access window; the result (or the raw data) is downlinked at the platform's
    ``downlink_rate_gbps`` (assumed to fit in the pass), then fibre to the user; the
    ground link adds altitude / c. The bent pipe processes on ``ground_tops``.
    """
    from ...orbits.access import access_windows

    opts = resolve_options(NetworkOptions, options, scenario.options.network)
    n_events, seed, max_off_nadir_deg = opts.n_events, opts.seed, opts.max_off_nadir_deg
    efficiency_frac, processing_gop = opts.efficiency_frac, opts.processing_gop
    result_size_mb, raw_data_mb = opts.result_size_mb, opts.raw_data_mb
    ground_tops, fibre_detour_factor = opts.ground_tops, opts.fibre_detour_factor
    grid = scenario.time_grid
    sites = {s.name: s for s in scenario.ground.sites}
    apps = [a for a in scenario.applications if isinstance(a, EventResponse)]
    app = apps[0] if apps else None
    problems = []
    if user is None:
        users = [s.name for s in scenario.ground.sites if s.role == "user"]
        user = users[0] if users else None
    if user is None or user not in sites:
        problems.append(Problem("user", user, f"a site of the scenario; sites: {sorted(sites)}"))
    gateways = gateways if gateways is not None else [s.name for s in scenario.ground.sites
                                                      if s.role == "gateway"]
    problems += [Problem("gateways", g, "not a site of the scenario") for g in gateways
                 if g not in sites]
    if events is None and app is None:
        problems.append(Problem("events", None, "give events (lat_deg, lon_deg, time_utc) or "
                                                "an EventResponse application in the scenario"))
    if events is not None and not {"lat_deg", "lon_deg", "time_utc"} <= set(events.columns):
        problems.append(Problem("events", events.columns,
                                "needs columns lat_deg, lon_deg, time_utc"))
    if not 0.0 < max_off_nadir_deg < 90.0:
        problems.append(Problem("max_off_nadir_deg", max_off_nadir_deg, "degrees in (0, 90)"))
    if problems:
        raise ModelError("event_to_insight", problems)
    span_s = float(grid.offsets_s[-1])
    if events is None:
        n = n_events if n_events is not None else max(1, round(app.events_per_day * span_s
                                                               / 86400.0))
        events = random_events(app, int(n), grid.start, span_s, seed=seed)
    elif "event_id" not in events.columns:
        events = events.with_row_index("event_id")
    events = events.with_columns(pl.col("event_id").cast(pl.UInt32),
                                 pl.col("time_utc").dt.convert_time_zone("UTC")
                                 .dt.cast_time_unit("us"))
    processing_gop = processing_gop if processing_gop is not None else (
        app.processing_gop if app else 500.0)
    result_size_mb = result_size_mb if result_size_mb is not None else (
        app.result_size_mb if app else 1.0)
    deadline_s = app.deadline_s if app else math.inf
    if raw_data_mb is None:
        rs = [a for a in scenario.applications if isinstance(a, RemoteSensingInference)]
        h_km = float(scenario.constellation.satellites["altitude_km"].mean())
        raw_data_mb = ((float(rs[0].swath_km_at(h_km)) * 1000.0
                        / float(rs[0].gsd_m_at(h_km))) ** 2 * rs[0].sample_bands
                       * rs[0].sample_bit_depth / 8 / 1e6) if rs else 1000.0
    n_sats = len(scenario.constellation)
    if isinstance(effective_tops, pl.DataFrame):
        tops = np.zeros(n_sats)
        tops[effective_tops["sat_id"].cast(pl.Int64).to_numpy()] = (
            effective_tops["effective_tops"].to_numpy())
    else:
        value = (scenario.payload.int8_tops * efficiency_frac if effective_tops is None
                 else float(effective_tops))
        tops = np.full(n_sats, value)
    downlink_gbps = scenario.platform.downlink_rate_gbps

    # 1. revisit: access windows of the event places above the imaging elevation
    altitude_km = float(scenario.constellation.satellites["altitude_km"].median())
    mask_deg = imaging_elevation_deg(max_off_nadir_deg, altitude_km)
    ev_ids = events["event_id"].to_numpy()
    targets = [GroundSite(name=f"event {k}", lat_deg=la, lon_deg=lo, role="target",
                          min_elevation_deg=mask_deg)
               for k, la, lo in zip(ev_ids, events["lat_deg"], events["lon_deg"], strict=True)]
    if progress is not None:
        progress(0.0, "access windows over the event places")
    t_event = grid.offsets_at(events["time_utc"])
    geometry = scenario_geometry(scenario, geometry, progress=progress)
    win = access_windows(scenario.constellation, targets, grid,
                         state=(geometry.r_itrs_km, geometry.v_itrs_km_per_s))
    win = win.with_columns(rise_s=pl.Series(grid.offsets_at(win["rise_utc"])),
                           set_s=pl.Series(grid.offsets_at(win["set_utc"])))
    t_image, sat_img, _ = _first_window(win, "site", np.array([t.name for t in targets]),
                                        t_event)
    proc_s = np.where(sat_img >= 0, processing_gop / (tops[np.maximum(sat_img, 0)] * 1000.0),
                      np.nan)
    t_ready = t_image + proc_s

    # gateway contacts, for store-and-forward and the bent pipe
    gw_sites = [sites[g] for g in gateways]
    gw_win = (access_windows(scenario.constellation, gw_sites, grid,
                             state=(geometry.r_itrs_km, geometry.v_itrs_km_per_s))
              if gw_sites else
              pl.DataFrame(schema={"sat_id": pl.UInt32, "site": pl.String,
                                   "rise_utc": pl.Datetime("us", "UTC"),
                                   "set_utc": pl.Datetime("us", "UTC")}))
    gw_win = gw_win.with_columns(rise_s=pl.Series(grid.offsets_at(gw_win["rise_utc"]),
                                                  dtype=pl.Float64),
                                 set_s=pl.Series(grid.offsets_at(gw_win["set_utc"]),
                                                 dtype=pl.Float64))
    user_site = sites[user]
    gw_names = gw_win["site"].to_numpy() if len(gw_win) else np.array([], dtype=object)
    fibre_to_user = {g.name: float(fibre_delay_s(great_circle_km(
        g.lat_deg, g.lon_deg, user_site.lat_deg, user_site.lon_deg),
        detour_factor=fibre_detour_factor)) for g in gw_sites}
    ground_link_s = altitude_km / C_KM_PER_S
    rows = []
    sat_key = np.where(sat_img >= 0, sat_img, -1)
    for mode, payload_mb, ground_proc_s, after in (
            ("in_orbit_store_forward", result_size_mb, 0.0, t_ready),
            ("bent_pipe", raw_data_mb, processing_gop / (ground_tops * 1000.0), t_image)):
        t_c, _, w_row = _first_window(gw_win, "sat_id", sat_key, np.where(
            np.isfinite(after), after, np.inf))
        gw = np.where(w_row >= 0, gw_names[np.maximum(w_row, 0)] if len(gw_names) else None,
                      None)
        fib = np.array([fibre_to_user.get(g, np.nan) if g is not None else np.nan
                        for g in gw])
        transfer = payload_mb * 8.0 / (downlink_gbps * 1000.0) + ground_link_s + fib
        with np.errstate(invalid="ignore"):  # never imaged: inf − inf
            total = np.where(np.isfinite(t_c), t_c - t_event + transfer + ground_proc_s, np.nan)
            waited = np.where(np.isfinite(t_c), t_c - after, np.nan)
        rows.append(_mode_rows(mode, events, t_image, sat_img, t_event, proc_s if mode !=
                               "bent_pipe" else np.full(len(events), ground_proc_s),
                               waited, transfer, total, gw, deadline_s, grid))

    if opts.isl != "none":
        rows.append(_isl_rows(scenario, events, t_image, sat_img, t_event, proc_s, t_ready,
                              user, gateways, options=opts, geometry=geometry,
                              result_size_mb=result_size_mb, deadline_s=deadline_s,
                              store_forward=rows[0]))
    frame = pl.concat(rows).sort("event_id", "mode")
    never = pl.col("insight_s").fill_null(float("inf"))  # undelivered count as "never"
    summary = (frame.group_by("mode").agg(
        n_events=pl.len().cast(pl.UInt32), n_delivered=pl.col("is_delivered").sum()
        .cast(pl.UInt32),
        insight_s_p50=never.quantile(0.5, "nearest"),
        insight_s_p90=never.quantile(0.9, "nearest"),
        insight_s_mean=pl.col("insight_s").mean(),
        revisit_wait_s_p50=pl.col("revisit_wait_s").quantile(0.5, "linear"),
        within_deadline_frac=pl.col("is_within_deadline").mean()).sort("mode")
        .with_columns(pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c)
                      for c in ("insight_s_p50", "insight_s_p90")))
    missed = frame.filter(~pl.col("is_delivered"))
    if len(missed):
        never = int(frame.filter(pl.col("image_utc").is_null())["event_id"].n_unique())
        warnings.warn(f"event_to_insight: {len(missed)} of {len(frame)} (event, mode) rows "
                      f"are not delivered within the analysis window ({never} events never "
                      "imaged; others found no route or gateway contact in time). They are "
                      "kept with is_delivered=false.", UnreachableWarning, stacklevel=2)
    info = {"imaging_elevation_deg": mask_deg, "max_off_nadir_deg": max_off_nadir_deg,
            "altitude_km": altitude_km, "processing_gop": processing_gop,
            "onboard_tops": float(np.median(tops)), "result_size_mb": result_size_mb,
            "raw_data_mb": raw_data_mb, "downlink_rate_gbps": downlink_gbps,
            "ground_tops": ground_tops, "deadline_s": deadline_s, "user": user,
            "gateways": gateways, "n_events": len(events)}
    return InsightResult(events=frame, by_mode=summary, info=info,
                         summary=_headline(summary, len(events)))


def _headline(by_mode: pl.DataFrame, n_events: int) -> dict[str, Any]:
    """The flat summary of an event-to-insight run (see :class:`InsightResult`)."""
    out: dict[str, Any] = {"n_events": n_events}
    p50 = {}
    for row in by_mode.iter_rows(named=True):
        mode = str(row["mode"])
        value = row["insight_s_p50"]
        p50[mode] = float("inf") if value is None else float(value)
        out[f"insight_s_p50_{mode}"] = float("nan") if value is None else float(value)
        out[f"within_deadline_frac_{mode}"] = float(row["within_deadline_frac"] or 0.0)
    out["fastest_mode"] = min(p50, key=p50.get) if p50 else None
    return out


def _mode_rows(mode, events, t_image, sat_img, t_event, proc_s, wait_s, transfer_s, total_s,
               gateway, deadline_s, grid: TimeGrid) -> pl.DataFrame:
    ok = np.isfinite(total_s)
    imaged = np.isfinite(t_image)
    f = lambda x: pl.Series(np.where(ok, x, np.nan)).fill_nan(None)  # noqa: E731
    return pl.DataFrame({
        "event_id": events["event_id"], "lat_deg": events["lat_deg"],
        "lon_deg": events["lon_deg"], "event_utc": events["time_utc"],
        "mode": pl.Series([mode] * len(events), dtype=pl.Enum(list(MODES))),
        "image_utc": grid.utc_at(np.where(imaged, t_image, np.nan)),
        "sat_id": pl.Series(np.where(imaged, sat_img, 0), dtype=pl.UInt32),
        "revisit_wait_s": pl.Series(np.where(imaged, t_image - t_event, np.nan)).fill_nan(None),
        "processing_s": f(proc_s), "delivery_wait_s": f(wait_s), "transfer_s": f(transfer_s),
        "insight_s": f(total_s), "insight_utc": grid.utc_at(np.where(ok, t_event + total_s,
                                                                     np.nan)),
        "gateway": pl.Series([g if o else None for g, o in zip(gateway, ok, strict=True)],
                             dtype=pl.String),
        "is_delivered": ok, "is_within_deadline": ok & (np.where(ok, total_s, np.inf)
                                                        <= deadline_s),
    }).with_columns(pl.when(pl.Series(imaged)).then(pl.col("sat_id")).alias("sat_id"))


def _isl_rows(scenario, events, t_image, sat_img, t_event, proc_s, t_ready, user, gateways, *,
              options: NetworkOptions, geometry: OrbitGeometry, result_size_mb: float,
              deadline_s, store_forward: pl.DataFrame) -> pl.DataFrame:
    """Results relayed over ISLs: shortest route from the imaging satellite at the grid
    step nearest the end of processing (or the first later step with a route), to the user
    or to a gateway and on over fibre — or the satellite's own contact if that is sooner."""
    grid = scenario.time_grid
    sites = {s.name: s for s in scenario.ground.sites}
    names = list(dict.fromkeys([user, *gateways]))
    site_list = [sites[n] for n in names]
    network = build_network(scenario, site_list, options, fibre="none", geometry=geometry)
    positions_km = geometry.r_itrs_km
    fibre_detour_factor = options.fibre_detour_factor
    n, m = network.n_sats, network.n_sites
    user_site = sites[user]
    fib = np.array([0.0] + [float(fibre_delay_s(great_circle_km(
        sites[g].lat_deg, sites[g].lon_deg, user_site.lat_deg, user_site.lon_deg),
        detour_factor=fibre_detour_factor)) for g in names[1:]])
    serial_s = result_size_mb * 8.0 / (scenario.platform.downlink_rate_gbps * 1000.0)
    n_ev = len(events)
    wait = np.full(n_ev, np.nan)
    transfer = np.full(n_ev, np.nan)
    gateway = [None] * n_ev
    step_s = grid.step_s
    for k in range(n_ev):  # a loop over events (tens), each route a vectorised search
        if not np.isfinite(t_ready[k]):
            continue
        first = min(int(round(t_ready[k] / step_s)), positions_km.shape[1] - 1)
        for t in range(first, positions_km.shape[1]):  # until a route exists
            step = step_graph(network, positions_km[:, t])
            dist, pred = dijkstra(step.graph, directed=True, indices=[int(sat_img[k])],
                                  return_predecessors=True)
            d_end, _ = route_ends(step, np.atleast_2d(dist), np.atleast_2d(pred),
                                  np.zeros(m, np.int64), np.arange(m), n,
                                  network.sites.is_relay)
            total = d_end + fib
            if np.isfinite(total).any():
                j = int(np.argmin(total))
                wait[k] = max(0.0, t * step_s - t_ready[k])
                transfer[k] = total[j] + serial_s
                gateway[k] = None if j == 0 else names[j]
                break
    total_s = np.where(np.isfinite(wait), t_ready - t_event + wait + transfer, np.nan)
    # a satellite already in contact (or in contact sooner) downlinks directly
    sf_total = store_forward["insight_s"].fill_null(np.nan).to_numpy()
    own = np.isfinite(sf_total) & ~(total_s <= sf_total)
    total_s = np.where(own, sf_total, total_s)
    wait = np.where(own, store_forward["delivery_wait_s"].fill_null(np.nan).to_numpy(), wait)
    transfer = np.where(own, store_forward["transfer_s"].fill_null(np.nan).to_numpy(), transfer)
    sf_gw = store_forward["gateway"].to_list()
    gateway = [sf_gw[k] if own[k] else gateway[k] for k in range(n_ev)]
    return _mode_rows("in_orbit_isl", events, t_image, sat_img, t_event, proc_s, wait,
                      transfer, total_s, gateway, deadline_s, grid)


__all__ = ["event_to_insight", "InsightResult", "random_events", "imaging_elevation_deg",
           "MODES", "MODE_LABELS", "Mode"]
