"""Laser inter-satellite link (ISL) topologies: +Grid, nearest neighbour, none.

+Grid gives every satellite two intra-plane neighbours (the satellites ahead and behind in
its plane) and two inter-plane neighbours (the satellites at the same slot in the planes
either side). Walker shells know their planes and slots; real TLE sets have them inferred
from the right ascension of the ascending node (RAAN) and the argument of latitude at a
common instant (:func:`infer_planes`). The nearest-neighbour topology links satellites that
are among each other's ``n_terminals`` nearest within the laser's range, per time step.

Edges are ``(n_edges, 2)`` arrays of ``sat_id`` with the smaller id first, each undirected
link once.
"""
from __future__ import annotations

import warnings
from datetime import datetime

import numpy as np
import polars as pl

from ...model.constellation import Constellation, WalkerShell
from ...model.errors import ModelError, Problem
from ...model.options import IslLinks, IslTopology, SeamRule
from .links import MIN_GRAZING_ALTITUDE_KM, line_of_sight, nearest_neighbour_edges


class PlaneInferenceWarning(UserWarning):
    """Some satellites of a TLE set fit no orbital plane and get no +Grid links."""


def _empty_edges() -> np.ndarray:
    return np.zeros((0, 2), dtype=np.int64)


def _canonical(edges: np.ndarray) -> np.ndarray:
    """Smaller id first, no self-loops, no duplicates, sorted."""
    if edges.size == 0:
        return _empty_edges()
    edges = np.sort(np.asarray(edges, dtype=np.int64), axis=1)
    edges = edges[edges[:, 0] != edges[:, 1]]
    return np.unique(edges, axis=0) if edges.size else _empty_edges()


# --------------------------------------------------------------------------- Walker shells

def walker_plus_grid(shell: WalkerShell, *, first_sat_id: int = 0,
                     seam: SeamRule = "auto") -> np.ndarray:
    """+Grid links of one Walker shell, ``(n_edges, 2)`` sat_ids.

    Satellite ``slot`` of ``plane`` has ``sat_id = first_sat_id + plane·S + slot`` (the order
    of :attr:`Constellation.satellites`). Intra-plane: slot s ↔ s+1 (mod S). Inter-plane:
    (p, s) ↔ (p+1, s). Across the seam (last plane → first plane) the Walker phasing shifts
    the slots: satellite (P−1, s) sits nearest to (0, s + ⌊F(P−1)/P + ½⌋) (argument of
    latitude ``s·360/S + p·F·360/T``, Walker 1984).
    """
    planes, per_plane = shell.planes, shell.sats_per_plane
    p, s = np.divmod(np.arange(planes * per_plane), per_plane)
    ids = first_sat_id + p * per_plane + s
    parts = []
    if per_plane >= 2:
        parts.append(np.stack([ids, first_sat_id + p * per_plane + (s + 1) % per_plane], 1))
    if planes >= 2:
        inner = p < planes - 1
        parts.append(np.stack([ids[inner], ids[inner] + per_plane], 1))
        link_seam = seam == "link" or (seam == "auto" and shell.pattern == "delta")
        if link_seam:
            shift = int(np.floor(shell.phasing * (planes - 1) / planes + 0.5))
            last = p == planes - 1
            parts.append(np.stack([ids[last], first_sat_id + (s[last] + shift) % per_plane], 1))
    return _canonical(np.concatenate(parts)) if parts else _empty_edges()


# --------------------------------------------------------------------------- TLE sets

def _orbit_angles(r_km: np.ndarray, v_km_per_s: np.ndarray) -> dict[str, np.ndarray]:
    """Osculating inclination, RAAN and argument of latitude (deg) from inertial states."""
    h = np.cross(r_km, v_km_per_s)
    h_norm = np.linalg.norm(h, axis=-1)
    inclination = np.degrees(np.arccos(np.clip(h[:, 2] / h_norm, -1.0, 1.0)))
    raan = np.degrees(np.arctan2(h[:, 0], -h[:, 1])) % 360.0
    node = np.stack([np.cos(np.radians(raan)), np.sin(np.radians(raan)),
                     np.zeros_like(raan)], axis=-1)
    h_hat = h / h_norm[:, None]
    in_plane = np.cross(h_hat, node)
    u = np.degrees(np.arctan2(np.einsum("ij,ij->i", r_km, in_plane),
                              np.einsum("ij,ij->i", r_km, node))) % 360.0
    return {"inclination_deg": inclination, "raan_deg": raan, "arg_latitude_deg": u,
            "radius_km": np.linalg.norm(r_km, axis=-1)}


def _gap_clusters(values: np.ndarray, tolerance: float, *, period: float | None = None
                  ) -> np.ndarray:
    """Single-linkage clusters of 1-D values: a new cluster starts at each gap > tolerance.

    With ``period`` the values are circular. Returns a cluster label per value (0…k-1),
    labels in increasing order of value.
    """
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    gaps = np.diff(ordered)
    starts = np.r_[True, gaps > tolerance]
    labels_sorted = np.cumsum(starts) - 1
    if period is not None and labels_sorted[-1] > 0:
        wrap_gap = ordered[0] + period - ordered[-1]
        if wrap_gap <= tolerance:  # the last cluster continues the first across 360°
            labels_sorted[labels_sorted == labels_sorted[-1]] = 0
    labels = np.empty(n, dtype=np.int64)
    labels[order] = labels_sorted
    return labels


def infer_planes(constellation: Constellation, *, epoch: datetime,
                 raan_tolerance_deg: float = 1.0, inclination_tolerance_deg: float = 0.5,
                 altitude_tolerance_km: float = 25.0, min_sats_per_plane: int = 3,
                 warn: bool = True,
                 state: tuple[np.ndarray, np.ndarray] | None = None) -> pl.DataFrame:
    """Orbital planes and slots of every satellite; inferred for TLE sets.

    Walker-shell satellites keep their model plane and slot. Satellites of TLE sets are
    propagated to ``epoch`` and grouped, per TLE set, by mean inclination and mean altitude
    (gaps wider than the tolerances start a new group), then by osculating RAAN at
    ``epoch`` (circular gaps wider than ``raan_tolerance_deg`` start a new plane). Within a
    plane, ``slot`` numbers satellites by argument of latitude. Groups or planes with fewer
    than ``min_sats_per_plane`` satellites fit no plane: their ``plane`` is null, and a
    :class:`PlaneInferenceWarning` names them.

    Returns
    -------
    polars.DataFrame, one row per satellite in ``sat_id`` order:
    sat_id (u32), name (str), shell (str), group (i32, the inclination/altitude group
    within the shell; null for fits-no-plane), plane (i32, numbered within the shell),
    slot (i32), inclination_deg, raan_deg, arg_latitude_deg (f64, deg, osculating at
    ``epoch``), altitude_km (f64, mean, from the elements), is_in_plane (bool).

    ``state`` gives the positions and inertial velocities at ``epoch`` (n_sats, 3) each, in
    any frame whose z axis is the Earth's pole (e.g.
    :meth:`~workbench.orbits.geometry.OrbitGeometry.inertial_state`), instead of
    propagating here; RAAN is then measured from that frame's x axis.
    """
    from ...model.timegrid import TimeGrid
    from ...orbits.propagation import propagate_state

    sats = constellation.satellites
    if state is None:
        grid = TimeGrid(start=epoch, duration_s=0.0, step_s=60.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decayed satellites come back NaN: fit no plane
            r, v, _ = propagate_state(constellation, grid, frame="teme", epoch=epoch,
                                      on_error="ignore")
        state = (r[:, 0], v[:, 0])
    angles = _orbit_angles(*state)
    n = len(sats)
    plane = sats["plane"].to_numpy().astype(np.float64)  # NaN where null
    slot = sats["slot"].to_numpy().astype(np.float64)
    group = np.where(np.isnan(plane), np.nan, 0.0)
    shells = sats["shell"].to_numpy()
    is_tle = np.isnan(plane)
    finite = np.isfinite(angles["raan_deg"]) & np.isfinite(angles["arg_latitude_deg"])
    incl_mean = sats["inclination_deg"].to_numpy()
    alt_mean = sats["altitude_km"].to_numpy()
    for shell in np.unique(shells[is_tle]):  # a loop over TLE sets, not satellites
        members = np.flatnonzero(is_tle & (shells == shell) & finite)
        if members.size == 0:
            continue
        g_incl = _gap_clusters(incl_mean[members], inclination_tolerance_deg)
        # altitude groups within each inclination group: offset so groups don't merge
        g_alt = _gap_clusters(alt_mean[members] + g_incl * 1e6, altitude_tolerance_km)
        g_key = g_alt
        next_plane = 0
        for g in np.unique(g_key):  # a loop over groups (shells within a TLE set)
            in_group = members[g_key == g]
            if in_group.size < min_sats_per_plane:
                continue
            labels = _gap_clusters(angles["raan_deg"][in_group], raan_tolerance_deg,
                                   period=360.0)
            counts = np.bincount(labels)
            big = counts >= min_sats_per_plane
            keep = big[labels]
            # renumber planes 0…k-1 in RAAN order within this shell
            new_label = np.cumsum(big) - 1 + next_plane
            chosen = in_group[keep]
            plane[chosen] = new_label[labels[keep]]
            group[chosen] = g
            next_plane += int(big.sum())
            # slots by argument of latitude within each plane
            order = np.lexsort((angles["arg_latitude_deg"][chosen], plane[chosen]))
            sorted_planes = plane[chosen][order]
            first = np.r_[True, sorted_planes[1:] != sorted_planes[:-1]]
            start_index = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
            slot[chosen[order]] = np.arange(order.size) - start_index
    is_in_plane = ~np.isnan(plane)
    frame = pl.DataFrame({
        "sat_id": sats["sat_id"], "name": sats["name"], "shell": sats["shell"],
        "group": pl.Series(np.where(is_in_plane, group, np.nan)).fill_nan(None).cast(pl.Int32),
        "plane": pl.Series(plane).fill_nan(None).cast(pl.Int32),
        "slot": pl.Series(slot).fill_nan(None).cast(pl.Int32),
        "inclination_deg": angles["inclination_deg"], "raan_deg": angles["raan_deg"],
        "arg_latitude_deg": angles["arg_latitude_deg"], "altitude_km": alt_mean,
        "is_in_plane": is_in_plane,
    })
    misfits = frame.filter(~pl.col("is_in_plane"))
    if warn and len(misfits):
        names = ", ".join(misfits["name"].head(8).to_list())
        more = f" and {len(misfits) - 8} more" if len(misfits) > 8 else ""
        warnings.warn(
            f"{len(misfits)} of {n} satellites fit no orbital plane (groups or RAAN clusters "
            f"smaller than min_sats_per_plane={min_sats_per_plane}, or not propagatable): "
            f"{names}{more}. They get no +Grid links; infer_planes(...) lists them "
            "(is_in_plane = false).", PlaneInferenceWarning, stacklevel=2)
    return frame


def _circular_diff_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(a - b) % 360.0
    return np.minimum(d, 360.0 - d)


TIE_TOLERANCE_SLOT_FRAC = 0.05
"""Inter-plane matchings whose mean distance per link differs by less than this share of a
slot spacing are ties (osculating arguments of latitude scatter by a few hundredths of a
degree); see :func:`planes_plus_grid`."""


def _same_index_assignment(u_a: np.ndarray, u_b: np.ndarray, cost: np.ndarray,
                           best_deg: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The tie-break of :func:`planes_plus_grid` between two planes of equal size: the
    cyclic matching of in-plane indices i ↔ i + k with the smallest |k| (k = 0 first, +k
    before −k) among those as short as the optimum (within
    :data:`TIE_TOLERANCE_SLOT_FRAC` of a slot per link). The in-plane index counts
    satellites by argument of latitude from a quarter slot before the ascending node, so a
    satellite at the node is index 0 however its osculating angle scatters. None when no
    cyclic matching is as short, or the planes differ in size."""
    n = cost.shape[0]
    if n != cost.shape[1] or n < 2:
        return None
    quarter = 90.0 / n
    order_a = np.argsort((u_a + quarter) % 360.0, kind="stable")
    order_b = np.argsort((u_b + quarter) % 360.0, kind="stable")
    idx = np.arange(n)
    totals = np.array([cost[order_a, order_b[(idx + k) % n]].sum() for k in range(n)])
    ties = np.flatnonzero(totals <= best_deg + TIE_TOLERANCE_SLOT_FRAC * 360.0)
    if ties.size == 0:
        return None
    k = int(ties[np.argmin(np.minimum(ties, n - ties) * 2 + (ties > n // 2))])
    return order_a, order_b[(idx + k) % n]


def planes_plus_grid(planes: pl.DataFrame, *, seam: SeamRule = "auto") -> np.ndarray:
    """+Grid links from a plane/slot table (the output of :func:`infer_planes`).

    Intra-plane: neighbours in argument of latitude (wrapping round the plane). Inter-plane:
    planes of one shell and group, in RAAN order, are matched one-to-one by argument of
    latitude (optimal assignment, ``scipy.optimize.linear_sum_assignment``), keeping pairs
    less than one slot spacing apart.

    Ties: when the planes are the same size and several cyclic matchings (slot s ↔ slot
    s + k, slots counted by argument of latitude from the ascending node) are as short as
    the optimum, the one with the smallest shift |k| wins, k = 0 first, then +k before −k
    (slots here counted from a quarter slot before the node; see
    :func:`_same_index_assignment`).
    A set whose odd planes are shifted by half a slot (Hypatia's
    ``generate_tles_from_scratch``) has two equally short matchings, k = 0 and k = ±1, and
    this rule picks k = 0: the same in-plane index in the next plane, the designer's
    +Grid (Hypatia's ``generate_plus_grid_isls`` with ``isl_shift=0``). The last and first planes link when the planes ring
    the Earth (no RAAN gap wider than 2.5 median spacings) or ``seam="link"``.
    """
    from scipy.optimize import linear_sum_assignment

    table = planes.filter(pl.col("is_in_plane")).sort("shell", "group", "plane", "slot")
    if table.is_empty():
        return _empty_edges()
    parts = []
    # intra-plane: consecutive slots, plus the wrap-around for planes of ≥ 3
    ids = table["sat_id"].to_numpy().astype(np.int64)
    key = (table["shell"].cast(pl.Categorical).to_physical().to_numpy().astype(np.int64)
           * 1_000_000 + table["plane"].to_numpy().astype(np.int64))
    same_next = key[1:] == key[:-1]
    parts.append(np.stack([ids[:-1][same_next], ids[1:][same_next]], 1))
    first = np.r_[True, key[1:] != key[:-1]]
    last = np.r_[key[1:] != key[:-1], True]
    size = np.bincount(np.cumsum(first) - 1)
    wrap = size >= 3
    parts.append(np.stack([ids[first][wrap], ids[last][wrap]], 1))
    # inter-plane: adjacent planes of a group, matched by argument of latitude
    by_plane = (table.group_by("shell", "group", "plane", maintain_order=True)
                .agg("sat_id", "arg_latitude_deg", pl.col("raan_deg").first()))
    for (_, _), grp in by_plane.group_by("shell", "group", maintain_order=True):
        n_planes = len(grp)
        if n_planes < 2:
            continue
        raan = grp["raan_deg"].to_numpy()
        spacing = np.diff(np.r_[raan, raan[0] + 360.0])
        rings = spacing.max() <= 2.5 * np.median(spacing)
        link_seam = seam == "link" or (seam == "auto" and rings)
        pairs = [(k, k + 1) for k in range(n_planes - 1)]
        if link_seam and n_planes > 2:
            pairs.append((n_planes - 1, 0))
        sat_lists = grp["sat_id"].to_list()
        u_lists = grp["arg_latitude_deg"].to_list()
        for a, b in pairs:  # a loop over plane pairs
            u_a, u_b = np.asarray(u_lists[a]), np.asarray(u_lists[b])
            cost = _circular_diff_deg(u_a[:, None], u_b[None, :])
            rows, cols = linear_sum_assignment(cost)
            same = _same_index_assignment(u_a, u_b, cost, float(cost[rows, cols].sum()))
            if same is not None:
                rows, cols = same
            close = cost[rows, cols] < 360.0 / max(len(u_a), len(u_b))
            parts.append(np.stack([np.asarray(sat_lists[a])[rows[close]],
                                   np.asarray(sat_lists[b])[cols[close]]], 1))
    return _canonical(np.concatenate(parts))


def explicit_links(constellation: Constellation, links: IslLinks) -> np.ndarray:
    """An explicit link list (``NetworkOptions.isl``) as ``(n_edges, 2)`` sat_ids: each
    end a ``sat_id`` or a satellite name of ``constellation``. Raises
    :class:`~workbench.model.errors.ModelError` naming ``isl``, the link and the end that
    names no satellite, or a link given twice once names are resolved."""
    sats = constellation.satellites
    n = len(sats)
    by_name = {name: k for k, name in enumerate(sats["name"].to_list())}
    out = np.empty((len(links), 2), np.int64)
    for k, pair in enumerate(links):  # a loop over the user's list, done once per run
        for j, end in enumerate(pair):
            sat = by_name.get(end) if isinstance(end, str) else end
            if sat is None or not 0 <= sat < n:
                raise ModelError("NetworkOptions", [Problem(
                    "isl", pair, f"link {k}: {end!r} is no satellite of "
                    f"{constellation.name!r} (sat_id 0…{n - 1} or a satellite name)")])
            out[k, j] = sat
    canonical = np.sort(out, axis=1)
    if (canonical[:, 0] == canonical[:, 1]).any():
        k = int(np.flatnonzero(canonical[:, 0] == canonical[:, 1])[0])
        raise ModelError("NetworkOptions", [Problem("isl", links[k], f"link {k} joins "
                                                    "a satellite to itself")])
    _, first, counts = np.unique(canonical, axis=0, return_index=True, return_counts=True)
    if (counts > 1).any():
        seen: dict[tuple[int, int], int] = {}
        for k, row in enumerate(map(tuple, canonical.tolist())):
            if row in seen:
                raise ModelError("NetworkOptions", [Problem(
                    "isl", links[k], f"link {k} repeats link {seen[row]} (the same "
                    "satellites, by id or name)")])
            seen[row] = k
    return _canonical(out)


def plus_grid(constellation: Constellation, *, epoch: datetime, seam: SeamRule = "auto",
              raan_tolerance_deg: float = 1.0, min_sats_per_plane: int = 3,
              state: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """+Grid links of a whole constellation: Walker shells by their layout, TLE sets by
    inferred planes (:func:`infer_planes`, which warns about satellites fitting no plane).
    No links between shells or TLE sets. Returns ``(n_edges, 2)`` sat_ids; ``state`` as in
    :func:`infer_planes`."""
    parts = []
    first = 0
    for shell in constellation.shells:
        parts.append(walker_plus_grid(shell, first_sat_id=first, seam=seam))
        first += shell.n_sats
    if constellation.tle_sets:
        planes = infer_planes(constellation, epoch=epoch, raan_tolerance_deg=raan_tolerance_deg,
                              min_sats_per_plane=min_sats_per_plane, state=state)
        parts.append(planes_plus_grid(planes.filter(pl.col("sat_id") >= first), seam=seam))
    return _canonical(np.concatenate(parts)) if parts else _empty_edges()


__all__ = ["IslTopology", "SeamRule", "PlaneInferenceWarning", "MIN_GRAZING_ALTITUDE_KM",
           "walker_plus_grid", "infer_planes", "explicit_links", "TIE_TOLERANCE_SLOT_FRAC", "planes_plus_grid", "plus_grid",
           "line_of_sight", "nearest_neighbour_edges"]
