"""The analyses the Workbench, the dashboard and the CLI run, filled through the
``workbench.analyses`` entry-point group (:mod:`workbench.extensions`).

Every registered analysis follows one contract::

    f(scenario, *, options=None, geometry=None, progress=None, **inputs) -> result

``options`` is an instance of the spec's options model (or None for its defaults),
``geometry`` a shared orbit geometry of the scenario (or None to propagate itself),
``progress`` a ``callable(fraction_done, message)``, and ``inputs`` the results of the
earlier analyses the spec names (``business`` takes ``capacity=``). The result has
``frames`` (name → polars DataFrame) and ``summary`` (name → number or text).

An :class:`AnalysisSpec` names its function as ``"module:function"`` and loads it only when
run, so listing the analyses imports nothing heavy. The built-ins register in the
workbench's ``pyproject.toml`` as ``capacity = "workbench.analyses.registry:CAPACITY"``.

>>> from workbench.analyses import registry
>>> [spec.name for spec in registry.analyses()][:2]
['capacity', 'latency']
>>> registry.analysis("business").inputs
('capacity',)
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import extensions
from ..locale import N_

GROUP = "workbench.analyses"

Progress = Callable[[float, str], None]


class UnknownAnalysisError(KeyError):
    """No analysis of that name is registered; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _import(target: str, what: str) -> Any:
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name.strip() or not attribute.strip():
        raise ValueError(f"{what}={target!r}: must be 'module:attribute'")
    obj: Any = importlib.import_module(module_name.strip())
    for part in attribute.strip().split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ImportError(f"{what} {target!r}: cannot import name {part!r} from "
                              f"{module_name.strip()!r}") from None
    return obj


@dataclass(frozen=True)
class AnalysisSpec:
    """One registered analysis.

    Attributes
    ----------
    name : str
        Its registry name, also the keyword later analyses receive its result under.
    title : str
        What a tab or a report calls it.
    target : str
        The function, ``"module:function"``, loaded on first run.
    options : str or None
        The options model class, ``"module:Class"`` (a frozen pydantic model), or None if
        the analysis takes no options.
    inputs : tuple of str
        Names of earlier analyses whose results it takes as keywords.
    order : int
        Where it sorts among the analyses (then by name); inputs always run first.
    description : str
        One line on what it computes.
    """

    name: str
    title: str
    target: str
    options: str | None = None
    inputs: tuple[str, ...] = ()
    order: int = 1000
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"AnalysisSpec name={self.name!r}: must be a Python identifier "
                             "(results are passed on as keywords by name)")
        for field, value in (("target", self.target), ("options", self.options)):
            if value is not None and (not isinstance(value, str) or value.count(":") != 1):
                raise ValueError(f"AnalysisSpec {self.name!r} {field}={value!r}: must be "
                                 "'module:attribute'")
        if isinstance(self.inputs, str) or not all(isinstance(i, str) for i in self.inputs):
            raise ValueError(f"AnalysisSpec {self.name!r} inputs={self.inputs!r}: must be a "
                             "tuple of analysis names")
        object.__setattr__(self, "inputs", tuple(self.inputs))
        if self.name in self.inputs:
            raise ValueError(f"AnalysisSpec {self.name!r} lists itself among its inputs")

    def function(self) -> Callable[..., Any]:
        """The analysis function (imported on first use)."""
        function = _import(self.target, f"analysis {self.name!r} target")
        if not callable(function):
            raise TypeError(f"analysis {self.name!r} target {self.target!r} is "
                            f"{type(function).__name__}, not a function")
        return function

    def options_model(self) -> type | None:
        """The options model class, or None."""
        if self.options is None:
            return None
        return _import(self.options, f"analysis {self.name!r} options")


CAPACITY = AnalysisSpec(
    "capacity", N_("Capacity"), "workbench.analyses:capacity",
    options="workbench.model:CapacityOptions", order=10,
    description=N_("Power, thermal, compute, data pipeline and radiation life per satellite"))
LATENCY = AnalysisSpec(
    "latency", N_("Latency"), "workbench.analyses:latency",
    options="workbench.model:NetworkOptions", order=20,
    description=N_("Round-trip times between ground sites over the ISL network"))
PLACEMENT = AnalysisSpec(
    "placement", N_("Placement"), "workbench.analyses:placement",
    options="workbench.model:NetworkOptions", order=30,
    description=N_("Where users' compute runs best: overhead, nearby satellites or the ground"))
EVENT_TO_INSIGHT = AnalysisSpec(
    "event_to_insight", N_("Event to insight"), "workbench.analyses:event_to_insight",
    options="workbench.model:NetworkOptions", order=40,
    description=N_("Time from an event on the ground to the insight delivered to a user"))
COVERAGE = AnalysisSpec(
    "coverage", N_("Coverage"), "workbench.analyses:coverage",
    options="workbench.model:CoverageOptions", order=60,
    description=N_("Share of time each cell sees k satellites above the mask; gaps, revisit"))
BUSINESS = AnalysisSpec(
    "business", N_("Business"), "workbench.analyses:business", inputs=("capacity",),
    options="workbench.model:BusinessOptions", order=50,
    description=N_("Cash flows, NPV, cost of compute, space vs ground and the value chain"))
SCHEDULING = AnalysisSpec(
    "scheduling", N_("Scheduling"), "workbench.analyses:schedule", inputs=("capacity",),
    options="workbench.model:SchedulingOptions", order=55,
    description=N_("Jobs placed, moved over ISLs, queued and run with power and heat limits"))
BUILTIN = (CAPACITY, LATENCY, PLACEMENT, EVENT_TO_INSIGHT, BUSINESS, SCHEDULING, COVERAGE)
"""The workbench's own analyses (registered in its ``pyproject.toml``)."""


def _sorted(specs: list[AnalysisSpec]) -> tuple[AnalysisSpec, ...]:
    """By (order, name), moved so that every input runs before the analyses taking it."""
    by_name = {spec.name: spec for spec in specs}
    done: dict[str, AnalysisSpec] = {}

    def visit(spec: AnalysisSpec, path: tuple[str, ...]) -> None:
        if spec.name in done:
            return
        if spec.name in path:
            raise ValueError("analyses take each other's results in a circle: "
                             + " → ".join((*path[path.index(spec.name):], spec.name)))
        for name in spec.inputs:
            if name in by_name:
                visit(by_name[name], (*path, spec.name))
        done[spec.name] = spec

    for spec in sorted(specs, key=lambda s: (s.order, s.name)):
        visit(spec, ())
    return tuple(done.values())


def analyses() -> tuple[AnalysisSpec, ...]:
    """The registered analyses in run order (an analysis's inputs before it).

    Entry points that do not hold an :class:`AnalysisSpec` are reported as plugin
    problems (:func:`workbench.extensions.problems` lists import failures) and skipped.
    """
    import warnings

    specs: list[AnalysisSpec] = []
    for plugin, value in extensions.loaded(GROUP):
        if not isinstance(value, AnalysisSpec):
            warnings.warn(f"{plugin.describe()} is {type(value).__name__}, not an "
                          "AnalysisSpec; skipped", extensions.PluginWarning, stacklevel=2)
            continue
        if value.name != plugin.name:
            warnings.warn(f"{plugin.describe()} holds the spec named {value.name!r}; the "
                          "entry point's name and the spec's must match; skipped",
                          extensions.PluginWarning, stacklevel=2)
            continue
        specs.append(value)
    return _sorted(specs)


def names() -> list[str]:
    """The registered analyses' names, in run order."""
    return [spec.name for spec in analyses()]


def analysis(name: str | AnalysisSpec) -> AnalysisSpec:
    """The registered analysis ``name``; an unknown name raises
    :class:`UnknownAnalysisError` listing the known ones."""
    if isinstance(name, AnalysisSpec):
        return name
    specs = analyses()
    for spec in specs:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in specs) or "none"
    raise UnknownAnalysisError(f"no analysis named {name!r}; registered analyses: {known}"
                               " (`workbench extensions list` shows every plugin)")


def requirements(name: str | AnalysisSpec) -> tuple[AnalysisSpec, ...]:
    """The analysis and every analysis it takes results from, in run order (itself last).

    >>> [spec.name for spec in requirements("business")]
    ['capacity', 'business']
    """
    target = analysis(name)
    chain: dict[str, AnalysisSpec] = {}

    def visit(spec: AnalysisSpec, path: tuple[str, ...]) -> None:
        if spec.name in path:
            raise ValueError("analyses take each other's results in a circle: "
                             + " → ".join((*path, spec.name)))
        for needed in spec.inputs:
            visit(analysis(needed), (*path, spec.name))
        chain.setdefault(spec.name, spec)

    visit(target, ())
    return tuple(chain.values())


def _options(spec: AnalysisSpec, options: Any) -> Any:
    if options is None:
        return None
    model = spec.options_model()
    if model is None:
        raise ValueError(f"analysis {spec.name!r} takes no options; got {options!r}")
    if isinstance(options, model):
        return options
    if isinstance(options, Mapping):
        return model.model_validate(dict(options))
    raise TypeError(f"analysis {spec.name!r} options: expected a {model.__name__} or a "
                    f"mapping of its fields, got {type(options).__name__}")


def run(spec_or_name: str | AnalysisSpec, scenario: Any, *,
        results: Mapping[str, Any] | None = None, options: Any = None,
        geometry: Any = None, progress: Progress | None = None) -> Any:
    """Run one registered analysis on ``scenario``.

    Parameters
    ----------
    spec_or_name : AnalysisSpec or str
    scenario : Scenario
    results : mapping of analysis name → result, optional
        Earlier results; those the spec names in ``inputs`` are passed as keywords (an
        input that is missing or an exception is left out: the analysis computes its own).
    options : options model instance or mapping of its fields, optional
        Validated against the spec's options model.
    geometry : optional
        The scenario's shared orbit geometry.
    progress : callable(fraction_done, message), optional

    Returns
    -------
    The analysis's result (``frames`` and ``summary``).

    Notes
    -----
    Keywords left at None are not passed: None is the contract's default for each.
    """
    spec = analysis(spec_or_name)
    function = spec.function()
    kwargs: dict[str, Any] = {}
    for name in spec.inputs:
        value = (results or {}).get(name)
        if value is not None and not isinstance(value, BaseException):
            kwargs[name] = value
    for name, value in (("options", _options(spec, options)), ("geometry", geometry),
                        ("progress", progress)):
        if value is not None:
            kwargs[name] = value
    return function(scenario, **kwargs)


def run_with_inputs(spec_or_name: str | AnalysisSpec, scenario: Any, *,
                    options: Any = None, geometry: Any = None,
                    progress: Progress | None = None) -> dict[str, Any]:
    """Run an analysis and the analyses it takes results from; name → result, in run
    order. ``options`` go to the named analysis only; the others run with defaults."""
    target = analysis(spec_or_name)
    chain = requirements(target)
    results: dict[str, Any] = {}
    for i, spec in enumerate(chain):
        step = None
        if progress is not None:
            def step(fraction: float, message: str, *, i: int = i,
                     title: str = spec.title) -> None:
                progress((i + min(max(fraction, 0.0), 1.0)) / len(chain),
                         f"{title.lower()}: {message}")
        results[spec.name] = run(spec, scenario, results=results,
                                 options=options if spec.name == target.name else None,
                                 geometry=geometry, progress=step)
    return results


def result_frames(result: Any) -> dict[str, Any]:
    """The polars frames of a result: its ``frames`` mapping; for results that predate the
    protocol, its DataFrame-valued attributes (``summary`` included when it is a frame)."""
    import polars as pl

    frames = getattr(result, "frames", None)
    if isinstance(frames, Mapping):
        return {str(k): v for k, v in frames.items() if isinstance(v, pl.DataFrame)}
    if isinstance(result, pl.DataFrame):
        return {"result": result}
    attributes = vars(result) if hasattr(result, "__dict__") else {}
    return {k: v for k, v in attributes.items()
            if isinstance(v, pl.DataFrame) and not k.startswith("_")}


def result_summary(result: Any) -> dict[str, Any]:
    """A result's ``summary`` mapping (``{}`` when it has none, or it is a frame)."""
    summary = getattr(result, "summary", None)
    return dict(summary) if isinstance(summary, Mapping) else {}


__all__ = ["BUILTIN", "BUSINESS", "CAPACITY", "COVERAGE", "EVENT_TO_INSIGHT", "GROUP", "LATENCY",
           "PLACEMENT", "SCHEDULING", "AnalysisSpec", "UnknownAnalysisError", "analyses", "analysis",
           "names", "requirements", "result_frames", "result_summary", "run",
           "run_with_inputs"]
