"""The orbit geometry the capacity analyses share: one SGP4 pass, then Sun, shadow and beta.

:func:`orbit_geometry` propagates every satellite once (ITRS positions and velocities) and
derives what power, compute and the data pipeline need from those arrays: the Sun, whether
each satellite is sunlit, its beta angle, its mean altitude, and which ground sites see it.
Nothing downstream propagates again.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np
import polars as pl

from ..model.constants import R_EARTH_KM
from ..model.constellation import Constellation
from ..model.errors import ModelError, Problem
from ..model.ground import GroundSegment, GroundSite
from ..model.scenario import Scenario
from ..model.timegrid import TimeGrid
from ..orbits.frames import geodetic_to_itrs
from ..orbits.propagation import propagate_state
from ..orbits.sun import ERAD_KM, sun_position_km

Progress = Callable[[float, str], None]
"""``progress(fraction_done, message)``: an optional callback the analyses report to."""

CHUNK_SATS = 256
"""Satellites handled at once by the shadow, beta and visibility kernels: small enough for
the (satellite, time, 3) scratch arrays to stay in cache, large enough to vectorise."""

AU_KM = 149_597_870.7

BETA_SPACING_S = 600.0
"""Beta is evaluated at most this far apart and interpolated linearly in between: the orbit
plane turns by a few degrees a day, so the error is far below 0.01°."""

EARTH_ROTATION_RAD_PER_S = 7.292115146706979e-5
"""The rotation rate :func:`workbench.orbits.propagate_state` uses for ITRS velocities
(Earth-relative: v − ω × r); adding ω × r back gives the inertial velocity in ITRS axes."""


def _chunks(n_sats: int) -> Iterator[slice]:
    for start in range(0, n_sats, CHUNK_SATS):
        yield slice(start, min(n_sats, start + CHUNK_SATS))


def _shadow_kernel(r_km: np.ndarray, rr_km2: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """True where a position (n, T, 3) is in the Earth's shadow; Sun (T, 3), same frame.

    skyfield's ``ICRF.is_sunlit`` test (see :mod:`workbench.orbits.sun`) in closed form: with
    û the unit vector from the satellite to the Sun, a = û·r and c = |r|² − ERAD², the line
    towards the Sun meets the Earth at distances −a ± √(a² − c); the satellite is in shadow
    when the far one lies ahead of it: a² ≥ c and (a < 0 or c < 0). Only dot products of
    r with itself (``rr_km2``) and with the Sun enter, so the test is rotation-invariant
    (ITRS as GCRS) and needs no (n, T, 3) scratch arrays. NaN positions count as sunlit,
    as in skyfield.
    """
    sr = np.einsum("stk,tk->st", r_km, sun_km)
    ss = np.einsum("tk,tk->t", sun_km, sun_km)
    along = (sr - rr_km2) / np.sqrt(ss - 2.0 * sr + rr_km2)  # (s − r)·r / |s − r|
    c = rr_km2 - ERAD_KM * ERAD_KM
    return (along * along >= c) & ((along < 0.0) | (c < 0.0))


def _beta_kernel(r_km: np.ndarray, v_rel_km_per_s: np.ndarray, sun_unit: np.ndarray
                 ) -> np.ndarray:
    """Beta angle (degrees) from ITRS r and Earth-relative v: the inertial velocity in ITRS
    axes is v + ω × r, the orbit normal ĥ = r × (v + ω × r)/|…|, and sin β = ĥ · ŝ."""
    v_in = v_rel_km_per_s.copy()
    v_in[..., 0] -= EARTH_ROTATION_RAD_PER_S * r_km[..., 1]
    v_in[..., 1] += EARTH_ROTATION_RAD_PER_S * r_km[..., 0]
    h = np.cross(r_km, v_in)
    sin_beta = np.einsum("stk,tk->st", h, sun_unit) / np.linalg.norm(h, axis=-1)
    return np.degrees(np.arcsin(np.clip(sin_beta, -1.0, 1.0)))


def _beta_nodes(n_times: int, step_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps where beta is evaluated (at most ``BETA_SPACING_S`` apart, both ends included)
    and, for every step, the node before it and the linear weight of the node after."""
    stride = max(1, int(BETA_SPACING_S // step_s))
    nodes = np.unique(np.r_[np.arange(0, n_times, stride), n_times - 1])
    t = np.arange(n_times)
    k = np.clip(np.searchsorted(nodes, t, side="right") - 1, 0, max(nodes.size - 2, 0))
    if nodes.size == 1:
        return nodes, np.zeros(n_times, dtype=np.int64), np.zeros(n_times)
    weight = (t - nodes[k]) / (nodes[k + 1] - nodes[k])
    return nodes, k, weight


def _site_list(sites: GroundSegment | GroundSite | Sequence[GroundSite]
               ) -> tuple[GroundSite, ...]:
    if isinstance(sites, GroundSegment):
        return sites.sites
    if isinstance(sites, GroundSite):
        return (sites,)
    sites = tuple(sites)
    bad = [Problem(f"sites[{i}]", s, "expected a GroundSite")
           for i, s in enumerate(sites) if not isinstance(s, GroundSite)]
    if bad:
        raise ModelError("visibility", bad)
    return sites


@dataclass(frozen=True, eq=False)
class OrbitGeometry:
    """Every satellite's state on the grid, computed once and shared by the analyses.

    Attributes
    ----------
    grid : TimeGrid
    satellites : polars.DataFrame
        sat_id (u32), name (str), shell (str), inclination_deg (f64, deg),
        altitude_km (f64, km: mean geocentric radius over the grid minus R⊕; the catalogue
        value for a satellite SGP4 could not propagate).
    r_itrs_km, v_itrs_km_per_s : ndarray (n_sats, n_times, 3)
        ITRS position (km) and Earth-relative velocity (km/s); NaN where SGP4 failed.
        Beta is evaluated every ``BETA_SPACING_S`` and interpolated linearly.
    is_valid : ndarray (n_sats, n_times) of bool
        SGP4 succeeded.
    radius_km : ndarray (n_sats, n_times)
        Geocentric distance |r|, km (0 where SGP4 failed).
    sun_itrs_km : ndarray (n_times, 3)
        Geocentric Sun (DE421), ITRS.
    is_sunlit : ndarray (n_sats, n_times) of bool
        skyfield's ``is_sunlit`` test (False where SGP4 failed).
    beta_deg : ndarray (n_sats, n_times)
        Sun elevation above the orbit plane, degrees (0 where SGP4 failed).
    """

    grid: TimeGrid
    satellites: pl.DataFrame
    r_itrs_km: np.ndarray
    v_itrs_km_per_s: np.ndarray
    is_valid: np.ndarray
    radius_km: np.ndarray
    sun_itrs_km: np.ndarray
    is_sunlit: np.ndarray
    beta_deg: np.ndarray

    @property
    def n_sats(self) -> int:
        return int(self.r_itrs_km.shape[0])

    @property
    def n_times(self) -> int:
        return int(self.r_itrs_km.shape[1])

    @property
    def altitude_km(self) -> np.ndarray:
        return self.satellites["altitude_km"].to_numpy()

    def inertial_state(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions (km) and inertial velocities (km/s) at one step, in ITRS axes
        (n_sats, 3) each: v + ω × r. Orbit planes, RAAN differences and arguments of
        latitude from these match an inertial frame's up to one rotation about the pole."""
        r = self.r_itrs_km[:, step]
        v = self.v_itrs_km_per_s[:, step].copy()
        v[:, 0] -= EARTH_ROTATION_RAD_PER_S * r[:, 1]
        v[:, 1] += EARTH_ROTATION_RAD_PER_S * r[:, 0]
        return r, v

    def matches(self, constellation: Constellation, grid: TimeGrid) -> bool:
        """Whether this geometry is of ``constellation``'s satellites on ``grid``."""
        return self.grid == grid and self.satellites["name"].equals(
            constellation.satellites["name"])

    @property
    def sun_distance_au(self) -> np.ndarray:
        """Earth–Sun distance at each step, au (n_times,)."""
        return np.linalg.norm(self.sun_itrs_km, axis=-1) / AU_KM

    def _visibility(self, site_list: Sequence[GroundSite]
                    ) -> Iterator[tuple[slice, np.ndarray]]:
        """(chunk, visible (n_sites, c, n_times) bool) for chunks of satellites.

        ρ·û = r·û − r_site·û and |ρ|² = |r|² − 2 r·r_site + |r_site|² come from one matrix
        product of the chunk's positions with the sites' vertical and position vectors.
        """
        n_sites = len(site_list)
        lat = np.array([s.lat_deg for s in site_list], dtype=np.float64)
        lon = np.array([s.lon_deg for s in site_list], dtype=np.float64)
        pos = geodetic_to_itrs(lat, lon, np.array([s.altitude_m for s in site_list]) / 1000.0)
        lat_r, lon_r = np.radians(lat), np.radians(lon)
        up = np.stack([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r),
                       np.sin(lat_r)], axis=-1)
        sin2_mask = np.sin(np.radians([s.elevation_mask_deg for s in site_list])) ** 2
        reach2 = [None if s.max_range_km is None else s.max_range_km ** 2 for s in site_list]
        up_offset = np.einsum("pk,pk->p", pos, up)
        pos2 = np.einsum("pk,pk->p", pos, pos)
        basis = np.concatenate([up, pos], axis=0)  # (2 n_sites, 3)
        for chunk in _chunks(self.n_sats):
            shape = (chunk.stop - chunk.start, self.n_times)
            flat = self.r_itrs_km[chunk].reshape(-1, 3)
            dots = basis @ flat.T  # (2 n_sites, c·T)
            rr = (self.radius_km[chunk] ** 2).ravel()
            vis = np.empty((n_sites, flat.shape[0]), dtype=bool)
            for i in range(n_sites):  # sites are few; each is a few passes over (sat, time)
                z = dots[i]
                z -= up_offset[i]  # ρ·û
                d2 = dots[n_sites + i]
                d2 *= -2.0
                d2 += rr
                d2 += pos2[i]  # |ρ|²
                np.greater_equal(z, 0.0, out=vis[i])
                if reach2[i] is not None:
                    vis[i] &= d2 <= reach2[i]
                z *= z
                d2 *= sin2_mask[i]
                vis[i] &= z >= d2
            yield chunk, vis.reshape(n_sites, *shape)

    def visible(self, sites: GroundSegment | GroundSite | Sequence[GroundSite]
                ) -> np.ndarray:
        """Whether each site sees each satellite at each step, bool (n_sites, n_sats, n_times).

        Each site's ``elevation_mask_deg`` applies, and its ``max_range_km`` when set: the
        rule of :func:`workbench.orbits.access.visible`, tested without trigonometry
        (ρ·û ≥ |ρ| sin(mask), |ρ| ≤ max range, with ρ = r − r_site and û the site's local
        vertical). NaN positions are not visible.
        """
        site_list = _site_list(sites)
        out = np.zeros((len(site_list), self.n_sats, self.n_times), dtype=bool)
        for chunk, vis in self._visibility(site_list):
            out[:, chunk] = vis
        return out

    def view_totals(self, sites: GroundSegment | GroundSite | Sequence[GroundSite],
                    values: np.ndarray, *, union: Sequence[int] = ()
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What each site sees, summed over satellites, without storing who sees whom.

        Parameters
        ----------
        sites : the ground sites
        values : ndarray (n_sats, n_times), e.g. each satellite's effective TOPS
        union : indices of sites whose views are OR-ed per satellite (e.g. the gateways)

        Returns
        -------
        n_in_view : ndarray (n_sites, n_times) of int, satellites each site sees
        values_in_view : ndarray (n_sites, n_times), sum of ``values`` over those satellites
        sees_union : ndarray (n_sats, n_times) of bool, seen by any site in ``union``

        Same rule as :meth:`visible`.
        """
        site_list = _site_list(sites)
        union = list(union)
        n_in_view = np.zeros((len(site_list), self.n_times), dtype=np.int64)
        values_in_view = np.zeros((len(site_list), self.n_times))
        sees_union = np.zeros((self.n_sats, self.n_times), dtype=bool)
        for chunk, vis in self._visibility(site_list):
            block = values[chunk]
            for i in range(len(site_list)):
                n_in_view[i] += vis[i].sum(axis=0)
                values_in_view[i] += np.where(vis[i], block, 0.0).sum(axis=0)
            if union:
                sees_union[chunk] = vis[union].any(axis=0)
        return n_in_view, values_in_view, sees_union


def orbit_geometry(constellation: Constellation, grid: TimeGrid, *,
                   epoch: datetime | None = None,
                   on_error: Literal["warn", "raise", "ignore"] = "warn",
                   progress: Progress | None = None) -> OrbitGeometry:
    """Propagate once and derive the Sun, the shadow and the beta angle for every satellite.

    Parameters
    ----------
    constellation : Constellation
    grid : TimeGrid
    epoch : datetime, optional
        Epoch of Walker shells' elements (defaults to ``grid.start``).
    on_error : "warn", "raise" or "ignore"
        What SGP4 failures (decayed satellites in real TLE sets) do; their steps are
        marked invalid and carry no power, compute or data.
    progress : callable(fraction, message), optional

    Returns
    -------
    OrbitGeometry

    Notes
    -----
    One :func:`workbench.orbits.propagate_state` call in ITRS. The Sun is DE421's geometric
    vector (:func:`workbench.orbits.sun.sun_position_km`, ITRS); the shadow test is
    skyfield's ``is_sunlit`` (spherical Earth of radius 6378.1366 km, no penumbra); the beta
    angle is asin(ĥ·ŝ) with ĥ the osculating orbit normal (CNES/NASA definition, as in
    :func:`workbench.orbits.sun.beta_angle_deg`).

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> c = Constellation.walker(550, 53, 2, 3)
    >>> g = orbit_geometry(c, TimeGrid(start=datetime(2026, 3, 20, tzinfo=UTC),
    ...                                duration_s=600, step_s=60))
    >>> g.is_sunlit.shape, round(float(g.altitude_km[0]), -1)
    ((6, 11), 550.0)
    """
    if progress:
        progress(0.0, "propagating")
    r, v, codes = propagate_state(constellation, grid, frame="itrs", epoch=epoch,
                                  on_error=on_error, with_velocity=True)
    if progress:
        progress(0.6, "Sun, shadow and beta angle")
    is_valid = codes == 0
    sun = sun_position_km(grid, frame="itrs")
    sun_unit = sun / np.linalg.norm(sun, axis=-1, keepdims=True)
    n_sats, n_times = r.shape[:2]
    is_sunlit = np.empty((n_sats, n_times), dtype=bool)
    radius = np.empty((n_sats, n_times))
    nodes, k, weight = _beta_nodes(n_times, grid.step_s)
    beta = np.empty((n_sats, n_times))
    for chunk in _chunks(n_sats):
        rr = np.einsum("stk,stk->st", r[chunk], r[chunk])
        is_sunlit[chunk] = ~_shadow_kernel(r[chunk], rr, sun) & is_valid[chunk]
        radius[chunk] = np.sqrt(rr)
        b = _beta_kernel(r[chunk][:, nodes], v[chunk][:, nodes], sun_unit[nodes])
        lo, hi = b[:, k], b[:, np.minimum(k + 1, nodes.size - 1)]
        lo, hi = np.where(np.isnan(lo), hi, lo), np.where(np.isnan(hi), lo, hi)  # SGP4 gaps
        beta[chunk] = lo * (1.0 - weight) + hi * weight
    counts = is_valid.sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean_radius = np.where(is_valid, radius, 0.0).sum(axis=1) / np.maximum(counts, 1)
    mean_radius[counts == 0] = np.nan
    radius[~is_valid] = 0.0
    beta[~is_valid | np.isnan(beta)] = 0.0
    sats = constellation.satellites
    altitude = np.where(np.isfinite(mean_radius), mean_radius - R_EARTH_KM,
                        sats["altitude_km"].to_numpy())
    satellites = sats.select("sat_id", "name", "shell", "inclination_deg").with_columns(
        altitude_km=pl.Series(altitude, dtype=pl.Float64))
    if progress:
        progress(1.0, "geometry ready")
    return OrbitGeometry(grid=grid, satellites=satellites, r_itrs_km=r, v_itrs_km_per_s=v,
                         is_valid=is_valid, radius_km=radius, sun_itrs_km=sun,
                         is_sunlit=is_sunlit, beta_deg=beta)


def scenario_geometry(scenario: Scenario, geometry: OrbitGeometry | None = None, *,
                      progress: Progress | None = None) -> OrbitGeometry:
    """``geometry`` checked against the scenario's constellation and grid, or the
    scenario's own (:func:`orbit_geometry` at its epoch) when None.

    Every analysis takes ``geometry=`` through this, so one propagation serves a whole
    recompute; a geometry of another constellation or grid is a clear error, never a
    silent mix-up.
    """
    if geometry is None:
        return orbit_geometry(scenario.constellation, scenario.time_grid,
                              epoch=scenario.epoch_utc, progress=progress)
    if not isinstance(geometry, OrbitGeometry):
        raise ModelError("geometry", [Problem("geometry", type(geometry).__name__,
                                              "give an OrbitGeometry (wb.orbits."
                                              "orbit_geometry) or None")])
    if not geometry.matches(scenario.constellation, scenario.time_grid):
        raise ModelError("geometry", [Problem(
            "geometry", f"{geometry.n_sats} satellites × {geometry.n_times} steps from "
            f"{geometry.grid.start:%Y-%m-%d %H:%M} every {geometry.grid.step_s:g} s",
            f"is not of this scenario ({len(scenario.constellation)} satellites × "
            f"{len(scenario.time_grid)} steps from {scenario.epoch_utc:%Y-%m-%d %H:%M} every "
            f"{scenario.step_s:g} s); compute it with wb.orbits.orbit_geometry(scenario."
            "constellation, scenario.time_grid, epoch=scenario.epoch_utc)")])
    return geometry


__all__ = ["OrbitGeometry", "orbit_geometry", "scenario_geometry", "Progress"]
