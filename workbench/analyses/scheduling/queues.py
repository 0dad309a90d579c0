"""The vectorised FIFO queue kernel: one server per satellite, in work units.

A satellite serves its queue first come, first served at a rate that changes only
between time steps. Measured in *work units* — the satellite's cumulative capacity
U(t) = ∫ r dt, tera-operations — a job's finish obeys the Lindley recursion

    f_j = max(u_j, f_{j−1}) + w_j,

with u_j = U(a_j) the arrival and w_j the job's work, whatever the rate does. Unrolled,
f_j = W_j + max(f_0, max_{i≤j}(u_i − W_{i−1})) with W the running sum of work, which is a
cumulative sum and a cumulative maximum per satellite: numpy does both for every satellite
at once (a segmented maximum by offsetting each satellite's values above the last's). The
real finish time is U⁻¹(f_j), found once the step in which U passes f_j is known.
"""
from __future__ import annotations

import numpy as np


def enqueue(sat: np.ndarray, arrival_u: np.ndarray, work: np.ndarray, free_u: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add jobs to FIFO queues, all satellites at once.

    Parameters
    ----------
    sat : int array (n,), the satellite of each job
    arrival_u : float array (n,), arrival in the satellite's work clock (TOP)
    work : float array (n,), work (TOP), ≥ 0
    free_u : float array (n_sats,), when each server is free of the work already queued
        (work clock); not modified

    Returns
    -------
    start_u, finish_u : float arrays (n,), in the input order
    free_u : float array (n_sats,), updated

    Each satellite's jobs must come in order of arrival (e.g. all sorted by arrival
    time); they are served in that order.

    >>> start, finish, free = enqueue(np.array([0, 0, 1]), np.array([0.0, 0.5, 2.0]),
    ...                               np.array([1.0, 1.0, 1.0]), np.array([0.0, 3.0]))
    >>> finish.tolist(), free.tolist()
    ([1.0, 2.0, 4.0], [2.0, 4.0])
    """
    free = free_u.copy()
    n = sat.size
    if n == 0:
        return np.zeros(0), np.zeros(0), free
    order = np.argsort(sat, kind="stable")
    s, u, w = sat[order], arrival_u[order], work[order]
    boundary = np.empty(n, dtype=bool)
    boundary[0] = True
    np.not_equal(s[1:], s[:-1], out=boundary[1:])
    seg = np.cumsum(boundary) - 1
    first = np.flatnonzero(boundary)
    # running work within each satellite's batch
    total = np.cumsum(w)
    before = np.concatenate([[0.0], total[:-1]])
    base = before[first][seg]
    w_incl = total - base                       # W_j
    w_excl = before - base                      # W_{j-1}
    x = u - w_excl
    # segmented cumulative maximum: shift each segment above everything before it
    x_rel = x - x[first][seg]                   # ≥ −(segment's work), ≤ its arrival span
    span = float(np.max(np.abs(x_rel))) * 2.0 + 1.0 if n else 1.0
    lifted = x_rel + seg * span
    cummax = np.maximum.accumulate(lifted) - seg * span + x[first][seg]
    finish = w_incl + np.maximum(cummax, free[s])
    start = finish - w
    last = np.concatenate([first[1:] - 1, [n - 1]])
    free[s[last]] = finish[last]
    out_start, out_finish = np.empty(n), np.empty(n)
    out_start[order], out_finish[order] = start, finish
    return out_start, out_finish, free


def work_done(start_u: np.ndarray, work: np.ndarray, u0: np.ndarray, u1: np.ndarray
              ) -> np.ndarray:
    """Work each job does between work-clock values ``u0`` and ``u1`` (per job arrays):
    the overlap of its service interval [start, start + work] with [u0, u1]."""
    return (np.clip(u1 - start_u, 0.0, work) - np.clip(u0 - start_u, 0.0, work))


__all__ = ["enqueue", "work_done"]
