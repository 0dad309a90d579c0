"""Benchmark: a day of jobs on a 1,584-satellite shell, power, thermal and routing every 60 s.

Shell: 72 × 22 at 550 km, 53° (Starlink shell 1 layout), +Grid ISLs, the demo scenario's
platform, payload and ground sites (users and a target in China, four gateways). Workload:
``--jobs`` jobs (default 1,000,000) over ``--hours`` (default 24), policy
``best_neighbour`` (k = 2 hops).

Measured, in one process:

1. ``workbench.analyses.schedule`` end to end (propagation, capacity, workload, the step
   loop with placement, transfers, queues and batteries, the polars frames): jobs/s.
2. The queueing kernel alone (:func:`workbench.analyses.scheduling.queues.enqueue`) on
   the same jobs' satellites and work: jobs/s.
3. The reference: a SimPy model of the same workload as one FIFO resource per satellite
   (each job's entry satellite, arrival and service time at the full rate; no power,
   heat or routing — it is the lighter problem), on a sample of ``--simpy-jobs`` jobs,
   jobs/s. Both queue models are checked to agree on the mean wait for that sample.

Targets (issue 11): the whole day in ≤ 120 s on 2 cores (≥ 8,000 jobs/s end to end) and
the kernel alone ≥ 1 M jobs/s.

Run: ``uv run python benchmarks/scheduling.py [--jobs N] [--hours H] [--simpy-jobs N]``
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--simpy-jobs", type=int, default=100_000)
    parser.add_argument("--policy", default="best_neighbour")
    args = parser.parse_args()

    import simpy

    import workbench as wb
    from workbench.analyses.scheduling.queues import enqueue

    base = wb.load_scenario("beijing-etown-demo")
    data = base.model_dump()
    data["constellation"] = {"name": "S1 layout", "shells": [{
        "name": "S1", "altitude_km": 550.0, "inclination_deg": 53.0, "planes": 72,
        "sats_per_plane": 22, "phasing": 39, "pattern": "delta"}]}
    data["duration_s"] = args.hours * 3600.0
    scenario = wb.Scenario.model_validate(data)
    n_sats = len(scenario.constellation)
    options = {"policy": args.policy, "n_jobs": args.jobs, "job_gop": 5000.0,
               "timeseries_sats": 64}

    started = time.perf_counter()
    result = wb.analyses.schedule(scenario, options=options)
    total_s = time.perf_counter() - started
    s = result.summary
    print(f"shell {n_sats:,} satellites × {len(scenario.time_grid):,} steps of "
          f"{scenario.step_s:g} s; {args.jobs:,} jobs; policy {args.policy}")
    print(f"end to end        {total_s:8.1f} s   {args.jobs / total_s:12,.0f} jobs/s   "
          f"(target ≤ 120 s for 1 M jobs, ≥ 8,000 jobs/s)")
    print(f"  completion {s['completion_frac']:.4f}, met {s['n_met']:,}, late {s['n_late']:,}"
          f", dropped {s['n_dropped']:,}, queued {s['n_queued']:,}")

    jobs = result["jobs"].filter(result["jobs"]["entry_sat"] >= 0)
    sat = jobs["entry_sat"].to_numpy()
    arrival = jobs["arrival_s"].to_numpy()
    rate = scenario.payload.int8_tops * 0.5
    service = jobs["work_top"].to_numpy() / rate
    started = time.perf_counter()
    start_u, _, _ = enqueue(sat, arrival * rate, service * rate, np.zeros(n_sats))
    kernel_s = time.perf_counter() - started
    print(f"queue kernel      {kernel_s:8.3f} s   {sat.size / kernel_s:12,.0f} jobs/s   "
          "(target ≥ 1 M jobs/s)")

    m = min(args.simpy_jobs, sat.size)
    env = simpy.Environment()
    servers = [simpy.Resource(env, capacity=1) for _ in range(n_sats)]
    waits = np.empty(m)

    def job(i):
        yield env.timeout(arrival[i])
        with servers[sat[i]].request() as req:
            yield req
            waits[i] = env.now - arrival[i]
            yield env.timeout(service[i])

    started = time.perf_counter()
    for i in range(m):
        env.process(job(i))
    env.run()
    simpy_s = time.perf_counter() - started
    kernel_waits = start_u / rate - arrival
    sub_start, _, _ = enqueue(sat[:m], arrival[:m] * rate, service[:m] * rate,
                              np.zeros(n_sats))
    sub_waits = sub_start / rate - arrival[:m]
    print(f"SimPy reference   {simpy_s:8.1f} s   {m / simpy_s:12,.0f} jobs/s   "
          f"(on {m:,} jobs; queues only)")
    print(f"  mean wait: kernel {sub_waits.mean():.6f} s, SimPy {waits.mean():.6f} s "
          f"(all jobs, kernel: {kernel_waits.mean():.6f} s)")
    print(f"ratio             end to end / SimPy {args.jobs / total_s / (m / simpy_s):.2f}×, "
          f"kernel / SimPy {sat.size / kernel_s / (m / simpy_s):.1f}×")


if __name__ == "__main__":
    main()
