"""Analyses: functions of a scenario that return results of polars frames.

Four wings, named for their subject; the first three import nothing from one another:

- :mod:`~workbench.analyses.onboard` — what one satellite can do: power and eclipse,
  thermal, compute, the data pipeline, radiation life (``capacity``);
- :mod:`~workbench.analyses.network` — links, ISL topology, the routing graph and its
  parallel runner: round trips (``latency``), compute ``placement``, ``event_to_insight``,
  ground ``coverage``;
- :mod:`~workbench.analyses.economics` — finance, the programme's cash flows, space vs
  ground, the value chain, uncertainty (``business``);
- :mod:`~workbench.analyses.scheduling` — jobs placed on satellites, moved over ISLs,
  queued and run within power and heat (``schedule``); the one wing that uses the onboard
  and network wings, through their public functions.

:mod:`~workbench.analyses.registry` lists the analyses the Workbench, the dashboard and the
CLI run. Every analysis is ``f(scenario, [data,] *, options=None, geometry=None,
progress=None) -> result``; drawing is :func:`workbench.viz.figures`. Names load on first
use, so ``import workbench.analyses`` stays light and never pulls in plotly or widgets.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    # onboard: what one satellite can do
    "capacity": "onboard.assessment", "CapacityResult": "onboard.result",
    "power_budget": "onboard.power", "eclipse_fraction": "onboard.power",
    "battery_capacity_wh": "onboard.power", "thermal_budget": "onboard.thermal",
    "radiator_area_m2": "onboard.thermal", "compute_capacity": "onboard.compute",
    "data_pipeline": "onboard.datapipe", "sensor_data_rate_bps": "onboard.datapipe",
    "oec_pipeline": "onboard.oec", "compute_basis": "onboard.compute",
    "radiation_life": "onboard.radiation", "dose_rate_rad_per_year": "onboard.radiation",
    "eclipse_seasons": "onboard.seasons", "eclipse_season_spans": "onboard.seasons",
    # network: links, routing, placement, event to insight
    "latency": "network.roundtrip", "LatencyResult": "network.roundtrip",
    "UnreachableWarning": "network.roundtrip",
    "placement": "network.offload", "PlacementResult": "network.offload",
    "event_to_insight": "network.insight", "InsightResult": "network.insight",
    "infer_planes": "network.topology", "plus_grid": "network.topology",
    "PlaneInferenceWarning": "network.topology", "shortest_paths": "network.graph",
    "coverage": "network.footprint", "CoverageResult": "network.footprint",
    # economics: the business case
    "business": "economics.case", "BusinessResult": "economics.case",
    "npv": "economics.finance", "irr": "economics.finance",
    "payback_period": "economics.finance", "levelised_cost": "economics.finance",
    "space_vs_ground": "economics.spacevsground", "SpaceVsGround": "economics.spacevsground",
    "value_chain": "economics.valuechain", "value_chain_shares": "economics.valuechain",
    "tornado": "economics.uncertainty", "monte_carlo": "economics.uncertainty",
    "Distribution": "economics.uncertainty",
    # scheduling: jobs on the constellation (uses onboard and network results)
    "schedule": "scheduling.run", "SchedulingResult": "scheduling.result",
}
_SUBMODULES = {"onboard", "network", "economics", "scheduling", "registry"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})
