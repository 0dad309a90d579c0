"""What `workbench run` says it assumed, the datasets and export commands, and Parquet
files that carry their units."""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from skyfield.api import EarthSatellite

from workbench import datasets
from workbench.cli import main
from workbench.io.parquet import read_units, unit_of, write_parquet
from workbench.orbits.frames import timescale
from workbench.scenarios import load_scenario


def test_run_prints_the_mask_of_each_role(tmp_path, capsys):
    assert main(["run", "-q", "-o", str(tmp_path), "--hours", "2"]) == 0
    out = capsys.readouterr().out
    assert "masks by site role: user 25°, datacenter 10°, gateway 10°, target 0°" in out
    assert "Shenzhen: " in out and "(mask 25°)" in out
    assert "TLE age" not in out  # Walker shells have no element age


def _tle_scenario(tmp_path, n: int = 3) -> tuple[str, list[str]]:
    lines = datasets.starlink_tle_path().read_text(encoding="utf-8").splitlines()[:3 * n]
    scenario = load_scenario("beijing-etown-demo").model_dump(mode="json")
    scenario["constellation"] = {"name": "few", "tle_sets": [
        {"name": "few", "text": "\n".join(lines)}]}
    scenario.pop("options", None)
    path = tmp_path / "tle.yaml"
    path.write_text(json.dumps(scenario), encoding="utf-8")  # JSON is YAML
    return str(path), lines


def test_run_prints_the_tle_age_in_days(tmp_path, capsys):
    path, lines = _tle_scenario(tmp_path)
    assert main(["run", "-q", path, "-o", str(tmp_path / "out"), "--hours", "2"]) == 0
    out = capsys.readouterr().out
    ts = timescale()
    epochs = [EarthSatellite(lines[i + 1], lines[i + 2], lines[i], ts).epoch.utc_datetime()
              for i in range(0, len(lines), 3)]
    ages = [(datetime(2026, 6, 21, tzinfo=UTC) - e) / timedelta(days=1) for e in epochs]
    assert f"TLE age      {float(np.median(ages)):,.1f} days median" in out
    assert f"{max(ages):,.1f} days at most" in out


@pytest.mark.parametrize(("hours", "step"), [("0.1", "60"), ("1", "600")])
def test_run_refuses_a_grid_too_short_to_mean_anything(tmp_path, capsys, hours, step):
    assert main(["run", "-q", "-o", str(tmp_path), "--hours", hours, "--step", step]) == 2
    err = capsys.readouterr().err
    assert "at least 10 are needed" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_run_refuses_a_step_longer_than_the_duration(tmp_path, capsys):
    assert main(["run", "-q", "-o", str(tmp_path), "--hours", "0.0083", "--step", "60"]) == 2
    err = capsys.readouterr().err
    assert "must not be longer than duration_s" in err and "Traceback" not in err


def test_run_warns_about_a_grid_shorter_than_an_orbit(tmp_path, capsys):
    assert main(["run", "-q", "-o", str(tmp_path), "--hours", "0.5"]) == 0
    out = capsys.readouterr().out
    period_min = 2 * math.pi * math.sqrt((6378.137 + 530.0) ** 3 / 398600.4418) / 60
    assert f"shorter than one orbit ({period_min:.1f} min)" in out


def test_run_writes_units_into_every_parquet_file(tmp_path, capsys):
    assert main(["run", "-q", "-o", str(tmp_path), "--hours", "2"]) == 0
    units = read_units(tmp_path / "access_windows.parquet")
    assert units["duration_s"] == "s" and units["max_elevation_deg"] == "deg"
    for path in tmp_path.glob("*.parquet"):
        assert read_units(path), path
    assert not list(tmp_path.glob(".*.tmp"))


def test_parquet_units_round_trip(tmp_path):
    frame = pl.DataFrame({"altitude_km": [550.0], "rtt_ms": [12.5], "n_hops": [3],
                          "cost_usd_per_kg": [2720.0], "reachable_frac": [0.97],
                          "lcoc_usd_per_tops_hour": [0.3]})
    path = write_parquet(frame, tmp_path / "t.parquet", units={"n_hops": "1"})
    assert read_units(path) == {"altitude_km": "km", "rtt_ms": "ms", "n_hops": "1",
                                "cost_usd_per_kg": "USD/kg", "reachable_frac": "1",
                                "lcoc_usd_per_tops_hour": "USD/(TOPS·h)"}
    assert pl.read_parquet(path).equals(frame)
    assert unit_of("name") is None and unit_of("n_path_changes_per_pair_hour") is None
    with pytest.raises(ValueError, match="no such column"):
        write_parquet(frame, tmp_path / "u.parquet", units={"nope": "m"})
    assert not (tmp_path / "u.parquet").exists() and not list(tmp_path.glob(".*"))
    frame.write_parquet(tmp_path / "plain.parquet")
    assert read_units(tmp_path / "plain.parquet") == {}


def test_datasets_list_and_show(capsys):
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    assert f"chips            {datasets.chips().height:>4} entries" in out
    for name in ("platforms", "constellations", "ground-stations", "launch-vehicles",
                 "scenarios"):
        assert name in out
    assert main(["datasets", "show", "chips"]) == 0
    out = capsys.readouterr().out
    assert all(chip_id in out for chip_id in datasets.chips()["id"])
    assert main(["datasets", "show", "platforms", "smallsat-150"]) == 0
    out = capsys.readouterr().out
    assert "isl_max_range_km           3000.0" in out and "source" in out
    assert main(["datasets", "show", "chips", "jetson-agx-orim"]) == 2
    assert "closest: jetson-agx-orin" in capsys.readouterr().err
    assert main(["datasets", "show", "nope"]) == 2
    assert "catalogs: chips" in capsys.readouterr().err


def test_export_czml_positions_match_the_propagator(tmp_path, capsys):
    out = tmp_path / "demo.czml"
    assert main(["export", "czml", "-o", str(out), "--hours", "1"]) == 0
    packets = json.loads(out.read_text(encoding="utf-8"))
    scenario = load_scenario("beijing-etown-demo")
    assert packets[0]["clock"]["interval"] == "2026-06-21T00:00:00Z/2026-06-21T01:00:00Z"
    sats = [p for p in packets if p["id"].startswith("sat/")]
    sites = [p for p in packets if p["id"].startswith("site/")]
    assert len(sats) == len(scenario.constellation) and len(sites) == len(scenario.ground)
    # the first satellite at t = 0 against skyfield's SGP4 in ITRS
    from skyfield.framelib import itrs

    from workbench.orbits.propagation import satrecs

    sat = EarthSatellite.from_satrec(satrecs(scenario.constellation,
                                             epoch=scenario.epoch_utc)[0], timescale())
    expected_m = sat.at(timescale().from_datetime(scenario.epoch_utc)).frame_xyz(itrs).m
    sample = sats[0]["position"]["cartesian"][:4]
    assert sample[0] == 0.0
    assert np.allclose(sample[1:], expected_m, atol=1.0)
    assert not list(tmp_path.glob(".*.tmp"))
