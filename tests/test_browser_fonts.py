"""Chinese labels render with real glyphs in Debian Chromium with the network blocked.

A page served from 127.0.0.1 draws the zh_CN field labels of the scenario forms (set with
``textContent`` from a JSON file, never as HTML) in ``workbench.locale.fonts.FONT_STACK``,
900 px wide. Two checks per label, both independent of the font's metrics:

- Chromium reports (DevTools ``CSS.getPlatformFontsForNode``) which installed font drew
  the text: every glyph of the Chinese text comes from a CJK font of the stack;
- each character drawn on a canvas differs, pixel for pixel, from the "tofu" box the
  same font stack draws for an unassigned code point (U+0378), so none is missing.

A screenshot goes to ``test-artifacts/zh-labels.png``. Skips without chromium or the CJK
font locally; with ``CI=true`` those are failures (``.ci/browser-deps.sh`` installs both).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
TOFU = "\u0378"  # unassigned in Unicode: every font draws its .notdef box for it

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>body{margin:16px;width:900px;font-family:%(stack)s;font-size:16px}
.row{display:flex;gap:12px;padding:4px 0;border-bottom:1px solid #eee}
.label{width:260px;white-space:normal}.help{flex:1;color:#555;white-space:normal}</style>
</head><body><h3 id="title"></h3><div id="rows"></div>
<script>
window.ready = fetch("labels.json").then(r => r.json()).then(data => {
  document.getElementById("title").textContent = data.title;
  const rows = document.getElementById("rows");
  data.rows.forEach(([label, help], i) => {
    const row = document.createElement("div"); row.className = "row";
    const a = document.createElement("div"); a.className = "label"; a.id = "label-" + i;
    a.textContent = label;
    const b = document.createElement("div"); b.className = "help"; b.textContent = help;
    row.append(a, b); rows.append(row);
  });
  return data.rows.length;
});
window.missingGlyphs = (text, font) => {
  const canvas = document.createElement("canvas"); canvas.width = 40; canvas.height = 40;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const draw = ch => { ctx.clearRect(0, 0, 40, 40); ctx.font = font; ctx.fillStyle = "#000";
    ctx.textBaseline = "top"; ctx.fillText(ch, 4, 4);
    return Array.from(ctx.getImageData(0, 0, 40, 40).data).join(","); };
  const tofu = draw("%(tofu)s");
  return Array.from(new Set(text)).filter(ch => ch.trim() && draw(ch) === tofu);
};
</script></body></html>"""


def require(condition: object, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} — CI=true: run .ci/browser-deps.sh before pytest")
    pytest.skip(reason)


def _cjk_fonts_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                         check=False).stdout
    return "Noto Sans CJK SC" in out or "WenQuanYi" in out


def _labels() -> list[tuple[str, str]]:
    from workbench.locale import gettext
    from workbench.model import Economics, GroundSite, Platform, WalkerShell, describe
    from workbench.widgets.forms import field_label

    rows = []
    for cls in (WalkerShell, Platform, GroundSite, Economics):
        for spec in describe(cls)[:6]:
            rows.append((field_label(spec, "zh_CN"), gettext(spec.description, lang="zh_CN")))
    return rows


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from workbench.locale.fonts import FONT_STACK
    from workbench.widgets.cesium import StaticServer
    from workbench.widgets.headless import find_chromium, launch

    path = find_chromium()
    require(path, "Debian chromium is not installed (apt-get install -y chromium)")
    require(_cjk_fonts_installed(), "no CJK font installed (apt-get install fonts-noto-cjk)")
    site = tmp_path_factory.mktemp("zh-page")
    (site / "index.html").write_text(PAGE % {"stack": FONT_STACK, "tofu": TOFU},
                                     encoding="utf-8")
    (site / "labels.json").write_text(json.dumps(
        {"title": "场景参数 — 星座、卫星平台与经济参数", "rows": _labels()},
        ensure_ascii=False), encoding="utf-8")
    from playwright.sync_api import sync_playwright

    with StaticServer(site) as server, sync_playwright() as playwright:
        browser = launch(playwright, executable=path)
        page = browser.new_page(viewport={"width": 960, "height": 900})
        outside: list[str] = []

        def block(route):  # network blocked except the test server
            if route.request.url.startswith(server.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", block)
        page.goto(server.url + "index.html")
        page.n_rows = page.evaluate("window.ready")
        page.outside = outside
        yield page
        browser.close()


def test_chinese_labels_are_drawn_by_a_cjk_font_of_the_stack(page):
    from workbench.locale.fonts import CJK_FAMILIES

    assert page.n_rows >= 20
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    for i in range(page.n_rows):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f"#label-{i}"})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        text = page.inner_text(f"#label-{i}")
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        drawn_by_cjk = sum(f["glyphCount"] for f in fonts
                           if any(f["familyName"].startswith(c) for c in CJK_FAMILIES))
        assert drawn_by_cjk >= cjk > 0, (text, fonts)
    assert page.outside == []


def test_no_character_of_the_page_is_a_missing_glyph_box(page):
    from workbench.locale.fonts import FONT_STACK

    text = page.inner_text("body")
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 100
    missing = page.evaluate("([t, f]) => window.missingGlyphs(t, f)",
                            [text, f"16px {FONT_STACK}"])
    assert missing == []
    # the check can fail: the unassigned code point itself is reported as missing
    assert page.evaluate("([t, f]) => window.missingGlyphs(t, f)",
                         [TOFU + "高", f"16px {FONT_STACK}"]) == [TOFU]


def test_screenshot_of_the_chinese_labels(page):
    from workbench.widgets.headless import decode_png, image_stats

    ARTIFACTS.mkdir(exist_ok=True)
    png = page.screenshot(path=str(ARTIFACTS / "zh-labels.png"), full_page=True)
    stats = image_stats(decode_png(png))
    assert stats["non_background_frac"] > 0.02, stats
