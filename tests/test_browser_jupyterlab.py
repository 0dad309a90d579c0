"""``wb.Workbench()`` in a real JupyterLab, started headless on localhost by the test.

The workbench server extension serves the local Cesium build; the notebook's widgets
(forms, globe, analysis tabs) must render, and a click on the globe's ground with the
"gateway" role chosen must add a site that the kernel's scenario sees.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from test_browser_globe import ARTIFACTS, BEIJING, require

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "import workbench as wb\nw = wb.Workbench(globe_quality='cheap')\nw"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 with the workbench extension; yields its URL."""
    from workbench.widgets.cesium import local_cesium_dir
    from workbench.widgets.headless import find_chromium

    require(find_chromium(), "Debian chromium is not installed (apt-get install -y chromium)")
    require(local_cesium_dir(), "no local Cesium build (install_cesium())")
    root = tmp_path_factory.mktemp("lab")
    (root / "workbench.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    config = tmp_path_factory.mktemp("jupyter-config")
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(config / "runtime"), "JUPYTER_PLATFORM_DIRS": "1"}
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
        with urllib.request.urlopen(url + "workbench/cesium/index.js", timeout=10) as response:
            assert response.status == 200  # the server extension serves Cesium
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


def run_in_kernel(page, code: str) -> str:
    """Execute ``code`` in the notebook's kernel from the page; return what it printed."""
    return page.evaluate("""async (code) => {
      const panel = window.jupyterapp.shell.currentWidget;
      const kernel = panel.sessionContext.session.kernel;
      let text = "";
      const future = kernel.requestExecute({ code });
      future.onIOPub = (msg) => {
        if (msg.header.msg_type === "stream") text += msg.content.text;
        if (msg.header.msg_type === "error") text += msg.content.ename + ": " + msg.content.evalue;
      };
      await future.done;
      return text;
    }""", code)


def test_workbench_renders_and_ground_click_reaches_kernel(jupyterlab):
    from playwright.sync_api import sync_playwright

    from workbench.widgets.headless import decode_png, image_stats, launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(jupyterlab + "lab/tree/workbench.ipynb")
        page.wait_for_function(
            "window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
            timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # the widgets: form tabs, the pick-role buttons, analysis tabs and the globe
        page.wait_for_selector(".widget-tab", timeout=120_000)
        page.wait_for_selector(".widget-toggle-buttons", timeout=60_000)
        page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length > 0",
                               timeout=90_000)
        assert page.evaluate("window.__wbGlobes[0].tilesLoaded(30000)")
        page.locator(".wb-globe").scroll_into_view_if_needed()
        page.evaluate("window.__wbGlobes[0].stop()")
        page.evaluate("window.__wbGlobes[0].renderOnce()")
        ARTIFACTS.mkdir(exist_ok=True)
        png = page.screenshot(path=str(ARTIFACTS / "jupyterlab-workbench.png"))
        page.evaluate("window.__wbGlobes[0].resume()")
        assert image_stats(decode_png(png))["n_colours"] > 1000
        assert page.locator(".widget-tab .lm-TabBar-tab", has_text="Constellation").count()
        assert page.locator(".lm-TabBar-tab", has_text="Business").count()
        # the capacity tab's figures, drawn by plotly.js served offline by the extension
        page.wait_for_selector(".wb-plotly .main-svg", timeout=60_000)
        assert "Cesium" not in page.locator(".wb-globe-status").inner_text()
        n_before = int(run_in_kernel(page, "print(len(w.scenario.ground))"))

        page.locator(".widget-toggle-buttons button", has_text="gateway").click()
        page.wait_for_function("window.__wbGlobes[0].viewer !== undefined")
        time.sleep(1.0)  # the role reaches the browser's model
        xy = page.evaluate(f"window.__wbGlobes[0].toWindow({BEIJING[0]}, {BEIJING[1]})")
        assert xy is not None
        page.mouse.click(xy["x"], xy["y"])
        deadline = time.monotonic() + 30
        while True:
            n_after = int(run_in_kernel(page, "print(len(w.scenario.ground))"))
            if n_after > n_before or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        site = run_in_kernel(page, "s = w.scenario.ground.sites[-1]; "
                                   "print(s.role, s.lat_deg, s.lon_deg)")
        browser.close()
    assert n_after == n_before + 1, site
    role, lat_deg, lon_deg = site.split()
    assert role == "gateway"
    assert abs(float(lat_deg) - BEIJING[1]) < 1.0 and abs(float(lon_deg) - BEIJING[0]) < 1.0
    assert not [e for e in errors if "wb-globe" in e or "Cesium" in e], errors
