"""Orbit engine: SGP4 propagation, frames, Sun and eclipse, access windows, TLEs, and the
orbit geometry every analysis shares (one propagation per recompute).

Submodules load on first use, so ``import workbench.orbits`` stays light.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "OrbitGeometry": "geometry", "orbit_geometry": "geometry",
    "propagate": "propagation", "propagate_state": "propagation", "satrecs": "propagation",
    "ephemeris": "propagation", "propagation_errors": "propagation",
    "sunlit": "sun", "eclipse_intervals": "sun", "sun_position_km": "sun",
    "sunlit_from_positions": "sun", "beta_angle_deg": "sun",
    "look_angles": "access", "access_windows": "access", "visible": "access",
    "fetch_celestrak": "tle",
}

_SUBMODULES = {"frames", "propagation", "sun", "access", "hermite", "tle", "geometry"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
