"""Two browser sessions of the served globe app, in real headless Chromium.

Issue 10: the README's ``pn.serve(globe_app(globe))`` served one object to every session,
so a satellite clicked in one browser showed in all the others, and an ``<img onerror>``
put into ``selected_info`` by one session ran in every other (``innerHTML``). Served
apps now build their state per session, and the info box is built with ``textContent``.
"""
from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest
from test_browser_globe import VIEWPORT, require
from test_browser_globe import browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="window.__pwned = 1"><b id="bold">bold</b>'

FIND_INFO = """() => {
  // the info box inside Panel's shadow roots
  const seen = [];
  const walk = (node) => {
    if (!node) return null;
    const hit = node.querySelector && node.querySelector('.wb-globe-info');
    if (hit) return hit;
    for (const el of node.querySelectorAll ? node.querySelectorAll('*') : []) {
      if (el.shadowRoot && !seen.includes(el.shadowRoot)) {
        seen.push(el.shadowRoot);
        const found = walk(el.shadowRoot);
        if (found) return found;
      }
    }
    return null;
  };
  const info = walk(document);
  return info ? { text: info.textContent, shown: info.style.display !== 'none',
                  imgs: info.querySelectorAll('img').length,
                  bold: info.querySelectorAll('b').length } : null;
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(condition, timeout_s: float = 20.0) -> bool:  # noqa: ANN001
    t_end = time.monotonic() + timeout_s
    while time.monotonic() < t_end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def sessions(browser):  # noqa: F811
    """A Panel server with the per-session globe app and two browser contexts on it."""
    import panel as pn

    from workbench.dashboard.globe import globe_app, serve_options
    from workbench.model import Constellation
    from workbench.model.timegrid import TimeGrid
    from workbench.widgets.cesium import local_cesium_dir
    from workbench.widgets.globe import Globe

    require(local_cesium_dir(), "no local Cesium build (workbench cesium install)")
    constellation = Constellation.walker(550.0, 53.0, 6, 8, name="demo")  # shared, frozen
    grid = TimeGrid(start=datetime(2026, 3, 20, tzinfo=UTC), duration_s=600.0, step_s=60.0)
    made: list[Globe] = []

    def make_globe() -> Globe:
        globe = Globe(constellation, grid=grid, quality="cheap",
                      height=VIEWPORT["height"] - 60, point_size=8.0, playing=False)
        globe.fly_to(100.0, 20.0, height_km=20000.0)
        made.append(globe)
        return globe

    port = _free_port()
    server = pn.serve({"globe": globe_app(make_globe)}, port=port, threaded=True,
                      **serve_options())
    contexts, pages = [], []
    try:
        for _ in range(2):
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda error, page=page: page.errors.append(str(error)))
            page.goto(f"http://127.0.0.1:{port}/globe")
            page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length === 1",
                                   timeout=90_000)
            contexts.append(context)
            pages.append(page)
        assert _wait_until(lambda: len(made) == 2 and all(g.status == "ready" for g in made),
                           60)
        yield pages, made
    finally:
        for context in contexts:
            context.close()
        server.stop()


def _click_a_satellite(page) -> None:  # noqa: ANN001
    page.evaluate("window.__wbGlobes[0].renderOnce()")
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
    assert xy is not None, "no satellite in view"
    page.mouse.click(xy["x"], xy["y"])


def test_each_session_gets_its_own_globe(sessions):
    pages, made = sessions
    assert len(made) == 2 and made[0] is not made[1]


def test_a_pick_in_one_session_never_shows_in_the_other(sessions):
    pages, (globe_a, globe_b) = sessions
    _click_a_satellite(pages[0])
    assert _wait_until(lambda: globe_a.selected_sat_id >= 0), "the pick never reached Python"
    pages[0].wait_for_function("window.__wbGlobes[0].state('selected_sat_id') >= 0",
                               timeout=20_000)
    info_a = pages[0].evaluate(FIND_INFO)
    assert info_a["shown"] and "demo-P" in info_a["text"]
    # give a shared object every chance to leak: a round trip through the server and back
    time.sleep(2.0)
    assert globe_b.selected_sat_id == -1 and globe_b.selected_info == ""
    assert pages[1].evaluate("window.__wbGlobes[0].state('selected_sat_id')") == -1
    info_b = pages[1].evaluate(FIND_INFO)
    assert info_b is None or not info_b["shown"]


def test_an_html_payload_in_state_renders_as_text(sessions):
    pages, (globe_a, globe_b) = sessions
    if globe_a.selected_sat_id < 0:
        _click_a_satellite(pages[0])
        assert _wait_until(lambda: globe_a.selected_sat_id >= 0)
    globe_a.set_info_provider(lambda sat_id: f"satellite\t{PAYLOAD}\nnote\t<script>x</script>")
    assert globe_a.selected_info.startswith("satellite\t<img")
    pages[0].wait_for_function(
        "() => { const g = window.__wbGlobes[0]; "
        "return String(g.state('selected_info')).includes('onerror'); }", timeout=20_000)
    info = pages[0].evaluate(FIND_INFO)
    assert info["shown"]
    assert PAYLOAD in info["text"] and "<script>x</script>" in info["text"]  # as text
    assert info["imgs"] == 0 and info["bold"] == 0  # no element was made from it
    time.sleep(1.0)  # an <img src=x> would have failed to load and fired by now
    for page in pages:
        assert page.evaluate("window.__pwned") is None
        assert not page.errors, page.errors
    assert globe_b.selected_info == ""
    assert "onerror" not in str(pages[1].evaluate(
        "window.__wbGlobes[0].state('selected_info')"))
