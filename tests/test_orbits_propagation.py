"""SGP4 propagation, frames and geodetic conversion against skyfield and hand-worked orbits.

skyfield is the oracle: ``EarthSatellite(line1, line2).at(t)`` for real TLEs (parsed by
skyfield itself, not by us) and ``EarthSatellite.from_satrec`` for Walker shells, whose
geometry is then checked independently of any propagator (Walker 1984).
"""
from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from skyfield.api import EarthSatellite, wgs84
from skyfield.framelib import itrs
from skyfield.sgp4lib import TEME

from workbench.model import Constellation, PropagationWarning, WalkerShell, period_s
from workbench.model.constants import MU_EARTH_KM3_PER_S2, R_EARTH_KM
from workbench.model.timegrid import TimeGrid
from workbench.orbits.frames import (
    geodetic_to_itrs,
    itrs_to_geodetic,
    skyfield_time,
    timescale,
)
from workbench.orbits.propagation import (
    ephemeris,
    propagate,
    propagate_state,
    propagation_errors,
    satrecs,
)

ONE_METRE_KM = 1e-3
ONE_MM_PER_S_KM_PER_S = 1e-6
ONE_MM_KM = 1e-6
GEODETIC_DEG = 1e-7
SAMPLE_SEED = 20260131
N_SAMPLE = 200

START = datetime(2026, 1, 31, 12, tzinfo=UTC)  # within a day of the snapshot's epochs
GRID = TimeGrid(start=START, duration_s=3 * 3600.0, step_s=600.0)


@pytest.fixture(scope="module")
def starlink_sample() -> tuple[Constellation, list]:
    """200 satellites drawn (seeded) from the real 2026-01-31 Starlink snapshot, with the
    skyfield satellites built from the same TLE lines by skyfield's own parser."""
    from workbench import datasets

    records = datasets.starlink().tle_sets[0].records
    rng = np.random.default_rng(SAMPLE_SEED)
    picked = [records[i] for i in np.sort(rng.choice(len(records), N_SAMPLE, replace=False))]
    text = "\n".join(f"{r.name}\n{r.line1}\n{r.line2}" for r in picked)
    ts = timescale()
    reference = [EarthSatellite(r.line1, r.line2, r.name, ts) for r in picked]
    return Constellation.from_tle(text, name="starlink-sample"), reference


def _walker_reference(constellation: Constellation, epoch: datetime) -> list:
    ts = timescale()
    return [EarthSatellite.from_satrec(s, ts) for s in satrecs(constellation, epoch=epoch)]


def _skyfield_xyz(sats: list, t, frame: str) -> np.ndarray:
    if frame == "gcrs":
        rows = [s.at(t).position.km for s in sats]
    else:
        rows = [s.at(t).frame_xyz(itrs if frame == "itrs" else TEME).km for s in sats]
    return np.moveaxis(np.array(rows), 1, 2)


# --------------------------------------------------------------------------- vs skyfield

@pytest.mark.parametrize("frame", ["teme", "gcrs", "itrs"])
def test_starlink_sample_matches_skyfield(starlink_sample, frame):
    constellation, reference = starlink_sample
    r = propagate(constellation, GRID, frame=frame)
    expected = _skyfield_xyz(reference, skyfield_time(GRID), frame)
    assert r.shape == (N_SAMPLE, len(GRID), 3)
    assert np.max(np.linalg.norm(r - expected, axis=-1)) < ONE_METRE_KM


@pytest.mark.parametrize("pattern", ["delta", "star"])
@pytest.mark.parametrize("frame", ["teme", "gcrs", "itrs"])
def test_walker_shell_matches_skyfield(frame, pattern):
    constellation = Constellation.walker(550.0, 53.0, 6, 4, 1, pattern=pattern)
    grid = TimeGrid(start=datetime(2026, 3, 20, tzinfo=UTC), duration_s=4 * 3600.0,
                    step_s=300.0)
    r = propagate(constellation, grid, frame=frame)
    expected = _skyfield_xyz(_walker_reference(constellation, grid.start),
                             skyfield_time(grid), frame)
    assert np.max(np.linalg.norm(r - expected, axis=-1)) < ONE_METRE_KM


def test_itrs_velocity_is_earth_relative_like_skyfield(starlink_sample):
    constellation, reference = starlink_sample
    _, v, codes = propagate_state(constellation, GRID, frame="itrs")
    t = skyfield_time(GRID)
    expected = np.moveaxis(np.array([s.at(t).frame_xyz_and_velocity(itrs)[1].km_per_s
                                     for s in reference[:20]]), 1, 2)
    assert not codes.any()
    assert np.max(np.linalg.norm(v[:20] - expected, axis=-1)) < ONE_MM_PER_S_KM_PER_S


# --------------------------------------------------------------------------- Walker geometry

def _orbit_angles(r: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(RAAN, inclination, argument of latitude) in degrees from inertial r, v (..., 3)."""
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    node = np.cross([0.0, 0.0, 1.0], h)
    node /= np.linalg.norm(node, axis=-1, keepdims=True)
    raan = np.degrees(np.arctan2(h[..., 0], -h[..., 1])) % 360.0
    inclination = np.degrees(np.arccos(h[..., 2]))
    u = np.degrees(np.arctan2(np.einsum("...k,...k", r, np.cross(h, node)),
                              np.einsum("...k,...k", r, node))) % 360.0
    return raan, inclination, u


def _wrap_deg(x):
    return (np.asarray(x) + 180.0) % 360.0 - 180.0


def test_period_by_hand():
    # Kepler's third law T = 2π√(a³/μ) (Vallado, Fundamentals of Astrodynamics, eq. 1-27):
    # a = 6378.137 + 550 = 6928.137 km, a³ = 3.3255e11 km³, a³/μ = 8.343e5 s²,
    # √ = 913.4 s, T = 5739 s = 95.65 min.
    assert period_s(550.0) / 60.0 == pytest.approx(95.65, abs=0.01)
    a = R_EARTH_KM + 550.0
    assert period_s(550.0) == pytest.approx(2 * math.pi * math.sqrt(a**3 / MU_EARTH_KM3_PER_S2))


@pytest.mark.parametrize(("pattern", "inclination_deg", "planes", "sats", "phasing"),
                         [("delta", 53.0, 6, 4, 1), ("delta", 53.0, 5, 3, 2),
                          ("star", 86.4, 6, 4, 1)])
def test_walker_layout_from_propagated_states(pattern, inclination_deg, planes, sats, phasing):
    """RAAN spacing 360/P (delta) or 180/P (star), slot spacing 360/S, inter-plane phase
    offset F·360/T (Walker 1984, J. Brit. Interplanet. Soc. 37, 559), read back from the
    osculating orbit normal and argument of latitude of the propagated TEME states at the
    epoch. Tolerances cover SGP4's J2 short-period terms (osculating vs mean elements)."""
    shell = WalkerShell(name="w", altitude_km=550.0, inclination_deg=inclination_deg,
                        planes=planes, sats_per_plane=sats, phasing=phasing, pattern=pattern)
    grid = TimeGrid(start=datetime(2026, 3, 20, tzinfo=UTC), duration_s=0.0, step_s=60.0)
    r, v, _ = propagate_state(Constellation(shells=(shell,)), grid, frame="teme")
    raan, inclination, u = _orbit_angles(r[:, 0], v[:, 0])
    raan, u = raan.reshape(planes, sats), u.reshape(planes, sats)
    spread = 360.0 if pattern == "delta" else 180.0
    total = planes * sats
    plane_raan = np.arange(planes) * spread / planes
    expected_u = (np.arange(sats)[None, :] * 360.0 / sats
                  + np.arange(planes)[:, None] * phasing * 360.0 / total)
    assert np.abs(inclination - inclination_deg).max() < 0.1
    assert np.abs(_wrap_deg(raan - plane_raan[:, None])).max() < 0.1
    assert np.abs(_wrap_deg(np.diff(raan[:, 0]) - spread / planes)).max() < 0.1
    assert np.abs(_wrap_deg(u - expected_u)).max() < 0.25
    assert np.abs(_wrap_deg(np.diff(u, axis=1) - 360.0 / sats)).max() < 0.25
    assert np.abs(_wrap_deg(u[1:, 0] - u[:-1, 0] - phasing * 360.0 / total)).max() < 0.25


def test_walker_period_and_altitude_from_positions():
    """The argument of latitude advances 360° per nodal period ≈ 2π√(a³/μ): J2 shortens
    the nodal period of a 53° LEO by ~0.05 % (Vallado §9.6), so 0.2 % tolerance."""
    grid = TimeGrid(start=datetime(2026, 3, 20, tzinfo=UTC), duration_s=3 * 5740.0,
                    step_s=20.0)
    r, v, _ = propagate_state(Constellation.walker(550.0, 53.0, 1, 1, 0), grid, frame="teme")
    _, _, u = _orbit_angles(r[0], v[0])
    rate_deg_per_s = np.polyfit(grid.offsets_s, np.degrees(np.unwrap(np.radians(u))), 1)[0]
    assert 360.0 / rate_deg_per_s == pytest.approx(period_s(550.0), rel=2e-3)
    radius_km = np.linalg.norm(r[0], axis=-1)
    assert radius_km.mean() - R_EARTH_KM == pytest.approx(550.0, abs=5.0)


# --------------------------------------------------------------------------- shapes, errors

def test_shape_one_satellite_one_step():
    grid = TimeGrid(start=START, duration_s=0.0, step_s=60.0)
    c = Constellation.walker(550.0, 53.0, 1, 1, 0)
    assert len(grid) == 1
    for frame in ("teme", "gcrs", "itrs"):
        assert propagate(c, grid, frame=frame).shape == (1, 1, 3)
    r, v, codes = propagate_state(c, grid)
    assert r.shape == v.shape == (1, 1, 3) and codes.shape == (1, 1)


def test_shape_n_by_t():
    grid = TimeGrid(start=START, duration_s=600.0, step_s=60.0)
    c = Constellation.walker(550.0, 53.0, 3, 4, 1)
    r, v, codes = propagate_state(c, grid, frame="gcrs")
    assert r.shape == v.shape == (12, 11, 3)
    assert codes.shape == (12, 11) and codes.dtype == np.uint8


def test_decayed_satellite_warns_and_is_nan():
    """STARLINK-1979 (snapshot 2026-01-31) decays within days: SGP4 code 6."""
    from workbench import datasets

    records = [r for r in datasets.starlink().tle_sets[0].records
               if r.name.strip() == "STARLINK-1979"]
    text = "\n".join(f"{r.name}\n{r.line1}\n{r.line2}" for r in records)
    grid = TimeGrid(start=START, duration_s=10 * 86400.0, step_s=3600.0)
    c = Constellation.from_tle(text, name="decaying")
    with pytest.warns(PropagationWarning, match="STARLINK-1979"):
        r = propagate(c, grid)
    assert np.isnan(r[0, -1]).all() and np.isfinite(r[0, 0]).all()
    errors = propagation_errors(c, grid)
    assert errors.height == 1 and errors["code"][0] == 6


# --------------------------------------------------------------------------- geodetic

def test_geodetic_of_satellites_matches_skyfield(starlink_sample):
    constellation, reference = starlink_sample
    r = propagate(constellation, GRID, frame="itrs")
    lat, lon, height = itrs_to_geodetic(r)
    t = skyfield_time(GRID)
    for i, sat in enumerate(reference[:50]):
        position = sat.at(t)
        ref_lat, ref_lon = wgs84.latlon_of(position)
        np.testing.assert_allclose(lat[i], ref_lat.degrees, atol=GEODETIC_DEG, rtol=0)
        np.testing.assert_allclose(_wrap_deg(lon[i] - ref_lon.degrees), 0.0,
                                   atol=GEODETIC_DEG)
        np.testing.assert_allclose(height[i], wgs84.height_of(position).km, atol=ONE_METRE_KM,
                                   rtol=0)


@given(lat=st.floats(-90.0, 90.0), lon=st.floats(-180.0, 180.0),
       height_km=st.floats(-0.5, 40000.0))
def test_geodetic_to_itrs_matches_skyfield(lat, lon, height_km):
    expected = wgs84.latlon(lat, lon, elevation_m=height_km * 1000.0).itrs_xyz.km
    np.testing.assert_allclose(geodetic_to_itrs(lat, lon, height_km), expected, atol=ONE_MM_KM,
                               rtol=0)


@given(lat=st.floats(-89.9, 89.9), lon=st.floats(-179.9, 179.9),
       height_km=st.floats(-0.5, 40000.0))
def test_geodetic_round_trip(lat, lon, height_km):
    back_lat, back_lon, back_h = itrs_to_geodetic(geodetic_to_itrs(lat, lon, height_km))
    assert back_lat == pytest.approx(lat, abs=GEODETIC_DEG)
    assert _wrap_deg(back_lon - lon) == pytest.approx(0.0, abs=GEODETIC_DEG)
    assert back_h == pytest.approx(height_km, abs=ONE_METRE_KM)


def test_ephemeris_schema_and_order():
    grid = TimeGrid(start=START, duration_s=300.0, step_s=60.0)
    frame = ephemeris(Constellation.walker(550.0, 53.0, 2, 3, 1), grid)
    assert frame.schema == pl.Schema({"time_utc": pl.Datetime("us", "UTC"),
                                      "sat_id": pl.UInt32, "lat_deg": pl.Float64,
                                      "lon_deg": pl.Float64, "altitude_km": pl.Float64})
    assert frame.height == 6 * 6
    assert frame.equals(frame.sort("sat_id", "time_utc"))
    assert frame["altitude_km"].min() > 500.0 and frame["altitude_km"].max() < 600.0
    assert frame["lat_deg"].abs().max() <= 53.2


@given(low=st.floats(160.0, 30000.0), extra=st.floats(1.0, 10000.0))
def test_period_rises_with_altitude(low, extra):
    assert period_s(low + extra) > period_s(low)


def test_rotation_matrices_are_kept_per_time_grid_and_equal_skyfields():
    """A sweep asks for the same grid's GCRS→ITRS matrices at every point: they are kept,
    read-only, and equal skyfield's ``itrs.rotation_at`` for each grid, with no mix-up
    between grids that differ by one step."""
    import numpy as np
    from skyfield.framelib import itrs

    from workbench.model.timegrid import timescale
    from workbench.orbits.frames import gcrs_to_itrs_matrices, teme_to_itrs_matrices

    ts = timescale()
    a = ts.utc(2026, 3, 20, 0, 0, np.arange(0, 3600, 60.0))
    b = ts.utc(2026, 3, 20, 0, 0, np.arange(60, 3660, 60.0))
    first, again = gcrs_to_itrs_matrices(a), gcrs_to_itrs_matrices(a)
    assert again is first and not first.flags.writeable
    other = gcrs_to_itrs_matrices(b)
    for t, matrices in ((a, first), (b, other)):
        want = np.moveaxis(np.asarray(itrs.rotation_at(t)), -1, 0)
        np.testing.assert_allclose(matrices, want, rtol=0, atol=1e-15)
    assert teme_to_itrs_matrices(a) is not first  # kinds are kept apart
