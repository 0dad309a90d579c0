"""The step-by-step simulation: placement, transfers, queues, power and heat per satellite.

At every step of the grid, for all satellites at once: the rate each satellite can run at
(its thermal cap from the capacity wing, and what its solar array and battery can feed);
the policy places the jobs arriving in the step; their inputs cross the ISLs (light time
plus shared bandwidth); the FIFO kernel (:mod:`.queues`) finishes what the step's capacity
allows; finished stages release the next ones; the battery takes the step's energy.
Loops run over steps and over the few rounds of stages within a step, never over
satellites or jobs.

Conservation is exact by construction and checked by the tests: every job ends the run
met, late, dropped or still queued (or in transit); generation = bus load served +
compute + spilled (curtailed) + battery losses + change in stored energy.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ...model.errors import ModelError, Problem
from ...model.options import SchedulingOptions
from ...orbits.geometry import OrbitGeometry
from .fabric import NO_SAT, PAD_HOPS, Fabric, nearest_in_set
from .policies import GROUND, PlacementView, Policy
from .queues import enqueue, work_done
from .transfers import isl_load_mb, n_hops, route_delay_s, share_factor
from .workload import Workload

KIND_WHOLE, KIND_SHARD, KIND_MERGE, KIND_STAGE = 0, 1, 2, 3
TASK_KINDS = ("whole", "shard", "merge", "stage")
STATUS = ("met", "late", "dropped", "queued")
MET, LATE, DROPPED, QUEUED = range(4)
GROUND_MAX_HOPS = 16
"""Farthest a job travels over ISLs to reach a satellite a gateway sees."""
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Fleet:
    """Per-satellite figures the simulation runs on (arrays over satellites).

    full_rate_tops : compute rate with the thermal cap, TOPS (the capacity wing's
        ``thermal_duty_frac`` × INT8 TOPS × the share achieved)
    j_per_top : energy of one tera-operation, J (payload power / achieved TOPS)
    sunlit_generation_w : array output while sunlit, W (the capacity wing's
        ``generation_mean_w`` / ``sunlit_frac``)
    thermal_duty_frac : the radiator's cap on the payload duty
    bus_w, battery_wh, floor_wh, efficiency_frac, payload_w : scalars of the platform
    isl_rate_gbps, downlink_rate_gbps : link rates
    """

    full_rate_tops: np.ndarray
    j_per_top: float
    sunlit_generation_w: np.ndarray
    thermal_duty_frac: np.ndarray
    bus_w: float
    battery_wh: float
    floor_wh: float
    efficiency_frac: float
    payload_w: float
    isl_rate_gbps: float
    downlink_rate_gbps: float


@dataclass
class Tasks:
    """Growable task table (a task is a whole job, a shard, a merge or a stage)."""

    capacity: int
    n: int = 0
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    SPEC: ClassVar[dict[str, type]] = {"job": np.int64, "sat": np.int64, "kind": np.int8, "stage": np.int64,
            "arrival_s": np.float64, "work": np.float64, "start_u": np.float64,
            "finish_u": np.float64, "start_s": np.float64, "finish_s": np.float64,
            "admit": np.bool_}

    def __post_init__(self) -> None:
        self.arrays = {k: np.full(self.capacity, np.nan if v is np.float64 else 0, dtype=v)
                       for k, v in self.SPEC.items()}

    def add(self, **columns: np.ndarray) -> np.ndarray:
        size = len(next(iter(columns.values())))
        if self.n + size > self.capacity:
            grow = max(self.capacity * 2, self.n + size)
            for k, v in self.arrays.items():
                extra = np.full(grow - self.capacity, np.nan if v.dtype == np.float64 else 0,
                                dtype=v.dtype)
                self.arrays[k] = np.concatenate([v, extra])
            self.capacity = grow
        ids = np.arange(self.n, self.n + size)
        for k, v in columns.items():
            self.arrays[k][ids] = v
        self.n += size
        return ids

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name][: self.n]


@dataclass
class Outcome:
    """Everything the run produced, as arrays (frames are built in :mod:`.result`)."""

    jobs: dict[str, np.ndarray]
    tasks: dict[str, np.ndarray]
    series: dict[str, np.ndarray]           # (n_sats, n_times) each
    energy: dict[str, float]
    isl_mb_sent: float
    isl_mb_per_job: np.ndarray


def _paths_to(fabric: Fabric, src: np.ndarray, dst: np.ndarray, policy_name: str
              ) -> np.ndarray:
    """Node sequences (J, k + 1) from ``src`` to ``dst`` (each within k hops)."""
    if not src.size:
        return np.zeros((0, fabric.k_hops + 1), dtype=np.int64)
    match = fabric.candidates[src] == dst[:, None]
    ok = match.any(axis=1)
    if not ok.all():
        bad = int(np.flatnonzero(~ok)[0])
        raise ModelError("schedule", [Problem(
            "policy", policy_name, f"placed a job arriving at satellite {int(src[bad])} on "
            f"satellite {int(dst[bad])}, which is more than k_hops={fabric.k_hops} ISL "
            "hops away")])
    return fabric.paths[src, match.argmax(axis=1)]


def _ground_nodes(src: np.ndarray, nxt: np.ndarray, hops: np.ndarray) -> np.ndarray:
    nodes = np.empty((src.size, GROUND_MAX_HOPS + 1), dtype=np.int64)
    nodes[:, 0] = src
    for h in range(GROUND_MAX_HOPS):
        here = nodes[:, h]
        nodes[:, h + 1] = np.where(h < hops[src], nxt[here], here)
    return nodes


def simulate(geometry: OrbitGeometry, workload: Workload, fabric: Fabric, fleet: Fleet,
             contact: np.ndarray, gateway_km: np.ndarray, policy: Policy, policy_name: str,
             options: SchedulingOptions, *,
             progress: Callable[[float, str], None] | None = None) -> Outcome:
    """Run the workload through the constellation (see the module docstring).

    ``contact`` (n_gateways, n_sats, n_times) says which gateway sees which satellite;
    ``gateway_km`` (n_gateways, 3) their ITRS positions.
    """
    n_sats, n_times = geometry.n_sats, geometry.n_times
    dt = geometry.grid.step_s
    n_jobs = workload.n_jobs
    eta = fleet.efficiency_frac
    dod_limit = getattr(policy, "dod_limit_frac", None)
    compute_floor_wh = fleet.floor_wh if dod_limit is None else max(
        fleet.floor_wh, (1.0 - float(dod_limit)) * fleet.battery_wh)
    n_parts = options.n_parts
    any_contact = contact.any(axis=0) if contact.size else np.zeros((n_sats, n_times), bool)

    # shard and pipeline satellites of every possible home (fabric only)
    shard_sats = np.concatenate([np.arange(n_sats)[:, None], fabric.neighbours[:, :n_parts - 1]],
                                axis=1)
    shard_sats = np.where(shard_sats == NO_SAT, np.arange(n_sats)[:, None], shard_sats)
    pipe = np.empty((n_sats, n_parts), dtype=np.int64)
    pipe[:, 0] = np.arange(n_sats)
    for i in range(1, n_parts):
        prev = pipe[:, i - 1]
        pipe[:, i] = np.where(fabric.ahead[prev] == NO_SAT, prev, fabric.ahead[prev])

    # job state
    status = np.full(n_jobs, QUEUED, dtype=np.int8)
    placement = np.full(n_jobs, NO_SAT, dtype=np.int64)
    done_s = np.full(n_jobs, np.nan)
    home = np.full(n_jobs, NO_SAT, dtype=np.int64)
    left = np.zeros(n_jobs, dtype=np.int64)             # tasks still to finish
    merge_ready_s = np.zeros(n_jobs)                    # latest shard output back home
    return_nodes = np.full((n_jobs, 1), NO_SAT, dtype=np.int64)
    isl_mb_job = np.zeros(n_jobs)
    isl_hops_job = np.zeros(n_jobs, dtype=np.int64)
    is_ground = np.zeros(n_jobs, dtype=bool)
    no_cover = workload.entry_sat == NO_SAT
    status[no_cover] = DROPPED

    collab = workload.is_collaborative
    n_collab = int(collab.sum())
    tasks = Tasks(capacity=16 + n_jobs + n_collab * (n_parts + 1))

    # satellite state
    stored = np.full(n_sats, options.initial_soc_frac * fleet.battery_wh)
    stored0 = stored.copy()
    u_now = np.zeros(n_sats)
    free_u = np.zeros(n_sats)
    pending = np.zeros(0, dtype=np.int64)
    buffer = np.zeros(0, dtype=np.int64)                # tasks in transit
    energy = {k: 0.0 for k in ("generation_wh", "bus_wh", "compute_wh", "spilled_wh",
                               "loss_wh", "unserved_wh")}
    series = {k: np.zeros((n_sats, n_times)) for k in (
        "rate_tops", "utilisation_frac", "queue_top", "soc_frac", "thermal_margin_frac",
        "isl_tx_mb", "downlink_mb")}
    series["queue_jobs"] = np.zeros((n_sats, n_times), dtype=np.int64)
    isl_sent = 0.0
    job_bounds = np.searchsorted(workload.arrival_s, np.arange(n_times + 1) * dt)
    job_bounds[-1] = n_jobs
    sunlit = geometry.is_sunlit

    def isl_send(nodes: np.ndarray, size: np.ndarray, jobs: np.ndarray, k: int,
                 r_km: np.ndarray, load: np.ndarray) -> np.ndarray:
        nonlocal isl_sent
        extra = isl_load_mb(nodes, size, n_sats)
        load += extra
        isl_sent += float(extra.sum())
        hops = n_hops(nodes)
        np.add.at(isl_mb_job, jobs, size * hops)
        np.add.at(isl_hops_job, jobs, hops)
        return route_delay_s(nodes, size, r_km, share_factor(load, fleet.isl_rate_gbps, dt),
                             fleet.isl_rate_gbps)

    for k in range(n_times):
        t0, t1 = k * dt, (k + 1) * dt
        r_km = np.nan_to_num(geometry.r_itrs_km[:, k])
        gen_w = fleet.sunlit_generation_w * sunlit[:, k]
        # the rate this step: thermal cap, and what array + battery above the floor feed
        avail_j = (gen_w - fleet.bus_w) * dt + np.maximum(
            stored - compute_floor_wh, 0.0) * eta * SECONDS_PER_HOUR
        energy_rate = np.maximum(avail_j, 0.0) / dt / fleet.j_per_top
        rate = np.minimum(fleet.full_rate_tops, energy_rate)
        rate = np.where(geometry.is_valid[:, k], rate, 0.0)
        u_end = u_now + rate * dt
        load = np.zeros(n_sats)
        dl_load = np.zeros(n_sats)
        g_hops, g_next = nearest_in_set(fabric.neighbours, any_contact[:, k], GROUND_MAX_HOPS)

        # ---- place the jobs arriving this step
        new = np.arange(job_bounds[k], job_bounds[k + 1])
        new = new[~no_cover[new]]
        if new.size:
            entry = workload.entry_sat[new]
            queued_u = np.maximum(free_u - u_now, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                backlog_s = np.where(rate > 0, queued_u / rate, np.where(queued_u > 0,
                                                                          np.inf, 0.0))
            view = PlacementView(
                entry_sat=entry, work_top=workload.work_top[new],
                deadline_s=workload.deadline_s[new], candidates=fabric.candidates,
                hops=fabric.hops, backlog_s=backlog_s, rate_tops=rate,
                soc_frac=stored / fleet.battery_wh, is_sunlit=sunlit[:, k],
                ground_hops=g_hops, busy_threshold_s=options.busy_threshold_s,
                transfer_s_per_hop=options.input_mb * 8e-3 / max(fleet.isl_rate_gbps, 1e-12)
                + 0.01)
            target = np.asarray(policy.place(view), dtype=np.int64)
            if target.shape != new.shape or np.any((target != GROUND) & (
                    (target < 0) | (target >= n_sats))):
                raise ModelError("schedule", [Problem(
                    "policy", policy_name, f"returned {target.shape} targets for "
                    f"{new.size} jobs, or targets outside 0…{n_sats - 1} and GROUND")])
            to_ground = (target == GROUND) & (g_hops[entry] < PAD_HOPS)
            target = np.where(target == GROUND, entry, target)
            # ground: up the ISLs to a gateway's satellite, down, process, back
            if to_ground.any():
                g_jobs, g_entry = new[to_ground], entry[to_ground]
                nodes = _ground_nodes(g_entry, g_next, g_hops)
                down_sat = nodes[:, -1]
                up_s = isl_send(nodes, workload.input_mb[g_jobs], g_jobs, k, r_km, load)
                back_s = isl_send(nodes[:, ::-1], workload.output_mb[g_jobs], g_jobs, k,
                                  r_km, load)
                np.add.at(dl_load, down_sat, workload.input_mb[g_jobs]
                          + workload.output_mb[g_jobs])
                share = share_factor(dl_load, fleet.downlink_rate_gbps, dt)[down_sat]
                seen = contact[:, down_sat, k]                       # (gw, J)
                slant = np.linalg.norm(r_km[down_sat][None] - gateway_km[:, None], axis=-1)
                slant_s = np.where(seen, slant, np.inf).min(axis=0) / 299792.458
                with np.errstate(divide="ignore"):
                    link_s = ((workload.input_mb[g_jobs] + workload.output_mb[g_jobs])
                              * 8e-3 / fleet.downlink_rate_gbps * share)
                total = (up_s + back_s + 2 * slant_s + link_s
                         + workload.work_top[g_jobs] / options.ground_tops)
                done_s[g_jobs] = workload.arrival_s[g_jobs] + total
                is_ground[g_jobs] = True
                placement[g_jobs] = GROUND
                finished = done_s[g_jobs] <= n_times * dt
                ok = done_s[g_jobs] - workload.arrival_s[g_jobs] <= workload.deadline_s[g_jobs]
                status[g_jobs] = np.where(finished, np.where(ok, MET, LATE), QUEUED)
            on = ~to_ground
            jobs, entry, target = new[on], entry[on], target[on]
            placement[jobs] = target
            home[jobs] = target
            nodes = _paths_to(fabric, entry, target, policy_name)
            return_nodes_new = nodes[:, ::-1]
            arrive = workload.arrival_s[jobs] + isl_send(
                nodes, workload.input_mb[jobs], jobs, k, r_km, load)
            is_c = workload.is_collaborative[jobs]
            # whole jobs
            w = ~is_c
            if w.any():
                tasks_new = tasks.add(job=jobs[w], sat=target[w],
                                      kind=np.full(w.sum(), KIND_WHOLE, np.int8),
                                      stage=np.zeros(w.sum(), np.int64), arrival_s=arrive[w],
                                      work=workload.work_top[jobs[w]],
                                      admit=np.full(w.sum(), options.drop_late))
                left[jobs[w]] = 1
                buffer = np.concatenate([buffer, tasks_new])
            if is_c.any():
                c_jobs, c_home, c_arrive = jobs[is_c], target[is_c], arrive[is_c]
                work = workload.work_top[c_jobs]
                if options.split == "shards":
                    sats = shard_sats[c_home]                             # (J, n_parts)
                    src = np.repeat(c_home, n_parts)
                    dst = sats.ravel()
                    job_rep = np.repeat(c_jobs, n_parts)
                    hop_nodes = np.stack([src, dst], axis=1)
                    size = np.repeat(workload.input_mb[c_jobs] / n_parts, n_parts)
                    t_arr = np.repeat(c_arrive, n_parts) + isl_send(hop_nodes, size, job_rep,
                                                                    k, r_km, load)
                    shard_work = np.repeat(work * (1.0 - options.merge_frac) / n_parts,
                                           n_parts)
                    ids = tasks.add(job=job_rep, sat=dst,
                                    kind=np.full(dst.size, KIND_SHARD, np.int8),
                                    stage=np.tile(np.arange(n_parts), c_jobs.size),
                                    arrival_s=t_arr, work=shard_work,
                                    admit=np.zeros(dst.size, bool))
                    left[c_jobs] = n_parts
                else:
                    ids = tasks.add(job=c_jobs, sat=c_home,
                                    kind=np.full(c_jobs.size, KIND_STAGE, np.int8),
                                    stage=np.zeros(c_jobs.size, np.int64), arrival_s=c_arrive,
                                    work=work / n_parts, admit=np.zeros(c_jobs.size, bool))
                    left[c_jobs] = n_parts
                    # the result goes back along the plane to the home, then to the entry
                    back = np.concatenate([pipe[c_home][:, ::-1], return_nodes_new[is_c]],
                                          axis=1)
                    return_nodes = _store_rows(return_nodes, c_jobs, back)
                buffer = np.concatenate([buffer, ids])
            # return path of whole and shard jobs: target → entry
            simple = ~(is_c & (options.split == "pipeline"))
            if simple.any():
                return_nodes = _store_rows(return_nodes, jobs[simple],
                                           return_nodes_new[simple])

        # ---- rounds: enqueue what arrives this step, finish, release next stages
        touched = [pending]
        checked = False
        for _ in range(n_parts + 4):
            arriving = buffer[tasks["arrival_s"][buffer] < t1] if buffer.size else buffer
            if not arriving.size and checked:
                break
            checked = True
            buffer = np.setdiff1d(buffer, arriving, assume_unique=True)
            arriving = arriving[np.argsort(tasks["arrival_s"][arriving], kind="stable")]
            sat = tasks["sat"][arriving]
            a_s = np.maximum(tasks["arrival_s"][arriving], t0)
            a_u = u_now[sat] + rate[sat] * (a_s - t0)
            work = tasks["work"][arriving]
            start_u, finish_u, new_free = enqueue(sat, a_u, work, free_u)
            admit = tasks.arrays["admit"][arriving]
            if admit.any():
                job = tasks["job"][arriving]
                with np.errstate(divide="ignore", invalid="ignore"):
                    predicted = np.where(rate[sat] > 0, t0 + (finish_u - u_now[sat])
                                         / rate[sat], np.inf)
                late = admit & (predicted - workload.arrival_s[job] > workload.deadline_s[job])
                if late.any():
                    status[job[late]] = DROPPED
                    left[job[late]] = 0
                    arriving, sat, a_u, work = (arriving[~late], sat[~late], a_u[~late],
                                                work[~late])
                    start_u, finish_u, new_free = enqueue(sat, a_u, work, free_u)
            free_u = new_free
            tasks.arrays["start_u"][arriving] = start_u
            tasks.arrays["finish_u"][arriving] = finish_u
            pending = np.concatenate([pending, arriving])
            touched.append(arriving)
            # finished this step
            p_sat = tasks["sat"][pending]
            fin = tasks["finish_u"][pending] <= u_end[p_sat]
            done = pending[fin]
            pending = pending[~fin]
            if not done.size:
                continue
            d_sat = tasks["sat"][done]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio_f = np.where(rate[d_sat] > 0, (tasks["finish_u"][done] - u_now[d_sat])
                                   / rate[d_sat], 0.0)
            tasks.arrays["finish_s"][done] = t0 + np.clip(ratio_f, 0.0, dt)
            buffer = _release(done, tasks, workload, options, left, merge_ready_s, home,
                              pipe, done_s, isl_send, k, r_km, load, buffer, n_parts,
                              return_nodes)
        # start times of everything that has started by the end of the step
        live = np.concatenate(touched + [pending]) if touched else pending
        live = np.unique(live)
        if live.size:
            l_sat = tasks["sat"][live]
            st = np.isnan(tasks["start_s"][live]) & (tasks["start_u"][live] <= u_end[l_sat])
            idx = live[st]
            s_sat = tasks["sat"][idx]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio_s = np.where(rate[s_sat] > 0, (tasks["start_u"][idx] - u_now[s_sat])
                                   / rate[s_sat], 0.0)
            tasks.arrays["start_s"][idx] = t0 + np.clip(ratio_s, 0.0, dt)

        # ---- energy of the step
        all_touched = np.unique(np.concatenate(touched))
        if all_touched.size:
            ts = tasks["sat"][all_touched]
            did = work_done(tasks["start_u"][all_touched], tasks["work"][all_touched],
                            u_now[ts], u_end[ts])
            done_top = np.bincount(ts, weights=did, minlength=n_sats)
        else:
            done_top = np.zeros(n_sats)
        compute_j = done_top * fleet.j_per_top
        net_j = (gen_w - fleet.bus_w) * dt - compute_j
        surplus = np.maximum(net_j, 0.0)
        charge = np.minimum(surplus, (fleet.battery_wh - stored) * SECONDS_PER_HOUR)
        need = np.maximum(-net_j, 0.0)
        deliverable = np.maximum(stored - fleet.floor_wh, 0.0) * eta * SECONDS_PER_HOUR
        # compute never needs more than the floor allows (its rate was capped); what the
        # battery cannot give is the bus's shortfall
        delivered = np.minimum(need, deliverable)
        unserved = need - delivered
        stored = stored + (charge - delivered / eta) / SECONDS_PER_HOUR
        energy["generation_wh"] += float(gen_w.sum()) * dt / SECONDS_PER_HOUR
        energy["bus_wh"] += float((fleet.bus_w * dt - unserved).sum()) / SECONDS_PER_HOUR
        energy["compute_wh"] += float(compute_j.sum()) / SECONDS_PER_HOUR
        energy["spilled_wh"] += float((surplus - charge).sum()) / SECONDS_PER_HOUR
        energy["loss_wh"] += float((delivered * (1.0 / eta - 1.0)).sum()) / SECONDS_PER_HOUR
        energy["unserved_wh"] += float(unserved.sum()) / SECONDS_PER_HOUR

        series["rate_tops"][:, k] = rate
        with np.errstate(divide="ignore", invalid="ignore"):
            series["utilisation_frac"][:, k] = np.where(
                fleet.full_rate_tops > 0, done_top / (fleet.full_rate_tops * dt), 0.0)
            duty = compute_j / dt / fleet.payload_w
            series["thermal_margin_frac"][:, k] = np.where(
                fleet.thermal_duty_frac > 0, 1.0 - duty / fleet.thermal_duty_frac, 0.0)
        p_sat = tasks["sat"][pending]
        series["queue_jobs"][:, k] = np.bincount(p_sat, minlength=n_sats)
        series["queue_top"][:, k] = np.bincount(
            p_sat, weights=tasks["work"][pending] - np.clip(
                u_end[p_sat] - tasks["start_u"][pending], 0.0, tasks["work"][pending]),
            minlength=n_sats)
        series["soc_frac"][:, k] = stored / fleet.battery_wh
        series["isl_tx_mb"][:, k] = load
        series["downlink_mb"][:, k] = dl_load
        u_now = u_end
        if progress and (k % 32 == 0 or k == n_times - 1):
            progress((k + 1) / n_times, f"step {k + 1} of {n_times}")

    # ---- jobs whose last task finished: result back to the entry satellite
    horizon = n_times * dt
    finished_jobs = (~is_ground) & (status == QUEUED) & (left == 0) & ~np.isnan(done_s)
    late = finished_jobs & (done_s - workload.arrival_s > workload.deadline_s)
    in_time = finished_jobs & ~late & (done_s <= horizon)
    status[in_time] = MET
    status[late & (done_s <= horizon)] = LATE
    energy["stored_change_wh"] = float((stored - stored0).sum())
    energy["stored_start_wh"] = float(stored0.sum())
    energy["stored_end_wh"] = float(stored.sum())
    t = {k: v[: tasks.n].copy() for k, v in tasks.arrays.items()}
    task_energy_wh = np.nan_to_num(t["work"]) * fleet.j_per_top / SECONDS_PER_HOUR
    job_energy = np.bincount(t["job"], weights=np.where(np.isnan(t["finish_s"]), 0.0,
                                                         task_energy_wh), minlength=n_jobs)
    first_start = np.full(n_jobs, np.inf)
    np.minimum.at(first_start, t["job"], np.where(np.isnan(t["start_s"]), np.inf,
                                                   t["start_s"]))
    last_finish = np.full(n_jobs, -np.inf)
    np.maximum.at(last_finish, t["job"], np.where(np.isnan(t["finish_s"]), -np.inf,
                                                   t["finish_s"]))
    n_tasks = np.bincount(t["job"], minlength=n_jobs)
    jobs_out = {"status": status, "placement": placement, "done_s": done_s,
                "start_s": np.where(np.isfinite(first_start), first_start, np.nan),
                "finish_s": np.where(np.isfinite(last_finish), last_finish, np.nan),
                "energy_wh": job_energy, "n_tasks": n_tasks, "isl_hops": isl_hops_job,
                "isl_mb": isl_mb_job, "is_ground": is_ground, "home": home}
    return Outcome(jobs=jobs_out, tasks=t, series=series, energy=energy,
                   isl_mb_sent=isl_sent, isl_mb_per_job=isl_mb_job)


def _store_rows(table: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``table[rows] = values`` for node sequences, padding either with its last column."""
    width = max(table.shape[1], values.shape[1])
    if table.shape[1] < width:
        table = np.concatenate([table, np.repeat(table[:, -1:], width - table.shape[1],
                                                 axis=1)], axis=1)
    if values.shape[1] < width:
        values = np.concatenate([values, np.repeat(values[:, -1:], width - values.shape[1],
                                                   axis=1)], axis=1)
    table[rows] = values
    return table


def _release(done, tasks, workload, options, left, merge_ready_s, home, pipe, done_s,
             isl_send, k, r_km, load, buffer, n_parts, return_nodes):
    """Finished tasks release what waits on them: the next stage, the merge after the last
    shard, or the job's result."""
    kind = tasks["kind"][done]
    job = tasks["job"][done]
    fin = tasks["finish_s"][done]
    out = [buffer]
    # whole jobs and merges: the job's compute is finished
    last = (kind == KIND_WHOLE) | (kind == KIND_MERGE)
    if last.any():
        l_job = job[last]
        left[l_job] = 0
        done_s[l_job] = fin[last] + isl_send(return_nodes[l_job], workload.output_mb[l_job],
                                             l_job, k, r_km, load)
    # shards: bring the output home; the last shard releases the merge
    sh = kind == KIND_SHARD
    if sh.any():
        s_job = job[sh]
        nodes = np.stack([tasks["sat"][done[sh]], home[s_job]], axis=1)
        size = workload.output_mb[s_job] / n_parts
        back = fin[sh] + isl_send(nodes, size, s_job, k, r_km, load)
        np.maximum.at(merge_ready_s, s_job, back)
        np.subtract.at(left, s_job, 1)
        ready = np.unique(s_job[left[s_job] == 0])
        if ready.size:
            left[ready] = 1
            ids = tasks.add(job=ready, sat=home[ready],
                            kind=np.full(ready.size, KIND_MERGE, np.int8),
                            stage=np.full(ready.size, n_parts, np.int64),
                            arrival_s=merge_ready_s[ready],
                            work=workload.work_top[ready] * options.merge_frac,
                            admit=np.zeros(ready.size, bool))
            out.append(ids)
    # pipeline stages: pass the intermediate result to the next satellite of the plane
    st = kind == KIND_STAGE
    if st.any():
        s_job, stage = job[st], tasks["stage"][done[st]]
        np.subtract.at(left, s_job, 1)
        final = stage == n_parts - 1
        if final.any():
            f_job = s_job[final]
            done_s[f_job] = fin[st][final] + isl_send(
                return_nodes[f_job], workload.output_mb[f_job], f_job, k, r_km, load)
        go = ~final
        if go.any():
            g_job, g_stage = s_job[go], stage[go]
            src = pipe[home[g_job], g_stage]
            dst = pipe[home[g_job], g_stage + 1]
            size = workload.input_mb[g_job] / n_parts
            arrive = fin[st][go] + isl_send(np.stack([src, dst], axis=1), size, g_job, k,
                                            r_km, load)
            ids = tasks.add(job=g_job, sat=dst, kind=np.full(g_job.size, KIND_STAGE, np.int8),
                            stage=g_stage + 1, arrival_s=arrive,
                            work=workload.work_top[g_job] / n_parts,
                            admit=np.zeros(g_job.size, bool))
            out.append(ids)
    return np.concatenate(out)


__all__ = ["STATUS", "TASK_KINDS", "Fleet", "Outcome", "simulate"]
