"""Frames and time scales: skyfield's rotations, applied once per time step.

SGP4 works in TEME. skyfield defines TEME→GCRS (``TEME.rotation_at``) and
GCRS→ITRS (``itrs.rotation_at``); we take those (3, 3, n_times) matrices from
skyfield and apply them to all satellites at once, so positions match skyfield's
``EarthSatellite.at(t)`` to rounding.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from ..model.constants import R_EARTH_KM, WGS84_FLATTENING
from ..model.timegrid import timescale


def skyfield_data_dir() -> Path:
    """Folder of the ``skyfield-data`` package's files (DE421, finals), no download."""
    import skyfield_data

    return Path(skyfield_data.__file__).parent / "data"


@cache
def ephemeris_de421():
    """JPL DE421 from ``skyfield-data`` (shipped with the package, never downloaded).

    Loaded once per process and closed at exit (its file stays open while in use).
    """
    import atexit

    from skyfield.api import Loader

    kernel = Loader(str(skyfield_data_dir()), verbose=False)("de421.bsp")
    atexit.register(kernel.close)
    return kernel


TIME_CHUNK_STEPS = 2048
"""Instants per skyfield call: its GCRS→ITRS rotation (nutation, precession) needs about
22 KB of scratch per instant, so a year at 60 s in one call would take 12 GB; in chunks
of this size it takes 45 MB."""


def in_time_chunks(fn: Callable, t, *, width: int = TIME_CHUNK_STEPS) -> np.ndarray:
    """``fn(t)`` for a skyfield ``Time`` array, computed ``width`` instants at a time.

    ``fn`` must return an array whose first axis is time; the pieces are written into one
    preallocated result, so scratch memory is bounded by ``width`` whatever ``len(t)``.
    """
    n = int(np.prod(t.shape)) if t.shape else 1
    if not t.shape or n <= width:
        return fn(t)
    first = fn(t[:width])
    out = np.empty((n, *first.shape[1:]), dtype=first.dtype)
    out[:width] = first
    for start in range(width, n, width):
        out[start:start + width] = fn(t[start:start + width])
    return out


def _teme_to_gcrs(t) -> np.ndarray:
    from skyfield.sgp4lib import TEME

    R = np.asarray(TEME.rotation_at(t))  # GCRS→TEME, (3, 3, n)
    R = R.reshape(3, 3, -1)
    return np.ascontiguousarray(np.moveaxis(R, -1, 0).transpose(0, 2, 1))


def _gcrs_to_itrs(t) -> np.ndarray:
    from skyfield.framelib import itrs

    R = np.asarray(itrs.rotation_at(t)).reshape(3, 3, -1)
    return np.ascontiguousarray(np.moveaxis(R, -1, 0))


MATRIX_CACHE_INSTANTS = 200_000
"""Rotation matrices of time arrays up to this many instants are kept (14 MB each at most)
for the next call with the same instants: a design-space sweep asks for the same grid at
every point, and the nutation series costs about 4 ms per hundred instants."""

_MATRICES: OrderedDict[tuple[str, bytes, bytes], np.ndarray] = OrderedDict()
_MATRICES_KEPT = 8
_MATRICES_LOCK = threading.Lock()


def _cached(kind: str, compute: Callable, t) -> np.ndarray:
    """``in_time_chunks(compute, t)``, remembered (read-only) for recent time arrays."""
    n = int(np.prod(t.shape)) if t.shape else 1
    if n > MATRIX_CACHE_INSTANTS:
        return in_time_chunks(compute, t)
    key = (kind, np.asarray(t.whole, dtype=float).tobytes(),
           np.asarray(t.tt_fraction, dtype=float).tobytes())
    with _MATRICES_LOCK:
        found = _MATRICES.get(key)
        if found is not None:
            _MATRICES.move_to_end(key)
            return found
    matrices = in_time_chunks(compute, t)
    matrices.setflags(write=False)
    with _MATRICES_LOCK:
        _MATRICES[key] = matrices
        while len(_MATRICES) > _MATRICES_KEPT:
            _MATRICES.popitem(last=False)
    return matrices


def teme_to_gcrs_matrices(t) -> np.ndarray:
    """Rotation matrices TEME→GCRS, shape (n_times, 3, 3), from skyfield's TEME frame
    (in chunks of :data:`TIME_CHUNK_STEPS` instants; read-only, shared by calls with the
    same instants)."""
    return _cached("teme-gcrs", _teme_to_gcrs, t)


def gcrs_to_itrs_matrices(t) -> np.ndarray:
    """Rotation matrices GCRS→ITRS, shape (n_times, 3, 3), from skyfield's ``itrs`` frame
    (in chunks of :data:`TIME_CHUNK_STEPS` instants; read-only, shared by calls with the
    same instants)."""
    return _cached("gcrs-itrs", _gcrs_to_itrs, t)


def _teme_to_itrs(piece) -> np.ndarray:
    return _gcrs_to_itrs(piece) @ _teme_to_gcrs(piece)


def teme_to_itrs_matrices(t) -> np.ndarray:
    """TEME→ITRS, (n_times, 3, 3): skyfield's GCRS→ITRS composed with TEME→GCRS
    (read-only, shared by calls with the same instants)."""
    return _cached("teme-itrs", _teme_to_itrs, t)


def rotate(matrices: np.ndarray, xyz: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Apply per-time rotations (n_times, 3, 3) to positions (n_sats, n_times, 3)."""
    return np.einsum("tij,stj->sti", matrices, xyz, out=out, optimize=False)


def itrs_to_geodetic(xyz_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 geodetic latitude, longitude (degrees) and height (km) of ITRS positions.

    Same iteration as skyfield's ``wgs84`` (Bowring-style refinement of latitude).
    """
    x, y, z = xyz_km[..., 0], xyz_km[..., 1], xyz_km[..., 2]
    a = R_EARTH_KM
    f = WGS84_FLATTENING
    e2 = 2.0 * f - f * f
    lon = np.arctan2(y, x)
    r = np.hypot(x, y)
    lat = np.arctan2(z, r)
    for _ in range(3):
        sin_lat = np.sin(lat)
        c = 1.0 / np.sqrt(1.0 - e2 * sin_lat * sin_lat)
        lat = np.arctan2(z + a * c * e2 * sin_lat, r)
    sin_lat = np.sin(lat)
    c = 1.0 / np.sqrt(1.0 - e2 * sin_lat * sin_lat)
    height = r / np.cos(lat) - a * c
    # near the poles cos(lat) → 0; use the z-based form there
    polar = np.abs(lat) > np.radians(80.0)
    if np.any(polar):
        height = np.where(polar, z / np.where(polar, sin_lat, 1.0) - a * c * (1.0 - e2), height)
    return np.degrees(lat), np.degrees(lon), height


def geodetic_to_itrs(lat_deg, lon_deg, altitude_km) -> np.ndarray:
    """ITRS position (km) of WGS84 geodetic coordinates, shape (..., 3)."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    h = np.asarray(altitude_km, dtype=np.float64)
    f = WGS84_FLATTENING
    e2 = 2.0 * f - f * f
    n = R_EARTH_KM / np.sqrt(1.0 - e2 * np.sin(lat) ** 2)
    return np.stack([(n + h) * np.cos(lat) * np.cos(lon), (n + h) * np.cos(lat) * np.sin(lon),
                     (n * (1.0 - e2) + h) * np.sin(lat)], axis=-1)


def skyfield_time(grid):
    """The instants of a :class:`~workbench.model.timegrid.TimeGrid` as a skyfield ``Time``
    array (skyfield's builtin UT1 and leap-second tables): ``start`` plus the elapsed
    ``offsets_s`` in TT, so a grid runs through a leap second as skyfield's own
    ``ts.utc(…, second=60 + s)`` does and its labels (``grid.times_utc``) name these
    instants."""
    return timescale().from_datetime(grid.start) + grid.offsets_s / 86400.0


def sgp4_jd(grid) -> tuple[np.ndarray, np.ndarray]:
    """(whole, fraction) UTC Julian dates of a grid's instants, split exactly as skyfield
    feeds SGP4 (TLE epochs are UTC), once per grid for every satellite.

    The UTC of each instant comes from the leap-second table (TAI − UTC looked up per
    instant), so SGP4's ``tsince`` counts UTC minutes from the element epoch, as it does
    in skyfield's ``EarthSatellite.at`` and Vallado's ``jday`` convention; inside a leap
    second the UTC Julian date holds still (skyfield's table ramps TAI − UTC over it).
    """
    return _sgp4_jd(skyfield_time(grid))


def _sgp4_jd(t) -> tuple[np.ndarray, np.ndarray]:
    """Julian date split exactly as skyfield feeds SGP4 (TLE epochs are UTC)."""
    whole = np.atleast_1d(t.whole).astype(np.float64)
    fraction = np.atleast_1d(t.tai_fraction - t._leap_seconds() / 86400.0).astype(np.float64)
    return np.broadcast_to(whole, fraction.shape).copy(), fraction
