"""Who sees whom: look angles from ground sites, visibility, and access windows.

Sites are WGS84 geodetic points; satellites are ITRS positions from
:func:`workbench.orbits.propagate`. Everything is computed for all
(site, satellite, time) triples at once with numpy, in chunks of satellites that keep the
scratch arrays near :data:`CHUNK_BYTES`.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import numpy as np
import polars as pl

from ..model.constellation import Constellation
from ..model.errors import ModelError, Problem
from ..model.ground import GroundSegment, GroundSite
from ..model.timegrid import TimeGrid
from .frames import geodetic_to_itrs
from .hermite import bisect_switch, hermite_state
from .propagation import propagate_state

Sites = GroundSegment | GroundSite | Sequence[GroundSite]

CHUNK_BYTES = 1_000_000_000
"""Scratch memory a chunk of satellites may use (≈ 1 GB)."""
_BYTES_PER_ELEMENT = 160
"""Scratch bytes per (site, satellite, time) element in the kernels (≈ 20 float64)."""


# --------------------------------------------------------------------------- inputs

def _site_list(sites: Sites, function: str) -> tuple[GroundSite, ...]:
    if isinstance(sites, GroundSegment):
        sites = sites.sites
    elif isinstance(sites, GroundSite):
        sites = (sites,)
    if isinstance(sites, (str, bytes)) or not isinstance(sites, Sequence):
        raise ModelError(function, [Problem("sites", sites, "expected a GroundSegment, a "
                                                            "GroundSite or a list of GroundSite")])
    problems = [Problem(f"sites[{i}]", s, "expected a GroundSite")
                for i, s in enumerate(sites) if not isinstance(s, GroundSite)]
    if not sites:
        problems.append(Problem("sites", list(sites), "need at least one GroundSite"))
    if not problems:
        names = [s.name for s in sites]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(Problem("sites", dupes, "site names must be unique"))
    if problems:
        raise ModelError(function, problems)
    return tuple(sites)


def _positions(r_itrs_km: np.ndarray, function: str) -> np.ndarray:
    r = np.asarray(r_itrs_km, dtype=np.float64)
    if r.ndim != 3 or r.shape[-1] != 3:
        raise ModelError(function, [Problem("r_itrs_km", f"array of shape {r.shape}",
                                            "need shape (n_sats, n_times, 3), km (ITRS)")])
    return r


def _site_frames(sites: Sequence[GroundSite]) -> tuple[np.ndarray, np.ndarray]:
    """ITRS positions (n_sites, 3) km and local east/north/up unit vectors (n_sites, 3, 3)."""
    lat = np.radians([s.lat_deg for s in sites])
    lon = np.radians([s.lon_deg for s in sites])
    pos = geodetic_to_itrs(np.degrees(lat), np.degrees(lon),
                           np.array([s.altitude_m for s in sites]) / 1000.0)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack([-so, co, np.zeros_like(so)], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    return pos, np.stack([east, north, up], axis=1)


def _sat_chunks(n_sites: int, n_sats: int, n_times: int) -> Iterator[slice]:
    per_chunk = max(1, CHUNK_BYTES // (_BYTES_PER_ELEMENT * max(n_sites * n_times, 1)))
    for start in range(0, n_sats, per_chunk):
        yield slice(start, min(n_sats, start + per_chunk))


# --------------------------------------------------------------------------- look angles

def look_angles(r_itrs_km: np.ndarray, sites: Sites) -> tuple[np.ndarray, np.ndarray,
                                                               np.ndarray]:
    """Elevation, azimuth and slant range of every satellite from every site.

    Parameters
    ----------
    r_itrs_km : ndarray (n_sats, n_times, 3), km
        ITRS satellite positions (``propagate(..., frame="itrs")``).
    sites : GroundSegment, GroundSite or sequence of GroundSite

    Returns
    -------
    elevation_deg : ndarray (n_sites, n_sats, n_times), degrees in [−90, 90]
    azimuth_deg : ndarray (n_sites, n_sats, n_times), degrees in [0, 360), from north
        through east
    range_km : ndarray (n_sites, n_sats, n_times), km

    Notes
    -----
    Topocentric east/north/up at the site's WGS84 geodetic latitude and longitude, the
    frame skyfield's ``(sat - topos).at(t).altaz()`` uses (no refraction, no polar
    motion): elevation ``atan2(u, √(e² + n²))``, azimuth ``atan2(e, n)``.

    Examples
    --------
    >>> site = GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4)
    >>> up = geodetic_to_itrs(39.9, 116.4, 550.0)[None, None, :]
    >>> el, az, rng = look_angles(up, [site])
    >>> round(float(el[0, 0, 0]), 6), round(float(rng[0, 0, 0]), 3)
    (90.0, 550.0)
    """
    r = _positions(r_itrs_km, "look_angles")
    site_list = _site_list(sites, "look_angles")
    pos, enu = _site_frames(site_list)
    n_sats, n_times = r.shape[:2]
    shape = (len(site_list), n_sats, n_times)
    elevation, azimuth, rng = np.empty(shape), np.empty(shape), np.empty(shape)
    for chunk in _sat_chunks(len(site_list), n_sats, n_times):
        rho = r[None, chunk] - pos[:, None, None, :]
        local = np.einsum("pij,pstj->psti", enu, rho)
        e, n, u = local[..., 0], local[..., 1], local[..., 2]
        horizontal = np.hypot(e, n)
        elevation[:, chunk] = np.degrees(np.arctan2(u, horizontal))
        azimuth[:, chunk] = np.degrees(np.arctan2(e, n)) % 360.0
        rng[:, chunk] = np.hypot(horizontal, u)
    return elevation, azimuth, rng


def _masks(site_list: Sequence[GroundSite], min_elevation_deg: float | None,
           function: str) -> tuple[np.ndarray, np.ndarray]:
    if min_elevation_deg is not None:
        ok = isinstance(min_elevation_deg, (int, float)) and not isinstance(
            min_elevation_deg, bool) and 0.0 <= float(min_elevation_deg) <= 90.0
        if not ok:
            raise ModelError(function, [Problem(
                "min_elevation_deg", min_elevation_deg,
                "allowed: a number of degrees from 0 to 90, or None for each site's own mask")])
        masks = np.full(len(site_list), float(min_elevation_deg))
    else:
        masks = np.array([s.elevation_mask_deg for s in site_list], dtype=np.float64)
    max_range = np.array([np.inf if s.max_range_km is None else s.max_range_km
                          for s in site_list], dtype=np.float64)
    return masks, max_range


def visible(r_itrs_km: np.ndarray, sites: Sites) -> np.ndarray:
    """Whether each site can see each satellite at each step.

    Returns
    -------
    ndarray (n_sites, n_sats, n_times) of bool: elevation ≥ the site's
    ``elevation_mask_deg`` and, when the site sets ``max_range_km``, slant range ≤ it.
    NaN positions are not visible.
    """
    site_list = _site_list(sites, "visible")
    elevation, _, rng = look_angles(r_itrs_km, site_list)
    masks, max_range = _masks(site_list, None, "visible")
    return (elevation >= masks[:, None, None]) & (rng <= max_range[:, None, None])


# --------------------------------------------------------------------------- access windows

def _geometry(rho: np.ndarray, rho_dot: np.ndarray, up: np.ndarray, mask_deg: np.ndarray,
              max_range_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(elevation_deg, rate_sign, visibility) of topocentric vectors, elementwise.

    ``rate_sign`` has the sign of d(elevation)/dt: ż d² − z (ρ·ρ̇) with z = ρ·û, d = |ρ|
    (from sin el = z/d). ``visibility`` ≥ 0 exactly when the site sees the satellite.
    """
    z = np.einsum("...k,...k->...", rho, up)
    d2 = np.einsum("...k,...k->...", rho, rho)
    d = np.sqrt(d2)
    elevation = np.degrees(np.arctan2(z, np.sqrt(np.maximum(d2 - z * z, 0.0))))
    rate_sign = np.einsum("...k,...k->...", rho_dot, up) * d2 - z * np.einsum(
        "...k,...k->...", rho, rho_dot)
    visibility = np.minimum(elevation - mask_deg, max_range_km - d)
    return elevation, rate_sign, visibility


def _windows_chunk(r: np.ndarray, v: np.ndarray, pos: np.ndarray, enu: np.ndarray,
                   masks: np.ndarray, max_range: np.ndarray, offsets: np.ndarray,
                   sat_offset: int) -> dict[str, np.ndarray]:
    n_sats, n_times = r.shape[:2]
    up = enu[:, 2]
    rho = r[None] - pos[:, None, None, :]
    el, rate, vis = _geometry(rho, v[None], up[:, None, None, :], masks[:, None, None],
                              max_range[:, None, None])
    del rho
    above = vis >= 0.0  # NaN → not visible
    h_s = float(offsets[1] - offsets[0]) if n_times > 1 else 1.0

    # intervals (site, sat, k) that hold a crossing or an elevation maximum
    is_max = (rate[..., :-1] > 0.0) & (rate[..., 1:] <= 0.0)
    p, s, k = np.nonzero((above[..., :-1] != above[..., 1:]) | is_max)
    has_max = is_max[p, s, k]
    r0, v0, r1, v1 = r[s, k], v[s, k], r[s, k + 1], v[s, k + 1]
    site, site_up = pos[p], up[p]
    mask, reach = masks[p], max_range[p]

    def at(tau, rows):
        rr, vv = hermite_state(tau, h_s, r0[rows], v0[rows], r1[rows], v1[rows])
        return _geometry(rr - site[rows], vv, site_up[rows], mask[rows], reach[rows])

    # elevation maxima inside intervals: d(el)/dt = 0, by bisection on its sign
    m = np.flatnonzero(has_max)
    tau_max = bisect_switch(lambda t: at(t, m)[1], np.zeros(m.size), np.ones(m.size),
                            np.ones(m.size, bool))
    el_max, _, vis_max = at(tau_max, m)

    # brackets: [0, 1], or [0, τmax] and [τmax, 1] around a maximum
    above_ext = np.zeros(p.size, bool)
    above_ext[m] = vis_max >= 0.0
    above0, above1 = above[p, s, k], above[p, s, k + 1]
    lo_rows = np.concatenate([np.flatnonzero(~has_max), m, m])
    lo_tau = np.concatenate([np.zeros((~has_max).sum()), np.zeros(m.size), tau_max])
    hi_tau = np.concatenate([np.ones((~has_max).sum()), tau_max, np.ones(m.size)])
    lo_state = np.concatenate([above0[~has_max], above0[m], above_ext[m]])
    hi_state = np.concatenate([above1[~has_max], above_ext[m], above1[m]])
    crossing = lo_state != hi_state
    rows, lo_tau, hi_tau, lo_state = (a[crossing] for a in (lo_rows, lo_tau, hi_tau,
                                                             lo_state))
    tau_x = bisect_switch(lambda t: at(t, rows)[2], lo_tau, hi_tau, lo_state)
    el_x = at(tau_x, rows)[0]

    t_k = offsets[k]
    # events: crossings, plus virtual rises/sets at the grid's ends
    p0, s0 = np.nonzero(above[..., 0])
    p1, s1 = np.nonzero(above[..., -1])
    ev_p = np.concatenate([p0, p[rows], p1])
    ev_s = np.concatenate([s0, s[rows], s1])
    ev_t = np.concatenate([np.full(p0.size, offsets[0]), t_k[rows] + tau_x * h_s,
                           np.full(p1.size, offsets[-1])])
    ev_rise = np.concatenate([np.ones(p0.size, bool), ~lo_state, np.zeros(p1.size, bool)])
    ev_clip = np.concatenate([np.ones(p0.size, bool), np.zeros(rows.size, bool),
                              np.ones(p1.size, bool)])
    order = np.lexsort((ev_t, ev_s, ev_p))  # stable: virtual rises first, sets last
    ev_p, ev_s, ev_t, ev_rise, ev_clip = (a[order] for a in (ev_p, ev_s, ev_t, ev_rise,
                                                             ev_clip))
    rise, fall = np.flatnonzero(ev_rise), np.flatnonzero(~ev_rise)
    if rise.size != fall.size or np.any(ev_s[rise] != ev_s[fall]) or np.any(
            ev_p[rise] != ev_p[fall]):
        raise RuntimeError("access_windows: unpaired rise/set events (please report)")
    win_p, win_s = ev_p[rise], ev_s[rise]
    win_start, win_end = ev_t[rise], ev_t[fall]

    # culmination: the highest candidate inside each window (interior maxima, crossings,
    # and the grid's ends for clipped windows)
    c_p = np.concatenate([p[m], p[rows], p0, p1])
    c_s = np.concatenate([s[m], s[rows], s0, s1])
    c_t = np.concatenate([t_k[m] + tau_max * h_s, t_k[rows] + tau_x * h_s,
                          np.full(p0.size, offsets[0]), np.full(p1.size, offsets[-1])])
    c_el = np.concatenate([el_max, el_x, el[p0, s0, 0], el[p1, s1, -1]])
    c_ok = np.concatenate([vis_max >= 0.0, np.ones(rows.size + p0.size + p1.size, bool)])
    c_p, c_s, c_t, c_el = c_p[c_ok], c_s[c_ok], c_t[c_ok], c_el[c_ok]
    span = float(offsets[-1]) + 2.0 * h_s + 1.0
    win_key = (win_p * n_sats + win_s) * span + win_start
    c_key = (c_p * n_sats + c_s) * span + c_t
    c_win = np.searchsorted(win_key, c_key, side="right") - 1
    order = np.lexsort((c_el, c_win))
    sorted_win = c_win[order]
    best = order[np.flatnonzero(np.r_[sorted_win[1:] != sorted_win[:-1], True])] \
        if order.size else order
    culm_t = np.empty(win_start.size)
    culm_el = np.full(win_start.size, np.nan)
    culm_t[c_win[best]], culm_el[c_win[best]] = c_t[best], c_el[best]
    return {"site_index": win_p.astype(np.int64), "sat_id": win_s + sat_offset,
            "rise_s": win_start, "culmination_s": culm_t, "set_s": win_end,
            "max_elevation_deg": culm_el, "is_clipped": ev_clip[rise] | ev_clip[fall]}


def access_windows(constellation: Constellation, sites: Sites, grid: TimeGrid, *,
                   min_elevation_deg: float | None = None,
                   epoch: datetime | None = None,
                   state: tuple[np.ndarray, np.ndarray] | None = None) -> pl.DataFrame:
    """Every pass of every satellite over every site: rise, culmination and set.

    Parameters
    ----------
    constellation : Constellation
    sites : GroundSegment, GroundSite or sequence of GroundSite
        Each site's ``elevation_mask_deg`` applies, and its ``max_range_km`` when set.
    grid : TimeGrid
        Steps of 60 s or less keep the error below a second (see Notes).
    min_elevation_deg : float, optional
        One elevation mask in degrees (0–90) for every site, overriding their own.
    epoch : datetime, optional
        Epoch of the Walker shells' elements; defaults to ``grid.start``.
    state : (r_km, v_km_per_s), optional
        ITRS positions and Earth-relative velocities (n_sats, n_times, 3) already
        propagated on ``grid`` (an :class:`~workbench.orbits.geometry.OrbitGeometry`'s
        ``r_itrs_km`` and ``v_itrs_km_per_s``); None propagates here.

    Returns
    -------
    polars.DataFrame, one row per window, sorted by site (in the given order), sat_id and
    rise_utc; satellites that never rise have no rows:

    - sat_id : u32
    - site : str
    - rise_utc, culmination_utc, set_utc : datetime (µs, UTC)
    - max_elevation_deg : f64, degrees, elevation at culmination
    - duration_s : f64, s, set − rise
    - is_clipped : bool, the window is open at the grid's first or last instant: its
      rise (or set) is the grid's edge, and its culmination is the highest point seen
      within the grid

    Notes
    -----
    One SGP4 pass gives ITRS positions r and Earth-relative velocities v at every step;
    nothing is re-propagated. For each (site, satellite, step) the topocentric vector
    ρ = r − r_site gives elevation el = atan2(ρ·û, |ρ × û|) and the sign of its rate,
    ż d² − z (ρ·ρ̇) (z = ρ·û, d = |ρ|, from sin el = z/d). Steps where visibility changes
    (el ≥ mask and d ≤ max range) or el has a maximum (rate sign + → −, which also finds
    passes that rise and set between two steps) are refined on a cubic Hermite
    interpolant of the position through (r, v) at both ends; elevation is computed
    exactly from the interpolated position and crossing and culmination times are found
    by bisection to 2⁻⁴⁰ of a step. Hermite interpolation of an orbit has error
    ≈ h⁴·|r⁽⁴⁾|/384 ≈ h⁴ n⁴ a/384: under 1 m at a 60 s step in LEO, so interpolation adds
    milliseconds at most. Measured against skyfield's
    ``EarthSatellite.find_events`` (which itself resolves times to 0.5 s): rise, set and
    culmination within 0.3 s on 60 s and 180 s grids, with the same passes (200 Starlink
    satellites × Beijing, Svalbard × 24 h; tests/test_orbits_access.py asserts 2 s), and
    skyfield's elevation at our rise and set equals the mask to 1e-3°. Much longer steps
    degrade the interpolation. Not detected: a visible satellite dipping below the mask and
    back within one step (no LEO pass does), and a pass that enters and leaves a site's
    ``max_range_km`` within one step away from its elevation maximum.
    """
    site_list = _site_list(sites, "access_windows")
    masks, max_range = _masks(site_list, min_elevation_deg, "access_windows")
    if state is None:
        r, v, _ = propagate_state(constellation, grid, frame="itrs", epoch=epoch)
    else:
        r, v = state
        expected = (len(constellation), len(grid), 3)
        if r.shape != expected or v.shape != expected:
            raise ModelError("access_windows", [Problem(
                "state", f"shapes {r.shape}, {v.shape}", f"need {expected}: (n_sats, "
                "n_times, 3) ITRS km and km/s on the grid")])
    pos, enu = _site_frames(site_list)
    offsets = grid.offsets_s
    n_sats, n_times = r.shape[:2]
    parts = [_windows_chunk(r[chunk], v[chunk], pos, enu, masks, max_range, offsets,
                            chunk.start)
             for chunk in _sat_chunks(len(site_list), n_sats, n_times)] if n_times > 1 else []
    if n_times == 1:  # one instant: a window is open (and clipped) where the site sees it
        el, _, rng = look_angles(r, site_list)
        p, s = np.nonzero((el[..., 0] >= masks[:, None]) & (rng[..., 0] <= max_range[:, None]))
        zero = np.zeros(p.size)
        parts = [{"site_index": p, "sat_id": s, "rise_s": zero, "culmination_s": zero,
                  "set_s": zero, "max_elevation_deg": el[p, s, 0],
                  "is_clipped": np.ones(p.size, bool)}]
    cols = {key: np.concatenate([part[key] for part in parts]) if parts else np.array([])
            for key in ("site_index", "sat_id", "rise_s", "culmination_s", "set_s",
                        "max_elevation_deg", "is_clipped")}
    order = np.lexsort((cols["rise_s"], cols["sat_id"], cols["site_index"]))
    cols = {key: value[order] for key, value in cols.items()}
    names = np.array([s.name for s in site_list], dtype=object)
    return pl.DataFrame({
        "sat_id": pl.Series(cols["sat_id"].astype(np.uint32), dtype=pl.UInt32),
        "site": pl.Series(names[cols["site_index"].astype(np.int64)].tolist(),
                          dtype=pl.String),
        "rise_utc": grid.utc_at(cols["rise_s"]),
        "culmination_utc": grid.utc_at(cols["culmination_s"]),
        "set_utc": grid.utc_at(cols["set_s"]),
        "max_elevation_deg": pl.Series(cols["max_elevation_deg"], dtype=pl.Float64),
        "duration_s": pl.Series(cols["set_s"] - cols["rise_s"], dtype=pl.Float64),
        "is_clipped": pl.Series(cols["is_clipped"].astype(bool), dtype=pl.Boolean),
    })


__all__ = ["look_angles", "visible", "access_windows", "CHUNK_BYTES"]
