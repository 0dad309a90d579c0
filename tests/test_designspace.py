"""Design-space sweeps: validation before anything runs, Pareto fronts against brute force,
and real Dask clusters on 127.0.0.1 (a LocalCluster of 2 worker processes, a killed worker,
a resumed sweep, an external ``dask scheduler`` + ``dask worker``)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.analyses import registry
from workbench.designspace import (
    Grid,
    LatinHypercube,
    design_points,
    pareto_front,
    pareto_mask,
    read_results,
    space_from_mapping,
    sweep,
)
from workbench.model import ModelError
from workbench.scenarios import from_mapping, load_scenario

ALTITUDE = "constellation.shells.0.altitude_km"


@pytest.fixture(scope="module")
def base() -> dict:
    """The demo scenario cut down to 16 satellites for half an hour: a point takes
    a fraction of a second."""
    data = load_scenario("beijing-etown-demo").model_dump(mode="json")
    data.update(duration_s=1800.0, step_s=60.0, constellation={
        "name": "walker", "shells": [{"altitude_km": 550.0, "inclination_deg": 53.0,
                                      "planes": 4, "sats_per_plane": 4}]})
    return data


def _space(n_altitudes: int) -> Grid:
    return Grid({ALTITUDE: [500.0 + 10.0 * i for i in range(n_altitudes)],
                 "economics.launch_vehicle": ["Falcon 9", "Starship"]})


def _without_timing(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop("elapsed_s").sort("point_id")


# ------------------------------------------------------------------------ validation

def test_unknown_paths_and_bad_values_are_listed_before_anything_runs(base):
    with pytest.raises(ModelError) as caught:
        design_points(base, Grid({"constellation.shells.0.altitud_km": [500.0],
                                  "constellation.shells.2.planes": [3],
                                  ALTITUDE: [100.0, 550.0], "payload.chip": ["no-such-chip"],
                                  "economics.launch_vehicle": ["no-such-rocket"]}))
    text = str(caught.value)
    assert "fields there: name, altitude_km, inclination_deg" in text
    assert "a list of 1: give an index 0–0" in text
    assert "altitude_km=100" in text and "160" in text
    assert "no-such-chip" in text and "no-such-rocket" in text
    assert len(caught.value.problems) == 5
    with pytest.raises(ModelError, match="must be ≥ 160"):
        design_points(base, LatinHypercube({ALTITUDE: (100.0, 600.0)}, n=4))
    with pytest.raises(ModelError, match="numeric field"):
        design_points(base, LatinHypercube({"options.network.isl": (0, 1)}, n=4))


def test_latin_hypercube_is_seeded_stratified_and_rounds_integer_fields(base):
    space = LatinHypercube({ALTITUDE: (500.0, 600.0), "constellation.shells.0.planes": (2, 6)},
                           n=10, seed=7, fixed={"options.network.isl": ["+grid", "none"]})
    points = design_points(base, space)
    assert points.height == 20 and points.equals(design_points(base, space))
    altitudes = points.filter(pl.col("options.network.isl") == "none")[ALTITUDE].to_numpy()
    # a Latin hypercube puts one sample in each of the n equal strata (McKay et al. 1979)
    assert sorted(np.floor((altitudes - 500.0) / 10.0).astype(int)) == list(range(10))
    assert points["constellation.shells.0.planes"].dtype == pl.Int64
    same = space_from_mapping({"latin_hypercube": {
        "n": 10, "seed": 7, "ranges": {ALTITUDE: [500.0, 600.0],
                                       "constellation.shells.0.planes": [2, 6]},
        "grid": {"options.network.isl": ["+grid", "none"]}}})
    assert design_points(base, same).equals(points)


# ------------------------------------------------------------------------ Pareto

def _brute_force(values: list[list[float]], senses: list[str]) -> list[bool]:
    sign = [1 if s == "min" else -1 for s in senses]
    out = []
    for i, a in enumerate(values):
        dominated = False
        for j, b in enumerate(values):
            if i == j:
                continue
            better_eq = all(sb * y <= sb * x for x, y, sb in zip(a, b, sign, strict=True))
            better = any(sb * y < sb * x for x, y, sb in zip(a, b, sign, strict=True))
            dominated |= better_eq and better
        out.append(not dominated)
    return out


@given(st.integers(1, 3).flatmap(lambda m: st.tuples(
    st.lists(st.lists(st.integers(0, 4), min_size=m, max_size=m), min_size=1, max_size=40),
    st.lists(st.sampled_from(["min", "max"]), min_size=m, max_size=m))))
def test_pareto_front_equals_brute_force_ties_included(case):
    values, senses = case  # small integers: many exact ties and duplicate rows
    assert pareto_mask(np.array(values, dtype=float), senses).tolist() == _brute_force(
        values, senses)


def test_pareto_front_column_skips_errors_and_nulls():
    frame = pl.DataFrame({"cost": [1.0, 2.0, None, 0.5], "npv": [5.0, 6.0, 9.0, 9.0],
                          "error": [None, None, None, "ModelError: x"]})
    assert pareto_front(frame, {"cost": "min", "npv": "max"})["is_pareto"].to_list() == [
        True, True, False, False]
    with pytest.raises(ModelError, match="no such column"):
        pareto_front(frame, {"npv_usd": "max"})


# ------------------------------------------------------------------------ on Dask

@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0", memory_limit="1GiB") as cluster, \
            Client(cluster) as c:
        yield c


@pytest.mark.slow
def test_every_point_returned_and_equal_to_running_it_here(base, client, tmp_path):
    space = _space(4)
    frame = sweep(base, space, ["business"], client=client, out=tmp_path)
    points = design_points(base, space)
    assert frame["point_id"].to_list() == points["point_id"].to_list()
    assert frame["error"].is_null().all()
    assert read_results(tmp_path).height == points.height
    # the reference: the registry run directly in this process on the same scenario
    row = frame.row(5, named=True)
    scenario = from_mapping({**base, "constellation": {**base["constellation"], "shells": [
        {**base["constellation"]["shells"][0], "altitude_km": row[ALTITUDE]}]},
        "economics": {**base["economics"], "launch_vehicle": row["economics.launch_vehicle"]}})
    results = registry.run_with_inputs("business", scenario)
    assert row["business_npv_usd"] == pytest.approx(
        registry.result_summary(results["business"])["npv_usd"], rel=1e-12)
    from workbench import datasets

    assert row["business_launch_vehicle"] == datasets.launch_vehicle(
        row["economics.launch_vehicle"]).name


@pytest.mark.slow
def test_a_worker_killed_by_pid_mid_sweep_still_returns_every_point(base, client, tmp_path):
    pids = list(client.run(os.getpid).values())
    killed: list[int] = []

    def kill_after_first_batch(state):
        if state.n_done > 0 and not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    space = _space(10)
    frame = sweep(base, space, ["business"], client=client, out=tmp_path, batch_size=2,
                  progress=kill_after_first_batch)
    assert killed
    assert frame.height == 20 and frame["error"].is_null().all()
    assert set(frame["point_id"]) == set(design_points(base, space)["point_id"])
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


class Interrupted(Exception):
    pass


@pytest.mark.slow
def test_a_rerun_after_an_interruption_computes_only_the_missing_points(base, client,
                                                                          tmp_path):
    space = _space(6)

    def stop_after_two_batches(state):
        if state.n_done - state.n_skipped >= 4:
            raise Interrupted

    with pytest.raises(Interrupted):
        sweep(base, space, ["business"], client=client, out=tmp_path, batch_size=2,
              progress=stop_after_two_batches)
    first_parts = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("part-*.parquet")}
    finished = set(read_results(tmp_path)["point_id"])
    assert 4 <= len(finished) < 12
    seen = []
    frame = sweep(base, space, ["business"], client=client, out=tmp_path, batch_size=2,
                  progress=seen.append)
    assert seen[0].n_skipped == len(finished)
    assert seen[-1].n_done == 12
    new_parts = [p for p in tmp_path.glob("part-*.parquet") if p.name not in first_parts]
    computed = set(pl.concat([pl.read_parquet(p) for p in new_parts])["point_id"])
    assert computed == set(frame["point_id"]) - finished  # only the missing ones
    assert all(tmp_path.joinpath(n).stat().st_mtime_ns == t for n, t in first_parts.items())
    assert frame.height == 12 and frame["error"].is_null().all()


def _wait_for(path: Path, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.2)


@pytest.mark.slow
def test_an_external_scheduler_returns_the_same_frame(base, client, tmp_path):
    dask_cli = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    scheduler_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([*dask_cli, "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        _wait_for(scheduler_file)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
             str(scheduler_file), "--host", "127.0.0.1", "--nworkers", "1", "--nthreads",
             "1", "--memory-limit", "1GiB", "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        import json

        from dask.distributed import Client

        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        with Client(address) as external:
            external.wait_for_workers(1, timeout=60)
            remote = sweep(base, _space(2), ["business"], client=external)
        local = sweep(base, _space(2), ["business"], client=client)
        assert _without_timing(remote).equals(_without_timing(local))
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)


@pytest.mark.slow
def test_cli_sweep_writes_the_frame_and_refuses_to_overwrite_without_resume(
        base, client, tmp_path, capsys):
    import yaml

    from workbench.cli import main

    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump({
        "base": base, "space": {"grid": {ALTITUDE: [500.0, 600.0]}},
        "analyses": ["business"], "objectives": {"business_npv_usd": "max"}}))
    out = tmp_path / "out"
    args = ["sweep", str(sweep_file), "-o", str(out), "--scheduler",
            client.scheduler.address]
    assert main(args) == 0
    frame = pl.read_parquet(out / "sweep.parquet")
    assert frame.height == 2 and frame["is_pareto"].sum() >= 1
    assert "points/s" in capsys.readouterr().err
    assert main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert main([*args, "--resume"]) == 0
    sweep_file.write_text(yaml.safe_dump({"base": base, "space": {"grid": {
        "constellation.shells.0.altitud_km": [500.0]}}, "analyses": ["business"]}))
    assert main(["sweep", str(sweep_file), "-o", str(tmp_path / "o2")]) == 2
    assert "fields there" in capsys.readouterr().err
