"""Hypatia's files, read: ``tles.txt``, ``isls.txt``, ``ground_stations.txt`` (or
``.basic.txt``) and ``description.txt`` checked line by line, and :func:`load_hypatia` making
a scenario of them (formats and the mapping: :mod:`workbench.io.hypatia`)."""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...model.constants import R_EARTH_KM
from ...model.constellation import Constellation, TLESet
from ...model.errors import ModelError, Problem
from ...model.ground import GroundSegment, GroundSite
from ...model.hardware import ComputePayload, Platform
from ...model.names import check_name
from ...model.options import MAX_ISL_LINKS, NetworkOptions, ScenarioOptions
from ...model.scenario import Scenario
from ...model.tle import parse_tle

TLES_FILE = "tles.txt"
ISLS_FILE = "isls.txt"
GROUND_STATIONS_FILE = "ground_stations.txt"
BASIC_GROUND_STATIONS_FILE = "ground_stations.basic.txt"
DESCRIPTION_FILE = "description.txt"
GSL_INTERFACES_FILE = "gsl_interfaces_info.txt"
FILES = (TLES_FILE, ISLS_FILE, GROUND_STATIONS_FILE, DESCRIPTION_FILE, GSL_INTERFACES_FILE)
"""What :func:`write_hypatia` writes."""

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest Hypatia file read (a million ISLs take ~15 MB)."""
MAX_GROUND_STATIONS = 100_000
MAX_EXPORT_SATS = 99_999
"""Most satellites exported: five-digit catalog numbers 1…99,999 (the TLE reader in
Hypatia's ns-3 module, Vallado's ``twoline2rv``, knows no alpha-5 numbers)."""
MAX_ISL_RANGE_KM = 100_000.0
"""Longest ``isl_max_range_km`` (the option's bound); longer ISL lengths are read as it."""
ECEF_TOLERANCE_M = 10.0
"""Largest distance between a station's x, y, z and its lat, lon, elevation on WGS72."""
MIN_ECCENTRICITY = 1e-7
"""Eccentricity written for circular orbits: pyephem, which satgenpy propagates with,
refuses 0 (Hypatia's ``main_starlink_550.py`` uses this value for the same reason)."""
WGS72_RADIUS_M, WGS72_INVERSE_FLATTENING = 6378135.0, 298.26
"""The WGS72 ellipsoid of Hypatia's ECEF positions (``distance_tools.geodetic2cartesian``)."""
_MAX_PROBLEMS = 20


class HypatiaError(ModelError):
    """A Hypatia file that cannot be read or a scenario that cannot be written as one;
    each problem names the line (or field) and what is wrong."""

    def __init__(self, where: str | os.PathLike[str], problems: list[Problem]):
        super().__init__(f"Hypatia {where}", problems[:_MAX_PROBLEMS])


@dataclass(frozen=True)
class HypatiaDescription:
    """``description.txt``: the longest ground-satellite and satellite-satellite links."""

    max_gsl_length_m: float
    max_isl_length_m: float


# --------------------------------------------------------------------------- geometry

def slant_range_km(elevation_deg: float, altitude_km: float, *,
                   earth_radius_km: float = R_EARTH_KM) -> float:
    """Distance from a site to a satellite at ``altitude_km`` seen at ``elevation_deg``.

    On a spherical Earth of radius R, the triangle Earth centre–site–satellite gives
    d = √((R + h)² − R² cos² ε) − R sin ε.

    >>> round(slant_range_km(90.0, 550.0), 6), round(slant_range_km(25.0, 550.0), 1)
    (550.0, 1123.4)
    """
    eps = math.radians(elevation_deg)
    r_sat = earth_radius_km + altitude_km
    return math.sqrt(r_sat**2 - (earth_radius_km * math.cos(eps))**2) - (
        earth_radius_km * math.sin(eps))


def elevation_at_range_deg(range_km: float, altitude_km: float, *,
                           earth_radius_km: float = R_EARTH_KM) -> float:
    """The elevation at which a satellite at ``altitude_km`` is ``range_km`` away (the
    inverse of :func:`slant_range_km`): sin ε = ((R + h)² − R² − d²) / (2 R d).

    >>> round(elevation_at_range_deg(1089.686, 550.0), 2)  # Hypatia's Starlink-550 GSL length
    26.17
    """
    r_sat = earth_radius_km + altitude_km
    sin_eps = (r_sat**2 - earth_radius_km**2 - range_km**2) / (2 * earth_radius_km * range_km)
    return math.degrees(math.asin(max(-1.0, min(1.0, sin_eps))))


# --------------------------------------------------------------------------- reading

def _read(path: Path) -> list[tuple[int, str]]:
    """Numbered lines of a file (trailing blank lines dropped), or a HypatiaError naming it."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise HypatiaError(path, [Problem("file", f"{size:,} bytes", f"a Hypatia file is "
                                              f"at most {MAX_FILE_BYTES:,} bytes")])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HypatiaError(path, [Problem("file", str(path), "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HypatiaError(path, [Problem("file", str(path), f"cannot be read as text "
                                          f"({type(exc).__name__}: {exc})")]) from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return list(enumerate(lines, start=1))


def _blank_lines(lines: list[tuple[int, str]], problems: list[Problem]) -> None:
    problems.extend(Problem(f"line {n}", line, "is blank: Hypatia's readers take every line "
                            "as data") for n, line in lines if not line.strip())


def _raise(path: Path, problems: list[Problem]) -> None:
    if problems:
        raise HypatiaError(path, problems)


def read_tles(path: str | os.PathLike[str]) -> TLESet:
    """The satellites of a Hypatia ``tles.txt``, in file order.

    Checked as Hypatia's readers check them (satgenpy ``tles/read_tles.py``, ns-3
    ``TopologySatelliteNetwork::ReadSatellites``): the first line is ``N_ORBITS
    N_SATS_PER_ORBIT`` and their product is the number of satellites; the second word of
    satellite *i*'s name line is *i*; every element set is valid TLE (checksums included)
    and all share one epoch. Raises :class:`HypatiaError` naming the line.
    """
    path = Path(path).expanduser()
    lines = _read(path)
    problems: list[Problem] = []
    if not lines:
        _raise(path, [Problem("line 1", "", "is empty: tles.txt starts 'N_ORBITS "
                              "N_SATS_PER_ORBIT'")])
    words = lines[0][1].split()
    if len(words) != 2 or not all(w.isdigit() and int(w) > 0 for w in words):
        _raise(path, [Problem("line 1", lines[0][1][:40], "must be 'N_ORBITS N_SATS_PER_ORBIT',"
                              " two whole numbers ≥ 1")])
    n_orbits, n_per_orbit = int(words[0]), int(words[1])
    body = lines[1:]
    _blank_lines(body, problems)
    _raise(path, problems)
    if len(body) % 3:
        _raise(path, [Problem(f"line {lines[-1][0]}", lines[-1][1][:40], f"a satellite takes "
                              f"three lines (name, TLE line 1, TLE line 2); the "
                              f"{len(body):,} lines after the first are not a multiple of 3")])
    n_sats = len(body) // 3
    if n_orbits * n_per_orbit != n_sats:
        _raise(path, [Problem("line 1", lines[0][1], f"says {n_orbits:,} × {n_per_orbit:,} = "
                              f"{n_orbits * n_per_orbit:,} satellites, but the file holds "
                              f"{n_sats:,} (ns-3 refuses such a file)")])
    for k in range(n_sats):
        number, name = body[3 * k]
        words = name.split()
        if len(words) < 2 or not words[1].isdigit() or int(words[1]) != k:
            problems.append(Problem(f"line {number}", name[:40], f"the name line of satellite "
                                    f"{k} must read '<name> {k}': satgenpy takes its second "
                                    "word as the satellite id, counting from 0"))
    _raise(path, problems)
    text = "\n".join(line for _, line in body) + "\n"
    try:  # "#" in place of the first line: parse_tle's line numbers are the file's
        records = parse_tle("#\n" + text, source=str(path))
    except ModelError as exc:
        raise HypatiaError(path, exc.problems) from None
    first = records[0].line1[18:32]
    for k, record in enumerate(records):
        if record.line1[18:32] != first:
            problems.append(Problem(f"line {body[3 * k + 1][0]}", record.line1[18:32],
                                    f"epoch differs from satellite 0's ({first}): Hypatia "
                                    "needs one epoch for every satellite, the start of the "
                                    "simulation"))
    _raise(path, problems)
    try:
        set_name = check_name(body[0][1].split()[0])
    except ModelError:
        set_name = "hypatia"
    return TLESet(name=set_name, text=text, source=f"Hypatia {path} ({n_orbits:,} orbits × "
                  f"{n_per_orbit:,} satellites per orbit)")


def read_isls(path: str | os.PathLike[str], n_sats: int) -> tuple[tuple[int, int], ...]:
    """The links of a Hypatia ``isls.txt``: pairs of satellite ids (each link once, no
    satellite linked to itself, every id below ``n_sats``), in file order."""
    path = Path(path).expanduser()
    lines = _read(path)
    problems: list[Problem] = []
    _blank_lines(lines, problems)
    if len(lines) > MAX_ISL_LINKS:
        problems.append(Problem("file", f"{len(lines):,} lines", f"at most {MAX_ISL_LINKS:,} "
                                "links"))
    _raise(path, problems)
    links: list[tuple[int, int]] = []
    seen: dict[tuple[int, int], int] = {}
    for number, line in lines:
        words = line.split()
        if len(words) != 2 or not all(w.isdigit() for w in words):
            problems.append(Problem(f"line {number}", line[:40], "must be two satellite ids "
                                    "'a b' (whole numbers ≥ 0)"))
        else:
            a, b = int(words[0]), int(words[1])
            key = (min(a, b), max(a, b))
            if max(a, b) >= n_sats:
                problems.append(Problem(f"line {number}", line, f"satellite {max(a, b)} does "
                                        f"not exist: tles.txt has {n_sats:,} (ids 0…"
                                        f"{n_sats - 1:,})"))
            elif a == b:
                problems.append(Problem(f"line {number}", line, "links a satellite to itself"))
            elif key in seen:
                problems.append(Problem(f"line {number}", line, f"repeats the link of line "
                                        f"{seen[key]}"))
            else:
                seen[key] = number
                links.append((a, b))
        if len(problems) >= _MAX_PROBLEMS:
            break
    _raise(path, problems)
    return tuple(links)


def _ecef_m(lat_deg: float, lon_deg: float, elevation_m: float) -> tuple[float, float, float]:
    """Earth-fixed position on WGS72 (skyfield's geodetic conversion)."""
    from skyfield.toposlib import Geoid

    wgs72 = Geoid("WGS72", WGS72_RADIUS_M, WGS72_INVERSE_FLATTENING)
    x, y, z = wgs72.latlon(lat_deg, lon_deg, elevation_m=elevation_m).itrs_xyz.m
    return float(x), float(y), float(z)


def read_ground_stations(path: str | os.PathLike[str], *,
                         max_range_km: float | None = None) -> GroundSegment:
    """The ground stations of a Hypatia ``ground_stations.txt`` (eight columns) or
    ``ground_stations.basic.txt`` (five), as user sites in file order.

    Each site has a 0° elevation mask and ``max_range_km`` (Hypatia's max GSL length; None
    leaves the reach unlimited). Ids must count up from 0 by one a line; in the eight-column
    form x, y, z must be lat, lon, elevation on WGS72 within :data:`ECEF_TOLERANCE_M`.
    """
    path = Path(path).expanduser()
    lines = _read(path)
    problems: list[Problem] = []
    _blank_lines(lines, problems)
    if len(lines) > MAX_GROUND_STATIONS:
        problems.append(Problem("file", f"{len(lines):,} lines", f"at most "
                                f"{MAX_GROUND_STATIONS:,} ground stations"))
    _raise(path, problems)
    width = len(lines[0][1].split(",")) if lines else 8
    if width not in (5, 8):
        _raise(path, [Problem("line 1", lines[0][1][:40], f"has {width} comma-separated "
                              "columns: 'gid,name,lat,lon,elevation_m' (basic) or that and "
                              "',x,y,z' (extended)")])
    sites: list[GroundSite] = []
    first_line: dict[str, int] = {}
    for gid, (number, line) in enumerate(lines):
        cols = line.split(",")
        where = f"line {number}"
        if len(cols) != width:
            problems.append(Problem(where, line[:40], f"has {len(cols)} columns, line 1 has "
                                    f"{width}"))
            continue
        if cols[0].strip() != str(gid):
            problems.append(Problem(where, cols[0], f"ground station ids count up from 0 by one "
                                    f"a line: this one must be {gid}"))
            continue
        name = cols[1]
        if not name.strip():
            problems.append(Problem(where, name, "a ground station needs a name"))
            continue
        if name in first_line:
            problems.append(Problem(where, name, f"repeats the name of line {first_line[name]}"))
            continue
        first_line[name] = number
        values = []
        for label, text in zip(("latitude", "longitude", "elevation", "x", "y", "z"),
                               cols[2:], strict=False):
            try:
                values.append(float(text))
                if not math.isfinite(values[-1]):
                    raise ValueError(text)
            except ValueError:
                problems.append(Problem(f"{where} {label}", text, "is not a number"))
        if len(values) != width - 2:
            continue
        try:
            site = GroundSite(name=name, lat_deg=values[0], lon_deg=values[1],
                              altitude_m=values[2], role="user", min_elevation_deg=0.0,
                              max_range_km=max_range_km)
        except ModelError as exc:
            problems.extend(Problem(f"{where} {p.field}", p.value, p.message)
                            for p in exc.problems)
            continue
        if width == 8:
            gap_m = math.dist(values[3:], _ecef_m(*values[:3]))
            if gap_m > ECEF_TOLERANCE_M:
                problems.append(Problem(f"{where} x,y,z", ",".join(cols[5:]), f"is {gap_m:,.0f}"
                                        f" m from the WGS72 position of lat, lon, elevation "
                                        f"(at most {ECEF_TOLERANCE_M:g} m): ns-3 would place "
                                        "the station elsewhere than satgenpy"))
                continue
        sites.append(site)
        if len(problems) >= _MAX_PROBLEMS:
            break
    _raise(path, problems)
    return GroundSegment(sites=tuple(sites))


def read_description(path: str | os.PathLike[str]) -> HypatiaDescription:
    """``max_gsl_length_m`` and ``max_isl_length_m`` of a Hypatia ``description.txt``
    (``key=value`` lines; other keys are ignored)."""
    path = Path(path).expanduser()
    problems: list[Problem] = []
    values: dict[str, tuple[int, str]] = {}
    for number, line in _read(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            problems.append(Problem(f"line {number}", line[:40], "must be 'key=value'"))
        elif key.strip() in values:
            problems.append(Problem(f"line {number}", key.strip(), f"repeats line "
                                    f"{values[key.strip()][0]}"))
        else:
            values[key.strip()] = (number, value.strip())
    lengths = {}
    for key in ("max_gsl_length_m", "max_isl_length_m"):
        if key not in values:
            problems.append(Problem(key, None, f"missing: description.txt must say "
                                    f"{key}=<metres>"))
            continue
        number, text = values[key]
        try:
            lengths[key] = float(text)
        except ValueError:
            lengths[key] = math.nan
        if not (math.isfinite(lengths[key]) and lengths[key] > 0):
            problems.append(Problem(f"line {number} {key}", text, "must be a length in metres "
                                    "> 0"))
    _raise(path, problems)
    return HypatiaDescription(**lengths)


def load_hypatia(folder: str | os.PathLike[str], *, name: str | None = None,
                 duration_s: float = 86400.0, step_s: float = 60.0,
                 platform: Platform | str = "starlink-v1-class",
                 payload: ComputePayload | Mapping[str, Any] | None = None) -> Scenario:
    """A Hypatia satellite-network-state folder as a scenario (the mapping is in the module
    docstring).

    Parameters
    ----------
    folder : path
        Holds ``tles.txt``, ``isls.txt``, ``description.txt`` and ``ground_stations.txt``
        (or ``ground_stations.basic.txt``); other files (routing state) are not read.
    name : str, optional
        Scenario name (default: the folder's name).
    duration_s, step_s : float, s
        The analysis grid from the TLE epoch (Hypatia's paper runs 200 s at 100 ms).
    platform, payload
        The bus and compute payload, which Hypatia's files do not describe: a catalog name
        or a :class:`~workbench.model.Platform`; a :class:`~workbench.model.ComputePayload`
        or its fields (default: one ``jetson-agx-orin``).

    Raises
    ------
    HypatiaError
        A file is missing or wrong; the problems name the file, the line and what is wrong.

    Examples
    --------
    >>> scenario = load_hypatia("starlink_550_isls_plus_grid")  # doctest: +SKIP
    >>> len(scenario.constellation), scenario.options.network.isl[:2]  # doctest: +SKIP
    (1584, ((0, 1), (0, 22)))
    """
    from ...scenarios import from_mapping

    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise HypatiaError(folder, [Problem("folder", str(folder), f"is not a folder; a Hypatia "
                                            f"satellite network state is a folder holding "
                                            f"{TLES_FILE}, {ISLS_FILE}, {GROUND_STATIONS_FILE} "
                                            f"and {DESCRIPTION_FILE}")])
    description = read_description(folder / DESCRIPTION_FILE)
    tle_set = read_tles(folder / TLES_FILE)
    links = read_isls(folder / ISLS_FILE, len(tle_set))
    stations = folder / GROUND_STATIONS_FILE
    if not stations.exists() and (folder / BASIC_GROUND_STATIONS_FILE).exists():
        stations = folder / BASIC_GROUND_STATIONS_FILE
    ground = read_ground_stations(stations, max_range_km=description.max_gsl_length_m / 1000)
    if not links:  # Hypatia relays through ground stations only when there are no ISLs
        ground = GroundSegment(sites=tuple(s.replace(is_relay=True) for s in ground.sites))
    constellation = Constellation(name=tle_set.name, tle_sets=(tle_set,), description=(
        f"{len(tle_set):,} satellites from {tle_set.source}"))
    altitude_km = float(constellation.satellites["altitude_km"].min())
    gsl_km = description.max_gsl_length_m / 1000
    network = NetworkOptions(isl=links or "none", fibre="none", isl_max_range_km=min(
        description.max_isl_length_m / 1000, MAX_ISL_RANGE_KM))
    return from_mapping({
        "name": name or folder.name,
        "description": (f"Hypatia satellite network state {folder}: {len(tle_set):,} "
                        f"satellites, {len(links):,} ISLs, {len(ground)} ground stations; "
                        f"ground links up to {gsl_km:,.1f} km (≈ "
                        f"{elevation_at_range_deg(gsl_km, altitude_km):.1f}° elevation at "
                        f"{altitude_km:,.0f} km)"),
        "epoch_utc": tle_set.records[0].epoch_utc, "duration_s": duration_s, "step_s": step_s,
        "constellation": constellation, "platform": platform,
        "payload": {"chip": "jetson-agx-orin"} if payload is None else payload,
        "ground": ground, "options": ScenarioOptions(network=network)})


__all__ = [
    "BASIC_GROUND_STATIONS_FILE", "DESCRIPTION_FILE", "FILES", "GROUND_STATIONS_FILE",
    "GSL_INTERFACES_FILE", "ISLS_FILE", "TLES_FILE", "HypatiaDescription", "HypatiaError",
    "elevation_at_range_deg", "load_hypatia", "read_description", "read_ground_stations",
    "read_isls", "read_tles", "slant_range_km",
]
