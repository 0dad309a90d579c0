"""A scenario written as Hypatia's files (formats and the mapping:
:mod:`workbench.io.hypatia`)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ...model.errors import Problem
from ...model.scenario import Scenario
from ...model.tle import checksum
from ..folder import atomic_folder
from .files import (
    DESCRIPTION_FILE,
    FILES,
    GROUND_STATIONS_FILE,
    GSL_INTERFACES_FILE,
    ISLS_FILE,
    MAX_EXPORT_SATS,
    MIN_ECCENTRICITY,
    TLES_FILE,
    HypatiaError,
    _ecef_m,
    _raise,
    slant_range_km,
)

_EPOCH_TOLERANCE = timedelta(milliseconds=1)
"""A TLE set is written only if each epoch is the scenario's to the TLE's resolution."""


@dataclass(frozen=True)
class HypatiaExport:
    """What :func:`write_hypatia` wrote, and what Hypatia's files cannot say (``notes``)."""

    folder: Path
    n_sats: int
    n_isls: int
    n_ground_stations: int
    max_gsl_length_m: float
    max_isl_length_m: float
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- writing

def _decimal(value: float) -> str:
    """A number in plain decimals (no exponent, which pyephem's angle strings refuse)."""
    text = f"{value:.10f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _hypatia_lines(line1: str, line2: str, catalog: int) -> tuple[str, str]:
    """TLE lines with catalog number ``catalog`` and an eccentricity of at least
    :data:`MIN_ECCENTRICITY`, checksums recomputed."""
    number = f"{catalog:05d}"
    line1, line2 = line1[:2] + number + line1[7:68], line2[:2] + number + line2[7:68]
    if line2[26:33] == "0000000":
        line2 = line2[:26] + f"{round(MIN_ECCENTRICITY * 1e7):07d}" + line2[33:]
    return line1 + str(checksum(line1)), line2 + str(checksum(line2))


def _header(scenario: Scenario) -> str:
    """``N_ORBITS N_SATS_PER_ORBIT``: a single Walker shell's planes × satellites; a single
    TLE set's inferred planes when they are equal blocks of consecutive satellites; else
    ``1 N``."""
    c = scenario.constellation
    if len(c.shells) == 1 and not c.tle_sets:
        return f"{c.shells[0].planes} {c.shells[0].sats_per_plane}"
    if len(c.tle_sets) == 1 and not c.shells and len(c) >= 3:
        from ...analyses.network.topology import infer_planes

        planes = infer_planes(c, epoch=scenario.epoch_utc, warn=False)
        if planes["is_in_plane"].all() and planes["group"].n_unique() == 1:
            runs = planes["plane"].rle()
            sizes = runs.struct.field("len")
            if sizes.n_unique() == 1 and runs.struct.field("value").n_unique() == len(runs):
                return f"{len(runs)} {sizes[0]}"
    return f"1 {len(c)}"


def _tles_text(scenario: Scenario) -> str:
    from sgp4.exporter import export_tle

    from ...orbits.propagation import satrecs

    c, epoch = scenario.constellation, scenario.epoch_utc
    if not 2000 <= epoch.year <= 2056:
        raise HypatiaError("export", [Problem("epoch_utc", f"{epoch:%Y-%m-%d}", "Hypatia reads "
                                              "a TLE's two-digit year yy as 20yy, and SGP4 reads "
                                              "yy ≥ 57 as 19yy: the export needs an epoch in "
                                              "2000–2056")])
    if len(c) > MAX_EXPORT_SATS:
        raise HypatiaError("export", [Problem("constellation", f"{len(c):,} satellites",
                                              f"at most {MAX_EXPORT_SATS:,} (five-digit TLE "
                                              "catalog numbers)")])
    n_walker = sum(s.n_sats for s in c.shells)
    pairs = [_hypatia_lines(*export_tle(sat), catalog=k + 1)
             for k, sat in enumerate(satrecs(c, epoch=epoch)[:n_walker])]
    problems = []
    for tle_set in c.tle_sets:
        for record in tle_set.records:
            if abs(record.epoch_utc - epoch) > _EPOCH_TOLERANCE and len(problems) < 5:
                problems.append(Problem(
                    f"constellation.tle_sets[{tle_set.name!r}]", record.name,
                    f"has epoch {record.epoch_utc:%Y-%m-%d %H:%M:%S}, the scenario starts "
                    f"{epoch:%Y-%m-%d %H:%M:%S}: Hypatia starts every satellite at its own TLE "
                    "epoch, so all must be the scenario's (moving an element set to another "
                    "epoch needs an orbit fit, which the export does not do)"))
            pairs.append((record.line1, record.line2))
    numbers = [line1[2:7] for line1, _ in pairs]
    if len(set(numbers)) != len(numbers):
        problems.append(Problem("constellation", "catalog numbers", "a TLE set uses catalog "
                                f"numbers 1…{n_walker:,}, which the export gives the Walker "
                                "satellites"))
    _raise(Path("export"), problems)
    prefix = "-".join(c.name.split()) or "satellite"
    lines = [_header(scenario)]
    for k, (line1, line2) in enumerate(pairs):
        lines += [f"{prefix} {k}", line1, line2]
    return "\n".join(lines) + "\n"


def _gsl_length_km(scenario: Scenario, min_elevation_deg: float | None,
                   notes: list[str]) -> float:
    """One maximum slant range for every site (see the module docstring)."""
    sites = scenario.ground.sites
    if not sites:
        raise HypatiaError("export", [Problem("ground.sites", (), "Hypatia routes between "
                                              "ground stations: the scenario needs at least "
                                              "one site")])
    mask = min_elevation_deg if min_elevation_deg is not None else (
        scenario.options.network.min_elevation_deg)
    altitude_km = float(scenario.constellation.satellites["altitude_km"].min())
    rules = {}
    for site in sites:
        elevation = site.elevation_mask_deg if mask is None else float(mask)
        reach = slant_range_km(elevation, altitude_km)
        if site.max_range_km is not None and site.max_range_km < reach:
            rules[site.name] = (elevation, site.max_range_km)
        else:
            rules[site.name] = (elevation, reach)
    groups: dict[tuple[float, float], list[str]] = {}
    for site_name, (elevation, km) in rules.items():
        groups.setdefault((elevation, round(km, 6)), []).append(site_name)
    if len({km for _, km in groups}) > 1:
        shown = "; ".join(
            f"{e:g}° → {km:,.1f} km ({len(names)} sites: {', '.join(names[:3])} …)"
            if len(names) > 3 else f"{e:g}° → {km:,.1f} km ({', '.join(names)})"
            for (e, km), names in list(groups.items())[:5])
        raise HypatiaError("export", [Problem(
            "ground.sites", f"{len(groups)} ground-link rules", f"Hypatia has one maximum "
            f"ground-link range for every station, and the sites differ: {shown}; give "
            "min_elevation_deg (workbench export hypatia --min-elevation-deg) for one mask")])
    elevation, km = next(iter(rules.values()))
    if abs(km - slant_range_km(elevation, altitude_km)) < 1e-6:
        notes.append(f"ground links: the {elevation:g}° elevation mask is a slant range of "
                     f"{km:,.1f} km at the lowest altitude, {altitude_km:,.1f} km (spherical "
                     "Earth)")
    return km


def _notes(scenario: Scenario, isl: str, notes: list[str]) -> None:
    opts = scenario.options.network
    relays = [s.name for s in scenario.ground.sites if s.is_relay]
    if relays and isl != "none":
        notes.append(f"{len(relays)} relay site(s) ({', '.join(relays[:3])}): Hypatia's routing "
                     "over ISLs never relays through ground stations")
    if isl == "none" and len(relays) < len(scenario.ground):
        notes.append("no ISLs: Hypatia then routes through every ground station as a relay "
                     "(algorithm_free_one_only_gs_relays), the workbench only through relay "
                     "sites")
    if relays and opts.fibre != "none":
        notes.append("terrestrial fibre between sites has no Hypatia equivalent; not exported")
    if opts.hop_delay_ms > 0:
        notes.append(f"hop_delay_ms={opts.hop_delay_ms:g}: Hypatia's files carry no delay per "
                     "link (ns-3 models its own)")


def write_hypatia(scenario: Scenario, folder: str | os.PathLike[str], *,
                  min_elevation_deg: float | None = None) -> HypatiaExport:
    """Write a scenario as a Hypatia satellite-network-state folder, for satgenpy's
    routing state and ns-3's packet-level simulation.

    Parameters
    ----------
    scenario : Scenario
        Walker shells become TLEs at the scenario epoch (the elements the workbench
        propagates, catalog numbers 1…N, eccentricity at least 1e-7); TLE sets are
        written as they are and must have the scenario's epoch. ISLs are the links
        :func:`~workbench.analyses.latency` uses at the first step (+Grid, or the explicit
        list; "nearest" changes every step and is refused). Every ground site becomes a
        station, ids in scenario order.
    folder : path
        The folder to write; replaced whole and atomically, so it must be missing, empty,
        or hold only these files (:data:`FILES`).
    min_elevation_deg : float, optional
        One elevation mask for every site (default: ``options.network.min_elevation_deg``,
        else each site's own, which must then give one range).

    Returns
    -------
    HypatiaExport
        Counts, the two lengths, and notes on what Hypatia's files cannot express.
    """
    from ...analyses.network.roundtrip import build_network

    if scenario.options.network.isl == "nearest":
        raise HypatiaError("export", [Problem("options.network.isl", "nearest", "nearest-"
                                              "neighbour links change at every step, and "
                                              "Hypatia's isls.txt holds one fixed set: export "
                                              "with '+grid', 'none' or a list of links")])
    notes: list[str] = []
    gsl_km = _gsl_length_km(scenario, min_elevation_deg, notes)
    tles = _tles_text(scenario)
    network = build_network(scenario, [], scenario.options.network)
    _notes(scenario, network.isl, notes)
    n_sats, sites = len(scenario.constellation), scenario.ground.sites
    bad = [s.name for s in sites if any(c in s.name for c in ",\r\n")]
    if bad:
        raise HypatiaError("export", [Problem("ground.sites", bad[:3], "a station name may not "
                                              "hold a comma or a line break (ground_stations.txt "
                                              "is comma-separated)")])
    stations = []
    for gid, site in enumerate(sites):
        x, y, z = _ecef_m(site.lat_deg, site.lon_deg, site.altitude_m)
        stations.append(f"{gid},{site.name},{_decimal(site.lat_deg)},{_decimal(site.lon_deg)},"
                        f"{_decimal(site.altitude_m)},{x:.6f},{y:.6f},{z:.6f}\n")
    isl_m = network.isl_max_range_km * 1000.0
    texts = {
        TLES_FILE: tles,
        ISLS_FILE: "".join(f"{a} {b}\n" for a, b in network.isl_edges.tolist()),
        GROUND_STATIONS_FILE: "".join(stations),
        DESCRIPTION_FILE: (f"max_gsl_length_m={round(gsl_km * 1000.0, 6):.10f}\n"
                           f"max_isl_length_m={round(isl_m, 6):.10f}\n"),
        GSL_INTERFACES_FILE: "".join(f"{node},1,1.000000\n"
                                     for node in range(n_sats + len(sites))),
    }
    with atomic_folder(folder, owned=FILES, writer="the Hypatia export") as work:
        for file, text in texts.items():
            (work / file).write_text(text, encoding="utf-8", newline="\n")
    return HypatiaExport(folder=Path(os.path.abspath(Path(folder).expanduser())),
                         n_sats=n_sats, n_isls=len(network.isl_edges),
                         n_ground_stations=len(sites), max_gsl_length_m=gsl_km * 1000.0,
                         max_isl_length_m=isl_m, notes=tuple(notes))


__all__ = ["HypatiaExport", "write_hypatia"]
