"""Figures and CZML from analysis frames: plotly figures per result (:func:`figures`),
CZML documents for the globe. Viz takes frames and never recomputes physics."""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"figures": "dispatch"}
_SUBMODULES = {"business", "capacity", "coverage", "czml", "globe_plotly", "latency",
               "dispatch", "sweep"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})
