"""Hypatia interchange (workbench.io.hypatia): a scenario through Hypatia's files and back,
the files against Hypatia's own reading rules, a published Hypatia RTT series reproduced
through ``load_hypatia``, and malformed files refused naming the file and the line.

Hypatia's formats and rules are those of github.com/snkas/hypatia at commit
0ac531c313eba2335f6344b46347140c3a0d4230 (2022-10-10): satgenpy ``satgen/tles/
read_tles.py``, ``isls/read_isls.py``, ``ground_stations/read_ground_stations.py`` and
``distance_tools/distance_tools.py`` (``geodetic2cartesian`` on WGS72), ``satgenpy/
README.md`` ("File formats"), and the ns-3 module's ``contrib/satellite-network/model/
topology-satellite-network.cc`` (``ReadSatellites``, ``ReadGroundStations``, ``ReadISLs``)
and ``src/satellite/model/satellite.cc`` (``SetTleInfo``: TLE lines of exactly 69
characters, read by Vallado's ``twoline2rv`` with WGS72). Nothing of Hypatia runs here: the
tests restate those rules.
"""
from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypatia_files import max_isl_length_m, write_state
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import datasets
from workbench.analyses.network.roundtrip import latency
from workbench.analyses.network.topology import walker_plus_grid
from workbench.cli import main
from workbench.io.hypatia import (
    FILES,
    HypatiaError,
    elevation_at_range_deg,
    load_hypatia,
    read_ground_stations,
    slant_range_km,
    write_hypatia,
)
from workbench.model import Constellation, GroundSegment, Scenario
from workbench.model.timegrid import TimeGrid
from workbench.model.tle import checksum
from workbench.orbits import propagate

TLE_ROUNDING_M = 15.0
"""Position difference the TLE format's rounding allows: angles to 1e-4° (±6.0 m each at
6,928 km from the Earth's centre), the epoch to 1e-8 day (±3.3 m along track), e written as
1e-7 for circular orbits (0.7 m). Measured over a day of Starlink S1: 6.5 m."""
ONE_MICROSECOND_MS = 1e-3
STARLINK_550_MAX_GSL_M = math.sqrt(940700.0**2 + 550000.0**2)
"""Hypatia's ``main_starlink_550.py``: √(cone radius² + altitude²), 1,089,686 m."""
CITIES = ["Tokyo", "Delhi", "Shanghai", "São-Paulo", "Mumbai-(Bombay)", "Beijing",
          "Al-Qahirah-(Cairo)",
          "New-York-Newark", "London", "Moskva-(Moscow)", "Sydney", "Lagos"]


def starlink_scenario(*, epoch: datetime, duration_s: float = 600.0, step_s: float = 60.0,
                      **changes) -> Scenario:
    """Starlink S1 (72 × 22 at 550 km) with Hypatia's ground-link rule on twelve cities."""
    sites = tuple(s.replace(min_elevation_deg=0.0, max_range_km=STARLINK_550_MAX_GSL_M / 1000)
                  for s in datasets.hypatia_ground_segment().sites if s.name in CITIES)
    return Scenario(name="starlink-550", epoch_utc=epoch, duration_s=duration_s, step_s=step_s,
                    constellation=datasets.constellation("starlink-s1"),
                    platform=datasets.platform("starlink-v1-class"),
                    payload={"chip": datasets.chip("jetson-agx-orin")},
                    ground=GroundSegment(sites=sites), **changes)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An off-grid epoch (not a whole second) so the TLE epoch's rounding is exercised."""
    scenario = starlink_scenario(epoch=datetime(2026, 6, 21, 3, 17, 41, 123456, tzinfo=UTC),
                                 options={"network": {"keep_paths": False}})
    folder = tmp_path_factory.mktemp("hypatia") / "starlink_550"
    return scenario, write_hypatia(scenario, folder)


def test_round_trip_gives_the_same_satellites_links_sites_and_rtts(exported):
    scenario, done = exported
    back = load_hypatia(done.folder, duration_s=scenario.duration_s, step_s=scenario.step_s)
    assert abs((back.epoch_utc - scenario.epoch_utc).total_seconds()) < 0.5e-8 * 86400
    # satellites: the same positions over a day, to the TLE format's rounding
    grid = TimeGrid(start=scenario.epoch_utc, duration_s=86400.0, step_s=900.0)
    r_walker = propagate(scenario.constellation, grid, epoch=scenario.epoch_utc)
    r_tle = propagate(back.constellation, grid, epoch=back.epoch_utc)
    assert np.linalg.norm(r_walker - r_tle, axis=-1).max() * 1000.0 < TLE_ROUNDING_M
    # links: the +Grid latency builds for the Walker shell, as an explicit list
    grid_links = walker_plus_grid(scenario.constellation.shells[0])
    assert back.options.network.isl == tuple(map(tuple, grid_links.tolist()))
    assert back.options.network.isl_max_range_km == scenario.platform.isl_max_range_km
    # sites: names, places and the ground-link rule
    for a, b in zip(scenario.ground.sites, back.ground.sites, strict=True):
        assert (a.name, a.lat_deg, a.lon_deg, a.altitude_m) == (
            b.name, b.lat_deg, b.lon_deg, b.altitude_m)
        assert (b.elevation_mask_deg, b.is_relay) == (0.0, False)
        assert b.max_range_km == pytest.approx(a.max_range_km, abs=1e-9)
    # RTTs: every pair, every step
    before, after = latency(scenario), latency(back)
    assert after.info["isl"] == "links" and after.info["n_isl_links"] == 2 * 72 * 22
    assert before.rtt["is_reachable"].equals(after.rtt["is_reachable"])
    assert before.rtt["is_reachable"].mean() > 0.9
    diff = (before.rtt["rtt_ms"] - after.rtt["rtt_ms"]).abs().max()
    assert diff < ONE_MICROSECOND_MS, diff
    assert before.rtt["n_hops"].equals(after.rtt["n_hops"])


def test_a_hypatia_folder_exports_back_byte_for_byte(exported, tmp_path):
    _, done = exported
    again = write_hypatia(load_hypatia(done.folder), tmp_path / "again")
    for name in FILES:
        assert (again.folder / name).read_bytes() == (done.folder / name).read_bytes(), name


def test_exported_files_follow_hypatias_reading_rules(exported):
    from sgp4.api import WGS72, Satrec
    from sgp4.io import compute_checksum

    scenario, done = exported
    folder, n_sats = done.folder, len(scenario.constellation)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    for name in FILES:  # Unix lines, no blank line at the end (ns-3 reads each getline)
        raw = (folder / name).read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n") and not raw.endswith(b"\n\n")
    # tles.txt: "N_ORBITS N_SATS_PER_ORBIT", their product the count (ns-3 ReadSatellites)
    lines = (folder / "tles.txt").read_text(encoding="utf-8").splitlines()
    n_orbits, n_per_orbit = (int(w) for w in lines[0].split(" "))
    assert (n_orbits, n_per_orbit) == (72, 22) and (len(lines) - 1) / 3 == n_sats
    epochs = set()
    for i in range(n_sats):
        name, line1, line2 = lines[1 + 3 * i: 4 + 3 * i]
        assert int(name.split()[1]) == i  # satgenpy read_tles: the id is the second word
        assert len(line1) == len(line2) == 69  # ns-3 Satellite::SetTleInfo
        for line in (line1, line2):
            assert compute_checksum(line) == int(line[68])
        epochs.add(line1[18:32])
        assert line1[18:20] == "26"  # satgenpy reads "20" + these two digits
        assert int(line2[26:33]) >= 1  # e ≥ 1e-7: pyephem refuses 0
        # ns-3 propagates Vallado's twoline2rv with WGS72: the satellite the workbench has
        sat = Satrec.twoline2rv(line1, line2, WGS72)
        assert sat.error == 0 and sat.satnum == i + 1
    assert len(epochs) == 1  # satgenpy: "The epoch of all TLES must be the same"
    # isls.txt: "a b", a < b < n_sats, each once (satgenpy read_isls); one space (ns-3)
    pairs = [tuple(map(int, line.split(" ")))
             for line in (folder / "isls.txt").read_text(encoding="utf-8").splitlines()]
    assert all(len(p) == 2 and 0 <= p[0] < p[1] < n_sats for p in pairs)
    assert len(set(pairs)) == len(pairs) == done.n_isls == 2 * n_sats
    # ground_stations.txt: 8 columns, ids from 0, x, y, z on WGS72 (geodetic2cartesian)
    a_m, f = 6378135.0, 1.0 / 298.26
    e2 = 2 * f - f * f
    rows = (folder / "ground_stations.txt").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(scenario.ground) == done.n_ground_stations
    for gid, (row, site) in enumerate(zip(rows, scenario.ground.sites, strict=True)):
        cols = row.split(",")
        assert len(cols) == 8 and int(cols[0]) == gid and cols[1] == site.name
        lat, lon, elevation, x, y, z = map(float, cols[2:])
        assert (lat, lon, elevation) == (site.lat_deg, site.lon_deg, site.altitude_m)
        phi, lam = math.radians(lat), math.radians(lon)
        v = a_m / math.sqrt(1.0 - e2 * math.sin(phi) ** 2)
        expected = ((v + elevation) * math.cos(phi) * math.cos(lam),
                    (v + elevation) * math.cos(phi) * math.sin(lam),
                    (v * (1.0 - e2) + elevation) * math.sin(phi))
        assert math.dist((x, y, z), expected) < 1e-5  # m: the file's six decimals
    # description.txt: the two lengths in metres
    text = (folder / "description.txt").read_text(encoding="utf-8")
    props = dict(line.split("=") for line in text.splitlines())
    assert set(props) == {"max_gsl_length_m", "max_isl_length_m"}
    assert float(props["max_gsl_length_m"]) == pytest.approx(STARLINK_550_MAX_GSL_M, abs=1e-6)
    assert float(props["max_isl_length_m"]) == scenario.platform.isl_max_range_km * 1000.0
    # gsl_interfaces_info.txt: one line per node, satellites then stations, ids from 0
    info = [line.split(",") for line in
            (folder / "gsl_interfaces_info.txt").read_text(encoding="utf-8").splitlines()]
    assert [int(c[0]) for c in info] == list(range(n_sats + len(scenario.ground)))
    assert all(int(c[1]) == 1 and float(c[2]) > 0 for c in info)


# Hypatia's published RTT series: satgenpy/tests/data_to_match/kuiper_630/
# networkx_rtt_1173_to_1241.txt at commit 0ac531c3 (Kuiper-630, Manila = node 1173 to
# Dalian = node 1241, every 100 ms for 200 s), every 100th value (time s, RTT ns):
PUBLISHED_RTT_NS = (
    (0, 29423137.7582285441), (10, 29153930.2228953019), (20, 25318683.6220981628),
    (30, 41135644.7000714913), (40, 41136549.4254775420), (50, 41185798.6550438702),
    (60, 41284595.9397452399), (70, 41434108.0052002668), (80, 42182027.9494596720),
    (90, 42458366.1313202754), (100, 42776626.2758466974), (110, 43135492.7937646285),
    (120, 43533574.7668204650), (130, 42921044.6418462172), (140, 42556403.6607776955),
    (150, 42234037.9425443783), (160, 41954679.2195643768), (170, 41718882.0877757251),
    (180, 41527172.3388376534), (190, 41380110.4200742252),
)
# ... and its routes (networkx_path_1173_to_1241.txt): from time s, the satellites passed
PUBLISHED_ROUTES = ((0.0, [184, 183, 217]), (18.0, [218, 217]),
                    (27.6, [648, 649, 650, 616]), (74.3, [218, 217, 216, 250]),
                    (125.9, [647, 648, 649, 650, 616]), (128.7, [647, 648, 649, 615]))


def test_the_published_kuiper_630_manila_dalian_rtt_series(tmp_path):
    """Hypatia's Kuiper-630 set-up (``paper/satellite_networks_state/main_kuiper_630.py``:
    34 × 34, 51.9°, 14.80 rev/day, ground links to 30° elevation on its flat-Earth rule
    √((h / tan 30°)² + h²), ISLs down to 80 km), laid out as Hypatia lays it out and read
    through ``load_hypatia``; RTTs of its published series within 2 µs (measured 1.6 µs:
    Hypatia propagates with pyephem, the workbench with sgp4), and the same routes."""
    altitude_m = 630000.0
    folder = write_state(
        tmp_path / "kuiper_630_isls_plus_grid_ground_stations_top_100", n_orbits=34,
        n_per_orbit=34, name="Kuiper-630", inclination_deg=51.9, mean_motion=14.80,
        max_gsl_length_m=math.hypot(altitude_m / math.tan(math.radians(30.0)), altitude_m),
        max_isl_length_m=max_isl_length_m(altitude_m),
        ground_stations_basic=datasets.hypatia_ground_stations_path().read_text("utf-8"))
    scenario = load_hypatia(folder, duration_s=190.0, step_s=10.0)
    assert scenario.epoch_utc == datetime(2000, 1, 1, tzinfo=UTC)
    assert len(scenario.constellation) == 1156 and len(scenario.ground) == 100
    result = latency(scenario, [("Manila", "Dalian")], options={"keep_paths": True})
    published_ms = np.array([rtt_ns for _, rtt_ns in PUBLISHED_RTT_NS]) / 1e6
    np.testing.assert_allclose(result.rtt["rtt_ms"].to_numpy(), published_ms,
                               atol=2 * ONE_MICROSECOND_MS, rtol=0)
    for t_s, _ in PUBLISHED_RTT_NS:
        expected = next(sats for start, sats in reversed(PUBLISHED_ROUTES) if start <= t_s)
        assert result.path("Manila", "Dalian", t_s // 10) == expected, t_s


def test_a_slant_range_has_the_ground_reach_the_fcc_filing_gives():
    """25° minimum elevation at 550 km: a coverage cone of radius 940.7 km on the ground
    (SpaceX, FCC SAT-MOD-20181108-00083, as quoted in Hypatia's ``main_starlink_550.py``).
    The slant range at that elevation, seen from the Earth's centre, spans that arc."""
    d_km, eps = slant_range_km(25.0, 550.0), math.radians(25.0)
    central_angle = math.asin(d_km * math.cos(eps) / (6378.137 + 550.0))
    assert 6378.137 * central_angle == pytest.approx(940.7, abs=0.1)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 90.0), st.floats(160.0, 40000.0))
def test_elevation_and_slant_range_invert_each_other(elevation_deg, altitude_km):
    d = slant_range_km(elevation_deg, altitude_km)
    assert altitude_km - 1e-6 <= d
    back_deg = elevation_at_range_deg(d, altitude_km)
    assert slant_range_km(back_deg, altitude_km) == pytest.approx(d, rel=1e-9)
    if elevation_deg < 89.0:  # at the zenith the arcsine loses digits: dε/d(sin ε) → ∞
        assert back_deg == pytest.approx(elevation_deg, abs=1e-6)


def test_an_elevation_mask_exports_as_the_slant_range_at_the_shell_altitude(tmp_path):
    scenario = starlink_scenario(epoch=datetime(2026, 6, 21, tzinfo=UTC))
    masked = scenario.replace(ground=datasets.hypatia_ground_segment())  # 25° each
    done = write_hypatia(masked, tmp_path / "masked")
    assert done.max_gsl_length_m == pytest.approx(slant_range_km(25.0, 550.0) * 1000, abs=1e-6)
    assert any("25° elevation mask" in note for note in done.notes)
    mixed = masked.replace(ground=masked.ground.with_site(
        masked.ground.sites[0].replace(name="gateway", role="gateway", min_elevation_deg=None)))
    with pytest.raises(HypatiaError, match=r"one maximum ground-link range.*25° → 1,123.4 km \(100 sites: Tokyo, Delhi, "
                       r"Shanghai …\); 10° → 1,815.7 km \(gateway\)"):
        write_hypatia(mixed, tmp_path / "mixed")
    done = write_hypatia(mixed, tmp_path / "mixed", min_elevation_deg=40.0)
    assert done.max_gsl_length_m == pytest.approx(slant_range_km(40.0, 550.0) * 1000)


def test_what_hypatia_cannot_hold_is_refused(tmp_path):
    base = starlink_scenario(epoch=datetime(2026, 6, 21, tzinfo=UTC))
    nearest = base.replace(options={"network": {"isl": "nearest"}})
    with pytest.raises(HypatiaError, match="nearest-neighbour links change at every step"):
        write_hypatia(nearest, tmp_path / "a")
    old = base.replace(epoch_utc=datetime(1999, 12, 31, tzinfo=UTC))
    with pytest.raises(HypatiaError, match="an epoch in 2000–2056"):
        write_hypatia(old, tmp_path / "a")
    comma = base.replace(ground=base.ground.with_site(
        base.ground.sites[0].replace(name="Tokyo, Japan")))
    with pytest.raises(HypatiaError, match="may not hold a comma"):
        write_hypatia(comma, tmp_path / "a")
    snapshot = base.replace(constellation=Constellation.from_tle(
        datasets.starlink_tle_path(), name="starlink"))
    with pytest.raises(HypatiaError, match="Hypatia starts every satellite at its own TLE"):
        write_hypatia(snapshot, tmp_path / "a")
    assert not (tmp_path / "a").exists()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OSError, match=r"holds files the Hypatia export did not write"):
        write_hypatia(base, tmp_path / "b")
    assert (tmp_path / "b" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_without_isls_ground_stations_relay(exported, tmp_path):
    _, done = exported
    folder = tmp_path / "bent_pipe"
    shutil.copytree(done.folder, folder)
    (folder / "isls.txt").write_text("", encoding="utf-8")
    scenario = load_hypatia(folder)
    assert scenario.options.network.isl == "none"
    assert scenario.options.network.fibre == "none"
    assert all(site.is_relay for site in scenario.ground.sites)


def test_the_basic_ground_station_file_reads_as_the_dataset():
    segment = read_ground_stations(datasets.hypatia_ground_stations_path(), max_range_km=1000)
    frame = datasets.hypatia_ground_stations()
    assert [s.name for s in segment.sites] == frame["name"].to_list()
    assert [s.lat_deg for s in segment.sites] == frame["lat_deg"].to_list()
    assert [s.lon_deg for s in segment.sites] == frame["lon_deg"].to_list()
    assert {(s.min_elevation_deg, s.max_range_km) for s in segment.sites} == {(0.0, 1000)}


def _edit(folder: Path, name: str, line: int, text: str | Callable[[str], str] | None) -> None:
    """Replace one line of a file (lines counted from 1) by ``text``, or by ``text(old
    line)``; None deletes it."""
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    if text is None:
        del lines[line - 1]
    else:
        lines[line - 1] = text(lines[line - 1]) if callable(text) else text
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _with_checksum(line: str) -> str:
    return line + str(checksum(line))


BAD_FILES = [
    ("tles.txt", 1, "72", "tles.txt (1 problem):\n  line 1='72': must be 'N_ORBITS"),
    ("tles.txt", 1, "72 21",
     "line 1='72 21': says 72 × 21 = 1,512 satellites, but the file holds 1,584"),
    ("tles.txt", 5, "Starlink-550 7",
     "line 5='Starlink-550 7': the name line of satellite 1 must read '<name> 1'"),
    ("tles.txt", 6, "", "line 6='': is blank"),
    ("tles.txt", 3, lambda line: line[:68] + str((int(line[68]) + 1) % 10),
     ("line 3=", "checksum mismatch: the line sums to")),
    ("tles.txt", 6, lambda line: _with_checksum(line[:31] + "9" + line[32:68]),
     ("line 6='26172.1372815", "9': epoch differs from satellite 0's")),
    ("isls.txt", 4, "0 1584",
     "isls.txt (1 problem):\n  line 4='0 1584': satellite 1584 does not exist"),
    ("isls.txt", 2, "1 0", "line 2='1 0': repeats the link of line 1"),
    ("isls.txt", 3, "5 5", "line 3='5 5': links a satellite to itself"),
    ("isls.txt", 3, "5,6", "line 3='5,6': must be two satellite ids"),
    ("ground_stations.txt", 2, None, "line 2='2': ground station ids count up from 0"),
    ("ground_stations.txt", 1, "0,Tokyo,95.0,139.69171,0.0,0,0,0",
     "line 1 lat_deg=95.0: must be ≤ 90.0"),
    ("ground_stations.txt", 1, "0,Tokyo,35.6895,139.69171,0.0,-3954843.6,3354935.2,3700363.8",
     "line 1 x,y,z='-3954843.6,3354935.2,3700363.8': is 100 m from the WGS72 position"),
    ("ground_stations.txt", 1, "0,Tokyo,35.6895,139.69171",
     "line 1='0,Tokyo,35.6895,139.69171': has 4 comma-separated columns"),
    ("ground_stations.txt", 2,
     "1,Tokyo,28.66667,77.21667,0.0,1239227.233093,5461834.040626,3041536.573362",
     "line 2='Tokyo': repeats the name of line 1"),
    ("description.txt", 1, "max_gsl_length_m=-5",
     "line 1 max_gsl_length_m='-5': must be a length in metres > 0"),
    ("description.txt", 2, None, "max_isl_length_m=None: missing"),
]


@pytest.mark.parametrize(("name", "line", "text", "message"), BAD_FILES,
                         ids=[f"{n}:{k}" for n, k, _, _ in BAD_FILES])
def test_malformed_files_are_refused_naming_file_and_line(exported, tmp_path, name, line, text,
                                                          message):
    _, done = exported
    folder = tmp_path / "broken"
    shutil.copytree(done.folder, folder)
    _edit(folder, name, line, text)
    with pytest.raises(HypatiaError) as caught:
        load_hypatia(folder)
    assert f"invalid Hypatia {folder / name}" in str(caught.value)
    for part in (message,) if isinstance(message, str) else message:
        assert part in str(caught.value)


def test_missing_files_and_folders_are_named(tmp_path):
    with pytest.raises(HypatiaError, match="is not a folder; a Hypatia satellite network"):
        load_hypatia(tmp_path / "nowhere")
    with pytest.raises(HypatiaError, match=r"description.txt \(1 problem\):\n  file=.*: no such file"):
        load_hypatia(tmp_path)


def test_cli_exports_and_loads_hypatia_folders(exported, tmp_path, capsys):
    scenario, done = exported
    path = tmp_path / "demo.yaml"
    path.write_text(scenario.to_yaml(), encoding="utf-8")
    assert main(["export", "hypatia", str(path), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "1,584 satellites, 3,168 ISLs, 12 ground stations" in out
    for name in FILES:
        assert (tmp_path / "out" / name).read_bytes() == (done.folder / name).read_bytes()
    # a Hypatia folder is a scenario the CLI loads
    assert main(["export", "hypatia", str(done.folder), "-o", str(tmp_path / "again")]) == 0
    capsys.readouterr()
    # the demo's sites have several masks: refused until one is chosen
    assert main(["export", "hypatia", "beijing-etown-demo", "-o", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench: error: ") and "--min-elevation-deg" in err
    assert main(["export", "hypatia", "beijing-etown-demo", "-o", str(tmp_path / "d"),
                 "--min-elevation-deg", "25"]) == 0
    assert "256 satellites, 512 ISLs" in capsys.readouterr().out
    shutil.copytree(done.folder, tmp_path / "broken")
    _edit(tmp_path / "broken", "isls.txt", 1, "0 0")
    assert main(["export", "hypatia", str(tmp_path / "broken"), "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "isls.txt" in err and "line 1='0 0': links a satellite to itself" in err
    assert "Traceback" not in err


def test_the_loaded_scenario_round_trips_through_yaml(exported):
    from workbench.scenarios import load_scenario

    _, done = exported
    scenario = load_hypatia(done.folder)
    assert load_scenario(scenario.to_yaml()) == scenario
    assert isinstance(scenario.options.network.isl, tuple)
    assert pl.DataFrame(scenario.options.network.isl, orient="row").height == 3168
