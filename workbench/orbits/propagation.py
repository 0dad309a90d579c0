"""One vectorised SGP4 pass for every satellite of a constellation.

Walker shells become SGP4 element sets at an epoch, TLE sets are parsed as skyfield
does (WGS72), and ``sgp4.api.SatrecArray`` propagates them all on the time grid.
Frame rotations come from skyfield (see :mod:`workbench.orbits.frames`). Big jobs are
split over worker processes, one per core (see :func:`propagate_state`).
"""
from __future__ import annotations

import math
import os
import pickle
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Literal

import numpy as np
import polars as pl

from ..model.constellation import Constellation
from ..model.errors import ModelError, Problem, PropagationWarning
from ..model.timegrid import TimeGrid
from ._sgp4_worker import (PARALLEL_SUPPORTED, WorkerPool, build_satrecs, propagate_block,
                           shared_layout)
from .frames import (TIME_CHUNK_STEPS, itrs_to_geodetic, sgp4_jd, skyfield_time,
                     teme_to_gcrs_matrices, teme_to_itrs_matrices)
from .memory import PROPAGATION_BYTES_PER_SAT_STEP, VELOCITY_BYTES_PER_SAT_STEP, check_fits

Frame = Literal["itrs", "teme", "gcrs"]
OnError = Literal["warn", "raise", "ignore"]

EPHEMERIS_BYTES_PER_SAT_STEP = 200
"""Peak bytes per satellite-step of :func:`ephemeris`: positions, geodetic conversion
scratch (several float64 temporaries) and the long frame (time, id, lat, lon, height)."""

CHUNK_SAT_STEPS = 2_000_000
"""Satellite-steps propagated at once: bounds the SGP4 scratch arrays to ~100 MB."""

PARALLEL_MIN_SAT_STEPS = 2_000_000
"""With ``workers=None``, jobs above this many satellite-steps (about a second of SGP4)
use every core; smaller ones stay in this process (starting workers costs ~0.2 s)."""

TASKS_PER_WORKER = 4
"""Satellite ranges per worker process: a few, so the workers finish together."""

JD_1949_12_31 = 2433281.5

SGP4_ERRORS = {
    1: "mean eccentricity outside 0 ≤ e < 1",
    2: "mean motion below zero",
    3: "perturbed eccentricity outside 0 ≤ e ≤ 1",
    4: "semi-latus rectum below zero",
    5: "(unused code)",
    6: "orbit has decayed (below the Earth's surface)",
    255: "SGP4 gave a non-finite position without an error code",
}
NON_FINITE_CODE = 255
"""Error code recorded where SGP4 returned NaN or infinity but reported success."""


def _walker_elements(constellation: Constellation, epoch: datetime) -> list[tuple]:
    """sgp4init arguments of every Walker satellite (circular, no drag) at ``epoch``."""
    from .frames import timescale

    t = timescale().from_datetime(epoch)
    epoch_days = float(t.whole - JD_1949_12_31) + float(t.tai_fraction - t._leap_seconds()
                                                         / 86400.0)
    elements: list[tuple] = []
    for shell in constellation.shells:
        frame = shell.satellites()
        no_kozai = shell.mean_motion_rev_per_day * 2.0 * math.pi / 1440.0  # rad/min
        inclo = math.radians(shell.inclination_deg)
        for raan_deg, ma_deg in zip(frame["raan_deg"].to_list(), frame["mean_anomaly_deg"]
                                    .to_list(), strict=True):
            elements.append(("init", len(elements) % 100000, epoch_days, 0.0, 0.0, 0.0, 0.0,
                             0.0, inclo, math.radians(ma_deg), no_kozai,
                             math.radians(raan_deg)))
    return elements


def _elements(constellation: Constellation, epoch: datetime | None) -> list[tuple]:
    """Picklable element tuples in ``sat_id`` order (see :mod:`._sgp4_worker`)."""
    elements: list[tuple] = []
    if constellation.shells:
        if epoch is None:
            raise ValueError("epoch=None: Walker shells need an epoch for their elements "
                             "(pass the scenario epoch or the grid start)")
        elements.extend(_walker_elements(constellation, epoch))
    for tle_set in constellation.tle_sets:
        elements.extend(("tle", r.line1, r.line2) for r in tle_set.records)
    return elements


def satrecs(constellation: Constellation, *, epoch: datetime | None = None) -> list:
    """SGP4 ``Satrec`` objects in ``sat_id`` order: Walker shells (elements at ``epoch``)
    then TLE sets (parsed with WGS72, as skyfield's ``EarthSatellite`` does)."""
    return build_satrecs(_elements(constellation, epoch))


def _chunks(n_sats: int, n_times: int) -> Iterator[slice]:
    per_chunk = _chunk_sats(n_times)
    for start in range(0, n_sats, per_chunk):
        yield slice(start, min(n_sats, start + per_chunk))


def _chunk_sats(n_times: int) -> int:
    return max(1, CHUNK_SAT_STEPS // max(n_times, 1))


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _resolve_workers(workers: int | None, n_sats: int, n_times: int) -> int:
    """How many processes to propagate with (see ``propagate_state``'s ``workers``)."""
    if workers is None:
        if not PARALLEL_SUPPORTED or n_sats * n_times <= PARALLEL_MIN_SAT_STEPS:
            return 1
        return max(1, min(_available_cpus(), n_sats))
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ModelError("propagate", [Problem(
            "workers", workers, "must be a whole number of processes ≥ 1, or None to use "
            f"every core for jobs above {PARALLEL_MIN_SAT_STEPS:,} satellite-steps")])
    return min(int(workers), n_sats) if PARALLEL_SUPPORTED else 1


def _tasks(n_sats: int, n_workers: int) -> list[tuple[int, int]]:
    """Contiguous (start, stop) satellite ranges, TASKS_PER_WORKER per worker, so a
    worker that finishes early takes the next one."""
    n_tasks = min(n_sats, n_workers * TASKS_PER_WORKER)
    bounds = np.linspace(0, n_sats, n_tasks + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _matrices(grid: TimeGrid, frame: Frame) -> np.ndarray | None:  # chunked in frames.py
    """TEME→``frame`` rotations (n_times, 3, 3), or None for TEME itself."""
    if frame == "teme":
        return None
    t = skyfield_time(grid)
    return teme_to_itrs_matrices(t) if frame == "itrs" else teme_to_gcrs_matrices(t)


def _report(errors: np.ndarray, constellation: Constellation, on_error: OnError) -> None:
    failed = np.flatnonzero(errors.any(axis=1))
    if failed.size == 0 or on_error == "ignore":
        return
    names = constellation.satellites["name"]
    examples = ", ".join(
        f"{names[int(i)]} (code {int(errors[i][errors[i] > 0][0])}: "
        f"{SGP4_ERRORS.get(int(errors[i][errors[i] > 0][0]), 'unknown')})" for i in failed[:5])
    more = f" and {failed.size - 5} more" if failed.size > 5 else ""
    message = (f"{failed.size} of {errors.shape[0]} satellites failed SGP4 at some steps: "
               f"{examples}{more}; their positions are NaN from then on. "
               "wb.orbits.propagation_errors() lists them.")
    if on_error == "raise":
        raise ValueError(message)
    warnings.warn(message, PropagationWarning, stacklevel=3)


def propagate_state(constellation: Constellation, grid: TimeGrid, *, frame: Frame = "itrs",
                    epoch: datetime | None = None, on_error: OnError = "warn",
                    with_velocity: bool = True, workers: int | None = None
                    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Positions and velocities of every satellite on the grid.

    Parameters
    ----------
    constellation, grid, frame, epoch, on_error
        As for :func:`propagate`.
    with_velocity : bool
        Also return velocities (``False`` returns ``None`` and saves memory).
    workers : int, optional
        Processes to propagate with. ``None`` (default) uses one for jobs up to
        ``PARALLEL_MIN_SAT_STEPS`` satellite-steps and every available core above
        (falling back to one process if workers cannot start); ``1`` never starts a
        process. Results are bit-identical whatever the number.

    Returns
    -------
    r_km : ndarray (n_sats, n_times, 3)
    v_km_per_s : ndarray (n_sats, n_times, 3) or None
        In ITRS this is the velocity relative to the rotating Earth.
    error_codes : ndarray (n_sats, n_times) of uint8, SGP4's codes (0 = fine)

    Notes
    -----
    ``sgp4.api.SatrecArray`` holds the GIL, so several cores need several processes:
    worker processes (:mod:`workbench.orbits._sgp4_worker`) rebuild the ``Satrec``
    objects from their TLE lines or ``sgp4init`` arguments and write straight into
    shared memory that the returned arrays then use. Each process works in blocks of
    ``CHUNK_SAT_STEPS`` satellite-steps, so scratch memory stays bounded.
    """
    if frame not in ("itrs", "teme", "gcrs"):
        raise ModelError("propagate", [Problem("frame", frame,
                                               "must be 'itrs', 'gcrs' or 'teme'")])
    check_size("propagate", len(constellation), grid, PROPAGATION_BYTES_PER_SAT_STEP
               + (VELOCITY_BYTES_PER_SAT_STEP if with_velocity else 0))
    elements = _elements(constellation, epoch if epoch is not None else grid.start)
    n_sats, n_times = len(elements), len(grid)
    n_workers = _resolve_workers(workers, n_sats, n_times)
    pool = None
    if n_workers > 1:
        pickled = pickle.dumps(elements, protocol=pickle.HIGHEST_PROTOCOL)
        layout = shared_layout(n_sats, n_times, with_velocity=with_velocity,
                               has_matrices=frame != "teme", n_element_bytes=len(pickled))
        try:  # workers boot while this process computes the dates and rotations
            pool = WorkerPool(n_workers, layout, pickled, is_itrs=frame == "itrs",
                              chunk_sats=_chunk_sats(n_times))
        except OSError:
            if workers is not None:
                raise
    arrays = None
    try:
        jd, fr = sgp4_jd(grid)
        try:
            if pool is not None:
                pool.start(jd, fr, _tasks(n_sats, n_workers))
            matrices = _matrices(grid, frame)
            if pool is not None:
                if matrices is not None:
                    pool.set_matrices(matrices)
                arrays = pool.wait()
        except (OSError, RuntimeError):
            if pool is None or workers is not None:
                raise
            # workers=None: a failed worker start (e.g. an environment where workbench
            # cannot be imported by a fresh interpreter) falls back to one process
            pool.close(kill=True)
            pool, arrays = None, None
            matrices = _matrices(grid, frame)
    except BaseException:
        if pool is not None:
            pool.close(kill=True)
        raise
    if pool is not None:
        pool.close()
    if arrays is not None:
        r_out, v_out, codes = arrays["r"], arrays.get("v"), arrays["codes"]
    else:
        r_out = np.empty((n_sats, n_times, 3))
        v_out = np.empty((n_sats, n_times, 3)) if with_velocity else None
        codes = np.empty((n_sats, n_times), dtype=np.uint8)
        for chunk in _chunks(n_sats, n_times):
            propagate_block(build_satrecs(elements[chunk]), jd, fr, matrices,
                            frame == "itrs", r_out[chunk],
                            None if v_out is None else v_out[chunk], codes[chunk])
    non_finite = ~np.isfinite(r_out).all(axis=-1)
    codes[non_finite & (codes == 0)] = NON_FINITE_CODE
    bad = codes > 0
    if bad.any():
        r_out[bad] = np.nan
        if v_out is not None:
            v_out[bad] = np.nan
        _report(codes, constellation, on_error)
    return r_out, v_out, codes


def check_size(what: str, n_sats: int, grid: TimeGrid, bytes_per_sat_step: float) -> int:
    """Refuse (:class:`~workbench.model.errors.SizeError`) a job on ``n_sats`` × ``grid``
    that would not fit in memory; returns the estimate in bytes.

    Per-step arrays (rotations, the Sun, SGP4 block scratch) are added to the
    per-satellite-step figure.
    """
    n_times = len(grid)
    # rotations and the Sun per step; skyfield's scratch for one chunk of instants
    # (~22 KB each); SGP4's scratch for one block (~50 B per satellite-step)
    extra = n_times * 3 * 72 + TIME_CHUNK_STEPS * 22_000 + CHUNK_SAT_STEPS * 50
    return check_fits(what, n_sats, n_times, bytes_per_sat_step, step_s=grid.step_s,
                      duration_s=grid.duration_s, extra_bytes=extra)


def propagate(constellation: Constellation, grid: TimeGrid, *, frame: Frame = "itrs",
              epoch: datetime | None = None, on_error: OnError = "warn",
              workers: int | None = None) -> np.ndarray:
    """Positions of every satellite at every grid instant, in km.

    Parameters
    ----------
    constellation : Constellation
    grid : TimeGrid
    frame : "itrs" (Earth-fixed), "gcrs" (inertial) or "teme" (SGP4's own)
    epoch : datetime, optional
        Epoch of the Walker shells' elements; defaults to ``grid.start``.
    on_error : "warn", "raise" or "ignore"
        What to do when SGP4 reports an error (decayed satellites in real TLE sets).
        Failed entries are NaN.
    workers : int, optional
        Processes to propagate with: ``None`` picks by job size (every core above
        ``PARALLEL_MIN_SAT_STEPS`` satellite-steps), ``1`` stays in this process.
        Results are bit-identical whatever the number.

    Returns
    -------
    ndarray, shape (n_sats, n_times, 3), float64, km; rows in ``sat_id`` order.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> from workbench.model import Constellation
    >>> c = Constellation.walker(550, 53, 2, 3)
    >>> grid = TimeGrid(start=datetime(2026, 6, 21, tzinfo=UTC), duration_s=120, step_s=60)
    >>> propagate(c, grid).shape
    (6, 3, 3)
    """
    r, _, _ = propagate_state(constellation, grid, frame=frame, epoch=epoch,
                              on_error=on_error, with_velocity=False, workers=workers)
    return r


def propagation_errors(constellation: Constellation, grid: TimeGrid, *,
                       epoch: datetime | None = None) -> pl.DataFrame:
    """Satellites SGP4 could not propagate on the grid.

    Returns
    -------
    polars.DataFrame: sat_id (u32), name (str), first_error_utc (datetime UTC),
    code (u8), message (str), n_failed_steps (u32)
    """
    _, _, codes = propagate_state(constellation, grid, frame="teme", epoch=epoch,
                                  on_error="ignore", with_velocity=False)
    failed = np.flatnonzero(codes.any(axis=1))
    first = codes[failed].argmax(axis=1) if failed.size else np.array([], dtype=int)
    code = codes[failed, first] if failed.size else np.array([], dtype=np.uint8)
    names = constellation.satellites["name"]
    return pl.DataFrame({
        "sat_id": pl.Series(failed, dtype=pl.UInt32),
        "name": pl.Series([names[int(i)] for i in failed], dtype=pl.String),
        "first_error_utc": grid.times_utc.gather(first) if failed.size else
        pl.Series([], dtype=pl.Datetime("us", "UTC")),
        "code": pl.Series(code, dtype=pl.UInt8),
        "message": pl.Series([SGP4_ERRORS.get(int(c), "unknown") for c in code],
                             dtype=pl.String),
        "n_failed_steps": pl.Series((codes[failed] > 0).sum(axis=1), dtype=pl.UInt32),
    })


def ephemeris(constellation: Constellation, grid: TimeGrid, *, epoch: datetime | None = None,
              on_error: OnError = "warn") -> pl.DataFrame:
    """Sub-satellite points over time, long form.

    Returns
    -------
    polars.DataFrame: time_utc (datetime UTC), sat_id (u32), lat_deg, lon_deg,
    altitude_km (float64; WGS84 geodetic), sorted by sat_id then time.
    """
    check_size("ephemeris", len(constellation), grid, EPHEMERIS_BYTES_PER_SAT_STEP)
    r = propagate(constellation, grid, frame="itrs", epoch=epoch, on_error=on_error)
    lat, lon, height = itrs_to_geodetic(r)
    n_sats, n_times = r.shape[:2]
    return pl.DataFrame({
        "time_utc": pl.concat([grid.times_utc] * n_sats) if n_sats else grid.times_utc[:0],
        "sat_id": pl.Series(np.repeat(np.arange(n_sats, dtype=np.uint32), n_times)),
        "lat_deg": lat.ravel(), "lon_deg": lon.ravel(), "altitude_km": height.ravel(),
    })
