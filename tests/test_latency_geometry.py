"""Link geometry and geometric bounds: ground links vs skyfield-checked look angles, the
single-satellite-overhead case by hand, fibre vs Handley (HotNets 2018), RTT ≥ 2·arc/c and
symmetry (hypothesis)."""
from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analyses.network.graph import RoutingNetwork, ground_links, line_of_sight
from workbench.analyses.network.links import (
    C_FIBRE_KM_PER_S,
    fibre_delay_s,
    great_circle_km,
    site_geometry,
)
from workbench.analyses.network.roundtrip import latency
from workbench.analyses.network.runner import route_chunk
from workbench.model import (
    ComputeChip,
    ComputePayload,
    Constellation,
    GroundSegment,
    GroundSite,
    Platform,
    Scenario,
)
from workbench.model.constants import C_KM_PER_S, R_EARTH_KM
from workbench.orbits.access import look_angles
from workbench.orbits.frames import geodetic_to_itrs

NO_RANGE_LIMIT_KM = 100_000.0
"""An ISL range beyond any line of sight between LEO satellites (< 17,000 km)."""

ONE_METRE_KM = 1e-3
ONE_MICROSECOND_MS = 1e-3
EPOCH = datetime(2026, 6, 21, tzinfo=UTC)


def _scenario(constellation, sites, *, duration_s=120.0, step_s=60.0):
    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5, tid_krad=20.0,
                       unit_cost_usd=1000.0)
    platform = Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5)
    return Scenario(name="t", epoch_utc=EPOCH, duration_s=duration_s, step_s=step_s,
                    constellation=constellation, platform=platform,
                    payload=ComputePayload(chip=chip), ground=GroundSegment(sites=tuple(sites)))


def test_ground_links_match_look_angles():
    """Same rule as orbits.access (checked there against skyfield's altaz): elevation at or
    above the mask and slant range within the terminal's reach."""
    rng = np.random.default_rng(11)
    sites = [GroundSite(name=f"s{i}", lat_deg=float(rng.uniform(-60, 60)),
                        lon_deg=float(rng.uniform(-180, 180)), altitude_m=float(rng.uniform(0, 3000)),
                        min_elevation_deg=float(rng.uniform(5, 40)),
                        max_range_km=None if i % 2 else 1500.0) for i in range(12)]
    lat = rng.uniform(-70, 70, 3000)
    lon = rng.uniform(-180, 180, 3000)
    r = geodetic_to_itrs(lat, lon, rng.uniform(300, 1200, 3000))
    site, sat, rng_km = ground_links(r, site_geometry(sites))
    elevation, _, slant = look_angles(r[:, None, :], sites)
    masks = np.array([s.min_elevation_deg for s in sites])[:, None]
    reach = np.array([s.max_range_km or np.inf for s in sites])[:, None]
    expected = (elevation[..., 0] >= masks) & (slant[..., 0] <= reach)
    got = np.zeros_like(expected)
    got[site, sat] = True
    assert np.array_equal(got, expected)
    np.testing.assert_allclose(rng_km, slant[site, sat, 0], atol=ONE_METRE_KM)


def test_single_satellite_overhead_by_hand():
    """One satellite 550 km above (0°, 0°); sites on the equator at ±5° longitude.

    By hand (spherical at the equator, where geodetic and geocentric coincide):
    R = 6378.137 km, r = R + 550 = 6928.137 km, θ = 5°,
    d = √(R² + r² − 2Rr cos θ) = √(40680631.6 + 47999082.3 − 88040911.8) ≈ 799.25 km,
    elevation = atan((cos θ − R/r) / sin θ) = atan(0.0755807/0.0871557) ≈ 40.9° (> 25°),
    RTT = 2 (d + d) / c ≈ 2 · 1598.50 / 299792.458 s ≈ 10.664 ms.
    """
    R, r_sat, theta = R_EARTH_KM, R_EARTH_KM + 550.0, math.radians(5.0)
    d = math.sqrt(R**2 + r_sat**2 - 2 * R * r_sat * math.cos(theta))
    assert d == pytest.approx(799.25, abs=0.01)
    assert 4 * d / C_KM_PER_S * 1000 == pytest.approx(10.664, abs=0.001)
    rtt_ms = 2 * 2 * d / C_KM_PER_S * 1000
    sites = [GroundSite(name="west", lat_deg=0.0, lon_deg=-5.0, min_elevation_deg=25.0),
             GroundSite(name="east", lat_deg=0.0, lon_deg=5.0, min_elevation_deg=25.0)]
    network = RoutingNetwork(n_sats=1, sites=site_geometry(sites), isl="none")
    out = route_chunk(network, np.array([[[r_sat, 0.0, 0.0]]]), np.array([0]), np.array([1]))
    assert out.dist_s[0, 0] * 2000 == pytest.approx(rtt_ms, abs=ONE_MICROSECOND_MS)
    assert out.n_hops[0, 0] == 2 and out.n_isl_hops[0, 0] == 0
    assert out.rec_nodes.tolist() == [1, 0, 2]  # west → satellite 0 → east
    # a 45° mask puts the satellite (at 40.9°) out of view: no route
    high = [s.replace(min_elevation_deg=45.0) for s in sites]
    network = RoutingNetwork(n_sats=1, sites=site_geometry(high), isl="none")
    out = route_chunk(network, np.array([[[r_sat, 0.0, 0.0]]]), np.array([0]), np.array([1]))
    assert math.isinf(out.dist_s[0, 0])


def test_fibre_london_new_york_matches_handley():
    """Handley (HotNets 2018): great-circle fibre London–New York ≈ 55 ms RTT."""
    gc = great_circle_km(51.50853, -0.12574, 40.717042, -74.003663)
    assert gc == pytest.approx(5570.0, abs=10.0)
    rtt_ms = 2000 * float(fibre_delay_s(gc))
    assert rtt_ms == pytest.approx(55.0, abs=1.0)
    assert C_FIBRE_KM_PER_S == pytest.approx(C_KM_PER_S / 1.468)
    assert 2000 * float(fibre_delay_s(gc, detour_factor=1.5)) == pytest.approx(1.5 * rtt_ms)


def test_line_of_sight_by_hand():
    """Two satellites at 550 km, 2·acos((R+80)/(R+550)) ≈ 44.5° apart graze 80 km."""
    r = R_EARTH_KM + 550.0
    limit = 2 * math.acos((R_EARTH_KM + 80.0) / r)
    a = np.array([r, 0.0, 0.0])
    inside = np.array([r * math.cos(limit * 0.99), r * math.sin(limit * 0.99), 0.0])
    outside = np.array([r * math.cos(limit * 1.01), r * math.sin(limit * 1.01), 0.0])
    assert line_of_sight(a, inside) and not line_of_sight(a, outside)


sites_strategy = st.lists(
    st.tuples(st.floats(-50, 50), st.floats(-180, 180)), min_size=2, max_size=4,
    unique_by=lambda p: (round(p[0]), round(p[1])))


@settings(max_examples=12)
@given(sites_strategy)
def test_rtt_above_geodesic_bound_and_symmetric(coords):
    """RTT ≥ 2 × arc / c, where arc is the central angle times the smaller site radius:
    every route stays outside that sphere (ground links rise from the sites, ISLs clear
    80 km), and radial projection onto a sphere never lengthens a curve outside it."""
    sites = [GroundSite(name=f"s{i}", lat_deg=la, lon_deg=lo, min_elevation_deg=10.0)
             for i, (la, lo) in enumerate(coords)]
    scenario = _scenario(Constellation.walker(550, 53, 12, 12, 1), sites)
    names = [s.name for s in sites]
    pairs = [(a, b) for a in names for b in names if a != b]  # both directions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some pairs may have no route at some steps
        result = latency(scenario, pairs=pairs, options={"isl_max_range_km": NO_RANGE_LIMIT_KM})
    rtt = result.rtt
    pos = geodetic_to_itrs([s.lat_deg for s in sites], [s.lon_deg for s in sites],
                           [0.0] * len(sites))
    index = {n: i for i, n in enumerate(names)}
    for row in rtt.filter("is_reachable").iter_rows(named=True):
        a, b = pos[index[str(row["source"])]], pos[index[str(row["destination"])]]
        angle = math.acos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))
        arc = angle * min(np.linalg.norm(a), np.linalg.norm(b))
        assert row["rtt_ms"] >= 2000 * arc / C_KM_PER_S - 1e-9
    forward = rtt.sort("time_utc", "source", "destination")
    backward = rtt.rename({"source": "destination", "destination": "source"}).select(
        forward.columns).cast({"source": forward["source"].dtype,
                               "destination": forward["destination"].dtype}).sort(
        "time_utc", "source", "destination")
    assert forward["rtt_ms"].to_list() == backward["rtt_ms"].to_list()
