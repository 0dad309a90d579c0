"""Remote-sensing data pipeline: hand-worked imager rates, conservation, data loss."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analyses.onboard.compute import effective_tops
from workbench.analyses.onboard.datapipe import (
    data_pipeline,
    frame_deadline_s,
    gateway_contact,
    ground_speed_km_per_s,
    sensor_data_rate_bps,
    simulate_storage,
    tiles_needed_per_s,
    tiles_processable_per_s,
)
from workbench.analyses.onboard.power import simulate_power
from workbench.model import ComputeService, ModelError, RemoteSensingInference
from workbench.model.options import CapacityOptions
from workbench.orbits.geometry import orbit_geometry

ONE_BIT = 1.0


def test_ground_speed_at_550_km():
    # a = 6378.137 + 550 = 6928.137 km; v = √(398600.4418 / 6928.137) = 7.5851 km/s;
    # v_g = v R⊕ / a = 7.5851 × 6378.137 / 6928.137 = 6.9829 km/s (SMAD 3rd ed. §5.1).
    assert float(ground_speed_km_per_s(550.0)) == pytest.approx(6.9829, abs=1e-4)


def test_sensor_data_rate_of_a_stated_imager():
    # Imager: 30 km swath, 3 m GSD, 4 bands, 12 bits, at 550 km (Denby & Lucia, Orbital Edge
    # Computing, ASPLOS 2020: rate = pixels across × lines per second × bands × bits).
    # 30,000 / 3 = 10,000 pixels across; 6,982.9 / 3 = 2,327.6 lines/s;
    # 10,000 × 2,327.6 × 4 × 12 = 1.1173e9 bit/s.
    app = RemoteSensingInference(swath_km=30.0, gsd_m=3.0, bands=4, bit_depth=12,
                                 tile_px=1024, model_gop_per_tile=100.0)
    assert float(sensor_data_rate_bps(app, 550.0)) == pytest.approx(1.1173e9, rel=1e-4)
    # 1024² pixels × 48 bits = 5.033e7 bits per tile → 22.20 tiles/s
    assert float(tiles_needed_per_s(app, 550.0)) == pytest.approx(22.20, abs=0.01)
    # frame deadline: 1024 × 3 m / 6,982.9 m/s = 0.4399 s
    assert float(frame_deadline_s(app, 550.0)) == pytest.approx(0.4399, abs=1e-4)
    # 100 TOPS at 50 % utilisation on 100 GOP tiles: 100e12 × 0.5 / 100e9 = 500 tiles/s
    assert float(tiles_processable_per_s(app, 100.0, utilisation_frac=0.5)) == 500.0


def test_sentinel_2_like_imager():
    # Sentinel-2 MSI-like at 786 km: 290 km swath, 10 m GSD, 4 bands, 12 bits.
    # a = 7164.137 km, v = √(398600.4418/7164.137) = 7.4591 km/s, v_g = 7.4591 × 6378.137 /
    # 7164.137 = 6.6408 km/s; 29,000 px × 664.08 lines/s × 48 = 9.244e8 bit/s.
    app = RemoteSensingInference(swath_km=290.0, gsd_m=10.0, bands=4, bit_depth=12)
    assert float(sensor_data_rate_bps(app, 786.0)) == pytest.approx(9.244e8, rel=1e-3)


@pytest.fixture
def flows_setup(small_scenario):
    s = small_scenario
    geometry = orbit_geometry(s.constellation, s.time_grid)
    state = simulate_power(s.platform, s.payload, geometry)
    tops = effective_tops(s.payload, state.compute_w)
    contact = gateway_contact(geometry, s.ground.sites)
    return s, geometry, tops, contact


@settings(max_examples=20)
@given(storage_tb=st.floats(1e-4, 10.0), downlink=st.floats(0.0, 10.0),
       reduction=st.floats(0.001, 1.0), gop=st.floats(1.0, 1e5),
       imaging=st.sampled_from(["sunlit", "continuous"]))
def test_data_volumes_are_conserved(flows_setup, storage_tb, downlink, reduction, gop, imaging):
    s, geometry, tops, contact = flows_setup
    app = RemoteSensingInference(data_reduction_frac=reduction, model_gop_per_tile=gop,
                                 imaging_duty_frac=0.5)
    flows = simulate_storage(app, storage_tb, downlink, geometry, tops, contact,
                             options=CapacityOptions(imaging=imaging))
    bp, io = flows["bent_pipe"]["per_sat"], flows["in_orbit"]["per_sat"]
    scale = max(float(bp["acquired_bits"].max()), 1.0) * 1e-12 + ONE_BIT
    np.testing.assert_allclose(bp["acquired_bits"], bp["downlinked_bits"] + bp["lost_raw_bits"]
                               + bp["raw_end_bits"], atol=scale)
    np.testing.assert_allclose(io["acquired_bits"], io["processed_bits"] + io["lost_raw_bits"]
                               + io["raw_end_bits"], atol=scale)
    np.testing.assert_allclose(io["processed_bits"] * reduction, io["downlinked_bits"]
                               + io["lost_product_bits"] + io["product_end_bits"], atol=scale)
    for mode in ("bent_pipe", "in_orbit"):
        stored = flows[mode]["per_time"]["stored_bits"]
        assert np.all(stored <= storage_tb * 8e12 * geometry.n_sats * (1 + 1e-9))


def test_full_storage_loses_data_and_says_so(small_scenario):
    # 1 GB of storage, no gateway: every bit beyond 1 GB is lost, in both modes
    s = small_scenario.replace(
        payload=small_scenario.payload.replace(storage_tb=0.001),
        ground=small_scenario.ground.replace(sites=tuple(
            site.replace(role="user") for site in small_scenario.ground.sites)))
    result = data_pipeline(s)
    summary = result["data_summary"]
    assert (summary["n_sats_losing_data"] > 0).all()
    assert (summary["lost_tb_per_day"] > 0).all()
    assert any("no gateway" in w for w in result.warnings)
    assert any("storage overflows" in w for w in result.warnings)
    assert (result["data_pipeline"]["storage_used_frac_max"] <= 1.0 + 1e-9).all()


def test_processing_in_orbit_relieves_a_narrow_downlink(small_scenario):
    # a 10 Mbps downlink cannot carry 1.1 Gbps of raw imagery; products at 2 % can
    s = small_scenario.replace(platform=small_scenario.platform.replace(
        downlink_rate_gbps=0.01))
    result = data_pipeline(s)
    by_mode = {r["mode"]: r for r in result["data_summary"].iter_rows(named=True)}
    assert by_mode["in_orbit"]["backlog_end_tb"] < by_mode["bent_pipe"]["backlog_end_tb"]
    assert by_mode["in_orbit"]["tiles_delivered_per_day"] > \
        by_mode["bent_pipe"]["tiles_delivered_per_day"]


def test_scenario_without_remote_sensing_is_an_error_naming_applications(small_scenario):
    s = small_scenario.replace(applications=(ComputeService(),))
    with pytest.raises(ModelError, match="applications"):
        data_pipeline(s)
    result = data_pipeline(s, application=RemoteSensingInference())
    assert result["data_summary"].height == 2
