"""The shared time grid every analysis runs on.

Pure values (UTC instants, offsets in seconds); the skyfield ``Time`` of a grid and the
Julian dates SGP4 takes come from :mod:`workbench.orbits.frames`
(``skyfield_time(grid)``, ``sgp4_jd(grid)``).

Leap seconds
------------
A grid's steps are elapsed (SI) seconds, as every integral over time (energy, data
volume, queueing) needs: the instant ``k`` is ``step_s × k`` seconds of TAI after
``start``, which is also how skyfield counts (``ts.utc(…, second=60 + s)`` runs through a
leap second). Its UTC labels (:attr:`TimeGrid.times_utc`, :meth:`TimeGrid.utc_at`) are
converted with skyfield's leap-second table, so across 2016-12-31 23:59:60 a 10 s grid
from 23:59:00 reads …, 23:59:50, 23:59:60, 00:00:09, 00:00:19, … Python and polars
datetimes cannot name second 60: an instant inside a leap second is labelled
23:59:59.999999 (the last microsecond before midnight) and flagged in
:attr:`TimeGrid.is_leap_second`; its exact instant stays in :attr:`TimeGrid.offsets_s`.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, cached_property

import numpy as np
import polars as pl
from pydantic import field_validator, model_validator

from .base import Model
from .constants import MAX_TIME_STEPS, n_time_steps
from .errors import FieldValueError
from .fields import quantity

MAX_STEPS = MAX_TIME_STEPS
"""The step cap, shared with :class:`~workbench.model.Scenario` (model/constants.py)."""

_UNIX_EPOCH_JD = 2440587.5
_US_PER_DAY = 86_400_000_000


@cache
def timescale():
    """A skyfield timescale from skyfield's builtin tables (UT1, leap seconds; no download).

    One per process; :mod:`workbench.orbits.frames` hands out the same object.
    """
    from skyfield.api import load

    return load.timescale(builtin=True)


@cache
def _leap_table_us() -> tuple[np.ndarray, np.ndarray]:
    """UTC midnights (µs since 1970-01-01, leap seconds not counted) at which TAI − UTC
    changes, and the change in µs, from skyfield's table (its first step, 1972-07-01,
    counts from TAI − UTC = 10 s, as skyfield's own conversions do)."""
    ts = timescale()
    midnight_us = np.round((np.asarray(ts.leap_dates, dtype=np.float64) - _UNIX_EPOCH_JD)
                           * _US_PER_DAY).astype(np.int64)
    offsets = np.asarray(ts.leap_offsets, dtype=np.float64)
    step_us = np.round(np.diff(offsets, prepend=offsets[0] - 1.0) * 1e6).astype(np.int64)
    return midnight_us, step_us


def _start_us(start: datetime) -> int:
    return int(np.datetime64(start.replace(tzinfo=None), "us").astype(np.int64))


def _leaps_after(start_us: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The leap seconds after ``start_us``: their midnights (µs, UTC labels), their lengths
    (µs) and the elapsed µs from the start to each leap second's first instant."""
    midnight_us, step_us = _leap_table_us()
    later = midnight_us > start_us
    midnight_us, step_us = midnight_us[later], step_us[later]
    before_us = np.concatenate([[0], np.cumsum(step_us)[:-1]]).astype(np.int64)
    return midnight_us, step_us, midnight_us - start_us + before_us


def _labels_us(start_us: int, elapsed_us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTC labels (µs since 1970, no leap seconds) of instants ``elapsed_us`` after the
    start, and whether each falls inside a leap second (labelled 23:59:59.999999)."""
    midnight_us, step_us, begins_us = _leaps_after(start_us)
    if midnight_us.size == 0:
        return start_us + elapsed_us, np.zeros(elapsed_us.shape, dtype=bool)
    passed = np.searchsorted(begins_us + step_us, elapsed_us, side="right")
    inserted_us = np.concatenate([[0], np.cumsum(step_us)]).astype(np.int64)
    labels = start_us + elapsed_us - inserted_us[passed]
    nxt = np.minimum(passed, midnight_us.size - 1)
    inside = (passed < midnight_us.size) & (elapsed_us >= begins_us[nxt])
    return np.where(inside, midnight_us[nxt] - 1, labels), inside


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
        """The instants as a polars ``Datetime("us", "UTC")`` series named ``time_utc``,
        leap seconds counted (see the module notes).

        >>> grid = TimeGrid(start=datetime(2016, 12, 31, 23, 59, 50, tzinfo=UTC),
        ...                 duration_s=20, step_s=10)
        >>> [f"{t:%H:%M:%S.%f}" for t in grid.times_utc]
        ['23:59:50.000000', '23:59:59.999999', '00:00:09.000000']
        >>> grid.is_leap_second.tolist()
        [False, True, False]
        """
        return self.utc_at(self.offsets_s).alias("time_utc")

    @cached_property
    def is_leap_second(self) -> np.ndarray:
        """Whether each instant falls inside a leap second (its label then reads
        23:59:59.999999), shape (n_times,)."""
        elapsed = np.round(self.offsets_s * 1e6).astype(np.int64)
        return _labels_us(_start_us(self.start), elapsed)[1]

    def utc_at(self, offsets_s) -> pl.Series:
        """UTC labels of instants ``offsets_s`` elapsed seconds after ``start`` (any shape,
        flattened; NaN gives null), leap seconds counted.

        Returns
        -------
        polars.Series of ``Datetime("us", "UTC")``
        """
        seconds = np.ravel(np.asarray(offsets_s, dtype=np.float64))
        finite = np.isfinite(seconds)
        elapsed = np.round(np.where(finite, seconds, 0.0) * 1e6).astype(np.int64)
        labels, _ = _labels_us(_start_us(self.start), elapsed)
        series = pl.Series(labels.astype("datetime64[us]")).dt.replace_time_zone("UTC")
        if finite.all():
            return series
        return pl.select(pl.when(pl.Series(finite)).then(series)).to_series()

    def offsets_at(self, times_utc: pl.Series) -> np.ndarray:
        """Elapsed seconds from ``start`` of UTC labels (the inverse of :meth:`utc_at`;
        null gives NaN). A label cannot name a leap second, so 23:59:59.999999 maps to
        that microsecond, a second before the leap second's end."""
        labels = times_utc.dt.convert_time_zone("UTC").dt.epoch("us")
        missing = labels.is_null().to_numpy()
        label_us = labels.fill_null(0).to_numpy().astype(np.int64)
        start_us = _start_us(self.start)
        midnight_us, step_us, _ = _leaps_after(start_us)
        inserted_us = np.concatenate([[0], np.cumsum(step_us)]).astype(np.int64)
        passed = np.searchsorted(midnight_us, label_us, side="right")
        seconds = (label_us - start_us + inserted_us[passed]) / 1e6
        return np.where(missing, np.nan, seconds)

    @property
    def end(self) -> datetime:
        """UTC label of the last instant."""
        return self.at(-1)

    def at(self, index: int) -> datetime:
        """UTC label of instant ``index`` (leap seconds counted)."""
        return self.times_utc[index].astimezone(UTC)


__all__ = ["TimeGrid", "UTC"]
