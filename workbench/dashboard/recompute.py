"""Which analyses a scenario change makes stale, and one session's recompute worker.

An analysis depends on the parts of a scenario it reads: :func:`inputs_key` is the tuple
of those parts, so an edit that leaves an analysis's key unchanged leaves its result
standing. The rules, from the analysis contract (an analysis reads the scenario and its
own options; ``business`` also reads ``economics`` and the results it takes):

- no analysis reads ``name``, ``description`` or ``story``;
- an analysis whose options model is one of :class:`~workbench.model.ScenarioOptions`'s
  fields reads that field of ``scenario.options`` only;
- only analyses taking :class:`~workbench.model.BusinessOptions` read ``economics``;
- an analysis a plugin registers with any other options model reads everything else;
- an analysis is stale when any analysis it takes results from is stale.

:class:`Recomputer` runs the stale analyses of the latest scenario on its own thread (one
per session, so a long analysis never holds up the server's event loop or other sessions),
shares one orbit geometry per (constellation, time grid), hands each result over as soon
as it is ready, and abandons a run as soon as a newer scenario arrives.
"""
from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analyses import registry
from ..analyses.registry import AnalysisSpec
from ..model.options import BusinessOptions, ScenarioOptions
from ..model.scenario import Scenario
from ..orbits.geometry import OrbitGeometry, scenario_geometry

NOT_READ = frozenset({"name", "description", "story"})
"""Scenario fields no analysis reads (text for people, and the presentation script)."""


def _options_field(spec: AnalysisSpec) -> str | None:
    try:
        model = spec.options_model()
    except Exception:  # a plugin whose options cannot load: treat as reading everything
        return None
    for name, info in ScenarioOptions.model_fields.items():
        if info.annotation is model:
            return name
    return None


def inputs_key(spec: AnalysisSpec, scenario: Scenario) -> tuple[tuple[str, Any], ...]:
    """The parts of ``scenario`` the analysis reads, as ``(field, value)`` pairs: equal
    keys mean an equal result (the rules are in the module docstring)."""
    own = _options_field(spec)
    reads_economics = own is None or spec.options_model() is BusinessOptions
    key: list[tuple[str, Any]] = []
    for name in type(scenario).model_fields:
        if name in NOT_READ or (name == "economics" and not reads_economics):
            continue
        if name == "options" and own is not None:
            key.append((f"options.{own}", getattr(scenario.options, own)))
            continue
        key.append((name, getattr(scenario, name)))
    return tuple(key)


def stale_analyses(specs: Sequence[AnalysisSpec], done: dict[str, tuple],
                   scenario: Scenario) -> list[AnalysisSpec]:
    """The analyses of ``specs`` (in run order) whose result for ``scenario`` is not in
    ``done`` (analysis name → the :func:`inputs_key` its result was computed for)."""
    stale: list[AnalysisSpec] = []
    names: set[str] = set()
    for spec in specs:
        if (done.get(spec.name) != inputs_key(spec, scenario)
                or any(name in names for name in spec.inputs)):
            stale.append(spec)
            names.add(spec.name)
    return stale


class GeometryCache:
    """One session's orbit geometry, propagated once per (constellation, time grid)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._geometry: OrbitGeometry | None = None
        self.n_propagations = 0

    def get(self, scenario: Scenario) -> OrbitGeometry:
        """The geometry of ``scenario``'s constellation on its grid (cached)."""
        key = (scenario.constellation, scenario.time_grid)
        if self._geometry is None or self._key != key:
            self._geometry = scenario_geometry(scenario)
            self._key = key
            self.n_propagations += 1
        return self._geometry


class Cancelled(Exception):
    """A newer scenario arrived: the run in progress stops (raised from ``progress``)."""


@dataclass
class Outcome:
    """One analysis finished: its result (or the exception that stopped it), the warnings
    it raised, its time and the scenario it ran on."""

    name: str
    result: Any
    scenario: Scenario
    elapsed_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return isinstance(self.result, BaseException)


class Recomputer:
    """Runs one session's analyses on a worker thread, the latest scenario only.

    Parameters
    ----------
    specs : sequence of AnalysisSpec
        The analyses, in run order.
    on_outcome : callable(Outcome)
        Called (on the worker thread) as each analysis finishes.
    on_progress : callable(fraction, message)
        Called (on the worker thread) as the run advances; ``fraction`` of all stale work.
    on_idle : callable(list of str), optional
        Called when a run ends with nothing newer waiting; the names it recomputed.
    """

    def __init__(self, specs: Sequence[AnalysisSpec], *,
                 on_outcome: Callable[[Outcome], None],
                 on_progress: Callable[[float, str], None],
                 on_idle: Callable[[list[str]], None] | None = None) -> None:
        self.specs = tuple(specs)
        self.geometry = GeometryCache()
        self.results: dict[str, Any] = {}
        self.done: dict[str, tuple] = {}
        self.timings_s: dict[str, float] = {}
        self._on_outcome, self._on_progress, self._on_idle = on_outcome, on_progress, on_idle
        self._pending: Scenario | None = None
        self.last_scenario: Scenario | None = None
        self._generation = 0
        self._wake = threading.Condition()
        self._closed = False
        self._busy = False
        self._thread = threading.Thread(target=self._loop, name="workbench-recompute",
                                        daemon=True)
        self._thread.start()

    def submit(self, scenario: Scenario) -> None:
        """Recompute for ``scenario`` (a run in progress for an older one stops)."""
        with self._wake:
            self._pending = scenario
            self._generation += 1
            self._wake.notify()

    @property
    def busy(self) -> bool:
        """Whether a run is in progress or waiting."""
        with self._wake:
            return self._busy or self._pending is not None

    def wait_idle(self, timeout_s: float = 120.0) -> bool:
        """Block until nothing is running or waiting (tests, benchmarks)."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if not self.busy:
                return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        """Stop the worker (the session ended)."""
        with self._wake:
            self._closed = True
            self._generation += 1
            self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                scenario, self._pending = self._pending, None
                generation = self._generation
                self._busy = True
            try:
                ran = self._run(scenario, generation)
            except Cancelled:
                ran = None
            finally:
                with self._wake:
                    self._busy = False
                    idle = self._pending is None and not self._closed
            if ran is not None and idle and self._on_idle is not None:
                self._on_idle(ran)

    def _check(self, generation: int) -> None:
        if generation != self._generation:
            raise Cancelled

    def _run(self, scenario: Scenario, generation: int) -> list[str]:
        self.last_scenario = scenario
        stale = stale_analyses(self.specs, self.done, scenario)
        n = max(len(stale), 1)
        ran: list[str] = []
        for i, spec in enumerate(stale):
            self._check(generation)

            def report(fraction: float, message: str, *, i: int = i,
                       title: str = spec.title) -> None:
                self._check(generation)
                self._on_progress((i + min(max(fraction, 0.0), 1.0)) / n, f"{title}: {message}")

            report(0.0, "")
            start = time.perf_counter()
            notes: list[str] = []
            try:
                geometry = self.geometry.get(scenario)
                self._check(generation)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    result = registry.run(spec, scenario, results=self.results,
                                          geometry=geometry, progress=report)
                notes = [str(w.message) for w in caught]
            except Cancelled:
                raise
            except Exception as exc:  # an analysis failing must not stop the others
                result = exc
            elapsed = time.perf_counter() - start
            self._check(generation)
            self.results[spec.name] = result
            self.done[spec.name] = inputs_key(spec, scenario)
            self.timings_s[spec.name] = elapsed
            ran.append(spec.name)
            self._on_outcome(Outcome(spec.name, result, scenario, elapsed, notes))
        self._on_progress(1.0, "")
        return ran


__all__ = ["NOT_READ", "Cancelled", "GeometryCache", "Outcome", "Recomputer", "inputs_key",
           "stale_analyses"]
