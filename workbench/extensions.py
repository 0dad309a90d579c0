"""The extension door: entry-point groups through which packages add analyses, hardware,
constellations, ground stations, scenarios and scheduling policies (after xarray's backends).

The workbench's own catalogs and analyses register through this same door, in the
``pyproject.toml`` of the ``space-computing-workbench`` distribution; a third-party package
adds ``[project.entry-points."workbench.chips"]`` (etc.) to its own ``pyproject.toml`` and,
once installed, its entries appear in :mod:`workbench.datasets` and in the analysis registry
(:mod:`workbench.analyses.registry`) beside the built-ins.

What each group's entry point points at
---------------------------------------
``workbench.analyses``
    An :class:`~workbench.analyses.registry.AnalysisSpec` (name, title, the
    ``"module:function"`` it runs, its options model, the earlier analyses it takes). The
    function follows the contract ``f(scenario, *, options=None, geometry=None,
    progress=None, **inputs)`` and returns a result with ``frames`` (name → polars frame)
    and ``summary`` (name → number or text).
``workbench.chips`` / ``workbench.platforms`` / ``workbench.ground_stations``
    A zero-argument callable returning a polars DataFrame or the path of a CSV file (or
    the path itself) with exactly the catalog's columns (``datasets.CHIP_SCHEMA``,
    ``PLATFORM_SCHEMA``, ``GROUND_STATION_SCHEMA``), a ``source`` on every row.
``workbench.constellations``
    A zero-argument callable returning presets in the shape of
    ``datasets/constellations.yaml`` — a mapping with a ``presets`` list (or the list
    itself), or the path of such a YAML file (or the path itself).
``workbench.scenarios``
    A zero-argument callable returning a mapping of scenario name → YAML path, or a
    directory whose ``*.yaml`` files are scenarios named by their stem (or the directory).
``workbench.policies``
    A scheduling policy class (the scheduling wing that uses them comes later; the group
    is listed so that packages can register policies now).

Discovery reads the installed distributions' metadata once, on first use, and caches it
(:func:`refresh` reads it again, e.g. after installing a package in a running kernel).
Loading an entry point imports its module the first time it is asked for. A plugin that
fails to import (or whose callable raises) is reported — a :class:`PluginWarning` naming
the distribution, the entry point and the error, and a :class:`PluginProblem` in
:func:`problems` — and skipped: it never stops the workbench. Two distributions registering
the same name in one group is warned about, naming both; the built-in wins, else the first
distribution in sorted order. ``WORKBENCH_DISABLE_PLUGINS=1`` turns every third-party plugin
off; the built-ins (distribution ``space-computing-workbench``) stay.

>>> from workbench import extensions
>>> "capacity" in extensions.names("workbench.analyses")
True
>>> extensions.plugin("workbench.analyses", "capacity").is_builtin
True
"""
from __future__ import annotations

import functools
import importlib
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any

__all__ = ["BUILTIN_DISTRIBUTION", "DISABLE_ENV", "GROUPS", "CALLED_GROUPS", "Plugin",
           "PluginProblem", "PluginWarning", "load", "loaded", "names", "plugin", "plugins",
           "plugins_disabled", "problems", "refresh"]

GROUPS: dict[str, str] = {
    "workbench.analyses": "an AnalysisSpec (workbench.analyses.registry)",
    "workbench.chips": "callable → polars frame or CSV path with the chips.csv columns",
    "workbench.platforms": "callable → polars frame or CSV path with the platforms.csv "
                           "columns",
    "workbench.ground_stations": "callable → polars frame or CSV path with the "
                                 "ground_stations.csv columns",
    "workbench.constellations": "callable → presets shaped like constellations.yaml (or "
                                "its path)",
    "workbench.scenarios": "callable → mapping name → scenario YAML path, or a directory",
    "workbench.policies": "a scheduling policy class",
}
"""The entry-point groups and what an entry point of each points at."""

CALLED_GROUPS = frozenset({"workbench.chips", "workbench.platforms",
                           "workbench.ground_stations", "workbench.constellations",
                           "workbench.scenarios"})
"""Groups whose entry points, when callable, are called (no arguments) on load."""

BUILTIN_DISTRIBUTION = "space-computing-workbench"
DISABLE_ENV = "WORKBENCH_DISABLE_PLUGINS"
_TRUE = frozenset({"1", "true", "yes", "on"})


class PluginWarning(UserWarning):
    """A plugin was skipped (it failed to load) or shadowed (a duplicate name)."""


@dataclass(frozen=True)
class Plugin:
    """One entry point: which group, under which name, pointing where, from which package.

    Attributes
    ----------
    group : str
        The entry-point group, one of :data:`GROUPS`.
    name : str
        The entry point's name (an analysis name, a catalog's name, …).
    value : str
        What it points at, ``"module:attribute"``.
    distribution : str
        The installed distribution that registers it (``"?"`` when unknown).
    version : str
        That distribution's version (``""`` when unknown).
    """

    group: str
    name: str
    value: str
    distribution: str
    version: str = ""

    @property
    def is_builtin(self) -> bool:
        """Registered by the workbench's own distribution."""
        return _normalise(self.distribution) == _normalise(BUILTIN_DISTRIBUTION)

    def load(self) -> Any:
        """Import the object the entry point names (uncached: :func:`load` caches)."""
        module_name, _, attribute = self.value.partition(":")
        obj: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            obj = getattr(obj, part)
        return obj

    def describe(self) -> str:
        """``"name = value" from distribution version``, for messages."""
        release = f" {self.version}" if self.version else ""
        return f"{self.group} entry point {self.name!r} = {self.value!r} from " \
               f"{self.distribution}{release}"


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that was skipped: which one, and the error that stopped it."""

    plugin: Plugin
    error: str

    def __str__(self) -> str:
        return f"{self.plugin.describe()} was skipped: {self.error}"


def _normalise(name: str) -> str:
    return name.replace("_", "-").replace(".", "-").casefold()


def plugins_disabled() -> bool:
    """Whether ``WORKBENCH_DISABLE_PLUGINS`` turns third-party plugins off (read by
    discovery, so a change takes effect at :func:`refresh`)."""
    return os.environ.get(DISABLE_ENV, "").strip().casefold() in _TRUE


def _entry_points() -> Iterator[tuple[metadata.EntryPoint, str, str]]:
    for group in GROUPS:
        for entry in metadata.entry_points(group=group):
            dist = getattr(entry, "dist", None)
            name = dist.name if dist is not None and dist.name else "?"
            release = dist.version if dist is not None and dist.version else ""
            yield entry, name, release


@functools.cache
def _discover() -> tuple[Plugin, ...]:
    """Every entry point of every group, deduplicated; warns about duplicate names."""
    disabled = plugins_disabled()
    chosen: dict[tuple[str, str], Plugin] = {}
    for entry, dist, release in _entry_points():
        found = Plugin(group=entry.group, name=entry.name, value=entry.value,
                       distribution=dist, version=release)
        if disabled and not found.is_builtin:
            continue
        key = (found.group, found.name)
        earlier = chosen.get(key)
        if earlier is None:
            chosen[key] = found
            continue
        if _normalise(earlier.distribution) == _normalise(found.distribution):
            continue  # the same distribution seen twice on the path
        keep, drop = sorted((earlier, found),
                            key=lambda p: (not p.is_builtin, _normalise(p.distribution)))
        warnings.warn(f"{found.group} entry point {found.name!r} is registered by both "
                      f"{earlier.distribution} ({earlier.value}) and {found.distribution} "
                      f"({found.value}); using the one from {keep.distribution}",
                      PluginWarning, stacklevel=2)
        chosen[key] = keep
    order = list(GROUPS)
    return tuple(sorted(chosen.values(), key=lambda p: (
        order.index(p.group), not p.is_builtin, _normalise(p.distribution), p.name)))


def plugins(group: str | None = None) -> tuple[Plugin, ...]:
    """The discovered entry points (not yet loaded), of one group or of all.

    Built-ins come first, then other distributions in sorted order.
    """
    if group is not None:
        _check_group(group)
    return tuple(p for p in _discover() if group is None or p.group == group)


def names(group: str) -> list[str]:
    """The names registered in ``group``."""
    return [p.name for p in plugins(group)]


def plugin(group: str, name: str) -> Plugin:
    """The entry point ``name`` of ``group``; an unknown name raises ``KeyError`` listing
    the known ones."""
    for found in plugins(group):
        if found.name == name:
            return found
    known = ", ".join(repr(n) for n in names(group)) or "none"
    raise KeyError(f"no {group} entry point named {name!r}; registered: {known}")


@dataclass(frozen=True)
class _Loaded:
    value: Any = None
    problem: PluginProblem | None = None


@functools.cache
def _load(found: Plugin) -> _Loaded:
    try:
        value = found.load()
        if found.group in CALLED_GROUPS and callable(value):
            value = value()
    except Exception as exc:  # a broken plugin is reported, never fatal
        problem = PluginProblem(found, f"{type(exc).__name__}: {exc}")
        warnings.warn(str(problem), PluginWarning, stacklevel=3)
        return _Loaded(problem=problem)
    return _Loaded(value=value)


def load(found: Plugin) -> Any:
    """The object behind one entry point (called, for the data groups), imported once.

    Returns None, after a :class:`PluginWarning`, if the plugin fails to load.
    """
    return _load(found).value


def loaded(group: str) -> list[tuple[Plugin, Any]]:
    """(plugin, object) for every entry point of ``group`` that loads; the others are
    warned about once and listed by :func:`problems`."""
    return [(p, item.value) for p in plugins(group)
            if (item := _load(p)).problem is None]


def problems(group: str | None = None) -> list[PluginProblem]:
    """The plugins that failed to load (of one group or all); loads any not loaded yet."""
    return [item.problem for p in plugins(group)
            if (item := _load(p)).problem is not None]


def refresh() -> None:
    """Forget what was discovered and loaded: the next use reads the installed
    distributions (and ``WORKBENCH_DISABLE_PLUGINS``) again."""
    _discover.cache_clear()
    _load.cache_clear()
    importlib.invalidate_caches()


def _check_group(group: str) -> None:
    if group not in GROUPS:
        raise KeyError(f"unknown entry-point group {group!r}; groups: "
                       + ", ".join(GROUPS))
