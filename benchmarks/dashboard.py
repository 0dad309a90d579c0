"""The served dashboard in headless Chromium: first byte, rendered globe, edit-to-chart
times and memory per idle session.

Serves ``workbench dashboard`` for a scenario in this process (threaded), opens it in the
Debian chromium with every request off the server refused, and prints

- time to first byte of ``/`` (cold: the first session; warm: the median of the next);
- time from navigation to a rendered globe (imagery tiles loaded, every satellite drawn);
- edit-to-updated-chart: an economics edit (compute price) until the business cash-flow
  chart in the page changes, and an orbit edit (shell altitude) until the first capacity
  chart changes; beside them, the reference: every analysis recomputed from a fresh
  propagation in this process (what a dashboard without the stale-analysis rule and the
  geometry cache would do per edit), and the ratio;
- resident memory per idle session: the server's RSS growth per extra loaded session.

Targets (issue 14): ≤ 0.5 s first byte, ≤ 300 ms economics edit, ≤ 1.5 s to the first
updated chart after an orbit edit, ≤ 2 MB per idle session after the first.

Run: ``uv run python benchmarks/dashboard.py [--scenario NAME] [--hours H] [--sessions N]``
"""
from __future__ import annotations

import argparse
import gc
import socket
import statistics
import time
import urllib.request
import warnings


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ttfb(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        response.read(1)
        elapsed = time.perf_counter() - start
        response.read()
    return elapsed


def _wait(condition, timeout_s: float = 300.0) -> None:  # noqa: ANN001
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.01)
    raise TimeoutError("condition not met")


def _open(browser, url: str):  # noqa: ANN001, ANN202
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        "http://127.0.0.1") else r.abort())
    page.goto(url)
    return page


SERVER_S: dict[tuple[str, bool], list[float]] = {}
"""Per edit kind: seconds from the edit until the server handed the analysis's result to
the page (the dashboard's timeline), to tell server time from browser time."""


def _chart_changes(page, css: str, edit, board=None, analysis: str = "",  # noqa: ANN001
                   drawing: bool = True) -> float:
    """Seconds from ``edit()`` until the first plotly chart under ``css`` shows new data."""
    plot = page.locator(f"{css} .js-plotly-plot").first
    plot.wait_for(timeout=300_000)
    handle = plot.element_handle()
    before = handle.evaluate("el => JSON.stringify(el.data.map(t => t.y))")
    mark = len(board.timeline) if board is not None else 0
    start = time.perf_counter()
    edit()
    page.wait_for_function("([el, y]) => JSON.stringify(el.data.map(t => t.y)) !== y",
                           arg=[handle, before], timeout=300_000, polling=10)
    elapsed = time.perf_counter() - start
    if board is not None:
        shown = [t - start for t, name in board.timeline[mark:] if name == analysis]
        if shown:
            SERVER_S.setdefault((analysis, drawing), []).append(shown[0])
    return elapsed


def _field(page, card: str, label: str):  # noqa: ANN001, ANN202
    group = page.locator(".bk-input-group", has_text=label).first
    if not group.is_visible():
        page.locator(".card-header", has_text=card).first.click()
    field = group.locator("input").first
    field.wait_for(timeout=60_000)
    return field


def _type(field, value: str) -> None:  # noqa: ANN001
    field.fill(value)
    field.press("Enter")


def _reference_s(scenario) -> float:  # noqa: ANN001
    from workbench.analyses import registry
    from workbench.orbits.geometry import scenario_geometry

    start = time.perf_counter()
    geometry = scenario_geometry(scenario)
    results: dict = {}
    for spec in registry.analyses():
        results[spec.name] = registry.run(spec, scenario, results=results, geometry=geometry)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="beijing-etown-demo")
    parser.add_argument("--hours", type=float, default=None,
                        help="shorten the scenario to this many hours (default: as it is)")
    parser.add_argument("--sessions", type=int, default=4,
                        help="extra idle sessions for the memory figure")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from playwright.sync_api import sync_playwright

    from workbench.dashboard.serve import serve_dashboard
    from workbench.scenarios import load_scenario
    from workbench.widgets.headless import find_chromium, launch

    scenario = load_scenario(args.scenario)
    if args.hours:
        scenario = scenario.replace(duration_s=args.hours * 3600.0)
    sessions: list = []
    port = _port()
    url = f"http://127.0.0.1:{port}/"
    server = serve_dashboard(scenario, port=port, show=False, threaded=True,
                             sessions=sessions, globe_quality="cheap")
    try:
        time.sleep(0.5)
        cold = _ttfb(url)
        warm = statistics.median(_ttfb(url) for _ in range(5))
        print(f"scenario           {scenario.name}: {len(scenario.constellation)} satellites, "
              f"{scenario.duration_s / 3600:g} h at {scenario.step_s:g} s")
        print(f"first byte         cold {cold * 1000:7.0f} ms   warm {warm * 1000:7.0f} ms  "
              "(target ≤ 500 ms)")
        with sync_playwright() as playwright:
            browser = launch(playwright, executable=find_chromium())
            n = len(sessions)
            start = time.perf_counter()
            page = _open(browser, url)
            page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length === 1",
                                   timeout=300_000)
            page.evaluate("window.__wbGlobes[0].tilesLoaded(120000)")
            page.wait_for_function(f"window.__wbGlobes[0].points.length === "
                                   f"{len(scenario.constellation)}", timeout=300_000)
            print(f"rendered globe     {time.perf_counter() - start:7.2f} s from navigation "
                  "(SwiftShader software WebGL)")
            _wait(lambda: len(sessions) > n)
            board = sessions[n]
            _wait(lambda: board.built)
            board.recomputer.wait_idle(600)
            first = sum(board.recomputer.timings_s.values())
            print(f"first run          {first:7.2f} s of analyses "
                  f"({', '.join(f'{k} {v:.2f}' for k, v in board.recomputer.timings_s.items())})")

            # each edit twice: with the globe drawing on SwiftShader (software WebGL takes a
            # core from the page's main thread, which an audience's GPU would not), and
            # with its render loop paused (what the page itself costs)
            econ: dict[bool, list[float]] = {True: [], False: []}
            orbit: dict[bool, list[float]] = {True: [], False: []}
            page.locator(".bk-tab", has_text="Business").first.click()
            price = _field(page, "Economics", "Compute price")
            for drawing, values in ((True, ("1.5", "2.5", "3.5")), (False, ("4.5", "5.5", "6.5"))):
                page.evaluate(f"window.__wbGlobes[0].{'resume' if drawing else 'stop'}()")
                econ[drawing] = [_chart_changes(page, ".wb-figure-cash-flows",
                                                lambda v=v: _type(price, v), board, "business",
                                                drawing)
                                 for v in values]
                board.recomputer.wait_idle(600)
            page.locator(".bk-tab", has_text="Capacity").first.click()
            altitude = _field(page, "Walker shell 1", "Altitude")
            for drawing, values in ((True, ("560", "550")), (False, ("570", "580"))):
                page.evaluate(f"window.__wbGlobes[0].{'resume' if drawing else 'stop'}()")
                for v in values:
                    orbit[drawing].append(_chart_changes(page, ".wb-tab-capacity",
                                                         lambda v=v: _type(altitude, v),
                                                         board, "capacity", drawing))
                    board.recomputer.wait_idle(600)
            page.evaluate("window.__wbGlobes[0].resume()")
            for name, kind in (("business", "economics"), ("capacity", "orbit")):
                for drawing in (True, False):
                    if SERVER_S.get((name, drawing)):
                        print(f"{kind + ' edit':<18} {statistics.median(SERVER_S[name, drawing]):7.2f}"
                              f" s until the server hands the {name} result to the page, globe "
                              f"{'drawing' if drawing else 'paused'} (typing the value included)")
            reference = _reference_s(board.scenario)
            for drawing in (True, False):
                econ_s, orbit_s = statistics.median(econ[drawing]), statistics.median(orbit[drawing])
                globe = "globe drawing" if drawing else "globe paused "
                print(f"economics edit     {econ_s * 1000:7.0f} ms to the updated cash-flow chart, "
                      f"{globe} (target ≤ 300 ms); reference full recompute {reference:.2f} s, "
                      f"ratio {reference / econ_s:.0f}×")
                print(f"orbit edit         {orbit_s:7.2f} s to the first updated capacity chart, "
                      f"{globe} (target ≤ 1.5 s); ratio to the reference "
                      f"{reference / orbit_s:.1f}×")

            gc.collect()
            rss0 = _rss_mb()
            pages = []
            for _ in range(args.sessions):
                m = len(sessions)
                pages.append(_open(browser, url))
                _wait(lambda m=m: len(sessions) > m and sessions[m].built)
                sessions[m].recomputer.wait_idle(600)
            time.sleep(2.0)
            gc.collect()
            per = (_rss_mb() - rss0) / max(args.sessions, 1)
            print(f"idle session       {per:7.1f} MB resident per extra loaded session "
                  f"({args.sessions} sessions; target ≤ 2 MB)")
            for extra in pages:
                extra.close()
            page.close()
            browser.close()
    finally:
        server.stop()
    print("report size        not measured here (the report is `workbench report`)")


if __name__ == "__main__":
    main()
