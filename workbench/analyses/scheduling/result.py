"""The result of a scheduling run: per job, per task, per satellite over time, per policy."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from .fabric import NO_SAT
from .policies import GROUND
from .simulation import DROPPED, LATE, MET, QUEUED, STATUS, TASK_KINDS, Outcome
from .workload import Workload, workload_frame

FRAME_DESCRIPTIONS = {
    "jobs": "one row per job: source, placement, start, finish, latency, status, energy",
    "tasks": "one row per task (whole job, shard, merge or stage): where and when it ran",
    "satellites": "every step of every kept satellite: utilisation, queue, battery, heat, ISL",
    "policy": "one row: completion ratio, latency percentiles, energy per job, DoD, ISL",
}


@dataclass(frozen=True, eq=False)
class SchedulingResult:
    """Frames and a summary from :func:`workbench.analyses.schedule`.

    ``frames``: ``jobs``, ``tasks``, ``satellites``, ``policy`` (see
    :data:`FRAME_DESCRIPTIONS`; schemas in :func:`~workbench.analyses.schedule`);
    ``summary``: the ``policy`` row as a flat dict plus the conservation totals.
    """

    frames: dict[str, pl.DataFrame]
    summary: dict[str, Any] = field(default_factory=dict)
    title: str = "Scheduling"

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]

    def __getattr__(self, name: str) -> pl.DataFrame:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(f"{type(self).__name__!r} has no attribute or frame {name!r}")

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td>"
                       "</tr>" for k, v in self.summary.items())
        frames = "".join(f"<li><code>{html.escape(n)}</code> {f.height:,} × {f.width}: "
                         f"{html.escape(FRAME_DESCRIPTIONS.get(n, ''))}</li>"
                         for n, f in self.frames.items())
        return (f"<div><b>{html.escape(self.title)}</b><table><tbody>{rows}</tbody></table>"
                f"<p>Frames:</p><ul>{frames}</ul></div>")

    def __repr__(self) -> str:
        frames = ", ".join(f"{n}[{f.height}×{f.width}]" for n, f in self.frames.items())
        return f"SchedulingResult({self.title!r}; frames: {frames})"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _placement_words(placement: np.ndarray, entry: np.ndarray) -> np.ndarray:
    return np.where(placement == GROUND, "ground", np.where(
        placement == NO_SAT, "none", np.where(placement == entry, "local", "neighbour")))


def build_result(outcome: Outcome, workload: Workload, geometry: Any, policy_name: str,
                 battery_wh: float, keep_sats: np.ndarray, title: str) -> SchedulingResult:
    """Frames and summary of a run."""
    j = outcome.jobs
    jobs = workload_frame(workload).with_columns(
        policy=pl.lit(policy_name),
        placement=pl.Series(_placement_words(j["placement"], workload.entry_sat)),
        placement_sat=pl.Series(np.where(j["placement"] >= 0, j["placement"], -1)),
        n_tasks=pl.Series(j["n_tasks"], dtype=pl.UInt32),
        start_s=j["start_s"], finish_s=j["finish_s"], done_s=j["done_s"],
        latency_s=j["done_s"] - workload.arrival_s,
        status=pl.Series(np.array(STATUS, dtype=object)[j["status"]], dtype=pl.String),
        is_met=pl.Series(j["status"] == MET),
        energy_wh=j["energy_wh"], isl_hops=pl.Series(j["isl_hops"], dtype=pl.UInt32),
        isl_mb=j["isl_mb"])
    t = outcome.tasks
    tasks = pl.DataFrame({
        "job_id": pl.Series(t["job"], dtype=pl.UInt32),
        "kind": pl.Series(np.array(TASK_KINDS, dtype=object)[t["kind"]], dtype=pl.String),
        "stage": pl.Series(t["stage"], dtype=pl.UInt32),
        "sat_id": pl.Series(t["sat"], dtype=pl.UInt32), "arrival_s": t["arrival_s"],
        "start_s": t["start_s"], "finish_s": t["finish_s"], "work_top": t["work"]})
    n_times = geometry.n_times
    series = outcome.series
    sats = pl.DataFrame({
        "time_utc": pl.concat([geometry.grid.times_utc] * len(keep_sats))
        if len(keep_sats) else pl.Series([], dtype=pl.Datetime("us", "UTC")),
        "sat_id": pl.Series(np.repeat(keep_sats, n_times), dtype=pl.UInt32),
        **{name: series[name][keep_sats].ravel() for name in (
            "rate_tops", "utilisation_frac", "queue_jobs", "queue_top", "soc_frac",
            "thermal_margin_frac", "isl_tx_mb", "downlink_mb")}})
    status = j["status"]
    n = workload.n_jobs
    done = (status == MET) | (status == LATE)
    lat = (j["done_s"] - workload.arrival_s)[done]
    pct = np.percentile(lat, [50, 95, 99]) if lat.size else np.full(3, np.nan)
    soc_min = series["soc_frac"].min() if series["soc_frac"].size else 1.0
    e = outcome.energy
    summary: dict[str, Any] = {
        "policy": policy_name, "n_jobs": n, "n_met": int((status == MET).sum()),
        "n_late": int((status == LATE).sum()), "n_dropped": int((status == DROPPED).sum()),
        "n_queued": int((status == QUEUED).sum()),
        "completion_frac": float((status == MET).sum() / n) if n else float("nan"),
        "latency_p50_s": float(pct[0]), "latency_p95_s": float(pct[1]),
        "latency_p99_s": float(pct[2]),
        "energy_per_job_wh": float(j["energy_wh"][done].mean()) if done.any() else 0.0,
        "compute_wh": e["compute_wh"],
        "dod_max_frac": float(1.0 - soc_min),
        "dod_mean_max_frac": float(1.0 - series["soc_frac"].min(axis=1).mean())
        if series["soc_frac"].size else 0.0,
        "isl_traffic_gb": float(outcome.isl_mb_sent / 1e3),
        "isl_traffic_per_job_mb": float(outcome.isl_mb_sent / n) if n else 0.0,
        "utilisation_mean_frac": float(series["utilisation_frac"].mean())
        if series["utilisation_frac"].size else 0.0,
        "n_ground": int(j["is_ground"].sum()),
        "n_offloaded": int(((j["placement"] >= 0) & (j["placement"]
                                                     != workload.entry_sat)).sum()),
        **{k: float(v) for k, v in e.items()},
        "battery_wh_per_sat": battery_wh,
    }
    policy_frame = pl.DataFrame([{k: v for k, v in summary.items()}])
    return SchedulingResult(frames={"jobs": jobs, "tasks": tasks, "satellites": sats,
                                    "policy": policy_frame}, summary=summary, title=title)


__all__ = ["FRAME_DESCRIPTIONS", "SchedulingResult", "build_result"]
