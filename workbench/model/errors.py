"""Errors the workbench raises: each names the field, the value and what is allowed.

``str(error)`` is English and names fields by their path (``altitude_km=100.0: …``), for
logs and tracebacks. :meth:`Problem.render` and :meth:`ModelError.render` write the same
problems for a person, in a language of ``workbench.locale``: the field's label instead
of its name, the value with its unit, and the reason from the message catalog.
"""
from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any

from ..locale import ngettext, translator

MAX_VALUE_CHARS = 60
"""Longest rendering of a value in an error message."""

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxtuple, _REPR.maxlist, _REPR.maxdict = 3, 6, 6, 4
_REPR.maxset = _REPR.maxfrozenset = _REPR.maxdeque = _REPR.maxarray = 6
_REPR.maxstring, _REPR.maxlong, _REPR.maxother = MAX_VALUE_CHARS, 40, MAX_VALUE_CHARS


def bounded_repr(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, without rendering all of a big value.

    Containers show their first few items only (``reprlib``), so a list of a billion
    items, or one nested nine deep, costs microseconds.

    >>> bounded_repr(list(range(10**6)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    try:
        text = _REPR.repr(value)
    except Exception:  # a value whose own __repr__ fails  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


class WorkbenchError(Exception):
    """Base class for every error the workbench raises on purpose."""


@dataclass(frozen=True)
class Message:
    """Text to translate later: an English msgid with ``{name}`` fields and their values.

    Values that are themselves :class:`Message` are translated too (a ``why`` text, a
    unit), numbers and other text are inserted as they are.

    >>> str(Message("must be {op} {limit}", (("op", "≥"), ("limit", 160))))
    'must be ≥ 160'
    """

    template: str
    params: tuple[tuple[str, Any], ...] = ()

    def render(self, lang: str | None = None) -> str:
        """The text in ``lang`` (``None``: English)."""
        _ = translator(lang)
        text = _(self.template)
        if not self.params:
            return text
        return text.format(**{k: v.render(lang) if isinstance(v, Message) else v
                              for k, v in self.params})

    def __str__(self) -> str:
        return self.render(None)


class Verbatim(str):
    """A value already written as text by a validator: shown without quotes."""

    def __repr__(self) -> str:
        return str(self)


def _shown(value: object) -> str:
    """A value as a validator's message shows it (``100``, not ``100.0``)."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class FieldValueError(ValueError):
    """Raised by a model validator for one field: its name, the value, and why, as a
    translatable :class:`Message` (``str`` reads ``phasing=7: Walker phasing …``).

    Parameters
    ----------
    field : str
        The field's name on the model that raises.
    value : object
        The offending value.
    template : str
        English reason with ``{name}`` fields (a catalog msgid), filled from ``params``.
    """

    def __init__(self, field: str, value: object, template: str, **params: Any):
        self.field = field
        self.value = value
        self.detail = Message(template, tuple(params.items()))
        super().__init__(f"{field}={_shown(value)}: {self.detail}")


@dataclass(frozen=True)
class Problem:
    """One invalid input: where it is, what it was, and what is allowed.

    ``label`` and ``unit`` are the field's declared label and unit (English msgids) when
    the problem came from a model field; ``detail`` is the reason as a translatable
    :class:`Message` when the code that found it wrote one.
    """

    field: str
    value: object
    message: str
    label: str = ""
    unit: str = ""
    detail: Message | None = None

    def __str__(self) -> str:
        value = bounded_repr(self.value)
        return f"{self.field}={value}: {self.message}" if self.field else self.message

    def render(self, lang: str | None = None) -> str:
        """For a person: ``Altitude = 100 km: below 160 km … (must be ≥ 160 km)``, or in
        Chinese ``轨道高度 = 100 km：…`` — the label (or the field path when the problem
        has none), the value with its unit, and the reason, in ``lang``."""
        _ = translator(lang)
        message = self.detail.render(lang) if self.detail is not None else self.message
        if not self.field and not self.label:
            return message
        value = repr(self.value) if isinstance(self.value, str) else _shown(self.value)
        if len(value) > 60:
            value = value[:57] + "..."
        if self.unit and isinstance(self.value, int | float) and not isinstance(
                self.value, bool):
            value = f"{value} {_(self.unit)}"
        name = _(self.label) if self.label else self.field
        return _("{label} = {value}: {message}").format(label=name, value=value,
                                                         message=message)


class ModelError(WorkbenchError, ValueError):
    """Invalid input to a domain object; ``problems`` lists each invalid field."""

    def __init__(self, model: str, problems: list[Problem]):
        self.model = model
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"invalid {model} ({len(self.problems)} {noun}):\n{lines}")

    def render(self, lang: str | None = None) -> str:
        """The error for a person, in ``lang``: a heading and one line per problem, each
        naming the field by its label (:meth:`Problem.render`)."""
        n = len(self.problems)
        head = ngettext("invalid {model} ({n} problem)", "invalid {model} ({n} problems)", n,
                        lang=lang).format(model=self.model, n=n)
        return "\n".join([head, *(f"  {p.render(lang)}" for p in self.problems)])


class TLEError(ModelError):
    """A malformed two-line element set: names the line number and what is wrong."""

    def __init__(self, problems: list[Problem], source: str = "TLE"):
        super().__init__(source, problems)


class SizeError(ModelError):
    """A job whose arrays would not fit in memory, refused before anything is allocated.

    ``estimate_bytes`` is what it would need, ``budget_bytes`` what it may use.
    """

    def __init__(self, what: str, estimate_bytes: int, budget_bytes: int, message: str):
        super().__init__(what, [Problem("", None, message)])
        self.estimate_bytes = int(estimate_bytes)
        self.budget_bytes = int(budget_bytes)
        self.args = (f"{what} is too big for this machine: {message}",)


class DatasetError(WorkbenchError, LookupError):
    """An unknown catalog entry, preset or scenario name."""


class FetchError(WorkbenchError, OSError):
    """Remote data could not be fetched and no cached copy exists."""


class PropagationWarning(UserWarning):
    """Some satellites could not be propagated (SGP4 error codes); their rows are NaN."""
