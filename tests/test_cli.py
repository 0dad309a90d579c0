"""The ``workbench`` command: help, version, run to Parquet, validate, clean errors."""
from __future__ import annotations

import math
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import polars as pl
import pytest

from workbench.cli import DEFAULT_SCENARIO, OUTPUT_FILES, main
from workbench.scenarios import load_scenario

CONSOLE_SCRIPT = shutil.which("workbench", path=str(Path(sys.executable).parent))

# the README's constants (WGS84 equatorial radius, EGM μ) for the circular period check
MU_EARTH_KM3_PER_S2 = 398600.4418
R_EARTH_KM = 6378.137
ONE_MILLISECOND_S = 1e-3


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    assert CONSOLE_SCRIPT, "the `workbench` console script is not installed in this venv"
    return subprocess.run([CONSOLE_SCRIPT, *args], capture_output=True, text=True, timeout=300)


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "scenarios", "validate"):
        assert command in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: workbench" in capsys.readouterr().err


def test_console_script_reports_the_package_version():
    proc = _console("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"workbench {version('space-computing-workbench')}"


def test_scenarios_lists_the_default(capsys):
    assert main(["scenarios"]) == 0
    assert f"{DEFAULT_SCENARIO} (default)" in capsys.readouterr().out


def test_run_default_scenario_writes_parquet_tables(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "-o", str(out), "--hours", "2"]) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    for heading in ("Satellites", "Time grid", "Ground sites", "Median pass", "Sunlit",
                    "Wall time"):
        assert heading in captured.out
    assert "[4/4] access windows done" in captured.err

    expected = load_scenario(DEFAULT_SCENARIO).replace(duration_s=7200.0)
    assert load_scenario(out / "scenario.yaml") == expected
    n_sats, n_times = len(expected.constellation), len(expected.time_grid)
    assert n_times == 121  # 2 h at the scenario's 60 s step, both ends included

    satellites = pl.read_parquet(out / "satellites.parquet")
    assert satellites.height == n_sats
    assert satellites["sat_id"].to_list() == list(range(n_sats))

    summary = pl.read_parquet(out / "ephemeris_summary.parquet")
    assert summary.columns == ["sat_id", "name", "shell", "min_altitude_km", "mean_altitude_km",
                               "max_altitude_km", "min_lat_deg", "max_lat_deg", "n_steps",
                               "n_failed_steps"]
    assert summary.height == n_sats
    assert (summary["n_steps"] == n_times).all()
    assert (summary["n_failed_steps"] == 0).all()
    assert (summary["min_altitude_km"] <= summary["mean_altitude_km"]).all()
    assert (summary["mean_altitude_km"] <= summary["max_altitude_km"]).all()
    incl = satellites["inclination_deg"]
    assert (summary["max_lat_deg"] <= incl + 0.5).all()  # a track never passes |lat| > i

    windows = pl.read_parquet(out / "access_windows.parquet")
    assert windows.columns == ["sat_id", "site", "rise_utc", "culmination_utc", "set_utc",
                               "max_elevation_deg", "duration_s", "is_clipped"]
    assert windows.height > 0
    assert set(windows["site"]) <= {s.name for s in expected.ground}
    span_s = (windows["set_utc"] - windows["rise_utc"]).dt.total_microseconds() / 1e6
    assert ((span_s - windows["duration_s"]).abs() < ONE_MILLISECOND_S).all()

    sunlight = pl.read_parquet(out / "sunlight.parquet")
    assert sunlight.columns == ["sat_id", "name", "sunlit_frac", "period_s",
                                "eclipse_s_per_orbit", "n_eclipses", "max_eclipse_s"]
    assert sunlight["sunlit_frac"].is_between(0.0, 1.0).all()
    # circular period T = 2π√(a³/μ), for the shell altitude
    shell = expected.constellation.shells[0]
    period_s = 2 * math.pi * math.sqrt((R_EARTH_KM + shell.altitude_km) ** 3
                                       / MU_EARTH_KM3_PER_S2)
    assert sunlight["period_s"][0] == pytest.approx(period_s, abs=ONE_MILLISECOND_S)

    eclipses = pl.read_parquet(out / "eclipses.parquet")
    assert eclipses.columns == ["sat_id", "start_utc", "end_utc", "duration_s", "is_clipped"]
    counts = eclipses.group_by("sat_id").len()
    joined = sunlight.join(counts, on="sat_id", how="left").with_columns(pl.col("len")
                                                                          .fill_null(0))
    assert (joined["n_eclipses"] == joined["len"]).all()


def test_run_a_yaml_file_with_step_override(tmp_path, small_scenario, capsys):
    path = tmp_path / "small.yaml"
    path.write_text(small_scenario.to_yaml(), encoding="utf-8")
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "--step", "30", "-q"]) == 0
    assert capsys.readouterr().err == ""
    ran = load_scenario(tmp_path / "out" / "scenario.yaml")
    assert ran == small_scenario.replace(step_s=30.0)
    summary = pl.read_parquet(tmp_path / "out" / "ephemeris_summary.parquet")
    assert (summary["n_steps"] == 121).all()  # 3600 s at 30 s


def _error_of(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench: error: ")
    assert "Traceback" not in err
    return err


def test_unknown_scenario_exits_2_with_the_name(tmp_path, capsys):
    err = _error_of(["run", "no-such-scenario", "-o", str(tmp_path)], capsys)
    assert "unknown scenario 'no-such-scenario'" in err
    assert "workbench scenarios" in err


def test_missing_file_exits_2(tmp_path, capsys):
    err = _error_of(["run", str(tmp_path / "missing.yaml"), "-o", str(tmp_path)], capsys)
    assert "no such scenario file" in err


def test_broken_yaml_exits_2_with_line_and_column(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nepoch_utc: 2026-01-01\nconstellation: [starlink\n"
                    "platform: smallsat-150\n", encoding="utf-8")
    err = _error_of(["run", str(path), "-o", str(tmp_path / "out")], capsys)
    assert "not valid YAML" in err
    assert "line " in err and "column " in err
    assert not (tmp_path / "out").exists()


def test_invalid_value_exits_2_naming_the_field(tmp_path, small_scenario, capsys):
    path = tmp_path / "low.yaml"
    path.write_text(small_scenario.to_yaml().replace("altitude_km: 550.0", "altitude_km: 100.0"),
                    encoding="utf-8")
    err = _error_of(["run", str(path), "-o", str(tmp_path)], capsys)
    assert "constellation.shells.0.altitude_km=100.0" in err


def test_bad_option_value_exits_2(tmp_path, capsys):
    err = _error_of(["run", "-o", str(tmp_path), "--hours", "-1"], capsys)
    assert "duration_s=-3600.0" in err


def test_console_script_error_has_no_traceback(tmp_path):
    proc = _console("run", "no-such-scenario", "-o", str(tmp_path))
    assert proc.returncode == 2
    assert "unknown scenario" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_accepts_the_default(capsys):
    assert main(["validate", DEFAULT_SCENARIO]) == 0
    assert "OK" in capsys.readouterr().out


def test_validate_reports_every_problem_and_exits_1(tmp_path, small_scenario, capsys):
    text = (small_scenario.to_yaml().replace("altitude_km: 550.0", "altitude_km: 100.0")
            .replace("lat_deg: 39.8", "lat_deg: 95.0"))
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out
    assert "constellation.shells.0.altitude_km=100.0" in out
    assert "ground.sites.0.lat_deg=95.0" in out


def test_validate_notes_settings_that_mislead(tmp_path, small_scenario, capsys):
    path = tmp_path / "coarse.yaml"
    path.write_text(small_scenario.replace(step_s=600.0, ground={"sites": []}).to_yaml(),
                    encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "note: step_s=600" in out
    assert "no ground sites" in out


def test_cesium_install_uses_an_existing_build_without_npm(tmp_path, capsys, monkeypatch):
    build = tmp_path / "node_modules" / "cesium" / "Build" / "Cesium"
    build.mkdir(parents=True)
    (build / "index.js").write_text("export {};\n")
    monkeypatch.setattr("workbench.widgets.cesium.shutil.which", lambda name: None)
    assert main(["cesium", "install", "--dest", str(tmp_path), "--no-jupyter"]) == 0
    out = capsys.readouterr().out
    assert str(build) in out and "WORKBENCH_CESIUM_DIR" in out


def test_cesium_install_without_npm_exits_2_saying_what_to_install(tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.setattr("workbench.widgets.cesium.shutil.which", lambda name: None)
    assert main(["cesium", "install", "--dest", str(tmp_path), "--no-jupyter"]) == 2
    err = capsys.readouterr().err
    assert "npm" in err and "not found" in err and "WORKBENCH_CESIUM_URL" in err
