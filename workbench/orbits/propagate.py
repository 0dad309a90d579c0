"""One vectorised SGP4 pass for every satellite of a constellation.

Walker shells become SGP4 element sets at an epoch, TLE sets are parsed as skyfield
does (WGS72), and ``sgp4.api.SatrecArray`` propagates them all on the time grid.
Frame rotations come from skyfield (see :mod:`workbench.orbits.frames`).
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Literal

import numpy as np
import polars as pl

from ..model.constellation import Constellation
from ..model.errors import PropagationWarning
from .frames import (itrs_to_geodetic, rotate, teme_to_gcrs_matrices, teme_to_itrs_matrices)
from .timegrid import TimeGrid

Frame = Literal["itrs", "teme", "gcrs"]
OnError = Literal["warn", "raise", "ignore"]

CHUNK_SAT_STEPS = 2_000_000
"""Satellite-steps propagated at once: bounds the SGP4 scratch arrays to ~100 MB."""

EARTH_ROTATION_RAD_PER_S = 7.292115146706979e-5
JD_1949_12_31 = 2433281.5

SGP4_ERRORS = {
    1: "mean eccentricity outside 0 ≤ e < 1",
    2: "mean motion below zero",
    3: "perturbed eccentricity outside 0 ≤ e ≤ 1",
    4: "semi-latus rectum below zero",
    5: "(unused code)",
    6: "orbit has decayed (below the Earth's surface)",
}


def _walker_satrecs(constellation: Constellation, epoch: datetime) -> list:
    from sgp4.api import WGS72, Satrec

    from .frames import timescale

    t = timescale().from_datetime(epoch)
    epoch_days = float(t.whole - JD_1949_12_31) + float(t.tai_fraction - t._leap_seconds()
                                                         / 86400.0)
    sats = []
    for shell in constellation.shells:
        frame = shell.satellites()
        no_kozai = shell.mean_motion_rev_per_day * 2.0 * math.pi / 1440.0  # rad/min
        inclo = math.radians(shell.inclination_deg)
        for raan_deg, ma_deg in zip(frame["raan_deg"].to_list(), frame["mean_anomaly_deg"]
                                    .to_list(), strict=True):
            sat = Satrec()
            sat.sgp4init(WGS72, "i", len(sats) % 100000, epoch_days, 0.0, 0.0, 0.0, 0.0, 0.0,
                         inclo, math.radians(ma_deg), no_kozai, math.radians(raan_deg))
            sats.append(sat)
    return sats


def satrecs(constellation: Constellation, *, epoch: datetime | None = None) -> list:
    """SGP4 ``Satrec`` objects in ``sat_id`` order: Walker shells (elements at ``epoch``)
    then TLE sets (parsed with WGS72, as skyfield's ``EarthSatellite`` does)."""
    from sgp4.api import Satrec

    sats: list = []
    if constellation.shells:
        if epoch is None:
            raise ValueError("epoch=None: Walker shells need an epoch for their elements "
                             "(pass the scenario epoch or the grid start)")
        sats.extend(_walker_satrecs(constellation, epoch))
    for tle_set in constellation.tle_sets:
        sats.extend(Satrec.twoline2rv(r.line1, r.line2) for r in tle_set.records)
    return sats


def _chunks(n_sats: int, n_times: int) -> Iterator[slice]:
    per_chunk = max(1, CHUNK_SAT_STEPS // max(n_times, 1))
    for start in range(0, n_sats, per_chunk):
        yield slice(start, min(n_sats, start + per_chunk))


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
                    with_velocity: bool = True) -> tuple[np.ndarray, np.ndarray | None,
                                                          np.ndarray]:
    """Positions and velocities of every satellite on the grid.

    Returns
    -------
    r_km : ndarray (n_sats, n_times, 3)
    v_km_per_s : ndarray (n_sats, n_times, 3) or None
        In ITRS this is the velocity relative to the rotating Earth.
    error_codes : ndarray (n_sats, n_times) of uint8, SGP4's codes (0 = fine)
    """
    from sgp4.api import SatrecArray

    sats = satrecs(constellation, epoch=epoch if epoch is not None else grid.start)
    jd, fr = grid.jd_utc()
    n_sats, n_times = len(sats), len(grid)
    r_out = np.empty((n_sats, n_times, 3))
    v_out = np.empty((n_sats, n_times, 3)) if with_velocity else None
    codes = np.zeros((n_sats, n_times), dtype=np.uint8)
    t = grid.skyfield_time()
    matrices = None
    if frame == "itrs":
        matrices = teme_to_itrs_matrices(t)
    elif frame == "gcrs":
        matrices = teme_to_gcrs_matrices(t)
    for chunk in _chunks(n_sats, n_times):
        e, r, v = SatrecArray(sats[chunk]).sgp4(jd, fr)
        codes[chunk] = e
        if matrices is None:
            r_out[chunk] = r
            if v_out is not None:
                v_out[chunk] = v
        else:
            rotate(matrices, r, out=r_out[chunk])
            if v_out is not None:
                rotate(matrices, v, out=v_out[chunk])
                if frame == "itrs":  # velocity relative to the rotating Earth: v − ω × r
                    v_out[chunk, :, 0] += EARTH_ROTATION_RAD_PER_S * r_out[chunk, :, 1]
                    v_out[chunk, :, 1] -= EARTH_ROTATION_RAD_PER_S * r_out[chunk, :, 0]
    bad = codes > 0
    if bad.any():
        r_out[bad] = np.nan
        if v_out is not None:
            v_out[bad] = np.nan
        _report(codes, constellation, on_error)
    return r_out, v_out, codes


def propagate(constellation: Constellation, grid: TimeGrid, *, frame: Frame = "itrs",
              epoch: datetime | None = None, on_error: OnError = "warn") -> np.ndarray:
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
                              on_error=on_error, with_velocity=False)
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
    r = propagate(constellation, grid, frame="itrs", epoch=epoch, on_error=on_error)
    lat, lon, height = itrs_to_geodetic(r)
    n_sats, n_times = r.shape[:2]
    return pl.DataFrame({
        "time_utc": pl.concat([grid.times_utc] * n_sats) if n_sats else grid.times_utc[:0],
        "sat_id": pl.Series(np.repeat(np.arange(n_sats, dtype=np.uint32), n_times)),
        "lat_deg": lat.ravel(), "lon_deg": lon.ravel(), "altitude_km": height.ravel(),
    })
