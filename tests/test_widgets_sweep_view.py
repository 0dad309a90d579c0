"""The notebook sweep view, without a browser: its figure fills in batch by batch and ends
with every point and the front of the final frame; Stop keeps what finished and Run
resumes; a bad path shows the error as text."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from workbench.designspace import Grid, pareto_front, read_results
from workbench.scenarios import load_scenario
from workbench.widgets import SweepView

ALTITUDE = "constellation.shells.0.altitude_km"
OBJECTIVES = {"business_lcoc_usd_per_tops_hour": "min", "business_npv_usd": "max"}


@pytest.fixture(scope="module")
def base() -> dict:
    data = load_scenario("beijing-etown-demo").model_dump(mode="json")
    data.update(duration_s=1800.0, step_s=60.0, constellation={
        "name": "walker", "shells": [{"altitude_km": 550.0, "inclination_deg": 53.0,
                                      "planes": 4, "sats_per_plane": 4}]})
    return data


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0", memory_limit="1GiB") as cluster, \
            Client(cluster) as c:
        yield c


SPACE = Grid({ALTITUDE: [500.0, 600.0, 700.0],
              "economics.launch_vehicle": ["Falcon 9", "Starship"]})


def _points(figure) -> dict[str, set[tuple[float, float]]]:
    return {t.name: set(zip(np.asarray(t.x, float), np.asarray(t.y, float), strict=True))
            for t in figure.data}


def _xy(frame: pl.DataFrame) -> set[tuple[float, float]]:
    cols = list(OBJECTIVES)
    return set(zip(frame[cols[0]].cast(pl.Float64).to_numpy(),
                   frame[cols[1]].cast(pl.Float64).to_numpy(), strict=True))


@pytest.mark.slow
def test_the_front_fills_in_and_ends_equal_to_pareto_front_of_the_final_frame(
        base, client, tmp_path):
    view = SweepView(base, SPACE, ["business"], OBJECTIVES, client=client, out=tmp_path,
                     batch_size=2)
    sizes: list[int] = []
    view.plot.observe(lambda change: sizes.append(sum(  # points in the figure just sent
        len(t.x) for t in view.figure.data)), "figure")
    view.start()
    view.join(300)
    assert not view.running
    assert view.error.value == ""
    assert "done: 6/6 points" in view.status.value
    final = pareto_front(read_results(tmp_path), OBJECTIVES)
    assert final.height == 6 and final["error"].is_null().all()
    shown = _points(view.figure)
    assert shown["points"] | shown["Pareto front"] == _xy(final)
    assert shown["Pareto front"] == _xy(final.filter(pl.col("is_pareto")))
    assert sizes[0] < 6 and sizes[-1] == 6 and sizes == sorted(sizes)  # batch by batch


@pytest.mark.slow
def test_stop_keeps_the_finished_batches_and_run_computes_only_the_rest(
        base, client, tmp_path):
    view = SweepView(base, SPACE, ["business"], OBJECTIVES, client=client, out=tmp_path,
                     batch_size=2)
    view.plot.observe(lambda change: view.stop(), "figure")  # stop at the first batch
    view.start()
    view.join(300)
    assert "stopped at" in view.status.value and view.error.value == ""
    kept = set(read_results(tmp_path)["point_id"])
    assert 2 <= len(kept) < 6
    view.plot.unobserve_all("figure")
    texts: list[str] = []
    view.status.observe(lambda change: texts.append(change["new"]), "value")
    view.start()
    view.join(300)
    assert "done: 6/6 points" in view.status.value
    assert any(f"({len(kept)} resumed)" in t for t in texts)
    assert view.frame is not None and view.frame.height == 6


def test_a_bad_path_shows_the_error_as_text(base, tmp_path):
    view = SweepView(base, Grid({"constellation.shells.0.altitud_km": [500.0]}),
                     ["business"], OBJECTIVES, out=tmp_path)
    view.start()
    view.join(60)
    assert "the sweep failed" in view.status.value
    assert "altitud_km" in view.error.value and "fields there" in view.error.value
    assert "Traceback" not in view.error.value
    assert not view.run_button.disabled and view.stop_button.disabled
