"""Capacity analysis of the real Starlink snapshot against propagation alone.

Full capacity analysis (power, thermal, compute in view of the demo scenario's nine ground
sites, the remote-sensing data pipeline, radiation) of the 9,489-satellite CelesTrak
snapshot over 24 h at 60 s, timed side by side with the SGP4 propagation it rests on
(``propagate_state`` in ITRS with velocities: exactly the call the analysis makes once).

Target: the analysis adds at most 1× the propagation time.

Run: ``uv run python benchmarks/capacity.py [--repeat 3] [--hours 24] [--step 60]``
"""
from __future__ import annotations

import argparse
import time
import warnings
from datetime import UTC, datetime

import workbench as wb
from workbench.analyses.onboard.assessment import capacity
from workbench.model.errors import PropagationWarning
from workbench.orbits.geometry import orbit_geometry
from workbench.orbits.propagation import propagate_state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is kept")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--step", type=float, default=60.0, help="time step, s")
    args = parser.parse_args()

    starlink = wb.datasets.starlink()
    scenario = wb.load_scenario("beijing-etown-demo").replace(
        constellation=starlink, epoch_utc=datetime(2026, 2, 1, tzinfo=UTC),
        duration_s=args.hours * 3600.0, step_s=args.step)
    grid = scenario.time_grid
    n_sats, n_times = len(starlink), len(grid)
    print(f"Starlink snapshot: {n_sats:,} satellites × {n_times:,} steps "
          f"({args.hours:g} h at {args.step:g} s) = {n_sats * n_times / 1e6:.1f} M "
          f"satellite-steps; {len(scenario.ground)} ground sites")

    warnings.simplefilter("ignore", PropagationWarning)  # decaying satellites: reported below
    propagation, full, analysis, geometry_only = [], [], [], []
    result = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        propagate_state(starlink, grid, frame="itrs", epoch=scenario.epoch_utc)
        propagation.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        result = capacity(scenario)
        full.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        geometry = orbit_geometry(starlink, grid, epoch=scenario.epoch_utc)
        t1 = time.perf_counter()
        capacity(scenario, geometry=geometry)
        t2 = time.perf_counter()
        geometry_only.append(t1 - t0)
        analysis.append(t2 - t1)

    best_prop, best_full = min(propagation), min(full)
    added = best_full - best_prop
    print(f"propagation alone (propagate_state, ITRS + velocity): {best_prop:7.2f} s")
    print(f"full capacity analysis (propagates once):             {best_full:7.2f} s")
    print(f"  of which geometry (propagation + Sun, shadow, beta): {min(geometry_only):7.2f} s")
    print(f"  analysis on a given geometry:                        {min(analysis):7.2f} s")
    print(f"added by the analysis: {added:.2f} s = {added / best_prop:.2f}× propagation "
          f"(target ≤ 1×): {'OK' if added <= best_prop else 'MISSED'}")
    print(f"all runs (s): propagation {[round(t, 2) for t in propagation]}, "
          f"capacity {[round(t, 2) for t in full]}")
    s = result.summary
    print(f"result: {s['effective_tops_total_mean']:,.0f} effective TOPS on average, "
          f"{s['eclipse_min_per_orbit_mean']:.1f} min eclipse per orbit, limiting factor "
          f"{s['limiting_factor']}; Beijing sees {s['tops_in_view_p50']['Beijing']:,.0f} TOPS "
          f"(median); {s['n_not_propagated']} satellites failed SGP4 somewhere")


if __name__ == "__main__":
    main()
