"""Round axis ticks: the nice-number rule for linear axes, 1–2–5 steps for log axes.

Plotly aligns a second y axis's ticks with the first axis's grid, which gives ticks such
as 96.6 / 64.4 / 32.2; these functions give the axis its own round ticks instead.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

NICE_STEPS = (1.0, 2.0, 5.0, 10.0)


def nice_number(x: float, *, round_: bool = True) -> float:
    """The nice number (1, 2 or 5 × 10ⁿ) nearest ``x`` (``round_``) or the least ≥ ``x``.

    Notes
    -----
    Heckbert, "Nice numbers for graph labels", *Graphics Gems* (1990), pp. 61–63.
    """
    if not x > 0 or not math.isfinite(x):
        raise ValueError(f"x={x!r}: must be a positive finite number")
    exponent = math.floor(math.log10(x))
    fraction = x / 10**exponent
    if round_:
        nice = 1.0 if fraction < 1.5 else 2.0 if fraction < 3.0 else 5.0 if fraction < 7.0 \
            else 10.0
    else:
        nice = next(s for s in NICE_STEPS if fraction <= s + 1e-12)
    return nice * 10**exponent


def nice_ticks(lo: float, hi: float, *, n: int = 5) -> tuple[float, float, float]:
    """``(start, stop, step)`` of about ``n`` round ticks covering ``[lo, hi]``.

    The step is a nice number, the range its multiples around the data (Heckbert's
    loose labelling).
    """
    if not hi > lo:
        hi = lo + 1.0
    span = nice_number(hi - lo, round_=False)
    step = nice_number(span / max(n - 1, 1))
    return math.floor(lo / step) * step, math.ceil(hi / step) * step, step


def linear_axis(values: Iterable[float], *, n: int = 5, from_zero: bool = True) -> dict[str, Any]:
    """Plotly axis settings with round linear ticks for ``values`` (finite ones)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return {}
    lo = min(0.0, min(finite)) if from_zero else min(finite)
    start, stop, step = nice_ticks(lo, max(finite), n=n)
    return {"tickmode": "linear", "tick0": start, "dtick": step, "range": [start, stop]}


def log_tick_values(lo: float, hi: float, *, max_ticks: int = 8) -> list[float]:
    """Tick values of a log axis over ``[lo, hi]``: 1, 2, 5 × 10ⁿ, or whole decades when
    those would be more than ``max_ticks``."""
    if not (lo > 0 and hi >= lo):
        raise ValueError(f"lo={lo!r}, hi={hi!r}: need 0 < lo <= hi")
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    for mantissas in ((1.0, 2.0, 5.0), (1.0,)):
        ticks = [m * 10**e for e in range(first, last + 1) for m in mantissas]
        inside = [t for t in ticks if lo <= t * (1 + 1e-12) and t <= hi * (1 + 1e-12)]
        if len(inside) <= max_ticks:
            break
    # keep the round values just outside the data so the ends are labelled
    below = [t for t in ticks if t < lo]
    above = [t for t in ticks if t > hi]
    return [*below[-1:], *inside, *above[:1]]


def log_axis(values: Iterable[float], *, max_ticks: int = 8) -> dict[str, Any]:
    """Plotly axis settings: a log axis with :func:`log_tick_values` ticks for ``values``."""
    positive = [float(v) for v in values if v is not None and math.isfinite(float(v)) and v > 0]
    if not positive:
        return {"type": "log"}
    ticks = log_tick_values(min(positive), max(positive), max_ticks=max_ticks)
    return {"type": "log", "tickmode": "array", "tickvals": ticks,
            "ticktext": [f"{t:g}" for t in ticks],
            "range": [math.log10(ticks[0]), math.log10(ticks[-1])]}


__all__ = ["linear_axis", "log_axis", "log_tick_values", "nice_number", "nice_ticks"]
