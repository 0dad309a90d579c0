"""Benchmark: the whole real Starlink snapshot over a day into ITRS, against two baselines.

    uv run python benchmarks/propagation.py                  # 9,489 sats × 24 h at 60 s
    uv run python benchmarks/propagation.py --sats 500 --hours 2   # a quick run

Compares, in one process on the same TLEs and the same time grid:

- ``workbench.orbits.propagate(..., frame="itrs")`` in one process (``workers=1``) and
  with worker processes (``workers=None``: every core for big jobs);
- (a) a loop of skyfield ``EarthSatellite(line1, line2).at(t).frame_xyz(itrs)`` over the
  satellites, each call vectorised over the whole time grid, as a skyfield user would
  write it (one ``Time`` array, whose rotations skyfield caches after the first call).
  It runs on an evenly spaced sample of satellites (``--skyfield-sample``): the first
  call's time counts once, the rest is scaled up to all satellites; the script says so;
- (b) bare ``sgp4.api.SatrecArray(sats).sgp4(jd, fr)`` on prebuilt ``Satrec`` objects:
  TEME positions and velocities, no frame rotation, no checks — the floor.

Our timings include everything ``propagate`` does (Satrec construction, skyfield's
TEME→ITRS matrices, rotation, error checks); (b) times the bare SGP4 call only.
Agreement: ours vs skyfield on the sample (ITRS), ours in TEME vs (b) on the sample,
and the parallel result vs the single-process one (expected bit-identical).

Peak memory: tracemalloc's peak of traced allocations (numpy registers its buffers)
during each of our runs and (b), plus, for the parallel run, the shared-memory block
the workers write the result into (an mmap tracemalloc cannot see) and the largest
worker's peak resident set (VmHWM sampled from /proc; Linux). The script's own peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is printed too. The skyfield loop
runs without tracemalloc (it would slow its many small allocations). The machine's load
average is printed: other work on the same cores skews the parallel figures.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime

import numpy as np

START = datetime(2026, 1, 31, tzinfo=UTC)  # the snapshot's epochs are 2026-01-27 … 31


class _ChildMemory:
    """Largest VmHWM (peak resident set, MB) of this process's children, sampled from
    /proc every 20 ms while a run is going (Linux only; else NaN).

    Not ``getrusage(RUSAGE_CHILDREN)``: a child started by vfork/exec inherits the
    parent's peak RSS into its ``ru_maxrss``, which would report the parent's memory.
    VmHWM belongs to the child's own address space; it counts the pages of the shared
    result block that the worker wrote (its share of the result).
    """

    def __init__(self):
        import threading

        self.peak_mb = float("nan")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _children(self) -> set[int]:
        pids: set[int] = set()
        for task in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{task}/children") as f:
                    pids.update(int(p) for p in f.read().split())
            except OSError:
                pass
        return pids

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            for pid in self._children():
                try:
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                mb = int(line.split()[1]) / 1024
                                self.peak_mb = mb if self.peak_mb != self.peak_mb else max(
                                    self.peak_mb, mb)
                except OSError:
                    pass

    def __enter__(self) -> _ChildMemory:
        if os.path.isdir("/proc/self/task"):
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def _best(fn, repeat: int, *, trace_memory: bool) -> tuple[float, object, float]:
    """(best wall time s, last result, peak traced MB) over ``repeat`` runs."""
    best, result, peak_mb = float("inf"), None, float("nan")
    for _ in range(repeat):
        result = None
        if trace_memory:
            tracemalloc.start()
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        if trace_memory:
            peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        best = min(best, elapsed)
    return best, result, peak_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sats", type=int, default=None,
                        help="first N satellites of the snapshot (default: all)")
    parser.add_argument("--hours", type=float, default=24.0, help="grid span (default 24)")
    parser.add_argument("--step", type=float, default=60.0, help="grid step s (default 60)")
    parser.add_argument("--skyfield-sample", type=int, default=200,
                        help="satellites in the skyfield loop, scaled up (default 200)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="best of R runs for ours and (b) (default 1)")
    args = parser.parse_args(argv)

    import sgp4
    import skyfield
    from sgp4.api import Satrec, SatrecArray
    from skyfield.api import EarthSatellite
    from skyfield.framelib import itrs

    from workbench import datasets
    from workbench.model import Constellation
    from workbench.model.timegrid import TimeGrid
    from workbench.orbits import propagation as propagate_module
    from workbench.orbits.frames import sgp4_jd, skyfield_time, timescale
    from workbench.orbits.propagation import propagate

    snapshot = datasets.starlink()
    records = snapshot.tle_sets[0].records
    n_sats = min(args.sats or len(records), len(records))
    records = records[:n_sats]
    text = "\n".join(f"{r.name}\n{r.line1}\n{r.line2}" for r in records)
    constellation = Constellation.from_tle(text, name="starlink")
    constellation.satellites  # parse once, outside the timings  # noqa: B018
    grid = TimeGrid(start=START, duration_s=args.hours * 3600.0, step_s=args.step)
    n_times = len(grid)
    sat_steps = n_sats * n_times
    n_sample = max(1, min(args.skyfield_sample, n_sats))
    sample = np.unique(np.linspace(0, n_sats - 1, n_sample).round().astype(int))
    n_sample = len(sample)
    ts = timescale()
    t = skyfield_time(grid)
    jd, fr = sgp4_jd(grid)
    auto_workers = propagate_module._resolve_workers(None, n_sats, n_times)

    print(f"Starlink snapshot {datasets.starlink_tle_path().name}: {n_sats:,} satellites × "
          f"{n_times:,} steps ({args.hours:g} h at {args.step:g} s) = {sat_steps:,} "
          f"satellite-steps, frame ITRS")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, sgp4 {sgp4.__version__} "
          f"(accelerated={sgp4.api.accelerated}), skyfield {skyfield.__version__}; "
          f"{os.cpu_count()} CPUs; workers=None → {auto_workers} process(es)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    # warm-ups: imports, skyfield's tables, the first worker start (not timed)
    tiny = TimeGrid(start=START, duration_s=120.0, step_s=60.0)
    propagate(constellation, tiny, workers=1, on_error="ignore")
    propagate(constellation, tiny, workers=2, on_error="ignore")
    EarthSatellite(records[0].line1, records[0].line2, ts=ts).at(t[:2]).frame_xyz(itrs)

    # (b) bare SatrecArray.sgp4, TEME
    sats = [Satrec.twoline2rv(r.line1, r.line2) for r in records]
    array = SatrecArray(sats)
    bare_s, (_, bare_r, _), bare_mb = _best(lambda: array.sgp4(jd, fr), args.repeat,
                                            trace_memory=True)
    bare_sample_r = bare_r[sample].copy()
    del bare_r, array

    # ours, one process
    one_s, r_one, one_mb = _best(lambda: propagate(constellation, grid, workers=1,
                                                   on_error="ignore"),
                                 args.repeat, trace_memory=True)

    # ours, worker processes (workers=None)
    with _ChildMemory() as children:
        par_s, r_par, par_mb = _best(lambda: propagate(constellation, grid,
                                                       on_error="ignore"),
                                     args.repeat, trace_memory=True)
    worker_rss_mb = children.peak_mb
    is_parallel = auto_workers > 1
    shared_mb = r_par.nbytes / 2**20 if is_parallel else 0.0
    is_identical = bool(np.array_equal(r_one, r_par, equal_nan=True))

    # (a) skyfield loop over the sample, scaled to all satellites. skyfield caches the
    # grid's rotations on the Time object at the first call: that cost is paid once
    # (not scaled up), the rest of the loop is scaled by n_sats / n_sample.
    t0 = time.perf_counter()
    first = sample[0]
    sky = [EarthSatellite(records[first].line1, records[first].line2, ts=ts).at(t)
           .frame_xyz(itrs).km]
    sky_once_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sky += [EarthSatellite(records[i].line1, records[i].line2, ts=ts).at(t).frame_xyz(itrs).km
            for i in sample[1:]]
    sky_loop_s = time.perf_counter() - t0
    sky_s = sky_once_s + (sky_loop_s / max(n_sample - 1, 1)) * (n_sats - 1)
    sky_r = np.stack([np.asarray(x).T for x in sky])

    # agreement
    ours_sample = r_one[sample]
    both = np.isfinite(ours_sample).all(axis=-1) & np.isfinite(sky_r).all(axis=-1)
    sky_diff_m = float(np.abs(ours_sample[both] - sky_r[both]).max()) * 1e3 if both.any() \
        else float("nan")
    sub = Constellation.from_tle("\n".join(f"{records[i].name}\n{records[i].line1}\n"
                                           f"{records[i].line2}" for i in sample))
    ours_teme = propagate(sub, grid, frame="teme", workers=1, on_error="ignore")
    ok = np.isfinite(ours_teme).all(axis=-1) & np.isfinite(bare_sample_r).all(axis=-1)
    bare_diff_m = float(np.abs(ours_teme[ok] - bare_sample_r[ok]).max()) * 1e3
    n_nan = int(np.isnan(r_one).any(axis=-1).sum())

    best_ours = min(one_s, par_s)
    rows = [
        ("ours, 1 process (workers=1)", one_s, f"{one_mb:,.0f}"),
        (f"ours, workers=None ({auto_workers} proc.)", par_s,
         f"{par_mb + shared_mb:,.0f}" + (f" (+{worker_rss_mb:,.0f}/worker)"
                                          if is_parallel else "")),
        (f"(a) skyfield loop (scaled from {n_sample} sats)", sky_s, "—"),
        ("(b) bare SatrecArray.sgp4 (TEME)", bare_s, f"{bare_mb:,.0f}"),
    ]
    print()
    print(f"{'method':<42} {'wall s':>8} {'sat-steps/s':>12} {'µs/sat-step':>12} "
          f"{'peak MB':>22} {'÷ (b)':>7}")
    print("-" * 108)
    for name, seconds, mem in rows:
        print(f"{name:<42} {seconds:>8.2f} {sat_steps / seconds:>12,.0f} "
              f"{seconds / sat_steps * 1e6:>12.3f} {mem:>22} {seconds / bare_s:>7.2f}")
    print("-" * 108)
    print(f"(a) skyfield ÷ ours 1 process : {sky_s / one_s:6.2f}×  (target ≥ 2×)    "
          f"{'PASS' if sky_s / one_s >= 2 else 'FAIL'}  — one process can reach at most "
          f"(a) ÷ (b) = {sky_s / bare_s:.2f}×: skyfield runs the same SGP4 C++ code")
    print(f"(a) skyfield ÷ best ours      : {sky_s / best_ours:6.2f}×  (target ≥ 2×)    "
          f"{'PASS' if sky_s / best_ours >= 2 else 'FAIL'}")
    print(f"ours 1 process ÷ (b) bare     : {one_s / bare_s:6.2f}×  (target ≤ 1.3×)  "
          f"{'PASS' if one_s / bare_s <= 1.3 else 'FAIL'}")
    print(f"best ours ÷ (b) bare          : {best_ours / bare_s:6.2f}×  (stretch < 1: beat "
          f"the floor with every core)  {'PASS' if best_ours < bare_s else 'FAIL'}")
    print(f"parallel speed-up over 1 process: {one_s / par_s:.2f}×")
    print()
    print(f"skyfield: {sky_once_s:.3f} s for the first satellite (computes and caches the "
          f"grid's rotations), then {sky_loop_s / max(n_sample - 1, 1) * 1e3:.2f} ms per "
          f"satellite, measured on {n_sample} evenly spaced satellites and scaled to "
          f"{n_sats:,}")
    print(f"agreement: ours vs skyfield (ITRS, {n_sample} sats × {n_times} steps): max "
          f"{sky_diff_m:.2e} m; ours TEME vs (b): max {bare_diff_m:.2e} m; "
          f"workers=None vs workers=1 bit-identical: {is_identical}")
    print(f"satellites with SGP4 errors on this grid (NaN rows): {n_nan}")
    self_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    note = (f"; the workers=None row adds the {shared_mb:,.0f} MB shared result block and "
            "shows the largest worker's peak RSS (VmHWM from /proc, which includes the "
            "worker's share of that block)") if is_parallel else ""
    print(f"peak memory: tracemalloc peak of traced allocations per run{note}; this "
          f"process's peak RSS over the whole script (ru_maxrss) {self_rss_mb:,.0f} MB")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if is_identical and sky_diff_m < 1.0 and bare_diff_m == 0.0 else 1


if __name__ == "__main__":
    sys.exit(main())
