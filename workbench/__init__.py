"""Space Computing Workbench: plan computing in space, interactively.

>>> import workbench as wb
>>> scenario = wb.load_scenario("beijing-etown-demo")  # doctest: +SKIP
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_scenario": "workbench.scenarios", "Scenario": "workbench.model",
    "Constellation": "workbench.model", "WalkerShell": "workbench.model",
    "TLESet": "workbench.model", "GroundSite": "workbench.model",
    "GroundSegment": "workbench.model", "ComputeChip": "workbench.model",
    "ComputePayload": "workbench.model", "Platform": "workbench.model",
    "Economics": "workbench.model", "LaunchVehicle": "workbench.model",
    "RemoteSensingInference": "workbench.model", "ComputeService": "workbench.model",
    "EventResponse": "workbench.model", "CollaborativeComputing": "workbench.model",
    "ModelError": "workbench.model", "TLEError": "workbench.model",
    "DatasetError": "workbench.model", "describe": "workbench.model",
    "TimeGrid": "workbench.model.timegrid",
    "load_hypatia": "workbench.io.hypatia", "write_hypatia": "workbench.io.hypatia",
    "Workbench": "workbench.widgets.workbench",
    "sweep": "workbench.designspace", "pareto_front": "workbench.designspace",
    "Grid": "workbench.designspace", "LatinHypercube": "workbench.designspace",
}
_SUBMODULES = {"model", "orbits", "analyses", "viz", "widgets", "datasets", "scenarios",
               "extensions", "designspace"}

__all__ = sorted([*_EXPORTS, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"workbench.{name}")
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
