"""Radiation: total ionising dose by orbit and shielding, radiation life, upset rates.

The dose rate comes from ``datasets/radiation_dose.csv`` (SPENVIS SHIELDOSE-2 dose-depth
curves, AP-8/AE-8, with the estimated rows marked ``estimate:``); a part's radiation life
is its tolerated dose over the expected dose times a design margin, and a satellite's
useful life is the shorter of that and its design life.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from ...model.errors import DatasetError
from ...model.hardware import ComputeChip
from ...model.options import CapacityOptions, require, resolve_options
from ...model.scenario import Scenario
from .result import CapacityResult

DOSE_FILE = "radiation_dose.csv"
DOSE_SCHEMA = {"altitude_km": pl.Float64, "inclination_deg": pl.Float64,
               "shielding_mm_al": pl.Float64, "dose_rad_per_year": pl.Float64,
               "source": pl.String}

EXTRAPOLATION_KM = (150.0, 2000.0)
"""Altitudes the dose is extrapolated over (flagged); beyond, the nearest end is used."""

SEU_PER_BIT_DAY_BY_CLASS = {"cots": 1e-8, "tolerant": 1e-9, "hardened": 1e-11}
"""Planning figures for memory upsets in LEO, per bit per day (estimate: published rates span
1e-10 to 1e-6 upsets/bit/day with memory technology and orbit — 1990s commercial SRAM in
LEO saw ~1e-7–1e-6 (Underwood, "The single-event-effect behaviour of commercial-off-the-
shelf memory devices — a decade in low-Earth orbit", IEEE TNS 45(3), 1998), modern DRAM
much less per bit; 1e-8 is a middle planning value for COTS parts, screened parts with EDAC
an order lower, radiation-hardened cells three orders lower). Use measured
cross-sections and CREME96/SPENVIS for anything beyond planning."""


def dose_table() -> pl.DataFrame:
    """The dose-rate lookup table (``datasets/radiation_dose.csv``).

    Returns
    -------
    polars.DataFrame: altitude_km (km), inclination_deg (deg), shielding_mm_al (mm of
    aluminium, centre of a sphere), dose_rad_per_year (rad(Si)/year), source (str); a full
    grid over the three axes, every row with its source.
    """
    return _dose_table().clone()  # read once per process: a sweep asks at every point


@functools.cache
def _dose_table() -> pl.DataFrame:
    from ... import datasets  # the catalogs' location (source checkout or wheel)

    path = datasets.data_dir() / DOSE_FILE
    if not path.is_file():
        raise DatasetError(f"dataset file {DOSE_FILE!r} is missing from {path.parent}")
    frame = pl.read_csv(path, schema_overrides=DOSE_SCHEMA).cast(DOSE_SCHEMA)
    if frame.columns != list(DOSE_SCHEMA):
        raise DatasetError(f"{DOSE_FILE}: columns {frame.columns}, expected {list(DOSE_SCHEMA)}")
    if frame["source"].is_null().any() or (frame["source"].str.strip_chars() == "").any():
        raise DatasetError(f"{DOSE_FILE}: every row needs a source")
    return frame.sort("altitude_km", "inclination_deg", "shielding_mm_al")


def _grid(table: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    alt = np.unique(table["altitude_km"].to_numpy())
    inc = np.unique(table["inclination_deg"].to_numpy())
    shield = np.unique(table["shielding_mm_al"].to_numpy())
    if table.height != alt.size * inc.size * shield.size:
        raise DatasetError(f"{DOSE_FILE}: rows must form a full altitude × inclination × "
                           "shielding grid")
    dose = table.sort("altitude_km", "inclination_deg", "shielding_mm_al")[
        "dose_rad_per_year"].to_numpy().reshape(alt.size, inc.size, shield.size)
    if np.any(dose <= 0.0):
        raise DatasetError(f"{DOSE_FILE}: dose rates must be positive")
    return alt, inc, shield, dose


def _bracket(nodes: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower node index and weight of the upper node for each x (weights may leave [0, 1]
    outside the nodes: the caller decides whether to extrapolate or clamp)."""
    if nodes.size == 1:
        return np.zeros(x.shape, dtype=np.int64), np.zeros(x.shape)
    k = np.clip(np.searchsorted(nodes, x, side="right") - 1, 0, nodes.size - 2)
    return k, (x - nodes[k]) / (nodes[k + 1] - nodes[k])


def dose_rate_rad_per_year(altitude_km: float | np.ndarray, inclination_deg: float | np.ndarray,
                           shielding_mm_al: float | np.ndarray, *,
                           table: pl.DataFrame | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Total ionising dose rate behind aluminium shielding in a circular orbit.

    Parameters
    ----------
    altitude_km : km; inclination_deg : deg (retrograde i > 100° is folded to 180° − i);
    shielding_mm_al : mm of aluminium (centre of a sphere); arrays broadcast.
    table : the lookup table, default :func:`dose_table`.

    Returns
    -------
    dose_rad_per_year : ndarray, rad(Si)/year
    is_extrapolated : ndarray of bool, the point lies outside the table's altitude or
        shielding range (altitude: log-linear from the nearest segment, within
        ``EXTRAPOLATION_KM`` and clamped beyond; shielding below the thinnest: the thinnest's
        dose; above the thickest: log-linear, still decreasing)

    Notes
    -----
    Interpolation is linear in log(dose) along shielding (dose-depth curves are close to
    exponential) and altitude (the table's estimated rows scale exponentially), and linear
    in dose along inclination (the equatorial row is orders of magnitude below the rest;
    linear is the conservative choice between them). Each is monotone, so more shielding
    never raises the interpolated dose.
    """
    table = dose_table() if table is None else table
    alt_nodes, inc_nodes, shield_nodes, dose = _grid(table)
    alt = require("dose_rate_rad_per_year", "altitude_km", altitude_km, gt=0.0, unit="km")
    inc = require("dose_rate_rad_per_year", "inclination_deg", inclination_deg, ge=0.0,
                  le=180.0, unit="deg")
    shield = require("dose_rate_rad_per_year", "shielding_mm_al", shielding_mm_al, ge=0.0,
                     unit="mm")
    alt, inc, shield = np.broadcast_arrays(alt, inc, shield)
    is_extrapolated = ((alt < alt_nodes[0]) | (alt > alt_nodes[-1])
                       | (shield < shield_nodes[0]) | (shield > shield_nodes[-1]))
    alt = np.clip(alt, *EXTRAPOLATION_KM)
    inc = np.where(inc > inc_nodes[-1], 180.0 - inc, inc)
    inc = np.clip(inc, inc_nodes[0], inc_nodes[-1])
    shield_c = np.maximum(shield, shield_nodes[0])
    log_dose = np.log(dose)
    ka, wa = _bracket(alt_nodes, alt)
    ki, wi = _bracket(inc_nodes, inc)
    ks, ws = _bracket(shield_nodes, shield_c)
    result = np.zeros(alt.shape)
    for da, fa in ((0, 1.0 - wa), (1, wa)):
        along_inc = np.zeros(alt.shape)
        for di, fi in ((0, 1.0 - wi), (1, wi)):
            a_idx = np.minimum(ka + da, alt_nodes.size - 1)
            i_idx = np.minimum(ki + di, inc_nodes.size - 1)
            lo = log_dose[a_idx, i_idx, ks]
            hi = log_dose[a_idx, i_idx, np.minimum(ks + 1, shield_nodes.size - 1)]
            along_inc = along_inc + fi * np.exp(lo + ws * (hi - lo))
        result = result + fa * np.log(along_inc)
    return np.exp(result), is_extrapolated


def radiation_life_years(tid_krad: float | np.ndarray, dose_rad_per_year: float | np.ndarray,
                         *, margin: float = 2.0) -> np.ndarray:
    """Years until a part reaches its tolerated dose with a design margin:
    TID / (margin × dose rate).

    >>> round(float(radiation_life_years(20.0, 153.0, margin=2.0)), 1)
    65.4
    """
    tid = require("radiation_life_years", "tid_krad", tid_krad, gt=0.0, unit="krad")
    rate = require("radiation_life_years", "dose_rad_per_year", dose_rad_per_year, gt=0.0)
    m = require("radiation_life_years", "margin", margin, ge=1.0)
    return tid * 1000.0 / (m * rate)


def seu_per_day(chip: ComputeChip, count: int, *, memory_gb_per_chip: float,
                seu_per_bit_day: float | None = None) -> float:
    """Planning figure for memory upsets per satellite per day: rate × bits exposed."""
    rate = SEU_PER_BIT_DAY_BY_CLASS[chip.radiation_class] if seu_per_bit_day is None \
        else seu_per_bit_day
    return float(rate * memory_gb_per_chip * 8e9 * count)


def radiation_columns(altitude_km: np.ndarray, inclination_deg: np.ndarray, scenario: Scenario,
                      options: CapacityOptions) -> dict[str, np.ndarray]:
    """Per-satellite radiation columns: dose_rad_per_year, is_dose_extrapolated,
    radiation_life_years, useful_life_years, is_radiation_limited, seu_per_day."""
    platform, payload = scenario.platform, scenario.payload
    dose, extrapolated = dose_rate_rad_per_year(np.maximum(altitude_km, 1.0), inclination_deg,
                                                platform.shielding_mm_al)
    life = radiation_life_years(payload.chip.tid_krad, dose, margin=options.radiation_margin)
    useful = np.minimum(life, platform.design_life_years)
    return {
        "dose_rad_per_year": dose,
        "is_dose_extrapolated": extrapolated,
        "radiation_life_years": life,
        "useful_life_years": useful,
        "is_radiation_limited": life < platform.design_life_years,
        "seu_per_day": np.full(np.shape(dose), seu_per_day(
            payload.chip, payload.count, memory_gb_per_chip=options.memory_gb_per_chip,
            seu_per_bit_day=options.seu_per_bit_day)),
    }


def dose_depth_frame(altitude_km: float, inclination_deg: float, scenario: Scenario,
                     options: CapacityOptions) -> pl.DataFrame:
    """Dose rate and radiation life against shielding (0.5–30 mm) at one orbit.

    Returns
    -------
    polars.DataFrame: shielding_mm_al, dose_rad_per_year, radiation_life_years,
    useful_life_years, altitude_km, inclination_deg, is_platform_shielding (bool, the row
    nearest the platform's shielding).
    """
    shield = np.unique(np.r_[np.arange(0.5, 30.01, 0.5), scenario.platform.shielding_mm_al])
    dose, _ = dose_rate_rad_per_year(altitude_km, inclination_deg, shield)
    life = radiation_life_years(scenario.payload.chip.tid_krad, dose,
                                margin=options.radiation_margin)
    return pl.DataFrame({
        "shielding_mm_al": shield, "dose_rad_per_year": dose, "radiation_life_years": life,
        "useful_life_years": np.minimum(life, scenario.platform.design_life_years),
        "altitude_km": np.full(shield.size, float(altitude_km)),
        "inclination_deg": np.full(shield.size, float(inclination_deg)),
        "is_platform_shielding": shield == scenario.platform.shielding_mm_al,
    })


def radiation_summary(columns: dict[str, np.ndarray], scenario: Scenario) -> dict[str, Any]:
    life = columns["radiation_life_years"]
    n = life.size
    summary: dict[str, Any] = {
        "dose_rad_per_year_median": float(np.median(columns["dose_rad_per_year"])) if n else 0.0,
        "radiation_life_years_min": float(life.min()) if n else 0.0,
        "useful_life_years_median": float(np.median(columns["useful_life_years"])) if n else 0.0,
        "n_radiation_limited": int(columns["is_radiation_limited"].sum()),
        "seu_per_day": float(columns["seu_per_day"][0]) if n else 0.0,
    }
    warnings = []
    if summary["n_radiation_limited"]:
        warnings.append(
            f"{summary['n_radiation_limited']} of {n} satellites wear out by radiation before "
            f"their {scenario.platform.design_life_years:g}-year design life "
            f"({scenario.payload.chip.name}: {scenario.payload.chip.tid_krad:g} krad; shortest "
            f"{summary['radiation_life_years_min']:.1f} years)")
    n_extra = int(columns["is_dose_extrapolated"].sum())
    if n_extra:
        warnings.append(f"{n_extra} satellites lie outside the dose table's altitude or "
                        "shielding range: their dose is extrapolated (is_dose_extrapolated)")
    summary["warnings"] = warnings
    return summary


def radiation_life(scenario: Scenario, options: CapacityOptions | Mapping[str, Any] | None = None) -> CapacityResult:
    """Dose, radiation life and useful life of every satellite (no propagation needed:
    each satellite's catalogue altitude and inclination set its dose).

    Parameters
    ----------
    scenario : Scenario
    options : CapacityOptions (or a mapping of its fields), default the scenario's; ``radiation_margin``, ``seu_per_bit_day``,
        ``memory_gb_per_chip``.

    Returns
    -------
    CapacityResult with frames

    - ``satellites``: sat_id (u32), name, shell, altitude_km, inclination_deg,
      dose_rad_per_year (rad(Si)/yr), is_dose_extrapolated, radiation_life_years,
      useful_life_years (years), is_radiation_limited (bool), seu_per_day
    - ``dose_depth``: see :func:`dose_depth_frame`, at the median satellite's orbit
    """
    opts = resolve_options(CapacityOptions, options, scenario.options.capacity)
    sats = scenario.constellation.satellites.select("sat_id", "name", "shell", "altitude_km",
                                                    "inclination_deg")
    columns = radiation_columns(sats["altitude_km"].to_numpy(),
                                sats["inclination_deg"].to_numpy(), scenario, opts)
    frames = {
        "satellites": sats.with_columns(**{k: pl.Series(v) for k, v in columns.items()}),
        "dose_depth": dose_depth_frame(float(sats["altitude_km"].median()),
                                       float(sats["inclination_deg"].median()), scenario, opts),
    }
    return CapacityResult(frames=frames, summary=radiation_summary(columns, scenario),
                          title=f"Radiation: {scenario.name}")


__all__ = ["dose_table", "dose_rate_rad_per_year", "radiation_life_years", "seu_per_day",
           "radiation_life", "SEU_PER_BIT_DAY_BY_CLASS"]
