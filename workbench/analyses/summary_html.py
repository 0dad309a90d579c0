"""The notebook view every result shares: a title, its headline numbers and its frames."""
from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import polars as pl


def format_value(value: Any) -> str:
    """A number or text for people: thousands separators, 4 significant digits."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "—"
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    return str(value)


def result_html(title: str, summary: Mapping[str, Any],
                frames: Mapping[str, pl.DataFrame]) -> str:
    """HTML of a result, every text escaped: headline table, then the frames' shapes."""
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(format_value(v))}"
                   "</td></tr>" for k, v in summary.items()
                   if not isinstance(v, list | tuple | dict))
    listed = "".join(f"<li><code>{html.escape(name)}</code> {frame.height:,} × "
                     f"{frame.width}</li>" for name, frame in frames.items())
    return (f"<div><b>{html.escape(title)}</b><table><tbody>{rows}</tbody></table>"
            f"<p>Frames:</p><ul>{listed}</ul></div>")


__all__ = ["format_value", "result_html"]
