"""Power and eclipse: hand-worked references, skyfield's is_sunlit, and invariants."""
from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skyfield.api import EarthSatellite

from workbench.analyses.onboard.power import (
    array_power_w,
    battery_capacity_wh,
    critical_beta_deg,
    eclipse_duration_s,
    eclipse_fraction,
    longest_run_steps,
    orbit_period_s,
    power_budget,
    simulate_power,
)
from workbench.model import (
    ComputeChip,
    ComputePayload,
    Constellation,
    ModelError,
    Platform,
    WalkerShell,
)
from workbench.model.options import CapacityOptions
from workbench.model.timegrid import TimeGrid
from workbench.orbits.frames import ephemeris_de421, skyfield_time, timescale
from workbench.orbits.geometry import orbit_geometry

ONE_SECOND = 1.0
ONE_WH = 1.0
EQUINOX = datetime(2026, 3, 20, 14, 46, tzinfo=UTC)  # March equinox 2026 (USNO: 14:46 UTC)
# the first two satellites of datasets/tle/starlink-2026-01-31.tle (CelesTrak, 2026-01-31)
STARLINK_TLE = """\
STARLINK-1008
1 44714U 19074B   26031.25003471  .00034962  00000+0  11576-2 0  9990
2 44714  53.1572 352.8934 0001355  87.7780 348.0870 15.31011067  5538
STARLINK-1012
1 44718U 19074F   26031.13086365  .00002116  00000+0  83543-4 0  9995
2 44718  53.1592 353.2665 0001766  95.6518 264.4685 15.30204265343110
"""


def _platform(**changes) -> Platform:
    base = dict(name="test bus", dry_mass_kg=150.0, bus_power_w=80.0, solar_array_area_m2=2.0,
                battery_wh=500.0, radiator_area_m2=0.5, source="test")
    return Platform(**{**base, **changes})


def _payload(power_w: float = 30.0, count: int = 2) -> ComputePayload:
    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=power_w, mass_kg=0.5,
                       tid_krad=20.0, unit_cost_usd=1000.0, source="test")
    return ComputePayload(chip=chip, count=count)


@pytest.fixture(scope="module")
def walker_geometry():
    """6 satellites at 550 km, 53°, over 6 hours at 60 s (about four orbits)."""
    c = Constellation.walker(550.0, 53.0, 2, 3, 1, name="w")
    grid = TimeGrid(start=datetime(2026, 3, 20, tzinfo=UTC), duration_s=6 * 3600.0,
                    step_s=60.0)
    return orbit_geometry(c, grid)


# --------------------------------------------------------------------------- eclipse

def test_eclipse_at_beta_zero_550_km_hand_worked():
    # Hand-worked (cylindrical shadow, spherical Earth R = 6378.1366 km):
    # a = 6928.1366 km; T = 2π√(a³/μ) = 2π√(3.32546e11 / 398600.4418) = 5739 s = 95.65 min.
    # At β = 0 the shadow spans 2·asin(R/a) = 2·asin(0.920614) = 2·67.017° = 134.03° of the
    # orbit: 134.03/360 × 95.65 = 35.61 min. Textbook figure: "a 550 km orbit spends about
    # 35–36 minutes of its ~95.6-minute period in eclipse at β = 0" (Wertz & Larson, SMAD
    # 3rd ed., §5.1, eclipse fraction f = acos(√(h² + 2Rh)/((R + h) cos β))/180°).
    period_min = float(orbit_period_s(550.0)) / 60.0
    eclipse_min = float(eclipse_duration_s(550.0, 0.0)) / 60.0
    assert period_min == pytest.approx(95.65, abs=0.01)
    assert eclipse_min == pytest.approx(35.61, abs=0.01)
    assert 35.0 <= eclipse_min <= 36.0


def test_no_eclipse_above_the_critical_beta():
    # β* = asin(R/(R + h)) = asin(6378.1366/6928.1366) = 67.02° at 550 km (hand-worked)
    assert float(critical_beta_deg(550.0)) == pytest.approx(67.02, abs=0.01)
    assert float(eclipse_fraction(550.0, 67.1)) == 0.0
    assert float(eclipse_fraction(550.0, -80.0)) == 0.0
    assert float(eclipse_fraction(550.0, 66.9)) > 0.0


@given(h=st.floats(300.0, 2000.0), b1=st.floats(0.0, 90.0), b2=st.floats(0.0, 90.0))
def test_eclipse_shrinks_with_beta(h, b1, b2):
    lo, hi = sorted((b1, b2))
    assert float(eclipse_fraction(h, hi)) <= float(eclipse_fraction(h, lo)) + 1e-15
    assert float(eclipse_fraction(h, lo)) == float(eclipse_fraction(h, -lo))


def test_simulated_eclipse_at_beta_zero_matches_the_formula():
    # An equatorial orbit at the equinox has the Sun in its plane (β ≈ 0): its eclipses on a
    # 10 s grid must last the hand-worked 35.6 min, to a step plus SGP4's short-period wobble.
    c = Constellation(shells=(WalkerShell(name="eq", altitude_km=550.0, inclination_deg=0.0,
                                          planes=1, sats_per_plane=1, phasing=0),))
    grid = TimeGrid(start=EQUINOX, duration_s=4 * 5739.0, step_s=10.0)
    g = orbit_geometry(c, grid)
    assert abs(float(g.beta_deg.mean())) < 0.5
    shadow = ~g.is_sunlit[0]
    edges = np.flatnonzero(np.diff(shadow.astype(np.int8)))
    runs = [(b - a) * grid.step_s for a, b in zip(edges[:-1], edges[1:], strict=True)
            if shadow[a + 1]]  # interior eclipses only
    assert len(runs) >= 3
    expected = float(eclipse_duration_s(g.altitude_km[0], float(g.beta_deg.mean())))
    assert expected == pytest.approx(35.6 * 60.0, abs=30.0)
    for duration in runs:
        assert duration == pytest.approx(expected, abs=30.0 * ONE_SECOND)


def test_shadow_matches_skyfield_is_sunlit_on_the_same_grid():
    c = Constellation.from_tle(STARLINK_TLE, name="two")
    grid = TimeGrid(start=datetime(2026, 2, 1, tzinfo=UTC), duration_s=86400.0, step_s=60.0)
    g = orbit_geometry(c, grid)
    ts, eph = timescale(), ephemeris_de421()
    t = skyfield_time(grid)
    lines = STARLINK_TLE.splitlines()
    for i in range(2):
        sat = EarthSatellite(lines[3 * i + 1], lines[3 * i + 2], lines[3 * i], ts)
        reference = sat.at(t).is_sunlit(eph)
        assert np.array_equal(g.is_sunlit[i], reference)
        # eclipse durations (runs of shadowed steps) agree exactly as a consequence
        assert longest_run_steps((~g.is_sunlit[i])[None])[0] == longest_run_steps(
            (~reference)[None])[0]


# --------------------------------------------------------------------------- battery and array

def test_battery_sizing_worked_example():
    # SMAD 3rd ed. eq. 11-6, C = P_e T_e / (DoD · n): 1,000 W through a 35.6-min (2,136 s)
    # eclipse at 30 % depth of discharge and 90 % battery-to-load efficiency:
    # 1000 × 2136/3600 = 593.3 Wh delivered; / (0.3 × 0.9) = 2,197.5 Wh of battery.
    assert float(battery_capacity_wh(1000.0, 2136.0, depth_of_discharge_frac=0.3,
                                     efficiency_frac=0.9)) == pytest.approx(2197.5, abs=0.1)


def test_array_power_worked_example():
    # 1361 W/m² × 4 m² × 0.30 = 1,633 W at beginning of life; after 5 years at 2.75 %/yr:
    # × 0.9725⁵ = 0.86986 → 1,420.7 W; at 60° incidence half of the first.
    assert float(array_power_w(4.0, efficiency_frac=0.3)) == pytest.approx(1633.2, abs=0.1)
    assert float(array_power_w(4.0, efficiency_frac=0.3, age_years=5.0,
                               degradation_per_year_frac=0.0275)) == pytest.approx(1420.7, abs=0.1)
    assert float(array_power_w(4.0, efficiency_frac=0.3, cos_incidence=0.5)) == pytest.approx(
        816.6, abs=0.1)


# --------------------------------------------------------------------------- simulation invariants

@settings(max_examples=25)
@given(area=st.floats(0.05, 20.0), battery=st.floats(50.0, 5000.0),
       bus=st.floats(0.0, 2000.0), chip_w=st.floats(1.0, 3000.0),
       soc=st.floats(0.0, 1.0), policy=st.sampled_from(["steady", "greedy"]),
       pointing=st.sampled_from(["sun_tracking", "single_axis", "zenith_fixed"]))
def test_energy_balance_closes(walker_geometry, area, battery, bus, chip_w, soc, policy,
                               pointing):
    state = simulate_power(
        _platform(solar_array_area_m2=area, battery_wh=battery, bus_power_w=bus),
        _payload(chip_w), walker_geometry,
        options=CapacityOptions(policy=policy, pointing=pointing, initial_soc_frac=soc))
    ps = state.per_satellite
    # generation = load served + curtailed + battery losses + change of stored energy
    balance = ps["load_wh"] + ps["curtailed_wh"] + ps["loss_wh"] + ps["stored_change_wh"]
    np.testing.assert_allclose(ps["generation_wh"], balance, rtol=1e-9, atol=1e-6 * ONE_WH)
    assert np.all(state.soc_frac >= -1e-9) and np.all(state.soc_frac <= 1.0 + 1e-9)
    assert np.all(np.isfinite(state.compute_w)) and np.all(state.compute_w >= 0.0)


@settings(max_examples=25)
@given(a1=st.floats(0.05, 10.0), a2=st.floats(0.05, 10.0), chip_w=st.floats(10.0, 1000.0))
def test_more_array_area_never_lowers_the_duty_cycle(walker_geometry, a1, a2, chip_w):
    small, large = sorted((a1, a2))
    duty = {}
    for area in (small, large):
        state = simulate_power(_platform(solar_array_area_m2=area), _payload(chip_w),
                               walker_geometry)
        duty[area] = state.per_satellite
    assert np.all(duty[large]["power_duty_frac"] >= duty[small]["power_duty_frac"] - 1e-12)
    assert np.all(duty[large]["duty_mean_frac"] >= duty[small]["duty_mean_frac"] - 1e-9)


def test_power_budget_frames_are_complete(small_scenario):
    result = power_budget(small_scenario)
    sats = result["satellites"]
    assert sats.height == 6
    for frame in result.frames.values():
        for column in frame.columns:
            assert frame[column].null_count() == 0
            if frame[column].dtype.is_float():
                assert not frame[column].is_nan().any() and not frame[column].is_infinite().any()


# --------------------------------------------------------------------------- bad input

def test_bad_platform_values_name_the_field():
    with pytest.raises(ModelError, match="solar_array_area_m2"):
        _platform(solar_array_area_m2=-1.0)
    with pytest.raises(ModelError, match="cell_efficiency_frac"):
        _platform(cell_efficiency_frac=1.2)
    with pytest.raises(ModelError, match="area_m2"):
        array_power_w(-1.0, efficiency_frac=0.3)
    with pytest.raises(ModelError, match="efficiency_frac"):
        array_power_w(1.0, efficiency_frac=1.5)
    with pytest.raises(ModelError, match="beta_deg"):
        eclipse_fraction(550.0, 120.0)


def test_bad_options_name_the_option(small_scenario):
    with pytest.raises(ModelError, match="pointing"):
        power_budget(small_scenario, options={"pointing": "at the moon"})
    with pytest.raises(ModelError, match="age_years"):
        power_budget(small_scenario, options={"age_years": -1.0})
    with pytest.raises(ModelError, match="not_an_option"):
        power_budget(small_scenario, options={"not_an_option": 1})


def test_chip_beyond_what_the_bus_can_supply_is_flagged_not_nan(small_scenario,
                                                                 walker_geometry):
    # a 100 kW chip on a 2 m² (~800 W) array: compute is power-limited to a sliver
    small_scenario = small_scenario.replace(  # the geometry's satellites and grid
        constellation=Constellation.walker(550.0, 53.0, 2, 3, 1, name="w"),
        duration_s=walker_geometry.grid.duration_s)
    hungry = small_scenario.replace(payload=_payload(power_w=100_000.0, count=1))
    result = power_budget(hungry, geometry=walker_geometry)
    sats = result["satellites"]
    assert sats["is_power_limited"].all()
    assert (sats["power_duty_frac"] < 0.02).all()
    assert result.summary["n_power_limited"] == 6 and result.warnings
    # a bus load above anything the array can deliver: infeasible, flagged, still finite
    starving = small_scenario.replace(platform=_platform(bus_power_w=5000.0))
    result = power_budget(starving, geometry=walker_geometry)
    sats = result["satellites"]
    assert sats["is_infeasible"].all() and (sats["power_duty_frac"] == 0.0).all()
    assert result.summary["n_infeasible"] == 6
    assert any("infeasible" in w for w in result.warnings)
    for column in sats.columns:
        if sats[column].dtype.is_float():
            assert sats[column].is_finite().all(), column
    assert math.isfinite(result.summary["duty_mean_frac"])


def test_short_grids_fall_back_to_the_analytic_orbit(small_scenario):
    # A 10-minute grid sees a sixth of an orbit: its sunlit share would be 0 or 1. The budget
    # then uses the circular orbit at the mean beta (1 − f_ecl(β)); over a full day the
    # simulated shadow (skyfield's test) must agree with that formula.
    day = power_budget(small_scenario.replace(duration_s=86400.0))["satellites"]
    short = power_budget(small_scenario.replace(duration_s=600.0))["satellites"]
    np.testing.assert_allclose(short["sunlit_frac"], day["sunlit_frac"], atol=0.01)
    assert (short["power_duty_frac"] == day["power_duty_frac"]).all()
    assert not short["is_infeasible"].any()
