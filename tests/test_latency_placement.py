"""Compute placement: the four options against hand-worked values and each other."""
from __future__ import annotations

import warnings
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from workbench.analyses.network.links import great_circle_km
from workbench.analyses.network.offload import OPTIONS, placement
from workbench.analyses.network.roundtrip import UnreachableWarning
from workbench.model import (
    ComputeChip,
    ComputePayload,
    ComputeService,
    Constellation,
    GroundSegment,
    GroundSite,
    ModelError,
    Platform,
    Scenario,
)
from workbench.model.constants import C_KM_PER_S

EPOCH = datetime(2026, 6, 21, tzinfo=UTC)
ONE_MICROSECOND_MS = 1e-3

USER = GroundSite(name="E-Town", lat_deg=39.795, lon_deg=116.506, role="user",
                  min_elevation_deg=10.0)
DC = GroundSite(name="Ulanqab DC", lat_deg=41.0, lon_deg=113.13, role="datacenter")
GATEWAY = GroundSite(name="Kashgar", lat_deg=39.5, lon_deg=75.93, role="gateway")


def _scenario(sites, **kw):
    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5, tid_krad=20.0,
                       unit_cost_usd=1000.0)
    platform = Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5,
                        isl_max_range_km=20000.0)
    return Scenario(name="t", epoch_utc=EPOCH, duration_s=3600.0, step_s=60.0,
                    constellation=Constellation.walker(550, 53, 12, 12, 1), platform=platform,
                    payload=ComputePayload(chip=chip, count=2), ground=GroundSegment(sites=sites),
                    **kw)


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)  # gaps in a 144-sat shell
        return placement(_scenario((USER, DC, GATEWAY)))


def _option(frame: pl.DataFrame, option: str) -> pl.DataFrame:
    return frame.filter(pl.col("option").cast(pl.String) == option).sort("time_utc")


def test_every_option_has_a_row_per_step(result):
    assert result.rtt.height == 61 * len(OPTIONS)
    assert result.rtt.group_by("time_utc").len()["len"].unique().to_list() == [4]
    assert result.info["free_tops"].startswith("every satellite: payload 200")


def test_ground_fibre_by_hand(result):
    """2 × great circle × 1.468 / c (detour 1)."""
    gc = float(great_circle_km(USER.lat_deg, USER.lon_deg, DC.lat_deg, DC.lon_deg))
    expected = 2000.0 * gc * 1.468 / C_KM_PER_S
    fibre = _option(result.rtt, "ground_fibre")
    assert fibre["rtt_ms"].to_numpy() == pytest.approx(expected, abs=ONE_MICROSECOND_MS)
    assert fibre["datacenter"].unique().to_list() == ["Ulanqab DC"]


def test_uniform_free_compute_serves_from_the_overhead_satellite(result):
    overhead = _option(result.rtt, "overhead")
    within = _option(result.rtt, "within_k_hops")
    assert overhead["is_reachable"].to_list() == within["is_reachable"].to_list()
    ok = overhead["is_reachable"].to_numpy()
    np.testing.assert_allclose(within["rtt_ms"].to_numpy()[ok], overhead["rtt_ms"].to_numpy()[ok],
                               atol=ONE_MICROSECOND_MS)
    assert (within.filter("is_reachable")["n_isl_hops"] == 0).all()


def test_ground_via_gateway_is_never_faster_than_overhead(result):
    overhead = _option(result.rtt, "overhead")["rtt_ms"].to_numpy()
    via = _option(result.rtt, "ground_via_gateway")["rtt_ms"].to_numpy()
    both = ~np.isnan(overhead) & ~np.isnan(via)
    assert both.any()
    assert (via[both] >= overhead[both] - 1e-9).all()


def test_win_fractions_sum_to_one_where_anything_is_reachable(result):
    wins = result.by_option.group_by("user").agg(pl.col("win_frac").sum())
    assert wins["win_frac"].to_list() == [pytest.approx(1.0)]
    best = result.rtt.filter("is_best")
    assert best.group_by("time_utc").len()["len"].max() == 1


def test_free_compute_frame_and_hop_limit():
    """Only satellite 0 has free compute: option b serves from it or from nowhere."""
    scenario = _scenario((USER, DC, GATEWAY), applications=(ComputeService(
        demand_tops_per_user=5.0),))
    free = pl.DataFrame({"sat_id": [0], "free_tops": [10.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        res = placement(scenario, free_tops=free, options={"k_hops": 2})
    assert res.info["demand_tops"] == 5.0
    within = _option(res.rtt, "within_k_hops").filter("is_reachable")
    assert within["sat_id"].unique().to_list() in ([0], [])
    assert (within["n_isl_hops"] <= 2).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        none = placement(scenario, free_tops=0.0)
    assert not _option(none.rtt, "within_k_hops")["is_reachable"].any()


def test_no_datacentre_gives_unreachable_rows_and_a_warning():
    with pytest.warns(UnreachableWarning, match="no data-centre sites"):
        res = placement(_scenario((USER, GATEWAY)))
    assert not _option(res.rtt, "ground_fibre")["is_reachable"].any()


def test_bad_user_names_the_field():
    with pytest.raises(ModelError, match="users"):
        placement(_scenario((USER, DC)), users=["Nobody"])
