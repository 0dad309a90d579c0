"""Parquet tables with their units in the schema metadata, written atomically.

Column names carry units as suffixes (``altitude_km``, ``rtt_ms``, ``cost_usd_per_kg``);
:func:`write_parquet` turns them into a ``{"column": "unit"}`` JSON map under the file's
key-value metadata key ``workbench:units`` (what ``pyarrow.parquet.read_schema(path)
.metadata`` and ``polars.read_parquet_metadata`` show), and :func:`read_units` reads it
back. The file appears under its name only when complete (a temporary name in the same
folder, then a rename).
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl

UNITS_KEY = "workbench:units"

SUFFIX_UNITS: dict[str, str] = {
    "km": "km", "m": "m", "mm": "mm", "m2": "m²", "s": "s", "ms": "ms", "min": "min",
    "h": "h", "hour": "h", "hours": "h", "day": "day", "days": "day", "year": "year",
    "years": "year", "deg": "deg", "rad": "rad", "k": "K", "w": "W", "kw": "kW",
    "wh": "Wh", "kwh": "kWh", "kg": "kg", "usd": "USD", "cny": "CNY", "frac": "1",
    "gbps": "Gbit/s", "mbps": "Mbit/s", "gb": "GB", "mb": "MB", "tb": "TB",
    "tops": "TOPS", "tflops": "TFLOPS", "gop": "GOP", "krad": "krad", "utc": "UTC",
    "bit": "bit", "gbit": "Gbit",
}
"""Column-name suffix → unit (``_frac`` is a dimensionless share, unit ``1``)."""


def unit_of(column: str) -> str | None:
    """The unit a column name states, or None.

    ``_per_`` divides: the unit before it over the units after it.

    >>> unit_of("altitude_km"), unit_of("cost_usd_per_kg"), unit_of("lcoc_usd_per_tops_hour")
    ('km', 'USD/kg', 'USD/(TOPS·h)')
    >>> unit_of("n_hops") is None
    True
    """
    tokens = column.lower().split("_")
    if "per" in tokens[1:]:
        cut = len(tokens) - 1 - tokens[::-1].index("per")
        head, tail = tokens[:cut], tokens[cut + 1:]
        numerator = SUFFIX_UNITS.get(head[-1]) if len(head) > 1 else None
        below = [SUFFIX_UNITS.get(t) for t in tail]
        if numerator is None or not below or None in below:
            return None
        denominator = "·".join(u for u in below if u)
        return f"{numerator}/({denominator})" if len(below) > 1 else f"{numerator}/{denominator}"
    if len(tokens) < 2:
        return None
    return SUFFIX_UNITS.get(tokens[-1])


def units_of(frame: pl.DataFrame, units: Mapping[str, str] | None = None) -> dict[str, str]:
    """Units of ``frame``'s columns: from their suffixes, then ``units`` on top."""
    found = {c: u for c in frame.columns if (u := unit_of(c)) is not None}
    for column, unit in (units or {}).items():
        if column not in frame.columns:
            raise ValueError(f"units={{{column!r}: …}}: no such column; columns: "
                             f"{', '.join(frame.columns)}")
        found[column] = str(unit)
    return found


def write_parquet(frame: pl.DataFrame, path: str | Path, *,
                  units: Mapping[str, str] | None = None) -> Path:
    """Write ``frame`` to ``path`` with its units in the schema metadata, atomically.

    Parameters
    ----------
    frame : polars.DataFrame
    path : str or Path
        Destination; its folder must exist. An existing file is replaced whole.
    units : mapping, optional
        Column → unit for columns whose names carry none, or to override a suffix.
    """
    path = Path(path)
    metadata = {UNITS_KEY: json.dumps(units_of(frame, units), ensure_ascii=False,
                                      sort_keys=True)}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.write_parquet(tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_units(path: str | Path) -> dict[str, str]:
    """The ``{"column": "unit"}`` map a file written by :func:`write_parquet` carries
    (empty for a Parquet file without one)."""
    text = pl.read_parquet_metadata(path).get(UNITS_KEY)
    return {} if text is None else dict(json.loads(text))


__all__ = ["SUFFIX_UNITS", "UNITS_KEY", "read_units", "unit_of", "units_of", "write_parquet"]
