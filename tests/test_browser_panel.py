"""The globe served by Panel (``PanelGlobe``), in real headless Chromium.

The same ``globe.js`` that JupyterLab runs, as a ``panel.custom.AnyWidgetComponent``
inside Panel's shadow DOM, with CesiumJS from the local build served through Panel's
``static_dirs``: it must render the real Starlink snapshot offline (no request leaves
127.0.0.1), and a click on the ground must reach the mirrored ``Globe``'s Python callback.
"""
from __future__ import annotations

import socket
import time

import pytest
from test_browser_globe import (  # noqa: F401  (fixtures)
    BEIJING,
    CLICK_TOLERANCE_DEG,
    VIEWPORT,
    assert_renders_offline,
    browser,
    require,
    starlink_globe,
)

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(condition, timeout_s: float = 20.0) -> bool:  # noqa: ANN001
    """Poll ``condition()`` (Panel applies browser events on its own server thread)."""
    t_end = time.monotonic() + timeout_s
    while time.monotonic() < t_end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def panel_page(browser, starlink_globe):  # noqa: F811
    """A Panel server on localhost showing the Starlink globe, and a page open on it."""
    import panel as pn

    from workbench.dashboard.globe import PanelGlobe, serve_options, static_dirs
    from workbench.widgets.cesium import local_cesium_dir

    require(local_cesium_dir(), "no local Cesium build (workbench cesium install)")
    assert static_dirs(), "the local Cesium build must be offered to Panel"
    views: list[PanelGlobe] = []

    def app() -> PanelGlobe:
        view = PanelGlobe(starlink_globe, width=VIEWPORT["width"] - 20)
        views.append(view)
        return view

    port = _free_port()
    server = pn.serve(app, port=port, threaded=True, **serve_options())
    try:
        page = browser.new_page(viewport=VIEWPORT)
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length === 1",
                               timeout=90_000)
        assert page.evaluate("window.__wbGlobes[0].tilesLoaded(30000)")
        page.requests, page.errors, page.views = requests, errors, views
        yield page
        page.close()
    finally:
        server.stop()


def test_panel_globe_renders_offline(panel_page, starlink_globe):  # noqa: F811
    page = panel_page
    view = page.views[-1]
    assert _wait_until(lambda: view.status == "ready"), view.status
    assert page.evaluate("window.__wbGlobes[0].points.length") == 9489 == view.n_sats
    assert_renders_offline(page, "panel-globe-starlink.png")
    assert any("/workbench/cesium/Assets/Textures/NaturalEarthII" in u for u in page.requests)


def test_panel_ground_click_reaches_python(panel_page, starlink_globe):  # noqa: F811
    page = panel_page
    view = page.views[-1]
    seen = []
    starlink_globe.on_ground_click(seen.append)
    starlink_globe.pick_role = "datacenter"  # from Python, through the mirror, to the page
    assert _wait_until(lambda: view.pick_role == "datacenter")
    page.wait_for_function("window.__wbGlobes[0].state('pick_role') === 'datacenter'",
                           timeout=20_000)
    xy = page.evaluate(f"window.__wbGlobes[0].toWindow({BEIJING[0]}, {BEIJING[1]})")
    page.mouse.click(xy["x"], xy["y"])
    assert _wait_until(lambda: bool(seen)), "the click never reached Python"
    site = seen[-1]
    assert site.role == "datacenter"
    assert abs(site.lon_deg - BEIJING[0]) < CLICK_TOLERANCE_DEG
    assert abs(site.lat_deg - BEIJING[1]) < CLICK_TOLERANCE_DEG
    assert starlink_globe.picked_site == view.picked_site
