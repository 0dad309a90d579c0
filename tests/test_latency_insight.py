"""Event to insight: revisit from access windows, onboard processing by hand, delivery
modes against each other, never-imaged events kept explicitly."""
from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from workbench.analyses.network.insight import (
    MODES,
    event_to_insight,
    imaging_elevation_deg,
    random_events,
)
from workbench.analyses.network.roundtrip import UnreachableWarning
from workbench.model import (
    ComputeChip,
    ComputePayload,
    Constellation,
    EventResponse,
    GroundSegment,
    GroundSite,
    ModelError,
    Platform,
    Scenario,
)
from workbench.orbits.access import access_windows

EPOCH = datetime(2026, 6, 21, tzinfo=UTC)
USER = GroundSite(name="E-Town", lat_deg=39.795, lon_deg=116.506, role="user")
GATEWAYS = (GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4, role="gateway"),
            GroundSite(name="Kashgar", lat_deg=39.5, lon_deg=75.93, role="gateway"),
            GroundSite(name="Sanya", lat_deg=18.31, lon_deg=109.31, role="gateway"))
REGION = EventResponse(lat_min_deg=20.0, lat_max_deg=45.0, lon_min_deg=80.0,
                       lon_max_deg=125.0, events_per_day=24.0, processing_gop=1000.0,
                       result_size_mb=2.0, deadline_s=900.0)


def _scenario(**kw):
    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5, tid_krad=20.0,
                       unit_cost_usd=1000.0)
    platform = Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5,
                        downlink_rate_gbps=1.0)
    return Scenario(name="t", epoch_utc=EPOCH, duration_s=6 * 3600.0, step_s=30.0,
                    constellation=Constellation.walker(530, 45, 12, 12, 1), platform=platform,
                    payload=ComputePayload(chip=chip, count=2),
                    ground=GroundSegment(sites=(USER, *GATEWAYS)), applications=(REGION,), **kw)


def test_imaging_elevation_by_hand():
    """cos ε = (R + h)/R · sin η: η = 30°, h = 550 km → 6928.137/6378.137 × 0.5 = 0.543114
    → ε = 57.10°; nadir only (η → 0) → ε → 90°."""
    assert imaging_elevation_deg(30.0, 550.0) == pytest.approx(57.10, abs=0.01)
    assert imaging_elevation_deg(1e-6, 550.0) == pytest.approx(90.0, abs=1e-4)


def test_random_events_stay_in_the_region_and_window():
    events = random_events(REGION, 500, EPOCH, 3600.0, seed=3)
    assert events["lat_deg"].min() >= 20.0 and events["lat_deg"].max() <= 45.0
    assert events["lon_deg"].min() >= 80.0 and events["lon_deg"].max() <= 125.0
    span = (events["time_utc"].max() - EPOCH).total_seconds()
    assert 0 <= span <= 3600.0
    assert events.equals(random_events(REGION, 500, EPOCH, 3600.0, seed=3))


@pytest.fixture(scope="module")
def explicit():
    events = pl.DataFrame({"lat_deg": [30.0, 35.0], "lon_deg": [110.0, 100.0],
                           "time_utc": [EPOCH + timedelta(minutes=10),
                                        EPOCH + timedelta(minutes=70)]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        return events, event_to_insight(_scenario(), events)


def test_revisit_is_the_first_access_window_after_the_event(explicit):
    events, result = explicit
    mask = result.info["imaging_elevation_deg"]
    for k, ev in enumerate(events.iter_rows(named=True)):
        site = GroundSite(name="p", lat_deg=ev["lat_deg"], lon_deg=ev["lon_deg"], role="target")
        windows = access_windows(_scenario().constellation, [site], _scenario().time_grid,
                                 min_elevation_deg=mask)
        after = windows.filter(pl.col("set_utc") >= ev["time_utc"])
        first = after.with_columns(start=pl.max_horizontal("rise_utc", pl.lit(ev["time_utc"])))
        first = first.sort("start").row(0, named=True)
        row = result.events.filter((pl.col("event_id") == k)
                                   & (pl.col("mode").cast(pl.String) == "bent_pipe")).row(
            0, named=True)
        assert row["image_utc"] == first["start"]
        assert row["sat_id"] == first["sat_id"]


def test_processing_by_hand(explicit):
    """1,000 GOP on 2 × 100 TOPS at 50 % efficiency: 1000 / (100 × 1000) = 0.01 s;
    bent pipe on 1,000 ground TOPS: 1000 / 1e6 = 0.001 s."""
    _, result = explicit
    onboard = result.events.filter(pl.col("mode").cast(pl.String) != "bent_pipe")
    assert onboard["processing_s"].drop_nulls().to_numpy() == pytest.approx(0.01)
    ground = result.events.filter(pl.col("mode").cast(pl.String) == "bent_pipe")
    assert ground["processing_s"].drop_nulls().to_numpy() == pytest.approx(0.001)


def test_modes_compare_as_they_must(explicit):
    _, result = explicit
    wide = result.events.pivot("mode", index="event_id", values="insight_s")
    isl, sf, bp = (wide[m].to_numpy().astype(float) for m in MODES)
    ok = ~np.isnan(isl) & ~np.isnan(sf)
    assert (isl[ok] <= sf[ok] + 1e-9).all()  # ISLs never make it later
    # raw data (a 30 km × 30 km scene would be bigger, here the 1,000 MB default) takes
    # 8 s at 1 Gbps where the 2 MB result takes 16 ms: the bent pipe is never earlier than
    # store-and-forward through the same contact
    both = ~np.isnan(sf) & ~np.isnan(bp)
    assert (bp[both] >= sf[both] - 0.01).all()
    assert result.info["raw_data_mb"] == 1000.0


def test_events_never_imaged_are_kept_with_a_warning():
    events = pl.DataFrame({"lat_deg": [-89.0, 35.0], "lon_deg": [0.0, 100.0],
                           "time_utc": [EPOCH + timedelta(minutes=5)] * 2})
    with pytest.warns(UnreachableWarning, match="never imaged"):
        result = event_to_insight(_scenario(), events)
    polar = result.events.filter(pl.col("event_id") == 0)
    assert polar.height == len(MODES)
    assert not polar["is_delivered"].any()
    assert polar["insight_s"].null_count() == len(MODES)
    assert polar["image_utc"].null_count() == len(MODES)


def test_summary_counts_and_bad_input():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        result = event_to_insight(_scenario(), options={"n_events": 6, "seed": 1})
    assert result.by_mode["n_events"].to_list() == [6, 6, 6]
    assert result.by_mode["mode"].cast(pl.String).to_list() == list(MODES)
    assert set(result.by_mode["within_deadline_frac"].to_list()) <= {
        x / 6 for x in range(7)}
    with pytest.raises(ModelError, match="user"):
        event_to_insight(_scenario(), user="Nobody")
    with pytest.raises(ModelError, match="events"):
        event_to_insight(_scenario(), pl.DataFrame({"lat": [1.0]}))
    assert math.isfinite(result.info["deadline_s"])
