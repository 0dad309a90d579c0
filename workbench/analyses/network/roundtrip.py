"""Latency between ground sites over the time-varying satellite network.

``latency(scenario)`` routes every pair of ground sites (or the pairs given) at every step
of the scenario's time grid over laser ISLs (+Grid, nearest neighbour, or none) and
ground-satellite links, and returns RTT, one-way delay, hop counts and routes as polars
frames, with path changes over time and percentiles per pair.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from ...model.constants import C_KM_PER_S
from ...model.errors import ModelError, Problem
from ...model.ground import GroundSite
from ...model.options import Fibre, NetworkOptions, resolve_options
from ...model.scenario import Scenario
from ...orbits.geometry import OrbitGeometry, scenario_geometry
from ..summary_html import result_html
from .graph import Progress, RoutingNetwork, isl_links
from .links import fibre_delay_s, great_circle_km, site_geometry
from .runner import RoutingPool, default_workers, route_over_time
from .topology import explicit_links, plus_grid

Pairs = Sequence[tuple[str, str]] | Sequence[str] | pl.DataFrame | None


KEEP_PATHS_MAX_ROWS = 2_000_000
"""With ``keep_paths=None``, routes are kept for runs up to this many (time, pair) rows."""


class UnreachableWarning(UserWarning):
    """Some (time, source, destination) rows have no route; they are kept as explicit rows
    with ``is_reachable = false`` and null delays."""


# --------------------------------------------------------------------------- inputs

def _sites_and_pairs(scenario: Scenario, pairs: Pairs
                     ) -> tuple[list[GroundSite], np.ndarray, np.ndarray]:
    all_sites = {s.name: s for s in scenario.ground.sites}
    problems: list[Problem] = []
    sites = None
    if (pairs is not None and not isinstance(pairs, (pl.DataFrame, str))
            and all(isinstance(p, str) for p in pairs)):
        sites, pairs = list(pairs), None  # site names: every unordered pair of them
    elif isinstance(pairs, str):
        problems.append(Problem("pairs", pairs, "give site names as a list, (source, "
                                                "destination) pairs, or a pairs frame"))
    if sites is not None:
        unknown = [s for s in sites if s not in all_sites]
        if unknown:
            problems.append(Problem("pairs", unknown, f"unknown site names; the scenario's "
                                                      f"sites are {sorted(all_sites)}"))
    if pairs is None:
        chosen = list(sites) if sites is not None else list(all_sites)
        if len(chosen) < 2 and not problems:
            problems.append(Problem("scenario.ground.sites", chosen,
                                    "latency needs at least two ground sites to pair"))
        if problems:
            raise ModelError("latency", problems)
        site_list = [all_sites[n] for n in chosen]
        a, b = np.triu_indices(len(site_list), 1)
        return site_list, a.astype(np.int64), b.astype(np.int64)
    if isinstance(pairs, pl.DataFrame):
        missing = {"source", "destination"} - set(pairs.columns)
        if missing:
            raise ModelError("latency", [Problem("pairs", pairs.columns,
                                                 "a pairs frame needs columns source and "
                                                 "destination")])
        pair_list = list(zip(pairs["source"].to_list(), pairs["destination"].to_list(),
                             strict=True))
    else:
        pair_list = [tuple(p) for p in pairs]
    for k, pair in enumerate(pair_list):
        if len(pair) != 2:
            problems.append(Problem(f"pairs[{k}]", pair, "a pair is (source, destination)"))
            continue
        src, dst = pair
        for name in (src, dst):
            if name not in all_sites:
                problems.append(Problem(f"pairs[{k}]", pair, f"{name!r} is not a site of the "
                                        f"scenario; sites: {sorted(all_sites)}"))
        if src == dst:
            problems.append(Problem(f"pairs[{k}]", pair, "source and destination must differ"))
    if not pair_list:
        problems.append(Problem("pairs", pair_list, "give at least one pair, or None for all"))
    if problems:
        raise ModelError("latency", problems)
    names = list(dict.fromkeys([n for p in pair_list for n in p]))
    index = {n: i for i, n in enumerate(names)}
    a = np.array([index[p[0]] for p in pair_list], dtype=np.int64)
    b = np.array([index[p[1]] for p in pair_list], dtype=np.int64)
    return [all_sites[n] for n in names], a, b


def build_network(scenario: Scenario, site_list: Sequence[GroundSite],
                  options: NetworkOptions, *, fibre: Fibre | None = None,
                  geometry: OrbitGeometry | None = None) -> RoutingNetwork:
    """The :class:`RoutingNetwork` of a scenario for ``site_list`` (see :func:`latency`);
    ``fibre`` overrides ``options.fibre``. With ``geometry``, TLE sets' +Grid planes are
    inferred from its first step instead of a propagation of their own."""
    fibre = options.fibre if fibre is None else fibre
    sites = site_geometry(site_list, min_elevation_deg=options.min_elevation_deg)
    edges = np.zeros((0, 2), np.int64)
    isl = options.isl
    if isinstance(isl, tuple):
        edges, isl = explicit_links(scenario.constellation, isl), "links"
    elif isl == "+grid":
        state = None if geometry is None else geometry.inertial_state(0)
        edges = plus_grid(scenario.constellation, epoch=scenario.epoch_utc, seam=options.seam,
                          state=state)
    m = len(site_list)
    ia, ib = np.triu_indices(m, 1)
    if fibre == "none":
        keep = np.zeros(ia.size, bool)
    elif fibre == "all":
        keep = np.ones(ia.size, bool)
    else:
        keep = sites.is_relay[ia] | sites.is_relay[ib]
    ia, ib = ia[keep], ib[keep]
    gc = great_circle_km(sites.lat_deg[ia], sites.lon_deg[ia], sites.lat_deg[ib],
                         sites.lon_deg[ib])
    platform = scenario.platform
    return RoutingNetwork(
        n_sats=len(scenario.constellation), sites=sites, isl=isl, isl_edges=edges,
        isl_max_range_km=(platform.isl_max_range_km if options.isl_max_range_km is None
                          else float(options.isl_max_range_km)),
        n_isl_terminals=(platform.isl_terminals if options.n_isl_terminals is None
                         else int(options.n_isl_terminals)),
        fibre_edges=np.stack([ia, ib], 1).astype(np.int64),
        fibre_delay_s=fibre_delay_s(gc, detour_factor=options.fibre_detour_factor),
        hop_delay_s=options.hop_delay_ms / 1000.0)


# --------------------------------------------------------------------------- result

ISL_LINKS_SCHEMA = {"sat_a": pl.UInt32, "sat_b": pl.UInt32, "name_a": pl.String,
                    "name_b": pl.String, "n_steps_usable": pl.UInt32,
                    "length_km_min": pl.Float64, "length_km_max": pl.Float64}


def isl_links_frame(network: RoutingNetwork, positions_km: np.ndarray,
                    names: Sequence[str]) -> pl.DataFrame:
    """The laser links of a run (``LatencyResult.isl_links``): every link usable at some
    step, with the number of steps it was usable and its length range."""
    parts = []
    for t in range(positions_km.shape[1]):  # a loop over steps; each step is vectorised
        edges, length = isl_links(network, positions_km[:, t])
        parts.append(np.column_stack([edges.astype(np.float64), length]))
    rows = np.concatenate(parts) if parts else np.zeros((0, 3))
    frame = pl.DataFrame({"sat_a": rows[:, 0].astype(np.uint32),
                          "sat_b": rows[:, 1].astype(np.uint32), "length_km": rows[:, 2]})
    frame = (frame.group_by("sat_a", "sat_b")
             .agg(n_steps_usable=pl.len().cast(pl.UInt32),
                  length_km_min=pl.col("length_km").min(),
                  length_km_max=pl.col("length_km").max())
             .sort("sat_a", "sat_b"))
    name = pl.Series(list(names), dtype=pl.String)
    return frame.with_columns(name_a=name.gather(frame["sat_a"]),
                              name_b=name.gather(frame["sat_b"])).select(
        list(ISL_LINKS_SCHEMA))


@dataclass(frozen=True)
class LatencyResult:
    """What :func:`latency` returns: frames, plus the routes on demand.

    Attributes
    ----------
    rtt : polars.DataFrame, one row per (time step, pair), time-major:
        time_utc (datetime µs UTC), source, destination (enum of site names),
        rtt_ms, one_way_ms (f64, null when unreachable), n_hops (u16: links on the route,
        ground-satellite links included), n_isl_hops (u16), path_id (u32: the route in
        force; a new id each time a pair's route changes), is_reachable (bool)
    by_pair : polars.DataFrame, one row per pair: source, destination, great_circle_km,
        geodesic_rtt_ms (2 × great circle / c: no route can beat it), fibre_rtt_ms
        (great circle × detour at c/1.468, there and back), rtt_ms_min, rtt_ms_p05,
        rtt_ms_p50, rtt_ms_p95, rtt_ms_max, rtt_ms_mean, n_hops_p50 (f64),
        reachable_frac (f64), n_path_changes (u32)
    path_changes : polars.DataFrame (property, built on first use), one row per route
        change: time_utc, source, destination, path_id_before, path_id_after (u32, null
        when unreachable), rtt_ms_before, rtt_ms_after (f64)
    sites : polars.DataFrame, the sites routed (``GroundSegment.frame`` schema) with
        node_id (u32 = n_sats + index, Hypatia's numbering) and n_steps_linked (u32:
        steps with at least one satellite or fibre link)
    isl_links : polars.DataFrame, one row per laser link the run used at some step (+Grid,
        nearest or the given list): sat_a, sat_b (u32, smaller first), name_a, name_b
        (str), n_steps_usable (u32: steps within range and line of sight),
        length_km_min, length_km_max (f64, over those steps)
    info : dict, run facts (n_steps, n_pairs, n_sats, isl, n_isl_links,
        n_isl_links_usable_first_step, isl_max_range_km, wall_s, workers, n_searches,
        keep_paths)
    summary : dict, the headline: n_pairs, n_steps, reachable_frac (of all (time, pair)
        rows), pairs_always_reachable_frac, rtt_ms_p50 and rtt_ms_p95 (over reachable
        rows), fibre_rtt_ms_p50 (median over pairs), faster_than_fibre_frac (share of
        pairs whose median RTT beats fibre), n_path_changes_per_pair_hour
    """

    rtt: pl.DataFrame
    by_pair: pl.DataFrame
    sites: pl.DataFrame
    info: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)
    isl_links: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema=ISL_LINKS_SCHEMA))
    _routes: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _changes: dict[str, Any] | None = field(default=None, repr=False)

    @cached_property
    def path_changes(self) -> pl.DataFrame:
        """One row per route change (built on first use): time_utc, source, destination,
        path_id_before, path_id_after (u32, null when unreachable), rtt_ms_before,
        rtt_ms_after (f64, null when unreachable)."""
        c = self._changes
        path_id, changed, reachable = c["path_id"], c["changed"], c["reachable"]
        t_idx, p_idx = np.nonzero(changed[1:] | (reachable[:-1] & ~reachable[1:]))
        t_idx = t_idx + 1
        before, after = path_id[t_idx - 1, p_idx], path_id[t_idx, p_idx]
        dist = c["dist_s"]
        return pl.DataFrame({
            "time_utc": c["times_utc"].gather(t_idx),
            "source": c["names"].gather(c["pair_a"][p_idx]),
            "destination": c["names"].gather(c["pair_b"][p_idx]),
            "path_id_before": pl.Series(np.maximum(before, 0), dtype=pl.UInt32),
            "path_id_after": pl.Series(np.maximum(after, 0), dtype=pl.UInt32),
            "is_before": before >= 0, "is_after": after >= 0,
            "rtt_ms_before": 2000.0 * dist[t_idx - 1, p_idx],
            "rtt_ms_after": 2000.0 * dist[t_idx, p_idx],
        }).with_columns(
            pl.when(pl.col("is_before")).then(pl.col("path_id_before", "rtt_ms_before")),
            pl.when(pl.col("is_after")).then(pl.col("path_id_after", "rtt_ms_after")),
        ).drop("is_before", "is_after")

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        """The result's frames by name (``paths`` is built on demand, not listed)."""
        return {"rtt": self.rtt, "by_pair": self.by_pair, "sites": self.sites,
                "isl_links": self.isl_links}

    def _repr_html_(self) -> str:
        return result_html("Latency", self.summary, self.frames)

    @property
    def unreachable(self) -> pl.DataFrame:
        """The rows of :attr:`rtt` without a route."""
        return self.rtt.filter(~pl.col("is_reachable"))

    @property
    def paths(self) -> pl.DataFrame:
        """Each route once: path_id (u32), source, destination (enum), node_ids
        (list[u32]: source site, satellites, destination site; a site's node id is
        ``n_sats + index``), sat_ids (list[u32], the satellites in order), n_hops (u16).

        Raises ModelError when the analysis ran with ``keep_paths=False``.
        """
        if self._routes is None:
            raise ModelError("LatencyResult.paths", [Problem(
                "keep_paths", False, "routes were not kept (big runs drop them by default); "
                "run latency(..., options={\"keep_paths\": True})")])
        r = self._routes
        lengths = np.diff(r["offsets"])
        max_len = int(lengths.max()) if lengths.size else 0
        matrix = np.zeros((lengths.size, max(max_len, 1)), np.uint32)
        matrix[np.arange(max(max_len, 1))[None, :] < lengths[:, None]] = r["nodes"]
        n_sats = int(self.info["n_sats"])
        nodes = pl.Series("node_ids", matrix).arr.to_list()
        names = self.sites["site"].to_list()
        enum = pl.Enum(names)
        frame = pl.DataFrame({"path_id": pl.Series(r["path_id"], dtype=pl.UInt32),
                              "source": pl.Series(names, dtype=enum).gather(r["a"]),
                              "destination": pl.Series(names, dtype=enum).gather(r["b"]),
                              "node_ids": nodes, "n": lengths})
        return frame.select(
            "path_id", "source", "destination",
            pl.col("node_ids").list.head(pl.col("n")),
            pl.col("node_ids").list.head(pl.col("n")).list.eval(
                pl.element().filter(pl.element() < n_sats)).alias("sat_ids"),
            (pl.col("n") - 1).cast(pl.UInt16).alias("n_hops"))

    def path(self, source: str, destination: str, time_utc: datetime | int = 0
             ) -> list[int]:
        """The satellites (sat_ids, in order from ``source``) of the route at a time step
        (a grid index or a datetime: the last step at or before it); [] when unreachable."""
        rows = self.rtt.filter((pl.col("source").cast(pl.String) == source)
                               & (pl.col("destination").cast(pl.String) == destination))
        flipped = False
        if rows.is_empty():
            rows = self.rtt.filter((pl.col("source").cast(pl.String) == destination)
                                   & (pl.col("destination").cast(pl.String) == source))
            flipped = True
        if rows.is_empty():
            raise ModelError("LatencyResult.path", [Problem(
                "source, destination", (source, destination), "this pair was not routed")])
        if isinstance(time_utc, int):
            row = rows.row(time_utc, named=True)
        else:
            before = rows.filter(pl.col("time_utc") <= time_utc)
            row = (before if len(before) else rows).row(-1 if len(before) else 0, named=True)
        if row["path_id"] is None:
            return []
        paths = self.paths.filter(pl.col("path_id") == row["path_id"])
        sats = paths["sat_ids"][0].to_list()
        return sats[::-1] if flipped else sats


# --------------------------------------------------------------------------- the analysis

def _route_ids(fingerprint: np.ndarray, reachable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(path_id matrix (n_steps, n_pairs) int64, −1 when unreachable; changed mask)."""
    n_steps = fingerprint.shape[0]
    changed = np.empty_like(reachable)
    changed[0] = reachable[0]
    if n_steps > 1:
        changed[1:] = reachable[1:] & ((fingerprint[1:] != fingerprint[:-1]) | ~reachable[:-1])
    ids = np.full(changed.shape, -1, np.int64)
    ids[changed] = np.arange(int(changed.sum()))
    ids = np.maximum.accumulate(ids, axis=0)
    ids[~reachable] = -1
    return ids, changed


def latency(scenario: Scenario, pairs: Pairs = None, *,
            options: NetworkOptions | Mapping[str, Any] | None = None,
            geometry: OrbitGeometry | None = None,
            progress: Progress | None = None) -> LatencyResult:
    """Round-trip times between ground sites at every step of the scenario's time grid.

    Parameters
    ----------
    scenario : Scenario
        Constellation, platform (ISL range and terminals), ground sites and time grid.
    pairs : sequence of (source, destination) site names, a frame with columns source
        and destination, or a sequence of site names (every unordered pair of them); None
        routes every unordered pair of the scenario's sites.
    options : NetworkOptions or a mapping of its fields, optional
        Default ``scenario.options.network``: ``isl`` ("+grid", "nearest" with
        ``n_isl_terminals`` each within ``isl_max_range_km``, or "none": bent pipe through
        relay sites), ``seam``, ``isl_max_range_km`` (None: the platform's; +Grid links
        longer than this are dropped at that step), ``min_elevation_deg`` (None: each
        site's own mask), ``fibre``, ``fibre_detour_factor``, ``hop_delay_ms``,
        ``keep_paths`` (None keeps routes up to ``KEEP_PATHS_MAX_ROWS`` (time, pair) rows —
        routes change at almost every step, so a 24 h, 100-city run would hold ~7 million
        of them; hop counts, path ids and path changes are computed either way) and
        ``workers`` (processes for the time chunks; None picks by problem size).
    geometry : OrbitGeometry, optional
        The scenario's propagation (:func:`workbench.orbits.orbit_geometry`), shared with
        the other analyses; None propagates here.
    progress : optional callback ``progress(fraction_done, message)``

    Returns
    -------
    LatencyResult
        Frames ``rtt``, ``summary``, ``path_changes``, ``sites`` (schemas in
        :class:`LatencyResult`), ``paths`` on demand, and ``info``. Pairs without a route
        at a step stay as rows with ``is_reachable = false`` and null delays, and an
        :class:`UnreachableWarning` says how many and why.

    Notes
    -----
    At each step the network is a directed graph: ISLs (both ways), ground-satellite links
    where the satellite is at or above the site's elevation mask and within its
    ``max_range_km``, and fibre. Link weights are one-way delays: distance / c in vacuum,
    great circle × detour / (c / 1.468) in fibre (README design notes), plus ``hop_delay_ms``.
    Routes never pass through a ground site unless it is a relay
    (``GroundSite.is_relay``). Shortest paths by Dijkstra (``scipy.sparse.csgraph``);
    RTT = 2 × the one-way delay of the shortest route (links are symmetric). This is the
    Hypatia set-up (Kassing et al., IMC 2020) when sites have no relays and no fibre, with
    an elevation mask instead of Hypatia's maximum ground-link range (both are supported).

    Examples
    --------
    >>> import workbench as wb  # doctest: +SKIP
    >>> result = wb.analyses.latency(wb.load_scenario("beijing-etown-demo"))  # doctest: +SKIP
    >>> result.by_pair.select("source", "destination", "rtt_ms_p50")  # doctest: +SKIP
    """
    started = time.perf_counter()
    opts = resolve_options(NetworkOptions, options, scenario.options.network)
    site_list, pair_a, pair_b = _sites_and_pairs(scenario, pairs)
    grid = scenario.time_grid
    keep_paths, workers = opts.keep_paths, opts.workers
    if keep_paths is None:
        keep_paths = len(grid) * pair_a.size <= KEEP_PATHS_MAX_ROWS
    n_nodes = len(scenario.constellation) + 2 * len(site_list)
    if workers is None:
        workers = default_workers(len(grid), len(site_list), n_nodes)
    # workers boot while this process builds the network and propagates
    pool = RoutingPool(int(workers)) if int(workers) > 1 else None
    try:
        geometry = scenario_geometry(scenario, geometry, progress=progress)
        network = build_network(scenario, site_list, opts, geometry=geometry)
        positions_km = geometry.r_itrs_km
        # canonical unordered pairs (a < b) for the kernel; map back afterwards
        lo, hi = np.minimum(pair_a, pair_b), np.maximum(pair_a, pair_b)
        keys, pair_of = np.unique(lo * len(site_list) + hi, return_inverse=True)
        ka, kb = keys // len(site_list), keys % len(site_list)
        routes = route_over_time(network, positions_km, ka, kb, keep_paths=keep_paths,
                                 workers=workers, progress=progress, pool=pool)
    finally:
        if pool is not None:
            pool.close()
    n_steps = positions_km.shape[1]
    identity = np.array_equal(pair_of, np.arange(ka.size))
    dist, fp, n_hops, n_isl = (getattr(routes, key) if identity
                               else getattr(routes, key)[:, pair_of] for key in
                               ("dist_s", "fingerprint", "n_hops", "n_isl_hops"))
    reachable = np.isfinite(dist)
    path_id, changed = _route_ids(fp, reachable)

    names = [s.name for s in site_list]
    name_series = pl.Series(names, dtype=pl.Enum(names))
    n_pairs = pair_a.size
    one_way_ms = np.where(reachable, dist, np.nan).ravel() * 1000.0
    rtt = pl.DataFrame({
        "time_utc": grid.times_utc.gather(np.repeat(np.arange(n_steps), n_pairs)),
        "source": pl.concat([name_series.gather(pair_a)] * n_steps, rechunk=True),
        "destination": pl.concat([name_series.gather(pair_b)] * n_steps, rechunk=True),
        "rtt_ms": 2.0 * one_way_ms, "one_way_ms": one_way_ms,
        "n_hops": pl.Series(n_hops.ravel(), dtype=pl.UInt16),
        "n_isl_hops": pl.Series(n_isl.ravel(), dtype=pl.UInt16),
        "path_id": pl.Series(np.maximum(path_id, 0).ravel(), dtype=pl.UInt32),
        "is_reachable": reachable.ravel(),
    }).with_columns(
        pl.col("rtt_ms", "one_way_ms").fill_nan(None),
        pl.when(pl.col("is_reachable")).then(pl.col("n_hops", "n_isl_hops", "path_id")))
    by_pair = _summary(site_list, pair_a, pair_b, dist, n_hops, reachable, changed,
                       opts.fibre_detour_factor, name_series)
    n_links = (routes.n_links > 0).sum(axis=0)
    sites_frame = (pl.DataFrame([{"site": s.name, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
                                  "altitude_m": s.altitude_m, "role": s.role,
                                  "min_elevation_deg": (s.elevation_mask_deg
                                                        if opts.min_elevation_deg is None
                                                        else opts.min_elevation_deg),
                                  "max_range_km": s.max_range_km, "is_relay": s.is_relay}
                                 for s in site_list],
                                schema={"site": pl.String, "lat_deg": pl.Float64,
                                        "lon_deg": pl.Float64, "altitude_m": pl.Float64,
                                        "role": pl.String, "min_elevation_deg": pl.Float64,
                                        "max_range_km": pl.Float64, "is_relay": pl.Boolean})
                   .with_columns(node_id=pl.Series(network.n_sats + np.arange(len(site_list)),
                                                   dtype=pl.UInt32),
                                 n_steps_linked=pl.Series(n_links, dtype=pl.UInt32)))
    kept = None
    if keep_paths:
        kept = _kept_routes(routes, path_id, pair_of, ka, kb, pair_a, pair_b, network.n_sats)
    links_frame = isl_links_frame(network, positions_km,
                                  scenario.constellation.satellites["name"].to_list())
    info = {"n_steps": n_steps, "n_pairs": n_pairs, "n_sats": network.n_sats,
            "n_sites": len(site_list), "isl": network.isl,
            "n_isl_links": (int(len(network.isl_edges)) if network.isl in ("+grid", "links")
                            else None),
            "isl_max_range_km": network.isl_max_range_km,
            "n_searches": routes.n_searches, "workers": int(workers),
            "keep_paths": bool(keep_paths),
            "wall_s": time.perf_counter() - started}
    n_usable = int(len(isl_links(network, positions_km[:, 0])[0]))
    info["n_isl_links_usable_first_step"] = n_usable
    _warn_unreachable(reachable, pair_a, pair_b, names, sites_frame, n_steps, network,
                      network.isl, n_usable)
    changes_state = {"path_id": path_id, "changed": changed, "reachable": reachable,
                     "dist_s": dist, "times_utc": grid.times_utc, "names": name_series,
                     "pair_a": pair_a, "pair_b": pair_b}
    return LatencyResult(rtt=rtt, by_pair=by_pair, sites=sites_frame, info=info,
                         summary=_headline(rtt, by_pair, n_steps, grid.step_s),
                         isl_links=links_frame,
                         _routes=kept, _changes=changes_state)


def _headline(rtt: pl.DataFrame, by_pair: pl.DataFrame, n_steps: int, step_s: float
              ) -> dict[str, Any]:
    """The flat summary of a latency run (see :class:`LatencyResult`)."""
    reachable = rtt.filter(pl.col("is_reachable"))["rtt_ms"]
    hours = max(n_steps - 1, 1) * step_s / 3600.0
    faster = (by_pair["rtt_ms_p50"] < by_pair["fibre_rtt_ms"]).fill_null(False)

    def quantile(q: float) -> float:
        value = reachable.quantile(q, "linear") if reachable.len() else None
        return float("nan") if value is None else float(value)

    return {"n_pairs": by_pair.height, "n_steps": n_steps,
            "reachable_frac": float(rtt["is_reachable"].mean() or 0.0),
            "pairs_always_reachable_frac": float((by_pair["reachable_frac"] >= 1.0).mean()
                                                 or 0.0),
            "rtt_ms_p50": quantile(0.5), "rtt_ms_p95": quantile(0.95),
            "fibre_rtt_ms_p50": float(by_pair["fibre_rtt_ms"].median() or float("nan")),
            "faster_than_fibre_frac": float(faster.mean() or 0.0),
            "n_path_changes_per_pair_hour": float(by_pair["n_path_changes"].mean() or 0.0)
            / hours}


def _sorted_quantiles(values: np.ndarray, q: tuple[float, ...]) -> list[np.ndarray]:
    """Linear-interpolated quantiles of each row of ``values`` ignoring NaN (numpy's
    default method), from one sort; NaN for rows without a finite value."""
    ordered = np.sort(values, axis=1)  # NaN last
    count = np.isfinite(ordered).sum(axis=1)
    rows = np.arange(ordered.shape[0])
    out = []
    for quantile in q:
        pos = quantile * np.maximum(count - 1, 0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        frac = pos - lo
        value = ordered[rows, lo] * (1 - frac) + ordered[rows, hi] * frac
        out.append(np.where(count > 0, value, np.nan))
    return out


def _summary(site_list, pair_a, pair_b, dist, n_hops, reachable, changed, detour,
             name_series) -> pl.DataFrame:
    lat = np.array([s.lat_deg for s in site_list])
    lon = np.array([s.lon_deg for s in site_list])
    gc = great_circle_km(lat[pair_a], lon[pair_a], lat[pair_b], lon[pair_b])
    rtt = np.ascontiguousarray(np.where(reachable, 2000.0 * dist, np.nan).T)
    hops = np.ascontiguousarray(np.where(reachable, n_hops, np.nan).T)
    count = reachable.sum(axis=0)
    q_min, q05, q50, q95, q_max = _sorted_quantiles(rtt, (0.0, 0.05, 0.5, 0.95, 1.0))
    total = np.where(reachable.T, rtt, 0.0).sum(axis=1)
    stats = {"rtt_ms_min": q_min, "rtt_ms_p05": q05, "rtt_ms_p50": q50, "rtt_ms_p95": q95,
             "rtt_ms_max": q_max,
             "rtt_ms_mean": np.where(count > 0, total / np.maximum(count, 1), np.nan),
             "n_hops_p50": _sorted_quantiles(hops, (0.5,))[0]}
    n_changes = changed[1:].sum(axis=0) if changed.shape[0] > 1 else np.zeros(pair_a.size)
    return pl.DataFrame({
        "source": name_series.gather(pair_a), "destination": name_series.gather(pair_b),
        "great_circle_km": gc, "geodesic_rtt_ms": 2000.0 * gc / C_KM_PER_S,
        "fibre_rtt_ms": 2000.0 * fibre_delay_s(gc, detour_factor=detour), **stats,
        "reachable_frac": reachable.mean(axis=0),
        "n_path_changes": pl.Series(n_changes, dtype=pl.UInt32),
    }).with_columns(pl.col(list(stats)).fill_nan(None))


def _kept_routes(routes, path_id, pair_of, ka, kb, pair_a, pair_b, n_sats
                 ) -> dict[str, np.ndarray]:
    """One node sequence per path id, oriented source → destination (flat + offsets)."""
    rec_step, rec_pair = routes.rec_step, routes.rec_pair  # kernel pair index
    offsets, nodes = routes.rec_offsets, routes.rec_nodes
    # kernel pairs map to one or more requested pairs (a pair may be asked both ways)
    count = np.bincount(pair_of, minlength=ka.size)
    requested = np.argsort(pair_of, kind="stable")
    first = np.r_[0, np.cumsum(count)[:-1]]
    rec_index = np.repeat(np.arange(rec_step.size), count[rec_pair])
    within = np.arange(rec_index.size) - np.repeat(np.cumsum(count[rec_pair])
                                                   - count[rec_pair], count[rec_pair])
    req_pair = requested[first[rec_pair[rec_index]] + within]
    pid = path_id[rec_step[rec_index], req_pair]
    ok = pid >= 0
    pid_unique, keep = np.unique(pid[ok], return_index=True)
    chosen = rec_index[ok][keep]
    chosen_req = req_pair[ok][keep]
    lengths = np.diff(offsets)[chosen]
    starts = offsets[:-1][chosen]
    out_offsets = np.r_[0, np.cumsum(lengths)]
    within = np.arange(int(out_offsets[-1])) - np.repeat(out_offsets[:-1], lengths)
    # kernel routes run ka → kb; read backwards where the requested source is kb
    flip = np.repeat(pair_a[chosen_req] != ka[pair_of[chosen_req]], lengths)
    seg_len = np.repeat(lengths, lengths)
    idx = np.repeat(starts, lengths) + np.where(flip, seg_len - 1 - within, within)
    return {"path_id": pid_unique, "a": pair_a[chosen_req], "b": pair_b[chosen_req],
            "nodes": nodes[idx].astype(np.uint32), "offsets": out_offsets}


def _warn_unreachable(reachable: np.ndarray, pair_a: np.ndarray, pair_b: np.ndarray,
                      names: list[str], sites: pl.DataFrame, n_steps: int,
                      network: RoutingNetwork, isl: str, n_usable: int) -> None:
    n_bad = int(reachable.size - reachable.sum())
    if n_bad == 0:
        return
    bad_per_pair = n_steps - reachable.sum(axis=0)
    worst = np.argsort(-bad_per_pair, kind="stable")[:3]
    examples = ", ".join(f"{names[pair_a[k]]}–{names[pair_b[k]]} ({bad_per_pair[k]}/{n_steps} "
                         "steps)" for k in worst if bad_per_pair[k])
    never = sites.filter(pl.col("n_steps_linked") == 0)["site"].to_list()
    reasons = []
    if never:
        reasons.append(f"sites never linked to any satellite: {', '.join(never[:5])}"
                       + (" …" if len(never) > 5 else ""))
    if isl in ("+grid", "links") and n_usable < len(network.isl_edges) / 2:
        reasons.append(f"only {n_usable} of {len(network.isl_edges)} +Grid links are within "
                       f"isl_max_range_km={network.isl_max_range_km:g} and clear the Earth at "
                       "the first step")
    elif isl == "nearest" and n_usable < network.n_sats / 2:
        reasons.append(f"isl_max_range_km={network.isl_max_range_km:g} gives only {n_usable} "
                       "nearest-neighbour links at the first step")
    if isl == "none":
        reasons.append("isl='none': routes need a satellite both sites see, or a relay")
    why = f" ({'; '.join(reasons)})" if reasons else ""
    warnings.warn(f"{n_bad:,} of {reachable.size:,} (time, pair) rows have no route, in "
                  f"{int((bad_per_pair > 0).sum())} pairs{why}; e.g. {examples}. They are kept "
                  "with is_reachable=false and null delays (result.unreachable).",
                  UnreachableWarning, stacklevel=3)


__all__ = ["latency", "LatencyResult", "UnreachableWarning", "build_network"]
