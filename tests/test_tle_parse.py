"""parse_tle: one test per class of malformed TLE, checksum properties, the real snapshot."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.model import TLEError
from workbench.model.tle import checksum, parse_tle

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT_NAME = "starlink-2026-01-31.tle"
SNAPSHOT_CANDIDATES = (REPO / "datasets" / "tle" / SNAPSHOT_NAME,
                       REPO.parent / "shared" / "data" / "tle" / SNAPSHOT_NAME,
                       Path("/work/shared/data/tle") / SNAPSHOT_NAME)

# The ISS element set of the TLE format's standard worked example (Wikipedia, "Two-line
# element set", and CelesTrak's "FAQs: Two-Line Element Set Format"): both lines end in
# checksum 7.
ISS = ("ISS (ZARYA)\n"
       "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927\n"
       "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537\n")
NAME, LINE1, LINE2 = ISS.splitlines()

# Valid lines of three Starlink records (CelesTrak group "starlink", 2026-01-31).
VALID_LINES = (
    LINE1, LINE2,
    "1 44714U 19074B   26031.25003471  .00034962  00000+0  11576-2 0  9990",
    "2 44714  53.1572 352.8934 0001355  87.7780 348.0870 15.31011067  5538",
    "1 44718U 19074F   26031.13086365  .00002116  00000+0  83543-4 0  9995",
    "2 44718  53.1592 353.2665 0001766  95.6518 264.4685 15.30204265343110",
)


def with_checksum(line: str) -> str:
    """The line with column 69 recomputed, so only the intended fault remains."""
    return line[:68] + str(checksum(line))


def tle(name: str = NAME, line1: str = LINE1, line2: str = LINE2) -> str:
    return f"{name}\n{line1}\n{line2}\n"


def problems(text: str) -> list[str]:
    with pytest.raises(TLEError) as info:
        parse_tle(text)
    return [str(p) for p in info.value.problems]


def test_worked_example_parses_to_the_published_elements():
    (rec,) = parse_tle(ISS)
    assert rec.name == "ISS (ZARYA)" and rec.norad_id == "25544"
    assert rec.inclination_deg == 51.6416 and rec.raan_deg == 247.4627
    assert rec.eccentricity == pytest.approx(0.0006703)
    assert rec.mean_motion_rev_per_day == 15.72125391
    assert rec.bstar == pytest.approx(-0.11606e-4)
    assert rec.epoch_utc.year == 2008 and rec.epoch_utc.timetuple().tm_yday == 264


def test_checksum_of_the_worked_example_is_7():
    assert checksum(LINE1) == 7 and checksum(LINE2) == 7


def test_two_line_format_without_names():
    (rec,) = parse_tle(f"{LINE1}\n{LINE2}\n")
    assert rec.name == "NORAD 25544"


@pytest.mark.parametrize("length", [68, 70])
def test_wrong_length_names_line_and_length(length):
    line1 = with_checksum(LINE1)[:length] if length < 69 else LINE1 + "0"
    (msg,) = problems(tle(line1=line1))
    if length < 69:
        assert msg.startswith("line 2=")
        assert f"has {length} characters; a TLE line has 69" in msg
    else:  # a 70th character is refused unless a blank sets it off (trailing columns)
        assert msg.startswith("line 2 column 70=")
        assert "must be blank" in msg


def test_bad_checksum_names_line_and_sums():
    line2 = LINE2[:68] + "3"
    (msg,) = problems(tle(line2=line2))
    assert msg.startswith("line 3=3:")
    assert "checksum mismatch: the line sums to 7" in msg


def test_non_digit_checksum_column():
    (msg,) = problems(tle(line1=LINE1[:68] + "X"))
    assert msg.startswith("line 2=") and "checksum column 69 must be a digit" in msg


@pytest.mark.parametrize(("line_no", "columns", "bad", "label"), [
    (3, (8, 16), " 51.6x16", "inclination (columns 9-16)"),
    (3, (52, 63), "15.7212539x", "mean motion (columns 53-63)"),
    (2, (18, 32), "08400.51782528", "epoch (columns 19-32)"),  # day 400 of the year
    (2, (53, 61), "-11606*4", "bstar drag term (columns 54-61)"),
])
def test_bad_field_names_line_columns_and_value(line_no, columns, bad, label):
    lines = [LINE1, LINE2]
    a, b = columns
    lines[line_no - 2] = with_checksum(lines[line_no - 2][:a] + bad + lines[line_no - 2][b:])
    (msg,) = problems(tle(line1=lines[0], line2=lines[1]))
    assert msg.startswith(f"line {line_no} {label}={bad!r}")
    assert "is not a valid number" in msg


def test_out_of_range_field_names_the_bounds():
    line2 = with_checksum(LINE2[:8] + "191.6416" + LINE2[16:])
    (msg,) = problems(tle(line2=line2))
    assert msg == "line 3 inclination=191.6416: must be between 0 and 180"


def test_mismatched_catalog_numbers_name_both_lines():
    line2 = with_checksum(LINE2[:2] + "25545" + LINE2[7:])
    (msg,) = problems(tle(line2=line2))
    assert msg == "line 3='25545': catalog number differs from line 2 (25544)"


def test_missing_line_2_at_the_end():
    (msg,) = problems(f"{NAME}\n{LINE1}\n")
    assert msg.startswith("line 2=") and "line 1 of a TLE with no line 2 after it" in msg


def test_missing_line_2_before_the_next_record():
    text = f"{NAME}\n{LINE1}\n" + tle()  # the next record's name sits where line 2 should
    msgs = problems(text)
    assert msgs[0].startswith("line 3='ISS (ZARYA)'")
    assert "expected line 2 of a TLE, starting '2 '" in msgs[0]


def test_name_with_no_element_lines():
    (msg,) = problems(tle() + "LONELY SAT\n")
    assert msg.startswith("line 4='LONELY SAT'") and "no element lines after it" in msg


def test_every_bad_record_is_reported_with_its_own_line_number():
    bad_a = tle(line1=LINE1[:68] + "0")
    bad_b = tle(line2=with_checksum(LINE2[:2] + "25545" + LINE2[7:]))
    msgs = problems(tle() + bad_a + tle() + bad_b)
    assert [m.split("=")[0] for m in msgs] == ["line 5", "line 12"]


def test_empty_text():
    (msg,) = problems("\n\n")
    assert "contains no element sets" in msg


def test_error_is_a_value_error_naming_the_source():
    with pytest.raises(ValueError, match="invalid my-file.tle"):
        parse_tle(tle(line1=LINE1[:68] + "0"), source="my-file.tle")


@given(line=st.sampled_from(VALID_LINES), data=st.data())
def test_changing_one_digit_changes_the_checksum(line, data):
    digit_cols = [i for i, c in enumerate(line[:68]) if c.isdigit()]
    col = data.draw(st.sampled_from(digit_cols), label="column")
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != line[col]]),
                    label="digit")
    changed = line[:col] + new + line[col + 1:]
    assert checksum(line) == int(line[68])
    # the sum moves by new − old, a nonzero amount in −9…9, never a multiple of 10
    assert checksum(changed) != checksum(line)


def _snapshot() -> Path:
    try:
        from workbench.datasets import starlink_tle_path

        return starlink_tle_path()
    except (ImportError, LookupError):
        pass
    for path in SNAPSHOT_CANDIDATES:
        if path.exists():
            return path
    pytest.skip(f"Starlink snapshot {SNAPSHOT_NAME} not found in {SNAPSHOT_CANDIDATES}")


def test_real_snapshot_parses_to_9489_records():
    # shared/data/tle/README.md: 9,489 Starlink satellites, epochs 2026-01-27 … 2026-01-31
    records = parse_tle(_snapshot().read_text(encoding="utf-8"))
    assert len(records) == 9489
    assert len({r.norad_id for r in records}) == 9489
    assert all(r.name.startswith("STARLINK") for r in records)
    epochs = sorted(r.epoch_utc for r in records)
    assert epochs[0].strftime("%Y-%m-%d") >= "2026-01-27"
    assert epochs[-1].strftime("%Y-%m-%d") <= "2026-01-31"
