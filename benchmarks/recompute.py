"""One Workbench recompute of the default scenario: every analysis propagating on its own
(how the analyses ran before they shared one geometry) against one shared orbit geometry.

Both run in this process, one after the other, on the same registered analyses
(capacity, latency, placement, event to insight, business and any plugin's), with the same
inputs; the script prints each analysis's time, the number of SGP4 propagations and the
ratio. ``--workbench`` also times ``wb.Workbench(...).recompute()`` itself (the widget's
own bookkeeping included).

Run: ``uv run python benchmarks/recompute.py [--repeat 3] [--scenario NAME] [--workbench]``
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import workbench as wb
from workbench.analyses import registry
from workbench.orbits import geometry as geometry_module
from workbench.orbits import propagation


def _recompute(scenario, *, shared: bool, names=None) -> tuple[float, dict[str, float], int]:
    """(total s, per-analysis s, propagations) of one pass over the registry."""
    count = [0]
    real = propagation._elements

    def counting(constellation, epoch):
        count[0] += 1
        return real(constellation, epoch)

    propagation._elements = counting
    try:
        times: dict[str, float] = {}
        start = time.perf_counter()
        geometry = None
        if shared:
            geometry = geometry_module.scenario_geometry(scenario)
            times["geometry (shared)"] = time.perf_counter() - start
        results: dict = {}
        for spec in registry.analyses():
            if names and spec.name not in names:
                continue
            t0 = time.perf_counter()
            results[spec.name] = registry.run(spec, scenario, results=results,
                                              geometry=geometry)
            times[spec.name] = time.perf_counter() - t0
        return time.perf_counter() - start, times, count[0]
    finally:
        propagation._elements = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is kept")
    parser.add_argument("--scenario", default="beijing-etown-demo")
    parser.add_argument("--analyses", nargs="*", default=None,
                        help="only these registered analyses (default: all)")
    parser.add_argument("--workbench", action="store_true",
                        help="also time Workbench.recompute() (widgets, no browser)")
    args = parser.parse_args()
    scenario = wb.load_scenario(args.scenario)
    print(f"{scenario.name}: {len(scenario.constellation)} satellites × "
          f"{len(scenario.time_grid):,} steps, {len(scenario.ground)} sites; analyses "
          f"{', '.join(args.analyses or registry.names())}; load average "
          f"{os.getloadavg()[0]:.2f}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the analyses' notes (unreachable pairs, …)
        _recompute(scenario, shared=True, names=args.analyses)  # warm imports and caches
        runs = {}
        for shared in (False, True):
            best = min((_recompute(scenario, shared=shared, names=args.analyses)
                        for _ in range(args.repeat)),
                       key=lambda r: r[0])
            runs[shared] = best
    for shared, (total, times, n_prop) in runs.items():
        label = "one shared geometry" if shared else "each analysis propagates"
        parts = ", ".join(f"{k} {v:.2f}" for k, v in times.items())
        print(f"{label:26s} {total:6.2f} s  ({n_prop} propagations)  [{parts}]")
    print(f"shared / separate: {runs[True][0] / runs[False][0]:.2f}×")
    if args.workbench:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            app = wb.Workbench(scenario, auto=False, globe_quality="cheap",
                               analyses=args.analyses)
            best = min(_timed(app.recompute) for _ in range(args.repeat))
        print(f"Workbench.recompute(): {best:.2f} s (geometry cached from the globe's view)")


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
