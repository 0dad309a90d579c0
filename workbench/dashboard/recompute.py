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

Sessions share *results*, never state: :data:`SHARED` holds the last few geometries and
analysis results of the process, keyed by everything they were computed from
(:func:`result_key`), and a computation already running for one session is awaited by
the others instead of repeated. Twenty audience members opening the default scenario at
once cost one propagation and one run of each analysis. Results are immutable (frozen
dataclasses of polars frames) and nothing in the dashboard writes to them.
"""
from __future__ import annotations

import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
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


def result_key(spec: AnalysisSpec, scenario: Scenario,
               specs: dict[str, AnalysisSpec] | None = None) -> tuple:
    """What ``spec``'s result on ``scenario`` depends on: its :func:`inputs_key` and,
    recursively, the keys of the analyses it takes results from (``specs`` by name,
    default the registry's)."""
    specs = specs if specs is not None else {s.name: s for s in registry.analyses()}
    upstream = tuple(result_key(specs[name], scenario, specs) if name in specs else name
                     for name in spec.inputs)
    return (spec.name, inputs_key(spec, scenario), upstream)


class _Entry:
    __slots__ = ("done", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None


class SharedStore:
    """A bounded, thread-safe store of computed values shared by every session, with
    in-flight deduplication: the first caller of :meth:`get` for a key computes, callers
    arriving meanwhile wait for it (checking their own cancellation while they wait).

    Parameters
    ----------
    max_entries : int
        Finished values kept, least recently used dropped first.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.n_computed = 0

    def get(self, key: Hashable, compute: Callable[[], Any],
            check: Callable[[], None] = lambda: None) -> tuple[Any, bool]:
        """``(value, computed_here)`` for ``key``. An exception ``compute`` raises (a
        cancellation included) reaches this caller only; waiting callers then compute
        themselves."""
        while True:
            with self._lock:
                entry = self._entries.get(key)
                owner = entry is None
                if owner:
                    entry = self._entries[key] = _Entry()
                else:
                    self._entries.move_to_end(key)
            if owner:
                try:
                    value = compute()
                except BaseException:
                    with self._lock:
                        self._entries.pop(key, None)
                    entry.done.set()
                    raise
                entry.value = value
                with self._lock:
                    self.n_computed += 1
                    finished = [k for k, e in self._entries.items() if e.done.is_set()]
                    for old in finished[:max(0, len(finished) + 1 - self.max_entries)]:
                        del self._entries[old]
                entry.done.set()
                return value, True
            while not entry.done.wait(0.05):
                check()
            with self._lock:
                if self._entries.get(key) is entry:
                    return entry.value, False
            # the owner failed or was cancelled: try again (perhaps as the owner)

    def clear(self) -> None:
        """Forget every finished value (tests; running computations go on)."""
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.done.is_set()]:
                del self._entries[key]


class SharedResults:
    """The process's shared geometries and analysis results (:data:`SHARED`)."""

    def __init__(self, *, max_geometries: int = 4, max_results: int = 64) -> None:
        self.geometries = SharedStore(max_geometries)
        self.results = SharedStore(max_results)

    def clear(self) -> None:
        self.geometries.clear()
        self.results.clear()


SHARED = SharedResults()
"""Geometries (4, about 30 MB each for the default scenario) and results (64) shared by
the sessions of this process."""


class GeometryCache:
    """One session's orbit geometry per (constellation, time grid), taken from
    :data:`SHARED` (propagated there once for every session)."""

    def __init__(self, shared: SharedResults | None = None) -> None:
        self._shared = shared if shared is not None else SHARED
        self._key: tuple | None = None
        self._geometry: OrbitGeometry | None = None
        self.n_propagations = 0
        """How many times this session needed the geometry of a new (constellation, grid)
        (propagated, or taken from another session's propagation)."""

    def get(self, scenario: Scenario, check: Callable[[], None] = lambda: None
            ) -> OrbitGeometry:
        """The geometry of ``scenario``'s constellation on its grid (cached)."""
        key = (scenario.constellation, scenario.time_grid)
        if self._geometry is None or self._key != key:
            self._geometry, _ = self._shared.geometries.get(
                key, lambda: scenario_geometry(scenario), check)
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


def run_analysis(spec: AnalysisSpec, scenario: Scenario, *, results: dict[str, Any],
                 geometry: OrbitGeometry, progress: Callable | None = None
                 ) -> tuple[Any, tuple[str, ...]]:
    """``(result, warning texts)`` of one analysis; an analysis that fails gives its
    exception as the result (it must not stop the others), a :class:`Cancelled` passes."""
    notes: tuple[str, ...] = ()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = registry.run(spec, scenario, results=results, geometry=geometry,
                                  progress=progress)
        notes = tuple(str(w.message) for w in caught)
    except Cancelled:
        raise
    except Exception as exc:  # an analysis failing must not stop the others
        result = exc
    return result, notes


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
    shared : SharedResults, optional
        Where results computed by other sessions are found (default :data:`SHARED`).
    """

    def __init__(self, specs: Sequence[AnalysisSpec], *,
                 on_outcome: Callable[[Outcome], None],
                 on_progress: Callable[[float, str], None],
                 on_idle: Callable[[list[str]], None] | None = None,
                 shared: SharedResults | None = None) -> None:
        self.specs = tuple(specs)
        self._by_name = {spec.name: spec for spec in self.specs}
        self._shared = shared if shared is not None else SHARED
        self.geometry = GeometryCache(self._shared)
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

        def check() -> None:
            self._check(generation)

        for i, spec in enumerate(stale):
            check()

            def report(fraction: float, message: str, *, i: int = i,
                       title: str = spec.title) -> None:
                check()
                self._on_progress((i + min(max(fraction, 0.0), 1.0)) / n, f"{title}: {message}")

            def compute(spec: AnalysisSpec = spec, report: Callable = report
                        ) -> tuple[Any, tuple[str, ...]]:
                geometry = self.geometry.get(scenario, check)
                check()
                return run_analysis(spec, scenario, results=self.results, geometry=geometry,
                                    progress=report)

            report(0.0, "")
            start = time.perf_counter()
            (result, notes), _here = self._shared.results.get(
                result_key(spec, scenario, self._by_name), compute, check)
            elapsed = time.perf_counter() - start
            check()
            self.results[spec.name] = result
            self.done[spec.name] = inputs_key(spec, scenario)
            self.timings_s[spec.name] = elapsed
            ran.append(spec.name)
            self._on_outcome(Outcome(spec.name, result, scenario, elapsed, list(notes)))
        self._on_progress(1.0, "")
        return ran


__all__ = ["NOT_READ", "SHARED", "Cancelled", "GeometryCache", "Outcome", "Recomputer",
           "SharedResults", "SharedStore", "inputs_key", "result_key", "run_analysis",
           "stale_analyses"]
