"""A scenario binds constellation, hardware, ground, applications and economics in time.

Scenarios are YAML files, loaded safely and round-trip exact:
``load_scenario(s.to_yaml()) == s``.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import field_validator, model_validator

from .application import Application
from .base import Model
from .constants import EPHEMERIS_END_UTC, EPHEMERIS_START_UTC, MAX_TIME_STEPS, n_time_steps
from .constellation import Constellation
from .economics import Economics
from .errors import ModelError, Problem
from .fields import quantity
from .ground import GroundSegment
from .hardware import ComputePayload, Platform
from .yaml_io import load_yaml, read_text

EPHEMERIS_START = datetime.fromisoformat(EPHEMERIS_START_UTC)
EPHEMERIS_END = datetime.fromisoformat(EPHEMERIS_END_UTC)


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, but text holding U+0085 (NEL) goes double-quoted as ``\\N``:
    unquoted or single-quoted, the reader turns NEL into a line break."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _catalog(kind: str, name: str) -> Any:
    from .. import datasets  # lazy: datasets builds model objects from the catalogs

    return getattr(datasets, kind)(name)


class Scenario(Model):
    """Everything one analysis needs. Catalog names may stand for objects in YAML
    (``platform: smallsat-150``, ``chip: jetson-agx-orin``, ``constellation: starlink-s1``)."""

    name: str = quantity(description="Scenario name")
    description: str = quantity("", description="What the scenario explores")
    epoch_utc: datetime = quantity(description="Start of the analysis (UTC); Walker shells "
                                               "take their elements at this epoch")
    duration_s: float = quantity(86400.0, unit="s", gt=0.0, le=366 * 86400.0, step=3600.0,
                                 description="Length of the analysis")
    step_s: float = quantity(60.0, unit="s", gt=0.0, le=86400.0, step=10.0,
                             description="Time step of the analysis grid")
    constellation: Constellation = quantity(description="The satellites")
    platform: Platform = quantity(description="The satellite bus")
    payload: ComputePayload = quantity(description="The compute each satellite carries")
    ground: GroundSegment = quantity(GroundSegment(), description="Ground sites")
    applications: tuple[Application, ...] = quantity((), description="What it is used for")
    economics: Economics = quantity(Economics(), description="Money in and out")

    @field_validator("epoch_utc")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"epoch_utc={value.isoformat()}: is outside the datetime range "
                             "once converted to UTC") from None

    @field_validator("constellation", mode="before")
    @classmethod
    def _constellation_by_name(cls, value: Any) -> Any:
        return _catalog("constellation", value) if isinstance(value, str) else value

    @field_validator("platform", mode="before")
    @classmethod
    def _platform_by_name(cls, value: Any) -> Any:
        return _catalog("platform", value) if isinstance(value, str) else value

    @field_validator("payload", mode="before")
    @classmethod
    def _chip_by_name(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("chip"), str):
            return {**value, "chip": _catalog("chip", value["chip"])}
        return value

    @model_validator(mode="after")
    def _grid_size(self) -> Scenario:
        if self.step_s > self.duration_s:
            raise ValueError(f"step_s={self.step_s:g}: the step must not be longer than "
                             f"duration_s={self.duration_s:g} s (the grid would hold one "
                             "instant)")
        if n_time_steps(self.duration_s, self.step_s) > MAX_TIME_STEPS:
            raise ValueError(f"step_s={self.step_s:g}: {self.duration_s:g} s at this step is "
                             f"more than {MAX_TIME_STEPS:,} time steps; use a longer step")
        span = (f"must lie between {EPHEMERIS_START:%Y-%m-%d} and {EPHEMERIS_END:%Y-%m-%d} "
                "UTC, the span of the JPL DE421 Sun ephemeris")
        if not EPHEMERIS_START <= self.epoch_utc <= EPHEMERIS_END:
            raise ValueError(f"epoch_utc={self.epoch_utc:%Y-%m-%d %H:%M}: the analysis {span}")
        end = self.epoch_utc + timedelta(seconds=self.duration_s)
        if end > EPHEMERIS_END:
            raise ValueError(f"epoch_utc={self.epoch_utc:%Y-%m-%d %H:%M}: the analysis ends "
                             f"{end:%Y-%m-%d %H:%M}, but it {span}")
        return self

    @property
    def time_grid(self):  # -> workbench.orbits.TimeGrid (orbits sits above model)
        from ..orbits.timegrid import TimeGrid

        return TimeGrid(start=self.epoch_utc, duration_s=self.duration_s, step_s=self.step_s)

    def to_yaml(self) -> str:
        """YAML text that :func:`load_scenario` turns back into an equal scenario."""
        return yaml.dump(self.model_dump(mode="json"), Dumper=_Dumper, sort_keys=False,
                         allow_unicode=True, width=100)

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "YAML") -> Scenario:
        data = load_yaml(text, source=source)
        if not isinstance(data, dict):
            raise ModelError(f"scenario YAML ({source})", [Problem(
                "document", data, "must be a mapping of scenario fields")])
        return cls.model_validate(data)

    def _repr_html_(self) -> str:
        import html

        apps = ", ".join(html.escape(a.name) for a in self.applications) or "none"
        return (f"<div><b>Scenario {html.escape(self.name)}</b> — "
                f"{html.escape(self.description)}<br>"
                f"{len(self.constellation):,} satellites ({html.escape(self.constellation.name)})"
                f", {html.escape(self.platform.name)} bus with {self.payload.count} × "
                f"{html.escape(self.payload.chip.name)} ({self.payload.int8_tops:,.0f} INT8 TOPS)"
                f"; {len(self.ground)} ground sites; applications: {apps}<br>"
                f"from {self.epoch_utc:%Y-%m-%d %H:%M} UTC for {self.duration_s / 3600:g} h "
                f"every {self.step_s:g} s</div>")


def _is_path(text: str) -> bool:
    """Whether ``text`` names an existing file (False for text no path can be)."""
    try:
        return Path(text).exists()
    except (OSError, ValueError):
        return False


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario from a built-in name (``beijing-etown-demo``), a YAML file, or YAML text."""
    if isinstance(name_or_path, Path):
        return Scenario.from_yaml(read_text(name_or_path, what="scenario file"),
                                  source=str(name_or_path))
    text = str(name_or_path)
    if "\n" in text or ":" in text and not _is_path(text):
        return Scenario.from_yaml(text)
    path = Path(text)
    if _is_path(text):
        return Scenario.from_yaml(read_text(path, what="scenario file"), source=str(path))
    from .. import datasets

    path = datasets.scenario_path(text)
    return Scenario.from_yaml(read_text(path, what="scenario file"), source=text)


__all__ = ["Scenario", "load_scenario"]
