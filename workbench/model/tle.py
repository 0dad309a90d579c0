"""Parse and check two-line element sets (TLE), naming the line and field that is wrong.

Column layout from the CelesTrak format description ("FAQs: Two-Line Element Set
Format", T.S. Kelso) and the SGP4 reference code (Vallado et al., AIAA 2006-6753).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import Problem, TLEError

_MAX_PROBLEMS = 20
_SATNUM = re.compile(r"^[0-9A-Z][0-9]{4}$")


@dataclass(frozen=True)
class TLERecord:
    """One satellite's element set, parsed (angles in degrees, epoch UTC)."""

    name: str
    line1: str
    line2: str
    norad_id: str
    epoch_utc: datetime
    inclination_deg: float
    raan_deg: float
    eccentricity: float
    arg_perigee_deg: float
    mean_anomaly_deg: float
    mean_motion_rev_per_day: float
    bstar: float


def checksum(line: str) -> int:
    """TLE checksum of the first 68 columns: digits summed, '-' counts 1, modulo 10."""
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def _implied_decimal(text: str) -> float:
    """' 11576-2' → 0.11576e-2 (TLE 'assumed decimal point' exponent notation)."""
    text = text.strip()
    if not text or text in {"0", "00000-0", "00000+0", "-00000-0", "+00000-0"}:
        return 0.0
    sign = -1.0 if text[0] == "-" else 1.0
    text = text.lstrip("+-")
    mantissa, exp_sign, exponent = text[:-2], text[-2], text[-1]
    if exp_sign not in "+-":
        raise ValueError(text)
    return sign * float("0." + mantissa) * 10.0 ** (int(exponent) * (-1 if exp_sign == "-" else 1))


def _epoch(text: str) -> datetime:
    year = int(text[:2])
    year += 2000 if year < 57 else 1900
    day = float(text[2:])
    if not 1.0 <= day < 367.0:
        raise ValueError(text)
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=day - 1.0)


_LINE1_FIELDS = (  # (name, columns 0-based slice, parser)
    ("epoch", slice(18, 32), _epoch),
    ("mean motion derivative", slice(33, 43), float),
    ("bstar drag term", slice(53, 61), _implied_decimal),
)
_LINE2_FIELDS = (
    ("inclination", slice(8, 16), float),
    ("right ascension of ascending node", slice(17, 25), float),
    ("eccentricity", slice(26, 33), lambda s: float("0." + s.strip())),
    ("argument of perigee", slice(34, 42), float),
    ("mean anomaly", slice(43, 51), float),
    ("mean motion", slice(52, 63), float),
)


def _check_line(line: str, number: int, expect: str, problems: list[Problem]) -> bool:
    where = f"line {number}"
    if not line.startswith(expect + " "):
        problems.append(Problem(where, line[:20], f"expected line {expect} of a TLE, starting "
                                f"'{expect} '"))
        return False
    if len(line) != 69:
        problems.append(Problem(where, line[:20] + "...", f"has {len(line)} characters; a TLE "
                                "line has exactly 69"))
        return False
    if not line[68].isdigit():
        problems.append(Problem(where, line[68], "checksum column 69 must be a digit"))
        return False
    if checksum(line) != int(line[68]):
        problems.append(Problem(where, int(line[68]), f"checksum mismatch: the line sums to "
                                f"{checksum(line)}"))
        return False
    if not _SATNUM.match(line[2:7]):
        problems.append(Problem(where, line[2:7], "catalog number (columns 3-7) must be 5 "
                                "digits, or a letter and 4 digits (alpha-5)"))
        return False
    return True


def parse_tle(text: str, *, source: str = "TLE") -> tuple[TLERecord, ...]:
    """Parse two- or three-line element text into records; raise :class:`TLEError` listing
    every malformed line (line number, value, what is wrong)."""
    raw = text.splitlines()
    lines = [(i + 1, ln.rstrip()) for i, ln in enumerate(raw) if ln.strip()]
    problems: list[Problem] = []
    records: list[TLERecord] = []
    i = 0
    while i < len(lines) and len(problems) < _MAX_PROBLEMS:
        number, line = lines[i]
        name = None
        if not line.startswith("1 "):
            name = line[2:].strip() if line.startswith("0 ") else line.strip()
            i += 1
            if i >= len(lines):
                problems.append(Problem(f"line {number}", line[:24],
                                        "a satellite name with no element lines after it"))
                break
            number, line = lines[i]
        if i + 1 >= len(lines):
            problems.append(Problem(f"line {number}", line[:24], "line 1 of a TLE with no "
                                    "line 2 after it"))
            break
        number2, line2 = lines[i + 1]
        i += 2
        ok1 = _check_line(line, number, "1", problems)
        ok2 = _check_line(line2, number2, "2", problems)
        if not (ok1 and ok2):
            continue
        if line[2:7] != line2[2:7]:
            problems.append(Problem(f"line {number2}", line2[2:7], f"catalog number differs "
                                    f"from line {number} ({line[2:7]})"))
            continue
        values: dict[str, float | datetime] = {}
        for ln, lnum, fields in ((line, number, _LINE1_FIELDS), (line2, number2, _LINE2_FIELDS)):
            for label, cols, parse in fields:
                try:
                    values[label] = parse(ln[cols])
                except (ValueError, IndexError):
                    problems.append(Problem(f"line {lnum} {label} (columns {cols.start + 1}-"
                                            f"{cols.stop})", ln[cols], "is not a valid number"))
        if len(values) != len(_LINE1_FIELDS) + len(_LINE2_FIELDS):
            continue
        checks = (("inclination", 0.0, 180.0), ("right ascension of ascending node", 0.0, 360.0),
                  ("argument of perigee", 0.0, 360.0), ("mean anomaly", 0.0, 360.0),
                  ("mean motion", 0.0, 20.0))
        bad = False
        for label, lo, hi in checks:
            v = float(values[label])  # type: ignore[arg-type]
            if not lo <= v <= hi and not (label == "mean motion" and v > 0 and v <= hi):
                problems.append(Problem(f"line {number2} {label}", v,
                                        f"must be between {lo:g} and {hi:g}"))
                bad = True
        if bad:
            continue
        norad = line[2:7]
        records.append(TLERecord(
            name=name if name else f"NORAD {norad.strip()}",
            line1=line, line2=line2, norad_id=norad,
            epoch_utc=values["epoch"],  # type: ignore[arg-type]
            inclination_deg=float(values["inclination"]),  # type: ignore[arg-type]
            raan_deg=float(values["right ascension of ascending node"]),  # type: ignore[arg-type]
            eccentricity=float(values["eccentricity"]),  # type: ignore[arg-type]
            arg_perigee_deg=float(values["argument of perigee"]),  # type: ignore[arg-type]
            mean_anomaly_deg=float(values["mean anomaly"]),  # type: ignore[arg-type]
            mean_motion_rev_per_day=float(values["mean motion"]),  # type: ignore[arg-type]
            bstar=float(values["bstar drag term"]),  # type: ignore[arg-type]
        ))
    if problems:
        raise TLEError(problems, source)
    if not records:
        raise TLEError([Problem("text", text[:40], "contains no element sets")], source)
    return tuple(records)
