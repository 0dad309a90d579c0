"""Latency figures build from the analysis frames (no physics recomputed)."""
from __future__ import annotations

import warnings
from datetime import UTC, datetime

import polars as pl
import pytest

from workbench.analyses.network.insight import event_to_insight
from workbench.analyses.network.offload import placement
from workbench.analyses.network.roundtrip import UnreachableWarning, latency
from workbench.model import (
    ComputeChip,
    ComputePayload,
    Constellation,
    EventResponse,
    GroundSegment,
    GroundSite,
    Platform,
    Scenario,
)
from workbench.orbits.propagation import ephemeris
from workbench.viz.latency import (
    hops_figure,
    insight_cdf_figure,
    latency_figures,
    placement_figure,
    placement_wins_figure,
    route_map_figure,
    rtt_over_time_figure,
    rtt_vs_distance_figure,
)

EPOCH = datetime(2026, 6, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def scenario():
    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5, tid_krad=20.0,
                       unit_cost_usd=1000.0)
    platform = Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5)
    sites = (GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4, role="gateway"),
             GroundSite(name="Shanghai", lat_deg=31.2, lon_deg=121.5, role="user"),
             GroundSite(name="Shenzhen", lat_deg=22.5, lon_deg=114.1, role="user"),
             GroundSite(name="DC", lat_deg=41.0, lon_deg=113.1, role="datacenter"))
    return Scenario(name="t", epoch_utc=EPOCH, duration_s=1800.0, step_s=60.0,
                    constellation=Constellation.walker(550, 45, 12, 12, 1), platform=platform,
                    payload=ComputePayload(chip=chip), ground=GroundSegment(sites=sites),
                    applications=(EventResponse(lat_min_deg=20, lat_max_deg=40,
                                                lon_min_deg=100, lon_max_deg=120),))


def test_latency_figures(scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        result = latency(scenario)
    fig = rtt_over_time_figure(result.rtt, summary=result.by_pair)
    assert len(fig.data) == 2 * 6  # six pairs, each with its fibre line
    fig = rtt_vs_distance_figure(result.by_pair, label_top=2)
    assert [t.name for t in fig.data][:2] == ["constellation (median)", "speed of light (2d/c)"]
    assert hops_figure(result.rtt).data[0].type == "bar"
    # what the Workbench's Latency tab draws: the same three, by title
    figures = latency_figures(result)
    assert list(figures) == ["RTT over time", "Space vs fibre", "Links per route"]
    assert len(figures["RTT over time"].data) == 2 * 6
    median = figures["Space vs fibre"].data[0]
    assert sorted(median.y) == sorted(result.by_pair["rtt_ms_p50"].drop_nulls().to_list())
    reachable = result.rtt.filter("is_reachable").row(0, named=True)
    src, dst = str(reachable["source"]), str(reachable["destination"])
    sats = result.path(src, dst, reachable["time_utc"])
    positions = ephemeris(scenario.constellation, scenario.time_grid).filter(
        pl.col("time_utc") == reachable["time_utc"])
    fig = route_map_figure(sats, positions, result.sites, src, dst)
    assert len(fig.data[1].lat) == len(sats) + 2


def test_placement_and_insight_figures(scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        placed = placement(scenario)
        insight = event_to_insight(scenario, options={"n_events": 4})
    assert len(placement_figure(placed.rtt).data) >= 3
    assert len(placement_wins_figure(placed.by_option).data) == 4
    fig = insight_cdf_figure(insight.events, deadline_s=600.0)
    assert len(fig.data) == 3
