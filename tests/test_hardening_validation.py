"""Validation gaps of issue 10 and the TLE parser's one truth.

Silently accepted before: a step longer than the duration, ``duration_s: true`` read as
1 s, a swapped longitude box, duplicate NORAD ids, step caps that differed by one, epochs
outside the Sun ephemeris, shell names used as a format string. TLE text that the parser
and ``sgp4`` read differently (non-ASCII digits, garbage in the drag columns), mean motion
0 (a ZeroDivisionError later), and satellites that fail in SGP4 counted as fully sunlit.
"""
from __future__ import annotations

import warnings
from datetime import UTC, datetime

import numpy as np
import pytest
from sgp4.api import Satrec

import workbench as wb
from workbench.model import Constellation, EventResponse, ModelError, TLEError, TLESet
from workbench.model.constants import MAX_TIME_STEPS
from workbench.model.errors import PropagationWarning
from workbench.model.tle import checksum, parse_tle
from workbench.model.timegrid import TimeGrid

# The TLE format's worked example (ISS, CelesTrak "FAQs: Two-Line Element Set Format").
LINE1 = "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927"
LINE2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537"


def fixed(line: str) -> str:
    """The line with its checksum recomputed, so only the intended fault remains."""
    return line[:68] + str(checksum(line))


def put(line: str, col: int, text: str) -> str:
    """``text`` written over ``line`` from 0-based column ``col``, checksum fixed."""
    return fixed(line[:col] + text + line[col + len(text):])


def problems_of(exc: ModelError) -> str:
    return "\n".join(str(p) for p in exc.problems)


# --------------------------------------------------------------------------- scenario

def test_step_longer_than_duration_is_refused(small_scenario):
    with pytest.raises(ModelError, match="step_s=7200: the step must not be longer than "
                                         "duration_s=3600"):
        small_scenario.replace(step_s=7200.0)


@pytest.mark.parametrize(("field", "value", "words"), [
    ("duration_s", True, "must be a number, not true/false"),
    ("step_s", False, "must be a number, not true/false"),
    ("duration_s", "3600", "must be a number, not text"),
    ("step_s", float("nan"), "finite number"),
    ("duration_s", float("inf"), "finite number"),
])
def test_numbers_must_be_numbers(small_scenario, field, value, words):
    with pytest.raises(ModelError, match=words) as info:
        small_scenario.replace(**{field: value})
    assert info.value.problems[0].field == field


def test_booleans_are_refused_in_nested_whole_numbers_too():
    with pytest.raises(ModelError, match="planes=True: must be a whole number"):
        wb.model.WalkerShell(planes=True)


@pytest.mark.parametrize("epoch", ["1850-01-01T00:00:00Z", "2060-01-01T00:00:00Z",
                                   "2053-10-07T00:00:00Z"])  # the last ends after DE421
def test_epoch_outside_the_ephemeris_is_refused(small_scenario, epoch):
    with pytest.raises(ModelError, match="span of the JPL DE421 Sun ephemeris"):
        small_scenario.replace(epoch_utc=epoch, duration_s=2 * 86400.0)


def test_epochs_at_the_edges_of_the_ephemeris_run(small_scenario):
    # DE421 covers 1899-07-29 to 2053-10-09 (TDB): both edges must propagate and light
    for epoch in ("1899-07-30T00:00:00Z", "2053-10-07T00:00:00Z"):
        scenario = small_scenario.replace(epoch_utc=epoch, duration_s=3600.0)
        lit = wb.orbits.sunlit(scenario.constellation, scenario.time_grid,
                               epoch=scenario.epoch_utc)
        assert lit.shape == (6, 61)


def test_swapped_longitude_box_is_refused_like_latitude():
    with pytest.raises(ModelError, match="lon_min_deg=120: must be west of"):
        EventResponse(lon_min_deg=120.0, lon_max_deg=100.0)
    with pytest.raises(ModelError, match="lat_min_deg=40: must be below"):
        EventResponse(lat_min_deg=40.0, lat_max_deg=30.0)
    assert EventResponse(lon_min_deg=100.0, lon_max_deg=120.0).lon_max_deg == 120.0


def test_duplicate_norad_ids_are_refused_within_and_across_sets():
    text = f"A\n{LINE1}\n{LINE2}\nB\n{LINE1}\n{LINE2}\n"
    with pytest.raises(ModelError, match=r"tle_sets=\['25544'\]: NORAD catalog numbers "
                                         "appear more than once"):
        Constellation.from_tle(text)
    one = TLESet(name="one", text=f"{LINE1}\n{LINE2}\n")
    two = TLESet(name="two", text=f"{LINE1}\n{LINE2}\n")
    with pytest.raises(ModelError, match="NORAD"):
        Constellation(tle_sets=(one, two))


def test_scenario_and_time_grid_share_one_step_cap(small_scenario):
    # MAX_TIME_STEPS instants: both accept; one more: both refuse
    start = datetime(2026, 3, 20, tzinfo=UTC)
    step = 10.0
    fits = (MAX_TIME_STEPS - 1) * step
    assert len(TimeGrid(start=start, duration_s=fits, step_s=step)) == MAX_TIME_STEPS
    assert small_scenario.replace(duration_s=fits, step_s=step).duration_s == fits
    with pytest.raises(ModelError, match="time steps|steps, more than"):
        TimeGrid(start=start, duration_s=fits + step, step_s=step)
    with pytest.raises(ModelError, match="time steps"):
        small_scenario.replace(duration_s=fits + step, step_s=step)


@pytest.mark.parametrize("name", ["x{}", "{plane}", "{0}", "a\nb", " leading", "trailing ",
                                  "", "x" * 81, "<b>shell</b>", "a%sb"])
def test_shell_names_are_checked_as_names(name):
    with pytest.raises(ModelError, match=r"name="):
        Constellation.walker(550, 53, 2, 2, name=name)


def test_satellite_names_take_the_shell_name_literally():
    for name in ("Qianfan / Spacesail (G60) phase 1", "北京 shell #1", "a-b_c.d"):
        sats = Constellation.walker(550, 53, 2, 2, name=name).satellites
        assert sats["name"][3] == f"{name}-P1-S1"


def test_uniqueness_checks_are_linear():
    # 20,000 sites with one duplicate: a quadratic check (list.count per item) would do
    # 4e8 comparisons; this one must answer at once and name the duplicate
    sites = [{"name": f"s{i}", "lat_deg": 0.0, "lon_deg": 0.0} for i in range(20_000)]
    sites.append({"name": "s7", "lat_deg": 1.0, "lon_deg": 1.0})
    with pytest.raises(ModelError, match=r"sites=\['s7'\]: site names must be unique"):
        wb.model.GroundSegment(sites=sites)


# --------------------------------------------------------------------------- TLE

@pytest.mark.parametrize(("line", "col", "text"), [
    (1, 35, "٠٠٠٠"),      # Arabic-Indic digits in the mean motion derivative
    (1, 35, "００"),       # fullwidth digits
    (2, 60, "²"),          # superscript two in the mean motion
    (2, 9, "５"),          # fullwidth in the inclination
])
def test_non_ascii_digits_are_refused(line, col, text):
    lines = [LINE1, LINE2]
    lines[line - 1] = lines[line - 1][:col] + text + lines[line - 1][col + len(text):]
    with pytest.raises(TLEError, match="only printable ASCII"):
        parse_tle("\n".join(lines))


@pytest.mark.parametrize(("col", "text"), [
    (33, "-.0000x182"), (33, " 1.000000"), (33, "-0.0002182"),  # mean motion derivative
    (44, " 0000x-0"), (44, "+1e+5-00"),                          # second derivative
    (53, "-11606+x"), (53, "-1_606-4"), (53, " 1.606-4"),        # B*
])
def test_garbage_in_the_drag_columns_is_refused(col, text):
    line1 = put(LINE1, col, text)
    with pytest.raises(TLEError, match="is not a valid number"):
        parse_tle(f"{line1}\n{LINE2}")


def test_parser_and_sgp4_read_the_same_elements():
    (record,) = parse_tle(f"{LINE1}\n{LINE2}")
    sat = Satrec.twoline2rv(LINE1, LINE2)
    xpdotp = 1440.0 / (2.0 * np.pi)
    assert record.bstar == sat.bstar
    assert np.radians(record.inclination_deg) == pytest.approx(sat.inclo, rel=1e-15)
    assert record.mean_motion_rev_per_day / xpdotp == pytest.approx(sat.no_kozai, rel=1e-15)
    assert record.eccentricity == sat.ecco


@pytest.mark.parametrize("mean_motion", [" 0.00000000", " 0.00100000", "17.50000000",
                                         "99.00000000"])
def test_mean_motion_outside_the_physical_range_is_refused(mean_motion):
    line2 = put(LINE2, 52, mean_motion)
    with pytest.raises(TLEError, match="mean motion=.*must be between 0.01 and 17.04"):
        parse_tle(f"{LINE1}\n{line2}")


def test_mean_motion_zero_is_invalid_for_validate(tmp_path, small_scenario, capsys):
    from workbench.cli import main

    text = f"ZERO\n{LINE1}\n{put(LINE2, 52, ' 0.00000000')}\n"
    data = small_scenario.model_dump(mode="json")
    data["constellation"] = {"name": "zero", "tle_sets": [{"name": "zero", "text": text}]}
    import yaml

    path = tmp_path / "zero.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out and "mean motion" in out and "Traceback" not in out


def test_alpha5_letters_i_and_o_are_refused():
    # sgp4 reads 'I' as 18 and 'O' as 23, the same as 'J' and 'P'
    for letter in "IO":
        with pytest.raises(TLEError, match="alpha-5"):
            parse_tle(f"{put(LINE1, 2, letter)}\n{put(LINE2, 2, letter)}")
    (record,) = parse_tle(f"{put(LINE1, 2, 'A')}\n{put(LINE2, 2, 'A')}")
    assert record.norad_id == "A5544"


def test_control_characters_in_names_are_refused():
    with pytest.raises(TLEError, match="printable"):
        parse_tle(f"BAD\x1bNAME\n{LINE1}\n{LINE2}")


# --------------------------------------------------------------------------- SGP4 failures

DECAYING = ("DECAYING", fixed("1 90001U 26001A   26031.50000000  .00000000  00000-0  50000-0"
                              " 0  9990"),
            fixed("2 90001  51.6416 247.4627 0006703 130.5360 325.0288 16.40000000563530"))
HEALTHY = ("HEALTHY", fixed("1 90002U 26001B   26031.50000000  .00000000  00000-0  00000-0"
                            " 0  9990"),
           fixed("2 90002  53.0000 247.4627 0001000 130.5360 325.0288 15.05000000563530"))


def _mixed():
    text = "\n".join(DECAYING + HEALTHY) + "\n"
    constellation = Constellation.from_tle(text, name="mixed")
    grid = TimeGrid(start=datetime(2026, 1, 31, 12, tzinfo=UTC), duration_s=3 * 3600.0,
                    step_s=60.0)
    return constellation, grid


def test_a_satellite_failing_in_sgp4_is_warned_about_and_listed():
    constellation, grid = _mixed()
    with pytest.warns(PropagationWarning, match="1 of 2 satellites failed SGP4"):
        r = wb.orbits.propagate(constellation, grid)
    assert np.isnan(r[0, -1]).all() and np.isfinite(r[1]).all()
    errors = wb.orbits.propagation_errors(constellation, grid)
    assert errors["sat_id"].to_list() == [0] and errors["name"].to_list() == ["DECAYING"]


def test_failed_satellites_are_left_out_of_the_power_means(small_scenario):
    constellation, grid = _mixed()
    scenario = small_scenario.replace(constellation=constellation.model_dump(),
                                      epoch_utc=grid.start, duration_s=grid.duration_s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PropagationWarning)
        result = wb.analyses.capacity(scenario)
    sats = result.frames["satellites"]
    assert sats["is_propagated"].to_list() == [False, True]
    healthy = sats.filter(sats["is_propagated"])
    assert result.summary["sunlit_frac_mean"] == pytest.approx(healthy["sunlit_frac"][0])
    assert result.summary["generation_mean_w"] == pytest.approx(
        healthy["generation_mean_w"][0])
    assert any("left out of the fleet means" in w for w in result.warnings)


def test_cli_sunlit_average_leaves_failed_satellites_out(tmp_path, small_scenario, capsys):
    import polars as pl
    import yaml

    from workbench.cli import main

    constellation, grid = _mixed()
    scenario = small_scenario.replace(constellation=constellation.model_dump(),
                                      epoch_utc=grid.start, duration_s=grid.duration_s)
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json")), encoding="utf-8")
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "-q"]) == 0
    captured = capsys.readouterr()
    assert "1 satellites that failed SGP4 are left out of the averages" in captured.out
    assert "workbench: warning:" in captured.err and "Traceback" not in captured.err
    sunlight = pl.read_parquet(tmp_path / "out" / "sunlight.parquet")
    assert sunlight["sunlit_frac"][0] is None  # the failed one: not 100 % sunlit
    shown = float(captured.out.split("Sunlit")[1].split("%")[0]) / 100
    assert shown == pytest.approx(sunlight["sunlit_frac"][1], abs=5e-4)
