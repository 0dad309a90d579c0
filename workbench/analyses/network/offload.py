"""Compute placement: where should a ground user's job run — overhead, a few ISL hops away,
or in a ground data centre?

For each user site and time step, the round-trip time to four places:

a. ``overhead``: the nearest satellite in view (one ground-satellite link);
b. ``within_k_hops``: the best satellite with enough free compute whose shortest route
   from the user needs at most ``k_hops`` ISL hops;
c. ``ground_fibre``: the nearest ground data centre over terrestrial fibre;
d. ``ground_via_gateway``: a ground data centre reached through the constellation, down
   at a gateway, then over fibre (or directly, when the data centre itself has a
   terminal in view).
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl
from scipy.sparse.csgraph import dijkstra

from ...model.application import ComputeService
from ...model.constants import C_KM_PER_S
from ...model.errors import ModelError, Problem
from ...model.options import NetworkOptions, resolve_options
from ...model.scenario import Scenario
from ...orbits.geometry import OrbitGeometry, scenario_geometry
from ..summary_html import result_html
from .graph import Progress, ground_links, route_ends, step_graph, walk
from .links import fibre_delay_s, great_circle_km
from .roundtrip import UnreachableWarning, build_network

Option = Literal["overhead", "within_k_hops", "ground_fibre", "ground_via_gateway"]
OPTIONS: tuple[str, ...] = ("overhead", "within_k_hops", "ground_fibre", "ground_via_gateway")
OPTION_LABELS = {"overhead": "satellite overhead", "within_k_hops": "satellite within k hops",
                 "ground_fibre": "ground DC over fibre",
                 "ground_via_gateway": "ground DC via constellation + gateway"}


@dataclass(frozen=True)
class PlacementResult:
    """What :func:`placement` returns.

    Attributes
    ----------
    rtt : polars.DataFrame, one row per (time step, user, option):
        time_utc, user (str), option (enum of ``OPTIONS``), rtt_ms (f64, null when
        unreachable), is_reachable (bool), sat_id (u32: the serving satellite for the two
        satellite options, else null), datacenter (str, null for satellite options),
        n_isl_hops (u16, satellite-within-k option), is_best (bool: lowest RTT of the
        reachable options at that step; ties to the first option)
    by_option : polars.DataFrame, one row per (user, option): rtt_ms_p05, rtt_ms_p50,
        rtt_ms_p95, rtt_ms_mean (f64), reachable_frac, win_frac (f64: share of steps the
        option is best)
    info : dict (k_hops, demand_tops, free-compute assumption, …)
    summary : dict, the headline: n_users, n_steps, best_option (the option best most
        often over all users and steps), and per option ``win_frac_<option>`` and
        ``rtt_ms_p50_<option>`` (median over users)
    """

    rtt: pl.DataFrame
    by_option: pl.DataFrame
    info: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        """The result's frames by name."""
        return {"rtt": self.rtt, "by_option": self.by_option}

    def _repr_html_(self) -> str:
        return result_html("Compute placement", self.summary, self.frames)


def _free_tops(scenario: Scenario, free_tops: pl.DataFrame | float | None,
               utilisation_frac: float, grid, n_sats: int) -> tuple[np.ndarray, str]:
    """Free TOPS per (satellite, time step) and a sentence saying where it came from."""
    n_times = len(grid)
    if free_tops is None:
        value = scenario.payload.int8_tops * (1.0 - utilisation_frac)
        return (np.full((n_sats, n_times), value),
                f"every satellite: payload {scenario.payload.int8_tops:g} INT8 TOPS × "
                f"(1 − utilisation {utilisation_frac:g}) = {value:g} TOPS free")
    if isinstance(free_tops, (int, float)):
        return np.full((n_sats, n_times), float(free_tops)), f"{free_tops:g} TOPS everywhere"
    if not isinstance(free_tops, pl.DataFrame) or not {"sat_id", "free_tops"} <= set(
            free_tops.columns):
        raise ModelError("placement", [Problem(
            "free_tops", type(free_tops).__name__, "a number of TOPS, or a frame with columns "
            "sat_id, free_tops and optionally time_utc (e.g. from the capacity analysis)")])
    out = np.zeros((n_sats, n_times))
    ids = free_tops["sat_id"].cast(pl.Int64).to_numpy()
    vals = free_tops["free_tops"].cast(pl.Float64).to_numpy()
    ok = (ids >= 0) & (ids < n_sats)
    if "time_utc" in free_tops.columns:
        offsets = ((free_tops["time_utc"].dt.epoch("us").to_numpy()
                    - int(grid.start.timestamp() * 1e6)) / 1e6)
        step = np.rint(offsets / grid.step_s).astype(np.int64)
        ok &= (step >= 0) & (step < n_times)
        out[ids[ok], step[ok]] = vals[ok]
    else:
        out[ids[ok]] = vals[ok][:, None]
    return out, "from the free_tops frame given (satellites or steps missing from it: 0)"


def placement(scenario: Scenario, users: Sequence[str] | None = None, *,
              datacenters: Sequence[str] | None = None, gateways: Sequence[str] | None = None,
              free_tops: pl.DataFrame | float | None = None,
              options: NetworkOptions | Mapping[str, Any] | None = None,
              geometry: OrbitGeometry | None = None,
              progress: Progress | None = None) -> PlacementResult:
    """Round-trip times from ground users to compute in orbit and on the ground, over time.

    Parameters
    ----------
    scenario : Scenario
    users : site names of the users (default: sites with role "user")
    datacenters, gateways : site names (default: sites with role "datacenter" / "gateway")
    free_tops : free compute per satellite: None assumes every satellite offers its
        payload's INT8 TOPS × (1 − ``options.utilisation_frac``); a number of TOPS for all;
        or a frame (sat_id, free_tops[, time_utc]) such as a capacity analysis produces
    options : NetworkOptions or a mapping of its fields, optional
        Default ``scenario.options.network``: the network as in
        :func:`workbench.analyses.latency` (``isl``, ``seam``, ``isl_max_range_km``,
        ``min_elevation_deg``, ``fibre_detour_factor``, ``hop_delay_ms``), and ``k_hops``
        (most ISL hops to a satellite with free compute, option b), ``demand_tops`` (None:
        the ComputeService ``demand_tops_per_user``, 1 TOPS without one),
        ``utilisation_frac`` (share of the payload busy with other work).
    geometry : OrbitGeometry, optional
        The scenario's propagation, shared with the other analyses; None propagates here.
    progress : optional callback ``progress(fraction_done, message)``

    Returns
    -------
    PlacementResult
        ``rtt`` and ``summary`` frames (schemas in :class:`PlacementResult`). Options
        without a route at a step (no satellite in view, no data centre in the scenario)
        are explicit rows with ``is_reachable = false``, and an
        :class:`~workbench.analyses.network.roundtrip.UnreachableWarning` says so.

    Notes
    -----
    Same network as :func:`~workbench.analyses.network.roundtrip.latency` (shortest paths by
    propagation delay, c in vacuum, c/1.468 in fibre). (a) is 2 × the slant range to the
    closest satellite in view / c. (b) searches (Dijkstra) from the user over the whole
    network and keeps satellites with ``free ≥ demand`` reached in ≤ ``k_hops`` ISL
    hops. (c) is 2 × great circle × detour / (c/1.468) to the nearest data centre. (d) is
    2 × min over gateways g and data centres d of (space route user → g + fibre g → d),
    or the space route user → d when d has a terminal in view. Processing time is not
    included: this compares where the network puts the compute.
    """
    opts = resolve_options(NetworkOptions, options, scenario.options.network)
    k_hops, demand_tops = opts.k_hops, opts.demand_tops
    utilisation_frac, fibre_detour_factor = opts.utilisation_frac, opts.fibre_detour_factor
    by_role = {role: [s.name for s in scenario.ground.sites if s.role == role]
               for role in ("user", "gateway", "datacenter")}
    names = {s.name: s for s in scenario.ground.sites}
    users = list(dict.fromkeys(users)) if users is not None else by_role["user"]
    datacenters = list(datacenters) if datacenters is not None else by_role["datacenter"]
    gateways = list(gateways) if gateways is not None else by_role["gateway"]
    problems = [Problem(field, name, f"not a site of the scenario; sites: {sorted(names)}")
                for field, group in (("users", users), ("datacenters", datacenters),
                                     ("gateways", gateways)) for name in group
                if name not in names]
    if not users:
        problems.append(Problem("users", users, "name at least one user site (or give the "
                                                "scenario sites with role 'user')"))
    if problems:
        raise ModelError("placement", problems)
    if demand_tops is None:
        services = [a for a in scenario.applications if isinstance(a, ComputeService)]
        demand_tops = services[0].demand_tops_per_user if services else 1.0

    site_names = list(dict.fromkeys([*users, *gateways, *datacenters]))
    site_list = [names[n] for n in site_names]
    index = {n: i for i, n in enumerate(site_names)}
    grid = scenario.time_grid
    geometry = scenario_geometry(scenario, geometry, progress=progress)
    network = build_network(scenario, site_list, opts, fibre="none", geometry=geometry)
    positions_km = geometry.r_itrs_km
    n, m = network.n_sats, network.n_sites
    n_times = positions_km.shape[1]
    free, free_note = _free_tops(scenario, free_tops, utilisation_frac, grid, n)

    u_idx = np.arange(len(users))  # users come first in site_names
    g_idx = np.array([index[g] for g in gateways], dtype=np.int64)
    d_idx = np.array([index[d] for d in datacenters], dtype=np.int64)
    lat, lon = network.sites.lat_deg, network.sites.lon_deg
    # fibre user → DC (c), gateway → DC (d): static
    fib_ud = fibre_delay_s(great_circle_km(lat[u_idx][:, None], lon[u_idx][:, None],
                                           lat[d_idx][None, :], lon[d_idx][None, :]),
                           detour_factor=fibre_detour_factor)
    fib_gd = fibre_delay_s(great_circle_km(lat[g_idx][:, None], lon[g_idx][:, None],
                                           lat[d_idx][None, :], lon[d_idx][None, :]),
                           detour_factor=fibre_detour_factor)
    n_u = u_idx.size
    shape = (n_times, n_u)
    out = {key: np.full(shape, np.inf) for key in OPTIONS}
    sat_a = np.full(shape, -1)
    sat_b = np.full(shape, -1)
    hops_b = np.full(shape, -1)
    dc_c = np.full(shape, -1)
    dc_d = np.full(shape, -1)
    if d_idx.size:
        best_c = fib_ud.argmin(axis=1)
        out["ground_fibre"][:] = fib_ud[np.arange(n_u), best_c]
        dc_c[:] = best_c
    hop_s = network.hop_delay_s
    sat_ids = np.arange(n)
    for t in range(n_times):  # a loop over time steps; users and satellites vectorised
        r_t = positions_km[:, t]
        step = step_graph(network, r_t)
        # (a) the closest satellite in view: one ground-satellite link
        site, sat, rng = ground_links(r_t, network.sites)
        mine = site < n_u  # users are the first sites of the network
        if mine.any():
            row = site[mine]
            delay = rng[mine] / C_KM_PER_S + hop_s
            order = np.lexsort((delay, row))
            first = np.r_[True, row[order][1:] != row[order][:-1]]
            best_rows, best = row[order][first], order[first]
            out["overhead"][t, best_rows] = delay[best]
            sat_a[t, best_rows] = sat[mine][best]
        # searches from every user
        dist, pred = dijkstra(step.graph, directed=True, indices=n + m + u_idx,
                              return_predecessors=True)
        dist, pred = np.atleast_2d(dist), np.atleast_2d(pred)
        # (b) satellites with free compute within k ISL hops
        root_row = np.repeat(np.arange(n_u), n)
        end = np.tile(sat_ids, n_u)
        last = np.where(np.isfinite(dist[root_row, end]), pred[root_row, end], -1)
        w = walk(pred, root_row, end, last.astype(np.int64), n_sats=n, keep_nodes=False)
        d_sat = dist[:, :n]
        ok = (np.isfinite(d_sat) & (free[:, t][None, :] >= demand_tops)
              & (w.n_isl_hops.reshape(n_u, n) <= k_hops))
        masked = np.where(ok, d_sat, np.inf)
        pick = masked.argmin(axis=1)
        out["within_k_hops"][t] = masked[np.arange(n_u), pick]
        sat_b[t] = np.where(np.isfinite(out["within_k_hops"][t]), pick, -1)
        hops_b[t] = w.n_isl_hops.reshape(n_u, n)[np.arange(n_u), pick]
        # (d) via gateways then fibre, or straight down at a data centre with a terminal
        if d_idx.size:
            cand = np.full((n_u, d_idx.size), np.inf)
            if g_idx.size:
                rr = np.repeat(np.arange(n_u), g_idx.size)
                d_g, _ = route_ends(step, dist, pred, rr, np.tile(g_idx, n_u), n,
                                    network.sites.is_relay)
                d_g = d_g.reshape(n_u, g_idx.size)
                cand = np.minimum(cand, (d_g[:, :, None] + fib_gd[None]).min(axis=1))
            rr = np.repeat(np.arange(n_u), d_idx.size)
            d_d, _ = route_ends(step, dist, pred, rr, np.tile(d_idx, n_u), n,
                                network.sites.is_relay)
            cand = np.minimum(cand, d_d.reshape(n_u, d_idx.size))
            out["ground_via_gateway"][t] = cand.min(axis=1)
            dc_d[t] = np.where(np.isfinite(cand.min(axis=1)), cand.argmin(axis=1), -1)
        if progress is not None and (t % 50 == 0 or t == n_times - 1):
            progress((t + 1) / n_times, f"placement step {t + 1}/{n_times}")

    rtt = _frame(grid, users, datacenters, out, sat_a, sat_b, hops_b, dc_c, dc_d)
    summary = _summary(rtt)
    bad = rtt.filter(~pl.col("is_reachable"))
    if len(bad):
        counts = bad.group_by("option").len().sort("option")
        detail = ", ".join(f"{r['option']}: {r['len']}" for r in counts.iter_rows(named=True))
        hint = "" if datacenters else " (the scenario has no data-centre sites)"
        warnings.warn(f"placement: {len(bad):,} of {len(rtt):,} (time, user, option) rows have "
                      f"no route — {detail}{hint}. They are kept with is_reachable=false.",
                      UnreachableWarning, stacklevel=2)
    info = {"k_hops": k_hops, "demand_tops": demand_tops, "free_tops": free_note,
            "users": users, "gateways": gateways, "datacenters": datacenters,
            "n_steps": n_times}
    return PlacementResult(rtt=rtt, by_option=summary, info=info,
                           summary=_headline(summary, len(users), n_times))


def _headline(by_option: pl.DataFrame, n_users: int, n_steps: int) -> dict[str, Any]:
    """The flat summary of a placement run (see :class:`PlacementResult`)."""
    per = by_option.group_by("option").agg(pl.col("win_frac").mean(),
                                           pl.col("rtt_ms_p50").median())
    win = {str(o): float(w) for o, w in zip(per["option"], per["win_frac"], strict=True)}
    rtt = {str(o): v for o, v in zip(per["option"], per["rtt_ms_p50"], strict=True)}
    out: dict[str, Any] = {"n_users": n_users, "n_steps": n_steps,
                           "best_option": max(OPTIONS, key=lambda o: win.get(o, 0.0))}
    for option in OPTIONS:
        out[f"win_frac_{option}"] = win.get(option, 0.0)
        value = rtt.get(option)
        out[f"rtt_ms_p50_{option}"] = float("nan") if value is None else float(value)
    return out


def _frame(grid, users, datacenters, out, sat_a, sat_b, hops_b, dc_c, dc_d) -> pl.DataFrame:
    n_times, n_u = sat_a.shape
    option_enum = pl.Enum(list(OPTIONS))
    dcs = np.array(list(datacenters) + [None], dtype=object)
    parts = []
    for option in OPTIONS:  # four options
        delay = out[option]
        sat = {"overhead": sat_a, "within_k_hops": sat_b}.get(option)
        dc = {"ground_fibre": dc_c, "ground_via_gateway": dc_d}.get(option)
        parts.append(pl.DataFrame({
            "time_utc": grid.times_utc.gather(np.repeat(np.arange(n_times), n_u)),
            "user": np.tile(np.array(users, dtype=object), n_times).tolist(),
            "option": pl.Series([option] * (n_times * n_u), dtype=option_enum),
            "rtt_ms": np.where(np.isfinite(delay), 2000.0 * delay, np.nan).ravel(),
            "is_reachable": np.isfinite(delay).ravel(),
            "sat_id": pl.Series((sat if sat is not None else np.full(delay.shape, -1)).ravel(),
                                dtype=pl.Int64),
            "datacenter": pl.Series(dcs[(dc if dc is not None else np.full(delay.shape, -1))
                                        .ravel()].tolist(), dtype=pl.String),
            "n_isl_hops": pl.Series((hops_b if option == "within_k_hops"
                                     else np.full(delay.shape, -1)).ravel(), dtype=pl.Int64),
        }))
    frame = pl.concat(parts).with_columns(
        pl.col("rtt_ms").fill_nan(None),
        pl.when(pl.col("sat_id") >= 0).then(pl.col("sat_id")).cast(pl.UInt32),
        pl.when((pl.col("n_isl_hops") >= 0) & pl.col("is_reachable"))
        .then(pl.col("n_isl_hops")).cast(pl.UInt16),
    ).sort("time_utc", "user", "option")
    best = (frame.filter(pl.col("is_reachable"))
            .sort("time_utc", "user", "rtt_ms", "option")
            .group_by("time_utc", "user", maintain_order=True).first()
            .select("time_utc", "user", "option", is_best=pl.lit(True)))
    return frame.join(best, on=["time_utc", "user", "option"], how="left").with_columns(
        pl.col("is_best").fill_null(False))


def _summary(rtt: pl.DataFrame) -> pl.DataFrame:
    return (rtt.group_by("user", "option").agg(
        rtt_ms_p05=pl.col("rtt_ms").quantile(0.05, "linear"),
        rtt_ms_p50=pl.col("rtt_ms").quantile(0.5, "linear"),
        rtt_ms_p95=pl.col("rtt_ms").quantile(0.95, "linear"),
        rtt_ms_mean=pl.col("rtt_ms").mean(),
        reachable_frac=pl.col("is_reachable").mean(),
        win_frac=pl.col("is_best").mean())
        .sort("user", "option"))


__all__ = ["placement", "PlacementResult", "OPTIONS", "OPTION_LABELS", "Option"]
