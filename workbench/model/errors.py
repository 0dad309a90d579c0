"""Errors the workbench raises: each names the field, the value and what is allowed."""
from __future__ import annotations

from dataclasses import dataclass


class WorkbenchError(Exception):
    """Base class for every error the workbench raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One invalid input: where it is, what it was, and what is allowed."""

    field: str
    value: object
    message: str

    def __str__(self) -> str:
        value = repr(self.value)
        if len(value) > 60:
            value = value[:57] + "..."
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


class DatasetError(WorkbenchError, LookupError):
    """An unknown catalog entry, preset or scenario name."""


class FetchError(WorkbenchError, OSError):
    """Remote data could not be fetched and no cached copy exists."""


class PropagationWarning(UserWarning):
    """Some satellites could not be propagated (SGP4 error codes); their rows are NaN."""
