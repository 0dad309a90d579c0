"""The Sun, the Earth's shadow and the beta angle, for every satellite at every step.

The Sun comes from JPL DE421 (shipped by ``skyfield-data``, never downloaded) exactly as
skyfield's ``ICRF.is_sunlit`` takes it: the geometric vector ``(sun - earth).at(t)``. The
shadow test is skyfield's own maths (a line from the satellite to the Sun against a
sphere of radius ``ERAD``), vectorised over (satellite, time) with numpy.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

import numpy as np
import polars as pl

from ..model.constellation import Constellation
from ..model.errors import ModelError, Problem
from ..model.timegrid import TimeGrid
from .frames import ephemeris_de421, gcrs_to_itrs_matrices, in_time_chunks, skyfield_time
from .hermite import bisect_switch, hermite_state
from .propagation import propagate, propagate_state

SunFrame = Literal["gcrs", "itrs"]

ERAD_KM = 6378.1366
"""Earth radius of skyfield's shadow test (``skyfield.constants.ERAD`` = 6378136.6 m, IERS)."""


def sun_position_km(grid: TimeGrid, *, frame: SunFrame = "gcrs") -> np.ndarray:
    """Geocentric position of the Sun at every grid instant, in km.

    Parameters
    ----------
    grid : TimeGrid
    frame : "gcrs" (inertial, skyfield's ICRS-aligned axes) or "itrs" (Earth-fixed)

    Returns
    -------
    ndarray, shape (n_times, 3), float64, km.

    Notes
    -----
    Geometric (no light-time, no aberration) vector ``(sun - earth).at(t)`` from JPL DE421,
    the vector skyfield's ``is_sunlit`` uses. ITRS applies skyfield's GCRS→ITRS rotation
    (:func:`workbench.orbits.frames.gcrs_to_itrs_matrices`).

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> grid = TimeGrid(start=datetime(2026, 6, 21, tzinfo=UTC), duration_s=60, step_s=60)
    >>> r = sun_position_km(grid)
    >>> r.shape, round(float(np.linalg.norm(r[0])) / 149_597_870.7, 3)
    ((2, 3), 1.016)
    """
    if frame not in get_args(SunFrame):
        raise ModelError("sun_position_km", [Problem("frame", frame,
                                                     f"allowed: {list(get_args(SunFrame))}")])
    t = skyfield_time(grid)
    eph = ephemeris_de421()
    sun = eph["sun"] - eph["earth"]
    sun_km = in_time_chunks(lambda piece: np.ascontiguousarray(np.asarray(
        sun.at(piece).xyz.km, dtype=np.float64).reshape(3, -1).T), t)
    if frame == "itrs":
        sun_km = np.einsum("tij,tj->ti", gcrs_to_itrs_matrices(t), sun_km)
    return sun_km


def _check_positions(r_km: np.ndarray, grid: TimeGrid, function: str) -> np.ndarray:
    r_km = np.asarray(r_km, dtype=np.float64)
    if r_km.ndim != 3 or r_km.shape[-1] != 3 or r_km.shape[1] != len(grid):
        raise ModelError(function, [Problem(
            "r_gcrs_km", f"array of shape {r_km.shape}",
            f"need shape (n_sats, n_times={len(grid)}, 3): positions on the grid")])
    return r_km


def _is_sunlit(r_gcrs_km: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """skyfield's ``is_sunlit`` for positions (n_sats, n_times, 3) and Sun (n_times, 3)."""
    endpoint = sun_km[None, :, :] - r_gcrs_km  # satellite → Sun
    unit = endpoint / np.linalg.norm(endpoint, axis=-1, keepdims=True)
    minus_b = -2.0 * np.einsum("stk,stk->st", unit, r_gcrs_km)  # 2 û·centre, centre = −r
    c = np.einsum("stk,stk->st", r_gcrs_km, r_gcrs_km) - ERAD_KM * ERAD_KM
    with np.errstate(invalid="ignore"):
        far = (minus_b + np.sqrt(minus_b * minus_b - 4.0 * c)) / 2.0
    return np.nan_to_num(far) <= 0.0


def sunlit_from_positions(r_gcrs_km: np.ndarray, grid: TimeGrid) -> np.ndarray:
    """Whether each GCRS position is in sunlight: skyfield's ``is_sunlit``, vectorised.

    Parameters
    ----------
    r_gcrs_km : ndarray (n_sats, n_times, 3), km
        Geocentric GCRS positions on ``grid`` (``propagate(..., frame="gcrs")``).
    grid : TimeGrid

    Returns
    -------
    ndarray (n_sats, n_times) of bool: True in sunlight.

    Notes
    -----
    skyfield's ``ICRF.is_sunlit`` (positionlib.py) with ``intersect_line_and_sphere``
    (geometry.py): the line from the satellite towards the Sun, unit vector û, meets the
    sphere of radius ERAD = 6378.1366 km centred on the Earth (at −r from the satellite) at
    distances ``(−b ± √(b² − 4c)) / 2`` with ``−b = 2 û·(−r)`` and ``c = |r|² − ERAD²``.
    The satellite is sunlit when the far intersection is behind it (``far ≤ 0``) or there is
    none (NaN → 0). A spherical Earth, no penumbra, no atmosphere. NaN positions (failed
    SGP4) count as sunlit, as in skyfield.
    """
    r_gcrs_km = _check_positions(r_gcrs_km, grid, "sunlit_from_positions")
    return _is_sunlit(r_gcrs_km, sun_position_km(grid))


def sunlit(constellation: Constellation, grid: TimeGrid, *,
           epoch: datetime | None = None) -> np.ndarray:
    """Whether each satellite is in sunlight at each grid instant.

    Returns
    -------
    ndarray (n_sats, n_times) of bool, rows in ``sat_id`` order.

    Notes
    -----
    Propagates in GCRS and applies :func:`sunlit_from_positions` (skyfield's ``is_sunlit``).
    """
    r = propagate(constellation, grid, frame="gcrs", epoch=epoch)
    return sunlit_from_positions(r, grid)


def shadow_spans(r_gcrs_km: np.ndarray, v_gcrs_km_per_s: np.ndarray, sun_km: np.ndarray,
                 offsets_s: np.ndarray) -> dict[str, np.ndarray]:
    """The stretches each satellite spends in the Earth's shadow, as elapsed seconds.

    Parameters
    ----------
    r_gcrs_km, v_gcrs_km_per_s : ndarray (n_sats, n_times, 3), GCRS km and km/s
    sun_km : ndarray (n_times, 3), :func:`sun_position_km` on the same instants
    offsets_s : ndarray (n_times,), evenly spaced seconds

    Returns
    -------
    dict of 1-D arrays, one entry per eclipse, sorted by satellite then start: ``sat``
    (int64 row), ``start_s``, ``end_s`` (float64, s, on ``offsets_s``'s scale) and
    ``is_clipped`` (bool: under way at the first or the last instant).

    Notes
    -----
    The shadow is skyfield's ``is_sunlit`` test (:func:`sunlit_from_positions`). Where it
    changes between two steps, the crossing is found by bisection of that same test along
    the cubic Hermite orbit through both steps' positions and velocities (Sun linearly
    interpolated): no re-propagation.
    """
    shadow = ~_is_sunlit(r_gcrs_km, sun_km)
    offsets = np.asarray(offsets_s, dtype=np.float64)
    n_times = shadow.shape[1]
    h_s = float(offsets[1] - offsets[0]) if n_times > 1 else 1.0
    change = np.diff(shadow.astype(np.int8), axis=1)
    sat_in, k_in = np.nonzero(change == 1)
    sat_out, k_out = np.nonzero(change == -1)
    r, v = r_gcrs_km, v_gcrs_km_per_s

    def crossing(sat: np.ndarray, k: np.ndarray, into_shadow: bool) -> np.ndarray:
        """Bisection on the shadow test along the Hermite orbit between steps k, k + 1."""
        r0, v0, r1, v1 = r[sat, k], v[sat, k], r[sat, k + 1], v[sat, k + 1]
        s0, s1 = sun_km[k], sun_km[k + 1]

        def in_shadow(tau: np.ndarray) -> np.ndarray:
            pos, _ = hermite_state(tau, h_s, r0, v0, r1, v1)
            sun_tau = s0 + tau[:, None] * (s1 - s0)
            lit = _is_sunlit(pos[None], sun_tau)[0]
            return np.where(lit, -1.0, 1.0)

        tau = bisect_switch(in_shadow, np.zeros(k.size), np.ones(k.size),
                            np.full(k.size, not into_shadow))
        return offsets[k] + tau * h_s

    first = np.flatnonzero(shadow[:, 0])
    last = np.flatnonzero(shadow[:, -1])
    start_sat = np.concatenate([first, sat_in])
    start_t = np.concatenate([np.full(first.size, offsets[0]),
                              crossing(sat_in, k_in, True)])
    start_clip = np.concatenate([np.ones(first.size, bool), np.zeros(sat_in.size, bool)])
    end_sat = np.concatenate([sat_out, last])
    end_t = np.concatenate([crossing(sat_out, k_out, False),
                            np.full(last.size, offsets[-1])])
    end_clip = np.concatenate([np.zeros(sat_out.size, bool), np.ones(last.size, bool)])
    i = np.lexsort((start_t, start_sat))
    j = np.lexsort((end_t, end_sat))
    return {"sat": start_sat[i].astype(np.int64), "start_s": start_t[i], "end_s": end_t[j],
            "is_clipped": start_clip[i] | end_clip[j]}


def eclipse_intervals(constellation: Constellation, grid: TimeGrid, *,
                      epoch: datetime | None = None) -> pl.DataFrame:
    """Every stretch each satellite spends in the Earth's shadow during the grid.

    Returns
    -------
    polars.DataFrame, one row per eclipse, sorted by sat_id then start_utc:

    - sat_id : u32
    - start_utc, end_utc : datetime (µs, UTC), entry into and exit from the shadow
    - duration_s : f64, s
    - is_clipped : bool, the eclipse was already under way at the grid's first instant or
      still under way at its last (its start or end is the grid's edge, not a crossing)

    Notes
    -----
    :func:`shadow_spans` on one propagation: well under a second from skyfield's own
    ``is_sunlit`` at a 60 s step (tests/test_orbits_sun.py).
    """
    r, v, _ = propagate_state(constellation, grid, frame="gcrs", epoch=epoch)
    spans = shadow_spans(r, v, sun_position_km(grid), grid.offsets_s)
    return pl.DataFrame({
        "sat_id": pl.Series(spans["sat"], dtype=pl.UInt32),
        "start_utc": grid.utc_at(spans["start_s"]),
        "end_utc": grid.utc_at(spans["end_s"]),
        "duration_s": pl.Series(spans["end_s"] - spans["start_s"], dtype=pl.Float64),
        "is_clipped": pl.Series(spans["is_clipped"], dtype=pl.Boolean),
    })


def beta_angle_deg(constellation: Constellation, grid: TimeGrid, *,
                   epoch: datetime | None = None) -> np.ndarray:
    """Beta angle: the Sun's elevation above each satellite's orbit plane, in degrees.

    Returns
    -------
    ndarray (n_sats, n_times), float64, degrees in [−90, 90]; positive when the Sun is on
    the side of the orbit normal h = r × v (north of a prograde orbit's plane).

    Notes
    -----
    ``β = asin(ĥ · ŝ)`` with ĥ = (r × v)/|r × v| the osculating orbit normal from SGP4's
    GCRS position and velocity and ŝ the unit geocentric Sun vector (DE421). For a circular
    orbit of inclination i and RAAN Ω, with the Sun at right ascension α☉ and declination
    δ☉ (same equator and equinox as Ω), this is
    ``sin β = cos δ☉ sin i sin(Ω − α☉) + sin δ☉ cos i`` (CNES CelestLab
    ``CL_gm_raan2beta``; NASA's definition: the angle between the Sun vector and the orbit
    plane, signed by the orbital angular momentum). A circular
    orbit at semi-major axis a is eclipse-free when |β| > asin(R⊕ / a).
    """
    r, v, _ = propagate_state(constellation, grid, frame="gcrs", epoch=epoch)
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    sun = sun_position_km(grid)
    sun /= np.linalg.norm(sun, axis=-1, keepdims=True)
    sin_beta = np.einsum("stk,tk->st", h, sun)
    return np.degrees(np.arcsin(np.clip(sin_beta, -1.0, 1.0)))


__all__ = ["sun_position_km", "sunlit", "sunlit_from_positions", "eclipse_intervals",
           "shadow_spans", "beta_angle_deg", "ERAD_KM"]
