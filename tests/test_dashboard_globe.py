"""``PanelGlobe``: the notebook globe's state, mirrored both ways onto a Panel component.

(The browser side, served by Panel, is ``test_browser_panel.py``.)
"""
from __future__ import annotations

import pytest

from workbench.model import Constellation


@pytest.fixture()
def pair():
    from workbench.dashboard.globe import PanelGlobe
    from workbench.widgets.globe import Globe

    globe = Globe(Constellation.walker(550.0, 53.0, 4, 4), height=420)
    return globe, PanelGlobe(globe)


def test_panel_params_are_exactly_the_globe_state():
    import panel as pn

    from workbench.dashboard.globe import PanelGlobe
    from workbench.widgets.globe import GLOBE_STATE

    own = set(PanelGlobe.param) - set(pn.custom.AnyWidgetComponent.param)
    assert own == set(GLOBE_STATE) - {"height"}  # height is Panel's own layout parameter
    # (test_widgets_globe checks that globe.js declares the same tuple)


def test_starts_from_the_globe(pair):
    from workbench.widgets.globe import GLOBE_STATE

    globe, view = pair
    for name in GLOBE_STATE:
        if name != "cesium_urls":
            assert getattr(view, name) == getattr(globe, name), name
    assert view.height == 420
    assert len(view.positions) == 16 * globe.n_times * 3 * 4  # float32 xyz per sat per step


def test_python_changes_reach_the_component(pair):
    globe, view = pair
    globe.fly_to(116.4, 39.9, height_km=9000.0)
    globe.pick_role = "target"
    globe.show_constellation(Constellation.walker(1200.0, 87.9, 3, 5), globe.grid)
    assert view.camera == globe.camera and view.camera["height_km"] == 9000.0
    assert view.pick_role == "target"
    assert view.n_sats == 15 and view.positions == globe.positions


def test_browser_picks_reach_the_globe_callbacks(pair):
    globe, view = pair
    selected, sites = [], []
    globe.on_select(selected.append)
    globe.on_ground_click(sites.append)
    view.selected_sat_id = 5  # as the browser would set it
    assert selected == [5] and globe.selected_sat_id == 5
    # the callback's answer (the info panel) travels back to the component
    assert "walker" in view.selected_info and view.selected_info == globe.selected_info
    view.pick_role = "gateway"
    view.picked_site = {"lat_deg": 39.9, "lon_deg": 116.4, "role": "gateway", "seq": 1,
                        "time_ms": 0}
    assert [(s.role, s.lat_deg, s.lon_deg) for s in sites] == [("gateway", 39.9, 116.4)]


def test_cesium_urls_point_at_panels_static_dir(monkeypatch, tmp_path):
    from workbench.dashboard import globe as dashboard_globe
    from workbench.widgets import cesium

    build = tmp_path / "Build" / "Cesium"
    build.mkdir(parents=True)
    (build / "index.js").write_text("export {};")
    monkeypatch.setenv(cesium.ENV_DIR, str(build))
    monkeypatch.delenv(cesium.ENV_URL, raising=False)
    urls = dashboard_globe.panel_cesium_urls(cesium.cesium_urls())
    assert urls == ["/workbench/cesium/", cesium.CESIUM_CDN_URL]
    from workbench.viz.globe_plotly import TOPOJSON_DIR

    # the Cesium build, and plotly's world map (geo figures would fetch it from a CDN)
    assert dashboard_globe.static_dirs() == {"workbench/cesium": str(build),
                                             "workbench/topojson": str(TOPOJSON_DIR)}
    assert (TOPOJSON_DIR / "world_110m.json").is_file()
    assert dashboard_globe.PLOTLY_CONFIG["topojsonURL"] == "/workbench/topojson/"
    options = dashboard_globe.serve_options()
    assert options["address"] == "127.0.0.1"
    assert options["websocket_max_message_size"] > 128 * 2**20
    monkeypatch.setenv(cesium.ENV_DIR, str(tmp_path / "missing"))
    assert dashboard_globe.panel_cesium_urls(cesium.cesium_urls()) == [cesium.CESIUM_CDN_URL]
    assert dashboard_globe.static_dirs() == {"workbench/topojson": str(TOPOJSON_DIR)}
