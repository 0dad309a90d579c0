"""The ISL fabric the scheduler routes over: +Grid neighbours from the network wing
(:func:`~workbench.analyses.network.topology.plus_grid`), the satellites within k hops of
each satellite with one shortest path to each, and the per-step hop delays.

Everything is an array over satellites; loops run over hops (at most ``k``), never over
satellites.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...model.constants import C_KM_PER_S
from ...model.scenario import Scenario
from ..network.topology import plus_grid

NO_SAT = -1
"""Padding of the satellite tables: no satellite."""


@dataclass(frozen=True)
class Fabric:
    """Who is within reach of whom over the ISLs.

    Attributes
    ----------
    neighbours : ndarray (n_sats, 4) of int
        +Grid neighbours, ``NO_SAT`` where a terminal has no link.
    ahead : ndarray (n_sats,) of int
        The in-plane neighbour ahead (pipelines run along it), ``NO_SAT`` if none.
    candidates : ndarray (n_sats, M) of int
        Satellites within ``k`` hops, nearest first (column 0 is the satellite itself).
    hops : ndarray (n_sats, M) of int
        Hop count to each candidate (a large number for padding).
    paths : ndarray (n_sats, M, k + 1) of int
        One shortest path to each candidate, ``paths[s, m, 0] == s``, padded with the end.
    """

    neighbours: np.ndarray
    ahead: np.ndarray
    candidates: np.ndarray
    hops: np.ndarray
    paths: np.ndarray

    @property
    def n_sats(self) -> int:
        return int(self.neighbours.shape[0])

    @property
    def k_hops(self) -> int:
        return int(self.paths.shape[2] - 1)


PAD_HOPS = 1 << 20


def neighbour_table(edges: np.ndarray, n_sats: int) -> np.ndarray:
    """(n_sats, 4) neighbours of an undirected edge list (``NO_SAT`` padded)."""
    pairs = np.concatenate([edges, edges[:, ::-1]]) if edges.size else np.zeros((0, 2), int)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    pairs = pairs[order]
    counts = np.bincount(pairs[:, 0], minlength=n_sats)
    width = max(4, int(counts.max(initial=0)))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    column = np.arange(len(pairs)) - first[pairs[:, 0]]
    table = np.full((n_sats, width), NO_SAT, dtype=np.int64)
    table[pairs[:, 0], column] = pairs[:, 1]
    return table


def build_fabric(scenario: Scenario, k_hops: int) -> Fabric:
    """The fabric of a scenario: +Grid links (seam ``auto``), candidates within ``k_hops``.

    >>> import workbench as wb
    >>> s = wb.load_scenario("beijing-etown-demo")
    >>> f = build_fabric(s, 1)
    >>> f.candidates.shape, sorted(f.hops[0].tolist())
    ((256, 5), [0, 1, 1, 1, 1])
    """
    n_sats = len(scenario.constellation)
    edges = plus_grid(scenario.constellation, epoch=scenario.epoch_utc)
    neighbours = neighbour_table(edges, n_sats)
    ahead = _ahead(scenario, neighbours)
    candidates, hops, paths = _within_hops(neighbours, k_hops)
    return Fabric(neighbours=neighbours, ahead=ahead, candidates=candidates, hops=hops,
                  paths=paths)


def _ahead(scenario: Scenario, neighbours: np.ndarray) -> np.ndarray:
    """The satellite ahead in the same plane: slot s → s + 1 of a Walker shell; for TLE
    sets the lowest-numbered +Grid neighbour above (a plane's next satellite)."""
    n_sats = neighbours.shape[0]
    ahead = np.full(n_sats, NO_SAT, dtype=np.int64)
    first = 0
    for shell in scenario.constellation.shells:
        ids = np.arange(shell.n_sats)
        plane, slot = np.divmod(ids, shell.sats_per_plane)
        if shell.sats_per_plane >= 2:
            ahead[first + ids] = first + plane * shell.sats_per_plane + (
                slot + 1) % shell.sats_per_plane
        first += shell.n_sats
    rest = np.arange(first, n_sats)
    if rest.size:
        nbr = neighbours[rest]
        above = np.where(nbr > rest[:, None], nbr, np.iinfo(np.int64).max)
        best = above.min(axis=1)
        ahead[rest] = np.where(best < np.iinfo(np.int64).max, best, NO_SAT)
    return ahead


def _within_hops(neighbours: np.ndarray, k_hops: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breadth-first search from every satellite at once, one hop per iteration."""
    n_sats, width = neighbours.shape
    src = np.arange(n_sats)
    node = src.copy()
    parent = np.full(n_sats, -1)          # index of the pair this one was reached from
    depth = np.zeros(n_sats, dtype=np.int64)
    seen = src * n_sats + node
    frontier = np.arange(n_sats)
    all_src, all_node, all_parent, all_depth = [src], [node], [parent], [depth]
    offset = n_sats
    for h in range(1, k_hops + 1):
        f_src = np.repeat(all_src_cat(all_src)[frontier], width)
        f_node = neighbours[all_src_cat(all_node)[frontier]].ravel()
        f_parent = np.repeat(frontier, width)
        ok = f_node != NO_SAT
        f_src, f_node, f_parent = f_src[ok], f_node[ok], f_parent[ok]
        keys = f_src * n_sats + f_node
        keys_unique, first = np.unique(keys, return_index=True)
        fresh = ~np.isin(keys_unique, seen)
        pick = first[fresh]
        if not pick.size:
            break
        seen = np.concatenate([seen, keys_unique[fresh]])
        all_src.append(f_src[pick])
        all_node.append(f_node[pick])
        all_parent.append(f_parent[pick])
        all_depth.append(np.full(pick.size, h, dtype=np.int64))
        frontier = np.arange(offset, offset + pick.size)
        offset += pick.size
    s, n = np.concatenate(all_src), np.concatenate(all_node)
    p, d = np.concatenate(all_parent), np.concatenate(all_depth)
    order = np.lexsort((n, d, s))
    counts = np.bincount(s, minlength=n_sats)
    width_m = int(counts.max(initial=1))
    first_of = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sorted_s = s[order]
    column = np.arange(len(order)) - first_of[sorted_s]
    candidates = np.full((n_sats, width_m), NO_SAT, dtype=np.int64)
    hops = np.full((n_sats, width_m), PAD_HOPS, dtype=np.int64)
    candidates[sorted_s, column] = n[order]
    hops[sorted_s, column] = d[order]
    # paths: walk parents back from each pair, k steps at most
    paths = np.empty((n_sats, width_m, k_hops + 1), dtype=np.int64)
    walk = order.copy()
    nodes_back = np.empty((len(order), k_hops + 1), dtype=np.int64)
    for h in range(k_hops + 1):
        nodes_back[:, h] = n[walk]
        walk = np.where(p[walk] >= 0, p[walk], walk)
    # nodes_back[:, 0] is the end, then towards the source; reverse by depth
    depth = d[order]
    idx = np.clip(depth[:, None] - np.arange(k_hops + 1)[None, :], 0, None)
    forward = np.take_along_axis(nodes_back, idx, axis=1)
    filled = np.arange(k_hops + 1)[None, :] <= depth[:, None]
    forward = np.where(filled, forward, n[order][:, None])
    paths[:] = NO_SAT
    paths[sorted_s, column] = forward
    paths = np.where(candidates[..., None] == NO_SAT, NO_SAT, paths)
    return candidates, hops, paths


def all_src_cat(parts: list[np.ndarray]) -> np.ndarray:
    """The pair arrays found so far, as one array."""
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def hop_delay_s(r_km: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Light time of the links a → b at one step, s (vacuum c), 0 where a == b.

    ``r_km`` is (n_sats, 3) at the step; ``a``, ``b`` index arrays of any shape.
    """
    return np.linalg.norm(r_km[a] - r_km[b], axis=-1) / C_KM_PER_S


def nearest_in_set(neighbours: np.ndarray, is_member: np.ndarray, max_hops: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Hops from every satellite to the nearest member of a set and the next hop towards it
    (multi-source breadth-first search over the +Grid, ``max_hops`` iterations at most).

    Returns ``(hops, next_sat)``: ``PAD_HOPS`` / ``NO_SAT`` where no member is in reach;
    a member's own ``next_sat`` is itself.
    """
    n_sats = neighbours.shape[0]
    hops = np.where(is_member, 0, PAD_HOPS).astype(np.int64)
    nxt = np.where(is_member, np.arange(n_sats), NO_SAT)
    safe = np.where(neighbours == NO_SAT, 0, neighbours)
    for _ in range(max_hops):
        via = np.where(neighbours == NO_SAT, PAD_HOPS, hops[safe] + 1)
        best = via.argmin(axis=1)
        best_hops = via[np.arange(n_sats), best]
        better = best_hops < hops
        if not better.any():
            break
        hops = np.where(better, best_hops, hops)
        nxt = np.where(better, safe[np.arange(n_sats), best], nxt)
    return hops, nxt


__all__ = [
    "NO_SAT",
    "PAD_HOPS",
    "Fabric",
    "build_fabric",
    "hop_delay_s",
    "nearest_in_set",
    "neighbour_table",
]
