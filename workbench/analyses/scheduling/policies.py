"""Scheduling policies: where each arriving job runs.

A policy is a small class with one method, ``place(view) -> targets``: given a
:class:`PlacementView` of one time step (the jobs arriving and the state of every
satellite), it returns, per job, the satellite to run it on or :data:`GROUND`. Policies
register in the ``workbench.policies`` entry-point group (the built-ins in the workbench's
own ``pyproject.toml``); :func:`policy` finds one by name. A policy may set
``dod_limit_frac`` (a float): the simulation then stops compute on any satellite before its
battery passes that depth of discharge.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ... import extensions
from ...model.errors import ModelError, Problem
from .fabric import NO_SAT, PAD_HOPS

GROUP = "workbench.policies"
GROUND = -2
"""A target meaning: send the job down to the ground data centre."""


@dataclass(frozen=True)
class PlacementView:
    """What a policy sees at one step (arrays over jobs ``j`` and satellites ``s``).

    Attributes
    ----------
    entry_sat : (j,) int, the satellite each job reached first
    work_top, deadline_s : (j,) float, the job's work (TOP) and time left to its deadline
    candidates, hops : (s, M) int, satellites within k hops, nearest first (fabric)
    backlog_s : (s,) float, queued work over the satellite's current rate, s (inf at rate 0)
    rate_tops : (s,) float, the rate each satellite runs at this step (TOPS)
    soc_frac : (s,) float, battery state of charge
    is_sunlit : (s,) bool
    ground_hops : (s,) int, ISL hops to the nearest satellite a gateway sees
        (``PAD_HOPS``: none in reach)
    busy_threshold_s : float, backlog above which a satellite counts as busy
    transfer_s_per_hop : float, rough time per ISL hop of a job's input, s
    """

    entry_sat: np.ndarray
    work_top: np.ndarray
    deadline_s: np.ndarray
    candidates: np.ndarray
    hops: np.ndarray
    backlog_s: np.ndarray
    rate_tops: np.ndarray
    soc_frac: np.ndarray
    is_sunlit: np.ndarray
    ground_hops: np.ndarray
    busy_threshold_s: float
    transfer_s_per_hop: float

    def job_candidates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(j, M) candidates of each job's entry satellite, their hops and a validity mask."""
        cand = self.candidates[self.entry_sat]
        hops = self.hops[self.entry_sat]
        valid = cand != NO_SAT
        return np.where(valid, cand, 0), hops, valid

    def finish_estimate_s(self) -> tuple[np.ndarray, np.ndarray]:
        """(j, M) estimated time to finish on each candidate: transfer + backlog + service,
        and the candidates (inf where invalid or stopped)."""
        cand, hops, valid = self.job_candidates()
        rate = self.rate_tops[cand]
        with np.errstate(divide="ignore", invalid="ignore"):
            service = np.where(rate > 0, self.work_top[:, None] / rate, np.inf)
        est = hops * self.transfer_s_per_hop + self.backlog_s[cand] + service
        return np.where(valid, est, np.inf), cand


@runtime_checkable
class Policy(Protocol):
    """Places the jobs of one step: ``place(view)`` returns an int array, one target per
    job (a satellite index, or :data:`GROUND`)."""

    def place(self, view: PlacementView) -> np.ndarray: ...


def _first(mask: np.ndarray, cand: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    has = mask.any(axis=1)
    pick = cand[np.arange(cand.shape[0]), mask.argmax(axis=1)]
    return np.where(has, pick, fallback)


class LocalOnly:
    """Every job runs where it arrived."""

    def place(self, view: PlacementView) -> np.ndarray:
        return view.entry_sat.copy()


class NearestWithCapacity:
    """The nearest satellite within k hops (the entry satellite first) whose queue is
    below the busy threshold and that runs; else the entry satellite."""

    def place(self, view: PlacementView) -> np.ndarray:
        cand, _, valid = view.job_candidates()
        free = valid & (view.backlog_s[cand] < view.busy_threshold_s) & (
            view.rate_tops[cand] > 0)
        return _first(free, cand, view.entry_sat)


class BestNeighbour:
    """The satellite within k hops with the earliest estimated finish (transfer, queue
    and service)."""

    def place(self, view: PlacementView) -> np.ndarray:
        est, cand = view.finish_estimate_s()
        best = est.argmin(axis=1)
        pick = cand[np.arange(cand.shape[0]), best]
        return np.where(np.isfinite(est.min(axis=1)), pick, view.entry_sat)


class SendToGround:
    """Every job goes down to the ground data centre through the nearest gateway contact
    (jobs with no contact in reach stay where they arrived)."""

    def place(self, view: PlacementView) -> np.ndarray:
        reach = view.ground_hops[view.entry_sat] < PAD_HOPS
        return np.where(reach, GROUND, view.entry_sat)


class EnergyAware:
    """Prefers sunlit satellites and keeps batteries above a depth of discharge.

    Among the satellites within k hops that run and are not busy, the nearest sunlit one;
    else the nearest with charge above ``1 − dod_limit_frac`` plus a margin; else the
    candidate with the most charge. The simulation stops compute before any battery passes
    ``dod_limit_frac`` (default 0.3: Tiansuan/BUPT measurements on COTS hardware found
    depth of discharge past 30 % shortens battery life by about a quarter). The idea of
    sending work to satellites in sunlight is Phoenix's (sunlight-aware placement, about
    55 % less battery energy with deadlines still met).
    """

    dod_limit_frac = 0.3
    soc_margin_frac = 0.05

    def __init__(self, dod_limit_frac: float | None = None) -> None:
        if dod_limit_frac is not None:
            self.dod_limit_frac = float(dod_limit_frac)

    def place(self, view: PlacementView) -> np.ndarray:
        cand, _, valid = view.job_candidates()
        usable = valid & (view.rate_tops[cand] > 0) & (
            view.backlog_s[cand] < view.busy_threshold_s)
        sunlit = usable & view.is_sunlit[cand]
        charged = usable & (view.soc_frac[cand] >= 1.0 - self.dod_limit_frac
                            + self.soc_margin_frac)
        soc = np.where(valid, view.soc_frac[cand], -np.inf)
        richest = cand[np.arange(cand.shape[0]), soc.argmax(axis=1)]
        return _first(sunlit, cand, _first(charged, cand, richest))


BUILTIN = {"local_only": LocalOnly, "nearest_with_capacity": NearestWithCapacity,
           "best_neighbour": BestNeighbour, "ground": SendToGround,
           "energy_aware": EnergyAware}
"""The workbench's own policies (registered in its ``pyproject.toml``)."""


def names() -> list[str]:
    """The registered policies' names."""
    return extensions.names(GROUP)


def policy(name: str | Policy, **kwargs: Any) -> Policy:
    """An instance of the registered policy ``name`` (or ``name`` itself when it already is
    a policy); an unknown name raises a ModelError naming the field and the known names.

    >>> type(policy("local_only")).__name__
    'LocalOnly'
    """
    if not isinstance(name, str):
        if isinstance(name, Policy):
            return name
        raise ModelError("schedule", [Problem("policy", type(name).__name__,
                                              "give a policy name or an object with a "
                                              "place(view) method")])
    found = dict(extensions.loaded(GROUP))
    for plugin, cls in extensions.loaded(GROUP):
        if plugin.name == name:
            instance = cls(**kwargs) if isinstance(cls, type) else cls
            if not isinstance(instance, Policy):
                raise ModelError("schedule", [Problem(
                    "policy", name, f"{plugin.describe()} has no place(view) method")])
            return instance
    known = ", ".join(sorted(p.name for p in found)) or "none"
    raise ModelError("schedule", [Problem("policy", name,
                                          f"is not a registered policy; known: {known}")])


__all__ = ["BUILTIN", "GROUND", "GROUP", "BestNeighbour", "EnergyAware", "LocalOnly",
           "NearestWithCapacity", "PlacementView", "Policy", "SendToGround", "names",
           "policy"]
