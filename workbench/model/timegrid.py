"""The shared time grid every analysis runs on.

Pure values (UTC instants, offsets in seconds); the skyfield ``Time`` of a grid and the
Julian dates SGP4 takes come from :mod:`workbench.orbits.frames`
(``skyfield_time(grid)``, ``sgp4_jd(grid)``).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cached_property

import numpy as np
import polars as pl
from pydantic import field_validator, model_validator

from .base import Model
from .constants import MAX_TIME_STEPS, n_time_steps
from .errors import FieldValueError
from .fields import quantity

MAX_STEPS = MAX_TIME_STEPS
"""The step cap, shared with :class:`~workbench.model.Scenario` (model/constants.py)."""


class TimeGrid(Model):
    """Evenly spaced UTC instants: ``start``, ``start + step_s``, … up to ``start + duration_s``.

    >>> grid = TimeGrid(start=datetime(2026, 6, 21, tzinfo=UTC), duration_s=600, step_s=60)
    >>> len(grid)
    11
    """

    start: datetime = quantity(label="Start time",
                               description="First instant (UTC)")
    duration_s: float = quantity(86400.0, unit="s", ge=0.0, le=366 * 86400.0,
                                 label="Duration",
                                 description="Span from the first to the last instant")
    step_s: float = quantity(60.0, unit="s", gt=0.0, le=86400.0, label="Time step",
                             description="Spacing")

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"start={value.isoformat()}: is outside the datetime range once "
                             "converted to UTC") from None

    @model_validator(mode="after")
    def _size(self) -> TimeGrid:
        steps = n_time_steps(self.duration_s, self.step_s)
        if steps > MAX_TIME_STEPS:
            raise FieldValueError("step_s", self.step_s, "{duration} s at this step is {steps} "
                                  "time steps, more than {limit}; use a longer step",
                                  duration=f"{self.duration_s:g}", limit=f"{MAX_TIME_STEPS:,}",
                                  steps=f"{steps:,}")
        return self

    def __len__(self) -> int:
        return n_time_steps(self.duration_s, self.step_s)

    @cached_property
    def offsets_s(self) -> np.ndarray:
        """Seconds since ``start``, shape (n_times,)."""
        return np.arange(len(self), dtype=np.float64) * self.step_s

    @cached_property
    def times_utc(self) -> pl.Series:
        """The instants as a polars ``Datetime("us", "UTC")`` series named ``time_utc``."""
        micros = np.round(self.offsets_s * 1e6).astype("int64")
        start = np.datetime64(self.start.replace(tzinfo=None), "us")
        return pl.Series("time_utc", start + micros.astype("timedelta64[us]")).dt.replace_time_zone(
            "UTC")

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=float(self.offsets_s[-1]))

    def at(self, index: int) -> datetime:
        return self.start + timedelta(seconds=float(self.offsets_s[index]))


__all__ = ["TimeGrid", "UTC"]
