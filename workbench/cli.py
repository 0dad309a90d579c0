"""The ``workbench`` command: run a scenario to Parquet files, list and check scenarios.

``workbench run beijing-etown-demo -o out/`` loads a scenario (a built-in name or a YAML
file), propagates its constellation on the scenario's time grid and writes tidy Parquet
tables plus the exact scenario it ran (``scenario.yaml``) to the output directory.

Each subcommand is one ``_add_<name>(subparsers)`` function that registers its parser and
sets ``func``; new subcommands (``dashboard``) add one function to ``_COMMANDS``.
``workbench analyse NAME SCENARIO -o DIR`` runs one registered analysis (and the analyses
it takes results from) and writes its frames as Parquet and its summary as JSON;
``workbench extensions list`` shows every plugin the workbench found. Heavy imports happen inside the command that needs them, so ``--help`` and
``--version`` stay instant.

Exit codes: 0 success; 1 ``validate`` found problems in the file; 2 the command could not
run (unknown scenario, unreadable or invalid scenario, bad option values). Expected errors
print their message without a traceback.
"""
from __future__ import annotations

import argparse
import sys
import time
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
    from .scenarios import load_scenario

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
                     satellites: pl.DataFrame) -> pl.DataFrame:
    """Per-satellite sunlit fraction and eclipse time per orbit.

    Parameters
    ----------
    is_sunlit : bool array (n_sats, n_times) from :func:`workbench.orbits.sunlit`
    eclipses : frame from :func:`workbench.orbits.eclipse_intervals`
    satellites : ``Constellation.satellites``

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
    per_sat = eclipses.group_by("sat_id").agg(
        n_eclipses=pl.len().cast(pl.UInt32), max_eclipse_s=pl.col("duration_s").max())
    return (satellites.select(
                "sat_id", "name",
                sunlit_frac=pl.Series(sunlit_frac),
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
    with progress.step("eclipses"):
        eclipses = eclipse_intervals(constellation, grid, epoch=epoch)
        sunlight = sunlight_summary(is_sunlit, eclipses, satellites)
    with progress.step("access windows"):
        windows = access_windows(constellation, scenario.ground, grid, epoch=epoch)

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    frames = {"satellites.parquet": satellites, "ephemeris_summary.parquet": summary,
              "access_windows.parquet": windows, "sunlight.parquet": sunlight,
              "eclipses.parquet": eclipses}
    for name, frame in frames.items():
        frame.write_parquet(out / name)
    (out / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")

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
        f"Sunlit       {sunlight['sunlit_frac'].mean():.1%} of the time on average "
        f"(eclipse {_minutes(sunlight['eclipse_s_per_orbit'].mean())} per orbit); "
        f"{eclipses.height:,} eclipses",
        f"Wrote        {len(OUTPUT_FILES)} files to {out}",
        f"Wall time    {time.perf_counter() - started:.1f} s",
    ]
    print("\n".join(lines))
    return EXIT_OK


def _add_run(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run a scenario and write Parquet tables",
        description="Propagate a scenario's constellation on its time grid and write "
                    + ", ".join(OUTPUT_FILES) + " to OUT_DIR.")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help="built-in scenario name or YAML file "
                             f"(default: {DEFAULT_SCENARIO}; see `workbench scenarios`)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR",
                        help="directory for the output files (created if missing)")
    parser.add_argument("--hours", type=float, metavar="H",
                        help="analysis length in hours (default: the scenario's duration)")
    parser.add_argument("--step", type=float, metavar="S",
                        help="time step in seconds (default: the scenario's step)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr")
    parser.set_defaults(func=_run)


# --------------------------------------------------------------------------- scenarios

def _scenarios(args: argparse.Namespace) -> int:
    import yaml

    from . import datasets

    for name in datasets.scenarios():
        data = yaml.safe_load(Path(datasets.scenario_path(name)).read_text(encoding="utf-8"))
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
    from .model import DatasetError, ModelError
    from .scenarios import load_scenario

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


# --------------------------------------------------------------------------- dashboard

def _dashboard(args: argparse.Namespace) -> int:
    import json

    from .dashboard.serve import serve_dashboard
    from .locale import LanguageError, normalize_language

    try:
        lang = normalize_language(args.lang)
    except LanguageError as exc:
        raise UsageError(str(exc)) from None
    path = _resolve(args.scenario)
    scenario = _load(args.scenario)
    own_file = Path(args.scenario).expanduser().is_file()
    extra = None
    if args.oauth_extra_params:
        try:
            extra = json.loads(args.oauth_extra_params)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--oauth-extra-params: not JSON ({exc})") from None
    print(f"workbench dashboard: {scenario.name} on http://{args.address}:{args.port}/ "
          f"(Ctrl-C stops)", file=sys.stderr)
    serve_dashboard(
        scenario, address=args.address, port=args.port, lang=lang,
        save_path=path if own_file else None, show=not args.no_browser,
        websocket_origin=args.allow_websocket_origin or None,
        basic_auth=args.basic_auth, cookie_secret=args.cookie_secret,
        oauth_provider=args.oauth_provider, oauth_key=args.oauth_key,
        oauth_secret=args.oauth_secret, oauth_redirect_uri=args.oauth_redirect_uri,
        oauth_extra_params=extra, oauth_encryption_key=args.oauth_encryption_key,
        oauth_jwt_user=args.oauth_jwt_user,
        oauth_refresh_tokens=True if args.oauth_refresh_tokens else None,
        oauth_optional=True if args.oauth_optional else None)
    return EXIT_OK


def _add_dashboard(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dashboard", help="present a scenario: the Panel dashboard in the browser",
        description="Serve the presenting dashboard (forms, globe, analyses, compare, story "
                    "mode) on this machine and open it in the browser. Works offline with "
                    "the local Cesium build (`workbench cesium install`).")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=f"built-in name or YAML file (default: {DEFAULT_SCENARIO}); "
                             "a file can be saved back from the dashboard")
    parser.add_argument("--address", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    parser.add_argument("--allow-websocket-origin", action="append", default=[],
                        metavar="HOST[:PORT]",
                        help="host allowed to open the websocket (repeat for several)")
    parser.add_argument("--lang", default="en",
                        help="language of the page: en or zh (each visitor can switch; "
                             "?lang=zh in the URL)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    auth = parser.add_argument_group("authentication (passed to Panel)")
    auth.add_argument("--basic-auth", default=None,
                      help="a password, or a JSON file of user → password")
    auth.add_argument("--cookie-secret", default=None, help="secret that signs cookies")
    auth.add_argument("--oauth-provider", default=None, help="OAuth provider (github, …)")
    auth.add_argument("--oauth-key", default=None, help="OAuth client key")
    auth.add_argument("--oauth-secret", default=None, help="OAuth client secret")
    auth.add_argument("--oauth-redirect-uri", default=None, help="OAuth redirect URI")
    auth.add_argument("--oauth-extra-params", default=None, help="extra OAuth params (JSON)")
    auth.add_argument("--oauth-encryption-key", default=None, help="OAuth encryption key")
    auth.add_argument("--oauth-jwt-user", default=None, help="JWT claim holding the user")
    auth.add_argument("--oauth-refresh-tokens", action="store_true",
                      help="refresh OAuth access tokens")
    auth.add_argument("--oauth-optional", action="store_true",
                      help="let visitors in without logging in")
    parser.set_defaults(func=_dashboard)


# --------------------------------------------------------------------------- analyse

def _json_value(value: Any) -> Any:
    """A summary value as JSON: numbers stay numbers (NaN and ±inf become null), the rest
    text."""
    import math

    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return None
    return int(number) if isinstance(value, int) or (
        hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu") else number


def write_results(results: dict[str, Any], scenario: Scenario, out: Path, *,
                  force: bool = False) -> list[Path]:
    """Write each result's frames as ``NAME/FRAME.parquet`` and its summary as
    ``NAME/summary.json`` (plus the ``scenario.yaml`` it ran) to ``out``, atomically: all
    files go to a temporary directory beside ``out`` that is then renamed into place.

    An existing non-empty ``out`` is replaced only with ``force``. Returns the files written,
    relative to ``out``.
    """
    import json
    import os
    import shutil
    import tempfile

    from .analyses.registry import result_frames, result_summary

    out = out.expanduser()
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o {out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"-o {out}: directory is not empty (pass --force to replace it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    written: list[Path] = []
    try:
        for name, result in results.items():
            folder = staging / name
            folder.mkdir()
            for frame_name, frame in result_frames(result).items():
                frame.write_parquet(folder / f"{frame_name}.parquet")
                written.append(Path(name) / f"{frame_name}.parquet")
            summary = {str(k): _json_value(v) for k, v in result_summary(result).items()}
            (folder / "summary.json").write_text(
                json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                encoding="utf-8")
            written.append(Path(name) / "summary.json")
        (staging / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
        written.append(Path("scenario.yaml"))
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / "previous")
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _analyse(args: argparse.Namespace) -> int:
    from .analyses import registry

    started = time.perf_counter()
    try:
        chain = registry.requirements(args.analysis)
    except registry.UnknownAnalysisError as exc:
        raise UsageError(str(exc)) from None
    scenario = _load(args.scenario)
    changes: dict[str, float] = {}
    if args.hours is not None:
        changes["duration_s"] = args.hours * 3600.0
    if args.step is not None:
        changes["step_s"] = args.step
    if changes:
        scenario = scenario.replace(**changes)
    progress = _Progress(len(chain), quiet=args.quiet)
    progress.note(f"scenario {scenario.name}: {len(scenario.constellation):,} satellites × "
                  f"{len(scenario.time_grid):,} steps; running "
                  + " → ".join(spec.name for spec in chain))
    results: dict[str, Any] = {}
    for spec in chain:
        with progress.step(spec.name):
            results[spec.name] = registry.run(spec, scenario, results=results)
    out = Path(args.output)
    written = write_results(results, scenario, out, force=args.force)
    lines = [f"Scenario     {scenario.name}", f"Analyses     {' → '.join(results)}"]
    for name, result in results.items():
        frames = registry.result_frames(result)
        lines.append(f"  {name}: " + (", ".join(f"{k} ({v.height:,} rows)"
                                                for k, v in frames.items()) or "no frames"))
        for key, value in list(registry.result_summary(result).items())[:MAX_SITES_LISTED]:
            shown = f"{value:,.4g}" if isinstance(value, float) else str(value)
            lines.append(f"    {key} = {shown}")
    lines += [f"Wrote        {len(written)} files to {out}",
              f"Wall time    {time.perf_counter() - started:.1f} s"]
    print("\n".join(lines))
    return EXIT_OK


def _add_analyse(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "analyse", aliases=["analyze"], help="run one registered analysis to Parquet + JSON",
        description="Run a registered analysis (and the analyses whose results it takes) on "
                    "a scenario; write each result frame as OUT_DIR/NAME/FRAME.parquet and "
                    "its summary as OUT_DIR/NAME/summary.json. `workbench extensions list` "
                    "shows the registered analyses.")
    parser.add_argument("analysis", metavar="NAME", help="analysis name (capacity, latency, "
                                                         "business, … or a plugin's)")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help=f"built-in or plugin scenario name, or YAML file "
                             f"(default: {DEFAULT_SCENARIO})")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR",
                        help="directory for the output files (written atomically)")
    parser.add_argument("--force", action="store_true",
                        help="replace OUT_DIR if it exists and is not empty")
    parser.add_argument("--hours", type=float, metavar="H",
                        help="analysis length in hours (default: the scenario's duration)")
    parser.add_argument("--step", type=float, metavar="S",
                        help="time step in seconds (default: the scenario's step)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr")
    parser.set_defaults(func=_analyse)


# --------------------------------------------------------------------------- extensions

def extension_rows() -> list[dict[str, str]]:
    """One row per discovered entry point: group, name, distribution, version, value and
    status (``ok``, or why it was skipped)."""
    import warnings

    from . import datasets, extensions
    from .analyses.registry import AnalysisSpec

    with warnings.catch_warnings():  # the status column says it; no warning lines too
        warnings.simplefilter("ignore", extensions.PluginWarning)
        broken = {p.plugin: p.error for p in extensions.problems()}
        broken.update({p.plugin: p.error for p in datasets.plugin_problems()})
        rows = []
        for plugin in extensions.plugins():
            status = broken.get(plugin)
            if status is None and plugin.group == "workbench.analyses":
                value = extensions.load(plugin)
                if not isinstance(value, AnalysisSpec):
                    status = f"{type(value).__name__}, not an AnalysisSpec"
            rows.append({"group": plugin.group, "name": plugin.name,
                         "distribution": plugin.distribution, "version": plugin.version,
                         "value": plugin.value,
                         "status": "ok" if status is None else f"skipped: {status}"})
    return rows


def _extensions_list(args: argparse.Namespace) -> int:
    from . import extensions

    rows = extension_rows()
    groups = [args.group] if args.group else list(extensions.GROUPS)
    for group in groups:
        if group not in extensions.GROUPS:
            raise UsageError(f"--group {group!r}: must be one of {', '.join(extensions.GROUPS)}")
        print(f"{group}  ({extensions.GROUPS[group]})")
        found = [r for r in rows if r["group"] == group]
        for row in found:
            release = f" {row['version']}" if row["version"] else ""
            print(f"  {row['name']:<18} {row['distribution']}{release}  {row['value']}  "
                  f"[{row['status']}]")
        if not found:
            print("  (none registered)")
    if extensions.plugins_disabled():
        print(f"{extensions.DISABLE_ENV} is set: third-party plugins are off")
    return EXIT_OK


def _add_extensions(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extensions", help="list the plugins (entry points) the workbench found",
        description="The entry points of every workbench group — analyses, chips, "
                    "platforms, ground stations, constellations, scenarios, policies — with "
                    "the distribution that registers each and whether it loads.")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list groups, names, distributions, status")
    listing.add_argument("--group", default=None, help="only this entry-point group")
    listing.set_defaults(func=_extensions_list)


# --------------------------------------------------------------------------- main

_COMMANDS: tuple[Callable[[Any], None], ...] = (_add_run, _add_analyse, _add_scenarios,
                                                _add_validate, _add_extensions, _add_cesium,
                                                _add_dashboard)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Space Computing Workbench: plan computing in space — constellations, "
                    "onboard compute, ground sites — and get the results as Parquet tables.",
        epilog="Example: workbench run beijing-etown-demo -o out/ --hours 2")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in _COMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    from .model.errors import WorkbenchError

    try:
        return int(args.func(args))
    except (WorkbenchError, UsageError, OSError) as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
