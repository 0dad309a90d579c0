"""A scenario's parameters as escaped HTML tables, labelled in the reader's language.

Generated from the model's field specs (:func:`workbench.model.describe`): one table per
part of the scenario (constellation, platform, payload, …), nested parts as their own
tables, and tuples of parts (Walker shells, ground sites, applications) as one table with a
row per item. Every text is passed through :func:`html.escape`; nothing from the scenario
reaches the page as HTML.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

from ..locale import N_, translator
from ..model import describe

_SKIPPED = frozenset({"name", "description"})
"""Scenario fields the report shows elsewhere (its title and description)."""


def _value_text(value: Any, _: Callable[[str], str]) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _(N_("yes") if value else N_("no"))
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, BaseModel):
        return str(getattr(value, "name", type(value).__name__))
    if isinstance(value, (tuple, list)):
        return ", ".join(_value_text(v, _) for v in value) or "—"
    return str(value)


def _label(spec: Any, _: Callable[[str], str]) -> str:
    label = _(spec.label)
    return f"{label} ({_(spec.unit)})" if spec.unit else label


def _is_models(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and bool(value) and all(
        isinstance(v, BaseModel) for v in value)


def _rows_table(model: BaseModel, _: Callable[[str], str], skip: frozenset[str] = frozenset()
                ) -> tuple[str, list[tuple[str, Any]]]:
    """The scalar rows of ``model`` as a table, and its nested parts (label, value)."""
    rows, nested = [], []
    for spec in describe(type(model)):
        if spec.name in skip:
            continue
        value = getattr(model, spec.name)
        if isinstance(value, BaseModel) or _is_models(value):
            nested.append((_(spec.label), value))
            continue
        if isinstance(value, (tuple, list)) and not value:
            continue
        rows.append(f"<tr><th scope=\"row\">{html.escape(_label(spec, _))}</th>"
                    f"<td>{html.escape(_value_text(value, _))}</td></tr>")
    table = f"<table class=\"params\">{''.join(rows)}</table>" if rows else ""
    return table, nested


def _items_table(items: list[BaseModel], _: Callable[[str], str]) -> str:
    """A table with a row per item and a column per field of the items' types."""
    specs: dict[str, Any] = {}
    for item in items:
        for spec in describe(type(item)):
            specs.setdefault(spec.name, spec)
    head = "".join(f"<th scope=\"col\">{html.escape(_label(s, _))}</th>" for s in specs.values())
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_value_text(getattr(item, name, None), _))}</td>"
                         for name in specs) + "</tr>" for item in items)
    return (f"<div class=\"scroll\"><table class=\"items\"><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def _part_html(label: str, value: Any, _: Callable[[str], str], depth: int) -> str:
    tag = f"h{min(depth, 6)}"
    out = [f"<{tag}>{html.escape(label)}</{tag}>"]
    if isinstance(value, BaseModel):
        table, nested = _rows_table(value, _)
        out.append(table)
        out.extend(_part_html(sub_label, sub, _, depth + 1) for sub_label, sub in nested)
    else:
        out.append(_items_table(list(value), _))
    return "".join(out)


def parameters_html(scenario: BaseModel, *, lang: str | None = None) -> str:
    """The scenario's parameters as HTML (a ``<section>`` body: headings and tables)."""
    _ = translator(lang)
    table, nested = _rows_table(scenario, _, skip=_SKIPPED)
    parts = [table]
    for label, value in nested:
        if isinstance(value, BaseModel) and len(describe(type(value))) == 1:
            # a wrapper of one tuple (the ground segment's sites): show the tuple itself
            spec = describe(type(value))[0]
            inner = getattr(value, spec.name)
            if _is_models(inner):
                parts.append(_part_html(label, inner, _, 3))
            continue
        parts.append(_part_html(label, value, _, 3))
    return "".join(parts)


__all__ = ["parameters_html"]
