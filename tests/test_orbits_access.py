"""Look angles, visibility and access windows against skyfield's altaz and find_events."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skyfield.api import EarthSatellite, wgs84

from workbench.model import (
    Constellation,
    GroundSegment,
    GroundSite,
    ModelError,
    PropagationWarning,
)
from workbench.model.timegrid import TimeGrid
from workbench.orbits import access
from workbench.orbits.access import access_windows, look_angles, visible
from workbench.orbits.frames import skyfield_time, timescale
from workbench.orbits.propagation import propagate, satrecs

ONE_METRE_KM = 1e-3
ANGLE_DEG = 1e-6
FIND_EVENTS_S = 2.0  # target; find_events itself resolves times to 0.5 s
SAMPLE_SEED = 20260131
START = datetime(2026, 1, 31, 12, tzinfo=UTC)

BEIJING = GroundSite(name="Beijing", lat_deg=39.9042, lon_deg=116.4074, altitude_m=44.0,
                     role="gateway")  # mask 10°
SVALBARD = GroundSite(name="Svalbard", lat_deg=78.2298, lon_deg=15.4078, altitude_m=500.0,
                      role="user")  # mask 25°
KASHI = GroundSite(name="Kashi", lat_deg=39.47, lon_deg=75.99, altitude_m=1290.0,
                   min_elevation_deg=5.0, max_range_km=1200.0)

WINDOW_SCHEMA = pl.Schema({
    "sat_id": pl.UInt32, "site": pl.String, "rise_utc": pl.Datetime("us", "UTC"),
    "culmination_utc": pl.Datetime("us", "UTC"), "set_utc": pl.Datetime("us", "UTC"),
    "max_elevation_deg": pl.Float64, "duration_s": pl.Float64, "is_clipped": pl.Boolean})


@pytest.fixture(scope="module")
def starlink_sample():
    """40 satellites drawn (seeded) from the real 2026-01-31 Starlink snapshot, with
    skyfield satellites parsed by skyfield from the same lines."""
    from workbench import datasets

    records = datasets.starlink().tle_sets[0].records
    rng = np.random.default_rng(SAMPLE_SEED)
    picked = [records[i] for i in np.sort(rng.choice(len(records), 40, replace=False))]
    text = "\n".join(f"{r.name}\n{r.line1}\n{r.line2}" for r in picked)
    ts = timescale()
    return (Constellation.from_tle(text, name="starlink-sample"),
            [EarthSatellite(r.line1, r.line2, r.name, ts) for r in picked])


def _topos(site: GroundSite):
    return wgs84.latlon(site.lat_deg, site.lon_deg, elevation_m=site.altitude_m)


def _wrap_deg(x):
    return (np.asarray(x) + 180.0) % 360.0 - 180.0


# --------------------------------------------------------------------------- look angles

def test_look_angles_match_skyfield_altaz(starlink_sample):
    constellation, reference = starlink_sample
    walker = Constellation.walker(550.0, 53.0, 6, 4, 1)
    grid = TimeGrid(start=START, duration_s=6 * 3600.0, step_s=120.0)
    ts, t = timescale(), skyfield_time(grid)
    cases = [(constellation, reference[:20]),
             (walker, [EarthSatellite.from_satrec(s, ts) for s in satrecs(walker,
                                                                          epoch=grid.start)])]
    sites = [BEIJING, SVALBARD, KASHI]
    for c, sats in cases:
        el, az, rng = look_angles(propagate(c, grid)[: len(sats)], sites)
        assert el.shape == az.shape == rng.shape == (3, len(sats), len(grid))
        for p, site in enumerate(sites):
            for i, sat in enumerate(sats):
                alt_ref, az_ref, dist_ref = (sat - _topos(site)).at(t).altaz()
                np.testing.assert_allclose(el[p, i], alt_ref.degrees, atol=ANGLE_DEG, rtol=0)
                np.testing.assert_allclose(rng[p, i], dist_ref.km, atol=ONE_METRE_KM, rtol=0)
                defined = np.abs(alt_ref.degrees) < 89.9
                assert np.abs(_wrap_deg(az[p, i] - az_ref.degrees))[defined].max() < ANGLE_DEG


def test_look_angles_shapes_and_single_site():
    grid = TimeGrid(start=START, duration_s=0.0, step_s=60.0)
    r = propagate(Constellation.walker(550.0, 53.0, 1, 1, 0), grid)
    el, az, rng = look_angles(r, BEIJING)
    assert el.shape == (1, 1, 1)
    el, az, rng = look_angles(np.zeros((5, 7, 3)) + [7000.0, 0.0, 0.0],
                              GroundSegment(sites=(BEIJING, SVALBARD)))
    assert el.shape == az.shape == rng.shape == (2, 5, 7)


@given(lat=st.floats(-90.0, 90.0), lon=st.floats(-180.0, 180.0),
       height_m=st.floats(-500.0, 9000.0), seed=st.integers(0, 2**32 - 1))
def test_look_angle_invariants(lat, lon, height_m, seed):
    rng_ = np.random.default_rng(seed)
    direction = rng_.normal(size=(4, 3, 3))
    direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
    r = direction * rng_.uniform(6600.0, 45000.0, size=(4, 3, 1))
    site = GroundSite(name="x", lat_deg=lat, lon_deg=lon, altitude_m=height_m)
    el, az, rng = look_angles(r, [site])
    site_radius = np.linalg.norm(access._site_frames([site])[0][0])
    assert np.all((el >= -90.0) & (el <= 90.0))
    assert np.all((az >= 0.0) & (az < 360.0))
    # triangle inequality: slant range ≥ |r_sat| − |r_site| (the "altitude" above the site)
    assert np.all(rng >= np.linalg.norm(r, axis=-1)[None] - site_radius - 1e-9)
    # a satellite above the horizon is farther out than the site's horizon plane
    up = access._site_frames([site])[1][0, 2]
    rho = r - access._site_frames([site])[0][0]
    np.testing.assert_array_equal(el[0] > 0, (rho @ up) > 0)


# --------------------------------------------------------------------------- visible

def test_visible_honours_masks_and_range():
    c = Constellation.walker(550.0, 53.0, 6, 8, 1)
    grid = TimeGrid(start=START, duration_s=3 * 3600.0, step_s=60.0)
    r = propagate(c, grid)
    sites = [BEIJING, SVALBARD, KASHI]
    el, _, rng = look_angles(r, sites)
    got = visible(r, sites)
    assert got.shape == el.shape and got.dtype == bool
    np.testing.assert_array_equal(got[0], el[0] >= 10.0)  # gateway default
    np.testing.assert_array_equal(got[1], el[1] >= 25.0)  # user default
    np.testing.assert_array_equal(got[2], (el[2] >= 5.0) & (rng[2] <= 1200.0))
    assert got[2].sum() < (el[2] >= 5.0).sum()  # the range limit bites


# --------------------------------------------------------------------------- access windows

def _compare_with_find_events(windows: pl.DataFrame, sats: list, sites, grid: TimeGrid,
                              mask_for) -> dict[str, float]:
    """Max |ours − find_events| per event kind, in seconds; asserts identical event lists."""
    t = skyfield_time(grid)
    worst = {"rise": 0.0, "culmination": 0.0, "set": 0.0}
    kinds = {0: "rise", 1: "culmination", 2: "set"}
    for site in sites:
        topos = _topos(site)
        for i, sat in enumerate(sats):
            times, events = sat.find_events(topos, t[0], t[-1],
                                            altitude_degrees=mask_for(site))
            ref = [(kinds[int(e)], x.utc_datetime()) for x, e in zip(times, events,
                                                                    strict=True)]
            ours = []
            rows = windows.filter((pl.col("sat_id") == i) & (pl.col("site") == site.name))
            for row in rows.iter_rows(named=True):
                if row["rise_utc"] != grid.start:
                    ours.append(("rise", row["rise_utc"]))
                if row["culmination_utc"] not in (grid.start, grid.end):
                    ours.append(("culmination", row["culmination_utc"]))
                if row["set_utc"] != grid.end:
                    ours.append(("set", row["set_utc"]))
            assert [k for k, _ in ours] == [k for k, _ in ref], (site.name, i)
            for (kind, a), (_, b) in zip(ours, ref, strict=True):
                worst[kind] = max(worst[kind], abs((a - b).total_seconds()))
    return worst


def test_access_windows_match_find_events_starlink(starlink_sample):
    constellation, reference = starlink_sample
    grid = TimeGrid(start=START, duration_s=12 * 3600.0, step_s=60.0)
    windows = access_windows(constellation, [BEIJING, SVALBARD], grid)
    assert windows.schema == WINDOW_SCHEMA
    assert windows.height > 50
    worst = _compare_with_find_events(windows, reference, [BEIJING, SVALBARD], grid,
                                      lambda s: s.elevation_mask_deg)
    assert max(worst.values()) < FIND_EVENTS_S  # measured ≈ 0.23 s (find_events: 0.5 s)


@pytest.mark.parametrize("min_elevation_deg", [0.0, 40.0])
def test_access_windows_override_mask_walker(min_elevation_deg):
    c = Constellation.walker(550.0, 53.0, 4, 4, 1)
    grid = TimeGrid(start=START, duration_s=12 * 3600.0, step_s=60.0)
    ts = timescale()
    sats = [EarthSatellite.from_satrec(s, ts) for s in satrecs(c, epoch=grid.start)]
    windows = access_windows(c, [BEIJING, SVALBARD], grid, min_elevation_deg=min_elevation_deg)
    assert windows.height > 0
    assert (windows["max_elevation_deg"] >= min_elevation_deg - 1e-9).all()
    worst = _compare_with_find_events(windows, sats, [BEIJING, SVALBARD], grid,
                                      lambda s: min_elevation_deg)
    assert max(worst.values()) < FIND_EVENTS_S


def test_access_windows_on_coarse_grid_still_find_short_passes(starlink_sample):
    """At a 180 s step many passes above 25° last less than two steps; the elevation
    maximum inside a step still finds them."""
    constellation, reference = starlink_sample
    grid = TimeGrid(start=START, duration_s=12 * 3600.0, step_s=180.0)
    windows = access_windows(constellation, [SVALBARD], grid)
    assert windows.filter(pl.col("duration_s") < 2 * 180.0).height > 0
    worst = _compare_with_find_events(windows, reference[:20], [SVALBARD], grid,
                                      lambda s: s.elevation_mask_deg)
    assert max(worst.values()) < FIND_EVENTS_S


def test_rise_set_elevation_and_culmination_by_skyfield_altaz(starlink_sample):
    """Independent of find_events' 0.5 s resolution: skyfield's elevation at our rise and
    set equals the mask, and at our culmination equals our maximum and is a maximum."""
    constellation, reference = starlink_sample
    grid = TimeGrid(start=START, duration_s=6 * 3600.0, step_s=60.0)
    windows = access_windows(constellation, [BEIJING], grid).filter(~pl.col("is_clipped"))
    ts, topos = timescale(), _topos(BEIJING)
    assert windows.height > 5
    for row in windows.iter_rows(named=True):
        sat = reference[row["sat_id"]]
        t = ts.from_datetimes([row["rise_utc"], row["set_utc"], row["culmination_utc"],
                               row["culmination_utc"] - timedelta(seconds=1),
                               row["culmination_utc"] + timedelta(seconds=1)])
        alt = (sat - topos).at(t).altaz()[0].degrees
        np.testing.assert_allclose(alt[:2], 10.0, atol=1e-3)  # 1 µs of rounding ≲ 1e-5°
        assert alt[2] == pytest.approx(row["max_elevation_deg"], abs=1e-4)
        assert alt[2] >= alt[3:].max()


def test_access_windows_honour_max_range():
    """Kashi limits slant range to 1,200 km: windows are the stretches where a 1 s grid
    says ``visible`` (elevation ≥ 5° and range ≤ 1,200 km)."""
    c = Constellation.walker(550.0, 53.0, 4, 4, 1)
    grid = TimeGrid(start=START, duration_s=3 * 3600.0, step_s=60.0)
    windows = access_windows(c, [KASHI], grid)
    fine = TimeGrid(start=START, duration_s=3 * 3600.0, step_s=1.0)
    seen = visible(propagate(c, fine), [KASHI])[0]
    assert windows.height > 0
    inside = np.zeros_like(seen)
    for row in windows.iter_rows(named=True):
        a = (row["rise_utc"] - START).total_seconds()
        b = (row["set_utc"] - START).total_seconds()
        inside[row["sat_id"], int(np.ceil(a - 0.01)):int(np.floor(b + 0.01)) + 1] = True
    assert np.array_equal(inside, seen)
    # skyfield: every rise or set is where elevation reaches 5° or range reaches 1,200 km
    ts, topos = timescale(), _topos(KASHI)
    sats = [EarthSatellite.from_satrec(s, ts) for s in satrecs(c, epoch=grid.start)]
    n_range_limited = 0
    for row in windows.filter(~pl.col("is_clipped")).iter_rows(named=True):
        t = ts.from_datetimes([row["rise_utc"], row["set_utc"]])
        alt, _, dist = (sats[row["sat_id"]] - topos).at(t).altaz()
        at_mask = np.abs(alt.degrees - 5.0) < 1e-3
        at_range = np.abs(dist.km - 1200.0) < 0.05
        assert np.all(at_mask | at_range)
        n_range_limited += int(at_range.sum())
    assert n_range_limited > 0
    assert windows["duration_s"].sum() < access_windows(
        c, [KASHI.replace(max_range_km=None)], grid)["duration_s"].sum()


def test_access_window_invariants_and_clipping():
    c = Constellation.walker(550.0, 86.0, 6, 6, 1)  # polar enough for Svalbard
    grid = TimeGrid(start=START, duration_s=6 * 3600.0, step_s=60.0)
    sites = GroundSegment(sites=(BEIJING, SVALBARD, KASHI))
    w = access_windows(c, sites, grid)
    assert w.schema == WINDOW_SCHEMA
    assert w["site"].unique(maintain_order=True).to_list() == ["Beijing", "Svalbard", "Kashi"]
    assert w.equals(w.sort(pl.col("site").replace_strict({"Beijing": 0, "Svalbard": 1,
                                                          "Kashi": 2}), "sat_id", "rise_utc"))
    assert ((w["rise_utc"] <= w["culmination_utc"]) & (w["culmination_utc"] <= w["set_utc"])).all()
    assert (w["rise_utc"] >= grid.start).all() and (w["set_utc"] <= grid.end).all()
    np.testing.assert_allclose(
        w["duration_s"], (w["set_utc"] - w["rise_utc"]).dt.total_microseconds() / 1e6,
        atol=2e-6)
    at_edge = (w["rise_utc"] == grid.start) | (w["set_utc"] == grid.end)
    assert w["is_clipped"].equals(at_edge.alias("is_clipped"))
    masks = w["site"].replace_strict({"Beijing": 10.0, "Svalbard": 25.0, "Kashi": 5.0})
    assert (w["max_elevation_deg"] >= masks - 1e-9).all()
    nxt = w.with_columns(prev_set=pl.col("set_utc").shift().over("site", "sat_id")).drop_nulls()
    assert (nxt["rise_utc"] > nxt["prev_set"]).all()
    # the open windows at the grid's start are those the first step sees
    first = visible(propagate(c, grid), sites)[..., 0]
    opened = w.filter(pl.col("rise_utc") == grid.start)
    assert opened.height == int(first.sum())


@settings(max_examples=15)
@given(lat=st.floats(-80.0, 80.0), lon=st.floats(-180.0, 180.0), mask=st.floats(0.0, 60.0))
def test_windows_agree_with_sampled_visibility(lat, lon, mask):
    """Every sampled step that sees a satellite lies in one of its windows, and every step
    inside a window (10 ms in from its ends) sees it."""
    c = Constellation.walker(550.0, 53.0, 3, 4, 1)
    grid = TimeGrid(start=START, duration_s=3 * 3600.0, step_s=60.0)
    site = GroundSite(name="s", lat_deg=lat, lon_deg=lon, min_elevation_deg=mask)
    w = access_windows(c, [site], grid)
    seen = visible(propagate(c, grid), [site])[0]
    inside = np.zeros_like(seen)
    for row in w.iter_rows(named=True):
        a = (row["rise_utc"] - START).total_seconds() / 60.0
        b = (row["set_utc"] - START).total_seconds() / 60.0
        inside[row["sat_id"], int(np.ceil(a - 1e-4)):int(np.floor(b + 1e-4)) + 1] = True
        assert row["max_elevation_deg"] >= mask - 1e-9
    assert np.array_equal(inside, seen)


def test_satellites_that_never_rise_have_no_rows():
    equatorial = Constellation.walker(550.0, 0.0, 1, 4, 0)
    grid = TimeGrid(start=START, duration_s=6 * 3600.0, step_s=60.0)
    w = access_windows(equatorial, [SVALBARD], grid)
    assert w.height == 0 and w.schema == WINDOW_SCHEMA
    both = access_windows(Constellation.walker(550.0, 53.0, 2, 2, 1), [SVALBARD], grid)
    assert set(both["sat_id"]) <= {0, 1, 2, 3}


def test_single_step_grid():
    c = Constellation.walker(550.0, 53.0, 6, 8, 1)
    grid = TimeGrid(start=START, duration_s=0.0, step_s=60.0)
    w = access_windows(c, [BEIJING], grid, min_elevation_deg=0.0)
    el, _, _ = look_angles(propagate(c, grid), [BEIJING])
    assert w.height == int((el >= 0).sum())
    assert w["is_clipped"].all() and (w["duration_s"] == 0).all()


def test_chunking_does_not_change_windows(monkeypatch):
    c = Constellation.walker(550.0, 53.0, 4, 5, 1)
    grid = TimeGrid(start=START, duration_s=6 * 3600.0, step_s=60.0)
    whole = access_windows(c, [BEIJING, SVALBARD], grid)
    monkeypatch.setattr(access, "CHUNK_BYTES", 1)  # one satellite per chunk
    assert access_windows(c, [BEIJING, SVALBARD], grid).equals(whole)
    r = propagate(c, grid)
    assert np.array_equal(look_angles(r, [BEIJING])[0], look_angles(r, [BEIJING])[0])


def test_decayed_satellite_has_windows_only_before_decay():
    from workbench import datasets

    record = next(r for r in datasets.starlink().tle_sets[0].records
                  if r.name.strip() == "STARLINK-1979")
    c = Constellation.from_tle(f"{record.name}\n{record.line1}\n{record.line2}")
    grid = TimeGrid(start=START, duration_s=6 * 86400.0, step_s=60.0)
    with pytest.warns(PropagationWarning):
        w = access_windows(c, [BEIJING, SVALBARD], grid)
    assert w["max_elevation_deg"].is_finite().all()
    assert (w["set_utc"] < datetime(2026, 2, 4, tzinfo=UTC)).all()


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("sites", [[], (), GroundSegment(sites=())])
def test_empty_sites_is_an_error_naming_sites(sites):
    grid = TimeGrid(start=START, duration_s=600.0, step_s=60.0)
    c = Constellation.walker(550.0, 53.0, 1, 1, 0)
    with pytest.raises(ModelError, match=r"sites=.*at least one GroundSite"):
        access_windows(c, sites, grid)
    with pytest.raises(ModelError, match="sites"):
        look_angles(np.zeros((1, 1, 3)), sites)


@pytest.mark.parametrize("value", [-1.0, 90.5, float("nan"), "10", True])
def test_bad_min_elevation_is_an_error_naming_it(value):
    grid = TimeGrid(start=START, duration_s=600.0, step_s=60.0)
    c = Constellation.walker(550.0, 53.0, 1, 1, 0)
    with pytest.raises(ModelError, match=r"min_elevation_deg=.*0 to 90"):
        access_windows(c, [BEIJING], grid, min_elevation_deg=value)


def test_other_bad_inputs():
    with pytest.raises(ModelError, match=r"sites\[1\]"):
        look_angles(np.zeros((1, 1, 3)), [BEIJING, "Svalbard"])
    with pytest.raises(ModelError, match="site names must be unique"):
        visible(np.zeros((1, 1, 3)), [BEIJING, BEIJING])
    with pytest.raises(ModelError, match=r"r_itrs_km.*\(n_sats, n_times, 3\)"):
        look_angles(np.zeros((4, 3)), [BEIJING])
    with pytest.raises(ModelError, match="sites"):
        look_angles(np.zeros((1, 1, 3)), "Beijing")
