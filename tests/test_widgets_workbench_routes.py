"""The Workbench's route picker (no browser): a pair and a time step of the latency result
draw that route on the globe, checked against ``LatencyResult.path`` and SGP4; the picker
follows a recomputed result, says when a pair is unreachable, and is disabled with a
message when the latency analysis cannot give routes."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from workbench.model import Constellation, GroundSegment, GroundSite
from workbench.model.timegrid import TimeGrid
from workbench.orbits.frames import geodetic_to_itrs
from workbench.orbits.propagation import propagate
from workbench.widgets.workbench import GLOBE_SPAN_S, Workbench

ONE_METRE_KM = 1e-3
BEIJING = GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4, role="user")
SHANGHAI = GroundSite(name="Shanghai", lat_deg=31.2, lon_deg=121.5, role="user")
KASHI = GroundSite(name="Kashi", lat_deg=39.5, lon_deg=76.0, role="user")
LATENCY_ONLY = ("latency",)


@pytest.fixture
def routed_scenario(small_scenario):
    """100 satellites with 5,000 km lasers: Beijing–Shanghai is routed at some steps and
    not at others; 2.5 h, so some steps lie past the globe's 2-hour span."""
    return small_scenario.replace(
        constellation=Constellation.walker(550.0, 53.0, 10, 10, 1, name="grid"),
        platform=small_scenario.platform.replace(isl_max_range_km=5000.0),
        ground=GroundSegment(sites=(BEIJING, SHANGHAI)), duration_s=9000.0)


@pytest.fixture
def app(routed_scenario):
    return Workbench(routed_scenario, analyses=LATENCY_ONLY, globe_quality="cheap")


def _route_points_km(app: Workbench) -> np.ndarray:
    (route,) = [p for p in app.globe.czml if p["id"].startswith("route/")]
    return np.asarray(route["polyline"]["positions"]["cartesian"]).reshape(-1, 3) / 1000.0


def _step(result, source: str, destination: str, *, is_reachable: bool, after_s: float = 0.0
          ) -> int:
    """Index in the result's time steps of the last step of the pair with that state."""
    times = result.rtt["time_utc"].unique().sort()
    rows = result.rtt.filter((pl.col("source").cast(pl.String) == source)
                             & (pl.col("destination").cast(pl.String) == destination)
                             & (pl.col("is_reachable") == is_reachable))
    assert len(rows) > 0
    when = rows["time_utc"][-1]
    assert (when - times[0]).total_seconds() >= after_s
    return times.index_of(when)


def test_picked_route_is_the_latency_path_drawn_where_sgp4_puts_it(app, routed_scenario):
    result = app.results["latency"]
    picker = app.route_picker
    assert picker in app.outputs["latency"].children
    assert [v for _label, v in picker.pair.options] == [("Beijing", "Shanghai")]
    # a step beyond the globe's 2-hour span: the route is propagated to that time anyway
    k = _step(result, "Beijing", "Shanghai", is_reachable=True, after_s=GLOBE_SPAN_S)
    picker.time_index.value = k
    when = picker.times_utc[k]
    assert picker.time_label.value == f"{when:%Y-%m-%d %H:%M:%S} UTC"
    assert not any(p["id"].startswith("route/") for p in app.globe.czml)  # not yet shown
    picker.show_toggle.value = True

    expected_sats = result.path("Beijing", "Shanghai", when)  # the reference
    assert expected_sats and picker.sat_ids == expected_sats
    instant = TimeGrid(start=when, duration_s=0.0, step_s=60.0)
    sats_km = propagate(routed_scenario.constellation, instant, frame="itrs",
                        epoch=routed_scenario.epoch_utc)[expected_sats, 0]
    expected_km = np.vstack([geodetic_to_itrs(39.9, 116.4, 0.0), sats_km,
                             geodetic_to_itrs(31.2, 121.5, 0.0)])
    np.testing.assert_allclose(_route_points_km(app), expected_km, atol=ONE_METRE_KM)
    assert f"{len(expected_sats)} satellites" in picker.status.value

    picker.show_toggle.value = False  # hiding removes the route
    assert not any(p["id"].startswith("route/") for p in app.globe.czml)


def test_unreachable_step_says_so_and_draws_nothing(app):
    result = app.results["latency"]
    picker = app.route_picker
    picker.show_toggle.value = True
    k = _step(result, "Beijing", "Shanghai", is_reachable=False)
    picker.time_index.value = k
    assert result.path("Beijing", "Shanghai", picker.times_utc[k]) == []
    assert picker.sat_ids == []
    assert "unreachable" in picker.status.value
    assert f"{picker.times_utc[k]:%H:%M:%S} UTC" in picker.status.value
    assert not any(p["id"].startswith("route/") for p in app.globe.czml)


def test_picker_follows_the_recomputed_result_and_keeps_the_pair(app):
    picker = app.route_picker
    picker.show_toggle.value = True
    picker.time_index.value = 3
    app.add_site(KASHI)  # a scenario change: the latency analysis runs again
    result = app.results["latency"]
    assert picker.latency is result
    assert {v for _label, v in picker.pair.options} == {
        ("Beijing", "Shanghai"), ("Beijing", "Kashi"), ("Shanghai", "Kashi")}
    assert picker.pair.value == ("Beijing", "Shanghai") and picker.time_index.value == 3
    assert picker.show_toggle.value and not picker.show_toggle.disabled
    assert picker.sat_ids == result.path("Beijing", "Shanghai", picker.times_utc[3])

    picker.pair.value = ("Beijing", "Kashi")
    app.scenario = app.scenario.replace(ground=GroundSegment(sites=(BEIJING, SHANGHAI)))
    assert [v for _label, v in picker.pair.options] == [("Beijing", "Shanghai")]
    assert picker.pair.value == ("Beijing", "Shanghai")  # Kashi is gone: the first pair


def test_picker_is_disabled_with_a_message_when_latency_fails(routed_scenario):
    app = Workbench(routed_scenario.replace(ground=GroundSegment(sites=(BEIJING,))),
                    analyses=LATENCY_ONLY, globe_quality="cheap")
    picker = app.route_picker
    assert isinstance(app.results["latency"], Exception)  # one site: no pair to route
    assert picker in app.outputs["latency"].children
    assert picker.pair.disabled and picker.time_index.disabled and picker.show_toggle.disabled
    assert "No routes to pick" in picker.status.value
    assert "at least two ground sites" in picker.status.value


def test_picker_waits_for_recompute_when_not_automatic(app):
    app.auto.value = False
    app.route_picker.time_index.value = _step(app.results["latency"], "Beijing", "Shanghai",
                                              is_reachable=True)
    app.route_picker.show_toggle.value = True
    assert any(p["id"].startswith("route/") for p in app.globe.czml)
    app.add_site(KASHI)
    assert app.route_picker.show_toggle.disabled
    assert "recompute" in app.route_picker.status.value
    assert not any(p["id"].startswith("route/") for p in app.globe.czml)
    app.recompute()
    assert not app.route_picker.show_toggle.disabled
    assert len(app.route_picker.pair.options) == 3
