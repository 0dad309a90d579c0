"""ISL topologies: +Grid for Walker shells (seam rule by geometry), +Grid for TLE sets with
planes inferred from RAAN and argument of latitude (misfits reported), nearest neighbour
against a brute-force reference."""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sgp4 import exporter

from workbench.analyses.network.graph import (
    R_EARTH_KM,
    line_of_sight,
    nearest_neighbour_edges,
)
from workbench.analyses.network.topology import (
    PlaneInferenceWarning,
    infer_planes,
    planes_plus_grid,
    plus_grid,
    walker_plus_grid,
)
from workbench.model import Constellation, WalkerShell
from workbench.orbits.propagation import satrecs

EPOCH = datetime(2026, 6, 21, tzinfo=UTC)


def _degrees(edges: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(edges.ravel(), minlength=n)


def test_walker_delta_plus_grid_has_four_links_each():
    shell = WalkerShell(planes=72, sats_per_plane=22, phasing=1)
    edges = walker_plus_grid(shell)
    assert edges.shape == (2 * 72 * 22, 2)
    assert (_degrees(edges, 72 * 22) == 4).all()
    assert (edges[:, 0] < edges[:, 1]).all()


def test_seam_links_join_the_nearest_in_argument_of_latitude():
    """Across the seam, (P−1, s) links to the satellite of plane 0 nearest to it in
    argument of latitude (the +Grid rule: the neighbour "level" with it), checked against
    the osculating argument of latitude of the propagated states, not the slot formula."""
    shell = WalkerShell(planes=12, sats_per_plane=10, phasing=5, altitude_km=600.0)
    c = Constellation(shells=(shell,))
    u = infer_planes(c, epoch=EPOCH)["arg_latitude_deg"].to_numpy()
    edges = walker_plus_grid(shell)
    first = np.arange(0, 10)
    for sat in np.arange(11 * 10, 12 * 10):
        partners = edges[(edges == sat).any(axis=1)].ravel()
        seam_partner = [p for p in partners if p in first]
        assert len(seam_partner) == 1
        gap = np.abs((u[first] - u[sat] + 180.0) % 360.0 - 180.0)
        assert seam_partner[0] == first[np.argmin(gap)]


def test_star_pattern_cuts_the_seam_by_default():
    shell = WalkerShell(planes=6, sats_per_plane=8, phasing=0, pattern="star",
                        inclination_deg=87.0)
    edges = walker_plus_grid(shell)
    degrees = _degrees(edges, 48)
    assert (degrees[:8] == 3).all() and (degrees[-8:] == 3).all()
    assert (degrees[8:-8] == 4).all()
    linked = walker_plus_grid(shell, seam="link")
    assert (_degrees(linked, 48) == 4).all()


def _tle_text(constellation: Constellation, *, extra: list[tuple] = (),
              first_id: int = 0) -> str:
    from workbench.model.tle import checksum

    lines = []
    for i, sat in enumerate(satrecs(constellation, epoch=EPOCH)):
        l1, l2 = exporter.export_tle(sat)
        # NORAD ids must be unique across a constellation: number this set from first_id
        l1, l2 = (ln[:2] + f"{first_id + i:05d}" + ln[7:68] for ln in (l1, l2))
        lines += [f"SAT-{i}", l1 + str(checksum(l1)), l2 + str(checksum(l2))]
    return "\n".join(lines)


def test_inferred_planes_reproduce_walker_plus_grid_and_report_misfits():
    walker = Constellation.walker(550, 53, 24, 11, 1)
    stray = Constellation.walker(550, 97.6, 1, 2, 0, name="stray")  # a different shell
    text = _tle_text(walker) + "\n" + _tle_text(stray, first_id=len(walker)).replace(
        "SAT-", "STRAY-")
    tle = Constellation.from_tle(text, name="mixed")
    with pytest.warns(PlaneInferenceWarning, match="2 of 266 satellites fit no orbital plane"):
        planes = infer_planes(tle, epoch=EPOCH)
    assert planes.filter(~planes["is_in_plane"])["name"].to_list() == ["STRAY-0", "STRAY-1"]
    assert planes["plane"].n_unique() == 24 + 1  # 24 planes and null
    per_plane = planes.filter(planes["is_in_plane"]).group_by("plane").len()
    assert per_plane["len"].unique().to_list() == [11]
    inferred = planes_plus_grid(planes)
    expected = walker_plus_grid(walker.shells[0])
    assert {tuple(e) for e in inferred} == {tuple(e) for e in expected}
    with pytest.warns(PlaneInferenceWarning):
        assert np.array_equal(plus_grid(tle, epoch=EPOCH), inferred)


def test_nearest_neighbour_matches_brute_force():
    rng = np.random.default_rng(5)
    n = 300
    direction = rng.normal(size=(n, 3))
    r = (R_EARTH_KM + rng.uniform(500, 600, n))[:, None] * direction / np.linalg.norm(
        direction, axis=1)[:, None]
    r[7] = np.nan  # a satellite SGP4 lost links to nothing
    k, reach = 3, 2500.0
    edges = nearest_neighbour_edges(r, n_terminals=k, max_range_km=reach)
    d = np.linalg.norm(r[:, None] - r[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    d[np.isnan(d)] = np.inf
    nearest = np.argsort(d, axis=1)[:, :k]
    chosen = np.zeros((n, n), bool)
    rows = np.repeat(np.arange(n), k)
    chosen[rows, nearest.ravel()] = d[rows, nearest.ravel()] <= reach
    mutual = chosen & chosen.T
    a, b = np.nonzero(np.triu(mutual, 1))
    clear = line_of_sight(r[a], r[b])
    expected = {(int(x), int(y)) for x, y in zip(a[clear], b[clear], strict=True)}
    assert {tuple(map(int, e)) for e in edges} == expected
    assert _degrees(edges, n).max() <= k
    assert 7 not in edges
