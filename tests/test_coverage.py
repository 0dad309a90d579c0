"""Coverage against skyfield's ``find_events`` and the geometric covered-latitude bound."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from skyfield.api import EarthSatellite, wgs84

from workbench.analyses import registry
from workbench.analyses.network.footprint import coverage, coverage_statistics
from workbench.model import Constellation, GroundSegment, GroundSite, ModelError, Scenario
from workbench.model.constants import R_EARTH_KM
from workbench.orbits.frames import skyfield_time, timescale
from workbench.orbits.propagation import satrecs

START = datetime(2026, 3, 20, tzinfo=UTC)
CELLS = (GroundSite(name="Beijing", lat_deg=39.9042, lon_deg=116.4074, altitude_m=44.0),
         GroundSite(name="Quito", lat_deg=-0.18, lon_deg=-78.47, altitude_m=2850.0),
         GroundSite(name="Hobart", lat_deg=-42.88, lon_deg=147.33, altitude_m=0.0))


def _scenario(constellation: Constellation, *, duration_s: float, step_s: float,
              sites=()) -> Scenario:
    import workbench as wb

    base = wb.load_scenario("beijing-etown-demo")
    return base.model_validate({**base.model_dump(), "constellation": constellation,
                                "ground": GroundSegment(sites=tuple(sites)),
                                "epoch_utc": START, "duration_s": duration_s,
                                "step_s": step_s})


def _as_sampled(intervals, grid_start, step: timedelta):
    """The intervals a grid of ``step`` can see: those holding no grid step vanish (they
    are shorter than a step), and neighbours whose gap holds no grid step merge."""
    def steps_in(a, b):  # grid steps t with a <= t <= b
        first = -(-(a - grid_start) // step)
        last = (b - grid_start) // step
        return last - first + 1

    kept = [iv for iv in intervals if steps_in(*iv) > 0]
    merged = []
    for a, b in kept:
        if merged and steps_in(merged[-1][1] + timedelta(microseconds=1),
                               a - timedelta(microseconds=1)) <= 0:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _covered_intervals(sats, site: GroundSite, t0, t1, mask_deg: float, k: int):
    """Intervals when ≥ k of ``sats`` are above the mask, from skyfield's find_events:
    each satellite's rise/set events, then a sweep over the merged boundaries."""
    topos = wgs84.latlon(site.lat_deg, site.lon_deg, elevation_m=site.altitude_m)
    start, end = t0.utc_datetime(), t1.utc_datetime()
    boundaries = []
    for sat in sats:
        times, events = sat.find_events(topos, t0, t1, altitude_degrees=mask_deg)
        up_at_start = (sat - topos).at(t0).altaz()[0].degrees >= mask_deg
        if up_at_start:
            boundaries.append((start, +1))
        for t, e in zip(times.utc_datetime(), events, strict=True):
            if e == 0:
                boundaries.append((t, +1))
            elif e == 2:
                boundaries.append((t, -1))
    boundaries.sort()
    intervals, n, opened = [], 0, None
    for t, step in boundaries:
        n += step
        if n >= k and opened is None:
            opened = t
        elif n < k and opened is not None:
            intervals.append((opened, t))
            opened = None
    if opened is not None:
        intervals.append((opened, end))
    return intervals


@pytest.mark.parametrize(("k", "altitude_km", "planes", "per_plane", "mask_deg"),
                         [(1, 550.0, 3, 2, 25.0), (2, 1200.0, 6, 4, 10.0)])
def test_covered_intervals_match_skyfield_find_events_within_a_step(
        k, altitude_km, planes, per_plane, mask_deg):
    step_s = 30.0
    c = Constellation.walker(altitude_km, 53.0, planes, per_plane)
    s = _scenario(c, duration_s=12 * 3600.0, step_s=step_s, sites=CELLS)
    result = coverage(s, options={"region": "sites", "min_elevation_deg": mask_deg,
                                  "min_satellites": k})
    grid = s.time_grid
    ts = timescale()
    sats = [EarthSatellite.from_satrec(r, ts) for r in satrecs(c, epoch=grid.start)]
    t = skyfield_time(grid)
    step = timedelta(seconds=step_s)
    n_compared = n_unsampled = 0
    for cell_id, site in enumerate(CELLS):
        exact = _covered_intervals(sats, site, t[0], t[-1], mask_deg, k)
        ref = _as_sampled(exact, grid.start, step)
        n_unsampled += len(exact) - len(ref)
        ours = result.intervals.filter(pl.col("cell_id") == cell_id).sort("start_utc")
        assert ours.height == len(ref), site.name
        for (rise, set_), row in zip(ref, ours.iter_rows(named=True), strict=True):
            # our first covered step is the first grid step at or after the rise, our last
            # the last one at or before the set
            assert timedelta(0) <= row["start_utc"] - rise < step, (site.name, rise)
            assert timedelta(0) <= set_ - row["end_utc"] < step, (site.name, set_)
            n_compared += 1
    assert n_compared >= 6  # the comparison is not vacuous
    assert n_unsampled <= n_compared // 4  # few intervals or gaps are shorter than a step


def test_covered_latitudes_end_at_the_geometric_bound():
    # Earth central angle of the footprint's edge at mask ε from altitude h:
    # λ = arccos(R⊕ cos ε / (R⊕ + h)) − ε (Wertz & Larson, Space Mission Analysis and
    # Design, 3rd ed., 1999, §5.2, eqs. 5-26 to 5-28: sin η = sin ρ cos ε, λ = 90° − ε − η,
    # sin ρ = R⊕/(R⊕ + h)). A shell of inclination i covers latitudes up to i + λ.
    h_km, i_deg, mask_deg = 550.0, 53.0, 25.0
    lam_deg = np.degrees(np.arccos(R_EARTH_KM * np.cos(np.radians(mask_deg)) /
                                   (R_EARTH_KM + h_km))) - mask_deg
    bound_deg = i_deg + lam_deg  # 61.46°
    c = Constellation.walker(h_km, i_deg, 12, 12)
    s = _scenario(c, duration_s=6 * 3600.0, step_s=60.0)
    result = coverage(s, options={"region": "grid", "lat_min_deg": 50.0, "lat_max_deg": 70.0,
                                  "lon_min_deg": 0.0, "lon_max_deg": 90.0, "cell_deg": 1.0,
                                  "min_elevation_deg": mask_deg})
    covered = result.cells.filter(pl.col("covered_frac") > 0)
    # tolerance: the ellipsoid (geodetic vs geocentric latitude ≈ 0.17° there) and the
    # SGP4 altitude's variation (±10 km moves λ by ≈ 0.1°)
    assert covered["lat_deg"].max() <= bound_deg + 0.5
    assert covered["lat_deg"].max() >= bound_deg - 1.0
    beyond = result.cells.filter(pl.col("lat_deg") > bound_deg + 0.5)
    assert beyond.height > 0 and (beyond["covered_frac"] == 0).all()
    assert (beyond["max_gap_s"] == 361 * 60.0).all()  # the whole window is one gap


def test_gap_and_revisit_statistics_by_hand():
    covered = np.array([[1, 1, 0, 0, 0, 1, 0, 1],   # gaps 3, 1; starts 0, 5, 7
                        [0, 0, 0, 0, 0, 0, 0, 0],   # never covered
                        [1, 1, 1, 1, 1, 1, 1, 1]], bool)
    stats = coverage_statistics(covered, 10.0)
    assert stats["max_gap_s"].tolist() == [30.0, 80.0, 0.0]
    assert stats["mean_gap_s"].tolist() == [20.0, 80.0, 0.0]
    assert stats["n_intervals"].tolist() == [3, 0, 1]
    assert stats["revisit_mean_s"][0] == 35.0 and stats["revisit_max_s"][0] == 50.0
    assert np.isnan(stats["revisit_mean_s"][1:]).all()


def test_registered_with_options_figure_and_errors():
    from workbench.viz import figures

    c = Constellation.walker(550.0, 53.0, 2, 2)
    s = _scenario(c, duration_s=3600.0, step_s=60.0, sites=CELLS)
    result = registry.run("coverage", s, options={"region": "sites"})
    assert result.cells["name"].to_list() == [x.name for x in CELLS]
    assert set(result.summary) >= {"covered_frac_mean", "max_gap_s", "revisit_mean_s_mean"}
    figs = figures(result)
    assert len(figs["coverage_map"].data[0].lat) == len(CELLS)
    with pytest.raises(ModelError, match="no ground sites"):
        coverage(_scenario(c, duration_s=3600.0, step_s=60.0), options={"region": "sites"})
    with pytest.raises(ModelError, match="lat_max_deg"):
        coverage(s, options={"lat_min_deg": 10.0, "lat_max_deg": 0.0})
