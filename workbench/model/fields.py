"""Declare a field once (unit, bounds, step, description) and describe it for any UI.

``quantity(...)`` wraps :func:`pydantic.Field`; :func:`describe` turns a model class
into UI-free :class:`FieldSpec` records that the ipywidgets forms and the Panel forms
both render, so parameters are never re-typed in a UI.
"""
from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field
from pydantic.fields import FieldInfo


def quantity(
    default: Any = ...,
    *,
    label: str | None = None,
    unit: str = "",
    description: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    step: float | None = None,
    why: str | dict[str, str] | None = None,
) -> Any:
    """A model field with its human label, unit, bounds, UI step and a one-line description.

    ``label`` is the short English name a person reads ("Launch price", not
    ``launch_cost_usd_per_kg``); it is also the gettext msgid the ``zh_CN`` catalog
    translates, so write it as plain English without the unit (forms add the unit).

    ``why`` explains a bound in the user's terms (one text, or one per bound keyed
    ``ge``/``gt``/``le``/``lt``); it is quoted in the error a violation raises (``altitude_km=120: below 160 km an orbit decays within days``).
    """
    extra: dict[str, Any] = {"unit": unit}
    if step is not None:
        extra["step"] = step
    if why is not None:
        extra["why"] = why
    return Field(default, title=label, description=description, ge=ge, le=le, gt=gt, lt=lt,
                 json_schema_extra=extra)


@dataclass(frozen=True)
class FieldSpec:
    """A UI-free description of one model field."""

    name: str
    kind: Literal["float", "int", "bool", "choice", "text", "datetime", "model", "other"]
    default: Any
    description: str
    label: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    step: float | None = None
    choices: tuple[Any, ...] = ()
    required: bool = False

    @property
    def label_with_unit(self) -> str:
        """The label with its unit in parentheses, as forms show it: ``Altitude (km)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


_UNIT_SUFFIXES = ("_km", "_m", "_s", "_ms", "_deg", "_rad", "_w", "_kw", "_wh", "_kg", "_m2",
                  "_k", "_gbps", "_usd", "_cny", "_frac", "_krad", "_mm", "_tb", "_years", "_hours")


def label_for(name: str, unit: str = "") -> str:
    """A fallback label generated from a field name (``altitude_km`` → ``Altitude (km)``).

    Only for fields declared without ``label=``; every field of the shipped models
    declares one (tests/test_model_labels.py), because names like ``cny_per_usd`` make
    labels no person would write ("Cny per").
    """
    base = name
    for suffix in sorted(_UNIT_SUFFIXES, key=len, reverse=True):
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    text = base.replace("_per_", " per ").replace("_", " ").strip().capitalize()
    return f"{text} ({unit})" if unit else text


def _bounds(info: FieldInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for meta in info.metadata:
        for attr, key, exclusive in (("ge", "minimum", False), ("gt", "minimum", True),
                                     ("le", "maximum", False), ("lt", "maximum", True)):
            value = getattr(meta, attr, None)
            if value is not None:
                out[key] = value
                out[f"exclusive_{key}"] = exclusive
    return out


def _kind(annotation: Any) -> tuple[str, tuple[Any, ...]]:
    from datetime import datetime

    from pydantic import BaseModel

    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin is Literal:
        return "choice", typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _kind(args[0])
        if typing.get_origin(args[0]) is Literal:  # named choices, or a value given in code
            return "choice", typing.get_args(args[0])
        return "other", ()
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "bool", ()
        if issubclass(annotation, int):
            return "int", ()
        if issubclass(annotation, float):
            return "float", ()
        if issubclass(annotation, enum.Enum):
            return "choice", tuple(m.value for m in annotation)
        if issubclass(annotation, str):
            return "text", ()
        if issubclass(annotation, datetime):
            return "datetime", ()
        if issubclass(annotation, BaseModel):
            return "model", ()
    return "other", ()


def describe(cls: type) -> tuple[FieldSpec, ...]:
    """Field specs of a pydantic model class, in declaration order.

    >>> from workbench.model.constellation import WalkerShell
    >>> spec = {s.name: s for s in describe(WalkerShell)}["altitude_km"]
    >>> spec.label, spec.unit, spec.minimum, spec.maximum
    ('Altitude', 'km', 160.0, 40000.0)
    >>> spec.label_with_unit
    'Altitude (km)'

    """
    specs = []
    for name, info in cls.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        kind, choices = _kind(info.annotation)
        specs.append(FieldSpec(
            name=name,
            kind=kind,  # type: ignore[arg-type]
            default=None if info.is_required() else info.get_default(call_default_factory=True),
            description=info.description or "",
            label=info.title or label_for(name),
            unit=str(extra.get("unit", "")),
            step=extra.get("step"),  # type: ignore[arg-type]
            choices=choices,
            required=info.is_required(),
            **_bounds(info),
        ))
    return tuple(specs)
