"""Propagation over worker processes: bit-identical to one process, bounded, robust.

The single-process path is itself checked against skyfield in test_orbits_propagation.py;
here the reference for the parallel path is that single-process path, bit for bit, plus
skyfield for a sample so the comparison is not only with our own code.
"""
from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import numpy as np
import pytest
from skyfield.api import EarthSatellite
from skyfield.framelib import itrs

from workbench.model import (
    Constellation,
    ModelError,
    PropagationWarning,
    TLESet,
    WalkerShell,
)
from workbench.model.timegrid import TimeGrid
from workbench.orbits import _sgp4_worker
from workbench.orbits import propagation as propagate_module
from workbench.orbits.frames import skyfield_time, timescale
from workbench.orbits.propagation import propagate, propagate_state

ONE_METRE_KM = 1e-3

# Real Starlink records (CelesTrak group "starlink", 2026-01-31). STARLINK-2133 and -1979
# are re-entering: SGP4 reports errors for them within a few days of their epochs.
TLE_TEXT = """\
STARLINK-1008
1 44714U 19074B   26031.25003471  .00034962  00000+0  11576-2 0  9990
2 44714  53.1572 352.8934 0001355  87.7780 348.0870 15.31011067  5538
STARLINK-2133
1 47406U 21005BK  26030.78311660  .06783928  12337-4  77613-3 0  9992
2 47406  53.0235 151.3733 0007383 328.0956  31.9641 16.36031453278450
STARLINK-1012
1 44718U 19074F   26031.13086365  .00002116  00000+0  83543-4 0  9995
2 44718  53.1592 353.2665 0001766  95.6518 264.4685 15.30204265343110
STARLINK-1979
1 47577U 21009AF  26030.56587132  .02214046  65298-2  14961-2 0  9994
2 47577  53.0250 128.3414 0007546 318.3591  41.6870 16.17678483275957
STARLINK-1017
1 44723U 19074L   26031.12543703  .00042369  00000+0  18739-2 0  9991
2 44723  53.0449 344.3443 0002358  95.5007 264.6257 15.21296612343249
"""

START = datetime(2026, 1, 31, 12, tzinfo=UTC)
MIXED = Constellation(name="mixed", shells=(
    WalkerShell(name="low", altitude_km=550, inclination_deg=53, planes=4, sats_per_plane=5),
    WalkerShell(name="polar", altitude_km=1100, inclination_deg=87.9, planes=3,
                sats_per_plane=4, pattern="star"),
), tle_sets=(TLESet(name="starlink", text=TLE_TEXT),))
GRID = TimeGrid(start=START, duration_s=4 * 86400.0, step_s=1800.0)  # long enough to decay


def _state(frame, workers, with_velocity=True):
    with pytest.warns(PropagationWarning, match="2 of 37 satellites failed"):
        return propagate_state(MIXED, GRID, frame=frame, workers=workers,
                               with_velocity=with_velocity)


@pytest.fixture(scope="module")
def one_process():
    return {frame: _state(frame, 1) for frame in ("itrs", "gcrs", "teme")}


@pytest.mark.parametrize("frame", ["itrs", "gcrs", "teme"])
@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_is_bit_identical(one_process, frame, workers):
    r1, v1, e1 = one_process[frame]
    r, v, e = _state(frame, workers)
    assert r.shape == r1.shape == (37, len(GRID), 3) and r.dtype == np.float64
    assert e.dtype == np.uint8
    np.testing.assert_array_equal(e, e1)
    assert np.array_equal(r, r1, equal_nan=True)  # bit for bit, NaN where SGP4 failed
    assert np.array_equal(v, v1, equal_nan=True)
    assert np.isnan(r[[33, 35]]).any() and not np.isnan(r[:33]).any()


def test_small_blocks_inside_workers_are_bit_identical(one_process, monkeypatch):
    # 3 satellite-steps per block: every worker task runs many SGP4 blocks
    monkeypatch.setattr(propagate_module, "CHUNK_SAT_STEPS", 3 * len(GRID))
    r1, v1, _ = one_process["itrs"]
    r, v, _ = _state("itrs", 2)
    assert np.array_equal(r, r1, equal_nan=True) and np.array_equal(v, v1, equal_nan=True)


def test_positions_only_match_states(one_process):
    r1, _, _ = one_process["itrs"]
    with pytest.warns(PropagationWarning):
        r = propagate(MIXED, GRID, workers=2)
    assert np.array_equal(r, r1, equal_nan=True)


def test_parallel_agrees_with_skyfield():
    # skyfield's EarthSatellite, with its own TLE parser and frame maths, as the oracle
    c = Constellation(name="s", tle_sets=(TLESet(name="ok", text="\n".join(
        TLE_TEXT.splitlines()[i] for i in (0, 1, 2, 6, 7, 8, 12, 13, 14))),))
    grid = TimeGrid(start=START, duration_s=86400.0, step_s=3600.0)
    r = propagate(c, grid, workers=2)
    t = skyfield_time(grid)
    ts = timescale()
    for k, rec in enumerate(c.tle_sets[0].records):
        expected = EarthSatellite(rec.line1, rec.line2, rec.name, ts).at(t).frame_xyz(itrs).km
        assert np.abs(r[k] - expected.T).max() < ONE_METRE_KM


def test_results_outlive_the_workers_and_behave_like_arrays():
    r, v, codes = propagate_state(MIXED.replace(tle_sets=()), GRID, workers=2)
    assert r.flags.writeable and r.flags.c_contiguous
    r[0, 0] = 0.0  # writable, no effect on anything else
    copy = pickle.loads(pickle.dumps(r))
    assert np.array_equal(copy, r)
    assert not codes.any()


def test_auto_workers_by_job_size(monkeypatch):
    monkeypatch.setattr(propagate_module, "_available_cpus", lambda: 2)
    small = propagate_module.PARALLEL_MIN_SAT_STEPS // 100
    assert propagate_module._resolve_workers(None, 100, small) == 1
    assert propagate_module._resolve_workers(None, 100, small + 1) == 2
    assert propagate_module._resolve_workers(None, 1, 10**7) == 1  # one satellite
    assert propagate_module._resolve_workers(8, 3, 10) == 3  # never more than satellites
    assert propagate_module._resolve_workers(1, 10**4, 10**4) == 1


@pytest.mark.parametrize("workers", [0, -2, 1.5, True, "2"])
def test_bad_workers_named(workers):
    with pytest.raises(ModelError, match=r"workers=.*whole number of processes ≥ 1"):
        propagate(MIXED, GRID, workers=workers)


def test_bad_frame_named():
    with pytest.raises(ModelError, match="frame='ecef': must be 'itrs', 'gcrs' or 'teme'"):
        propagate(MIXED, GRID, frame="ecef")  # type: ignore[arg-type]


def test_tasks_cover_every_satellite_once():
    for n_sats, n_workers in [(1, 1), (7, 2), (37, 3), (9489, 2)]:
        tasks = propagate_module._tasks(n_sats, n_workers)
        rows = np.concatenate([np.arange(a, b) for a, b in tasks])
        assert np.array_equal(rows, np.arange(n_sats))
        assert len(tasks) <= n_workers * propagate_module.TASKS_PER_WORKER


def test_worker_failure_is_reported_with_its_traceback():
    elements = [("tle", "not a", "tle"), ("bogus", 1)]
    data = pickle.dumps(elements)
    layout = _sgp4_worker.shared_layout(2, 3, with_velocity=False, has_matrices=False,
                                        n_element_bytes=len(data))
    pool = _sgp4_worker.WorkerPool(1, layout, data, is_itrs=False, chunk_sats=10)
    try:
        pool.start(np.full(3, 2461072.0), np.zeros(3), [(0, 2)])
        with pytest.raises(RuntimeError, match=r"(?s)failed on satellites 0-1:.*Traceback"):
            pool.wait()
    finally:
        pool.close(kill=True)


def test_dead_worker_is_reported():
    data = pickle.dumps([("init", 0, 27000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9, 0.0, 0.06, 0.0)])
    layout = _sgp4_worker.shared_layout(1, 3, with_velocity=False, has_matrices=False,
                                        n_element_bytes=len(data))
    pool = _sgp4_worker.WorkerPool(1, layout, data, is_itrs=False, chunk_sats=10)
    try:
        pool.processes[0].kill()
        pool.processes[0].wait()
        with pytest.raises(RuntimeError, match=r"worker process \d+ ended"):
            pool.start(np.full(3, 2461072.0), np.zeros(3), [(0, 1)])
            pool.wait()
    finally:
        pool.close(kill=True)


def test_script_without_main_guard_uses_workers(tmp_path):
    # Workers are plain subprocesses, so an unguarded script is not re-run in them (as
    # multiprocessing's spawn/forkserver would do).
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent("""\
        from datetime import UTC, datetime
        import numpy as np
        from workbench.model import Constellation
        from workbench.orbits.propagation import propagate
        from workbench.model.timegrid import TimeGrid
        print("script body ran")
        grid = TimeGrid(start=datetime(2026, 1, 31, tzinfo=UTC), duration_s=3600, step_s=600)
        c = Constellation.walker(550, 53, 3, 4)
        a = propagate(c, grid, workers=2)
        b = propagate(c, grid, workers=1)
        print("identical", np.array_equal(a, b))
    """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["script body ran", "identical True"]


def test_worker_module_imports_only_numpy_and_sgp4():
    code = ("import sys; import workbench.orbits._sgp4_worker as w; w.build_satrecs([]); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'polars', 'skyfield', 'pydantic', 'scipy', 'plotly', 'yaml'}); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "[]"


@pytest.fixture
def broken_workers(monkeypatch):
    """Worker processes that exit at once (as if workbench could not be imported)."""
    monkeypatch.setattr(sys, "executable", "/bin/false")
    monkeypatch.setattr(propagate_module, "PARALLEL_MIN_SAT_STEPS", 0)
    monkeypatch.setattr(propagate_module, "_available_cpus", lambda: 2)


def test_auto_workers_fall_back_to_one_process(one_process, broken_workers):
    r1, v1, _ = one_process["gcrs"]
    r, v, _ = _state("gcrs", None)
    assert np.array_equal(r, r1, equal_nan=True) and np.array_equal(v, v1, equal_nan=True)


def test_explicit_workers_report_a_failed_start(broken_workers):
    with pytest.raises(RuntimeError, match=r"worker process \d+ ended"):
        propagate(MIXED.replace(tle_sets=()), GRID, workers=2)
