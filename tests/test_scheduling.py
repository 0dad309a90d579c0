"""The scheduling wing against references: conservation for every policy and seed, the
M/D/1 queue (Pollaczek–Khinchine), an independent SimPy model, direction checks, errors."""
from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduling_scenarios import GATEWAY, PLENTY, TARGET, USER, small

import workbench as wb
from workbench.analyses.scheduling import policies
from workbench.analyses.scheduling.fabric import build_fabric
from workbench.analyses.scheduling.queues import enqueue
from workbench.model.errors import ModelError

POLICIES = ["local_only", "nearest_with_capacity", "best_neighbour", "ground", "energy_aware"]
MIXED = small(sites=(GATEWAY, USER, TARGET))
GEOMETRY = wb.orbits.orbit_geometry(MIXED.constellation, MIXED.time_grid,
                                    epoch=MIXED.epoch_utc)
CAPACITY = wb.analyses.capacity(MIXED, geometry=GEOMETRY)
ENERGY_RTOL = 1e-9


def run(scenario, geometry=None, capacity=None, **options):
    return wb.analyses.schedule(scenario, options=options, geometry=geometry,
                                capacity=capacity)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), policy=st.sampled_from(POLICIES),
       split=st.sampled_from(["shards", "pipeline"]), drop=st.booleans())
def test_jobs_bytes_and_energy_are_conserved(seed, policy, split, drop):
    r = run(MIXED, GEOMETRY, CAPACITY, policy=policy, seed=seed, n_jobs=400,
            job_gop=2e5, collaborative_frac=0.3, split=split, drop_late=drop,
            sensing_share_frac=0.5)
    s, jobs = r.summary, r["jobs"]
    # jobs in = done (met + late) + missed-on-arrival (dropped) + still queued
    assert s["n_met"] + s["n_late"] + s["n_dropped"] + s["n_queued"] == s["n_jobs"] == 400
    counts = dict(jobs.group_by("status").len().iter_rows())
    assert sum(counts.values()) == 400 and set(counts) <= {"met", "late", "dropped", "queued"}
    # energy in = used + stored + spilled (+ the battery's conversion loss)
    used = s["bus_wh"] + s["compute_wh"]
    assert s["generation_wh"] == pytest.approx(
        used + s["stored_change_wh"] + s["spilled_wh"] + s["loss_wh"], rel=ENERGY_RTOL)
    # bytes: what the satellites transmitted is what the jobs sent, hop by hop
    assert r["satellites"]["isl_tx_mb"].sum() == pytest.approx(jobs["isl_mb"].sum(),
                                                               rel=1e-12, abs=1e-9)
    # every task runs after it arrives and each satellite serves one task at a time
    tasks = r["tasks"].drop_nulls("finish_s").filter(pl.col("finish_s").is_not_nan())
    assert (tasks["start_s"] >= tasks["arrival_s"] - 1e-9).all()
    assert (tasks["finish_s"] >= tasks["start_s"] - 1e-9).all()
    gaps = tasks.sort("sat_id", "start_s").with_columns(
        prev=pl.col("finish_s").shift(1).over("sat_id")).drop_nulls("prev")
    assert (gaps["start_s"] >= gaps["prev"] - 1e-6).all()


def test_kernel_matches_the_lindley_recursion():
    rng = np.random.default_rng(3)
    sat = rng.integers(0, 7, 500)
    u = np.sort(rng.uniform(0, 300, 500))
    w = rng.exponential(1.0, 500)
    free = rng.uniform(0, 30, 7)
    _, finish, new_free = enqueue(sat, u, w, free)
    f = free.copy()
    for j in range(500):           # the recursion, one job at a time
        f[sat[j]] = max(u[j], f[sat[j]]) + w[j]
        assert finish[j] == pytest.approx(f[sat[j]], abs=1e-9)
    np.testing.assert_allclose(new_free, f, atol=1e-9)


def test_fabric_paths_are_shortest_paths_of_networkx():
    import networkx as nx

    fabric = build_fabric(MIXED, 3)
    edges = wb.analyses.plus_grid(MIXED.constellation, epoch=MIXED.epoch_utc)
    graph = nx.Graph(edges.tolist())
    for s in range(fabric.n_sats):
        lengths = nx.single_source_shortest_path_length(graph, s, cutoff=3)
        got = {int(c): int(h) for c, h in zip(fabric.candidates[s], fabric.hops[s])
               if c >= 0}
        assert got == lengths
        for m, c in enumerate(fabric.candidates[s]):
            if c >= 0:
                path = [int(x) for x in dict.fromkeys(fabric.paths[s, m].tolist())]
                assert path[0] == s and path[-1] == c and len(path) - 1 == lengths[int(c)]
                assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(path))


def md1_scenario():
    return small(1, 1, 24.0, sites=(), platform=PLENTY)


def test_one_satellite_matches_the_md1_waiting_time():
    """Poisson arrivals, fixed service D, one server: mean wait Wq = ρ/(2μ(1−ρ))
    (Pollaczek–Khinchine for M/D/1; Kleinrock, Queueing Systems vol. 1, §5.7)."""
    scenario = md1_scenario()
    service_s = 6.0
    rate_tops = scenario.payload.int8_tops * 0.5
    lam = 0.1                                           # jobs per second: ρ = 0.6
    n = int(lam * scenario.duration_s)
    r = run(scenario, policy="local_only", n_jobs=n, job_gop=service_s * rate_tops * 1e3,
            deadline_s=1e7, drop_late=False, urgent_frac=0.0, sensing_share_frac=1.0,
            efficiency_frac=0.5)
    jobs = r["jobs"].filter(pl.col("status") == "met").sort("arrival_s")
    assert jobs.height >= n - 5          # the last few may still run at the horizon
    wait = (jobs["start_s"] - jobs["arrival_s"]).to_numpy()
    rho, mu = lam * service_s, 1.0 / service_s
    expected = rho / (2 * mu * (1 - rho))
    batches = np.array([b.mean() for b in np.array_split(wait, 24)])
    se = batches.std(ddof=1) / np.sqrt(batches.size)      # batch means: waits correlate
    assert abs(wait.mean() - expected) < 4 * se, (wait.mean(), expected, se)
    np.testing.assert_allclose(jobs["finish_s"] - jobs["start_s"], service_s, atol=1e-6)


def simpy_local_queues(n_sats, lam_per_sat, mean_s, cv, deadline_s, horizon_s, seed):
    """An independent discrete-event model: one SimPy resource per satellite, Poisson
    arrivals, gamma service times, FIFO; latency = wait + service."""
    import simpy

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    servers = [simpy.Resource(env, capacity=1) for _ in range(n_sats)]
    latencies: list[float] = []

    def job(server, service):
        arrived = env.now
        with server.request() as req:
            yield req
            yield env.timeout(service)
        latencies.append(env.now - arrived)

    def source(server):
        shape = 1.0 / cv**2
        while True:
            yield env.timeout(rng.exponential(1.0 / lam_per_sat))
            if env.now >= horizon_s:
                return
            env.process(job(server, rng.gamma(shape, mean_s / shape)))

    for server in servers:
        env.process(source(server))
    env.run()
    lat = np.array(latencies)
    return {"completion": float((lat <= deadline_s).mean()),
            "p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95))}


def test_small_constellation_agrees_with_a_simpy_model():
    scenario = small(3, 4, 12.0, sites=(), platform=PLENTY)
    n_sats, horizon = 12, scenario.duration_s
    mean_s, cv, deadline, rho = 20.0, 0.5, 60.0, 0.7
    lam = rho / mean_s
    rate_tops = scenario.payload.int8_tops * 0.5
    ours = []
    for seed in range(4):
        r = run(scenario, policy="local_only", seed=seed, n_jobs=int(lam * n_sats * horizon),
                job_gop=mean_s * rate_tops * 1e3, compute_cv=cv, deadline_s=deadline,
                drop_late=False, urgent_frac=0.0, input_mb=0.0, output_mb=0.0)
        jobs = r["jobs"].filter(pl.col("status").is_in(["met", "late"]))
        lat = jobs["latency_s"].to_numpy()
        ours.append({"completion": float((lat <= deadline).mean()),
                     "p50": float(np.percentile(lat, 50)),
                     "p95": float(np.percentile(lat, 95))})
    ref = [simpy_local_queues(n_sats, lam, mean_s, cv, deadline, horizon, 100 + s)
           for s in range(4)]
    for key in ("completion", "p50", "p95"):
        a = np.array([o[key] for o in ours])
        b = np.array([o[key] for o in ref])
        spread = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        # the two means differ by sampling error only: 4 standard errors, measured
        # from the seed-to-seed spread of both models
        assert abs(a.mean() - b.mean()) < 4 * spread + 1e-3 * abs(b.mean()), (key, a, b)


HOT = small(3, 4, 3.0, sites=(GATEWAY, TARGET))


def test_offloading_completes_no_fewer_jobs_than_local_when_neighbours_idle():
    """Jobs raised over one target pile onto the satellites passing it; their
    neighbours are idle."""
    opts = dict(n_jobs=600, job_gop=3e6, deadline_s=120.0, sensing_share_frac=1.0, seed=5)
    local = run(HOT, policy="local_only", **opts).summary
    for name in ("nearest_with_capacity", "best_neighbour"):
        other = run(HOT, policy=name, **opts).summary
        assert other["n_met"] >= local["n_met"], name
        assert other["n_offloaded"] > 0
    assert run(HOT, policy="best_neighbour", **opts).summary["n_met"] > local["n_met"]


def test_energy_aware_keeps_the_battery_shallower():
    scenario = small(3, 4, 6.0, sites=())
    opts = dict(n_jobs=20000, job_gop=5e6, deadline_s=600.0, seed=2, dod_limit_frac=0.05)
    aware = run(scenario, policy="energy_aware", **opts).summary["dod_max_frac"]
    for name in ("local_only", "nearest_with_capacity", "best_neighbour"):
        assert aware < run(scenario, policy=name, **opts).summary["dod_max_frac"], name
    assert aware <= 0.05 + 1e-9 or aware < 0.1


def test_a_split_job_finishes_sooner_on_idle_neighbours_over_fast_links():
    scenario = small(3, 4, 2.0, sites=(), platform={**PLENTY, "isl_rate_gbps": 100.0})
    opts = dict(policy="local_only", n_jobs=6, job_gop=5e6, deadline_s=1e5, seed=1,
                input_mb=10.0, output_mb=1.0, drop_late=False)
    whole = run(scenario, collaborative_frac=0.0, **opts)["jobs"]
    for split in ("shards", "pipeline"):
        parts = run(scenario, collaborative_frac=1.0, split=split, n_parts=4, **opts)["jobs"]
        if split == "shards":
            assert (parts["latency_s"] < whole["latency_s"]).all()
        else:  # a pipeline spreads the work, it does not shorten one job's path
            assert parts["latency_s"].mean() >= whole["latency_s"].mean() * 0.99
        assert (parts["n_tasks"] >= 4).all()


def test_bad_input_gets_clear_errors():
    with pytest.raises(ModelError, match="deadline_s"):
        run(MIXED, GEOMETRY, CAPACITY, deadline_s=0.0)
    with pytest.raises(ModelError, match="policy.*no_such_policy.*known: .*energy_aware"):
        run(MIXED, GEOMETRY, CAPACITY, policy="no_such_policy")
    dead = small(sites=(), chip={"int8_tops": 0.0})
    with pytest.raises(ModelError, match="payload.*no compute"):
        run(dead, policy="local_only", n_jobs=10)


def test_builtin_policies_register_through_the_entry_point_group():
    assert set(POLICIES) <= set(policies.names())
    assert all(isinstance(policies.policy(n), policies.Policy) for n in POLICIES)


def test_registry_runs_scheduling_with_capacity_as_input():
    from workbench.analyses import registry

    spec = registry.analysis("scheduling")
    assert spec.inputs == ("capacity",)
    r = registry.run(spec, MIXED, results={"capacity": CAPACITY}, geometry=GEOMETRY,
                     options={"n_jobs": 50, "policy": "ground"})
    assert r.summary["n_jobs"] == 50 and r.summary["n_ground"] > 0


def test_figures_and_the_cli_write_a_run(tmp_path):
    from workbench.cli import main
    from workbench.viz import figures

    r = run(MIXED, GEOMETRY, CAPACITY, n_jobs=100, policy="best_neighbour")
    assert set(figures(r)) == {"latency_cdf", "placement", "constellation"}
    scenario = tmp_path / "small.yaml"
    scenario.write_text(MIXED.to_yaml(), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["schedule", str(scenario), "-o", str(out), "--policy", "local_only",
                 "--jobs", "50", "-q"]) == 0
    assert pl.read_parquet(out / "scheduling" / "jobs.parquet").height == 50
    assert main(["schedule", str(scenario), "-o", str(tmp_path / "bad"), "--policy",
                 "no_such", "-q"]) == 2
    assert not (tmp_path / "bad").exists()
