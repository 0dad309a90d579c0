"""Analyses: functions of domain objects (and a time grid) returning polars frames.

Submodules load on first use, so ``import workbench.analyses`` stays light and never pulls
in plotly or widgets. Add an entry to ``_EXPORTS`` (name → submodule) for each public name.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_EXPORTS = {
    # business model (issue 5)
    "business": "business", "BusinessResult": "business",
    "npv": "finance", "irr": "finance", "payback_period": "finance",
    "levelised_cost": "finance",
    "space_vs_ground": "spacevsground", "SpaceVsGround": "spacevsground",
    "TerrestrialDataCentre": "spacevsground", "OrbitalDataCentre": "spacevsground",
    "value_chain": "valuechain", "value_chain_shares": "valuechain",
    "tornado": "uncertainty", "monte_carlo": "uncertainty", "Distribution": "uncertainty",
    # capacity (issue 3)
    "capacity": "capacity", "CapacityResult": "capacity_result",
    "CapacityOptions": "capacity_options", "OrbitGeometry": "geometry",
    "orbit_geometry": "geometry", "power_budget": "power", "thermal_budget": "thermal",
    "compute_capacity": "compute", "data_pipeline": "datapipe",
    "radiation_life": "radiation", "eclipse_fraction": "power",
    "battery_capacity_wh": "power", "radiator_area_m2": "thermal",
    "sensor_data_rate_bps": "datapipe", "dose_rate_rad_per_year": "radiation",
    # latency, routing, placement, event to insight (issue 4)
    "latency": "latency", "LatencyResult": "latency", "UnreachableWarning": "latency",
    "placement": "placement", "PlacementResult": "placement",
    "event_to_insight": "insight", "InsightResult": "insight",
    "infer_planes": "topology", "plus_grid": "topology",
    "PlaneInferenceWarning": "topology", "shortest_paths": "routing",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


class _Package(types.ModuleType):
    """Keeps ``workbench.analyses.business`` the *function* when its same-named submodule
    loads: the import system sets the package attribute to the submodule after loading it,
    which would shadow the exported function (``from workbench.analyses import business``
    would hand back a module). Submodules stay importable by their dotted path."""

    def __setattr__(self, name: str, value: Any) -> None:
        if (isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name
                and hasattr(value, name)):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
