"""Coverage: how much of the time each place on the ground sees enough satellites.

Over cells of a latitude/longitude grid, of a latitude band, or over the scenario's ground
sites, :func:`coverage` counts the satellites above the elevation mask at every step and
calls a cell covered when at least ``min_satellites`` are (k-fold coverage). Its figures of
merit follow STK Coverage's: the fraction of time covered, the longest and mean gap, the
number of covered intervals, and the revisit time (start of one covered interval to the
start of the next). The count is vectorised over cells × satellites × steps in chunks of at
most ``MAX_CHUNK_ELEMENTS``, from the shared :class:`~workbench.orbits.geometry.OrbitGeometry`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from ...model.constants import R_EARTH_KM
from ...model.errors import ModelError, Problem
from ...model.options import CoverageOptions, resolve_options
from ...model.scenario import Scenario
from ...orbits.frames import geodetic_to_itrs
from ...orbits.geometry import OrbitGeometry, Progress, scenario_geometry
from ..summary_html import result_html

MAX_CHUNK_ELEMENTS = 1 << 20
"""Cells × satellites × steps handled at once (1 Mi: about 8 MB per float scratch array)."""

PREFILTER_MARGIN_DEG = 1.0
"""Candidates are pairs within the footprint's central angle plus this margin; the exact
elevation test then decides (the margin covers the ellipsoid and float32 rounding)."""


@dataclass(frozen=True)
class CoverageResult:
    """What :func:`coverage` returns.

    Attributes
    ----------
    cells : polars.DataFrame, one row per cell:
        cell_id (u32), name (str: the site's, or ``lat,lon``), lat_deg, lon_deg (f64, deg,
        the cell centre), altitude_km (f64), weight (f64: the cell's share of the area, cos latitude
        normalised; equal for sites), min_elevation_deg (f64), covered_frac (f64: share of
        steps with ≥ k satellites above the mask), n_in_view_mean (f64), n_in_view_max
        (i64), n_intervals (i64: covered intervals), max_gap_s, mean_gap_s (f64, s: the
        uncovered stretches, those at the window's ends included; the whole window for a
        cell never covered), revisit_mean_s, revisit_max_s (f64, s: start of a covered
        interval to the start of the next; null with fewer than two intervals)
    intervals : polars.DataFrame, one row per covered interval:
        cell_id (u32), start_utc, end_utc (datetime UTC: first and last covered step),
        duration_s (f64: steps covered × step)
    options : CoverageOptions
    summary : dict: region, n_cells, min_satellites, min_elevation_deg, covered_frac_mean
        (area-weighted), covered_frac_min, always_covered_frac and never_covered_frac
        (area shares), max_gap_s (largest over cells), mean_gap_s_mean, revisit_mean_s_mean
    """

    cells: pl.DataFrame
    intervals: pl.DataFrame
    options: CoverageOptions
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        return {"cells": self.cells, "intervals": self.intervals}

    def _repr_html_(self) -> str:
        return result_html("Coverage", self.summary, self.frames)


def _centres(low: float, high: float, cell_deg: float) -> np.ndarray:
    """Evenly spaced cell centres filling [low, high], cells at most ``cell_deg`` wide."""
    n = max(1, int(np.ceil((high - low) / cell_deg - 1e-9)))
    return low + (np.arange(n) + 0.5) * (high - low) / n


def coverage_cells(scenario: Scenario, options: CoverageOptions) -> pl.DataFrame:
    """The cells (or sites) coverage is measured over, with their elevation masks.

    Returns
    -------
    polars.DataFrame: cell_id (u32), name (str), lat_deg, lon_deg (f64, deg), altitude_km
    (f64, km: the site's height, 0 for grid cells), weight (f64, sums to 1),
    min_elevation_deg (f64, deg)
    """
    if options.region == "sites":
        sites = scenario.ground.sites
        if not sites:
            raise ModelError("coverage", [Problem(
                "options.coverage.region", "sites", "the scenario has no ground sites; "
                "use region grid or band")])
        lat = np.array([s.lat_deg for s in sites])
        lon = np.array([s.lon_deg for s in sites])
        names = [s.name for s in sites]
        height = np.array([s.altitude_m for s in sites]) / 1000.0
        mask = np.array([s.elevation_mask_deg if options.min_elevation_deg is None
                         else options.min_elevation_deg for s in sites])
        weight = np.full(lat.size, 1.0 / lat.size)
    else:
        lon_low, lon_high = ((-180.0, 180.0) if options.region == "band"
                             else (options.lon_min_deg, options.lon_max_deg))
        lats = _centres(options.lat_min_deg, options.lat_max_deg, options.cell_deg)
        lons = _centres(lon_low, lon_high, options.cell_deg)
        lat, lon = (a.ravel() for a in np.meshgrid(lats, lons, indexing="ij"))
        names = [f"{a:.2f},{o:.2f}" for a, o in zip(lat, lon, strict=True)]
        height = np.zeros(lat.size)
        mask = np.full(lat.size, 25.0 if options.min_elevation_deg is None
                       else options.min_elevation_deg)
        weight = np.cos(np.radians(lat))
        weight = weight / weight.sum() if weight.sum() > 0 else np.full(lat.size,
                                                                         1.0 / lat.size)
    return pl.DataFrame({"cell_id": np.arange(lat.size, dtype=np.uint32), "name": names,
                         "lat_deg": lat, "lon_deg": lon, "altitude_km": height,
                         "weight": weight,
                         "min_elevation_deg": mask.astype(np.float64)})


def _in_view_count(geometry: OrbitGeometry, lat_deg: np.ndarray, lon_deg: np.ndarray,
                   altitude_km: np.ndarray, mask_deg: np.ndarray,
                   progress: Progress | None = None) -> np.ndarray:
    """Satellites above each cell's mask at each step, int32 (n_cells, n_times).

    The test of :meth:`OrbitGeometry.visible` without trigonometry: with ρ = r − r_cell and
    û the cell's geodetic vertical, a satellite is above the mask ε when ρ·û ≥ 0 and
    (ρ·û)² ≥ |ρ|² sin²ε. One float32 matrix product of the cells' verticals with the
    satellites' directions picks the candidates, pairs within the footprint's Earth central
    angle λ (plus ``PREFILTER_MARGIN_DEG``) of the highest satellite; the exact test runs
    on those only (about 1 % of the pairs for LEO at a 25° mask). NaN positions (SGP4
    failures) are never seen.
    """
    n_cells, n_sats, n_times = lat_deg.size, geometry.n_sats, geometry.n_times
    pos = geodetic_to_itrs(lat_deg, lon_deg, altitude_km)
    lat_r, lon_r = np.radians(lat_deg), np.radians(lon_deg)
    up = np.stack([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r),
                   np.sin(lat_r)], axis=-1)
    sin2 = np.sin(np.radians(mask_deg)) ** 2
    count = np.zeros((n_cells, n_times), dtype=np.int32)
    if n_sats == 0 or n_times == 0:
        return count
    sat_chunk = max(1, min(n_sats, MAX_CHUNK_ELEMENTS // n_times))
    cell_chunk = max(1, MAX_CHUNK_ELEMENTS // (sat_chunk * n_times))
    r_all = np.where(geometry.is_valid[..., None], geometry.r_itrs_km, np.nan)
    radius = np.linalg.norm(r_all, axis=-1)
    r_max = float(np.nanmax(radius)) if np.isfinite(radius).any() else R_EARTH_KM
    # Earth central angle of the footprint's edge from the highest satellite, plus a margin
    # for the ellipsoid (geodetic vs geocentric vertical ≤ 0.2°) and float32 rounding
    lam = np.arccos(np.clip(R_EARTH_KM * np.cos(np.radians(mask_deg)) / r_max, -1, 1)) \
        - np.radians(mask_deg)
    cos_reach = np.cos(np.minimum(lam + np.radians(PREFILTER_MARGIN_DEG), np.pi)
                       ).astype(np.float32)
    up32 = up.astype(np.float32)
    total = -(-n_cells // cell_chunk) * -(-n_sats // sat_chunk)
    done = 0
    for s0 in range(0, n_sats, sat_chunk):
        r = r_all[s0:s0 + sat_chunk].reshape(-1, 3)  # (s·T, 3), sat-major
        r_unit = (r / np.linalg.norm(r, axis=-1, keepdims=True)).astype(np.float32)
        for c0 in range(0, n_cells, cell_chunk):
            c1 = min(n_cells, c0 + cell_chunk)
            near = up32[c0:c1] @ r_unit.T
            cell, flat = np.nonzero(near >= cos_reach[c0:c1, None])  # the few candidates
            del near
            cells = c0 + cell
            rho = r[flat] - pos[cells]
            z = np.einsum("nk,nk->n", rho, up[cells])  # ρ·û
            seen = (z >= 0.0) & (z * z >= np.einsum("nk,nk->n", rho, rho) * sin2[cells])
            hits = cell[seen] * n_times + flat[seen] % n_times
            count[c0:c1] += np.bincount(hits, minlength=(c1 - c0) * n_times).reshape(
                c1 - c0, n_times).astype(np.int32)
            done += 1
            if progress:
                progress(0.3 + 0.6 * done / total, "counting satellites in view")
    return count


def _runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, stop) of every run of True in a (rows, T) bool array, stop exclusive,
    in row-major order."""
    padded = np.zeros((flags.shape[0], flags.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = flags
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, stops = np.nonzero(edges == -1)
    return rows, starts, stops


def coverage_statistics(covered: np.ndarray, step_s: float) -> dict[str, np.ndarray]:
    """Gap and revisit statistics per row of a (cells, steps) covered array.

    Gaps are runs of uncovered steps, each lasting (steps) × ``step_s``; revisit times are
    the spacing of the covered runs' starts. Means over no gaps are 0, over no revisits NaN.

    >>> stats = coverage_statistics(np.array([[1, 1, 0, 0, 0, 1, 0, 1]], bool), 60.0)
    >>> stats["max_gap_s"].tolist(), stats["mean_gap_s"].tolist(), stats["revisit_mean_s"]
    ([180.0], [120.0], array([210.]))
    """
    n_cells = covered.shape[0]
    gap_rows, gap_starts, gap_stops = _runs(~covered)
    gap_s = (gap_stops - gap_starts) * step_s
    n_gaps = np.bincount(gap_rows, minlength=n_cells)
    max_gap = np.zeros(n_cells)
    np.maximum.at(max_gap, gap_rows, gap_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gap = np.where(n_gaps > 0, np.bincount(gap_rows, weights=gap_s,
                                                    minlength=n_cells) / n_gaps, 0.0)
    rows, starts, stops = _runs(covered)
    same = rows[1:] == rows[:-1]
    spacing = (starts[1:] - starts[:-1])[same] * step_s
    spacing_rows = rows[1:][same]
    n_spacing = np.bincount(spacing_rows, minlength=n_cells)
    revisit_max = np.full(n_cells, np.nan)
    if spacing.size:
        revisit_max[n_spacing > 0] = 0.0
        np.fmax.at(revisit_max, spacing_rows, spacing)
    with np.errstate(invalid="ignore", divide="ignore"):
        revisit_mean = np.bincount(spacing_rows, weights=spacing,
                                   minlength=n_cells) / n_spacing
    return {"max_gap_s": max_gap, "mean_gap_s": mean_gap, "n_gaps": n_gaps,
            "n_intervals": np.bincount(rows, minlength=n_cells),
            "revisit_mean_s": revisit_mean, "revisit_max_s": revisit_max,
            "interval_rows": rows, "interval_starts": starts, "interval_stops": stops}


def coverage(scenario: Scenario, *, options: CoverageOptions | Mapping[str, Any] | None = None,
             geometry: OrbitGeometry | None = None,
             progress: Progress | None = None) -> CoverageResult:
    """Fraction of time covered by at least k satellites, gaps and revisit, per cell.

    Parameters
    ----------
    scenario : Scenario
    options : CoverageOptions or mapping, optional
        Region, cell size, elevation mask and satellites needed (default: the scenario's
        ``options.coverage``).
    geometry : OrbitGeometry, optional
        The scenario's shared geometry (propagated here when None).
    progress : callable(fraction, message), optional

    Returns
    -------
    CoverageResult: ``cells`` and ``intervals`` frames and a ``summary``.

    Notes
    -----
    Cells are judged at their centres on the WGS84 ellipsoid (height 0; sites at their
    own height, their ``max_range_km`` not applied), with the geodetic vertical, as
    skyfield's ``wgs84.latlon`` topos; a step counts as covered when ≥ k
    satellites are above the mask at it, so interval ends are exact to within one step.
    Gaps at the window's start and end are included (they bound the true gap from below).
    A Walker shell of inclination i at altitude h never covers latitudes beyond i + λ,
    λ = arccos(R cos ε / (R + h)) − ε the Earth central angle of the footprint's edge at
    mask ε (Wertz & Larson, *Space Mission Analysis and Design*, 3rd ed., §5.2).

    Examples
    --------
    >>> import workbench as wb
    >>> s = wb.load_scenario("beijing-etown-demo")
    >>> s = s.model_validate({**s.model_dump(), "duration_s": 3600.0})
    >>> r = coverage(s, options={"region": "sites"})
    >>> r.cells.height == len(s.ground), 0.0 <= r.summary["covered_frac_mean"] <= 1.0
    (True, True)
    """
    opts = resolve_options(CoverageOptions, options, scenario.options.coverage)
    cells = coverage_cells(scenario, opts)
    geometry = scenario_geometry(scenario, geometry,
                                 progress=(lambda f, m: progress(0.3 * f, m))
                                 if progress else None)
    grid = geometry.grid
    count = _in_view_count(geometry, cells["lat_deg"].to_numpy(), cells["lon_deg"].to_numpy(),
                           cells["altitude_km"].to_numpy(),
                           cells["min_elevation_deg"].to_numpy(), progress)
    covered = count >= opts.min_satellites
    stats = coverage_statistics(covered, grid.step_s)
    n_times = covered.shape[1]
    covered_frac = covered.mean(axis=1) if n_times else np.zeros(covered.shape[0])
    cells = cells.with_columns(
        covered_frac=pl.Series(covered_frac, dtype=pl.Float64),
        n_in_view_mean=pl.Series(count.mean(axis=1) if n_times else covered_frac,
                                 dtype=pl.Float64),
        n_in_view_max=pl.Series(count.max(axis=1, initial=0), dtype=pl.Int64),
        n_intervals=pl.Series(stats["n_intervals"], dtype=pl.Int64),
        max_gap_s=pl.Series(stats["max_gap_s"], dtype=pl.Float64),
        mean_gap_s=pl.Series(stats["mean_gap_s"], dtype=pl.Float64),
        revisit_mean_s=pl.Series(stats["revisit_mean_s"], dtype=pl.Float64,
                                 nan_to_null=True),
        revisit_max_s=pl.Series(stats["revisit_max_s"], dtype=pl.Float64,
                                nan_to_null=True))
    starts, stops = stats["interval_starts"], stats["interval_stops"]
    intervals = pl.DataFrame({
        "cell_id": pl.Series(stats["interval_rows"], dtype=pl.UInt32),
        "start_utc": grid.utc_at(grid.offsets_s[starts]),
        "end_utc": grid.utc_at(grid.offsets_s[stops - 1]),
        "duration_s": pl.Series((stops - starts) * grid.step_s, dtype=pl.Float64)})
    weight = cells["weight"].to_numpy()
    revisit = cells["revisit_mean_s"].drop_nulls()
    summary: dict[str, Any] = {
        "region": opts.region, "n_cells": cells.height,
        "min_satellites": opts.min_satellites,
        "min_elevation_deg": float(cells["min_elevation_deg"].min() or 0.0),
        "covered_frac_mean": float(np.dot(weight, covered_frac)),
        "covered_frac_min": float(covered_frac.min()),
        "always_covered_frac": float(weight[covered_frac >= 1.0].sum()),
        "never_covered_frac": float(weight[covered_frac <= 0.0].sum()),
        "max_gap_s": float(stats["max_gap_s"].max()),
        "mean_gap_s_mean": float(np.dot(weight, stats["mean_gap_s"])),
        "revisit_mean_s_mean": float(revisit.mean()) if revisit.len() else float("nan"),
    }
    if progress:
        progress(1.0, "coverage ready")
    return CoverageResult(cells=cells, intervals=intervals, options=opts, summary=summary)


__all__ = ["CoverageResult", "coverage", "coverage_cells", "coverage_statistics"]
