"""The Sun, eclipses and the beta angle against skyfield and hand-worked figures."""
from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skyfield.api import EarthSatellite
from skyfield.framelib import itrs
from skyfield.searchlib import find_discrete

from workbench.model import (
    Constellation,
    ModelError,
    PropagationWarning,
    WalkerShell,
    period_s,
)
from workbench.model.constants import R_EARTH_KM
from workbench.model.timegrid import TimeGrid
from workbench.orbits.frames import ephemeris_de421, skyfield_time, timescale
from workbench.orbits.propagation import propagate, satrecs
from workbench.orbits.sun import (
    beta_angle_deg,
    eclipse_intervals,
    sun_position_km,
    sunlit,
    sunlit_from_positions,
)

ONE_METRE_KM = 1e-3
AU_KM = 149_597_870.7
SAMPLE_SEED = 20260131
EQUINOX = datetime(2026, 3, 20, 14, 46, tzinfo=UTC)  # March equinox 2026 (USNO: 14:46 UTC)
SOLSTICE = datetime(2026, 6, 21, 8, 24, tzinfo=UTC)  # June solstice 2026 (USNO: 08:24 UTC)
J2 = 1.082616e-3  # WGS72, the constants SGP4 runs with (Vallado et al. 2006, AIAA 2006-6753)


def _one_sat(inclination_deg: float, raan_deg: float, altitude_km: float = 550.0):
    return Constellation(shells=(WalkerShell(
        name="one", altitude_km=altitude_km, inclination_deg=inclination_deg, planes=1,
        sats_per_plane=1, phasing=0, raan_offset_deg=raan_deg % 360.0),))


def _almanac_sun(jd_ut: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Low-precision solar coordinates, Astronomical Almanac (section C, "Sun"): apparent
    right ascension and declination (deg, equator and equinox of date, ≈ 0.01° for
    1950–2050) and distance in au."""
    n = jd_ut - 2451545.0
    mean_lon = np.radians(280.460 + 0.9856474 * n)
    g = np.radians(357.528 + 0.9856003 * n)
    ecl_lon = mean_lon + np.radians(1.915 * np.sin(g) + 0.020 * np.sin(2 * g))
    eps = np.radians(23.439 - 0.0000004 * n)
    ra = np.degrees(np.arctan2(np.cos(eps) * np.sin(ecl_lon), np.cos(ecl_lon)))
    dec = np.degrees(np.arcsin(np.sin(eps) * np.sin(ecl_lon)))
    return ra, dec, 1.00014 - 0.01671 * np.cos(g) - 0.00014 * np.cos(2 * g)


# --------------------------------------------------------------------------- the Sun

def test_sun_direction_and_distance_vs_almanac():
    grid = TimeGrid(start=datetime(2026, 1, 1, tzinfo=UTC), duration_s=365 * 86400.0,
                    step_s=86400.0)
    t = skyfield_time(grid)
    sun_gcrs = sun_position_km(grid)
    # GCRS → true equator and equinox of date (skyfield's precession-nutation matrix)
    of_date = np.einsum("ijt,tj->ti", t.M, sun_gcrs)
    ra, dec, dist_au = _almanac_sun(t.ut1)
    expected = np.stack([np.cos(np.radians(dec)) * np.cos(np.radians(ra)),
                         np.cos(np.radians(dec)) * np.sin(np.radians(ra)),
                         np.sin(np.radians(dec))], axis=-1)
    unit = of_date / np.linalg.norm(of_date, axis=-1, keepdims=True)
    angle_deg = np.degrees(np.arccos(np.clip(np.sum(unit * expected, axis=-1), -1, 1)))
    # 0.01° almanac accuracy + 20.5″ aberration (almanac is apparent, DE421 geometric)
    assert angle_deg.max() < 0.02
    np.testing.assert_allclose(np.linalg.norm(sun_gcrs, axis=-1) / AU_KM, dist_au, atol=2e-4)


def test_sun_itrs_matches_skyfield_and_frame_is_validated():
    grid = TimeGrid(start=SOLSTICE, duration_s=86400.0, step_s=3600.0)
    eph = ephemeris_de421()
    expected = (eph["sun"] - eph["earth"]).at(skyfield_time(grid)).frame_xyz(itrs).km.T
    got = sun_position_km(grid, frame="itrs")
    assert got.shape == (25, 3)
    assert np.max(np.linalg.norm(got - expected, axis=-1)) < ONE_METRE_KM
    with pytest.raises(ModelError, match="frame='teme'"):
        sun_position_km(grid, frame="teme")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- sunlit

@pytest.fixture(scope="module")
def starlink_sample():
    """100 satellites drawn (seeded) from the real 2026-01-31 Starlink snapshot."""
    from workbench import datasets

    records = datasets.starlink().tle_sets[0].records
    rng = np.random.default_rng(SAMPLE_SEED)
    picked = [records[i] for i in np.sort(rng.choice(len(records), 100, replace=False))]
    text = "\n".join(f"{r.name}\n{r.line1}\n{r.line2}" for r in picked)
    ts = timescale()
    return (Constellation.from_tle(text, name="starlink-sample"),
            [EarthSatellite(r.line1, r.line2, r.name, ts) for r in picked])


def _mismatches_away_from_crossings(ours: np.ndarray, reference: np.ndarray) -> int:
    """Count disagreements that are not within one step of a change in the reference."""
    near = np.zeros_like(reference)
    change = reference[:, 1:] != reference[:, :-1]
    near[:, 1:] |= change
    near[:, :-1] |= change
    return int(((ours != reference) & ~near).sum())


def test_sunlit_matches_skyfield_is_sunlit_starlink(starlink_sample):
    constellation, reference = starlink_sample
    grid = TimeGrid(start=datetime(2026, 1, 31, 12, tzinfo=UTC), duration_s=3 * 3600.0,
                    step_s=60.0)
    eph, t = ephemeris_de421(), skyfield_time(grid)
    expected = np.array([s.at(t).is_sunlit(eph) for s in reference])
    got = sunlit(constellation, grid)
    assert got.shape == expected.shape and got.dtype == bool
    assert _mismatches_away_from_crossings(got, expected) == 0
    assert (got != expected).sum() == 0  # measured: identical at every step
    assert 0.5 < got.mean() < 0.8  # ~ a third of each LEO orbit is in shadow


def test_sunlit_matches_skyfield_is_sunlit_walker():
    c = Constellation.walker(550.0, 53.0, 4, 3, 1)
    grid = TimeGrid(start=SOLSTICE, duration_s=3 * 3600.0, step_s=30.0)
    ts, eph, t = timescale(), ephemeris_de421(), skyfield_time(grid)
    expected = np.array([EarthSatellite.from_satrec(s, ts).at(t).is_sunlit(eph)
                         for s in satrecs(c, epoch=grid.start)])
    got = sunlit_from_positions(propagate(c, grid, frame="gcrs"), grid)
    assert _mismatches_away_from_crossings(got, expected) == 0


def test_sunlit_from_positions_checks_shape():
    grid = TimeGrid(start=SOLSTICE, duration_s=600.0, step_s=60.0)
    with pytest.raises(ModelError, match="r_gcrs_km"):
        sunlit_from_positions(np.zeros((2, 5, 3)), grid)


# --------------------------------------------------------------------------- eclipses

def test_eclipse_at_beta_zero_by_hand():
    """A 550 km circular orbit whose plane holds the Sun (equinox, RAAN 0 → β ≈ 0).

    Cylindrical shadow (Wertz & Larson, *Space Mission Analysis and Design*, 3rd ed.,
    §5.1; Rickman, NASA TFAWS 2014, "Introduction to Orbital Mechanics and Spacecraft
    Attitudes for Thermal Engineers"): eclipse fraction
    f = acos(√(h² + 2R⊕h) / (a cos β)) / π, which at β = 0 is asin(R⊕/a)/π.
    a = 6928.137 km: R⊕/a = 0.92061, asin = 67.01° = 1.1696 rad, f = 0.3723,
    T = 95.65 min → 35.61 min in shadow.
    """
    c = _one_sat(53.0, 0.0)
    grid = TimeGrid(start=EQUINOX, duration_s=3 * 5740.0, step_s=60.0)
    assert np.abs(beta_angle_deg(c, grid)).max() < 1.0  # J2 turns the plane ~0.2°/orbit
    a = R_EARTH_KM + 550.0
    expected_min = math.asin(R_EARTH_KM / a) / math.pi * period_s(550.0) / 60.0
    assert expected_min == pytest.approx(35.61, abs=0.01)
    intervals = eclipse_intervals(c, grid).filter(~pl.col("is_clipped"))
    assert intervals.height >= 2
    np.testing.assert_allclose(intervals["duration_s"].to_numpy() / 60.0, expected_min,
                               atol=0.2)


def test_eclipse_at_beta_sixty_by_hand():
    """β = 60° (equinox, i = 60°, RAAN 90°): f = acos(2705.3 / (6928.1 · 0.5)) / π
    = acos(0.7809)/π = 0.2145 → 20.5 min per 95.65 min orbit (same source as above);
    0.5 min covers SGP4's ±6 km altitude wobble and skyfield's exact (not cylindrical)
    shadow line."""
    c = _one_sat(60.0, 90.0)
    grid = TimeGrid(start=EQUINOX, duration_s=3 * 5740.0, step_s=60.0)
    assert beta_angle_deg(c, grid) == pytest.approx(60.0, abs=0.2)
    h, a = 550.0, R_EARTH_KM + 550.0
    f = math.acos(math.sqrt(h * h + 2 * R_EARTH_KM * h) / (a * math.cos(math.radians(60))))
    expected_min = f / math.pi * period_s(550.0) / 60.0
    assert expected_min == pytest.approx(20.5, abs=0.05)
    intervals = eclipse_intervals(c, grid).filter(~pl.col("is_clipped"))
    np.testing.assert_allclose(intervals["duration_s"].to_numpy() / 60.0, expected_min,
                               atol=0.5)


def test_no_eclipse_above_critical_beta():
    """β* = asin(R⊕/a) = 67.0° at 550 km: at β = 75° the orbit never enters the shadow."""
    c = _one_sat(75.0, 90.0)
    grid = TimeGrid(start=EQUINOX, duration_s=86400.0, step_s=60.0)
    assert beta_angle_deg(c, grid).min() > math.degrees(math.asin(R_EARTH_KM / 6928.137)) + 5
    assert sunlit(c, grid).all()
    assert eclipse_intervals(c, grid).height == 0


def test_eclipse_boundaries_match_skyfield_within_50_ms():
    c = Constellation.walker(550.0, 53.0, 2, 2, 1)
    grid = TimeGrid(start=SOLSTICE, duration_s=4 * 3600.0, step_s=60.0)
    intervals = eclipse_intervals(c, grid)
    ts, eph, t = timescale(), ephemeris_de421(), skyfield_time(grid)
    worst_s = 0.0
    for sat_id, rec in enumerate(satrecs(c, epoch=grid.start)):
        sat = EarthSatellite.from_satrec(rec, ts)

        def lit(tt, sat=sat):
            return sat.at(tt).is_sunlit(eph)

        lit.step_days = 60.0 / 86400.0
        times, events = find_discrete(t[0], t[-1], lit, epsilon=1e-3 / 86400.0)
        ref_in = [x.utc_datetime() for x, e in zip(times, events, strict=True) if not e]
        ref_out = [x.utc_datetime() for x, e in zip(times, events, strict=True) if e]
        mine = intervals.filter(pl.col("sat_id") == sat_id)
        ins = [x for x in mine["start_utc"] if x != grid.start]
        outs = [x for x in mine["end_utc"] if x != grid.end]
        assert len(ins) == len(ref_in) and len(outs) == len(ref_out)
        for ours, ref in zip(ins + outs, ref_in + ref_out, strict=True):
            worst_s = max(worst_s, abs((ours - ref).total_seconds()))
    assert worst_s < 0.05  # measured ≈ 0.6 ms at a 60 s step


def test_eclipse_intervals_schema_and_clipping():
    c = Constellation.walker(550.0, 53.0, 3, 4, 1)
    grid = TimeGrid(start=SOLSTICE, duration_s=3 * 3600.0, step_s=60.0)
    frame = eclipse_intervals(c, grid)
    assert frame.schema == pl.Schema({"sat_id": pl.UInt32,
                                      "start_utc": pl.Datetime("us", "UTC"),
                                      "end_utc": pl.Datetime("us", "UTC"),
                                      "duration_s": pl.Float64, "is_clipped": pl.Boolean})
    assert frame.equals(frame.sort("sat_id", "start_utc"))
    assert (frame["start_utc"] >= grid.start).all() and (frame["end_utc"] <= grid.end).all()
    assert (frame["duration_s"] > 0).all()
    at_edge = (frame["start_utc"] == grid.start) | (frame["end_utc"] == grid.end)
    assert frame["is_clipped"].equals(at_edge.alias("is_clipped"))
    lit = sunlit(c, grid)
    assert set(frame.filter(pl.col("start_utc") == grid.start)["sat_id"]) == set(
        np.flatnonzero(~lit[:, 0]))
    # consecutive eclipses of one satellite never overlap
    gaps = frame.with_columns(prev_end=pl.col("end_utc").shift().over("sat_id")).drop_nulls()
    assert (gaps["start_utc"] > gaps["prev_end"]).all()
    # shadow time in the intervals agrees with the sampled shadow (± a step per crossing)
    total_s = frame.group_by("sat_id").agg(pl.col("duration_s").sum()).sort("sat_id")
    sampled_s = (~lit).sum(axis=1)[total_s["sat_id"].to_numpy()] * grid.step_s
    np.testing.assert_allclose(total_s["duration_s"].to_numpy(), sampled_s, atol=2 * 60.0)


def test_decayed_satellite_is_sunlit_after_decay_like_skyfield():
    from workbench import datasets

    records = [r for r in datasets.starlink().tle_sets[0].records
               if r.name.strip() == "STARLINK-1979"]
    c = Constellation.from_tle(f"{records[0].name}\n{records[0].line1}\n{records[0].line2}")
    grid = TimeGrid(start=datetime(2026, 1, 31, 12, tzinfo=UTC), duration_s=10 * 86400.0,
                    step_s=600.0)
    with pytest.warns(PropagationWarning):
        lit = sunlit(c, grid)
    with pytest.warns(PropagationWarning):
        frame = eclipse_intervals(c, grid)
    assert lit[0, -1]  # NaN position: skyfield's maths calls it sunlit
    assert frame.height > 0 and (frame["end_utc"] < grid.end).all()


# --------------------------------------------------------------------------- beta angle

def test_beta_angle_vs_hand_formula():
    """sin β = cos δ☉ sin i sin(Ω − α☉) + sin δ☉ cos i (CNES CelestLab CL_gm_raan2beta),
    Sun from the Astronomical Almanac, RAAN drifting at Ω̇ = −(3/2) n J2 (R⊕/a)² cos i
    (Vallado, Fundamentals of Astrodynamics, eq. 9-41)."""
    shell = WalkerShell(name="b", altitude_km=550.0, inclination_deg=53.0, planes=8,
                        sats_per_plane=1, phasing=0, raan_offset_deg=10.0)
    c = Constellation(shells=(shell,))
    grid = TimeGrid(start=SOLSTICE, duration_s=6 * 3600.0, step_s=600.0)
    got = beta_angle_deg(c, grid)
    assert got.shape == (8, len(grid))
    ra, dec, _ = _almanac_sun(skyfield_time(grid).ut1)
    a = R_EARTH_KM + 550.0
    n_rad_s = 2 * math.pi / period_s(550.0)
    inc = math.radians(53.0)
    raan_rate = -1.5 * n_rad_s * J2 * (R_EARTH_KM / a) ** 2 * math.cos(inc)
    raan = (np.radians(shell.satellites()["raan_deg"].to_numpy())[:, None]
            + raan_rate * grid.offsets_s[None, :])
    sin_beta = (np.cos(np.radians(dec)) * math.sin(inc) * np.sin(raan - np.radians(ra))
                + np.sin(np.radians(dec)) * math.cos(inc))
    np.testing.assert_allclose(got, np.degrees(np.arcsin(sin_beta)), atol=0.1)


@settings(max_examples=25)
@given(altitude_km=st.floats(400.0, 2000.0), inclination_deg=st.floats(0.0, 180.0),
       raan_deg=st.floats(0.0, 359.0))
def test_eclipse_never_exceeds_beta_zero_and_vanishes_above_critical_beta(
        altitude_km, inclination_deg, raan_deg):
    """Invariants of the cylindrical shadow: no eclipse is longer than the β = 0 one,
    asin(R⊕/a)/π of the orbit (+1 % for SGP4's altitude wobble), and an orbit whose |β|
    stays above β* = asin(R⊕/a) (+1° margin) is never in shadow."""
    c = _one_sat(inclination_deg, raan_deg, altitude_km)
    grid = TimeGrid(start=SOLSTICE, duration_s=2.2 * period_s(altitude_km), step_s=60.0)
    a = R_EARTH_KM + altitude_km
    longest_s = math.asin(R_EARTH_KM / a) / math.pi * period_s(altitude_km)
    frame = eclipse_intervals(c, grid)
    assert (frame["duration_s"] <= 1.01 * longest_s).all()
    beta = beta_angle_deg(c, grid)
    assert np.all(np.abs(beta) <= 90.0)
    if np.abs(beta).min() > math.degrees(math.asin(R_EARTH_KM / a)) + 1.0:
        assert frame.height == 0
