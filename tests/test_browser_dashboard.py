"""The served dashboard (``workbench dashboard``) in real headless Chromium, offline.

Every request that does not go to the test server is refused and recorded: the page must
load, draw the globe with the scenario's sites and the charts, update a chart after an
edit, show an invalid value's error (the server logging no exception), speak Chinese with
``?lang=zh``, step through the story, and serve many sessions at once without cross-talk.
"""
from __future__ import annotations

import logging
import os
import re
import time

import pytest
from test_browser_globe import ARTIFACTS, browser, require  # noqa: F401  (fixtures)
from test_browser_panel import _free_port, _wait_until

from workbench.widgets.globe import NO_WEBGL_STATUS

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::UserWarning")]
VIEWPORT = {"width": 1400, "height": 1000}


class _Errors(logging.Handler):
    """Collects log records at ERROR or above (tornado, bokeh and panel log there)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def server():
    from workbench.dashboard.serve import serve_dashboard
    from workbench.scenarios import load_scenario
    from workbench.widgets.cesium import local_cesium_dir

    require(local_cesium_dir(), "no local Cesium build (workbench cesium install)")
    scenario = load_scenario("beijing-etown-demo").replace(duration_s=7200.0)
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    sessions: list = []
    port = _free_port()
    running = serve_dashboard(scenario, port=port, show=False, threaded=True,
                              sessions=sessions, globe_quality="cheap")
    running.url, running.sessions, running.errors = f"http://127.0.0.1:{port}/", sessions, errors
    try:
        yield running
    finally:
        running.stop()
        logging.getLogger().removeHandler(errors)


def _open(browser, url: str, *, init_script: str | None = None):  # noqa: F811
    page = browser.new_page(viewport=VIEWPORT)
    if init_script:
        page.add_init_script(init_script)
    page.offsite, page.errors = [], []

    def route(r):  # noqa: ANN001
        if r.request.url.startswith("http://127.0.0.1"):
            r.continue_()
        else:
            page.offsite.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(url, timeout=120_000)  # twenty sessions at once load slowly on 2 cores
    return page


def _session(server, n_before: int, timeout_s: float = 120.0):
    assert _wait_until(lambda: len(server.sessions) > n_before, timeout_s)
    board = server.sessions[n_before]
    assert _wait_until(lambda: board.built, timeout_s)
    assert board.recomputer.wait_idle(timeout_s)
    return board


@pytest.fixture(scope="module")
def page(browser, server):  # noqa: F811
    n = len(server.sessions)
    page = _open(browser, server.url)
    page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length === 1",
                           timeout=120_000)
    page.board = _session(server, n)
    yield page
    page.close()


def _figure_y(page, css: str) -> str:
    return page.locator(f"{css} .js-plotly-plot").first.evaluate(
        "el => JSON.stringify(el.data.map(t => t.y))")


def test_loads_offline_with_globe_sites_and_charts(page):
    board = page.board
    assert page.evaluate("window.__wbGlobes[0].tilesLoaded(60000)")
    n_sats = len(board.scenario.constellation)
    assert _wait_until(lambda: board.globe.n_sats == n_sats)
    page.wait_for_function(f"window.__wbGlobes[0].points.length === {n_sats}",
                           timeout=60_000)
    n_sites = len(board.scenario.ground.sites)
    n_entities = page.evaluate("(() => { const ds = window.__wbGlobes[0].viewer.dataSources;"
                               " let n = 0; for (let i = 0; i < ds.length; i++) "
                               "n += ds.get(i).entities.values.length; return n; })()")
    assert n_entities >= n_sites
    assert page.evaluate("window.__wbGlobes[0].state('epoch_utc')").startswith("2026-06-21")
    page.locator(".wb-figure .js-plotly-plot").first.wait_for(timeout=60_000)
    assert page.locator(".wb-key-figure").count() >= 4
    page.evaluate("window.__wbGlobes[0].stop()")
    page.evaluate("window.__wbGlobes[0].renderOnce()")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"))
    page.evaluate("window.__wbGlobes[0].resume()")
    assert page.offsite == [], page.offsite
    assert page.errors == [], page.errors


def _economics_input(page, label: str):
    group = page.locator(".bk-input-group", has_text=re.compile(rf"^\s*{label}"))
    if not group.first.is_visible():
        page.locator(".card-header", has_text="Economics").first.click()
    field = group.first.locator("input").first
    field.wait_for(timeout=20_000)
    return field


def test_changing_a_parameter_updates_a_chart(page):
    board = page.board
    page.locator(".bk-tab", has_text="Business").first.click()
    before = _figure_y(page, ".wb-figure-cash-flows")
    field = _economics_input(page, "Compute price")
    field.fill("2.5")
    field.press("Enter")
    assert _wait_until(lambda: board.scenario.economics.compute_price_usd_per_tops_hour == 2.5)
    assert board.recomputer.wait_idle(60)
    page.wait_for_function("([el, y]) => JSON.stringify(el.data.map(t => t.y)) !== y",
                           arg=[page.locator(".wb-figure-cash-flows .js-plotly-plot").first
                                .element_handle(), before], timeout=30_000)
    assert page.errors == []


def test_invalid_value_shows_an_error_and_the_server_logs_none(page, server):
    board = page.board
    good = board.scenario
    n_logged = len(server.errors.records)
    field = _economics_input(page, "Utilisation")
    field.fill("1.7")
    field.press("Enter")
    form = board.model_forms["economics"]
    assert _wait_until(lambda: form.error != ""), (form.params.utilisation_frac, form.error)
    assert "Utilisation" in form.error
    error = page.locator(".wb-form-error", has_text="Utilisation").first
    error.wait_for(timeout=20_000)
    assert "1.7" in error.inner_text() and "1" in error.inner_text()
    assert board.scenario == good  # the last valid scenario stays
    field.fill("0.6")
    field.press("Enter")
    assert _wait_until(lambda: board.scenario.economics.utilisation_frac == 0.6)
    assert server.errors.records[n_logged:] == []
    assert page.errors == []


def test_chinese_ui(browser, server):  # noqa: F811
    n = len(server.sessions)
    page = _open(browser, server.url + "?lang=zh")
    try:
        board = _session(server, n)
        assert board.lang == "zh_CN"
        page.locator(".card-header", has_text="经济参数").first.wait_for(timeout=60_000)
        assert page.locator(".bk-tab", has_text="容量").count() >= 1
        page.locator(".wb-key-figure", has_text="在轨算力").first.wait_for(timeout=60_000)
        assert page.offsite == [] and page.errors == []
    finally:
        page.close()


def test_story_steps_through_with_the_keys(page):
    board = page.board
    story = board.story.story
    page.locator("button.wb-story-present").first.click()
    assert _wait_until(lambda: board.story.keys.presenting)
    for expected in range(3):
        page.keyboard.press("ArrowRight")
        assert _wait_until(lambda expected=expected: board.story.index == expected)
    bar = page.locator(".wb-story-caption")
    page.wait_for_function("t => document.querySelector('.wb-story-caption').textContent"
                           ".includes(t)", arg=story.steps[2].caption_en[:30], timeout=20_000)
    assert bar.is_visible()
    assert board.tabs.active == [s.name for s in board.analyses].index(story.steps[2].tab)
    page.keyboard.press("ArrowLeft")
    assert _wait_until(lambda: board.story.index == 1)
    # Known Panel fault, left open: a plotly view in a dynamic tab the story just closed
    # can still run a relayout (holoviz/panel#2747, #2777). The story still steps through,
    # and any other page error fails this test.
    errors = [e for e in page.errors if "reading '_guiEditing'" not in e]
    assert errors == []


N_SESSIONS = int(os.environ.get("WORKBENCH_DASHBOARD_SESSIONS", "20"))


# Twenty audiences each have their own machine and GPU; this test has one machine with two
# cores and software WebGL. Twenty software-rendered globes starved the server, and past
# Chromium's 16 live WebGL contexts a new page's renderer spun at 100 % CPU and never
# loaded (CI lost its 90 minutes to it, twice). So these pages have no WebGL: the test is
# about per-session server state, and it also checks what an audience machine without
# WebGL gets, a dashboard whose globe says why it is missing. The globe itself is tested
# with WebGL above and in test_browser_globe.py.
NO_WEBGL = """(() => {
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        return /webgl/i.test(String(kind)) ? null : getContext.call(this, kind, ...rest);
    };
})();"""


@pytest.mark.slow
@pytest.mark.timeout(1800)  # twenty real pages on 2 cores
def test_concurrent_sessions_without_cross_talk(browser, server):  # noqa: F811
    n = len(server.sessions)
    pages = []
    try:
        for _ in range(N_SESSIONS):
            pages.append(_open(browser, server.url, init_script=NO_WEBGL))
        assert _wait_until(lambda: len(server.sessions) >= n + N_SESSIONS, 300)
        boards = server.sessions[n:n + N_SESSIONS]
        assert _wait_until(lambda: all(b.built for b in boards), 300)
        for page in pages:  # the globe says why it is off, in the dashboard's language
            page.get_by_text("This browser cannot draw WebGL, so the globe is off; every "
                             "other view works.").wait_for(timeout=300_000)
        assert {b.globe.status for b in boards} == {NO_WEBGL_STATUS}
        for i, page in enumerate(pages):  # each session renames its own scenario
            field = page.locator(".bk-input-group", has_text="Scenario name").first
            field = field.locator("input").first
            field.wait_for(timeout=120_000)
            field.fill(f"session-{i}")
            field.press("Enter")
        t_end = time.monotonic() + 300
        names = {f"session-{i}" for i in range(N_SESSIONS)}
        while time.monotonic() < t_end and {b.scenario.name for b in boards} != names:
            time.sleep(0.2)
        by_board = {b.scenario.name for b in boards}
        assert by_board == names  # each sees only its own edit
        for i, page in enumerate(pages):
            value = page.locator(".bk-input-group", has_text="Scenario name").first.locator(
                "input").first.input_value()
            assert value == f"session-{i}"
            assert page.offsite == [] and page.errors == [], (i, page.errors)
        assert all(b.recomputer.wait_idle(300) for b in boards)
        assert server.errors.records == []
    finally:
        for page in pages:
            page.close()
