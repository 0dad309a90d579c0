"""Shortest paths over the time-varying satellite network, one sparse graph per time step.

Nodes: satellites ``0 … n_sats-1``; each ground site ``i`` has an *in* node
``n_sats + i`` (where routes end, and, for relays, pass through) and an *out* node
``n_sats + n_sites + i`` (where routes start). Links: ISLs both ways; a visible satellite
→ the site's in node and the site's out node → the satellite; fibre out → in between
sites. Only a relay's in node has links leaving it, so a route can transit a ground site
only when the site is a relay. Weights are one-way delays in seconds (distance / c, fibre
at c / 1.468, plus an optional per-link processing delay).

Per step the kernel builds a CSR matrix and runs ``scipy.sparse.csgraph.dijkstra`` from
the route sources; distances, hop counts and a path fingerprint for every pair come from
walking the predecessor rows for all pairs at once (one numpy step per hop, not per pair).

Why it is fast (Starlink S1 and 100 cities: 1,441 steps in ≈ 15 s on 2 cores, ≈ 35–40×
a networkx loop; ``benchmarks/latency.py``):

- pairs are undirected, and searches are cut (scipy's ``limit``) using the previous
  step's distances, in 16 batches of similar limits. Without relays and fibre (the
  Hypatia set-up) each site searches only about half way and routes are joined where the
  searches meet (:mod:`workbench.analyses.network.meeting`): ≈ 30 % of the network is settled
  per search instead of all of it. Otherwise each pair is solved from one endpoint (the
  one whose farthest partner is farther) with the search cut at 1.02 × the previous
  distance + 0.5 ms. Any pair whose distance cannot be proven within the limits is
  searched again in full, so results are exact (tests compare with networkx and with
  unlimited searches);
- the in nodes of non-relay sites are pure sinks: they are left out of the graph and the
  distance to them is a minimum over their incoming links after the search;
- time chunks run in worker processes (``_routing_worker``) that boot while the parent
  propagates.

The searches (scipy's Fibonacci-heap Dijkstra, ≈ 0.1 µs per settled node) still dominate;
graph building, route ends and the hop walk are ≈ 5 ms a step.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ...model.options import IslTopology
from .links import (
    C_KM_PER_S,
    MIN_GRAZING_ALTITUDE_KM,
    R_EARTH_KM,
    SiteGeometry,
    ground_links,
    line_of_sight,
    nearest_neighbour_edges,
)

Progress = Callable[[float, str], None]
"""``progress(fraction_done, message)``."""

MIN_WEIGHT_S = 1e-12
"""Floor of a link weight: csgraph treats a zero weight as no link."""
LIMIT_MARGIN_FRAC = 0.02
"""Search limit: this much more than the previous step's longest distance, plus…"""
LIMIT_MARGIN_S = 5e-4
"""…this (s). Pairs missed within the limit are searched again in full."""
N_LIMIT_BUCKETS = 16
"""Searches per step are grouped into this many scipy calls of similar limits."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


# --------------------------------------------------------------------------- the graph

@dataclass(frozen=True)
class RoutingNetwork:
    """Everything but the satellite positions that defines the graph at a time step."""

    n_sats: int
    sites: SiteGeometry
    isl: IslTopology | Literal["links"] = "+grid"
    """``"links"``: the fixed ``isl_edges`` of an explicit link list (used like +Grid's)."""
    isl_edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    isl_max_range_km: float = math.inf
    n_isl_terminals: int = 4
    min_grazing_altitude_km: float = MIN_GRAZING_ALTITUDE_KM
    fibre_edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    fibre_delay_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hop_delay_s: float = 0.0

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    @property
    def n_nodes(self) -> int:
        return self.n_sats + 2 * self.n_sites


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    z = x.astype(np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def isl_links(network: RoutingNetwork, r_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ISLs usable at one instant: ``(edges (n, 2), length_km (n,))``.

    +Grid links drop out when longer than the laser's range or when the line of sight
    dips below the grazing altitude; nearest-neighbour links are rebuilt each step.
    """
    if network.isl == "none":
        return np.zeros((0, 2), np.int64), np.zeros(0)
    if network.isl == "nearest":
        edges = nearest_neighbour_edges(r_km, n_terminals=network.n_isl_terminals,
                                        max_range_km=network.isl_max_range_km,
                                        min_altitude_km=network.min_grazing_altitude_km)
        return edges, np.linalg.norm(r_km[edges[:, 0]] - r_km[edges[:, 1]], axis=-1)
    edges = network.isl_edges
    ra, rb = r_km[edges[:, 0]], r_km[edges[:, 1]]
    length = np.linalg.norm(ra - rb, axis=-1)
    ok = (length <= network.isl_max_range_km) & line_of_sight(
        ra, rb, min_altitude_km=network.min_grazing_altitude_km)
    return edges[ok], length[ok]


@dataclass
class StepGraph:
    """The routing graph at one instant.

    graph : csr_matrix (n_nodes, n_nodes) of one-way delays (s), without the links into
    the in nodes of non-relay sites: those nodes are pure sinks, so the distance to them
    is resolved after the search as a minimum over their incoming links (``sink_*``,
    sorted by site) — the same result, and a smaller graph for Dijkstra.
    n_links : (n_sites,) ground-satellite plus fibre links of each site.
    """

    graph: csr_matrix
    sink_from: np.ndarray
    sink_site: np.ndarray
    sink_weight: np.ndarray
    sink_start: np.ndarray
    n_links: np.ndarray


def step_graph(network: RoutingNetwork, r_km: np.ndarray) -> StepGraph:
    """The routing graph at one instant (see the module docstring for its nodes).

    Parameters
    ----------
    network : RoutingNetwork
    r_km : ndarray (n_sats, 3), ITRS km
    """
    n, m = network.n_sats, network.n_sites
    hop = network.hop_delay_s
    edges, length = isl_links(network, r_km)
    w_isl = length / C_KM_PER_S + hop
    site, sat, rng = ground_links(r_km, network.sites)
    w_gsl = rng / C_KM_PER_S + hop
    relay = network.sites.is_relay
    # (from, to, weight) of every directed link; "to" may be an in node (n + site)
    rows = [edges[:, 0], edges[:, 1], sat, n + m + site, n + site[relay[site]]]
    cols = [edges[:, 1], edges[:, 0], n + site, sat, sat[relay[site]]]
    data = [w_isl, w_isl, w_gsl, w_gsl, w_gsl[relay[site]]]
    fe = network.fibre_edges
    n_links = np.bincount(site, minlength=m)
    if len(fe):
        wf = network.fibre_delay_s + hop
        a, b = fe[:, 0], fe[:, 1]
        ra, rb = relay[a], relay[b]
        rows += [n + m + a, n + m + b, n + a[ra], n + b[rb]]
        cols += [n + b, n + a, n + b[ra], n + a[rb]]
        data += [wf, wf, wf[ra], wf[rb]]
        n_links = n_links + np.bincount(a, minlength=m) + np.bincount(b, minlength=m)
    rows_all, cols_all = np.concatenate(rows), np.concatenate(cols)
    data_all = np.maximum(np.concatenate(data), MIN_WEIGHT_S)
    into_site = (cols_all >= n) & (cols_all < n + m)
    is_sink = np.zeros(cols_all.size, bool)
    is_sink[into_site] = ~relay[cols_all[into_site] - n]
    keep = ~is_sink
    graph = csr_matrix((data_all[keep], (rows_all[keep], cols_all[keep])),
                       shape=(network.n_nodes, network.n_nodes))
    sink_site = cols_all[is_sink] - n
    order = np.argsort(sink_site, kind="stable")
    sink_site = sink_site[order]
    return StepGraph(graph=graph, sink_from=rows_all[is_sink][order], sink_site=sink_site,
                     sink_weight=data_all[is_sink][order],
                     sink_start=np.searchsorted(sink_site, np.arange(m + 1)), n_links=n_links)


def route_ends(step: StepGraph, dist: np.ndarray, pred: np.ndarray, root_row: np.ndarray,
               site: np.ndarray, n_sats: int, relay: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Distance to each route's end site and the node before it, after the searches.

    For relay sites both come from the search (their in node is in the graph); for the
    others, as the minimum over the links into the site of dist[from] + weight.
    Returns (dist (n,), last_hop (n,) int64, −1 when unreachable).
    """
    n_nodes = dist.shape[1]
    d_end = np.full(site.size, np.inf)
    last = np.full(site.size, -1, np.int64)
    is_relay = relay[site]
    if is_relay.any():
        k = np.flatnonzero(is_relay)
        d_end[k] = dist[root_row[k], n_sats + site[k]]
        last[k] = pred[root_row[k], n_sats + site[k]]
    k = np.flatnonzero(~is_relay)
    counts = (step.sink_start[site[k] + 1] - step.sink_start[site[k]])
    has = counts > 0
    k, counts = k[has], counts[has]
    if k.size:
        seg = np.r_[0, np.cumsum(counts)[:-1]]
        route = np.repeat(np.arange(k.size), counts)
        edge = np.repeat(step.sink_start[site[k]] - seg, counts) + np.arange(counts.sum())
        values = dist.ravel()[root_row[k][route] * n_nodes + step.sink_from[edge]] + \
            step.sink_weight[edge]
        best = np.minimum.reduceat(values, seg)
        hit = values == np.repeat(best, counts)
        first = np.minimum.reduceat(np.where(hit, np.arange(values.size), values.size), seg)
        ok = np.isfinite(best)
        d_end[k[ok]] = best[ok]
        last[k[ok]] = step.sink_from[edge[first[ok]]]
    return d_end, last


# --------------------------------------------------------------------------- path walking

@dataclass
class Walk:
    """Result of walking predecessor rows for a batch of routes.

    n_hops, n_isl_hops : (n,) int32 links on the route (0 when unreachable);
    fingerprint : (n,) uint64, order-independent hash of the route's links (0 when
    unreachable); nodes : (max_len, n) int64 node ids from the end back to the root
    (−1 pad), or None.
    """

    n_hops: np.ndarray
    n_isl_hops: np.ndarray
    fingerprint: np.ndarray
    nodes: np.ndarray | None


def walk(pred: np.ndarray, root_row: np.ndarray, end: np.ndarray, last: np.ndarray, *,
         n_sats: int, node_map: np.ndarray | None = None, keep_nodes: bool = True) -> Walk:
    """Follow predecessors from every route's end back to its root, all routes at once.

    Parameters
    ----------
    pred : (n_roots, n_nodes) from ``dijkstra(..., return_predecessors=True)``
    root_row : (n,) row of each route's root
    end : (n,) node where each route ends; last : (n,) the node before it (−1: no route)
    n_sats : nodes below this are satellites (for counting ISL hops)
    node_map : optional (n_nodes,) map applied to node ids before hashing and recording
        (folds a site's in and out nodes into one id)
    """
    n = end.size
    n_nodes = pred.shape[1]
    flat_pred = pred.ravel()
    mapped = (lambda x: node_map[x]) if node_map is not None else (lambda x: x)
    n_hops = np.zeros(n, np.int32)
    n_isl = np.zeros(n, np.int32)
    fp = np.zeros(n, np.uint64)
    active = np.flatnonzero(last >= 0)
    cur = end[active].astype(np.int64)
    prev = last[active].astype(np.int64)
    base = root_row[active].astype(np.int64) * n_nodes
    buf = np.full((64, n), -1, np.int64) if keep_nodes else None
    if keep_nodes:
        buf[0, active] = mapped(cur)
    key_scale = np.uint64(n_nodes + 1)
    k = 1
    while active.size:  # one step per hop, all routes at once
        a, b = mapped(prev), mapped(cur)
        fp[active] += _splitmix64(np.minimum(a, b).astype(np.uint64) * key_scale
                                  + np.maximum(a, b).astype(np.uint64))
        n_hops[active] += 1
        n_isl[active] += (prev < n_sats) & (cur < n_sats)
        if keep_nodes:
            if k >= buf.shape[0]:
                buf = np.concatenate([buf, np.full_like(buf, -1)])
            buf[k, active] = a
        k += 1
        cur = prev
        prev = flat_pred[base + cur].astype(np.int64)
        go = prev >= 0
        if not go.all():
            active, cur, prev, base = active[go], cur[go], prev[go], base[go]
    return Walk(n_hops, n_isl, fp, buf[:k] if keep_nodes else None)


def ordered_paths(nodes: np.ndarray, n_hops: np.ndarray, reverse: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Ragged node sequences from a (max_len, n) walk buffer.

    ``reverse[j]`` flips route j (walks run end → root). Returns (flat node ids, offsets
    of length n + 1).
    """
    lengths = np.where(n_hops > 0, n_hops + 1, 0).astype(np.int64)
    max_len = nodes.shape[0]
    j = np.arange(max_len)[None, :]
    take = np.where(reverse[:, None], lengths[:, None] - 1 - j, j)
    valid = j < lengths[:, None]
    gathered = np.take_along_axis(nodes.T, np.clip(take, 0, max_len - 1), axis=1)
    offsets = np.r_[0, np.cumsum(lengths)]
    return gathered[valid], offsets


def shortest_paths(graph, sources: np.ndarray, targets: np.ndarray, *, n_sats: int = 0
                   ) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """Shortest routes from each ``sources[k]`` to ``targets[k]`` in a sparse graph.

    Returns
    -------
    dist : (n,) float (inf when unreachable), n_hops : (n,) int32,
    paths : list of node lists, source first ([] when unreachable)

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.sparse import csr_matrix
    >>> g = csr_matrix(np.array([[0, 1.0, 5.0], [0, 0, 1.0], [0, 0, 0]]))
    >>> dist, hops, paths = shortest_paths(g, np.array([0]), np.array([2]))
    >>> float(dist[0]), int(hops[0]), paths[0]
    (2.0, 2, [0, 1, 2])
    """
    sources = np.asarray(sources, np.int64)
    targets = np.asarray(targets, np.int64)
    roots, root_row = np.unique(sources, return_inverse=True)
    dist, pred = dijkstra(graph, directed=True, indices=roots, return_predecessors=True)
    dist, pred = np.atleast_2d(dist), np.atleast_2d(pred)
    d = dist[root_row, targets]
    last = np.where(np.isfinite(d), pred[root_row, targets], -1).astype(np.int64)
    w = walk(pred, root_row, targets, last, n_sats=n_sats)
    flat, offsets = ordered_paths(w.nodes, w.n_hops, np.ones(targets.size, bool))
    paths = [flat[offsets[i]:offsets[i + 1]].tolist() for i in range(targets.size)]
    paths = [[int(sources[i])] if sources[i] == targets[i] else p
             for i, p in enumerate(paths)]
    return d, w.n_hops, paths


# --------------------------------------------------------------------------- the chunk kernel

def _assign_roots(d0: np.ndarray, pair_a: np.ndarray, pair_b: np.ndarray, n_sites: int
                  ) -> np.ndarray:
    """Which endpoint solves each pair: the one whose farthest partner is farther.

    Sites far from everyone (eccentric ones) then take all their pairs, and the searches
    of the others can stop early. Returns True where ``pair_a`` is the root.
    """
    finite = np.where(np.isfinite(d0), d0, 0.0)
    ecc = np.zeros(n_sites)
    np.maximum.at(ecc, pair_a, finite)
    np.maximum.at(ecc, pair_b, finite)
    return (ecc[pair_a] >= ecc[pair_b]) | ~np.isfinite(d0)


def _search(graph, roots: np.ndarray, limits: np.ndarray, n_nodes: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Dijkstra from ``roots`` with per-root limits, batched into a few calls."""
    dist = np.empty((roots.size, n_nodes))
    pred = np.empty((roots.size, n_nodes), np.int32)
    order = np.argsort(limits, kind="stable")
    finite = np.isfinite(limits[order])
    batches = np.array_split(order[finite], min(N_LIMIT_BUCKETS, int(finite.sum())) or 1)
    batches.append(order[~finite])
    for batch in batches:
        if batch.size == 0:
            continue
        limit = float(limits[batch].max())
        d, p = dijkstra(graph, directed=True, indices=roots[batch], return_predecessors=True,
                        limit=limit)
        dist[batch], pred[batch] = d, p
    return dist, pred




# --------------------------------------------------------------------------- route tables

@dataclass(frozen=True, eq=False)
class RouteTable:
    """Routes of every pair at every step of a run (or of one time chunk of it).

    Attributes
    ----------
    dist_s : ndarray (n_steps, n_pairs) of float64
        One-way delay of the shortest route, s (inf when unreachable).
    n_hops, n_isl_hops : ndarray (n_steps, n_pairs) of int
        Links on the route (ground links included) and ISLs among them.
    fingerprint : ndarray (n_steps, n_pairs) of uint64
        A hash of the route's links: equal fingerprints, same route.
    n_links : ndarray (n_steps, n_sites) of int
        Ground-satellite plus fibre links of each site.
    n_searches : int
        Single-source searches run.
    rec_step, rec_pair, rec_offsets, rec_nodes : ndarray or None
        With kept paths: one record per (step, pair) whose route differs from the previous
        step's (every reachable pair at a chunk's first step): its step, pair index, and
        node ids (``rec_nodes[rec_offsets[k]:rec_offsets[k + 1]]``, a → b, sites as
        ``n_sats + site``). None when paths were not kept.
    """

    dist_s: np.ndarray
    n_hops: np.ndarray
    n_isl_hops: np.ndarray
    fingerprint: np.ndarray
    n_links: np.ndarray
    n_searches: int
    rec_step: np.ndarray | None = None
    rec_pair: np.ndarray | None = None
    rec_offsets: np.ndarray | None = None
    rec_nodes: np.ndarray | None = None

    @property
    def has_paths(self) -> bool:
        return self.rec_nodes is not None

    @classmethod
    def from_arrays(cls, out: dict[str, np.ndarray], n_searches: int,
                    records: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] | None
                    ) -> RouteTable:
        """A table from a kernel's per-step arrays and its path records (step, pair
        indices, flat node ids, offsets), None when paths are not kept."""
        paths = {}
        if records is not None:
            recs = records
            empty = np.zeros(0, np.int64)
            lengths = np.concatenate([np.diff(r[3]) for r in recs]) if recs else empty
            paths = {
                "rec_step": (np.concatenate([np.full(r[1].size, r[0]) for r in recs])
                             if recs else empty),
                "rec_pair": np.concatenate([r[1] for r in recs]) if recs else empty,
                "rec_offsets": np.r_[0, np.cumsum(lengths)],
                "rec_nodes": (np.concatenate([r[2] for r in recs]) if recs
                              else empty).astype(np.int32)}
        return cls(dist_s=out["dist_s"], n_hops=out["n_hops"], n_isl_hops=out["n_isl_hops"],
                   fingerprint=out["fingerprint"], n_links=out["n_links"],
                   n_searches=int(n_searches), **paths)

    @classmethod
    def concat(cls, tables: list[RouteTable], first_steps: list[int]) -> RouteTable:
        """Chunks in time order into one table (record steps made global)."""
        arrays = {key: np.concatenate([getattr(t, key) for t in tables])
                  for key in ("dist_s", "n_hops", "n_isl_hops", "fingerprint", "n_links")}
        paths = {}
        if all(t.has_paths for t in tables):
            lengths = np.concatenate([np.diff(t.rec_offsets) for t in tables])
            paths = {"rec_step": np.concatenate([t.rec_step + s for t, s in
                                                 zip(tables, first_steps, strict=True)]),
                     "rec_pair": np.concatenate([t.rec_pair for t in tables]),
                     "rec_nodes": np.concatenate([t.rec_nodes for t in tables]),
                     "rec_offsets": np.r_[0, np.cumsum(lengths)]}
        return cls(**arrays, n_searches=sum(t.n_searches for t in tables), **paths)


__all__ = ["RouteTable", "RoutingNetwork", "SiteGeometry", "IslTopology", "Progress", "step_graph",
           "isl_links", "walk", "Walk", "ordered_paths", "shortest_paths", "StepGraph",
           "route_ends", "C_KM_PER_S", "R_EARTH_KM", "MIN_GRAZING_ALTITUDE_KM",
           "LIMIT_MARGIN_FRAC", "LIMIT_MARGIN_S", "N_LIMIT_BUCKETS"]
