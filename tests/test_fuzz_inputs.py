"""Fuzzing the three doors user input comes through: scenario YAML, TLE text, the CLI.

Every input must give a value or one of the workbench's own errors (a subclass of
``WorkbenchError``), never another exception and never a traceback, each within a few
seconds (``deadline``). Example counts are bounded so the suite runs in CI. The inputs
that broke these doors before (issue 10) are kept below as explicit regression cases.
"""
from __future__ import annotations

import contextlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli import main
from workbench.model import Constellation, Scenario
from workbench.scenarios import load_scenario
from workbench.model.errors import WorkbenchError
from workbench.model.tle import TLERecord, checksum, parse_tle

FUZZ = settings(deadline=timedelta(seconds=10), max_examples=120,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

LINE1 = "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927"
LINE2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537"
TLE = f"ISS (ZARYA)\n{LINE1}\n{LINE2}\n"

# characters that matter to YAML and TLE parsers, and look-alikes of digits
SPECIAL = list("[]{}&*!|>'\"%@`#,:-?.+ \t\n0123456789eE") + [
    "٣", "５", "²", "\x85", "\u2028", "\x00", "\x1b", "\ufeff", "é", "北"]
chars = st.one_of(st.sampled_from(SPECIAL), st.characters())


def _value_or_own_error(fn, *args):  # noqa: ANN001, ANN002
    try:
        return fn(*args)
    except WorkbenchError as exc:
        str(exc)  # the message itself must render
        return exc


# --------------------------------------------------------------------------- YAML

@st.composite
def mutated(draw, base: str) -> str:
    """``base`` with a few slices replaced by fuzz text."""
    text = base
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 20)))
        text = text[:i] + draw(st.text(chars, max_size=12)) + text[j:]
    return text


json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(chars,
                                                                          max_size=10)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["name", "epoch_utc", "duration_s", "step_s", "constellation",
                         "shells", "platform", "payload", "chip", "ground", "sites",
                         "applications", "kind", "x"]), inner, max_size=4),
    max_leaves=20)


@pytest.fixture(scope="module")
def scenario_yaml() -> str:
    from datetime import UTC, datetime

    from workbench.model import (ComputeChip, ComputePayload, GroundSegment, GroundSite,
                                 Platform)

    chip = ComputeChip(name="chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5,
                       tid_krad=20.0, unit_cost_usd=2000.0, source="fuzz")
    platform = Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5,
                        source="fuzz")
    return Scenario(name="fuzz", epoch_utc=datetime(2026, 3, 20, tzinfo=UTC),
                    duration_s=3600.0, step_s=60.0,
                    constellation=Constellation.walker(550.0, 53.0, 2, 3, 1, name="s1"),
                    platform=platform, payload=ComputePayload(chip=chip),
                    ground=GroundSegment(sites=(GroundSite(name="B", lat_deg=39.8,
                                                           lon_deg=116.5),))).to_yaml()


@FUZZ
@given(data=st.data())
def test_fuzzed_scenario_yaml_gives_a_scenario_or_an_own_error(scenario_yaml, data):
    text = data.draw(mutated(scenario_yaml))
    result = _value_or_own_error(load_scenario, text)
    assert isinstance(result, Scenario | WorkbenchError)


@FUZZ
@given(text=st.text(chars, max_size=200))
def test_random_text_as_a_scenario(text):
    result = _value_or_own_error(load_scenario, text + "\n")
    assert isinstance(result, Scenario | WorkbenchError)


@FUZZ
@given(value=json_like)
def test_random_structures_as_a_scenario(value):
    import yaml

    text = yaml.safe_dump({"name": "x", "doc": value}) + yaml.safe_dump(
        value if isinstance(value, dict) else {"constellation": value})
    result = _value_or_own_error(load_scenario, text)
    assert isinstance(result, Scenario | WorkbenchError)


# --------------------------------------------------------------------------- TLE

@st.composite
def mutated_tle(draw) -> str:
    lines = [LINE1, LINE2]
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(0, 1))
        col = draw(st.integers(0, 68))
        new = draw(chars)
        lines[k] = lines[k][:col] + new + lines[k][col + 1:]
    if draw(st.booleans()):  # most faults should get past the checksum
        lines = [ln[:68] + str(checksum(ln)) if len(ln) >= 68 else ln for ln in lines]
    return f"{draw(st.text(chars, max_size=8))}\n" + "\n".join(lines) + "\n"


@FUZZ
@given(text=mutated_tle())
def test_fuzzed_tle_gives_records_sgp4_agrees_with_or_an_own_error(text):
    result = _value_or_own_error(parse_tle, text)
    if isinstance(result, WorkbenchError):
        return
    from sgp4.api import Satrec

    for record in result:
        assert isinstance(record, TLERecord)
        assert record.line1.isascii() and record.line2.isascii()
        sat = Satrec.twoline2rv(record.line1, record.line2)
        assert sat.bstar == pytest.approx(record.bstar, rel=1e-12, abs=1e-15)
        assert 0.01 <= record.mean_motion_rev_per_day <= 17.04
    assert isinstance(_value_or_own_error(Constellation.from_tle, text),
                      Constellation | WorkbenchError)


@FUZZ
@given(text=st.text(chars, max_size=300))
def test_random_text_as_tle(text):
    assert isinstance(_value_or_own_error(parse_tle, text), tuple | WorkbenchError)


# --------------------------------------------------------------------------- CLI

NUMBERS = ["0", "-1", "nan", "inf", "0.05", "0.5", "1e9", "abc", "true", "30", ""]


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory, scenario_yaml) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli-fuzz")
    files = {"good.yaml": scenario_yaml.encode(), "latin1.yaml": b"name: caf\xe9\n",
             "deep.yaml": b"[" * 500 + b"]" * 500, "empty.yaml": b"",
             "dup.yaml": b"name: a\nname: b\n", "dir.yaml": None}
    out = {}
    for name, data in files.items():
        path = root / name
        if data is None:
            path.mkdir()
        else:
            path.write_bytes(data)
        out[name] = str(path)
    out["missing"] = str(root / "missing.yaml")
    out["root"] = str(root)
    return out


def _argv(draw, files: dict[str, str]) -> list[str]:
    scenario = draw(st.sampled_from([*(v for k, v in files.items() if k != "root"),
                                     "beijing-etown-demo", "no-such-scenario", "", "-"]))
    command = draw(st.sampled_from(["run", "validate", "scenarios", "frobnicate", None]))
    argv: list[str] = [] if command is None else [command]
    if command in ("run", "validate"):
        argv.append(scenario)
    if command == "run":
        argv += ["-o", str(Path(files["root"]) / draw(st.sampled_from(["o1", "o2"]))),
                 "--hours", draw(st.sampled_from(NUMBERS))]
        if draw(st.booleans()):
            argv += ["--step", draw(st.sampled_from(NUMBERS))]
    extras = st.sampled_from(["-q", "--debug", "--version", "--help", "-o", "--hours",
                              "--step", "x", "--", "-x"])
    for _ in range(draw(st.integers(0, 2))):
        argv.insert(draw(st.integers(0, len(argv))), draw(extras))
    return [a for a in argv if a != "--debug"]  # --debug shows tracebacks on purpose


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_fuzzed_command_lines_exit_cleanly(cli_files, data):
    argv = _argv(data.draw, cli_files)
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code
    assert code in (0, 1, 2), (argv, code, err.getvalue())
    assert "Traceback" not in err.getvalue() + out.getvalue(), argv
    assert "internal error" not in err.getvalue(), (argv, err.getvalue())


# --------------------------------------------------------------------------- regressions

def _bomb() -> str:
    lines = ['a0: &a0 [' + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 9)]
    return "\n".join(lines) + "\n"


def _edit(yaml_text: str, old: str, new: str) -> str:
    assert old in yaml_text
    return yaml_text.replace(old, new, 1)


# (id, how to build the text from the valid scenario YAML, words the error must hold)
SCENARIO_REGRESSIONS = [
    ("alias-bomb", lambda y: _bomb() + y, "once its aliases are followed"),
    ("500-nested-brackets", lambda y: "[" * 500 + "]" * 500 + "\n", "nesting"),
    ("duplicate-key", lambda y: y + "step_s: 30\n", "duplicate key 'step_s'"),
    ("duration-true", lambda y: _edit(y, "duration_s: 3600.0", "duration_s: true"),
     "must be a number, not true/false"),
    ("step-longer-than-duration", lambda y: _edit(y, "step_s: 60.0", "step_s: 7200.0"),
     "must not be longer than duration_s"),
    ("epoch-after-de421", lambda y: _edit(y, "2026-03-20", "2060-03-20"), "DE421"),
    ("epoch-before-de421", lambda y: _edit(y, "2026-03-20", "1850-03-20"), "DE421"),
    ("shell-name-format-string", lambda y: y.replace("name: s1", "name: x{}"),
     "'{' is not allowed"),
    ("shell-name-placeholder", lambda y: y.replace("name: s1", "name: '{plane}'"),
     r"shells\.0\.name='\{plane\}'"),
    ("swapped-longitude-box", lambda y: y.replace("applications: []", (
        "applications:\n- kind: event_response\n  lon_min_deg: 120\n  lon_max_deg: 100\n")),
     "lon_min_deg=120"),
    ("duplicate-norad", lambda y: _edit(y, "  tle_sets: []", (
        "  tle_sets:\n  - name: twice\n    text: |\n" + "".join(
            f"      {line}\n" for line in (LINE1, LINE2, LINE1, LINE2)))),
     "NORAD catalog numbers appear more than once"),
]


@pytest.mark.parametrize(("build", "words"), [c[1:] for c in SCENARIO_REGRESSIONS],
                         ids=[c[0] for c in SCENARIO_REGRESSIONS])
def test_scenario_regressions(scenario_yaml, build, words, tmp_path):
    text = build(scenario_yaml)
    with pytest.raises(WorkbenchError, match=words):
        load_scenario(text)
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        assert main(["validate", str(path)]) == 1
    assert "INVALID" in out.getvalue() and "Traceback" not in err.getvalue()


def test_non_utf8_regression(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(WorkbenchError, match="byte 9"):
        load_scenario(path)


def _tle(col1: int | None = None, text1: str = "", col2: int | None = None,
         text2: str = "") -> str:
    l1, l2 = LINE1, LINE2
    if col1 is not None:
        l1 = l1[:col1] + text1 + l1[col1 + len(text1):]
        l1 = l1[:68] + str(checksum(l1))
    if col2 is not None:
        l2 = l2[:col2] + text2 + l2[col2 + len(text2):]
        l2 = l2[:68] + str(checksum(l2))
    return f"X\n{l1}\n{l2}\n"


TLE_REGRESSIONS = [
    ("arabic-digits-ndot", _tle(35, "٠٠١٢"), "printable ASCII"),
    ("fullwidth-digits-ndot", _tle(35, "００"), "printable ASCII"),
    ("superscript-two-mean-motion", _tle(None, "", 60, "²"), "printable ASCII"),
    ("garbage-ndot", _tle(33, "-.00x02182"), "is not a valid number"),
    ("garbage-bstar", _tle(53, "-1160x-4"), "is not a valid number"),
    ("bstar-read-differently", _tle(53, " 1.606-4"), "is not a valid number"),
    ("mean-motion-zero", _tle(None, "", 52, " 0.00000000"), "must be between 0.01"),
    ("alpha5-letter-I", "X\n" + "\n".join(
        ln[:2] + "I" + ln[3:68] + str(checksum(ln[:2] + "I" + ln[3:68]))
        for ln in (LINE1, LINE2)) + "\n", "alpha-5"),
]


@pytest.mark.parametrize(("text", "words"), [c[1:] for c in TLE_REGRESSIONS],
                         ids=[c[0] for c in TLE_REGRESSIONS])
def test_tle_regressions(text, words):
    with pytest.raises(WorkbenchError, match=words):
        parse_tle(text)
    with pytest.raises(WorkbenchError, match=words):
        Constellation.from_tle(text)
