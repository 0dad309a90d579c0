"""The globe animating the real 9,489-satellite Starlink snapshot in headless Chromium.

Measured: frames per second of the CesiumJS globe (``globe.js``, point primitives fed by
the float32 ITRS position buffer and interpolated every frame) while the clock runs at
60×, in Debian's chromium with WebGL2 on SwiftShader (software rendering), and the bytes
Python sends per second of animation. Reference side by side: the same positions as one
CZML entity per satellite with sampled positions (JSON), the approach the buffer replaces.

Target: ≥ 20 fps with software rendering.

Needs chromium and the local Cesium build (``install_cesium()``; ``.ci/browser-deps.sh``).

Run: ``uv run python benchmarks/globe.py [--seconds 8] [--size 480x400] [--quality cheap]``
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import timedelta

from workbench import datasets
from workbench.model.timegrid import TimeGrid
from workbench.widgets.cesium import StaticServer, local_cesium_dir
from workbench.widgets.globe import Globe
from workbench.widgets.globe_page import write_globe_page
from workbench.widgets.headless import find_chromium, launch

TARGET_FPS = 20.0


def czml_bytes_per_satellite(globe: Globe, n_sample: int = 200) -> float:
    """JSON bytes of one CZML entity per satellite with the same sampled positions
    (czml3, ``cartesian`` [t, x, y, z, …] in metres), averaged over ``n_sample`` sats."""
    from czml3 import Packet
    from czml3.properties import Point, Position

    r_km = globe.positions_at(0)  # warm the cache
    total = 0
    r_all = globe._r_km  # (n_sats, n_times, 3)
    offsets_s = globe.grid.offsets_s
    for i in range(min(n_sample, len(r_km))):
        samples = []
        for t, xyz in zip(offsets_s, r_all[i] * 1000.0, strict=True):
            samples += [float(t), *map(float, xyz)]
        packet = Packet(id=f"sat/{i}", position=Position(epoch=globe.grid.start,
                                                         cartesian=samples),
                        point=Point(pixelSize=3))
        total += len(packet.to_json().encode()) if hasattr(packet, "to_json") else len(
            json.dumps(json.loads(packet.model_dump_json(exclude_none=True))).encode())
    return total / min(n_sample, len(r_km))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="animation measured, s")
    parser.add_argument("--size", default="480x400", help="viewport WxH in CSS pixels")
    parser.add_argument("--quality", choices=("cheap", "full"), default="cheap")
    parser.add_argument("--minutes", type=float, default=120.0, help="data span, min")
    parser.add_argument("--multiplier", type=float, default=60.0, help="clock speed-up")
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))
    chromium, build = find_chromium(), local_cesium_dir()
    if chromium is None or build is None:
        raise SystemExit("needs Debian chromium and the local Cesium build: "
                         "bash .ci/browser-deps.sh")

    t0 = time.perf_counter()
    constellation = datasets.starlink()
    start = constellation.satellites["epoch_utc"].max().replace(second=0, microsecond=0)
    grid = TimeGrid(start=start + timedelta(minutes=1), duration_s=args.minutes * 60.0,
                    step_s=60.0)
    globe = Globe(constellation, grid=grid, quality=args.quality, height=height - 40,
                  multiplier=args.multiplier, point_size=2.0)
    prep_s = time.perf_counter() - t0
    sent_bytes = len(globe.positions) + len(globe.sat_rgba)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as site, StaticServer(build) as cesium:
        write_globe_page(globe, site, cesium_url=cesium.url)
        with StaticServer(site) as server, sync_playwright() as playwright:
            browser = launch(playwright, executable=chromium)
            page = browser.new_page(viewport={"width": width, "height": height})
            t1 = time.perf_counter()
            page.goto(server.url + "index.html")
            page.wait_for_function("window.__wbGlobes && window.__wbGlobes.length",
                                   timeout=120_000)
            page.evaluate("window.__wbGlobes[0].tilesLoaded(30000)")
            load_s = time.perf_counter() - t1
            page.evaluate("window.__wbGlobes[0].resetFps()")
            t_sim0 = page.evaluate("window.__wbGlobes[0].viewer.clock.currentTime.secondsOfDay")
            time.sleep(args.seconds)
            fps = page.evaluate("window.__wbGlobes[0].fps()")
            t_sim1 = page.evaluate("window.__wbGlobes[0].viewer.clock.currentTime.secondsOfDay")
            browser.close()

    czml_per_sat = czml_bytes_per_satellite(globe)
    czml_total = czml_per_sat * len(constellation)
    anim_span_s = (len(grid) - 1) * grid.step_s / args.multiplier
    print(f"satellites: {len(constellation):,}; grid {len(grid)} steps of {grid.step_s:g} s; "
          f"viewport {width}x{height}, quality {args.quality}, clock ×{args.multiplier:g}")
    print(f"prepare in Python (TLE parse + SGP4 + pack): {prep_s:.2f} s; "
          f"page ready with imagery: {load_s:.2f} s")
    print(f"fps while animating: {fps:.1f} (target ≥ {TARGET_FPS:g}: "
          f"{'met' if fps >= TARGET_FPS else 'NOT met'}; ratio {fps / TARGET_FPS:.2f}); "
          f"simulated {t_sim1 - t_sim0:.0f} s in {args.seconds:g} s")
    print(f"bytes sent from Python: {sent_bytes / 1e6:.1f} MB once, covering "
          f"{anim_span_s:.0f} s of animation = {globe.bytes_per_animation_s / 1e3:.0f} kB per "
          f"second of animation")
    print(f"reference, one CZML entity per satellite (JSON, same samples): "
          f"{czml_total / 1e6:.1f} MB = {czml_total / anim_span_s / 1e3:.0f} kB/s; "
          f"buffer/CZML ratio {sent_bytes / czml_total:.2f}")


if __name__ == "__main__":
    main()
