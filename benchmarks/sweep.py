"""A design-space sweep on 1 and on 2 Dask worker processes: points per second, the
speed-up, and the projected time for 10,000 points.

500 design points (a seeded Latin hypercube over altitude and inclination, crossed with two
chips) of a 36-satellite Walker shell over one hour at 60 s steps; each point runs
capacity, latency (5 user sites: 10 city pairs) and business, propagating once. Both runs
use a fresh ``LocalCluster`` on 127.0.0.1 (single-threaded worker processes), the same
points and batches sized by ``wb.sweep`` from a timing of one point.

Run: ``uv run python benchmarks/sweep.py [--points 500] [--workers 1 2]``
"""
from __future__ import annotations

import argparse
import time

from workbench.designspace import LatinHypercube, design_points, sweep
from workbench.scenarios import load_scenario

CITIES = [("Beijing", 39.9042, 116.4074), ("Shanghai", 31.2222, 121.4581),
          ("Shenzhen", 22.5455, 114.0683), ("Chengdu", 30.5728, 104.0668),
          ("Xi'an", 34.3416, 108.9398)]


def base_scenario() -> dict:
    data = load_scenario("beijing-etown-demo").model_dump(mode="json")
    data.update(duration_s=3600.0, step_s=60.0, constellation={
        "name": "walker", "shells": [{"altitude_km": 550.0, "inclination_deg": 53.0,
                                      "planes": 6, "sats_per_plane": 6}]})
    data["ground"] = {"sites": [{"name": n, "lat_deg": a, "lon_deg": o, "role": "user"}
                                for n, a, o in CITIES]}
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    base = base_scenario()
    space = LatinHypercube({"constellation.shells.0.altitude_km": (450.0, 800.0),
                            "constellation.shells.0.inclination_deg": (40.0, 70.0)},
                           n=max(1, args.points // 2), seed=2026,
                           fixed={"payload.chip": ["jetson-agx-orin", "jetson-orin-nx"]})
    n_points = design_points(base, space).height
    print(f"{n_points} design points: capacity + latency (10 city pairs) + business, "
          f"36 satellites, 61 steps")
    rates = {}
    for n_workers in args.workers:
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=":0") as cluster, \
                Client(cluster) as client:
            client.run(lambda: __import__("workbench.analyses.registry"))  # warm imports
            start = time.perf_counter()
            frame = sweep(base, space, ["capacity", "latency", "business"], client=client)
            elapsed = time.perf_counter() - start
        n_failed = int(frame["error"].is_not_null().sum())
        rates[n_workers] = frame.height / elapsed
        print(f"{n_workers} worker{'s' if n_workers > 1 else ''}: {frame.height} points in "
              f"{elapsed:.1f} s = {rates[n_workers]:.2f} points/s ({n_failed} failed); "
              f"10,000 points would take {10_000 / rates[n_workers] / 60:.1f} min")
    if 1 in rates and len(rates) > 1:
        most = max(rates)
        print(f"speed-up on {most} workers: {rates[most] / rates[1]:.2f}× "
              f"(target ≥ 1.7× on 2 cores)")


if __name__ == "__main__":
    main()
