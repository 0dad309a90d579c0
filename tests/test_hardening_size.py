"""Jobs too big for memory are refused with an estimate before anything is allocated, and
long single-satellite runs stay small (frame rotations and the Sun in time chunks).

Issue 10: 100,000 satellites × 1 day at 10 s died with a MemoryError asking for 19 GiB;
one satellite × 366 days at 60 s needed about 12 GB (22 KB per step in the rotations).
"""
from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

import numpy as np
import pytest

import workbench as wb
from workbench.model import Constellation
from workbench.model.errors import ModelError, SizeError, WorkbenchError
from workbench.orbits import frames
from workbench.orbits.memory import MEMORY_LIMIT_ENV, check_fits, machine_memory_bytes
from workbench.model.timegrid import TimeGrid
from workbench.orbits.frames import skyfield_time

START = datetime(2026, 3, 20, tzinfo=UTC)
MIB = 2**20


def test_beyond_memory_is_refused_with_the_estimate_before_any_allocation():
    # 250,000 satellites × 366 days at 60 s: 1.3e11 satellite-steps, terabytes anywhere
    constellation = Constellation.walker(550.0, 53.0, 500, 500)
    grid = TimeGrid(start=START, duration_s=366 * 86400.0, step_s=60.0)
    tracemalloc.start()
    try:
        with pytest.raises(SizeError) as info:
            wb.orbits.propagate(constellation, grid)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * MIB  # refused before any (satellite × step) array was made
    error = info.value
    assert isinstance(error, ModelError) and isinstance(error, WorkbenchError)
    expected = 250_000 * len(grid) * 28  # positions, codes, finiteness: 28 B per sat-step
    assert error.estimate_bytes >= expected
    text = str(error)
    assert "250,000 satellites × 527,041 time steps needs about" in text
    assert "TiB of memory" in text
    total, _ = machine_memory_bytes()
    if total is not None:
        assert "this machine has" in text
    assert "step_s of at least" in text and "duration_s of at most" in text


def test_the_memory_limit_variable_lowers_the_budget(monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, str(64 * MIB))
    constellation = Constellation.walker(550.0, 53.0, 20, 50)  # 1,000 satellites
    grid = TimeGrid(start=START, duration_s=86400.0, step_s=10.0)  # 8,641 steps
    with pytest.raises(SizeError, match=f"{MEMORY_LIMIT_ENV} allows 64.0 MiB") as info:
        wb.orbits.ephemeris(constellation, grid)
    assert info.value.budget_bytes == 64 * MIB
    # the advice is right: the step it names fits
    step = float(str(info.value).split("step_s of at least ")[1].split(" s")[0].replace(
        ",", ""))
    small = TimeGrid(start=START, duration_s=86400.0, step_s=step)
    check_fits("ephemeris", 1000, len(small), 200)


def test_small_jobs_pass_the_check():
    assert check_fits("x", 10, 10, 28) == 2800


def test_frame_rotations_are_computed_in_bounded_chunks():
    # 30 days at 60 s, 43,201 instants: in one skyfield call the GCRS→ITRS rotation alone
    # would need ~22 KB × 43,201 ≈ 950 MB of scratch
    grid = TimeGrid(start=START, duration_s=30 * 86400.0, step_s=60.0)
    t = skyfield_time(grid)
    tracemalloc.start()
    try:
        matrices = frames.teme_to_itrs_matrices(t)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert matrices.shape == (len(grid), 3, 3)
    assert peak < 200 * MIB, peak / MIB
    # the same rotations as one unchunked skyfield call, on a slice small enough for one
    # (skyfield's vectorised sums may round the last bit differently by array length)
    piece = t[1000:1100]
    whole = frames._gcrs_to_itrs(piece) @ frames._teme_to_gcrs(piece)
    np.testing.assert_allclose(matrices[1000:1100], whole, rtol=0, atol=1e-15)


def test_chunks_join_in_order():
    grid = TimeGrid(start=START, duration_s=6000.0, step_s=60.0)  # 101 instants
    t = skyfield_time(grid)
    np.testing.assert_allclose(frames.in_time_chunks(frames._teme_to_gcrs, t, width=7),
                               frames._teme_to_gcrs(t), rtol=0, atol=1e-15)
    one_km = 1.0
    np.testing.assert_allclose(frames.in_time_chunks(_sun, t, width=7), _sun(t),
                               rtol=0, atol=one_km * 1e-6)
    np.testing.assert_allclose(wb.orbits.sun_position_km(grid), _sun(t), rtol=0,
                               atol=one_km * 1e-6)


def _sun(t) -> np.ndarray:
    eph = frames.ephemeris_de421()
    return np.asarray((eph["sun"] - eph["earth"]).at(t).xyz.km).reshape(3, -1).T


@pytest.mark.slow
def test_one_satellite_for_a_year_stays_small():
    # 366 days at 300 s, 105,409 instants: unchunked, the rotations alone took ~2.3 GB
    # (the 60 s step took 12 GB; the chunked cost per instant is the same)
    constellation = Constellation.walker(550.0, 53.0, 1, 1, 0)
    grid = TimeGrid(start=START, duration_s=366 * 86400.0, step_s=300.0)
    tracemalloc.start()
    try:
        r = wb.orbits.propagate(constellation, grid, workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.shape == (1, 105_409, 3)
    # positions 2.5 MB, rotations 7.6 MB, one chunk of skyfield scratch ~45 MB
    assert peak < 200 * MIB, peak / MIB
