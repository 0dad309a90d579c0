"""Route a network over time: chunks of time steps, in-process or in worker processes.

:func:`route_chunk` routes every pair at every step of one chunk (with the
meet-in-the-middle search of :mod:`.meeting` where it applies), and
:func:`route_over_time` splits the grid into chunks and merges their route tables.
Both halves of the worker pool live here: :class:`RoutingPool` in the parent, and
:func:`main`, which each worker (``python -m workbench.analyses.network.runner``) runs.

Each worker is ``python -m workbench.analyses.network.runner``: a plain subprocess (as
:mod:`workbench.orbits._sgp4_worker`), not ``multiprocessing``, so nothing re-imports the
caller's ``__main__`` (scripts need no ``if __name__ == "__main__"`` guard) and nothing
forks a parent that holds polars' threads. It imports only numpy, scipy and
this module, so it boots in well under a second; pools are started
before the parent propagates, so booting overlaps that work.

Protocol: pickles on stdin and stdout. ``("task", index, kwargs)`` runs
:func:`route_chunk(**kwargs)` and is answered
``("ok", index, result)`` or ``("error", index, traceback)``; ``None`` or end of input
ends the worker.
"""
from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy.sparse.csgraph import dijkstra

from ...orbits._subprocess_pool import SubprocessPool
from .graph import (
    LIMIT_MARGIN_FRAC,
    LIMIT_MARGIN_S,
    Progress,
    RouteTable,
    RoutingNetwork,
    _assign_roots,
    _search,
    ordered_paths,
    route_ends,
    step_graph,
    walk,
)
from .meeting import route_chunk_meet

PARALLEL_MIN_WORK = 20_000_000
"""Below this many (time step × route source × node) units (≈ 2 s of searching) the work
runs in-process: starting worker processes costs about a second."""
CHUNKS_PER_WORKER = 4

Method = Literal["auto", "single", "meet"]
"""Search strategy: ``"single"`` solves each pair from one endpoint (searches cut at the
previous step's distances when ``use_limits``); ``"meet"`` searches from both ends about
half way (:mod:`workbench.analyses.network.meeting`; networks without relays and fibre only);
``"auto"`` takes "meet" where it applies and limits are on. All give the same routes."""


def route_chunk(network: RoutingNetwork, r_km: np.ndarray, pair_a: np.ndarray,
                pair_b: np.ndarray, *, keep_paths: bool = True, use_limits: bool = True,
                method: Method = "auto") -> RouteTable:
    """Route every pair at every step of a chunk of positions.

    Parameters
    ----------
    network : RoutingNetwork
    r_km : ndarray (n_sats, n_steps, 3), ITRS km
    pair_a, pair_b : (n_pairs,) site indices (unordered pairs, a ≠ b, each once)
    keep_paths : record the node sequence of a pair whenever its route changes
    use_limits : stop searches early using the previous step's distances (exact either way)
    method : "auto", "single" or "meet" (see ``Method``)

    Returns
    -------
    RouteTable
        Every pair at every step of the chunk (see :class:`~.graph.RouteTable`); its
        path records only with ``keep_paths``.
    """
    simple = not network.sites.is_relay.any() and not len(network.fibre_edges)
    if method == "meet" or (method == "auto" and use_limits and simple):
        return route_chunk_meet(network, r_km, pair_a, pair_b, keep_paths=keep_paths)
    n, m = network.n_sats, network.n_sites
    n_nodes = network.n_nodes
    n_steps, n_pairs = r_km.shape[1], pair_a.size
    relay = network.sites.is_relay
    node_map = np.arange(n_nodes)
    node_map[n + m:] -= m  # out nodes fold onto their site's id
    out = {"dist_s": np.empty((n_steps, n_pairs)),
           "n_hops": np.empty((n_steps, n_pairs), np.int32),
           "n_isl_hops": np.empty((n_steps, n_pairs), np.int32),
           "fingerprint": np.empty((n_steps, n_pairs), np.uint64),
           "n_links": np.empty((n_steps, m), np.int32)}
    recs: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    prev_fp = prev_dist = root_is_a = None
    n_searches = 0
    endpoints = np.unique(np.concatenate([pair_a, pair_b]))
    for t in range(n_steps):  # a loop over time steps; everything inside is vectorised
        step = step_graph(network, r_km[:, t])
        out["n_links"][t] = step.n_links
        linked = (step.n_links[pair_a] > 0) & (step.n_links[pair_b] > 0)
        if root_is_a is None or not use_limits:
            # full searches from every endpoint; choose roots for the following steps
            dist, pred = dijkstra(step.graph, directed=True, indices=n + m + endpoints,
                                  return_predecessors=True)
            dist, pred = np.atleast_2d(dist), np.atleast_2d(pred)
            n_searches += endpoints.size
            row_of = np.full(m, -1)
            row_of[endpoints] = np.arange(endpoints.size)
            if use_limits:
                d_ab, _ = route_ends(step, dist, pred, row_of[pair_a], pair_b, n, relay)
                root_is_a = _assign_roots(d_ab, pair_a, pair_b, m)
            else:
                root_is_a = np.ones(n_pairs, bool)
            root_site = np.where(root_is_a, pair_a, pair_b)
            root_row = row_of[root_site]
        else:
            root_site = np.where(root_is_a, pair_a, pair_b)
            roots, root_row = np.unique(root_site, return_inverse=True)
            limits = np.zeros(roots.size)
            np.maximum.at(limits, root_row, np.where(np.isfinite(prev_dist), prev_dist, 0.0))
            # a pair unreachable last step but with links at both ends now: no estimate
            blind = np.zeros(roots.size, bool)
            np.logical_or.at(blind, root_row, ~np.isfinite(prev_dist) & linked)
            limits = np.where(blind, np.inf, limits * (1 + LIMIT_MARGIN_FRAC) + LIMIT_MARGIN_S)
            dist, pred = _search(step.graph, n + m + roots, limits, n_nodes)
            n_searches += roots.size
        other = np.where(root_is_a, pair_b, pair_a)
        d_end, last = route_ends(step, dist, pred, root_row, other, n, relay)
        if use_limits and t > 0:
            # a distance is proven only within the search's limit (beyond it, the minimum
            # over the links into the end site may miss the true last satellite): pairs
            # beyond it, or missed, although both ends have links, are searched again
            unproven = ~(d_end <= limits[root_row]) & linked
            redo = np.unique(root_row[unproven])
            redo = redo[np.isfinite(limits[redo])]
            if redo.size:
                d, p = dijkstra(step.graph, directed=True, indices=n + m + roots[redo],
                                return_predecessors=True)
                dist[redo], pred[redo] = np.atleast_2d(d), np.atleast_2d(p)
                n_searches += redo.size
                d_end, last = route_ends(step, dist, pred, root_row, other, n, relay)
        w = walk(pred, root_row, n + other, last, n_sats=n, node_map=node_map,
                 keep_nodes=keep_paths)
        out["dist_s"][t] = d_end
        out["n_hops"][t] = w.n_hops
        out["n_isl_hops"][t] = w.n_isl_hops
        out["fingerprint"][t] = w.fingerprint
        prev_dist = d_end
        if keep_paths:
            changed = np.isfinite(d_end)
            if prev_fp is not None:
                changed &= w.fingerprint != prev_fp
            sel = np.flatnonzero(changed)
            if sel.size:
                # walks run end → root: flip the routes whose root is a
                flat, offsets = ordered_paths(w.nodes[:, sel], w.n_hops[sel], root_is_a[sel])
                recs.append((t, sel, flat, offsets))
        prev_fp = w.fingerprint
    return RouteTable.from_arrays(out, n_searches, recs if keep_paths else None)


def default_workers(n_steps: int, n_roots: int, n_nodes: int) -> int:
    """Worker processes worth starting: 1 for small problems, else one per available CPU
    (at most 8)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    if n_steps * n_roots * n_nodes < PARALLEL_MIN_WORK or n_steps < 8:
        return 1
    return max(1, min(cpus, 8))


def route_over_time(network: RoutingNetwork, r_km: np.ndarray, pair_a: np.ndarray,
                    pair_b: np.ndarray, *, keep_paths: bool = True, use_limits: bool = True,
                    workers: int | None = None, progress: Progress | None = None,
                    pool=None) -> RouteTable:
    """:func:`route_chunk` over the whole grid, in time chunks, in parallel processes.

    ``workers=None`` picks 1 for small problems and the available cores otherwise; chunks
    are contiguous runs of time steps, each starting with full searches, so results do not
    depend on the number of workers. ``pool`` is an already started
    :class:`~workbench.analyses.network.runner.RoutingPool` (its size wins over
    ``workers``). Record steps are global step indices.
    """
    n_steps = r_km.shape[1]
    if pool is not None:
        workers = len(pool.processes)
    elif workers is None:
        workers = default_workers(n_steps, np.unique(np.r_[pair_a, pair_b]).size,
                                  network.n_nodes)
    workers = max(1, int(workers))
    n_chunks = 1 if workers == 1 else min(n_steps, workers * CHUNKS_PER_WORKER)
    bounds = np.linspace(0, n_steps, n_chunks + 1).round().astype(int)
    spans = [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]
    tasks = [{"network": network, "r_km": np.ascontiguousarray(r_km[:, lo:hi]),
              "pair_a": pair_a, "pair_b": pair_b, "keep_paths": keep_paths,
              "use_limits": use_limits} for lo, hi in spans]
    results: dict[int, RouteTable] = {}

    def done(index: int, result: RouteTable) -> None:
        results[index] = result
        if progress is not None:
            progress(len(results) / len(tasks), f"routed time chunk {len(results)}/"
                                                f"{len(tasks)}")

    if progress is not None:
        progress(0.0, f"routing {len(pair_a):,} pairs over {n_steps:,} steps")
    if workers == 1 or len(tasks) == 1:
        for index, task in enumerate(tasks):
            done(index, route_chunk(**task))
    else:
        own = pool is None
        pool = RoutingPool(min(workers, len(tasks))) if own else pool
        try:
            pool.run(tasks, done)
        finally:
            if own:
                pool.close()
    return RouteTable.concat([results[i] for i in range(len(tasks))],
                             [lo for lo, _ in spans])


# --------------------------------------------------------------------------- worker pool

class RoutingPool(SubprocessPool):
    """``n_workers`` routing processes; :meth:`run` hands out chunk tasks as they free up."""

    worker_name = "routing worker"
    single_process_hint = "latency(..., options={'workers': 1}) stays in one process"

    def __init__(self, n_workers: int):
        self.processes = []
        try:
            # one busy core per worker
            self._spawn("workbench.analyses.network.runner", n_workers, env_updates={
                var: "1" for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS")})
        except BaseException:
            self.close(kill=True)
            raise

    def run(self, tasks: list[dict], on_done: Callable[[int, RouteTable], None]) -> None:
        """Run every task (``route_chunk`` keyword arguments); ``on_done(index, result)``."""
        import selectors

        pending = list(reversed(range(len(tasks))))
        busy: dict[int, int] = {}
        with selectors.DefaultSelector() as selector:
            for process in self.processes:
                if pending:
                    index = pending.pop()
                    self._send(process, ("task", index, tasks[index]))
                    busy[process.pid] = index
                    selector.register(process.stdout, selectors.EVENT_READ, process)
            while busy:
                for key, _ in selector.select():
                    process = key.data
                    index = busy.pop(process.pid)
                    try:
                        reply = pickle.load(process.stdout)
                    except EOFError:
                        raise RuntimeError(
                            f"routing worker process {process.pid} ended (exit code "
                            f"{process.wait()}) while routing time chunk {index}; "
                            "latency(..., options={'workers': 1}) stays in one process") from None
                    if reply[0] != "ok":
                        raise RuntimeError(f"routing worker failed on time chunk {index}:\n"
                                           f"{reply[-1]}")
                    on_done(reply[1], reply[2])
                    if pending:
                        nxt = pending.pop()
                        self._send(process, ("task", nxt, tasks[nxt]))
                        busy[process.pid] = nxt
                    else:
                        selector.unregister(process.stdout)

    def __enter__(self) -> RoutingPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)


def main() -> None:
    """Serve tasks from stdin until it closes (see the module docstring)."""
    source = sys.stdin.buffer
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the pickle stream
    while True:
        try:
            message = pickle.load(source)
        except EOFError:
            break
        if message is None:
            break
        _, index, kwargs = message
        try:
            reply = ("ok", index, route_chunk(**kwargs))
        except BaseException:  # report, keep serving
            reply = ("error", index, traceback.format_exc())
        pickle.dump(reply, sink, protocol=pickle.HIGHEST_PROTOCOL)
        sink.flush()


__all__ = ["Method", "route_chunk", "route_over_time", "default_workers", "RoutingPool"]


if __name__ == "__main__":
    main()
