"""Link geometry: ground–satellite links, laser line of sight, nearest-neighbour ISLs, and
terrestrial fibre — what the routing graph is built of.

A ground site links to a satellite when the satellite is at or above the site's elevation
mask and, if the site sets ``max_range_km`` (a terminal's reach), within that slant range.
Terrestrial fibre between two sites runs the great-circle distance times a detour factor at
c / 1.468 (the README's design notes).

This module imports only numpy (and scipy inside functions), so the routing worker
processes start fast; the constants below repeat :mod:`workbench.model.constants`
(a test checks that they agree).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ...model.ground import GroundSite

C_KM_PER_S = 299792.458
"""Speed of light in vacuum (= workbench.model.constants.C_KM_PER_S)."""
R_EARTH_KM = 6378.137
"""WGS84 equatorial radius (= workbench.model.constants.R_EARTH_KM)."""
FIBRE_REFRACTIVE_INDEX = 1.468
"""(= workbench.model.constants.FIBRE_REFRACTIVE_INDEX)."""
R_MEAN_EARTH_KM = 6371.0088
"""Mean Earth radius (IUGG, Moritz 1980, Geodetic Reference System 1980) for great circles."""
C_FIBRE_KM_PER_S = C_KM_PER_S / FIBRE_REFRACTIVE_INDEX
"""Speed of light in glass fibre, c / 1.468 ≈ 204,218 km/s."""
MIN_GRAZING_ALTITUDE_KM = 80.0
"""A laser ISL may not pass lower than this above the Earth (the upper mesosphere)."""


@dataclass(frozen=True)
class SiteGeometry:
    """Arrays describing ground sites for the link kernels (one row per site); built by
    :func:`site_geometry`.

    position_km : (n, 3) ITRS; up : (n, 3) unit geodetic normals; sin_mask : (n,) sine of
    the elevation mask; max_range_km : (n,) (inf when unlimited); is_relay : (n,) bool;
    lat_deg, lon_deg : (n,); names : tuple of str.
    """

    names: tuple[str, ...]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    position_km: np.ndarray
    up: np.ndarray
    sin_mask: np.ndarray
    max_range_km: np.ndarray
    is_relay: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def ground_links(r_sat_km: np.ndarray, sites: SiteGeometry) -> tuple[np.ndarray, np.ndarray,
                                                                      np.ndarray]:
    """Every (site, satellite) link at one instant.

    Parameters
    ----------
    r_sat_km : ndarray (n_sats, 3), ITRS km (NaN rows link to nothing)
    sites : SiteGeometry

    Returns
    -------
    site_index : ndarray (n_links,) int64
    sat_id : ndarray (n_links,) int64
    range_km : ndarray (n_links,) float64, slant range

    Notes
    -----
    With ρ = r_sat − r_site and û the site's geodetic up, sin(elevation) = ρ·û / |ρ|. The
    height above each site's horizon plane, ρ·û = r_sat·û − r_site·û, comes for all pairs
    from one (n_sats × 4)·(4 × n_sites) matrix product; only pairs above the horizon (a few
    per cent) get the exact test ρ·û ≥ sin(mask)·|ρ| and |ρ| ≤ max range — the same rule
    as :func:`workbench.orbits.access.visible`.
    """
    n_sats = r_sat_km.shape[0]
    if len(sites) == 0 or n_sats == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    aug = np.empty((n_sats, 4))
    aug[:, :3] = r_sat_km
    aug[:, 3] = 1.0
    plane = np.empty((4, len(sites)))
    plane[:3] = sites.up.T
    plane[3] = -np.einsum("ij,ij->i", sites.position_km, sites.up)
    sat, site = np.nonzero(aug @ plane > 0.0)  # NaN positions compare False
    rho = r_sat_km[sat] - sites.position_km[site]
    range_km = np.sqrt(np.einsum("ij,ij->i", rho, rho))
    up_dot = np.einsum("ij,ij->i", rho, sites.up[site])
    ok = (up_dot >= sites.sin_mask[site] * range_km) & (range_km <= sites.max_range_km[site])
    return site[ok], sat[ok], range_km[ok]


def line_of_sight(r_a_km: np.ndarray, r_b_km: np.ndarray, *,
                  min_altitude_km: float = MIN_GRAZING_ALTITUDE_KM,
                  earth_radius_km: float = R_EARTH_KM) -> np.ndarray:
    """Whether the segment between two positions clears the Earth by ``min_altitude_km``.

    The lowest point of segment a→b is at parameter t* = −a·(b−a)/|b−a|² clipped to
    [0, 1]; it must lie at least ``earth_radius_km + min_altitude_km`` from the centre (a
    sphere of the equatorial radius). NaN positions give False.
    """
    d = r_b_km - r_a_km
    dd = np.einsum("...k,...k->...", d, d)
    t = np.clip(-np.einsum("...k,...k->...", r_a_km, d) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
    closest = r_a_km + t[..., None] * d
    return np.einsum("...k,...k->...", closest, closest) >= (earth_radius_km
                                                               + min_altitude_km) ** 2


def nearest_neighbour_edges(r_km: np.ndarray, *, n_terminals: int, max_range_km: float,
                            min_altitude_km: float = MIN_GRAZING_ALTITUDE_KM) -> np.ndarray:
    """Mutual-nearest-neighbour links at one instant, ``(n_edges, 2)`` sat_ids.

    Satellites a and b link when each is among the other's ``n_terminals`` nearest
    satellites within ``max_range_km`` and the line of sight clears the Earth. "Mutual"
    keeps every satellite within its terminal count without a sequential greedy pass.
    NaN positions (failed propagation) get no links.
    """
    from scipy.spatial import cKDTree

    n = r_km.shape[0]
    ok = np.flatnonzero(np.isfinite(r_km).all(axis=1))
    if n_terminals <= 0 or ok.size < 2 or max_range_km <= 0:
        return np.zeros((0, 2), np.int64)
    k = min(n_terminals, ok.size - 1)
    tree = cKDTree(r_km[ok])
    dist, idx = tree.query(r_km[ok], k=k + 1, distance_upper_bound=max_range_km)
    dist, idx = dist[:, 1:], idx[:, 1:]  # drop self
    valid = np.isfinite(dist).ravel()
    a = np.repeat(np.arange(ok.size), k)[valid]
    b = idx.ravel()[valid]
    mutual = np.isin(a * n + b, b * n + a) & (a < b)  # (a, b) and (b, a) both present
    a, b = ok[a[mutual]], ok[b[mutual]]
    clear = line_of_sight(r_km[a], r_km[b], min_altitude_km=min_altitude_km)
    edges = np.stack([a[clear], b[clear]], 1).astype(np.int64)
    return edges[np.lexsort((edges[:, 1], edges[:, 0]))]


def site_geometry(sites: Sequence[GroundSite], *, min_elevation_deg: float | None = None
                  ) -> SiteGeometry:
    """:class:`SiteGeometry` of ``sites``; ``min_elevation_deg`` overrides every site's mask."""
    from ...orbits.frames import geodetic_to_itrs

    lat = np.array([s.lat_deg for s in sites], dtype=np.float64)
    lon = np.array([s.lon_deg for s in sites], dtype=np.float64)
    alt_km = np.array([s.altitude_m for s in sites], dtype=np.float64) / 1000.0
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    up = np.stack([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r),
                   np.sin(lat_r)], axis=-1).reshape(-1, 3)
    masks = np.array([s.elevation_mask_deg if min_elevation_deg is None else min_elevation_deg
                      for s in sites], dtype=np.float64)
    return SiteGeometry(
        names=tuple(s.name for s in sites), lat_deg=lat, lon_deg=lon,
        position_km=geodetic_to_itrs(lat, lon, alt_km).reshape(-1, 3), up=up,
        sin_mask=np.sin(np.radians(masks)),
        max_range_km=np.array([np.inf if s.max_range_km is None else s.max_range_km
                               for s in sites], dtype=np.float64),
        is_relay=np.array([s.is_relay for s in sites], dtype=bool))


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle distance on a sphere of the mean Earth radius (haversine), km.

    >>> round(float(great_circle_km(51.50853, -0.12574, 40.717042, -74.003663)))  # London–NY
    5570
    """
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dl = np.radians(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * R_MEAN_EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def fibre_delay_s(distance_km, *, detour_factor: float = 1.0) -> np.ndarray:
    """One-way delay over terrestrial fibre: distance × detour / (c / 1.468), seconds.

    Notes
    -----
    A detour factor of 1.0 is fibre laid along the great circle, the bound Handley (HotNets
    2018) uses: London–New York ≈ 5,570 km → ≈ 54.6 ms round trip. Real cable routes are
    longer; pass the factor you believe.
    """
    return np.asarray(distance_km, dtype=np.float64) * detour_factor / C_FIBRE_KM_PER_S


__all__ = ["SiteGeometry", "site_geometry", "ground_links", "line_of_sight",
           "nearest_neighbour_edges", "great_circle_km", "fibre_delay_s", "C_KM_PER_S",
           "R_EARTH_KM", "FIBRE_REFRACTIVE_INDEX", "R_MEAN_EARTH_KM", "C_FIBRE_KM_PER_S",
           "MIN_GRAZING_ALTITUDE_KM"]
