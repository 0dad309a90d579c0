"""Names of shells and TLE sets: short, printable, and never read as a template.

A shell's name becomes part of every satellite's name (``starlink-s1-P3-S7``) and of file
and column values downstream, so it is checked as a name: letters and digits of any
script, spaces and a few separators, at most :data:`MAX_NAME_CHARS` characters. Braces,
quotes other than the apostrophe, control characters, and leading or trailing spaces
are refused.
"""
from __future__ import annotations

from .errors import ModelError, Problem

MAX_NAME_CHARS = 80
"""Longest shell or TLE set name."""

NAME_PUNCTUATION = " -_.,()[]+/#&'"
"""Characters besides letters and digits that a name may hold."""


def check_name(value: str) -> str:
    """``value`` if it is a valid shell or TLE set name, else a :class:`ModelError`.

    >>> check_name("Starlink Gen1 shell 1")
    'Starlink Gen1 shell 1'
    >>> check_name("x{}")
    Traceback (most recent call last):
    ...
    workbench.model.errors.ModelError: invalid name (1 problem):
      may hold letters, digits, spaces and "-_.,()[]+/#&'" only; '{' is not allowed
    """
    reason = None
    if not value:
        reason = "must not be empty"
    elif len(value) > MAX_NAME_CHARS:
        reason = f"must be at most {MAX_NAME_CHARS} characters (it has {len(value):,})"
    elif not value[0].isalnum():
        reason = "must start with a letter or digit"
    elif value != value.rstrip():
        reason = "must not end with a space"
    else:
        bad = next((c for c in value if not (c.isalnum() or c in NAME_PUNCTUATION)), None)
        if bad is not None:
            reason = (f"may hold letters, digits, spaces and \"{NAME_PUNCTUATION.strip()}\" "
                      f"only; {bad!r} is not allowed")
    if reason is not None:
        raise ModelError("name", [Problem("", value, reason)])
    return value


__all__ = ["check_name", "MAX_NAME_CHARS", "NAME_PUNCTUATION"]
