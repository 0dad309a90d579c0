"""The self-contained HTML report (``workbench.dashboard.report``) without a browser: one
file with plotly.js inline once and no reference to anything outside it, every text from
the scenario escaped, Chinese headings with ``lang="zh"``, written atomically, and the CLI.
``tests/test_browser_report.py`` opens it in Chromium with the network refused."""
from __future__ import annotations

import itertools
import json
import os
import re
from html.parser import HTMLParser

import plotly.graph_objects as go
import pytest

from workbench.dashboard import report
from workbench.dashboard.keyfigures import key_figures
from workbench.locale import gettext
from workbench.viz.language import fill, translate_figure, translate_text

EVIL = "<script>alert(1)</script>"
MAX_REPORT_BYTES = 8_000_000  # issue 14: at most 8 MB for the default scenario
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "wbr", "source"}


class _Page(HTMLParser):
    """Tags and attributes of a page, and whether its elements nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.headings: dict[str, list[str]] = {}
        self._heading: str | None = None

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append(tag)
        self.attributes += [(tag, k, v or "") for k, v in attrs]
        if tag in {"h1", "h2", "h3"}:
            self._heading = tag
            self.headings.setdefault(tag, []).append("")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == self._heading:
            self._heading = None
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data):  # noqa: ANN001
        if self.stack and self.stack[-1] not in {"script", "style"}:
            self.text.append(data)
        if self._heading:
            self.headings[self._heading][-1] += data


def _in_json(value: str, text: str) -> bool:
    """Whether ``value`` is in ``text`` as a JSON string (plotly writes non-ASCII as \\u)."""
    return json.dumps(value)[1:-1] in text or value in text


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def small_results(small_scenario_module):
    """The small scenario, named like a script, and every registered analysis's result."""
    scenario = small_scenario_module
    results, _notes, _geometry = report.run_analyses(scenario)
    return scenario, results


@pytest.fixture(scope="module")
def small_scenario_module():
    """conftest's small scenario (module scope) with a scenario and a site named like a
    script and a description with markup."""
    from datetime import UTC, datetime

    from workbench.model import (
        ComputeChip,
        ComputePayload,
        Constellation,
        GroundSegment,
        GroundSite,
        Platform,
        RemoteSensingInference,
        Scenario,
    )

    chip = ComputeChip(name="test chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5,
                       tid_krad=20.0, unit_cost_usd=2000.0, source="test fixture")
    platform = Platform(name="test bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5,
                        source="test fixture")
    ground = GroundSegment(sites=(
        GroundSite(name="Beijing", lat_deg=39.8, lon_deg=116.5, role="gateway"),
        GroundSite(name=f"Kashi {EVIL}", lat_deg=39.5, lon_deg=76.0, role="user"),
    ))
    return Scenario(
        name=EVIL, description=f"test fixture <img src=x onerror=alert(2)> & {EVIL}",
        epoch_utc=datetime(2026, 3, 20, tzinfo=UTC), duration_s=3600.0, step_s=60.0,
        constellation=Constellation.walker(550.0, 53.0, 2, 3, 1, name="small"),
        platform=platform, payload=ComputePayload(chip=chip, count=2), ground=ground,
        applications=(RemoteSensingInference(),))


@pytest.fixture(scope="module")
def small_report(small_results):
    scenario, results = small_results
    return report.build_report(scenario, results=results)


def test_report_is_one_file_with_plotly_once_and_nothing_outside(small_report, small_results):
    page = _parse(small_report)
    # plotly.js is inlined exactly once (its bundle starts with its licence banner)
    assert len(re.findall(r"\* plotly\.js v\d", small_report)) == 1
    # no element fetches anything: no src, no link, no href other than in-page anchors
    assert "link" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
    sources = [(t, k, v) for t, k, v in page.attributes if k in {"src", "href", "srcset",
                                                                  "action", "data"}]
    assert all(k == "href" and v.startswith("#") for t, k, v in sources), sources
    # and the browser is told to refuse any request a script might make
    csp = [v for t, k, v in page.attributes if k == "content" and "default-src" in v]
    assert csp == [report.CSP] and "default-src 'none'" in csp[0]
    assert "@import" not in small_report and "url(" not in small_report.split("<script")[0]
    # every chart of every analysis is in the page, each drawn by one newPlot call
    from workbench.viz import figures

    n_figures = sum(len(figures(r)) for r in small_results[1].values()
                    if not isinstance(r, BaseException)) + 1  # + the map
    assert small_report.count('class="plotly-graph-div"') == n_figures
    assert small_report.count("Plotly.newPlot(") == n_figures
    # the map's topojson is in the page (plotly.js would fetch it from a CDN otherwise)
    assert "window.PlotlyGeoAssets.topojson.world_110m=" in small_report


def test_report_is_well_formed_and_escapes_every_text(small_report):
    page = _parse(small_report)
    assert page.problems == [] and page.stack == []
    assert small_report.startswith("<!DOCTYPE html>")
    # the scenario named <script>alert(1)</script> is shown as text, never as markup
    assert EVIL not in small_report
    assert "<img src=x" not in small_report
    assert page.headings["h1"] == [f"Report: {EVIL}"]
    assert any(EVIL in t for t in page.text)
    assert page.tags.count("script") == small_report.count("</script>")
    # the evil site name only reaches plotly's JSON, escaped so it cannot end the script
    assert "Kashi \\u003cscript\\u003ealert(1)\\u003c\\u002fscript\\u003e" in small_report


def _outside_plotly_js(text: str) -> str:
    """The page without plotly.js's bundle (whose source holds URL strings it never
    fetches here: the browser test checks that no request is made)."""
    start = text.index("<script>/**\n* plotly.js v")
    return text[:start] + text[text.index("</script>", start):]


def test_report_has_no_url_and_only_system_fonts(small_report):
    from workbench.locale.fonts import FONT_STACK

    rest = _outside_plotly_js(small_report)
    assert f"font-family:{FONT_STACK}" in rest
    assert "@font-face" not in small_report and "@import" not in small_report
    assert re.findall(r"https?:|//cdn|www\.", rest) == []  # no CDN, no Google fonts
    assert "MathJax.js" not in small_report and "mathjax@" not in rest  # include_mathjax=False


def test_chinese_report_has_chinese_headings_and_figure_titles(small_results):
    scenario, results = small_results
    text = report.build_report(scenario, lang="zh", results=results)
    page = _parse(text)
    assert '<html lang="zh-CN">' in text
    assert page.headings["h1"] == [f"报告：{EVIL}"]
    h2 = page.headings["h2"]
    for english in ("Capacity", "Latency", "Business", "Parameters", "Constellation map"):
        assert gettext(english, lang="zh_CN") in h2, english
    assert "关键指标" in page.headings["h3"]
    assert not {"Capacity", "Key figures", "Parameters"} & set(h2 + page.headings["h3"])
    # figure titles in Chinese: the capacity figures' catalog entries reach plotly's JSON
    for english in ("Power of satellite 0", "Constellation compute over time",
                    "Round-trip time over the constellation", "Cash flows by line item"):
        chinese = translate_text(english, "zh")
        assert chinese != english and _in_json(chinese, text), english
        assert english not in text


def test_an_analysis_that_fails_is_reported_and_the_others_still_shown(small_results):
    scenario, results = small_results
    broken = {**results, "latency": RuntimeError("no route <b>at all</b>")}
    page = _parse(report.build_report(scenario, results=broken))
    assert any("This analysis did not run: RuntimeError: no route <b>at all</b>" in t
               for t in page.text)
    assert "Capacity" in page.headings["h2"]


def test_write_report_is_atomic(small_results, tmp_path, monkeypatch):
    scenario, results = small_results
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")

    def refuse(src, dst):  # noqa: ANN001
        raise OSError("disk full")

    monkeypatch.setattr(report.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        report.write_report(scenario, target, results=results)
    assert target.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left
    monkeypatch.undo()
    written = report.write_report(scenario, target, results=results, lang="zh")
    assert written == target and target.read_text(encoding="utf-8").startswith("<!DOCTYPE")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert os.stat(target).st_mode & 0o044 == 0o044  # readable by the people it is sent to


def test_thin_figure_keeps_evenly_spaced_points_and_both_ends():
    x = list(range(5001))
    fig = go.Figure([go.Scatter(x=x, y=[v * 2 for v in x], text=[str(v) for v in x]),
                     go.Bar(x=x, y=x)])
    report.thin_figure(fig, max_points=100)
    kept = list(fig.data[0].x)
    assert len(kept) == 100 and kept[0] == 0 and kept[-1] == 5000
    assert list(fig.data[0].y) == [v * 2 for v in kept]
    assert list(fig.data[0].text) == [str(v) for v in kept]
    steps = {b - a for a, b in itertools.pairwise(kept)}
    assert steps <= {50, 51}  # 5000 / 99 ≈ 50.5
    assert len(fig.data[1].x) == 5001  # bars are never thinned


def test_translate_figure_maps_titles_axes_legend_and_filled_templates():
    fig = go.Figure(go.Scatter(x=[1], y=[1], name=fill("{name}: lost",
                                                       name="bent pipe (downlink raw)")))
    fig.add_bar(x=["acquired", "Kashi"], y=[1, 2], name="Kashi")
    fig.update_layout(title=fill("Power of satellite {sat_id}", sat_id=7),
                      xaxis_title="time (UTC)", yaxis_title="RTT (ms)")
    assert translate_figure(fig, "zh") is fig
    assert fig.layout.title.text == "卫星 7 的功率"
    assert fig.layout.xaxis.title.text == "时间（UTC）"
    assert fig.layout.yaxis.title.text == "往返时延（ms）"
    assert fig.data[0].name == "透明转发（下传原始数据）：丢失"
    assert list(fig.data[1].x) == ["采集", "Kashi"] and fig.data[1].name == "Kashi"
    assert translate_text("Power of satellite 7", "en") == "Power of satellite 7"


def test_key_figures_label_scale_and_unit():
    summary = {"npv_usd": -1.2e9, "local_share_frac": 0.473, "payback_year": float("nan"),
               "rtt_ms_p50_ground_fibre": 10.29, "limit_counts": {"none": 3},
               "warnings": [], "best_option": "ground_fibre", "my_plugin_cost_usd": 12.5}
    en = {f.name: (f.label, f.value, f.unit) for f in key_figures(summary, lang="en")}
    assert en == {
        "npv_usd": ("Net present value", "-1,200", "million USD"),
        "local_share_frac": ("Share of spend in the local cluster", "47", "%"),
        "payback_year": ("Payback year", "—", ""),
        "rtt_ms_p50_ground_fibre": ("Median round-trip time, ground DC over fibre", "10.29",
                                    "ms"),
        "best_option": ("Best placement most often", "ground DC over fibre", ""),
        "my_plugin_cost_usd": ("My plugin cost", "12.50", "USD"),
    }
    zh = {f.name: (f.label, f.value, f.unit) for f in key_figures(summary, lang="zh")}
    assert zh["npv_usd"] == ("净现值", "-1,200", "百万美元")
    assert zh["rtt_ms_p50_ground_fibre"][0] == "往返时延中位数（经光纤的地面数据中心）"


def test_cli_report_writes_the_file_and_reports_bad_input(small_results, tmp_path, capsys):
    from workbench.cli import main

    scenario, _ = small_results
    yaml_path = tmp_path / "small.yaml"
    yaml_path.write_text(scenario.to_yaml(), encoding="utf-8")
    out = tmp_path / "out" / "report.html"
    assert main(["report", str(yaml_path), "-o", str(out), "--lang", "zh"]) == 0
    captured = capsys.readouterr()
    assert "[100%] report ready" in captured.err  # progress on stderr
    assert str(out) in captured.out and "MB" in captured.out
    assert '<html lang="zh-CN">' in out.read_text(encoding="utf-8")
    assert main(["report", str(yaml_path), "-o", str(out), "--lang", "fr"]) == 2
    assert "--lang: lang='fr'" in capsys.readouterr().err
    assert main(["report", str(yaml_path), "-o", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["report", "no-such-scenario", "-o", str(out)]) == 2


@pytest.mark.slow
def test_default_scenario_report_is_at_most_8_mb(tmp_path, capsys):
    from workbench.cli import DEFAULT_SCENARIO, main

    out = tmp_path / "report.html"
    assert main(["report", DEFAULT_SCENARIO, "-o", str(out), "-q"]) == 0
    size = out.stat().st_size
    with capsys.disabled():
        print(f"\n{DEFAULT_SCENARIO} report: {size / 1e6:.2f} MB ({size:,} bytes)")
    assert size <= MAX_REPORT_BYTES
