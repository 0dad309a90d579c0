"""widgets layer: ipywidgets forms generated from the model and the CesiumJS globe.

Everything is imported lazily so ``import workbench.widgets`` stays light.

>>> import workbench as wb
>>> app = wb.Workbench()            # doctest: +SKIP
>>> globe = wb.widgets.Globe(wb.Constellation.walker(550, 53, 6, 4))  # doctest: +SKIP
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Globe": "workbench.widgets.globe", "GLOBE_STATE": "workbench.widgets.globe",
    "ModelForm": "workbench.widgets.forms", "WIDGET_MAPPING": "workbench.widgets.forms",
    "ConstellationBuilder": "workbench.widgets.constellation_builder",
    "HardwareDesigner": "workbench.widgets.hardware_designer",
    "ScenarioEditor": "workbench.widgets.scenario_editor",
    "RoutePicker": "workbench.widgets.route_picker",
    "Workbench": "workbench.widgets.workbench",
    "SweepView": "workbench.widgets.sweep_view",
    "install_cesium": "workbench.widgets.cesium", "serve_cesium": "workbench.widgets.cesium",
    "set_cesium_url": "workbench.widgets.cesium", "set_ion_token": "workbench.widgets.cesium",
    "write_globe_page": "workbench.widgets.globe_page",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'workbench.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
