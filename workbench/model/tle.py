"""Parse and check two-line element sets (TLE), naming the line and field that is wrong.

Column layout from the CelesTrak format description ("FAQs: Two-Line Element Set
Format", T.S. Kelso) and the SGP4 reference code (Vallado et al., AIAA 2006-6753).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .constants import MU_EARTH_KM3_PER_S2, R_EARTH_KM, SECONDS_PER_DAY
from .errors import Problem, TLEError

_MAX_PROBLEMS = 20
_SATNUM = re.compile(r"^[0-9A-HJ-NP-Z][0-9]{4}$")
_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # alpha-5 first characters: 10…33, no I or O
MAX_NAME_CHARS = 100
"""Longest satellite name (line 0) accepted; CelesTrak's are at most 24."""

XPDOTP = 1440.0 / (2.0 * math.pi)
"""rev/day per rad/min, SGP4's unit conversion (Vallado et al. 2006, ``twoline2rv``)."""

MIN_MEAN_MOTION_REV_PER_DAY = 0.01
"""Slowest mean motion accepted: a period of 100 days, a semi-major axis of about
940,000 km, near the edge of the Earth's sphere of influence (Hill radius ~1.5e6 km)."""
MAX_MEAN_MOTION_REV_PER_DAY = round(
    SECONDS_PER_DAY / (2.0 * math.pi * math.sqrt(R_EARTH_KM**3 / MU_EARTH_KM3_PER_S2)), 2)
"""Fastest mean motion accepted (17.04 rev/day): faster, the semi-major axis would be
below the Earth's equatorial radius."""


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
    return sum(ord(c) - 48 if "0" <= c <= "9" else (1 if c == "-" else 0)
               for c in line[:68]) % 10


def _implied_decimal(text: str) -> float:
    """' 11576-2' → 0.11576e-2 (TLE 'assumed decimal point' exponent notation)."""
    sign = -1.0 if text[0] == "-" else 1.0
    mantissa, exponent = text[1:6], int(text[6:8])
    return sign * float("0." + mantissa) * 10.0 ** exponent


def _epoch(text: str) -> datetime:
    year = int(text[:2])
    year += 2000 if year < 57 else 1900
    day = float(text[2:])
    if not 1.0 <= day < 367.0:
        raise ValueError(text)
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=day - 1.0)


_ANGLE = re.compile(r"^ *[0-9]{1,3}\.[0-9]{4}$")
_LINE1_FIELDS = (  # (name, columns 0-based slice, exact form, parser)
    ("epoch", slice(18, 32), re.compile(r"^[0-9]{5}\.[0-9]{8}$"), _epoch),
    ("mean motion derivative", slice(33, 43), re.compile(r"^[ +-]\.[0-9]{8}$"), float),
    ("mean motion second derivative", slice(44, 52), re.compile(r"^[ +-][0-9]{5}[+-][0-9]$"),
     _implied_decimal),
    ("bstar drag term", slice(53, 61), re.compile(r"^[ +-][0-9]{5}[+-][0-9]$"),
     _implied_decimal),
    ("ephemeris type", slice(62, 63), re.compile(r"^[0-9 ]$"), str),
    ("element set number", slice(64, 68), re.compile(r"^ *[0-9]*$"), str),
)
_LINE2_FIELDS = (
    ("inclination", slice(8, 16), _ANGLE, float),
    ("right ascension of ascending node", slice(17, 25), _ANGLE, float),
    ("eccentricity", slice(26, 33), re.compile(r"^[0-9]{7}$"), lambda s: float("0." + s)),
    ("argument of perigee", slice(34, 42), _ANGLE, float),
    ("mean anomaly", slice(43, 51), _ANGLE, float),
    ("mean motion", slice(52, 63), re.compile(r"^ *[0-9]{1,2}\.[0-9]{8}$"), float),
    ("revolution number", slice(63, 68), re.compile(r"^ *[0-9]*$"), str),
)
_BLANKS = {"1": (1, 8, 17, 32, 43, 52, 61, 63), "2": (1, 7, 16, 25, 33, 42, 51)}
"""0-based columns that the TLE layout keeps blank."""
_RANGES = (("inclination", 0.0, 180.0, ""), ("right ascension of ascending node", 0.0, 360.0,
           ""), ("argument of perigee", 0.0, 360.0, ""), ("mean anomaly", 0.0, 360.0, ""),
           ("mean motion", MIN_MEAN_MOTION_REV_PER_DAY, MAX_MEAN_MOTION_REV_PER_DAY,
            " rev/day: above it the orbit would lie inside the Earth, below it beyond the "
            "Earth's sphere of influence"))


def _check_line(line: str, number: int, expect: str, problems: list[Problem]) -> bool:
    where = f"line {number}"
    if not (line.isascii() and line.isprintable()):
        bad = next(c for c in line if not (c.isascii() and c.isprintable()))
        problems.append(Problem(where, bad, f"column {line.index(bad) + 1}: a TLE line holds "
                                "only printable ASCII characters"))
        return False
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
                                "digits, or a letter other than I or O and 4 digits (alpha-5)"))
        return False
    for col in _BLANKS[expect]:
        if line[col] != " ":
            problems.append(Problem(f"{where} column {col + 1}", line[col], "must be blank "
                                    "(the TLE's fixed column layout)"))
            return False
    return True


def _satnum(text: str) -> int:
    """Catalog number of columns 3-7, alpha-5 aware ('A0001' → 100001)."""
    if text[0].isdigit():
        return int(text)
    return (10 + _ALPHA5.index(text[0])) * 10000 + int(text[1:])


def _sgp4_disagreement(line1: str, line2: str, values: dict) -> str | None:
    """What ``sgp4``'s own reader (the one propagation uses) reads differently, if anything."""
    from sgp4.api import Satrec

    sat = Satrec.twoline2rv(line1, line2)
    epoch = values["epoch"]
    start = datetime(epoch.year, 1, 1, tzinfo=UTC)
    days = (epoch - start).total_seconds() / SECONDS_PER_DAY + 1.0
    per_min2 = XPDOTP * 1440.0
    expected = {
        "catalog number": (sat.satnum, _satnum(line1[2:7])),
        "epoch year": (sat.epochyr % 100, epoch.year % 100),
        "epoch day": (sat.epochdays, days),
        "mean motion derivative": (sat.ndot, values["mean motion derivative"] / per_min2),
        "mean motion second derivative": (
            sat.nddot, values["mean motion second derivative"] / (per_min2 * 1440.0)),
        "bstar drag term": (sat.bstar, values["bstar drag term"]),
        "inclination": (sat.inclo, math.radians(values["inclination"])),
        "right ascension of ascending node": (
            sat.nodeo, math.radians(values["right ascension of ascending node"])),
        "eccentricity": (sat.ecco, values["eccentricity"]),
        "argument of perigee": (sat.argpo, math.radians(values["argument of perigee"])),
        "mean anomaly": (sat.mo, math.radians(values["mean anomaly"])),
        "mean motion": (sat.no_kozai, values["mean motion"] / XPDOTP),
    }
    for label, (theirs, ours) in expected.items():
        if not math.isclose(theirs, ours, rel_tol=1e-9, abs_tol=1e-12):
            return f"sgp4 reads the {label} as {theirs!r}, this parser as {ours!r}"
    return None


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
            if not name.isprintable() or len(name) > MAX_NAME_CHARS:
                problems.append(Problem(f"line {number}", name[:24], "a satellite name is at "
                                        f"most {MAX_NAME_CHARS} printable characters"))
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
            for label, cols, form, parse in fields:
                try:
                    if not form.match(ln[cols]):
                        raise ValueError(ln[cols])
                    values[label] = parse(ln[cols])
                except (ValueError, IndexError, OverflowError):
                    problems.append(Problem(f"line {lnum} {label} (columns {cols.start + 1}-"
                                            f"{cols.stop})", ln[cols], "is not a valid number"))
        if len(values) != len(_LINE1_FIELDS) + len(_LINE2_FIELDS):
            continue
        bad = False
        for label, lo, hi, why in _RANGES:
            v = float(values[label])  # type: ignore[arg-type]
            if not lo <= v <= hi:
                problems.append(Problem(f"line {number2} {label}", v,
                                        f"must be between {lo:g} and {hi:g}{why}"))
                bad = True
        if bad:
            continue
        disagreement = _sgp4_disagreement(line, line2, values)
        if disagreement is not None:
            problems.append(Problem(f"line {number}", line[2:7], f"{disagreement}; the element "
                                    "set is ambiguous"))
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
