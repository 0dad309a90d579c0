"""What a newcomer sees first: the Workbench in JupyterLab at 1,000 and 1,400 px wide.

Debian chromium via Playwright, JupyterLab started headless on 127.0.0.1 by the test (as
``test_browser_jupyterlab.py``), every request but the server's refused. The scenario is
the default one shortened to three hours so the analyses finish quickly. At each width the
page is screenshot into ``test-artifacts/`` and must show:

- an invalid value's error text in full (not clipped by its column, inside the viewport);
- site labels that do not overlap (their screen boxes, measured in the page);
- the first analysis tab's headline figures without scrolling.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from test_browser_globe import ARTIFACTS, require
from test_browser_jupyterlab import _free_port, run_in_kernel

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS_PX = (1000, 1400)
HEIGHT_PX = 900
SOURCE = """import workbench as wb
scenario = wb.load_scenario("beijing-etown-demo").model_copy(update={"duration_s": 10800.0})
w = wb.Workbench(scenario, globe_quality="cheap")
w"""
NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
               "source": SOURCE}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 with the workbench extension; yields its URL."""
    from workbench.widgets.cesium import local_cesium_dir
    from workbench.widgets.headless import find_chromium

    require(find_chromium(), "Debian chromium is not installed (apt-get install -y chromium)")
    require(local_cesium_dir(), "no local Cesium build (install_cesium())")
    root = tmp_path_factory.mktemp("lab")
    (root / "first.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    config = tmp_path_factory.mktemp("jupyter-config")
    # A user who has answered JupyterLab's "get notified about news?" toast with No
    # (the toast would cover the bottom right of the page).
    settings = tmp_path_factory.mktemp("lab-settings")
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(config / "runtime"), "JUPYTER_PLATFORM_DIRS": "1",
           "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    env.pop("PYTHONWARNINGS", None)
    log_file = (config / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.root_dir={root}",
         "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", "--LabApp.expose_app_in_browser=True",
         "--ServerApp.jpserver_extensions={'workbench.widgets.jupyter_server': True}"],
        env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 240  # a loaded 2-core machine starts it slowly
        while True:
            try:
                with urllib.request.urlopen(url + "api/status", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log = (config / "server.log").read_text(errors="replace")[-3000:]
                    pytest.fail(f"JupyterLab did not start:\n{log}")
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


def open_workbench(browser, url: str, width_px: int):
    """A page of the given width with the notebook run and the first tab's analysis done."""
    page = browser.new_page(viewport={"width": width_px, "height": HEIGHT_PX})
    refused: list[str] = []

    def only_the_server(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_server)
    page.refused = refused
    page.goto(url + "lab/tree/first.ipynb")
    page.wait_for_function(
        "window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
        timeout=90_000)
    # the file browser closed, as one would to give the Workbench the window's width
    page.evaluate("window.jupyterapp.shell.collapseLeft()")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".widget-tab", timeout=120_000)
    page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length > 0",
                           timeout=90_000)
    assert page.evaluate("window.__wbGlobes[0].tilesLoaded(30000)")
    deadline = time.monotonic() + 180
    # the Workbench computes the open tab (the first) and leaves the others until opened
    first_done = "print(w.analyses[0].name in w.results and not w.progress.value < 1)"
    while run_in_kernel(page, first_done).strip() != "True":
        assert time.monotonic() < deadline, "the first analysis did not finish"
        time.sleep(1.0)
    page.wait_for_selector(".wb-headline .wb-figure", timeout=60_000)
    page.wait_for_selector(".wb-plotly .main-svg", timeout=60_000)
    return page


def notebook_to_top(page) -> None:
    page.evaluate("""() => {
      for (const el of document.querySelectorAll('.jp-WindowedPanel-outer, .jp-Notebook'))
        el.scrollTop = 0;
    }""")
    time.sleep(0.5)


def enter_invalid_altitude(page) -> dict:
    """Type an altitude below the model's minimum into the Constellation form; return the
    geometry of the error text that appears under the field."""
    row = page.locator(".wb-form .widget-hbox", has=page.locator(
        ".wb-field-label", has_text="Altitude (km)")).first
    field = row.locator("input").first
    field.fill("50")
    field.press("Enter")
    error = page.locator(".wb-field-error").first
    error.wait_for(timeout=30_000)
    return error.evaluate("""(el) => {
      const r = el.getBoundingClientRect();
      let clipped = false;
      for (let p = el; p && p !== document.body; p = p.parentElement) {
        const q = p.getBoundingClientRect();
        const style = getComputedStyle(p);
        if (style.overflow !== 'visible' && (r.right > q.right + 0.5 || r.left < q.left - 0.5))
          clipped = true;
      }
      return {text: el.textContent, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
              left: r.left, right: r.right, viewport: window.innerWidth, clipped};
    }""")


@pytest.mark.parametrize("width_px", WIDTHS_PX)
def test_workbench_first_view(jupyterlab, width_px):
    from playwright.sync_api import sync_playwright

    from workbench.widgets.headless import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = open_workbench(browser, jupyterlab, width_px)
        notebook_to_top(page)
        headline = page.locator(".wb-headline").first.bounding_box()
        page.evaluate("window.__wbGlobes[0].stop()")
        labels = page.evaluate("window.__wbGlobes[0].siteLabels()")
        error = enter_invalid_altitude(page)
        page.evaluate("window.__wbGlobes[0].renderOnce()")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"first-impressions-{width_px}px.png"))
        page.evaluate("window.__wbGlobes[0].resume()")
        refused = page.refused
        browser.close()
    # the headline figures of the first analysis tab, without scrolling
    assert headline is not None
    assert headline["y"] >= 0 and headline["y"] + headline["height"] <= HEIGHT_PX, headline
    # the error in full: named by its label, not clipped, inside the viewport
    assert "Altitude" in error["text"] and "50" in error["text"], error
    assert error["scrollWidth"] <= error["clientWidth"], error
    assert not error["clipped"], error
    assert 0 <= error["left"] and error["right"] <= error["viewport"], error
    # site labels: at least one shown, no two boxes overlapping
    shown = [b for b in labels if b["shown"]]
    assert shown, labels
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            apart = (a["right"] <= b["left"] or b["right"] <= a["left"]
                     or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])
            assert apart, (a, b)
    assert refused == [], refused
