"""A scenario binds constellation, hardware, ground, applications and economics in time.

Scenarios are YAML files, round-trip exact: ``load_scenario(s.to_yaml()) == s``. Reading
them (by name, path or text) and resolving catalog names (``platform: smallsat-150``)
happens one layer up, in :mod:`workbench.scenarios`; this module holds the pure model.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import yaml
from pydantic import field_validator, model_validator

from .application import Application
from .base import Model
from .constants import EPHEMERIS_END_UTC, EPHEMERIS_START_UTC, MAX_TIME_STEPS, n_time_steps
from .constellation import Constellation
from .economics import Economics
from .errors import FieldValueError
from .fields import quantity
from .ground import GroundSegment
from .hardware import ComputePayload, Platform
from .options import ScenarioOptions
from .story import Story
from .timegrid import TimeGrid

EPHEMERIS_START = datetime.fromisoformat(EPHEMERIS_START_UTC)
EPHEMERIS_END = datetime.fromisoformat(EPHEMERIS_END_UTC)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, but text holding U+0085 (NEL) goes double-quoted as ``\\N``:
    unquoted or single-quoted, the reader turns NEL into a line break."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


class Scenario(Model):
    """Everything one analysis needs, and the options of every analysis wing.

    In YAML (:func:`workbench.scenarios.load_scenario`) catalog names may stand for objects
    (``platform: smallsat-150``, ``chip: jetson-agx-orin``, ``constellation: starlink-s1``).
    """

    name: str = quantity(label="Scenario name",
                         description="Scenario name")
    description: str = quantity("", label="Description",
                                description="What the scenario explores")
    epoch_utc: datetime = quantity(label="Start time",
                                   description="Start of the analysis (UTC); Walker shells "
                                               "take their elements at this epoch")
    duration_s: float = quantity(86400.0, unit="s", gt=0.0, le=366 * 86400.0, step=3600.0,
                                 label="Duration",
                                 description="Length of the analysis")
    step_s: float = quantity(60.0, unit="s", gt=0.0, le=86400.0, step=10.0,
                             label="Time step",
                             description="Time step of the analysis grid")
    constellation: Constellation = quantity(label="Constellation",
                                            description="The satellites")
    platform: Platform = quantity(label="Platform",
                                  description="The satellite bus")
    payload: ComputePayload = quantity(label="Compute payload",
                                       description="The compute each satellite carries")
    ground: GroundSegment = quantity(GroundSegment(), label="Ground segment",
                                     description="Ground sites")
    applications: tuple[Application, ...] = quantity((), label="Applications",
                                                     description="What it is used for")
    economics: Economics = quantity(Economics(), label="Economics",
                                    description="Money in and out")
    options: ScenarioOptions = quantity(ScenarioOptions(), label="Analysis options",
                                        description="Options of the analyses (capacity, "
                                                    "network, business)")
    story: Story | None = quantity(None, label="Story",
                                   description="Steps for presenting the scenario (story "
                                               "mode)")

    @field_validator("epoch_utc")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"epoch_utc={value.isoformat()}: is outside the datetime range "
                             "once converted to UTC") from None

    @model_validator(mode="after")
    def _grid_size(self) -> Scenario:
        if self.step_s > self.duration_s:
            raise FieldValueError("step_s", self.step_s, "the step must not be longer than "
                                  "duration_s={duration} s (the grid would hold one instant)",
                                  duration=f"{self.duration_s:g}")
        steps = n_time_steps(self.duration_s, self.step_s)
        if steps > MAX_TIME_STEPS:  # the TimeGrid's own rule
            raise FieldValueError("step_s", self.step_s, "{duration} s at this step is "
                                  "{steps} time steps, more than {limit}; use a longer step",
                                  duration=f"{self.duration_s:g}", steps=f"{steps:,}",
                                  limit=f"{MAX_TIME_STEPS:,}")
        first, last = f"{EPHEMERIS_START:%Y-%m-%d}", f"{EPHEMERIS_END:%Y-%m-%d}"
        if not EPHEMERIS_START <= self.epoch_utc <= EPHEMERIS_END:
            raise FieldValueError("epoch_utc", f"{self.epoch_utc:%Y-%m-%d %H:%M}",
                                  "the analysis must lie between {first} and {last} UTC, the "
                                  "span of the JPL DE421 Sun ephemeris", first=first, last=last)
        end = self.epoch_utc + timedelta(seconds=self.duration_s)
        if end > EPHEMERIS_END:
            raise FieldValueError("epoch_utc", f"{self.epoch_utc:%Y-%m-%d %H:%M}",
                                  "the analysis ends {end}, but it must lie between {first} "
                                  "and {last} UTC, the span of the JPL DE421 Sun ephemeris",
                                  end=f"{end:%Y-%m-%d %H:%M}", first=first, last=last)
        return self

    @property
    def time_grid(self) -> TimeGrid:
        """The analysis grid: ``epoch_utc`` to ``epoch_utc + duration_s`` every ``step_s``."""
        return TimeGrid(start=self.epoch_utc, duration_s=self.duration_s, step_s=self.step_s)

    def to_yaml(self) -> str:
        """YAML text that :func:`load_scenario` turns back into an equal scenario."""
        data = self.model_dump(mode="json")
        if self.options == ScenarioOptions():
            del data["options"]  # the defaults: files stay short, and read back equal
        if self.story is None:
            del data["story"]
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)

    def _repr_html_(self) -> str:
        import html

        apps = ", ".join(html.escape(a.name) for a in self.applications) or "none"
        bus = self.platform.name if self.platform.name.lower().endswith("bus") else (
            f"{self.platform.name} bus")
        return (f"<div><b>Scenario {html.escape(self.name)}</b> — "
                f"{html.escape(self.description)}<br>"
                f"{len(self.constellation):,} satellites ({html.escape(self.constellation.name)})"
                f", {html.escape(bus)} with {self.payload.count} × "
                f"{html.escape(self.payload.chip.name)} ({self.payload.int8_tops:,.0f} INT8 TOPS)"
                f"; {len(self.ground)} ground sites; applications: {apps}<br>"
                f"from {self.epoch_utc:%Y-%m-%d %H:%M} UTC for {self.duration_s / 3600:g} h "
                f"every {self.step_s:g} s</div>")


__all__ = ["Scenario"]
