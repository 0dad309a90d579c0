"""Typed hand-offs between analysis wings, and the protocol every result follows.

The wings import nothing from one another; what one passes to another is declared here,
below both. The onboard wing's :class:`~workbench.analyses.CapacityResult` offers its
:class:`CapacityYield` (``result.yields``); the economics wing's business case reads those
declared fields, never guessed attribute names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import polars as pl


@runtime_checkable
class Result(Protocol):
    """What every analysis returns: named frames, a flat summary and a notebook view."""

    @property
    def frames(self) -> dict[str, pl.DataFrame]: ...

    @property
    def summary(self) -> dict[str, Any]: ...

    def _repr_html_(self) -> str: ...


@dataclass(frozen=True)
class CapacityYield:
    """What a capacity analysis yields for the business case, per satellite and year.

    Attributes
    ----------
    n_sats : int
    useful_life_years : float or None
        min(design life, radiation life), median over the fleet, years.
    radiation_life_years : float or None
        The shortest radiation life in the fleet, years.
    tops_hours_per_sat_year : float or None
        Effective TOPS-hours delivered after power and thermal limits, per satellite-year.
    duty_frac : float or None
        Mean compute duty cycle, 0…1.
    data_gb_per_sat_year : float or None
        Data products downlinked in orbit-processing mode, GB per satellite-year.
    """

    n_sats: int
    useful_life_years: float | None = None
    radiation_life_years: float | None = None
    tops_hours_per_sat_year: float | None = None
    duty_frac: float | None = None
    data_gb_per_sat_year: float | None = None

    def as_dict(self) -> dict[str, float]:
        """The fields that are known, as floats (``n_sats`` left out)."""
        return {k: float(v) for k, v in self.__dict__.items()
                if k != "n_sats" and v is not None}


__all__ = ["CapacityYield", "Result"]
