"""Small HTML building blocks of the dashboard, every piece of text escaped.

Text from data (scenario names, site names, summary values, error messages) reaches the
page only through :func:`html.escape` here, never as markup of its own.
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from ..locale.fonts import FONT_STACK
from .headline import KeyFigure

HEADLINE_STYLE = (
    "display:flex;flex-wrap:wrap;gap:10px;margin:4px 0 8px 0;"
    f"font-family:{FONT_STACK}")
CARD_STYLE = ("border:1px solid #d0d7de;border-radius:6px;padding:6px 12px;min-width:150px;"
              "background:#f6f8fa")
TABLE_ROWS = 12
"""Rows of a frame a tab shows (the download holds them all)."""


def headline_html(figures: Sequence[KeyFigure]) -> str:
    """A row of cards: label over value, each escaped."""
    cards = "".join(
        f"<div class='wb-key-figure' data-key='{html.escape(f.key, quote=True)}' "
        f"style='{CARD_STYLE}'><div style='font-size:12px;color:#57606a'>"
        f"{html.escape(f.label)}</div><div class='wb-key-value' "
        f"style='font-size:20px;font-weight:600'>{html.escape(f.text)}</div></div>"
        for f in figures)
    return f"<div class='wb-headline' style='{HEADLINE_STYLE}'>{cards}</div>"


def message_html(text: str, *, error: bool = False) -> str:
    """A paragraph of plain text (an error in red)."""
    colour = "#c62828" if error else "#57606a"
    return (f"<p class='{'wb-error' if error else 'wb-note'}' style='color:{colour};"
            f"white-space:pre-wrap;font-family:{FONT_STACK}'>{html.escape(text)}</p>")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.4g}"
    return "" if value is None else str(value)


def tables_html(frames: Mapping[str, pl.DataFrame], *, rows: int = TABLE_ROWS) -> str:
    """Each frame as a folded table under its name (``<details>``, closed), escaped."""
    return "".join(
        f"<details class='wb-table' style='font-family:{FONT_STACK};margin:4px 0'>"
        f"<summary style='cursor:pointer;padding:4px 0'>{html.escape(name)}</summary>"
        f"<div style='overflow-x:auto'>{frame_html(frame, rows=rows)}</div></details>"
        for name, frame in frames.items())


def frame_html(frame: pl.DataFrame, *, rows: int = TABLE_ROWS) -> str:
    """The first ``rows`` rows of a frame as an escaped HTML table, column names (with
    their units) as headers."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.head(rows).iter_rows())
    more = (f"<caption style='caption-side:bottom'>{frame.height:,} × {frame.width}</caption>")
    return (f"<div style='overflow-x:auto'><table class='wb-frame' style='font-size:12px;"
            f"border-collapse:collapse'>{more}<thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def table_html(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A small table of text (the compare tab's key figures), escaped."""
    head = "".join(f"<th style='text-align:left;padding:4px 10px'>{html.escape(h)}</th>"
                   for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:4px 10px'>{html.escape(c)}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return (f"<table class='wb-compare' style='border-collapse:collapse;font-family:"
            f"{FONT_STACK}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


__all__ = ["TABLE_ROWS", "frame_html", "headline_html", "message_html", "table_html", "tables_html"]
