"""Parse and check two-line element sets (TLE), naming the line and field that is wrong.

Column layout from the CelesTrak format description ("FAQs: Two-Line Element Set
Format", T.S. Kelso) and the SGP4 reference code (Vallado et al., AIAA 2006-6753).
"""
from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from .constants import MU_EARTH_KM3_PER_S2, R_EARTH_KM, SECONDS_PER_DAY
from .errors import Problem, TLEError

_MAX_PROBLEMS = 20
ChecksumRule = Literal["error", "warn", "skip"]
InvalidRule = Literal["error", "warn"]
MAX_TLE_FILE_BYTES = 64 * 1024 * 1024
"""Largest TLE file read (CelesTrak's biggest group, 'active', is a few MB)."""
_TLE_SUFFIXES = {".tle", ".txt", ".2le", ".3le", ".tles"}


class TLEWarning(UserWarning):
    """A TLE line kept despite a checksum mismatch, or an element set dropped as invalid."""

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


def _check_line(line: str, number: int, expect: str, problems: list[Problem],
                checksum_rule: ChecksumRule, notes: list[str]) -> bool:
    """Check one element line (already cut to its 69 columns); checksum mismatches go to
    ``notes`` instead of ``problems`` when ``checksum_rule`` is "warn"."""
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
                                "line has 69 (columns after a blank beyond column 69 are "
                                "ignored)"))
        return False
    if checksum_rule != "skip":
        if not line[68].isdigit():
            problems.append(Problem(where, line[68], "checksum column 69 must be a digit "
                                    "(checksum='skip' ignores it)"))
            return False
        if checksum(line) != int(line[68]):
            text = (f"checksum mismatch: the line sums to {checksum(line)}, column 69 "
                    f"says {line[68]}")
            if checksum_rule == "error":
                problems.append(Problem(where, int(line[68]), text + " (checksum='warn' or "
                                        "'skip' keeps such lines)"))
                return False
            notes.append(f"{where}: {text}; kept (checksum='warn')")
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


def _element_columns(line: str, number: int, problems: list[Problem]) -> str:
    """An element line's 69 columns: what follows column 69 (Vallado's verification file
    puts start, stop and step times there) is kept out of the elements, provided a blank
    separates it."""
    if len(line) > 69 and line[:2] in ("1 ", "2 ") and not line[69].isspace():
        problems.append(Problem(f"line {number} column 70", line[69], "must be blank: a TLE "
                                "line has 69 columns, and anything after them must be set "
                                "off by a blank"))
    return line[:69] if line[:2] in ("1 ", "2 ") else line


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


def read_tle_file(path: str | os.PathLike[str]) -> str:
    """The text of a TLE file, refused (:class:`TLEError` naming the file) when missing,
    unreadable, larger than :data:`MAX_TLE_FILE_BYTES` or not UTF-8 text."""
    try:
        path = Path(path).expanduser()
    except RuntimeError:  # "~user" whose home cannot be found
        path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_TLE_FILE_BYTES:
            raise TLEError([Problem("file", str(path), f"is {size:,} bytes; a TLE file is at "
                                    f"most {MAX_TLE_FILE_BYTES:,}")], str(path))
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TLEError([Problem("file", str(path), "no such TLE file")], str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TLEError([Problem("file", str(path), f"cannot be read as TLE text "
                                f"({type(exc).__name__}: {exc})")], str(path)) from None


def _path_problem(text: str) -> Problem | None:
    """A one-line text that names a file (or looks like a path) is not TLE text."""
    stripped = text.strip()
    if not stripped or len(stripped.splitlines()) > 1 or stripped[:2] in ("1 ", "2 "):
        return None
    looks = not any(c in stripped for c in '<>"|*?') and (
        Path(stripped).suffix.lower() in _TLE_SUFFIXES
        or stripped.startswith(("/", "~", "./", "../", ".\\"))
        or re.match(r"^[A-Za-z]:[\\/]", stripped) is not None)
    try:
        exists = Path(stripped).expanduser().is_file()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: "~user" with no such home
        exists = False
    if not (exists or looks):
        return None
    state = "names an existing file" if exists else "looks like a file path (no such file)"
    return Problem("text", stripped, f"{state}, not TLE text; pass it as pathlib.Path(...), "
                   "or read it with TLESet.from_file(path) or Constellation.from_tle(path)")


def parse_tle(text: str | os.PathLike[str], *, source: str = "TLE",
              checksum: ChecksumRule = "error",
              invalid: InvalidRule = "error") -> tuple[TLERecord, ...]:
    """Parse two- or three-line element text into records.

    Parameters
    ----------
    text : str or path
        Element text; a :class:`os.PathLike` is read as a file (:func:`read_tle_file`).
        A one-line string naming a file is refused, never parsed as elements.
    source : str
        Name used in messages (the file, the set).
    checksum : "error", "warn" or "skip"
        A column-69 checksum that does not match: a problem (default), a
        :class:`TLEWarning` with the line kept, or not checked at all.
    invalid : "error" or "warn"
        An element set with problems: raise :class:`TLEError` listing every problem
        (default), or drop that set with one :class:`TLEWarning` each (and drop later
        repeats of a catalog number).

    Blank lines and lines starting with ``#`` are skipped; columns after 69 (set off
    by a blank) are kept out of the elements. Every message names the line number in
    the text as given (comments and blank lines counted).
    """
    if checksum not in ("error", "warn", "skip"):
        raise TLEError([Problem("checksum", checksum, "must be 'error', 'warn' or 'skip'")],
                       source)
    if invalid not in ("error", "warn"):
        raise TLEError([Problem("invalid", invalid, "must be 'error' or 'warn'")], source)
    if isinstance(text, os.PathLike):
        source = str(text) if source == "TLE" else source
        text = read_tle_file(text)
    elif not isinstance(text, str):
        raise TLEError([Problem("text", type(text).__name__, "must be TLE text (str) or a "
                                "path (pathlib.Path)")], source)
    else:
        problem = _path_problem(text)
        if problem is not None:
            raise TLEError([problem], source)
    raw = text.splitlines()
    lines = [(i + 1, ln.rstrip()) for i, ln in enumerate(raw)
             if ln.strip() and not ln.lstrip().startswith("#")]
    problems: list[Problem] = []
    notes: list[str] = []
    records: list[TLERecord] = []
    seen: dict[str, int] = {}

    def settle(mine: list[Problem], first_line: int) -> None:
        if not mine:
            return
        if invalid == "error":
            problems.extend(mine)
        else:
            notes.append(f"element set at line {first_line} dropped (invalid='warn'): "
                         + "; ".join(str(p) for p in mine))

    i = 0
    while i < len(lines) and len(problems) < _MAX_PROBLEMS:
        mine: list[Problem] = []
        number, line = lines[i]
        first = number
        name = None
        if not line.startswith("1 "):
            name = line[2:].strip() if line.startswith("0 ") else line.strip()
            if not name.isprintable() or len(name) > MAX_NAME_CHARS:
                mine.append(Problem(f"line {number}", name[:24], "a satellite name is at "
                                    f"most {MAX_NAME_CHARS} printable characters"))
            i += 1
            if i >= len(lines):
                mine.append(Problem(f"line {number}", line[:24],
                                    "a satellite name with no element lines after it"))
                settle(mine, first)
                break
            number, line = lines[i]
        if i + 1 >= len(lines):
            mine.append(Problem(f"line {number}", line[:24], "line 1 of a TLE with no "
                                "line 2 after it"))
            settle(mine, first)
            break
        number2, line2 = lines[i + 1]
        i += 2
        line = _element_columns(line, number, mine)
        line2 = _element_columns(line2, number2, mine)
        record = None
        if not mine:
            record = _record(name, line, number, line2, number2, mine, checksum, notes)
        if record is not None and record.norad_id in seen and invalid == "warn":
            mine.append(Problem(f"line {number}", record.norad_id, "catalog number already "
                                f"listed at line {seen[record.norad_id]}"))
            record = None
        settle(mine, first)
        if record is not None:
            seen.setdefault(record.norad_id, number)
            records.append(record)
    if problems:
        raise TLEError(problems, source)
    for note in notes:
        warnings.warn(f"{source} {note}", TLEWarning, stacklevel=2)
    if not records:
        raise TLEError([Problem("text", text[:40], "contains no element sets")], source)
    return tuple(records)


def _record(name: str | None, line: str, number: int, line2: str, number2: int,
            problems: list[Problem], checksum_rule: ChecksumRule,
            notes: list[str]) -> TLERecord | None:
    """One element set's record, or None with its problems appended."""
    ok1 = _check_line(line, number, "1", problems, checksum_rule, notes)
    ok2 = _check_line(line2, number2, "2", problems, checksum_rule, notes)
    if not (ok1 and ok2):
        return None
    if line[2:7] != line2[2:7]:
        problems.append(Problem(f"line {number2}", line2[2:7], f"catalog number differs "
                                f"from line {number} ({line[2:7]})"))
        return None
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
        return None
    bad = False
    for label, lo, hi, why in _RANGES:
        v = float(values[label])  # type: ignore[arg-type]
        if not lo <= v <= hi:
            problems.append(Problem(f"line {number2} {label}", v,
                                    f"must be between {lo:g} and {hi:g}{why}"))
            bad = True
    if bad:
        return None
    disagreement = _sgp4_disagreement(line, line2, values)
    if disagreement is not None:
        problems.append(Problem(f"line {number}", line[2:7], f"{disagreement}; the element "
                                "set is ambiguous"))
        return None
    norad = line[2:7]
    return TLERecord(
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
    )
