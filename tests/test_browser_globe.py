"""The globe in a real headless Chromium (Debian ``chromium``, WebGL2 on SwiftShader).

The page is ``globe.js`` with a stand-in widget model (``write_globe_page``), served from
localhost together with the local Cesium build: it must render offline (no request leaves
127.0.0.1) with the real 9,489-satellite Starlink snapshot, and a click on the ground must
come back to Python as a new ground site. Screenshots go to ``test-artifacts/``.

Skips only when chromium or the local Cesium build is missing; with ``CI=true`` those are
failures (``.ci/browser-deps.sh`` installs them).
"""
from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 480, "height": 400}
BEIJING = (116.4, 39.9)  # lon, lat (deg)
CLICK_TOLERANCE_DEG = 0.5  # a pixel at this zoom is ~0.1° on the ground


def require(condition: object, reason: str) -> None:
    """Skip when a browser dependency is missing locally; fail in CI (CI=true)."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} — CI=true: run .ci/browser-deps.sh before pytest")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    from workbench.widgets.headless import find_chromium, launch

    path = find_chromium()
    require(path, "Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright, executable=path)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def cesium_server():
    from workbench.widgets.cesium import StaticServer, local_cesium_dir

    build = local_cesium_dir()
    require(build, "no local Cesium build (workbench.widgets.cesium.install_cesium())")
    with StaticServer(build) as server:
        yield server


@pytest.fixture(scope="module")
def starlink_globe():
    """The real Starlink snapshot on a 30-minute grid (31 steps of 60 s)."""
    from workbench import datasets
    from workbench.model.timegrid import TimeGrid
    from workbench.widgets.globe import Globe

    constellation = datasets.starlink()
    epochs = constellation.satellites["epoch_utc"]
    start = epochs.max().replace(second=0, microsecond=0) + timedelta(minutes=1)
    grid = TimeGrid(start=start, duration_s=1800.0, step_s=60.0)
    globe = Globe(constellation, grid=grid, quality="cheap", height=VIEWPORT["height"] - 40,
                  point_size=2.0)
    globe.fly_to(*BEIJING, height_km=14000.0)
    return globe


@pytest.fixture(scope="module")
def globe_page(browser, cesium_server, starlink_globe, tmp_path_factory):
    """A page showing the Starlink globe, loaded and ready; records every request URL."""
    from workbench.widgets.cesium import StaticServer
    from workbench.widgets.globe_page import write_globe_page

    site = tmp_path_factory.mktemp("globe-page")
    write_globe_page(starlink_globe, site, cesium_url=cesium_server.url)
    with StaticServer(site) as server:
        page = browser.new_page(viewport=VIEWPORT)
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url + "index.html")
        page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length === 1",
                               timeout=90_000)
        assert page.evaluate("window.__wbGlobes[0].tilesLoaded(30000)")
        page.requests, page.errors = requests, errors
        yield page
        page.close()


def sets_of(page, name: str) -> list:
    return [s[name] for s in page.evaluate("window.__wbSets") if name in s]


def assert_renders_offline(page, artifact: str) -> None:
    """Screenshot the stopped globe into ``test-artifacts/``: not blank, and no request
    left 127.0.0.1 (imagery is the Natural Earth II tiles of the local build)."""
    from workbench.widgets.headless import decode_png, image_stats

    page.evaluate("window.__wbGlobes[0].stop()")
    page.evaluate("window.__wbGlobes[0].renderOnce()")
    ARTIFACTS.mkdir(exist_ok=True)
    png = page.screenshot(path=str(ARTIFACTS / artifact))
    page.evaluate("window.__wbGlobes[0].resume()")
    stats = image_stats(decode_png(png))
    # A blank or black canvas has a handful of colours; the imagery has thousands.
    assert stats["n_colours"] > 2000, stats
    assert stats["std"] > 20.0, stats
    assert stats["non_background_frac"] > 0.2, stats
    offsite = [u for u in page.requests if not u.startswith(("http://127.0.0.1", "data:",
                                                             "blob:"))]
    assert offsite == [], offsite
    assert any("NaturalEarthII" in u for u in page.requests)
    assert page.errors == []


def test_globe_renders_starlink_offline(globe_page, starlink_globe):
    page = globe_page
    assert sets_of(page, "status")[-1] == "ready"
    assert page.evaluate("window.__wbGlobes[0].points.length") == 9489 == starlink_globe.n_sats
    assert_renders_offline(page, "globe-starlink.png")


def test_ground_click_adds_site_python_sees(globe_page, starlink_globe, small_scenario):
    from workbench.widgets.globe_page import apply_browser_sets

    page = globe_page
    seen = []
    starlink_globe.on_ground_click(seen.append)
    page.evaluate("window.__wbModel.pySet('pick_role', 'gateway')")  # as Python would
    xy = page.evaluate(f"window.__wbGlobes[0].toWindow({BEIJING[0]}, {BEIJING[1]})")
    page.mouse.click(xy["x"], xy["y"])
    page.wait_for_function("window.__wbSets.some((s) => 'picked_site' in s)", timeout=20_000)
    starlink_globe.pick_role = "gateway"
    apply_browser_sets(starlink_globe, page.evaluate("window.__wbSets"))
    assert len(seen) == 1
    site = seen[0]
    assert site.role == "gateway"
    assert abs(site.lon_deg - BEIJING[0]) < CLICK_TOLERANCE_DEG
    assert abs(site.lat_deg - BEIJING[1]) < CLICK_TOLERANCE_DEG
    scenario = small_scenario.replace(ground=small_scenario.ground.with_site(site))
    assert scenario.ground[site.name] == site


def test_satellite_click_selects(globe_page, starlink_globe):
    from workbench.widgets.globe_page import apply_browser_sets

    page = globe_page
    page.evaluate("window.__wbModel.pySet('pick_role', 'none')")
    page.evaluate("window.__wbModel.pySet('playing', false)")  # satellites hold still
    page.evaluate("window.__wbGlobes[0].renderOnce()")
    # a satellite near the centre of the view, on the near side of the Earth
    xy = page.evaluate("""() => {
      const g = window.__wbGlobes[0];
      const c = g.viewer.scene.canvas.getBoundingClientRect();
      let best = null;
      for (let i = 0; i < g.points.length; i += 1) {
        const p = g.satWindow(i);
        if (!p) continue;
        const d = Math.hypot(p.x - (c.left + c.width / 2), p.y - (c.top + c.height / 2));
        if (!best || d < best.d) best = { d, x: p.x, y: p.y };
      }
      return best;
    }""")
    selected: list[int] = []
    starlink_globe.on_select(selected.append)
    page.mouse.click(xy["x"], xy["y"])
    page.wait_for_function("window.__wbSets.some((s) => 'selected_sat_id' in s)",
                           timeout=20_000)
    apply_browser_sets(starlink_globe, page.evaluate("window.__wbSets"))
    assert selected and 0 <= selected[-1] < 9489
    name = starlink_globe.constellation.satellites["name"][selected[-1]]
    assert name in starlink_globe.selected_info


def test_plotly_fallback_draws_offline(browser, tmp_path):
    import numpy as np

    from workbench.model import Constellation, GroundSegment, GroundSite
    from workbench.model.timegrid import TimeGrid
    from workbench.orbits.propagation import propagate
    from workbench.viz.globe_plotly import globe_figure, offline_html
    from workbench.widgets.cesium import StaticServer
    from workbench.widgets.headless import decode_png, image_stats

    grid = TimeGrid(start="2026-06-21T00:00:00Z", duration_s=5400.0, step_s=60.0)
    r_km = propagate(Constellation.walker(550.0, 53.0, 6, 4), grid)
    ground = GroundSegment(sites=(GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4,
                                             role="gateway"),))
    offline_html(globe_figure(r_km, ground=ground), tmp_path / "index.html")
    assert np.isfinite(r_km).all()
    with StaticServer(tmp_path) as server:
        page = browser.new_page(viewport={"width": 520, "height": 500})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(server.url + "index.html")
        page.wait_for_selector(".geo .layer.land path, .geo .landlayer path, .geo path.land",
                               state="attached", timeout=30_000)
        time.sleep(0.5)
        ARTIFACTS.mkdir(exist_ok=True)
        png = page.screenshot(path=str(ARTIFACTS / "globe-plotly-fallback.png"))
        page.close()
    assert [u for u in requests if not u.startswith("http://127.0.0.1")] == []
    stats = image_stats(decode_png(png))
    assert stats["n_colours"] > 50 and stats["non_background_frac"] > 0.2, stats
