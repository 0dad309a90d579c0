"""The workload: jobs from ground users and from the satellites' own sensing, seeded.

Ground users' jobs are spread over the scenario's user sites in proportion to the
population of the city each site is in (GeoNames, :func:`workbench.datasets.cities`), with
a daily profile in local solar time, and enter the constellation at the nearest satellite
the site sees. Sensing jobs arise while a satellite passes over one of the scenario's
target sites (each time step in view equally likely); with no target sites they arise on
every satellite alike, a Poisson stream per satellite.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ...model.options import SchedulingOptions
from ...model.scenario import Scenario
from ...orbits.frames import geodetic_to_itrs
from ...orbits.geometry import OrbitGeometry
from .fabric import NO_SAT

SOURCE_USER, SOURCE_SENSING = 0, 1
SOURCES = ("user", "sensing")
CITY_MATCH_KM = 30.0
"""A user site takes the population of the most populous city within this distance."""
URGENT_DEADLINE_FRAC = 0.5
"""Urgent jobs get this share of the deadline."""
PEAK_LOCAL_HOUR = 20.0
"""Users' demand peaks in the evening, local solar time."""


@dataclass(frozen=True)
class Workload:
    """Jobs, sorted by arrival; every array has one entry per job.

    Attributes
    ----------
    arrival_s : float seconds after the grid's start
    source : int, ``SOURCE_USER`` or ``SOURCE_SENSING``
    site : int, index into ``site_names`` (-1 for sensing without targets)
    entry_sat : int, the satellite the job reaches first (``NO_SAT``: no satellite in view)
    work_top : float, tera-operations (1 TOP = 1,000 GOP)
    input_mb, output_mb : float, MB
    deadline_s : float, seconds after arrival
    is_urgent, is_collaborative : bool
    site_names : tuple of str
    """

    arrival_s: np.ndarray
    source: np.ndarray
    site: np.ndarray
    entry_sat: np.ndarray
    work_top: np.ndarray
    input_mb: np.ndarray
    output_mb: np.ndarray
    deadline_s: np.ndarray
    is_urgent: np.ndarray
    is_collaborative: np.ndarray
    site_names: tuple[str, ...] = ()

    @property
    def n_jobs(self) -> int:
        return int(self.arrival_s.size)


def site_populations(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Population of the most populous GeoNames city within ``CITY_MATCH_KM`` of each
    site; a site with no city near takes the smallest matched population (or 1)."""
    from ... import datasets

    if not len(lat_deg):
        return np.zeros(0)
    cities = datasets.cities(30_000)
    clat = np.radians(cities["lat_deg"].to_numpy())
    clon = np.radians(cities["lon_deg"].to_numpy())
    pop = cities["population"].to_numpy().astype(np.float64)
    lat, lon = np.radians(lat_deg)[:, None], np.radians(lon_deg)[:, None]
    hav = (np.sin((clat - lat) / 2) ** 2
           + np.cos(lat) * np.cos(clat) * np.sin((clon - lon) / 2) ** 2)
    km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    near = np.where(km <= CITY_MATCH_KM, pop[None, :], 0.0).max(axis=1)
    fallback = near[near > 0].min() if np.any(near > 0) else 1.0
    return np.where(near > 0, near, fallback)


def _daily_times(rng: np.random.Generator, n: int, lon_deg: np.ndarray, duration_s: float,
                 epoch_hour: float, swing: float) -> np.ndarray:
    """Arrival times with rate ∝ 1 + a·cos(2π(h − 20)/24), h the local solar hour
    (rejection sampling, vectorised)."""
    out = np.empty(n)
    missing = np.arange(n)
    while missing.size:
        t = rng.uniform(0.0, duration_s, missing.size)
        hour = (epoch_hour + t / 3600.0 + lon_deg[missing] / 15.0) % 24.0
        weight = (1.0 + swing * np.cos(2 * np.pi * (hour - PEAK_LOCAL_HOUR) / 24.0)) / (
            1.0 + swing)
        keep = rng.uniform(size=missing.size) < weight
        out[missing[keep]] = t[keep]
        missing = missing[~keep]
    return out


def _nearest_visible(geometry: OrbitGeometry, visible: np.ndarray, sites_km: np.ndarray
                     ) -> np.ndarray:
    """(n_sites, n_times) the nearest satellite each site sees (``NO_SAT``: none)."""
    n_sites, _, n_times = visible.shape
    out = np.full((n_sites, n_times), NO_SAT, dtype=np.int64)
    for start in range(0, n_times, 64):
        stop = min(n_times, start + 64)
        r = geometry.r_itrs_km[:, start:stop]                       # (sats, chunk, 3)
        d = np.linalg.norm(r[None] - sites_km[:, None, None, :], axis=-1)
        d = np.where(visible[:, :, start:stop], d, np.inf)
        best = d.argmin(axis=1)
        seen = np.isfinite(np.take_along_axis(d, best[:, None], axis=1)[:, 0])
        out[:, start:stop] = np.where(seen, best, NO_SAT)
    return out


def draw_workload(scenario: Scenario, geometry: OrbitGeometry, options: SchedulingOptions
                  ) -> Workload:
    """The seeded workload of ``options.n_jobs`` jobs over the scenario's grid.

    The same scenario, geometry and options draw the same jobs. Operations per job are
    ``job_gop`` (``compute_cv`` = 0) or gamma-distributed with that mean and coefficient
    of variation. Urgent jobs (``urgent_frac``) get ``URGENT_DEADLINE_FRAC`` of the
    deadline. With no user sites, every job is a sensing job.
    """
    rng = np.random.default_rng(options.seed)
    n = options.n_jobs
    step_s = geometry.grid.step_s
    duration_s = geometry.n_times * step_s
    users = [s for s in scenario.ground.sites if s.role == "user"]
    targets = [s for s in scenario.ground.sites if s.role == "target"]
    n_sensing = n if not users else int(rng.binomial(n, options.sensing_share_frac))
    n_user = n - n_sensing

    site = np.full(n, -1, dtype=np.int64)
    entry = np.full(n, NO_SAT, dtype=np.int64)
    arrival = np.empty(n)
    source = np.repeat(np.array([SOURCE_USER, SOURCE_SENSING]), [n_user, n_sensing])
    names = tuple(s.name for s in users) + tuple(s.name for s in targets)

    if n_user:
        lat = np.array([s.lat_deg for s in users])
        lon = np.array([s.lon_deg for s in users])
        weight = site_populations(lat, lon)
        pick = rng.choice(len(users), size=n_user, p=weight / weight.sum())
        start = geometry.grid.start
        epoch_hour = start.hour + start.minute / 60.0 + start.second / 3600.0
        arrival[:n_user] = _daily_times(rng, n_user, lon[pick], duration_s, epoch_hour,
                                        options.daily_profile_frac)
        sites_km = geodetic_to_itrs(lat, lon, np.array([s.altitude_m for s in users]) / 1e3)
        nearest = _nearest_visible(geometry, geometry.visible(users), sites_km)
        step = np.minimum((arrival[:n_user] // step_s).astype(np.int64), geometry.n_times - 1)
        site[:n_user] = pick
        entry[:n_user] = nearest[pick, step]
    if n_sensing:
        sl = slice(n_user, n)
        if targets:
            seen = geometry.visible(targets)                         # (targets, sats, times)
            where = np.flatnonzero(seen.ravel())
        else:
            where = np.zeros(0, dtype=np.int64)
        if where.size:
            chosen = np.unravel_index(where[rng.integers(0, where.size, n_sensing)],
                                      seen.shape)
            site[sl] = len(users) + chosen[0]
            entry[sl] = chosen[1]
            arrival[sl] = (chosen[2] + rng.uniform(size=n_sensing)) * step_s
        elif targets:  # targets never seen: the events find no satellite
            site[sl] = len(users) + rng.integers(0, len(targets), n_sensing)
            arrival[sl] = rng.uniform(0.0, duration_s, n_sensing)
        else:
            entry[sl] = rng.integers(0, geometry.n_sats, n_sensing)
            arrival[sl] = rng.uniform(0.0, duration_s, n_sensing)

    mean_top = options.job_gop / 1000.0
    if options.compute_cv > 0.0:
        shape = 1.0 / options.compute_cv**2
        work = rng.gamma(shape, mean_top / shape, n)
    else:
        work = np.full(n, mean_top)
    is_urgent = rng.uniform(size=n) < options.urgent_frac
    is_collab = rng.uniform(size=n) < options.collaborative_frac
    deadline = np.where(is_urgent, URGENT_DEADLINE_FRAC, 1.0) * options.deadline_s
    order = np.argsort(arrival, kind="stable")
    return Workload(arrival_s=arrival[order], source=source[order], site=site[order],
                    entry_sat=entry[order], work_top=work[order],
                    input_mb=np.full(n, options.input_mb),
                    output_mb=np.full(n, options.output_mb), deadline_s=deadline[order],
                    is_urgent=is_urgent[order], is_collaborative=is_collab[order],
                    site_names=names)


def workload_frame(workload: Workload) -> pl.DataFrame:
    """The jobs as drawn (job_id u32, arrival_s, source, site, entry_sat, work_top,
    input_mb, output_mb, deadline_s, is_urgent, is_collaborative)."""
    names = np.array([*workload.site_names, ""], dtype=object)
    return pl.DataFrame({
        "job_id": pl.Series(np.arange(workload.n_jobs), dtype=pl.UInt32),
        "arrival_s": workload.arrival_s,
        "source": pl.Series(np.array(SOURCES, dtype=object)[workload.source],
                            dtype=pl.String),
        "site": pl.Series(names[workload.site], dtype=pl.String),
        "entry_sat": workload.entry_sat, "work_top": workload.work_top,
        "input_mb": workload.input_mb, "output_mb": workload.output_mb,
        "deadline_s": workload.deadline_s, "is_urgent": workload.is_urgent,
        "is_collaborative": workload.is_collaborative})


__all__ = ["SOURCES", "SOURCE_SENSING", "SOURCE_USER", "Workload", "draw_workload",
           "site_populations", "workload_frame"]
