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

from . import datasets
from .model.errors import ModelError, Problem
from .model.scenario import Scenario
from .model.yaml_io import load_yaml, read_text

_BY_NAME = {"constellation": datasets.constellation, "platform": datasets.platform}


def resolve_names(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of raw scenario fields with catalog names replaced by catalog objects:
    ``constellation``, ``platform``, ``payload.chip`` and an application's
    ``inference.chip`` may be names. Unknown names raise
    a :class:`~workbench.model.errors.DatasetError` that suggests the closest ones."""
    out = dict(data)
    for key, lookup in _BY_NAME.items():
        if isinstance(out.get(key), str):
            out[key] = lookup(out[key])
    payload = out.get("payload")
    if isinstance(payload, Mapping) and isinstance(payload.get("chip"), str):
        out["payload"] = {**payload, "chip": datasets.chip(payload["chip"])}
    apps = out.get("applications")
    if isinstance(apps, list | tuple):
        out["applications"] = [_resolve_inference_chip(a) for a in apps]
    return out


def _resolve_inference_chip(app: Any) -> Any:
    """An application mapping whose ``inference.chip`` catalog name is replaced by the chip."""
    if not isinstance(app, Mapping):
        return app
    inference = app.get("inference")
    if isinstance(inference, Mapping) and isinstance(inference.get("chip"), str):
        return {**app, "inference": {**inference, "chip": datasets.chip(inference["chip"])}}
    return app


def from_mapping(data: Mapping[str, Any]) -> Scenario:
    """A validated scenario from raw fields (as read from YAML), catalog names resolved."""
    return Scenario.model_validate(resolve_names(data))


def from_yaml(text: str, *, source: str = "YAML") -> Scenario:
    """A scenario from YAML text, read safely and within bounds
    (:func:`workbench.model.yaml_io.load_yaml`: no tags, bounded aliases, nesting and size,
    no duplicate keys); ``source`` names it in errors."""
    data = load_yaml(text, source=source)
    if not isinstance(data, dict):
        raise ModelError(f"scenario YAML ({source})", [Problem(
            "document", data, "must be a mapping of scenario fields")])
    return from_mapping(data)


def _is_path(text: str) -> bool:
    """Whether ``text`` names an existing file (False for text no path can be)."""
    try:
        return Path(text).exists()
    except (OSError, ValueError):
        return False


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
        return from_yaml(read_text(source, what="scenario file"), source=str(source))
    text = str(source)
    if "\n" in text or ":" in text and not _is_path(text):
        return from_yaml(text)
    if _is_path(text):
        return from_yaml(read_text(text, what="scenario file"), source=text)
    return from_yaml(read_text(datasets.scenario_path(text), what="scenario file"),
                     source=text)


__all__ = ["from_mapping", "from_yaml", "load_scenario", "resolve_names"]
