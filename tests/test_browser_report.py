"""The report of the default scenario in real headless Chromium with every network request
refused: the page is opened from its file and ``page.route("**/*")`` aborts any request but
that file. It must make no other request, log no console error, and draw every plotly chart
(the map too) as SVG, in English and in Chinese. Screenshots go to ``test-artifacts/``.

Skips only without chromium; with ``CI=true`` that is a failure (``.ci/browser-deps.sh``).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_browser_globe import browser, require  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
MAX_REPORT_BYTES = 8_000_000  # issue 14: at most 8 MB for the default scenario
VIEWPORT = {"width": 1280, "height": 900}

# Every chart has drawn its traces: SVG paths inside its trace groups (lines, bars, boxes,
# the map's markers and land), not only the axes' grid lines.
UNDRAWN_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(div => div.querySelectorAll('.trace path, .trace .point').length === 0)
  .map(div => div.id)"""


@pytest.fixture(scope="module")
def report_files(tmp_path_factory):
    """The default scenario's report in English and in Chinese (one run of the analyses)."""
    from workbench.cli import DEFAULT_SCENARIO
    from workbench.dashboard.report import run_analyses, write_report
    from workbench.scenarios import load_scenario

    scenario = load_scenario(DEFAULT_SCENARIO)
    results, _notes, _geometry = run_analyses(scenario)
    folder = tmp_path_factory.mktemp("report")
    return {lang: write_report(scenario, folder / f"report-{lang}.html", lang=lang,
                               results=results) for lang in ("en", "zh")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_opens_offline_and_draws_its_charts(browser, report_files, lang):  # noqa: F811
    path = report_files[lang]
    size = path.stat().st_size
    print(f"\nreport-{lang}.html: {size / 1e6:.2f} MB ({size:,} bytes)")
    assert size <= MAX_REPORT_BYTES
    text = path.read_text(encoding="utf-8")
    n_charts = text.count('class="plotly-graph-div"')
    url = path.resolve().as_uri()

    page = browser.new_page(viewport=VIEWPORT)
    requests: list[str] = []
    refused: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    def only_the_file(route):  # noqa: ANN001
        if route.request.url == url:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    try:
        page.goto(url, wait_until="load", timeout=120_000)
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot').length === {n_charts}",
            timeout=120_000)
        page.wait_for_function(f"({UNDRAWN_JS})().length === 0", timeout=60_000)
        assert page.evaluate(UNDRAWN_JS) == []
        assert n_charts >= 15  # the map and every analysis's figures
        assert page.locator("#fig-globe .geo .trace path, #fig-globe .geo .point").count() > 0
        assert page.locator(".js-plotly-plot svg path").count() > 500
        headings = page.locator("h2").all_text_contents()
        if lang == "zh":
            assert {"容量", "时延", "商业", "参数", "星座地图"} <= set(headings)
            assert "关键指标" in page.locator("h3").all_text_contents()
            assert page.evaluate("document.documentElement.lang") == "zh-CN"
        else:
            assert {"Capacity", "Latency", "Business", "Parameters"} <= set(headings)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"))
        page.locator("#globe").screenshot(path=str(ARTIFACTS / f"report-{lang}-globe.png"))
        page.locator("#analysis-0").screenshot(
            path=str(ARTIFACTS / f"report-{lang}-capacity.png"))
    finally:
        page.close()
    assert requests == [url], requests  # nothing but the file itself was even asked for
    assert refused == []
    assert errors == []
