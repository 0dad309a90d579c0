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
run (usage mistakes, unknown scenario, unreadable or invalid scenario, bad option values,
a job too big for memory); 130 interrupted (Ctrl-C). Errors print a one-line message (or
the list of problems) without a traceback; ``--debug`` shows the traceback.

Outputs are atomic: ``run`` writes its files into a temporary directory beside OUT_DIR
and swaps it into place in one step, so a killed run leaves the previous complete set (or
none) and never a mix.
"""
from __future__ import annotations

import argparse
import sys
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
    """A scenario from a built-in name, a YAML file or a Hypatia satellite-network-state
    folder (one holding ``tles.txt``: :func:`workbench.io.hypatia.load_hypatia`)."""
    folder = Path(spec).expanduser()
    if folder.is_dir() and (folder / "tles.txt").is_file():
        from .io.hypatia import load_hypatia

        return load_hypatia(folder)
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


@contextmanager
def atomic_output_dir(target: Path) -> Iterator[Path]:
    """A temporary directory beside ``target`` that replaces it, complete, on success
    (:func:`workbench.io.folder.atomic_folder`, which refuses a ``target`` holding files
    other than :data:`OUTPUT_FILES`: the swap replaces the whole directory)."""
    from .io.folder import atomic_folder

    with atomic_folder(target, owned=OUTPUT_FILES, writer="a run") as work:
        yield work


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} min"



# --------------------------------------------------------------------------- assumptions

MIN_GRID_STEPS = 10
"""Fewer grid steps than this cannot time a pass or an eclipse: ``run`` refuses them."""


def check_grid(scenario: Scenario) -> list[str]:
    """Refuse (UsageError) a grid of fewer than :data:`MIN_GRID_STEPS` steps; return
    warnings for one shorter than an orbit or with steps as long as a pass."""
    grid = scenario.time_grid
    if len(grid) < MIN_GRID_STEPS:
        raise UsageError(
            f"the time grid has {len(grid)} step{'s' * (len(grid) != 1)} "
            f"({scenario.duration_s:g} s every {scenario.step_s:g} s); at least "
            f"{MIN_GRID_STEPS} are needed to time passes and eclipses: use a longer "
            "--hours or a shorter --step")
    found = []
    sats = scenario.constellation.satellites
    period_min_s = 86400.0 / float(sats["mean_motion_rev_per_day"].max())
    if scenario.duration_s < period_min_s:
        found.append(f"duration_s={scenario.duration_s:g}: shorter than one orbit "
                     f"({period_min_s / 60:.1f} min), so passes and eclipses are cut by the "
                     "grid's ends")
    if scenario.step_s > STEP_NOTE_S:
        found.append(f"step_s={scenario.step_s:g}: LEO passes last minutes; steps above "
                     f"{STEP_NOTE_S:g} s time them coarsely (a pass shorter than a step may "
                     "show as 0.0 min)")
    return found


def assumption_lines(scenario: Scenario) -> list[str]:
    """What a run assumed that its tables do not show: the elevation mask in force for
    each site role, and for TLE sets the element age in days against the epoch."""
    from .model.ground import DEFAULT_MIN_ELEVATION_DEG

    masks: dict[str, set[float]] = {}
    for site in scenario.ground:
        masks.setdefault(site.role, set()).add(site.elevation_mask_deg)
    lines = []
    if masks:
        shown = []
        for role, values in masks.items():
            text = "/".join(f"{v:g}°" for v in sorted(values))
            default = DEFAULT_MIN_ELEVATION_DEG[role]
            note = "" if values == {default} else f" (role default {default:g}°)"
            shown.append(f"{role} {text}{note}")
        lines.append("Elevation    masks by site role: " + ", ".join(shown))
    epochs = scenario.constellation.satellites["epoch_utc"].drop_nulls()
    if epochs.len():
        age_days = (scenario.epoch_utc - epochs).dt.total_seconds() / 86400.0
        lines.append(f"TLE age      {float(age_days.median()):,.1f} days median, "
                     f"{float(age_days.abs().max()):,.1f} days at most, between element "
                     f"epochs and the scenario epoch ({epochs.len():,} element sets; SGP4 "
                     f"errors grow with age, see `workbench validate`)")
    return lines

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

    from .io.parquet import write_parquet
    from .orbits import access_windows, eclipse_intervals, ephemeris, sunlit

    started = time.perf_counter()
    progress = _Progress(4, quiet=args.quiet)
    scenario = _load(args.scenario)
    changes: dict[str, float] = {}
    if args.hours is not None:
        changes["duration_s"] = args.hours * 3600.0
    if args.step is not None:
        changes["step_s"] = args.step
    if getattr(args, "tle", None) is not None:
        changes["constellation"] = tle_constellation(args.tle, args.checksum)
    if changes:
        scenario = scenario.replace(**changes)
    grid_notes = check_grid(scenario)
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
            write_parquet(frame, work / name)
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
    lines[3:3] = assumption_lines(scenario)
    for row in per_site.head(MAX_SITES_LISTED).iter_rows(named=True):
        lines.append(f"  {row['site']}: {row['n_windows']:,} access windows, "
                     f"median pass {_minutes(row['median_s'])} "
                     f"(mask {scenario.ground[row['site']].elevation_mask_deg:g}°)")
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
    lines += [f"Warning      {note}" for note in grid_notes]
    print("\n".join(lines))
    return EXIT_OK


def tle_constellation(path: str, checksum: str = "error") -> Any:
    """The constellation of a TLE file given on the command line (``--tle FILE``): every
    element set of the file, its checksums checked by ``checksum`` (error, warn, skip)."""
    from .model import Constellation

    file = Path(path).expanduser()
    if not file.is_file():
        raise UsageError(f"no such TLE file: {path}")
    return Constellation.from_tle(file, checksum=checksum)  # type: ignore[arg-type]


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
                        help="built-in scenario name, YAML file or Hypatia folder "
                             f"(default: {DEFAULT_SCENARIO}; see `workbench scenarios`)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR",
                        help="directory for the output files (created if missing; "
                             "replaced as a whole, so it must hold only a previous run's "
                             "files)")
    parser.add_argument("--hours", type=float, metavar="H",
                        help="analysis length in hours (default: the scenario's duration)")
    parser.add_argument("--step", type=float, metavar="S",
                        help="time step in seconds (default: the scenario's step)")
    parser.add_argument("--tle", metavar="FILE",
                        help="use this TLE file (two- or three-line, '#' comments allowed) as "
                             "the constellation instead of the scenario's")
    parser.add_argument("--checksum", choices=("error", "warn", "skip"), default="error",
                        help="TLE lines whose checksum does not match: refuse the file "
                             "(default), warn and keep them, or do not check")
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
    from .io.parquet import write_parquet

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
                write_parquet(frame, folder / f"{frame_name}.parquet")
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


# --------------------------------------------------------------------------- report

def _report(args: argparse.Namespace) -> int:
    from .dashboard.report import report_language, write_report
    from .locale import LanguageError

    try:
        lang = report_language(args.lang)
    except LanguageError as exc:
        raise UsageError(f"--lang: {exc}") from None
    target = Path(args.output).expanduser()
    if target.is_dir():
        raise UsageError(f"-o {args.output}: is a directory; give the report's file name "
                         "(e.g. report.html)")
    scenario = _load(args.scenario)
    changes: dict[str, float] = {}
    if args.hours is not None:
        changes["duration_s"] = args.hours * 3600.0
    if args.step is not None:
        changes["step_s"] = args.step
    if changes:
        scenario = scenario.replace(**changes)
    started = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        if not args.quiet:
            print(f"workbench: [{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    path = write_report(scenario, target, lang=lang, progress=progress)
    size_mb = path.stat().st_size / 1e6
    print(f"{path}  {size_mb:.1f} MB  ({lang}, {time.perf_counter() - started:.1f} s)")
    return EXIT_OK


def _add_report(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report of a scenario",
        description="Run every registered analysis on a scenario and write one HTML file "
                    "with its key figures, charts, a map of the constellation and the "
                    "scenario's parameters: every resource inline, no network needed to "
                    "open it. Written atomically.")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help=f"built-in or plugin scenario name, or YAML file "
                             f"(default: {DEFAULT_SCENARIO})")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the report's file (e.g. report.html)")
    parser.add_argument("--lang", default="en", metavar="LANG",
                        help="language of the report: en or zh (Simplified Chinese)")
    parser.add_argument("--hours", type=float, metavar="H",
                        help="analysis length in hours (default: the scenario's duration)")
    parser.add_argument("--step", type=float, metavar="S",
                        help="time step in seconds (default: the scenario's step)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr")
    parser.set_defaults(func=_report)


# --------------------------------------------------------------------------- schedule

def _schedule(args: argparse.Namespace) -> int:
    from .analyses import registry

    started = time.perf_counter()
    scenario = _load(args.scenario)
    if args.hours is not None:
        scenario = scenario.replace(duration_s=args.hours * 3600.0)
    options: dict[str, Any] = {"policy": args.policy}
    if args.jobs is not None:
        options["n_jobs"] = args.jobs
    if args.seed is not None:
        options["seed"] = args.seed
    progress = _Progress(2, quiet=args.quiet)
    results: dict[str, Any] = {}
    with progress.step("capacity"):
        results["capacity"] = registry.run("capacity", scenario)
    with progress.step(f"scheduling ({args.policy})"):
        results["scheduling"] = registry.run("scheduling", scenario, results=results,
                                             options=options)
    out = Path(args.output)
    written = write_results({"scheduling": results["scheduling"]}, scenario, out,
                            force=args.force)
    summary = registry.result_summary(results["scheduling"])
    lines = [f"Scenario     {scenario.name}", f"Policy       {args.policy}"]
    for key in ("n_jobs", "n_met", "n_late", "n_dropped", "n_queued", "completion_frac",
                "latency_p50_s", "latency_p95_s", "energy_per_job_wh", "dod_max_frac",
                "isl_traffic_gb"):
        value = summary.get(key)
        lines.append(f"  {key} = {value:,.4g}" if isinstance(value, float)
                     else f"  {key} = {value}")
    lines += [f"Wrote        {len(written)} files to {out}",
              f"Wall time    {time.perf_counter() - started:.1f} s"]
    print("\n".join(lines))
    return EXIT_OK


def _add_schedule(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schedule", help="simulate on-orbit computing scheduling to Parquet + JSON",
        description="Run the scheduling simulation (jobs placed, moved over ISLs, queued and "
                    "run within power and heat) with one policy; write its frames as "
                    "OUT_DIR/scheduling/FRAME.parquet and its summary as summary.json.")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                        help=f"built-in or plugin scenario name, or YAML file "
                             f"(default: {DEFAULT_SCENARIO})")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR",
                        help="directory for the output files (written atomically)")
    parser.add_argument("--policy", default="nearest_with_capacity", metavar="NAME",
                        help="a workbench.policies name: local_only, nearest_with_capacity, "
                             "best_neighbour, ground, energy_aware or a plugin's")
    parser.add_argument("--jobs", type=int, metavar="N", help="jobs over the run")
    parser.add_argument("--seed", type=int, metavar="SEED", help="workload seed")
    parser.add_argument("--hours", type=float, metavar="H",
                        help="run length in hours (default: the scenario's duration)")
    parser.add_argument("--force", action="store_true",
                        help="replace OUT_DIR if it exists and is not empty")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr")
    parser.set_defaults(func=_schedule)


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



# --------------------------------------------------------------------------- datasets

def _catalogs() -> dict[str, tuple[Callable[[], pl.DataFrame], str]]:
    """Catalog name → (its frame, what it holds)."""
    from . import datasets

    def scenario_frame() -> pl.DataFrame:
        import polars as pl
        import yaml

        rows = []
        for name in datasets.scenarios():
            data = yaml.safe_load(Path(datasets.scenario_path(name)).read_text(
                encoding="utf-8"))
            rows.append({"id": name, "description": " ".join(str(
                (data or {}).get("description", "")).split())})
        return pl.DataFrame(rows, schema={"id": pl.String, "description": pl.String})

    return {"chips": (datasets.chips, "compute chips: INT8 TOPS, power, mass, dose"),
            "platforms": (datasets.platforms, "satellite buses: power, arrays, lasers, cost"),
            "constellations": (datasets.constellations, "Walker-shell presets"),
            "ground-stations": (datasets.ground_stations, "gateways, data centres, targets"),
            "launch-vehicles": (datasets.launch_vehicles, "launchers: LEO capacity, USD/kg"),
            "scenarios": (scenario_frame, "built-in and plugin scenarios")}


def _catalog(name: str) -> tuple[pl.DataFrame, str]:
    catalogs = _catalogs()
    key = name.lower().replace("_", "-")
    if key not in catalogs:
        raise UsageError(f"no catalog named {name!r}; catalogs: {', '.join(catalogs)} "
                         "(`workbench datasets list`)")
    loader, what = catalogs[key]
    return loader(), what


def _datasets_list(args: argparse.Namespace) -> int:
    for name, (loader, what) in _catalogs().items():
        frame = loader()
        print(f"{name:<16} {frame.height:>4} entries  {what}")
    print("Show one: workbench datasets show NAME [ENTRY]")
    return EXIT_OK


def _datasets_show(args: argparse.Namespace) -> int:
    import polars as pl

    frame, what = _catalog(args.name)
    if args.entry is None:
        columns = [c for c in frame.columns if c not in ("source", "description")] or \
            frame.columns
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200,
                       fmt_str_lengths=60, tbl_hide_dataframe_shape=True):
            print(f"{args.name}: {frame.height} entries ({what}); "
                  f"`workbench datasets show {args.name} ID` shows one with its source")
            print(frame.select(columns))
        return EXIT_OK
    key = args.entry.strip().lower()
    match = frame.filter((pl.col("id").str.to_lowercase() == key) | (
        pl.col("name").str.to_lowercase() == key) if "name" in frame.columns
        else pl.col("id").str.to_lowercase() == key)
    if match.height == 0:
        import difflib

        close = difflib.get_close_matches(key, frame["id"].to_list(), n=5, cutoff=0.3)
        raise UsageError(f"{args.name}: no entry {args.entry!r}"
                         + (f"; closest: {', '.join(close)}" if close else "")
                         + f" (`workbench datasets show {args.name}` lists them)")
    row = match.row(0, named=True)
    width = max(len(k) for k in row)
    for key_name, value in row.items():
        print(f"{key_name:<{width}}  {value}")
    return EXIT_OK


def _add_datasets(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "datasets", help="list the shipped catalogs or show one",
        description="The catalogs scenarios name entries of: chips, platforms, "
                    "constellations, ground stations, launch vehicles, scenarios.")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the catalogs and their sizes")
    listing.set_defaults(func=_datasets_list)
    show = actions.add_parser("show", help="one catalog as a table, or one entry")
    show.add_argument("name", metavar="NAME", help="catalog name (see `datasets list`)")
    show.add_argument("entry", nargs="?", default=None, metavar="ENTRY",
                      help="an entry's id or name: show all its fields")
    show.set_defaults(func=_datasets_show)


# --------------------------------------------------------------------------- export

def _export_czml(args: argparse.Namespace) -> int:
    import json
    import os
    import tempfile
    from datetime import timedelta

    from .orbits import propagate
    from .viz.czml import ground_site_packets, satellite_packets, timed_document

    scenario = _load(args.scenario)
    changes: dict[str, float] = {}
    if args.hours is not None:
        changes["duration_s"] = args.hours * 3600.0
    if args.step is not None:
        changes["step_s"] = args.step
    if changes:
        scenario = scenario.replace(**changes)
    check_grid(scenario)
    grid = scenario.time_grid
    r = propagate(scenario.constellation, grid, frame="itrs", epoch=scenario.epoch_utc)
    names = scenario.constellation.satellites["name"].to_list()
    end = grid.end  # the last instant's UTC label, leap seconds counted
    doc = timed_document([*ground_site_packets(scenario.ground),
                          *satellite_packets(names, grid.start, grid.offsets_s, r)],
                         grid.start, end, name=scenario.name)
    out = Path(args.output).expanduser()
    if out.is_dir():
        raise UsageError(f"-o {out}: is a directory; give a file name such as "
                         f"{out / (scenario.name + '.czml')}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(json.loads(doc.dumps()), handle, separators=(",", ":"))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"Wrote {out}: {len(names):,} satellites × {len(grid):,} steps of {grid.step_s:g} s "
          f"and {len(scenario.ground)} ground sites ({out.stat().st_size / 1e6:,.1f} MB); "
          "open it in any Cesium viewer")
    return EXIT_OK


def _export_hypatia(args: argparse.Namespace) -> int:
    from .io.hypatia import FILES, write_hypatia

    scenario = _load(args.scenario)
    done = write_hypatia(scenario, Path(args.output), min_elevation_deg=args.min_elevation_deg)
    print(f"Wrote {done.folder}: {done.n_sats:,} satellites, {done.n_isls:,} ISLs, "
          f"{done.n_ground_stations:,} ground stations; ground links up to "
          f"{done.max_gsl_length_m / 1000:,.1f} km, ISLs up to "
          f"{done.max_isl_length_m / 1000:,.1f} km ({', '.join(FILES)})")
    for note in done.notes:
        print(f"Note: {note}")
    return EXIT_OK


def _add_export(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="export a scenario for other tools (CZML, Hypatia)",
        description="Write a scenario as a file other tools read.")
    actions = parser.add_subparsers(title="formats", metavar="FORMAT", required=True)
    czml = actions.add_parser("czml", help="satellites and ground sites as a CZML document",
                              description="Satellites' Earth-fixed positions on the time "
                                          "grid (sampled, Lagrange-interpolated) and ground "
                                          "sites coloured by role, as one CZML file written "
                                          "atomically.")
    czml.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                      help=f"built-in scenario name or YAML file (default: {DEFAULT_SCENARIO})")
    czml.add_argument("-o", "--output", required=True, metavar="FILE",
                      help="the .czml file to write")
    czml.add_argument("--hours", type=float, metavar="H",
                      help="length in hours (default: the scenario's duration)")
    czml.add_argument("--step", type=float, metavar="S",
                      help="time step in seconds (default: the scenario's step)")
    czml.set_defaults(func=_export_czml)
    hypatia = actions.add_parser(
        "hypatia", help="satellites, ISLs and ground stations as Hypatia's files (for ns-3)",
        description="A Hypatia satellite-network-state folder (tles.txt, isls.txt, "
                    "ground_stations.txt, description.txt, gsl_interfaces_info.txt) for "
                    "satgenpy and packet-level simulation with ns-3: Walker shells as TLEs at "
                    "the scenario epoch, the ISLs latency uses, every ground site, and the "
                    "ground-link rule as one maximum slant range. Written atomically.")
    hypatia.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                         help="built-in scenario name, YAML file or Hypatia folder "
                              f"(default: {DEFAULT_SCENARIO})")
    hypatia.add_argument("-o", "--output", required=True, metavar="DIR",
                         help="the folder to write (replaced whole: it must be new, empty "
                              "or a previous export)")
    hypatia.add_argument("--min-elevation-deg", type=float, metavar="DEG",
                         help="one elevation mask for every ground station, turned into "
                              "Hypatia's max GSL length at the shell altitude (needed when "
                              "the sites' masks differ)")
    hypatia.set_defaults(func=_export_hypatia)


# --------------------------------------------------------------------------- sweep

def _format_s(seconds: float) -> str:
    if seconds == float("inf"):
        return "?"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _sweep(args: argparse.Namespace) -> int:
    import os

    from .designspace import load_sweep_file, pareto_front, read_results, sweep

    if args.scheduler and args.workers:
        raise UsageError("give --scheduler ADDRESS or --workers N, not both")
    spec = load_sweep_file(args.sweep_file)
    out = Path(args.output)
    parts = out / "parts"
    if parts.is_dir() and read_results(parts).height and not args.resume:
        raise UsageError(f"{parts} holds results of an earlier sweep: pass --resume to "
                         "finish it, or choose another OUT_DIR")
    last = [0.0]

    def progress(state: Any) -> None:
        now = time.monotonic()
        if args.quiet or (now - last[0] < 1.0 and state.n_done < state.n_total):
            return
        last[0] = now
        print(f"sweep: {state.n_done}/{state.n_total} points "
              f"({100.0 * state.n_done / max(state.n_total, 1):.0f} %), "
              f"{state.rate_per_s:.2f} points/s, ETA {_format_s(state.eta_s)}"
              + (f" ({state.n_skipped} done before)" if state.n_skipped else ""),
              file=sys.stderr, flush=True)

    client = args.scheduler
    cluster = None
    if args.workers:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0")
        client = Client(cluster)
    try:
        frame = sweep(spec["base"], spec["space"], spec["analyses"], client=client,
                      out=parts, batch_size=spec["batch_size"], progress=progress)
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
    if spec["objectives"]:
        frame = pareto_front(frame, spec["objectives"])
    target = out / "sweep.parquet"
    tmp = out / f".sweep.parquet.{os.getpid()}.tmp"
    frame.write_parquet(tmp)
    os.replace(tmp, target)
    n_failed = frame["error"].is_not_null().sum() if "error" in frame.columns else 0
    print(f"{target}: {frame.height} points, {n_failed} failed"
          + (f", {int(frame['is_pareto'].sum())} on the Pareto front"
             if "is_pareto" in frame.columns else ""))
    return EXIT_OK


def _add_sweep(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sweep", help="run a design-space sweep on Dask to a Parquet dataset",
        description="Run registered analyses at every design point of SWEEP.yaml (base, "
                    "space: grid or latin_hypercube over dotted paths, analyses, optional "
                    "objectives: column → min|max). Finished batches go to "
                    "OUT_DIR/parts/*.parquet as they complete; the whole frame (with "
                    "is_pareto when objectives are given) to OUT_DIR/sweep.parquet.")
    parser.add_argument("sweep_file", metavar="SWEEP.yaml", help="the sweep file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT_DIR",
                        help="directory for the Parquet dataset and the result")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="a running Dask scheduler (tcp://host:port); default: a "
                             "LocalCluster on 127.0.0.1")
    parser.add_argument("--workers", type=int, metavar="N", default=None,
                        help="worker processes of the LocalCluster (default: one per core)")
    parser.add_argument("--resume", action="store_true",
                        help="finish an interrupted sweep in OUT_DIR: only missing points run")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress lines on stderr")
    parser.set_defaults(func=_sweep)


# --------------------------------------------------------------------------- main

_COMMANDS: tuple[Callable[[Any], None], ...] = (_add_run, _add_analyse, _add_scenarios,
                                                _add_validate, _add_extensions, _add_cesium,
                                                _add_datasets, _add_export,
                                                _add_report, _add_sweep, _add_schedule,
                                                _add_dashboard)


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
            if _raised_by_interrupt(exc):
                raise KeyboardInterrupt from exc
            _traceback(debug)
            print(f"workbench: internal error: {type(exc).__name__}: "
                  f"{str(exc)[:300]} (run again with --debug for the traceback, and "
                  "please report it)", file=sys.stderr)
            return EXIT_ERROR


def _raised_by_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a Ctrl-C was being handled.

    Some libraries import their fallbacks under a bare ``except:`` (skyfield's
    ``iokit`` tries ``urlparse`` when ``urllib.parse`` fails), so a Ctrl-C that lands
    inside such an import surfaces as an ``ImportError``: that is an interruption, not a
    bug to report."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _traceback(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()


if __name__ == "__main__":
    sys.exit(main())
