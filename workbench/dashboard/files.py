"""What the dashboard downloads and saves: the scenario as YAML, results as Parquet or CSV.

Downloads are built in memory (``BytesIO`` for ``pn.widgets.FileDownload`` callbacks);
the one file the dashboard writes, the scenario saved back to the file it was opened from,
goes to a temporary name beside it and is renamed into place (never half written).
"""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ..analyses import registry

MAX_UPLOAD_BYTES = 2 * 2**20
"""Largest scenario file the dashboard opens (a scenario is a few kB of YAML)."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV holds no nested columns: lists become ``;``-joined text, structs JSON-like
    text."""
    out = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.List | pl.Array):
            out.append(column.cast(pl.List(pl.String)).list.join(";").alias(name))
        elif isinstance(dtype, pl.Struct):
            out.append(column.struct.json_encode().alias(name))
        elif isinstance(dtype, pl.Object):
            out.append(column.map_elements(str, return_dtype=pl.String).alias(name))
        else:
            out.append(column)
    return frame.select(out)


def results_zip(results: Mapping[str, Any], *, fmt: str) -> bytes:
    """Every frame of every finished result, ``<analysis>/<frame>.parquet`` (or ``.csv``)
    in one zip; failed analyses are left out."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt={fmt!r}: must be 'parquet' or 'csv'")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, result in results.items():
            if isinstance(result, BaseException):
                continue
            for frame_name, frame in registry.result_frames(result).items():
                data = io.BytesIO()
                if fmt == "parquet":
                    frame.write_parquet(data)
                else:
                    _flat(frame).write_csv(data)
                archive.writestr(f"{name}/{frame_name}.{fmt}", data.getvalue())
    return buffer.getvalue()


def safe_filename(text: str, suffix: str) -> str:
    """A download name from a scenario name: letters, digits, ``-`` and ``_`` only."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-")
    return f"{stem or 'scenario'}{suffix}"


__all__ = ["MAX_UPLOAD_BYTES", "results_zip", "safe_filename", "write_atomic"]
