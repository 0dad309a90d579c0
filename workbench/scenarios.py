"""Load a scenario by built-in name, YAML file, YAML text or mapping, resolving catalog names.

The one way in for scenarios: the Python API (``wb.load_scenario``), the CLI, the widgets
and the dashboard all read scenarios here. Catalog names stand for objects, so a scenario
file stays short:

.. code-block:: yaml

    constellation: starlink-s1        # a preset of datasets/constellations.yaml
    platform: smallsat-150            # a bus of datasets/platforms.csv
    payload: {chip: jetson-agx-orin, count: 2}

This module sits just above :mod:`workbench.model` (with :mod:`workbench.datasets`): the
model stays pure, and names resolve against the catalogs (plugins' included) here.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from . import datasets
from .model.errors import ModelError, Problem
from .model.scenario import Scenario

_BY_NAME = {"constellation": datasets.constellation, "platform": datasets.platform}


def resolve_names(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of raw scenario fields with catalog names replaced by catalog objects:
    ``constellation``, ``platform`` and ``payload.chip`` may be names. Unknown names raise
    a :class:`~workbench.model.errors.DatasetError` that suggests the closest ones."""
    out = dict(data)
    for key, lookup in _BY_NAME.items():
        if isinstance(out.get(key), str):
            out[key] = lookup(out[key])
    payload = out.get("payload")
    if isinstance(payload, Mapping) and isinstance(payload.get("chip"), str):
        out["payload"] = {**payload, "chip": datasets.chip(payload["chip"])}
    return out


def from_mapping(data: Mapping[str, Any]) -> Scenario:
    """A validated scenario from raw fields (as read from YAML), catalog names resolved."""
    return Scenario.model_validate(resolve_names(data))


def from_yaml(text: str, *, source: str = "YAML") -> Scenario:
    """A scenario from YAML text (safe loading); ``source`` names it in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        raise ModelError(f"scenario YAML ({source})", [Problem(
            where, _first_line(text, mark), f"is not valid YAML: "
            f"{getattr(exc, 'problem', None) or exc}")]) from None
    if not isinstance(data, dict):
        raise ModelError(f"scenario YAML ({source})", [Problem(
            "document", data, "must be a mapping of scenario fields")])
    return from_mapping(data)


def _first_line(text: str, mark: Any) -> str:
    lines = text.splitlines()
    if mark is not None and 0 <= mark.line < len(lines):
        return lines[mark.line].strip()
    return text[:40]


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """A scenario from a built-in name (``"beijing-etown-demo"``), a YAML file, YAML text or
    a mapping of fields (catalog names resolved); a :class:`Scenario` is returned as is.

    >>> load_scenario("beijing-etown-demo").name
    'beijing-etown-demo'
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        return from_mapping(source)
    if isinstance(source, Path):
        return from_yaml(source.read_text(encoding="utf-8"), source=str(source))
    text = str(source)
    if "\n" in text or ":" in text and not Path(text).exists():
        return from_yaml(text)
    path = Path(text)
    if path.exists():
        return from_yaml(path.read_text(encoding="utf-8"), source=str(path))
    return from_yaml(datasets.scenario_path(text).read_text(encoding="utf-8"), source=text)


__all__ = ["from_mapping", "from_yaml", "load_scenario", "resolve_names"]
