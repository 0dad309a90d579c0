"""Design-space sweeps on Dask: many scenarios, one frame of key figures, nothing lost.

:func:`sweep` (``wb.sweep``) varies any scenario or options field by dotted path
(``constellation.shells.0.altitude_km``, ``payload.chip``, ``economics.launch_vehicle``,
``options.network.isl``) over a :class:`Grid` or a seeded :class:`LatinHypercube`, runs the
chosen registered analyses at every design point and returns one polars frame, a row per
point: the point's values, then each analysis's scalar ``summary`` entries as
``<analysis>_<key>`` columns. :func:`pareto_front` marks the non-dominated rows.

Scale and loss-freedom come from ``dask.distributed``: points are batched into tasks sized
from a timing of one point (an unbatched task costs milliseconds of overhead); a task lost
with a killed worker is rescheduled by the scheduler on another worker, and exceptions are
retried (``retries=``). With ``out``, each finished batch is written at once to its own
Parquet file (a temporary name renamed into place), so a re-run of the same sweep skips
every finished point and a killed client loses only what was in flight.

This module sits above :mod:`workbench.analyses` and below the drawing layers: it never
imports plotly; the Pareto figure is :func:`workbench.viz.sweep.pareto_figure`.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import time
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from .analyses import registry
from .model.errors import DatasetError, ModelError, Problem
from .model.scenario import Scenario
from .scenarios import from_mapping, load_scenario

Sense = Literal["min", "max"]
Scalar = str | int | float | bool | None

TARGET_TASK_S = 1.0
"""Batches are sized to take about this long: task overhead (a few ms) stays below 1 %."""
BATCHES_PER_WORKER = 4
"""At least this many batches per worker, so a lost batch or a slow one costs little."""
PART_GLOB = "part-*.parquet"


# ------------------------------------------------------------------------------ the space

@dataclass(frozen=True)
class Grid:
    """Every combination of the listed values (a full factorial), path → values."""

    values: Mapping[str, Sequence[Scalar]]


@dataclass(frozen=True)
class LatinHypercube:
    """``n`` points of a seeded Latin hypercube (``scipy.stats.qmc``) over numeric ranges,
    path → (low, high); integer fields are rounded. ``fixed`` adds a grid of other values
    (e.g. chips) crossed with the sample."""

    ranges: Mapping[str, tuple[float, float]]
    n: int
    seed: int = 0
    fixed: Mapping[str, Sequence[Scalar]] = field(default_factory=dict)


Space = Grid | LatinHypercube


def space_from_mapping(data: Mapping[str, Any]) -> Space:
    """A space from its YAML form: ``{grid: {path: [values]}}`` or
    ``{latin_hypercube: {n: 100, seed: 1, ranges: {path: [low, high]}, grid: {...}}}``."""
    if not isinstance(data, Mapping) or len(data) != 1 or next(iter(data)) not in (
            "grid", "latin_hypercube"):
        raise ModelError("sweep", [Problem("space", data, "give one of grid: {path: "
                                           "[values]} or latin_hypercube: {n, seed, "
                                           "ranges: {path: [low, high]}}")])
    kind, body = next(iter(data.items()))
    if kind == "grid":
        if not isinstance(body, Mapping):
            raise ModelError("sweep", [Problem("space.grid", body, "give path: [values]")])
        return Grid({str(k): list(v) if isinstance(v, list | tuple) else [v]
                     for k, v in body.items()})
    if not isinstance(body, Mapping) or "n" not in body or "ranges" not in body:
        raise ModelError("sweep", [Problem("space.latin_hypercube", body,
                                           "give n, ranges: {path: [low, high]} and "
                                           "optionally seed and grid")])
    return LatinHypercube({str(k): tuple(v) for k, v in body["ranges"].items()},
                          n=int(body["n"]), seed=int(body.get("seed", 0)),
                          fixed={str(k): list(v) for k, v in (body.get("grid") or {}).items()})


def _lookup(data: Any, path: str) -> Any:
    """The value at a dotted path of a dumped scenario, or a ModelError naming what
    exists where the path goes wrong."""
    current: Any = data
    done: list[str] = []
    for part in path.split("."):
        where = ".".join(done) or "the scenario"
        if isinstance(current, Mapping):
            if part not in current:
                raise ModelError("sweep", [Problem(path, part, f"no field {part!r} in "
                                                   f"{where}; fields there: "
                                                   + ", ".join(current))])
            current = current[part]
        elif isinstance(current, list):
            if not part.isdigit() or int(part) >= len(current):
                raise ModelError("sweep", [Problem(path, part, f"{where} is a list of "
                                                   f"{len(current)}: give an index 0–"
                                                   f"{len(current) - 1}")])
            current = current[int(part)]
        else:
            raise ModelError("sweep", [Problem(path, part, f"{where} is a value "
                                               f"({current!r}), it has no fields")])
        done.append(part)
    return current


def _applied(data: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each dotted path set to its value."""
    out = json.loads(json.dumps(data))
    for path, value in values.items():
        *head, last = path.split(".")
        target: Any = out
        for part in head:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return out


def _base_data(base: Scenario | str | Path | Mapping[str, Any]) -> dict[str, Any]:
    return load_scenario(base).model_dump(mode="json")


def _check(data: dict[str, Any], path: str, value: Any) -> Problem | None:
    try:
        from_mapping(_applied(data, {path: value}))
        if path.endswith("launch_vehicle") and isinstance(value, str):
            from . import datasets

            datasets.launch_vehicle(value)  # a catalog name: resolved when the case runs
    except ModelError as error:
        return Problem(path, value, "; ".join(p.message for p in error.problems))
    except (DatasetError, ValueError, TypeError) as error:
        return Problem(path, value, str(error).splitlines()[0])
    return None


def design_points(base: Scenario | str | Path | Mapping[str, Any], space: Space) -> pl.DataFrame:
    """The design points of ``space`` around ``base``, validated before anything runs.

    Returns
    -------
    polars.DataFrame: point_id (str, a hash of the base and the point's values, stable
    across runs), then one column per path, in the order given.

    Raises
    ------
    ModelError
        Listing every unknown path (with the fields that exist there), every value the
        scenario rejects (with why) and every range whose end the field rejects.
    """
    data = _base_data(base)
    if isinstance(space, Mapping):
        space = space_from_mapping(space)
    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {}
    grid_values = space.values if isinstance(space, Grid) else space.fixed
    for path, values in grid_values.items():
        try:
            _lookup(data, path)
        except ModelError as error:
            problems.extend(error.problems)
            continue
        if not values:
            problems.append(Problem(path, values, "give at least one value"))
        problems.extend(p for v in values if (p := _check(data, path, v)) is not None)
    if isinstance(space, LatinHypercube):
        if space.n < 1:
            problems.append(Problem("n", space.n, "must be ≥ 1"))
        for path, bounds in space.ranges.items():
            try:
                current = _lookup(data, path)
            except ModelError as error:
                problems.extend(error.problems)
                continue
            if (len(bounds) != 2 or not all(isinstance(b, int | float) for b in bounds)
                    or isinstance(current, bool) or not isinstance(current, int | float)):
                problems.append(Problem(path, bounds, "a Latin hypercube range is [low, "
                                        "high] of a numeric field"))
                continue
            if bounds[0] > bounds[1]:
                problems.append(Problem(path, bounds, "low must be ≤ high"))
            problems.extend(p for v in bounds if (p := _check(data, path, v)) is not None)
    if problems:
        raise ModelError("sweep space", problems)
    if isinstance(space, Grid):
        rows = [dict(zip(space.values, combo, strict=True))
                for combo in _product([list(v) for v in space.values.values()])]
    else:
        from scipy.stats import qmc

        sample = qmc.LatinHypercube(d=len(space.ranges), seed=space.seed).random(space.n)
        lows = np.array([b[0] for b in space.ranges.values()], dtype=float)
        highs = np.array([b[1] for b in space.ranges.values()], dtype=float)
        scaled = qmc.scale(sample, lows, highs) if len(space.ranges) else sample
        integer = [isinstance(_lookup(data, p), int) for p in space.ranges]
        lhs = [{p: (round(float(x)) if is_int else float(x))
                for p, x, is_int in zip(space.ranges, row, integer, strict=True)}
               for row in scaled]
        combos = _product([list(v) for v in space.fixed.values()])
        rows = [{**dict(zip(space.fixed, combo, strict=True)), **point}
                for combo in combos for point in lhs]
    fingerprint = hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()
    ids = [hashlib.sha1((fingerprint + json.dumps(r, sort_keys=True)).encode()).hexdigest()[:16]
           for r in rows]
    for path in rows[0] if rows else ():
        columns[path] = [r[path] for r in rows]
    frame = pl.DataFrame({"point_id": ids, **columns}, strict=False)
    return frame.unique("point_id", keep="first", maintain_order=True)


def _product(lists: list[list[Any]]) -> list[tuple[Any, ...]]:
    import itertools

    return list(itertools.product(*lists))


# ------------------------------------------------------------------------------ one point

def _scalar_summary(name: str, result: Any) -> dict[str, Scalar]:
    row: dict[str, Scalar] = {}
    for key, value in registry.result_summary(result).items():
        if isinstance(value, bool | int | float | str) or value is None:
            row[f"{name}_{key}"] = value.item() if isinstance(value, np.generic) else value
        elif isinstance(value, np.generic):
            row[f"{name}_{key}"] = value.item()
    return row


def evaluate_point(data: dict[str, Any], values: Mapping[str, Any],
                   analyses: Sequence[str]) -> dict[str, Scalar]:
    """One design point's row: its values, then each analysis's scalar summary entries.

    The scenario propagates once (one shared geometry for every analysis). A point the
    model rejects, or an analysis that fails, gives a row with ``error`` set (the
    exception's type and message) rather than stopping the sweep; warnings are counted in
    ``n_warnings``.
    """
    row: dict[str, Scalar] = dict(values)
    start = time.perf_counter()
    caught: list[Any] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from .orbits.geometry import scenario_geometry

            scenario = from_mapping(_applied(data, values))
            geometry = scenario_geometry(scenario)
            results: dict[str, Any] = {}
            for spec in _chain(analyses):
                results[spec.name] = registry.run(spec, scenario, results=results,
                                                  geometry=geometry)
            for name in analyses:
                row.update(_scalar_summary(name, results[name]))
        row["error"] = None
    except Exception as error:  # noqa: BLE001 - one bad point must not end the sweep
        row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    row["n_warnings"] = len(caught)
    row["elapsed_s"] = time.perf_counter() - start
    return row


def _chain(analyses: Sequence[str]) -> list[Any]:
    chain: dict[str, Any] = {}
    for name in analyses:
        for spec in registry.requirements(name):
            chain.setdefault(spec.name, spec)
    return list(chain.values())


def run_batch(data: dict[str, Any], analyses: Sequence[str],
              points: list[dict[str, Any]]) -> list[dict[str, Scalar]]:
    """Rows of a batch of points (each a mapping with ``point_id`` and its values): the
    Dask task of a sweep."""
    out = []
    for point in points:
        values = {k: v for k, v in point.items() if k != "point_id"}
        out.append({"point_id": point["point_id"], **evaluate_point(data, values, analyses)})
    return out


# ------------------------------------------------------------------------------ the dataset

def _write_part(out: Path, rows: list[dict[str, Scalar]]) -> Path:
    """One batch's rows as ``part-<hash>.parquet`` under ``out``, written to a temporary
    name and renamed into place (a reader never sees half a file)."""
    frame = pl.from_dicts(rows, infer_schema_length=None)
    name = hashlib.sha1("".join(sorted(frame["point_id"])).encode()).hexdigest()[:16]
    target = out / f"part-{name}.parquet"
    tmp = out / f".{target.name}.{uuid.uuid4().hex}.tmp"
    frame.write_parquet(tmp)
    os.replace(tmp, target)
    return target


def read_results(out: str | Path) -> pl.DataFrame:
    """Every row written so far under ``out`` (an empty frame when none)."""
    parts = sorted(Path(out).glob(PART_GLOB))
    if not parts:
        return pl.DataFrame({"point_id": pl.Series([], dtype=pl.String)})
    return pl.concat([pl.read_parquet(p) for p in parts], how="diagonal_relaxed")


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep stands: points done (skipped ones included), of the total."""

    n_done: int
    n_total: int
    n_skipped: int
    elapsed_s: float

    @property
    def rate_per_s(self) -> float:
        """Points computed per second in this run."""
        n = self.n_done - self.n_skipped
        return n / self.elapsed_s if self.elapsed_s > 0 and n > 0 else 0.0

    @property
    def eta_s(self) -> float:
        """Seconds left at the current rate (inf before the first batch)."""
        rate = self.rate_per_s
        return (self.n_total - self.n_done) / rate if rate > 0 else math.inf


def _batches(points: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [points[i:i + size] for i in range(0, len(points), size)]


def _n_workers(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def sweep(base: Scenario | str | Path | Mapping[str, Any], space: Space | Mapping[str, Any],
          analyses: str | Sequence[str], *, client: Any = None, out: str | Path | None = None,
          batch_size: int | None = None, retries: int = 2,
          progress: Callable[[SweepProgress], None] | None = None) -> pl.DataFrame:
    """Run ``analyses`` at every design point of ``space`` on a Dask cluster.

    Parameters
    ----------
    base : Scenario, built-in name, YAML path or mapping
    space : Grid, LatinHypercube, or their YAML mapping (:func:`space_from_mapping`)
    analyses : registered analysis names (their inputs run too, e.g. capacity for business)
    client : dask.distributed.Client, scheduler address (str), or None
        None starts a ``LocalCluster`` of one single-threaded worker process per core on
        127.0.0.1 for this sweep and closes it afterwards.
    out : directory, optional
        Parquet dataset of finished batches (``part-*.parquet``); points already there are
        not computed again (resume).
    batch_size : points per task (default: sized from a timing of the first point so a
        task takes about ``TARGET_TASK_S``, with at least ``BATCHES_PER_WORKER`` batches
        per worker)
    retries : times Dask retries a batch that raised (a worker's death is handled by the
        scheduler: its batch runs again elsewhere)
    progress : callable(SweepProgress), optional, called after every batch

    Returns
    -------
    polars.DataFrame, one row per design point in the space's order: point_id (str), one
    column per path, ``<analysis>_<summary key>`` columns, error (str, null when the
    point ran), n_warnings (i64), elapsed_s (f64, s).

    Raises
    ------
    ModelError
        Before anything runs, for an unknown path or a value the scenario rejects.
    """
    analyses = (analyses,) if isinstance(analyses, str) else tuple(analyses)
    for name in analyses:
        registry.analysis(name)  # unknown names fail here, listing the known ones
    data = _base_data(base)
    points = design_points(base, space)
    wanted = points["point_id"]
    out_dir = Path(out) if out is not None else None
    done_rows: list[pl.DataFrame] = []
    finished: set[str] = set()
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        earlier = read_results(out_dir)
        earlier = earlier.filter(pl.col("point_id").is_in(wanted.implode()))
        finished = set(earlier["point_id"])
        if earlier.height:
            done_rows.append(earlier)
    pending = [p for p in points.iter_rows(named=True) if p["point_id"] not in finished]
    n_skipped = len(finished)
    start = time.perf_counter()

    def report(n_done: int) -> None:
        if progress is not None:
            progress(SweepProgress(n_done, points.height, n_skipped,
                                   time.perf_counter() - start))

    def keep(rows: list[dict[str, Scalar]]) -> None:
        if out_dir is not None:
            _write_part(out_dir, rows)
        done_rows.append(pl.from_dicts(rows, infer_schema_length=None))

    n_done = n_skipped
    report(n_done)
    if pending:
        own_cluster = None
        if client is None or isinstance(client, str):
            from dask.distributed import Client, LocalCluster

            if client is None:
                own_cluster = LocalCluster(n_workers=os.cpu_count() or 1,
                                           threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=":0")
                client = Client(own_cluster)
            else:
                client = Client(client)
            owned = client
        else:
            owned = None
        try:
            if batch_size is None:
                first = pending.pop(0)
                timed = time.perf_counter()
                keep(run_batch(data, analyses, [first]))
                per_point = time.perf_counter() - timed
                n_done += 1
                report(n_done)
                most = max(1, math.ceil(len(pending) / (BATCHES_PER_WORKER *
                                                        _n_workers(client))))
                batch_size = max(1, min(most, round(TARGET_TASK_S / max(per_point, 1e-6))))
            n_done = _run_on(client, data, analyses, _batches(pending, batch_size),
                             retries, keep, report, n_done)
        finally:
            if owned is not None:
                owned.close()
            if own_cluster is not None:
                own_cluster.close()
    frame = pl.concat(done_rows, how="diagonal_relaxed") if done_rows else points
    order = points.select("point_id").with_row_index("_order")
    return (order.join(frame, on="point_id", how="left").sort("_order").drop("_order"))


def _run_on(client: Any, data: dict[str, Any], analyses: tuple[str, ...],
            batches: list[list[dict[str, Any]]], retries: int,
            keep: Callable[[list[dict[str, Scalar]]], None],
            report: Callable[[int], None], n_done: int) -> int:
    """Submit the batches as one ``client.map`` and keep each as it completes."""
    from dask.distributed import as_completed

    if not batches:
        return n_done
    keys = ["sweep-batch-" + hashlib.sha1("".join(p["point_id"] for p in b).encode())
            .hexdigest()[:16] for b in batches]
    futures = client.map(run_batch, [data] * len(batches), [analyses] * len(batches),
                         batches, key=keys, retries=retries, pure=False)
    try:
        for _, rows in as_completed(futures, with_results=True):
            keep(rows)
            n_done += len(rows)
            report(n_done)
    finally:
        client.cancel(futures)
    return n_done


# ------------------------------------------------------------------------------ Pareto

def pareto_mask(values: np.ndarray, senses: Sequence[Sense]) -> np.ndarray:
    """Which rows of ``values`` (n, m) no other row dominates.

    Row j dominates row i when it is at least as good in every objective and better in
    one ("min": smaller is better, "max": larger). Equal rows do not dominate each other,
    so ties are all on the front; a row with a NaN objective is never on it.

    >>> pareto_mask(np.array([[1, 2], [2, 1], [2, 2], [1, 2]]), ["min", "min"]).tolist()
    [True, True, False, True]
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != len(senses):
        raise ModelError("pareto", [Problem("objectives", len(senses),
                                            f"values have shape {v.shape}")])
    signs = np.array([1.0 if s == "min" else -1.0 for s in senses])
    v = v * signs
    valid = ~np.isnan(v).any(axis=1)
    good = v[valid]
    dominated = np.zeros(good.shape[0], dtype=bool)
    block = max(1, 2_000_000 // max(1, good.shape[0] * good.shape[1]))
    for i0 in range(0, good.shape[0], block):
        rows = good[i0:i0 + block, None, :]  # (b, 1, m) candidates, vs all (1, n, m)
        le = (good[None] <= rows).all(axis=-1)
        lt = (good[None] < rows).any(axis=-1)
        dominated[i0:i0 + block] = (le & lt).any(axis=1)
    out = np.zeros(v.shape[0], dtype=bool)
    out[np.flatnonzero(valid)] = ~dominated
    return out


def pareto_front(frame: pl.DataFrame, objectives: Mapping[str, Sense]) -> pl.DataFrame:
    """``frame`` with an ``is_pareto`` column: rows no other row dominates in
    ``objectives`` (column → "min" or "max"); rows with an error or a null objective are
    never on the front."""
    problems = [Problem(f"objectives.{c}", c, "no such column; columns: "
                        + ", ".join(frame.columns)) for c in objectives if c not in
                frame.columns]
    problems += [Problem(f"objectives.{c}", s, "give min or max")
                 for c, s in objectives.items() if s not in ("min", "max")]
    if problems:
        raise ModelError("pareto", problems)
    values = frame.select(pl.col(c).cast(pl.Float64) for c in objectives).to_numpy().copy()
    if "error" in frame.columns:  # a failed point competes with nobody
        values[frame["error"].is_not_null().to_numpy()] = np.nan
    mask = pareto_mask(values, list(objectives.values()))
    return frame.with_columns(is_pareto=pl.Series(mask, dtype=pl.Boolean))


def load_sweep_file(path: str | Path) -> dict[str, Any]:
    """A sweep file (YAML, read with ``yaml.safe_load``, at most 1 MB): ``base``,
    ``space``, ``analyses`` and optionally ``objectives`` and ``batch_size``."""
    import yaml

    path = Path(path)
    if path.stat().st_size > 1_000_000:
        raise ModelError("sweep file", [Problem(str(path), path.stat().st_size,
                                                "is larger than 1 MB")])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = []
    if not isinstance(data, Mapping):
        raise ModelError("sweep file", [Problem(str(path), type(data).__name__,
                                                "give a mapping of base, space, analyses")])
    for key in ("base", "space", "analyses"):
        if key not in data:
            problems.append(Problem(key, None, "missing; a sweep file has base, space, "
                                    "analyses and optionally objectives, batch_size"))
    unknown = set(data) - {"base", "space", "analyses", "objectives", "batch_size"}
    problems += [Problem(k, data[k], "unknown key; a sweep file has base, space, analyses, "
                         "objectives, batch_size") for k in sorted(unknown)]
    if problems:
        raise ModelError("sweep file", problems)
    base = data["base"]
    if isinstance(base, str) and not base.strip().startswith("{") and (
            path.parent / base).is_file():
        base = path.parent / base
    return {"base": base, "space": space_from_mapping(data["space"]),
            "analyses": [data["analyses"]] if isinstance(data["analyses"], str)
            else list(data["analyses"]),
            "objectives": dict(data.get("objectives") or {}),
            "batch_size": data.get("batch_size")}


__all__ = ["Grid", "LatinHypercube", "Space", "SweepProgress", "design_points",
           "evaluate_point", "load_sweep_file", "pareto_front", "pareto_mask",
           "read_results", "run_batch", "space_from_mapping", "sweep"]

