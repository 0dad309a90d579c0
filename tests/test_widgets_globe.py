"""The globe widget without a browser: the synced names match globe.js, positions travel
as time-major float32 ITRS km, pick events (set as the browser would) reach Python and
the scenario, CZML and the plotly fallback are well formed, Cesium is found offline."""
from __future__ import annotations

import json
import math
import re
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from workbench.model import Constellation, GroundSegment, GroundSite
from workbench.model.timegrid import TimeGrid
from workbench.orbits.propagation import propagate
from workbench.widgets.globe import GLOBE_STATE, Globe, position_buffer, site_from_pick

GLOBE_JS = Path(__file__).resolve().parent.parent / "workbench" / "widgets" / "globe.js"
FLOAT32_ROUNDING_KM = 1e-3  # float32 keeps 7 digits: ~0.5 m at 7,000 km
GRID = TimeGrid(start=datetime(2026, 3, 20, tzinfo=UTC), duration_s=600.0, step_s=60.0)


@pytest.fixture
def globe():
    return Globe(Constellation.walker(550.0, 53.0, 2, 3), grid=GRID)


def test_state_tuple_matches_what_globe_js_reads():
    source = GLOBE_JS.read_text(encoding="utf-8")
    declared = re.search(r"export const GLOBE_STATE = \[(.*?)\];", source, re.DOTALL)
    assert declared is not None
    assert tuple(re.findall(r'"(\w+)"', declared.group(1))) == GLOBE_STATE
    used = set(re.findall(r'model\.(?:get|set)\("(\w+)"', source))
    used |= set(re.findall(r'"change:(\w+)"', source))
    assert used <= set(GLOBE_STATE), used - set(GLOBE_STATE)
    assert used == set(GLOBE_STATE), set(GLOBE_STATE) - used  # nothing synced in vain


def test_state_names_are_synced_traits():
    synced = {n for n, t in Globe.class_traits().items() if t.metadata.get("sync")}
    assert set(GLOBE_STATE) <= synced


def test_position_buffer_is_time_major_float32_itrs_km(globe):
    r_km = propagate(globe.constellation, GRID, frame="itrs")
    decoded = np.frombuffer(globe.positions, dtype="<f4").reshape(len(GRID), 6, 3)
    np.testing.assert_allclose(decoded, r_km.transpose(1, 0, 2), atol=FLOAT32_ROUNDING_KM)
    assert (globe.n_times, globe.n_sats, globe.step_s) == (11, 6, 60.0)
    assert globe.epoch_utc == "2026-03-20T00:00:00Z"
    assert len(globe.sat_rgba) == 6 * 4


def test_position_buffer_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"r_km.shape=\(4, 3\)"):
        position_buffer(np.zeros((4, 3)))


def test_bytes_per_animation_second(globe):
    # 11 steps × 6 sats × 12 bytes + 24 colour bytes, over 600 s of data at 60× = 10 s
    assert globe.bytes_per_animation_s == pytest.approx((11 * 6 * 12 + 24) / 10.0)


def test_ground_pick_from_the_browser_adds_a_site_to_the_scenario(globe, small_scenario):
    sites: list[GroundSite] = []
    globe.on_ground_click(sites.append)
    globe.show_ground(small_scenario.ground)
    # what the browser sends through the widget comm after a click on the ground
    globe.set_state({"picked_site": {"lat_deg": 31.23, "lon_deg": 121.47, "role": "user",
                                     "seq": 1}})
    assert len(sites) == 1
    site = sites[0]
    assert (site.name, site.role, site.lat_deg, site.lon_deg) == ("user-1", "user", 31.23,
                                                                  121.47)
    scenario = small_scenario.replace(ground=small_scenario.ground.with_site(site))
    assert scenario.ground["user-1"] == site
    assert len(scenario.ground) == len(small_scenario.ground) + 1


def test_pick_names_are_unique():
    site = site_from_pick({"lat_deg": 1.0, "lon_deg": 2.0, "role": "gateway"},
                          taken={"gateway-1", "gateway-2"})
    assert site.name == "gateway-3"


def test_satellite_pick_selects_and_describes(globe):
    chosen: list[int] = []
    globe.on_select(chosen.append)
    globe.set_state({"selected_sat_id": 4})
    assert chosen == [4]
    assert "walker-P1-S1" in globe.selected_info
    globe.set_state({"selected_sat_id": -1})
    assert globe.selected_info == ""


def test_workbench_globe_click_round_trips_into_the_scenario(small_scenario):
    from workbench.analyses.registry import AnalysisSpec
    from workbench.widgets.workbench import Workbench

    app = Workbench(small_scenario, auto=False,
                    analyses=(AnalysisSpec("none_yet", "X", "workbench.analyses:none_yet"),))
    app.pick_role.value = "datacenter"
    assert app.globe.pick_role == "datacenter"
    app.globe.set_state({"picked_site": {"lat_deg": 39.79, "lon_deg": 116.53,
                                         "role": "datacenter", "seq": 1}})
    assert app.scenario.ground["datacenter-1"].role == "datacenter"
    assert app.editor.value.ground == app.scenario.ground
    assert any(p["id"] == "site/datacenter-1" for p in app.globe.czml)
    app.globe.set_state({"selected_sat_id": 2})
    assert "payload power" in app.selection.value and "power state" in app.selection.value


def test_czml_ground_sites_and_preamble():
    from workbench.viz.czml import scene_packets

    ground = GroundSegment(sites=(GroundSite(name="Sanya", lat_deg=18.31, lon_deg=109.31,
                                             altitude_m=20.0, role="gateway"),))
    packets = scene_packets(ground=ground)
    assert packets[0]["id"] == "document" and packets[0]["version"] == "1.0"
    assert packets[1]["id"] == "site/Sanya"
    assert packets[1]["position"]["cartographicDegrees"] == [109.31, 18.31, 20.0]
    json.dumps(packets)  # JSON-ready


def test_footprint_half_angle_hand_worked():
    """h = 550 km, ε = 25°: λ = acos(6378.137·cos 25° / 6928.137) − 25° = 8.4508°
    (Wertz & Larson, SMAD 3rd ed. §5.2, hand-worked)."""
    from workbench.viz.czml import footprint_half_angle_rad

    assert math.degrees(footprint_half_angle_rad(550.0, 25.0)) == pytest.approx(8.4508,
                                                                                abs=1e-4)


def test_isl_and_route_packets_are_in_metres():
    import polars as pl

    from workbench.viz.czml import isl_packets, route_packets

    r_km = np.array([[7000.0, 0.0, 0.0], [0.0, 7000.0, 0.0]])
    (isl,) = isl_packets(pl.DataFrame({"sat_a": [0], "sat_b": [1]}), r_km)
    assert isl.polyline.positions.cartesian.values == [7e6, 0.0, 0.0, 0.0, 7e6, 0.0]
    (route,) = route_packets(r_km, name="Beijing-Shanghai")
    assert route.id == "route/Beijing-Shanghai"


def test_plotly_fallback_inlines_the_topojson():
    from workbench.viz.globe_plotly import globe_figure, offline_html, topojson_json

    r_km = propagate(Constellation.walker(550.0, 53.0, 2, 3), GRID, frame="itrs")
    fig = globe_figure(r_km, ground=GroundSegment(sites=(GroundSite(
        name="Beijing", lat_deg=39.9, lon_deg=116.4, role="gateway"),)))
    assert [t.name for t in fig.data] == ["tracks", "satellites", "gateway"]
    assert len(fig.data[1].lat) == 6
    page = offline_html(fig)
    assert "PlotlyGeoAssets.topojson.world_110m" in page
    assert "cdn.plot.ly" not in page.split("</head>")[0]
    assert {"land", "coastlines", "countries"} <= set(topojson_json()["objects"])


def test_cesium_url_order(monkeypatch, tmp_path):
    from workbench.widgets import cesium

    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv(cesium.ENV_URL, raising=False)
    monkeypatch.delenv(cesium.ENV_DIR, raising=False)
    assert cesium.cesium_urls() == [cesium.CESIUM_CDN_URL]
    build = tmp_path / "cesium" / cesium.CESIUM_VERSION / "node_modules" / "cesium" / "Build"
    (build / "Cesium").mkdir(parents=True)
    (build / "Cesium" / "index.js").write_text("export {};\n")
    assert cesium.install_cesium() == build / "Cesium"  # already there: no npm run
    assert cesium.cesium_urls() == [cesium.JUPYTER_SERVER_TOKEN, cesium.CESIUM_CDN_URL]
    monkeypatch.setenv(cesium.ENV_URL, "http://mirror.example/cesium")
    assert cesium.cesium_urls()[0] == "http://mirror.example/cesium/"
    cesium.set_cesium_url("http://127.0.0.1:9000/")
    try:
        assert cesium.cesium_urls()[0] == "http://127.0.0.1:9000/"
    finally:
        cesium.set_cesium_url(None)


def test_jupyter_server_extension_points_and_enable(tmp_path):
    from workbench.widgets import jupyter_server

    assert jupyter_server._jupyter_server_extension_points() == [
        {"module": "workbench.widgets.jupyter_server"}]
    path = jupyter_server.enable(prefix=tmp_path)
    config = json.loads(path.read_text())
    assert config["ServerApp"]["jpserver_extensions"] == {"workbench.widgets.jupyter_server":
                                                          True}


def test_standalone_page_has_state_and_buffers(globe, tmp_path):
    from workbench.widgets.globe_page import apply_browser_sets, write_globe_page

    write_globe_page(globe, tmp_path, cesium_url="http://127.0.0.1:1/")
    state = json.loads((tmp_path / "state.json").read_text())
    assert set(state) == set(GLOBE_STATE) - {"positions", "sat_rgba"} | {"__buffers__"}
    assert (tmp_path / "positions.bin").read_bytes() == globe.positions
    apply_browser_sets(globe, [{"status": "ready"}, {"time_index": 3}])
    assert (globe.status, globe.time_index) == ("ready", 3)


def test_show_route_draws_the_latency_path_through_its_satellites(small_scenario):
    """The route drawn for the globe is the latency analysis's path: site, the path's
    satellites where SGP4 puts them at that instant, site (checked against propagate)."""
    from workbench.analyses import latency
    from workbench.analyses.network.roundtrip import UnreachableWarning
    from workbench.orbits.frames import geodetic_to_itrs

    scenario = small_scenario.replace(
        constellation=Constellation.walker(550.0, 53.0, 12, 12, 1, name="grid"),
        platform=small_scenario.platform.replace(isl_max_range_km=5000.0),
        ground=GroundSegment(sites=(
            GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4, role="user"),
            GroundSite(name="Shanghai", lat_deg=31.2, lon_deg=121.5, role="user"))),
        duration_s=1800.0)
    with warnings.catch_warnings():  # some steps may have no route; we draw a routed one
        warnings.simplefilter("ignore", UnreachableWarning)
        result = latency(scenario, options={"keep_paths": True})
    reachable = result.rtt.filter(pl.col("is_reachable"))
    assert len(reachable) > 0
    when = reachable["time_utc"][0]
    globe = Globe(scenario.constellation, grid=scenario.time_grid)
    sat_ids = globe.show_route(result, "Beijing", "Shanghai", when)
    assert sat_ids == result.path("Beijing", "Shanghai", when) and sat_ids
    route = next(p for p in globe.czml if p["id"].startswith("route/"))
    points_m = np.asarray(route["polyline"]["positions"]["cartesian"]).reshape(-1, 3)
    instant = TimeGrid(start=when, duration_s=0.0, step_s=60.0)
    sats_km = propagate(scenario.constellation, instant, epoch=scenario.epoch_utc)[sat_ids, 0]
    expected_km = np.vstack([geodetic_to_itrs(39.9, 116.4, 0.0), sats_km,
                             geodetic_to_itrs(31.2, 121.5, 0.0)])
    np.testing.assert_allclose(points_m / 1000.0, expected_km, atol=1e-3)
    assert "Beijing → Shanghai" in globe.status


def test_show_route_of_an_unreachable_instant_clears_and_says_so(small_scenario):
    from workbench.analyses import latency
    from workbench.analyses.network.roundtrip import UnreachableWarning

    with pytest.warns(UnreachableWarning):  # the analysis says which pairs break, and why
        result = latency(small_scenario, options={"keep_paths": True})
    unreachable = result.rtt.filter(~pl.col("is_reachable"))
    assert len(unreachable) > 0  # 6 satellites cannot link Beijing and Kashi all the time
    globe = Globe(small_scenario.constellation, grid=small_scenario.time_grid)
    row = unreachable.row(0, named=True)
    assert globe.show_route(result, row["source"], row["destination"], row["time_utc"]) == []
    assert "unreachable" in globe.status
    assert not any(p["id"].startswith("route/") for p in globe.czml)
