"""Bad input: sites never in view, pairs without a path at some steps, ISL ranges too short
to connect anything — explicit unreachable rows and a warning, never silent zeros or
crashes; and clear errors for malformed requests. Plus the result API (paths)."""
from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from workbench.analyses.network.roundtrip import UnreachableWarning, latency
from workbench.model import (
    ComputeChip,
    ComputePayload,
    Constellation,
    GroundSegment,
    GroundSite,
    ModelError,
    Platform,
    Scenario,
)

NO_RANGE_LIMIT_KM = 100_000.0
"""An ISL range beyond any line of sight between LEO satellites (< 17,000 km)."""

EPOCH = datetime(2026, 6, 21, tzinfo=UTC)


def _scenario(sites, *, constellation=None, duration_s=1800.0):
    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5, tid_krad=20.0,
                       unit_cost_usd=1000.0)
    platform = Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5)
    return Scenario(name="t", epoch_utc=EPOCH, duration_s=duration_s, step_s=60.0,
                    constellation=constellation or Constellation.walker(550, 53, 12, 12, 1),
                    platform=platform, payload=ComputePayload(chip=chip),
                    ground=GroundSegment(sites=tuple(sites)))


BEIJING = GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4, min_elevation_deg=10.0)
SHANGHAI = GroundSite(name="Shanghai", lat_deg=31.2, lon_deg=121.5, min_elevation_deg=10.0)
SOUTH_POLE = GroundSite(name="South Pole", lat_deg=-90.0, lon_deg=0.0, min_elevation_deg=10.0)


def test_site_never_in_view_gives_unreachable_rows_and_a_warning():
    scenario = _scenario([BEIJING, SHANGHAI, SOUTH_POLE])
    with pytest.warns(UnreachableWarning, match="never linked to any satellite: South Pole"):
        result = latency(scenario)
    polar = result.rtt.filter(pl.col("destination").cast(pl.String) == "South Pole")
    assert polar.height == 2 * 31
    assert not polar["is_reachable"].any()
    assert polar["rtt_ms"].null_count() == polar.height  # null, never 0
    assert polar["n_hops"].null_count() == polar.height
    assert result.unreachable.height >= polar.height
    row = result.by_pair.filter(pl.col("destination").cast(pl.String) == "South Pole")
    assert row["reachable_frac"].to_list() == [0.0, 0.0]
    assert row["rtt_ms_p50"].null_count() == 2
    sites = result.sites.filter(pl.col("site") == "South Pole")
    assert sites["n_steps_linked"].item() == 0


def test_isl_range_too_short_disconnects_distant_sites():
    far = GroundSite(name="London", lat_deg=51.5, lon_deg=-0.1, min_elevation_deg=10.0)
    scenario = _scenario([BEIJING, far])
    with pytest.warns(UnreachableWarning, match="only 0 of 288 \\+Grid links are within isl_max_range_km=1"):
        result = latency(scenario, options={"isl_max_range_km": 1.0})
    assert not result.rtt["is_reachable"].any()
    assert result.rtt["rtt_ms"].null_count() == result.rtt.height
    # with an unlimited laser the same pair connects at every step
    ok = latency(scenario, options={"isl_max_range_km": NO_RANGE_LIMIT_KM})
    assert ok.rtt["is_reachable"].all()


def test_pair_with_gaps_keeps_every_step():
    """A sparse constellation: some steps have a route, some not; all steps are rows."""
    sparse = Constellation.walker(550, 53, 3, 4, 1)
    scenario = _scenario([BEIJING, SHANGHAI], constellation=sparse, duration_s=7200.0)
    with pytest.warns(UnreachableWarning):
        result = latency(scenario, options={"isl": "none"})
    assert result.rtt.height == 121
    reachable = result.rtt["is_reachable"]
    assert 0 < reachable.sum() < 121
    assert (result.rtt.filter("is_reachable")["rtt_ms"] > 0).all()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"pairs": [("Beijing", "Atlantis")]}, "pairs[0]"),
    ({"pairs": [("Beijing", "Beijing")]}, "pairs[0]"),
    ({"pairs": ["Nowhere", "Beijing"]}, "pairs"),
    ({"options": {"isl": "mesh"}}, "isl"),
    ({"options": {"isl_max_range_km": -5.0}}, "isl_max_range_km"),
    ({"options": {"fibre_detour_factor": 0.5}}, "fibre_detour_factor"),
    ({"options": {"min_elevation_deg": 120.0}}, "min_elevation_deg"),
])
def test_bad_requests_name_the_field(kwargs, field):
    scenario = _scenario([BEIJING, SHANGHAI])
    with pytest.raises(ModelError, match=field.replace("[", r"\[").replace("]", r"\]")):
        latency(scenario, **kwargs)


def test_paths_frame_and_path_lookup():
    scenario = _scenario([BEIJING, SHANGHAI], duration_s=600.0)
    result = latency(scenario, pairs=[("Shanghai", "Beijing")])
    paths = result.paths
    row = result.rtt.row(0, named=True)
    path = paths.filter(pl.col("path_id") == row["path_id"]).row(0, named=True)
    n_sats = result.info["n_sats"]
    assert path["node_ids"][0] == n_sats + 0 and path["node_ids"][-1] == n_sats + 1
    assert path["sat_ids"] == path["node_ids"][1:-1]
    assert path["n_hops"] == row["n_hops"]
    assert result.path("Shanghai", "Beijing", 0) == path["sat_ids"]
    assert result.path("Beijing", "Shanghai", 0) == path["sat_ids"][::-1]
    changes = result.path_changes
    assert set(changes.columns) >= {"time_utc", "path_id_before", "path_id_after"}
    no_paths = latency(scenario, options={"keep_paths": False})
    with pytest.raises(ModelError, match="keep_paths"):
        _ = no_paths.paths


def test_paths_run_from_source_to_destination_both_ways():
    scenario = _scenario([BEIJING, SHANGHAI], duration_s=600.0)
    result = latency(scenario, pairs=[("Beijing", "Shanghai"), ("Shanghai", "Beijing")])
    n_sats = result.info["n_sats"]
    node = {row["site"]: row["node_id"] for row in result.sites.iter_rows(named=True)}
    paths = result.paths
    assert paths.height > 0
    for row in paths.iter_rows(named=True):
        assert row["node_ids"][0] == node[str(row["source"])]
        assert row["node_ids"][-1] == node[str(row["destination"])]
        assert all(v < n_sats for v in row["node_ids"][1:-1])
    forward = result.path("Beijing", "Shanghai", 3)
    backward = result.path("Shanghai", "Beijing", 3)
    assert forward == backward[::-1]
