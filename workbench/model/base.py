"""The immutable, validated base class of every domain object."""
from __future__ import annotations

import re
import typing
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .errors import FieldValueError, Message, ModelError, Problem, Verbatim

_BOUND_WORDS = {
    "greater_than_equal": ("ge", "≥"), "greater_than": ("gt", ">"),
    "less_than_equal": ("le", "≤"), "less_than": ("lt", "<"),
}


def _field_info(cls: type, loc: tuple) -> Any:
    """The FieldInfo that ``loc`` ends on, walking nested models and tuples."""
    current: Any = cls
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            # a discriminated union: the tag names the member class
            members = [a for a in typing.get_args(current)
                       if isinstance(a, type) and issubclass(a, BaseModel)]
            current = next((m for m in members
                            if m.model_fields.get("kind") is not None
                            and m.model_fields["kind"].default == part), None)
            if current is None:
                return None
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _inner(info.annotation)
    return info


def _inner(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner(typing.get_args(annotation)[0])
    if origin in (tuple, list):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return _inner(args[0]) if args else annotation
    if origin in (typing.Union,) or str(origin) == "<class 'types.UnionType'>":
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _inner(args[0])
        return typing.Union[tuple(args)]  # type: ignore[return-value]
    return annotation


_OWN_MESSAGE = re.compile(r"^([A-Za-z_][\w.]*)=(.*?): (.*)$", re.DOTALL)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix and name else prefix or name


def _suggest(cls: type, loc: tuple) -> str:
    """'; did you mean step_s?' for a misspelt field name, else a hint to check it."""
    import difflib

    owner: Any = cls
    if len(loc) > 1:
        info = _field_info(cls, loc[:-1])
        owner = _inner(info.annotation) if info is not None else None
    fields = getattr(owner, "model_fields", None) if isinstance(owner, type) else None
    if not fields or not isinstance(loc[-1], str):
        return " (check the spelling)"
    close = difflib.get_close_matches(loc[-1], list(fields), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else f"; known fields: {', '.join(fields)}"


def _suggestion(cls: type, loc: tuple) -> Message:
    """:func:`_suggest` as a translatable message."""
    import difflib

    owner: Any = cls
    if len(loc) > 1:
        info = _field_info(cls, loc[:-1])
        owner = _inner(info.annotation) if info is not None else None
    fields = getattr(owner, "model_fields", None) if isinstance(owner, type) else None
    if not fields or not isinstance(loc[-1], str):
        return Message("is not a known field (check the spelling)")
    close = difflib.get_close_matches(loc[-1], list(fields), n=1, cutoff=0.6)
    if close:
        return Message("is not a known field; did you mean {name}?", (("name", close[0]),))
    return Message("is not a known field; known fields: {names}",
                   (("names", ", ".join(fields)),))


def _label_unit(info: Any) -> dict[str, str]:
    """``label``/``unit`` keywords of a Problem for a field (empty when unknown)."""
    if info is None:
        return {}
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return {"label": info.title or "", "unit": str(extra.get("unit", ""))}


def problems_from(exc: ValidationError, cls: type) -> list[Problem]:
    """Translate pydantic's errors into ``field=value: what is allowed`` problems.

    Each problem also carries the field's declared label and unit and its reason as a
    translatable :class:`~workbench.model.errors.Message`, for ``Problem.render(lang)``.
    """
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        field = ".".join(str(p) for p in loc)
        message = str(err.get("msg", ""))
        kind = err.get("type", "")
        nested = err.get("ctx", {}).get("error")
        detail: Message | None = None
        info = _field_info(cls, loc) if loc else None
        if isinstance(nested, ModelError):
            problems.extend(Problem(_join(field, p.field), p.value, p.message, p.label, p.unit,
                                    p.detail) for p in nested.problems)
            continue
        if kind == "value_error":
            message = message.removeprefix("Value error, ")
            # our validators write "name=value: reason"; keep the name in the field path
            match = _OWN_MESSAGE.match(message)
            if match:
                name, value, reason = match.groups()
                if not field.endswith(name):
                    field = _join(field, name)
                    info = _field_info(cls, (*loc, name))
                if isinstance(nested, FieldValueError):
                    detail = nested.detail
                problems.append(Problem(field, Verbatim(value), reason, **_label_unit(info),
                                        detail=detail))
                continue
        elif kind in _BOUND_WORDS:
            extra = info.json_schema_extra if info is not None and isinstance(
                info.json_schema_extra, dict) else {}
            unit = f" {extra['unit']}" if extra.get("unit") else ""
            limit = next(iter(err.get("ctx", {}).values()), "?")
            op = _BOUND_WORDS[kind][1]
            allowed = f"must be {op} {limit}{unit}"
            detail = Message("must be {op} {limit}", (
                ("op", op), ("limit", Message("{number} {unit}", (
                    ("number", _shown_limit(limit)), ("unit", Message(extra["unit"]))))
                    if extra.get("unit") else _shown_limit(limit))))
            why = extra.get("why")
            if isinstance(why, dict):
                why = why.get(_BOUND_WORDS[kind][0])
            message = f"{why} ({allowed})" if why else allowed
            if why:
                detail = Message("{why} ({allowed})", (("why", Message(why)),
                                                       ("allowed", detail)))
        elif kind == "missing":
            message = "is required"
            detail = Message("is required")
        elif kind == "extra_forbidden":
            message = "is not a known field" + _suggest(cls, loc)
            detail = _suggestion(cls, loc)
            info = None
        problems.append(Problem(field, err.get("input", "<missing>") if kind != "missing"
                                else "<missing>", message, **_label_unit(info), detail=detail))
    return problems


def _shown_limit(limit: object) -> str:
    return f"{limit:g}" if isinstance(limit, float) else str(limit)


def _number_fields(cls: type[BaseModel]) -> dict[str, str]:
    """Fields of ``cls`` that hold a number: name → 'number' or 'whole number'."""
    out = {}
    for name, info in cls.model_fields.items():
        inner = _inner(info.annotation)
        if inner is float:
            out[name] = "number"
        elif inner is int:
            out[name] = "whole number"
    return out


def _non_text_key(obj: Any) -> tuple[str, Any] | None:
    """(path, key) of the first mapping key in ``obj`` that is not text, else None."""
    stack: list[tuple[str, Any]] = [("", obj)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    return path or "document", key
                stack.append((_join(path, key), item))
        elif isinstance(value, list | tuple):
            stack.extend((_join(path, str(i)), item) for i, item in enumerate(value))
    return None


class Model(BaseModel):
    """Frozen pydantic model whose validation errors name field, value and allowed range.

    Use :meth:`replace` for a validated copy: pydantic's ``model_copy(update=...)``
    skips validation and would accept ``altitude_km=5``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True,
                              use_attribute_docstrings=False, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _strict_numbers(cls, data: Any) -> Any:
        """Numbers must be numbers: pydantic would read ``true`` as 1 and ``"60"`` as 60."""
        if not isinstance(data, dict):
            return data
        fields = _number_fields(cls)
        problems = [Problem(name, value, f"must be a {fields[name]}, not "
                            f"{'true/false' if isinstance(value, bool) else 'text'}")
                    for name, value in data.items()
                    if name in fields and isinstance(value, bool | str)]
        if problems:
            raise ModelError(cls.__name__, problems)
        return data

    def __init__(self, /, **data: Any) -> None:
        where = _non_text_key(data)
        if where is not None:
            raise ModelError(type(self).__name__, [Problem(where[0], where[1],
                                                           "field names must be text")])
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ModelError(type(self).__name__, problems_from(exc, type(self))) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        where = _non_text_key(obj)
        if where is not None:  # pydantic would fail with "TypeError: keywords must be strings"
            raise ModelError(cls.__name__, [Problem(where[0], where[1],
                                                    "field names must be text")])
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise ModelError(cls.__name__, problems_from(exc, cls)) from None

    def __eq__(self, other: object) -> bool:
        """Same class and equal field values.

        Only declared fields count: pydantic's own ``__eq__`` first compares ``__dict__``,
        which also holds computed ``cached_property`` values such as the polars frame
        ``Constellation.satellites``, and comparing two frames raises ``TypeError``.
        """
        if not isinstance(other, BaseModel):
            return NotImplemented
        if type(self) is not type(other):
            return False
        return all(getattr(self, name) == getattr(other, name)
                   for name in type(self).model_fields)

    def replace(self, **changes: Any) -> Self:
        """A validated copy with ``changes`` applied (nested models may be dicts)."""
        data = self.model_dump()
        data.update(changes)
        return type(self).model_validate(data)
