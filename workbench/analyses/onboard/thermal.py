"""Thermal: how much compute heat the radiator can reject, and what that allows.

Compute power is heat. A radiator of area A and emittance ε at temperature T facing an
effective sink at T_sink rejects Q = ε σ A (T⁴ − T_sink⁴); the payload's power may not
exceed what the radiator rejects at the highest temperature the platform allows.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ...model.constants import STEFAN_BOLTZMANN_W_PER_M2_K4 as SIGMA
from ...model.errors import ModelError, Problem
from ...model.hardware import ComputePayload, Platform
from ...model.options import CapacityOptions, require, resolve_options
from ...model.scenario import Scenario
from .result import CapacityResult


def radiator_capacity_w(area_m2: float | np.ndarray, *, temp_k: float | np.ndarray,
                        emissivity_frac: float, sink_temp_k: float = 200.0) -> np.ndarray:
    """Heat a radiator rejects: Q = ε σ A (T⁴ − T_sink⁴), W (0 when T ≤ T_sink).

    Parameters
    ----------
    area_m2 : radiating area, m² (both faces if both radiate)
    temp_k : radiator temperature, K
    emissivity_frac : infrared emittance ε
    sink_temp_k : effective radiative sink temperature, K

    Notes
    -----
    Stefan–Boltzmann radiation to an effective sink (Gilmore, *Spacecraft Thermal Control
    Handbook* vol. 1, 2nd ed. 2002; Wertz & Larson, SMAD 3rd ed. §11.5). Absorbed sunlight
    is ignored: radiators are mounted edge-on to the Sun.

    >>> round(float(radiator_capacity_w(1.0, temp_k=318.0, emissivity_frac=0.85,
    ...                                 sink_temp_k=0.0)), 1)
    492.9
    """
    area = require("radiator_capacity_w", "area_m2", area_m2, ge=0.0, unit="m2")
    temp = require("radiator_capacity_w", "temp_k", temp_k, ge=0.0, unit="K")
    eps = require("radiator_capacity_w", "emissivity_frac", emissivity_frac, gt=0.0, le=1.0)
    sink = require("radiator_capacity_w", "sink_temp_k", sink_temp_k, ge=0.0, unit="K")
    return eps * SIGMA * area * np.maximum(temp**4 - sink**4, 0.0)


def radiator_area_m2(heat_w: float | np.ndarray, *, temp_k: float | np.ndarray,
                     emissivity_frac: float, sink_temp_k: float = 200.0) -> np.ndarray:
    """Radiator area that rejects ``heat_w`` at ``temp_k``: A = P / (ε σ (T⁴ − T_sink⁴)), m².

    Raises a ModelError naming ``temp_k`` when the radiator is not warmer than its sink
    (no area rejects heat then).

    >>> round(float(radiator_area_m2(1000.0, temp_k=318.0, emissivity_frac=0.85,
    ...                              sink_temp_k=250.0)), 3)
    3.283
    """
    heat = require("radiator_area_m2", "heat_w", heat_w, ge=0.0, unit="W")
    temp = require("radiator_area_m2", "temp_k", temp_k, ge=0.0, unit="K")
    eps = require("radiator_area_m2", "emissivity_frac", emissivity_frac, gt=0.0, le=1.0)
    sink = require("radiator_area_m2", "sink_temp_k", sink_temp_k, ge=0.0, unit="K")
    if np.any(temp <= sink):
        raise ModelError("radiator_area_m2", [Problem(
            "temp_k", float(np.min(temp)), f"must be above the sink temperature "
                                          f"sink_temp_k={float(np.max(sink)):g} K: a "
                                          "radiator no warmer than its sink rejects no heat")])
    return heat / (eps * SIGMA * (temp**4 - sink**4))


def radiator_temp_k(heat_w: float | np.ndarray, area_m2: float | np.ndarray, *,
                    emissivity_frac: float, sink_temp_k: float = 200.0) -> np.ndarray:
    """Steady radiator temperature rejecting ``heat_w``: (T_sink⁴ + Q/(ε σ A))^¼, K.

    A radiator of zero area stays at the sink temperature with no heat and is infinitely
    hot with any.
    """
    heat = require("radiator_temp_k", "heat_w", heat_w, ge=0.0, unit="W")
    area = require("radiator_temp_k", "area_m2", area_m2, ge=0.0, unit="m2")
    eps = require("radiator_temp_k", "emissivity_frac", emissivity_frac, gt=0.0, le=1.0)
    sink = require("radiator_temp_k", "sink_temp_k", sink_temp_k, ge=0.0, unit="K")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        extra = np.where(heat > 0.0, heat / (eps * SIGMA * area), 0.0)
    return (sink**4 + extra) ** 0.25


@dataclass(frozen=True)
class ThermalLimits:
    """What the radiator allows the payload (all powers in W, areas in m², temperatures K).

    ``duty_frac`` is the largest duty cycle of the payload the radiator sustains
    (``max_compute_power_w / payload_power_w``, at most 1).
    """

    payload_power_w: float
    radiator_area_m2: float
    emissivity_frac: float
    max_radiator_temp_k: float
    sink_temp_k: float
    capacity_w: float
    area_needed_m2: float
    max_compute_power_w: float
    duty_frac: float
    radiator_temp_full_load_k: float

    @property
    def is_thermal_limited(self) -> bool:
        return self.duty_frac < 1.0 - 1e-12


def thermal_limits(platform: Platform, payload: ComputePayload, *,
                   sink_temp_k: float = 200.0) -> ThermalLimits:
    """The radiator's limits on the payload: capacity, area needed, sustainable power.

    Notes
    -----
    capacity Q = ε σ A (T_max⁴ − T_sink⁴); area needed for the full payload power P:
    P / (ε σ (T_max⁴ − T_sink⁴)); maximum sustainable compute power min(P, Q); radiator
    temperature at full load (T_sink⁴ + P/(ε σ A))^¼ (steady state: the thermal mass
    only smooths the orbit, it does not raise the average).
    """
    sink = float(require("thermal_limits", "sink_temp_k", sink_temp_k, ge=0.0, unit="K"))
    if sink >= platform.max_radiator_temp_k:
        raise ModelError("thermal_limits", [Problem(
            "sink_temp_k", sink, f"must be below the platform's max_radiator_temp_k="
                                 f"{platform.max_radiator_temp_k:g} K, or the radiator "
                                 "rejects no heat")])
    p = payload.power_w
    eps, t_max, area = (platform.emissivity_frac, platform.max_radiator_temp_k,
                        platform.radiator_area_m2)
    capacity = float(radiator_capacity_w(area, temp_k=t_max, emissivity_frac=eps,
                                         sink_temp_k=sink))
    needed = float(radiator_area_m2(p, temp_k=t_max, emissivity_frac=eps, sink_temp_k=sink))
    max_power = min(p, capacity)
    temp_full = float(radiator_temp_k(p, area, emissivity_frac=eps, sink_temp_k=sink)) \
        if area > 0.0 else float("inf")
    return ThermalLimits(payload_power_w=p, radiator_area_m2=area, emissivity_frac=eps,
                         max_radiator_temp_k=t_max, sink_temp_k=sink, capacity_w=capacity,
                         area_needed_m2=needed, max_compute_power_w=max_power,
                         duty_frac=max_power / p,
                         radiator_temp_full_load_k=min(temp_full, 1e4))


def thermal_frames(limits: ThermalLimits) -> dict[str, pl.DataFrame]:
    """``thermal`` (one row, the fields of :class:`ThermalLimits` + is_thermal_limited) and
    ``radiator_curve`` (radiator_temp_k; capacity_w of the platform's radiator,
    area_needed_m2 for the full payload, payload_power_w) from sink + 5 K to 400 K."""
    row = {k: [v] for k, v in limits.__dict__.items()}
    row["is_thermal_limited"] = [limits.is_thermal_limited]
    temps = np.arange(max(limits.sink_temp_k + 5.0, 200.0), 401.0, 2.0)
    curve = pl.DataFrame({
        "radiator_temp_k": temps,
        "capacity_w": radiator_capacity_w(limits.radiator_area_m2, temp_k=temps,
                                          emissivity_frac=limits.emissivity_frac,
                                          sink_temp_k=limits.sink_temp_k),
        "area_needed_m2": radiator_area_m2(limits.payload_power_w, temp_k=temps,
                                           emissivity_frac=limits.emissivity_frac,
                                           sink_temp_k=limits.sink_temp_k),
        "payload_power_w": np.full(temps.size, limits.payload_power_w),
    })
    return {"thermal": pl.DataFrame(row), "radiator_curve": curve}


def thermal_summary(limits: ThermalLimits) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "radiator_capacity_w": limits.capacity_w,
        "radiator_area_needed_m2": limits.area_needed_m2,
        "thermal_duty_frac": limits.duty_frac,
        "max_compute_power_w": limits.max_compute_power_w,
    }
    warnings = []
    if limits.is_thermal_limited:
        warnings.append(
            f"thermal-limited: the {limits.radiator_area_m2:g} m² radiator rejects "
            f"{limits.capacity_w:,.0f} W at {limits.max_radiator_temp_k:g} K, the payload "
            f"dissipates {limits.payload_power_w:,.0f} W (needs {limits.area_needed_m2:.2f} m²)"
            f"; compute runs at most {limits.duty_frac:.0%}")
    summary["warnings"] = warnings
    return summary


def thermal_budget(scenario: Scenario, options: CapacityOptions | Mapping[str, Any] | None = None) -> CapacityResult:
    """The radiator against the payload's heat (no propagation needed).

    Parameters
    ----------
    scenario : Scenario
    options : CapacityOptions (or a mapping of its fields), default the scenario's;; ``sink_temp_k`` is the one used here.

    Returns
    -------
    CapacityResult with frames ``thermal`` and ``radiator_curve`` (see
    :func:`thermal_frames`) and the summary keys radiator_capacity_w,
    radiator_area_needed_m2, thermal_duty_frac, max_compute_power_w.
    """
    opts = resolve_options(CapacityOptions, options, scenario.options.capacity)
    limits = thermal_limits(scenario.platform, scenario.payload, sink_temp_k=opts.sink_temp_k)
    return CapacityResult(frames=thermal_frames(limits), summary=thermal_summary(limits),
                          title=f"Thermal: {scenario.name}")


__all__ = ["radiator_capacity_w", "radiator_area_m2", "radiator_temp_k", "ThermalLimits",
           "thermal_limits", "thermal_budget"]
