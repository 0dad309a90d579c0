"""The ``workbench`` command: run a scenario to Parquet files, list and check scenarios.

``workbench run beijing-etown-demo -o out/`` loads a scenario (a built-in name or a YAML
file), propagates its constellation on the scenario's time grid and writes tidy Parquet
tables plus the exact scenario it ran (``scenario.yaml``) to the output directory.

Each subcommand is one ``_add_<name>(subparsers)`` function that registers its parser and
sets ``func``; new subcommands (``dashboard``, ``analyse``) add one function to
``_COMMANDS``. Heavy imports happen inside the command that needs them, so ``--help`` and
``--version`` stay instant.

Exit codes: 0 success; 1 ``validate`` found problems in the file; 2 the command could not
run (usage mistakes, unknown scenario, unreadable or invalid scenario, bad option values,
a job too big for memory); 130 interrupted (Ctrl-C). Errors print a one-line message (or
the list of problems) without a traceback; ``--debug`` shows the traceback.

Outputs are atomic: ``run`` writes its files into a temporary directory beside OUT_DIR
and swaps it into place in one step, so a killed run leaves the previous complete set (or
none) and never a mix.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from .model import Scenario

DEFAULT_SCENARIO = "beijing-etown-demo"
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

OUTPUT_FILES = ("satellites.parquet", "ephemeris_summary.parquet", "access_windows.parquet",
                "sunlight.parquet", "eclipses.parquet", "scenario.yaml")
"""What ``workbench run`` writes, in order."""
MAX_SITES_LISTED = 12


class UsageError(Exception):
    """A command-line mistake the user can fix (missing file, bad combination of options)."""


# --------------------------------------------------------------------------- helpers

def _resolve(spec: str) -> Path:
    """The YAML file behind a scenario argument: an existing path, else a built-in name."""
    path = Path(spec).expanduser()
    if path.is_file():
        return path
    if "/" in spec or "\\" in spec:
        raise UsageError(f"no such scenario file: {spec}")
    from . import datasets
    from .model import DatasetError

    try:
        return Path(datasets.scenario_path(spec))
    except DatasetError as exc:
        if path.suffix.lower() in (".yaml", ".yml"):
            raise UsageError(f"no such scenario file: {spec} (and no built-in scenario of "
                             "that name; `workbench scenarios` lists them)") from None
        raise UsageError(str(exc).replace("workbench.datasets.scenarios()",
                                          "`workbench scenarios`")) from None


def _load(spec: str) -> Scenario:
    from .model import load_scenario

    return load_scenario(_resolve(spec))


class _Progress:
    """Numbered progress lines on stderr: ``[2/4] sunlight … 1.3 s``."""

    def __init__(self, n_steps: int, *, quiet: bool) -> None:
        self.n_steps = n_steps
        self.index = 0
        self.quiet = quiet

    def note(self, text: str) -> None:
        if not self.quiet:
            print(f"workbench: {text}", file=sys.stderr, flush=True)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        self.index += 1
        prefix = f"[{self.index}/{self.n_steps}] {label}"
        self.note(f"{prefix} …")
        start = time.perf_counter()
        yield
        self.note(f"{prefix} done in {time.perf_counter() - start:.1f} s")


_PARTIAL = ".partial-"
_OLD = ".old-"


@contextmanager
def atomic_output_dir(target: Path) -> Iterator[Path]:
    """A temporary directory beside ``target`` that replaces it, complete, on success.

    Files written into the yielded directory become ``target`` in one step when the block
    ends without an error: on Linux an atomic exchange of the two directories
    (``renameat2(RENAME_EXCHANGE)``), elsewhere two renames (a run killed between them
    leaves the old set as ``.<name>.old-*``, restored by the next run). On an error or
    Ctrl-C the temporary directory is removed and ``target`` is untouched.

    ``target`` must be missing, empty, or hold only files a run writes
    (:data:`OUTPUT_FILES`): the swap replaces the whole directory.
    """
    target = Path(os.path.abspath(target))
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _tidy(parent, target)
    if target.exists():
        if not target.is_dir():
            raise UsageError(f"{target} exists and is not a directory")
        foreign = sorted(p.name for p in target.iterdir() if p.name not in OUTPUT_FILES)
        if foreign:
            raise UsageError(
                f"{target} holds files a run did not write ({', '.join(foreign[:3])}"
                f"{' …' if len(foreign) > 3 else ''}); a run replaces its whole output "
                "directory, so choose an empty or new one")
    work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}{_PARTIAL}"))
    try:
        yield work
        for path in work.iterdir():
            _fsync(path)
        _fsync(work)
        _swap(work, target)
        _fsync(parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # after an exchange it holds the old set


def _tidy(parent: Path, target: Path) -> None:
    """Remove what killed runs left beside ``target``; restore an old set the two-rename
    swap was interrupted in the middle of."""
    for path in parent.glob(f".{target.name}{_PARTIAL}*"):
        shutil.rmtree(path, ignore_errors=True)
    olds = sorted(parent.glob(f".{target.name}{_OLD}*"))
    if olds and not target.exists():
        os.rename(olds.pop(), target)
    for path in olds:
        shutil.rmtree(path, ignore_errors=True)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _swap(new: Path, target: Path) -> None:
    """Put directory ``new`` at ``target``; afterwards ``new`` holds the old set (if any)."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}{_OLD}"))
    os.rmdir(old)
    os.rename(target, old)
    os.rename(new, target)
    os.rename(old, new)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2`` with ``RENAME_EXCHANGE``)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                     rename_exchange) == 0


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} min"


# --------------------------------------------------------------------------- run

def ephemeris_summary(ephemeris: pl.DataFrame, satellites: pl.DataFrame) -> pl.DataFrame:
    """Per-satellite extremes of the sub-satellite track.

    Returns
    -------
    polars.DataFrame: sat_id (u32), name, shell, min_altitude_km, mean_altitude_km,
    max_altitude_km, min_lat_deg, max_lat_deg (float64; WGS84 geodetic, NaN steps
    ignored), n_steps (u32), n_failed_steps (u32: steps SGP4 could not propagate).
    """
    import polars as pl

    alt = pl.col("altitude_km").fill_nan(None)
    lat = pl.col("lat_deg").fill_nan(None)
    stats = ephemeris.group_by("sat_id").agg(
        min_altitude_km=alt.min(), mean_altitude_km=alt.mean(), max_altitude_km=alt.max(),
        min_lat_deg=lat.min(), max_lat_deg=lat.max(),
        n_steps=pl.len().cast(pl.UInt32), n_failed_steps=alt.null_count().cast(pl.UInt32))
    return (satellites.select("sat_id", "name", "shell")
            .join(stats, on="sat_id", how="left").sort("sat_id"))


def sunlight_summary(is_sunlit: Any, eclipses: pl.DataFrame,
                     satellites: pl.DataFrame, *, failed_sat_ids: Any = ()) -> pl.DataFrame:
    """Per-satellite sunlit fraction and eclipse time per orbit.

    Parameters
    ----------
    is_sunlit : bool array (n_sats, n_times) from :func:`workbench.orbits.sunlit`
    eclipses : frame from :func:`workbench.orbits.eclipse_intervals`
    satellites : ``Constellation.satellites``
    failed_sat_ids : satellites SGP4 failed on at some step: their sunlit_frac and
        eclipse_s_per_orbit are null (a failed step would count as sunlit)

    Returns
    -------
    polars.DataFrame: sat_id (u32), name, sunlit_frac (float64, share of grid steps in
    sunlight), period_s (float64, from the mean motion), eclipse_s_per_orbit (float64,
    ``(1 − sunlit_frac) · period_s``), n_eclipses (u32, intervals seen on the grid,
    including ones cut by its ends), max_eclipse_s (float64, 0 when none).
    """
    import numpy as np
    import polars as pl

    sunlit_frac = np.asarray(is_sunlit, dtype=np.float64).mean(axis=1)
    sunlit_frac[np.asarray(list(failed_sat_ids), dtype=np.int64)] = np.nan
    per_sat = eclipses.group_by("sat_id").agg(
        n_eclipses=pl.len().cast(pl.UInt32), max_eclipse_s=pl.col("duration_s").max())
    return (satellites.select(
                "sat_id", "name",
                sunlit_frac=pl.Series(sunlit_frac).fill_nan(None),
                period_s=86400.0 / pl.col("mean_motion_rev_per_day"))
            .with_columns(eclipse_s_per_orbit=(1.0 - pl.col("sunlit_frac")) * pl.col("period_s"))
            .join(per_sat.cast({"sat_id": pl.UInt32}), on="sat_id", how="left")
            .with_columns(pl.col("n_eclipses").fill_null(0),
                          pl.col("max_eclipse_s").fill_null(0.0).cast(pl.Float64))
            .sort("sat_id"))


def _run(args: argparse.Namespace) -> int:
    import polars as pl

    from .orbits import access_windows, eclipse_intervals, ephemeris, sunlit

    started = time.perf_counter()
    progress = _Progress(4, quiet=args.quiet)
    scenario = _load(args.scenario)
    changes: dict[str, float] = {}
    if args.hours is not None:
        changes["duration_s"] = args.hours * 3600.0
    if args.step is not None:
        changes["step_s"] = args.step
    if changes:
        scenario = scenario.replace(**changes)
    grid = scenario.time_grid
    constellation, epoch = scenario.constellation, scenario.epoch_utc
    satellites = constellation.satellites
    progress.note(f"scenario {scenario.name}: {len(constellation):,} satellites × "
                  f"{len(grid):,} steps, {len(scenario.ground)} ground sites")

    with progress.step("ephemeris"):
        summary = ephemeris_summary(ephemeris(constellation, grid, epoch=epoch), satellites)
    with progress.step("sunlight"):
        is_sunlit = sunlit(constellation, grid, epoch=epoch)
    failed = summary.filter(pl.col("n_failed_steps") > 0)["sat_id"]
    with progress.step("eclipses"):
        eclipses = eclipse_intervals(constellation, grid, epoch=epoch)
        sunlight = sunlight_summary(is_sunlit, eclipses, satellites,
                                    failed_sat_ids=failed.to_list())
    with progress.step("access windows"):
        windows = access_windows(constellation, scenario.ground, grid, epoch=epoch)

    out = Path(args.output)
    frames = {"satellites.parquet": satellites, "ephemeris_summary.parquet": summary,
              "access_windows.parquet": windows, "sunlight.parquet": sunlight,
              "eclipses.parquet": eclipses}
    with atomic_output_dir(out) as work:
        for name, frame in frames.items():
            frame.write_parquet(work / name)
        (work / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")

    per_site = (pl.DataFrame({"site": [s.name for s in scenario.ground]},
                             schema={"site": pl.String})
                .join(windows.group_by("site").agg(n_windows=pl.len(),
                                                   median_s=pl.col("duration_s").median()),
                      on="site", how="left", maintain_order="left")
                .with_columns(pl.col("n_windows").fill_null(0)))
    hours = grid.offsets_s[-1] / 3600.0
    lines = [
        f"Scenario     {scenario.name}",
        f"Satellites   {len(constellation):,} ({constellation.name})",
        f"Time grid    {len(grid):,} steps of {grid.step_s:g} s from "
        f"{grid.start:%Y-%m-%d %H:%M} UTC ({hours:g} h)",
        f"Ground sites {len(scenario.ground)}",
    ]
    for row in per_site.head(MAX_SITES_LISTED).iter_rows(named=True):
        lines.append(f"  {row['site']}: {row['n_windows']:,} access windows, "
                     f"median pass {_minutes(row['median_s'])}")
    if per_site.height > MAX_SITES_LISTED:
        lines.append(f"  … and {per_site.height - MAX_SITES_LISTED:,} more sites "
                     "(access_windows.parquet has them all)")
    lines += [
        f"Median pass  {_minutes(windows['duration_s'].median() if windows.height else None)}"
        f" over {windows.height:,} windows",
        _sunlit_line(sunlight, eclipses, failed.len()),
        f"Wrote        {len(OUTPUT_FILES)} files to {out}",
        f"Wall time    {time.perf_counter() - started:.1f} s",
    ]
    print("\n".join(lines))
    return EXIT_OK


def _sunlit_line(sunlight: pl.DataFrame, eclipses: pl.DataFrame, n_failed: int) -> str:
    """The summary's sunlight line: means over the satellites SGP4 propagated throughout."""
    mean = sunlight["sunlit_frac"].mean()
    left_out = (f"; {n_failed:,} satellites that failed SGP4 are left out of the averages "
                "(ephemeris_summary.parquet n_failed_steps)") if n_failed else ""
    if mean is None:
        return f"Sunlit       — (no satellite propagated throughout){left_out}"
    return (f"Sunlit       {mean:.1%} of the time on average (eclipse "
            f"{_minutes(sunlight['eclipse_s_per_orbit'].mean())} per orbit); "
            f"{eclipses.height:,} eclipses{left_out}")


def _add_run(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run a scenario and write Parquet tables",
        description="Propagate a scenario's constellation on its time grid and write "
                    + ", ".join(OUTPUT_FILES) + " to OUT_DIR.")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help="built-in scenario name or YAML file "
                             f"(default: {DEFAULT_SCENARIO}; see `workbench scenarios`)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR",
                        help="directory for the output files (created if missing; "
                             "replaced as a whole, so it must hold only a previous run's "
                             "files)")
    parser.add_argument("--hours", type=float, metavar="H",
                        help="analysis length in hours (default: the scenario's duration)")
    parser.add_argument("--step", type=float, metavar="S",
                        help="time step in seconds (default: the scenario's step)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr")
    parser.set_defaults(func=_run)


# --------------------------------------------------------------------------- scenarios

def _scenarios(args: argparse.Namespace) -> int:
    from . import datasets
    from .model.yaml_io import load_yaml, read_text

    for name in datasets.scenarios():
        path = Path(datasets.scenario_path(name))
        data = load_yaml(read_text(path, what="scenario file"), source=str(path))
        description = " ".join(str(data.get("description", "")).split()) if isinstance(
            data, dict) else ""
        marker = " (default)" if name == DEFAULT_SCENARIO else ""
        print(f"{name}{marker}" + (f"\n    {description}" if description else ""))
    return EXIT_OK


def _add_scenarios(subparsers: Any) -> None:
    parser = subparsers.add_parser("scenarios", help="list the built-in scenarios",
                                   description="List the scenarios shipped with the workbench.")
    parser.set_defaults(func=_scenarios)


# --------------------------------------------------------------------------- validate

STEP_NOTE_S = 120.0
"""Above this step, access windows (minutes long in LEO) start and end coarsely."""
TLE_AGE_NOTE_DAYS = 14.0
"""SGP4 errors grow by kilometres a day away from the element epoch."""


def notes(scenario: Scenario) -> list[str]:
    """Advice on a valid scenario: things that will run but may not mean what you expect."""
    found = []
    if len(scenario.ground) == 0:
        found.append("ground.sites=(): no ground sites, so there are no access windows")
    if scenario.step_s > STEP_NOTE_S:
        found.append(f"step_s={scenario.step_s:g}: access windows in LEO last minutes; steps "
                     f"above {STEP_NOTE_S:g} s time them coarsely")
    epochs = scenario.constellation.satellites["epoch_utc"].drop_nulls()
    if epochs.len():
        age_days = (epochs - scenario.epoch_utc).dt.total_seconds().abs() / 86400.0
        worst = float(age_days.max())  # type: ignore[arg-type]
        if worst > TLE_AGE_NOTE_DAYS:
            n_old = int((age_days > TLE_AGE_NOTE_DAYS).sum())
            found.append(f"epoch_utc={scenario.epoch_utc:%Y-%m-%d}: {n_old:,} TLE epochs are "
                         f"more than {TLE_AGE_NOTE_DAYS:g} days away (up to {worst:.0f}); "
                         "SGP4 accuracy degrades")
    return found


def _validate(args: argparse.Namespace) -> int:
    from .model import DatasetError, ModelError, load_scenario

    path = _resolve(args.file)
    try:
        scenario = load_scenario(path)
    except (ModelError, DatasetError) as exc:
        print(f"{args.file}: INVALID\n{exc}")
        return EXIT_INVALID
    print(f"{args.file}: OK — scenario {scenario.name}: {len(scenario.constellation):,} "
          f"satellites, {len(scenario.ground)} ground sites, "
          f"{len(scenario.applications)} applications, {len(scenario.time_grid):,} time steps")
    for note in notes(scenario):
        print(f"  note: {note}")
    return EXIT_OK


def _add_validate(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a scenario file and report its problems",
        description="Load a scenario and report every invalid field (exit 1) or OK (exit 0), "
                    "with notes on settings that run but may mislead.")
    parser.add_argument("file", metavar="FILE.yaml", help="scenario YAML file or built-in name")
    parser.set_defaults(func=_validate)


def _cesium_install(args: argparse.Namespace) -> int:
    import subprocess

    from .widgets.cesium import CESIUM_VERSION, install_cesium
    from .widgets.jupyter_server import enable

    version = args.version or CESIUM_VERSION
    print(f"installing CesiumJS {version} from the npm registry …", file=sys.stderr)
    try:
        build = install_cesium(args.dest, version, force=args.force)
    except subprocess.CalledProcessError as exc:
        output = exc.stdout.decode(errors="replace") if exc.stdout else ""
        raise UsageError(f"npm install cesium@{version} failed (exit {exc.returncode}):\n"
                         f"{output.strip()}") from None
    except RuntimeError as exc:
        raise UsageError(str(exc)) from None
    print(f"Cesium build  {build}")
    if args.dest is not None:
        print(f"Point the globe at it: export WORKBENCH_CESIUM_DIR={build}")
    if not args.no_jupyter:
        print(f"JupyterLab    serves it through the workbench server extension ({enable()})")
    return EXIT_OK


def _add_cesium(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cesium", help="install CesiumJS locally for offline globes",
        description="Offline globes: install the CesiumJS build from the npm registry (needs "
                    "Node.js/npm) and serve it to JupyterLab, so the globe needs no CDN.")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="npm-install the Cesium build into the cache")
    install.add_argument("--dest", type=Path, default=None,
                         help="npm prefix to install into (default: the workbench cache, "
                              "~/.cache/workbench/cesium/VERSION)")
    install.add_argument("--version", default=None, help="CesiumJS version (default: pinned)")
    install.add_argument("--force", action="store_true", help="reinstall even if present")
    install.add_argument("--no-jupyter", action="store_true",
                         help="do not enable the JupyterLab server extension")
    install.set_defaults(func=_cesium_install)


# --------------------------------------------------------------------------- main

_COMMANDS: tuple[Callable[[Any], None], ...] = (_add_run, _add_scenarios, _add_validate,
                                                _add_cesium)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Space Computing Workbench: plan computing in space — constellations, "
                    "onboard compute, ground sites — and get the results as Parquet tables.",
        epilog="Example: workbench run beijing-etown-demo -o out/ --hours 2. Exit codes: 0 "
               "done, 1 invalid input (validate), 2 usage or run error, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an error (anywhere on the line)")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in _COMMANDS:
        add(subparsers)
    return parser


def _show_warning(seen: set[str]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints each distinct warning once, on one line."""

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        text = str(message)
        if text not in seen:
            seen.add(text)
            print(f"workbench: warning: {text}", file=sys.stderr, flush=True)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    try:
        return _main(argv, debug=debug)
    except KeyboardInterrupt:
        _traceback(debug)
        print("workbench: interrupted", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED


def _main(argv: list[str], *, debug: bool) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    from .model.errors import WorkbenchError

    with warnings.catch_warnings():
        warnings.simplefilter("always")  # shown once each, as one line (_show_warning)
        warnings.showwarning = _show_warning(set())
        try:
            return int(args.func(args))
        except (WorkbenchError, UsageError, OSError) as exc:
            _traceback(debug)
            print(f"workbench: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        except Exception as exc:  # a bug, not the user's input: say so in one line
            _traceback(debug)
            print(f"workbench: internal error: {type(exc).__name__}: "
                  f"{str(exc)[:300]} (run again with --debug for the traceback, and "
                  "please report it)", file=sys.stderr)
            return EXIT_ERROR


def _traceback(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()


if __name__ == "__main__":
    sys.exit(main())
