"""Memory estimates for (satellite × time) arrays, checked before anything is allocated.

A propagation holds a few float64 arrays shaped (n_sats, n_times, 3); 100,000 satellites
over a day at a 10 s step is 864 million satellite-steps, tens of gigabytes. Rather than
let numpy fail half-way with a ``MemoryError`` (or the machine swap), every entry point
that allocates such arrays calls :func:`check_fits` first, which refuses with the
estimate, the machine's memory and what to change.
"""
from __future__ import annotations

import os

from ..model.errors import SizeError

MEMORY_LIMIT_ENV = "WORKBENCH_MEMORY_LIMIT_BYTES"
"""Environment variable that caps the memory a job may plan to use (bytes), below the
machine's available memory (useful on shared machines and in tests)."""

AVAILABLE_FRAC = 0.9
"""Share of the available memory a job may plan to use."""

PROPAGATION_BYTES_PER_SAT_STEP = 24 + 1 + 3
"""Positions (3 float64), the error code and the finiteness check of one satellite-step."""
VELOCITY_BYTES_PER_SAT_STEP = 24
"""Velocities (3 float64) of one satellite-step, when they are kept."""


def machine_memory_bytes() -> tuple[int | None, int | None]:
    """(total, available) physical memory in bytes; ``None`` where the OS does not say.

    Available is Linux's ``MemAvailable`` (/proc/meminfo): memory a new job can use
    without swapping, counting reclaimable caches.
    """
    total = None
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        pass
    available = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return total, available


def memory_budget_bytes() -> tuple[int | None, str]:
    """The bytes a job may plan to use, and a phrase saying where the figure comes from."""
    total, available = machine_memory_bytes()
    parts = []
    if total is not None:
        parts.append(f"this machine has {format_bytes(total)}")
    budget = None
    if available is not None:
        budget = int(available * AVAILABLE_FRAC)
        parts.append(f"{format_bytes(available)} available")
    elif total is not None:
        budget = int(total * AVAILABLE_FRAC / 2)
    limit = os.environ.get(MEMORY_LIMIT_ENV)
    if limit:
        try:
            cap = int(float(limit))
        except ValueError:
            cap = None
        if cap is not None and cap > 0 and (budget is None or cap < budget):
            budget = cap
            parts.append(f"{MEMORY_LIMIT_ENV} allows {format_bytes(cap)}")
    return budget, ", ".join(parts) or "the machine's memory is unknown"


def format_bytes(n: float) -> str:
    """``1.5 GiB``-style size.

    >>> format_bytes(19 * 2**30)
    '19.0 GiB'
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def check_fits(what: str, n_sats: int, n_times: int, bytes_per_sat_step: float, *,
               step_s: float | None = None, duration_s: float | None = None,
               extra_bytes: float = 0.0) -> int:
    """Refuse a job whose (satellite × step) arrays would not fit in memory.

    Parameters
    ----------
    what : str
        The job, for the message (``"propagate"``).
    n_sats, n_times : int
        Array shape.
    bytes_per_sat_step : float, bytes
        Memory held per satellite-step at the job's peak.
    step_s, duration_s : float, s, optional
        The grid, so the message can say which step would fit.
    extra_bytes : float, bytes
        Memory that does not scale with satellites (per-step rotations, the Sun).

    Returns
    -------
    int: the estimate in bytes.

    Raises
    ------
    SizeError
        The estimate is above :func:`memory_budget_bytes`.
    """
    estimate = int(n_sats * n_times * bytes_per_sat_step + extra_bytes)
    budget, machine = memory_budget_bytes()
    if budget is None or estimate <= budget:
        return estimate
    factor = estimate / max(budget, 1)
    advice = []
    if step_s is not None:
        advice.append(f"a step_s of at least {step_s * factor * 1.1:,.0f} s (now {step_s:g})")
    if duration_s is not None:
        advice.append(f"a duration_s of at most {duration_s / factor / 1.1:,.0f} s "
                      f"(now {duration_s:g})")
    advice.append(f"at most {int(n_sats / factor / 1.1):,} satellites (now {n_sats:,})")
    raise SizeError(what, estimate, budget, (
        f"{n_sats:,} satellites × {n_times:,} time steps needs about "
        f"{format_bytes(estimate)} of memory ({bytes_per_sat_step:g} bytes per "
        f"satellite-step), more than the {format_bytes(budget)} a job may use ({machine}); "
        f"use {' or '.join(advice)}, or run the analysis over shorter spans one after "
        "another"))


__all__ = ["check_fits", "machine_memory_bytes", "memory_budget_bytes", "format_bytes",
           "MEMORY_LIMIT_ENV", "PROPAGATION_BYTES_PER_SAT_STEP",
           "VELOCITY_BYTES_PER_SAT_STEP"]
