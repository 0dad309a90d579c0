"""Errors the workbench raises: each names the field, the value and what is allowed."""
from __future__ import annotations

import reprlib
from dataclasses import dataclass

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
class Problem:
    """One invalid input: where it is, what it was, and what is allowed."""

    field: str
    value: object
    message: str

    def __str__(self) -> str:
        value = bounded_repr(self.value)
        return f"{self.field}={value}: {self.message}" if self.field else self.message


class ModelError(WorkbenchError, ValueError):
    """Invalid input to a domain object; ``problems`` lists each invalid field."""

    def __init__(self, model: str, problems: list[Problem]):
        self.model = model
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"invalid {model} ({len(self.problems)} {noun}):\n{lines}")


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
