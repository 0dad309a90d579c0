"""``figures(result)``: the plotly figures of any analysis result, chosen by its type.

Results hold frames and never draw themselves; this is the one place that knows which
figures each kind of result has. An extension registers its own result type with
``@figures.register`` (``functools.singledispatch``); a type nobody registered has no
figures (an empty dict), never an error.
"""
from __future__ import annotations

from functools import singledispatch
from typing import Any

from ..analyses.economics.case import BusinessResult
from ..analyses.economics.spacevsground import SpaceVsGround
from ..analyses.economics.uncertainty import MonteCarloResult
from ..analyses.network.insight import InsightResult
from ..analyses.network.offload import PlacementResult
from ..analyses.network.roundtrip import LatencyResult
from ..analyses.onboard.result import CapacityResult


@singledispatch
def figures(result: Any) -> dict[str, Any]:
    """Plotly figures of an analysis result by name, in the order a reader wants them.

    >>> figures(object())
    {}
    """
    return {}


@figures.register
def _(result: CapacityResult) -> dict[str, Any]:
    from .capacity import capacity_figures

    return capacity_figures(result.frames, result.summary)


@figures.register
def _(result: LatencyResult) -> dict[str, Any]:
    from .latency import latency_figures

    return latency_figures(result)


@figures.register
def _(result: PlacementResult) -> dict[str, Any]:
    from .latency import placement_figure, placement_wins_figure

    return {"placement": placement_figure(result.rtt),
            "placement_wins": placement_wins_figure(result.by_option)}


@figures.register
def _(result: InsightResult) -> dict[str, Any]:
    from .latency import insight_cdf_figure

    return {"insight_cdf": insight_cdf_figure(result.events,
                                              deadline_s=result.info.get("deadline_s"))}


@figures.register
def _(result: BusinessResult) -> dict[str, Any]:
    from .business import business_figures

    return business_figures(result)


@figures.register
def _(result: SpaceVsGround) -> dict[str, Any]:
    from .business import space_vs_ground_figure

    return {"space_vs_ground": space_vs_ground_figure(result.costs, result.sweep,
                                                      result.summary)}


@figures.register
def _(result: MonteCarloResult) -> dict[str, Any]:
    from .business import npv_distribution_figure

    return {"npv_distribution": npv_distribution_figure(result.samples, result.summary)}


__all__ = ["figures"]
