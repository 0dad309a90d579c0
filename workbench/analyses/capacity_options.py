"""Options of the capacity analyses, declared once with unit, bounds and description.

The analyses take these as keyword arguments (``capacity(s, pointing="single_axis")``) and
validate them through :class:`CapacityOptions`, so a bad option raises a
:class:`~workbench.model.errors.ModelError` that names it, and forms can be derived from
the same declarations (``workbench.model.describe(CapacityOptions)``).
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..model.base import Model
from ..model.errors import ModelError, Problem
from ..model.fields import quantity

Pointing = Literal["sun_tracking", "single_axis", "zenith_fixed"]
PowerPolicy = Literal["steady", "greedy"]
Imaging = Literal["sunlit", "continuous"]


class CapacityOptions(Model):
    """How the capacity analyses model what the scenario leaves open."""

    pointing: Pointing = quantity(
        "sun_tracking",
        label="Solar array pointing",
        description="Solar array pointing: sun_tracking (two axes, cos θ = 1), single_axis "
                    "(turns about the orbit normal, cos θ = cos β) or zenith_fixed (flat on "
                    "the zenith face, cos θ = max(0, r̂·ŝ))")
    age_years: float = quantity(
        0.0, unit="years", ge=0.0, le=30.0, step=0.5,
        label="Time in orbit",
        description="Time in orbit: the array has lost (1 − d)^years of its output")
    policy: PowerPolicy = quantity(
        "steady",
        label="Power policy",
        description="steady: run compute at the duty cycle the orbit-average power budget "
                    "allows; greedy: run flat out while the battery is above its "
                    "depth-of-discharge floor")
    initial_soc_frac: float = quantity(1.0, ge=0.0, le=1.0, step=0.05,
                                       label="Initial battery charge",
                                       description="Battery state of charge at the start")
    sink_temp_k: float = quantity(
        200.0, unit="K", ge=0.0, le=400.0, step=5.0,
        label="Radiator sink temperature",
        description="Effective radiative sink of the radiator (≈ 200 K edge-on to the Sun "
                    "with part of the view on the Earth; 3 K for deep space only)")
    imaging: Imaging = quantity(
        "sunlit",
        label="Imaging mode",
        description="When the imager acquires: sunlit (optical, only in daylight) or "
                    "continuous (e.g. radar); either way the orbit average is the "
                    "application's imaging duty")
    utilisation_frac: float = quantity(
        1.0, gt=0.0, le=1.0, step=0.05,
        label="Model utilisation",
        description="Share of the effective INT8 TOPS the onboard model achieves")
    radiation_margin: float = quantity(
        2.0, unit="×", ge=1.0, le=10.0, step=0.5,
        label="Radiation margin",
        description="Radiation design margin: the part must tolerate this multiple of the "
                    "expected dose (2 is customary)")
    seu_per_bit_day: float | None = quantity(
        None, unit="1/(bit·day)", ge=0.0, le=1.0,
        label="Upset rate",
        description="Single-event upset rate of the payload memory; None takes a planning "
                    "figure by the chip's radiation class")
    memory_gb_per_chip: float = quantity(
        32.0, unit="GB", ge=0.0, le=10000.0, step=1.0,
        label="Memory per chip",
        description="Memory per chip exposed to single-event upsets")
    timeseries_sats: int = quantity(
        6, ge=0, le=10000,
        label="Satellites in the timeseries",
        description="Satellites whose every step is kept in the timeseries frame "
                    "(evenly spread over sat_id; all of them when the constellation is "
                    "smaller)")


def capacity_options(options: dict[str, Any]) -> CapacityOptions:
    """Validate keyword options; unknown names are errors that say which are allowed."""
    unknown = sorted(set(options) - set(CapacityOptions.model_fields))
    if unknown:
        raise ModelError("capacity options", [Problem(
            name, options[name], f"is not a capacity option; allowed: "
                                 f"{sorted(CapacityOptions.model_fields)}") for name in unknown])
    return CapacityOptions(**options)


def require(function: str, field: str, value: Any, *, ge: float | None = None,
            gt: float | None = None, le: float | None = None, lt: float | None = None,
            unit: str = "") -> np.ndarray:
    """``value`` as a float array, or a ModelError naming ``field`` if any element is NaN
    or outside the bounds."""
    array = np.asarray(value, dtype=np.float64)
    checks = ((ge, np.less, "≥"), (gt, np.less_equal, ">"), (le, np.greater, "≤"),
              (lt, np.greater_equal, "<"))
    bad = np.isnan(array)
    allowed = []
    for bound, fails, word in checks:
        if bound is not None:
            bad |= fails(array, bound)
            allowed.append(f"{word} {bound:g}{' ' + unit if unit else ''}")
    if np.any(bad):
        first = float(array[bad].flat[0]) if array.ndim else float(array)
        raise ModelError(function, [Problem(field, first, "must be " + " and ".join(allowed)
                                            if allowed else "must be a number")])
    return array


__all__ = ["CapacityOptions", "capacity_options", "Pointing", "PowerPolicy", "Imaging"]
