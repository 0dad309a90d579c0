"""Thermal: radiator sizing against hand-worked Stefan–Boltzmann figures, and invariants."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analyses.onboard.assessment import capacity
from workbench.analyses.onboard.thermal import (
    radiator_area_m2,
    radiator_capacity_w,
    radiator_temp_k,
    thermal_budget,
    thermal_limits,
)
from workbench.model import ComputeChip, ComputePayload, ModelError, Platform
from workbench.orbits.geometry import orbit_geometry

ONE_CM2_M2 = 1e-4
ONE_WATT = 1.0


def _platform(**changes) -> Platform:
    base = dict(name="test bus", dry_mass_kg=150.0, bus_power_w=80.0, solar_array_area_m2=20.0,
                battery_wh=5000.0, radiator_area_m2=0.5, source="test")
    return Platform(**{**base, **changes})


def _payload(power_w: float = 100.0) -> ComputePayload:
    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=power_w, mass_kg=0.5,
                       tid_krad=20.0, unit_cost_usd=1000.0, source="test")
    return ComputePayload(chip=chip, count=1, overhead_power_w=0.0)


def test_radiator_area_worked_example():
    # A = P / (ε σ (T⁴ − T_sink⁴)) (Gilmore, Spacecraft Thermal Control Handbook vol. 1,
    # 2nd ed., 2002; SMAD 3rd ed. §11.5). P = 1,000 W, ε = 0.85, T = 318 K (45 °C):
    # T⁴ = 318⁴ = 1.022606e10 K⁴. Deep space (T_sink = 0): σT⁴ = 5.670374e-8 × 1.022606e10
    # = 579.86 W/m², × 0.85 = 492.88 W/m² → A = 1000 / 492.88 = 2.029 m².
    # Sink at 250 K: 250⁴ = 3.90625e9; 5.670374e-8 × (1.022606e10 − 3.90625e9) × 0.85
    # = 304.61 W/m² → A = 3.283 m².
    assert float(radiator_area_m2(1000.0, temp_k=318.0, emissivity_frac=0.85,
                                  sink_temp_k=0.0)) == pytest.approx(2.029, abs=ONE_CM2_M2 * 10)
    assert float(radiator_area_m2(1000.0, temp_k=318.0, emissivity_frac=0.85,
                                  sink_temp_k=250.0)) == pytest.approx(3.283,
                                                                       abs=ONE_CM2_M2 * 10)
    assert float(radiator_capacity_w(1.0, temp_k=318.0, emissivity_frac=0.85,
                                     sink_temp_k=0.0)) == pytest.approx(492.88, abs=0.01)


def test_radiator_temperature_at_a_load():
    # 492.88 W on 1 m² at ε 0.85 with a 0 K sink is exactly the 318 K case above
    assert float(radiator_temp_k(492.88, 1.0, emissivity_frac=0.85, sink_temp_k=0.0)) == \
        pytest.approx(318.0, abs=0.01)
    assert float(radiator_temp_k(0.0, 0.0, emissivity_frac=0.85, sink_temp_k=200.0)) == 200.0


def test_thermal_limits_of_an_undersized_radiator():
    # 0.1 m² at 318 K, ε 0.85, sink 200 K: 0.85 × 5.670374e-8 × 0.1 × (1.022606e10 − 1.6e9)
    # = 41.58 W against a 100 W payload → 41.6 % duty, 0.2405 m² needed.
    limits = thermal_limits(_platform(radiator_area_m2=0.1), _payload(100.0), sink_temp_k=200.0)
    assert limits.capacity_w == pytest.approx(41.58, abs=0.01)
    assert limits.duty_frac == pytest.approx(0.4158, abs=1e-4)
    assert limits.area_needed_m2 == pytest.approx(0.2405, abs=1e-4)
    assert limits.is_thermal_limited
    assert limits.radiator_temp_full_load_k > 318.0


@given(a1=st.floats(0.0, 5.0), a2=st.floats(0.0, 5.0), power=st.floats(1.0, 5000.0),
       sink=st.floats(0.0, 300.0))
def test_more_radiator_area_never_lowers_the_duty_cycle(a1, a2, power, sink):
    small, large = sorted((a1, a2))
    d_small = thermal_limits(_platform(radiator_area_m2=small), _payload(power),
                             sink_temp_k=sink).duty_frac
    d_large = thermal_limits(_platform(radiator_area_m2=large), _payload(power),
                             sink_temp_k=sink).duty_frac
    assert d_large >= d_small
    assert 0.0 <= d_small <= 1.0


@pytest.fixture
def small_geometry(small_scenario):
    """One propagation of the small scenario, shared by every Hypothesis example."""
    return orbit_geometry(small_scenario.constellation, small_scenario.time_grid)


@settings(max_examples=10)
@given(a1=st.floats(0.0, 1.0), a2=st.floats(0.0, 1.0))
def test_radiator_area_never_lowers_the_effective_compute(small_scenario, small_geometry,
                                                          a1, a2):
    small, large = sorted((a1, a2))
    scenario = small_scenario.replace(payload=_payload(300.0),
                                      platform=_platform(solar_array_area_m2=20.0))
    tops = []
    for area in (small, large):
        s = scenario.replace(platform=scenario.platform.replace(radiator_area_m2=area))
        tops.append(capacity(s, geometry=small_geometry).summary["effective_tops_total_mean"])
    assert tops[1] >= tops[0] - 1e-9


def test_sink_not_below_radiator_is_an_error_naming_it(small_scenario):
    with pytest.raises(ModelError, match="sink_temp_k"):
        thermal_budget(small_scenario, options={"sink_temp_k": 350.0})
    with pytest.raises(ModelError, match="temp_k"):
        radiator_area_m2(100.0, temp_k=150.0, emissivity_frac=0.9, sink_temp_k=200.0)
    with pytest.raises(ModelError, match="radiator_area_m2"):
        _platform(radiator_area_m2=-0.5)
    with pytest.raises(ModelError, match="emissivity_frac"):
        _platform(emissivity_frac=1.5)


def test_no_radiator_means_no_compute_flagged_not_nan(small_scenario):
    scenario = small_scenario.replace(platform=small_scenario.platform.replace(
        radiator_area_m2=0.0))
    result = capacity(scenario)
    sats = result["satellites"]
    assert (sats["effective_tops_mean"] == 0.0).all()
    assert sats["is_thermal_limited"].all() and (sats["limit"] == "thermal").all()
    assert result.summary["limiting_factor"] == "thermal"
    assert any("thermal-limited" in w for w in result.warnings)
    for name, frame in result.frames.items():
        for column in frame.columns:
            if frame[column].dtype.is_float():
                assert frame[column].is_finite().all(), (name, column)


def test_thermal_budget_frames(small_scenario):
    result = thermal_budget(small_scenario)
    row = result["thermal"].row(0, named=True)
    assert row["payload_power_w"] == pytest.approx(70.0, abs=ONE_WATT)
    curve = result["radiator_curve"]
    assert np.all(np.diff(curve["capacity_w"].to_numpy()) > 0.0)
    assert np.all(np.diff(curve["area_needed_m2"].to_numpy()) < 0.0)
