"""The Scheduling tab's workload replay (no browser): the satellite colours sent for a step
decode back to that step's utilisation (or queue) in the result's ``satellites`` frame, the
slider and the Play button drive them, the replay follows a recomputed result, and a failed
or absent result disables it with a message."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scheduling_scenarios import GATEWAY, USER, small

from workbench.widgets.globe import shell_colors
from workbench.widgets.workbench import Workbench

SCHEDULING_ONLY = ("scheduling",)
N_SATS = 12
KEPT = 6
BYTE_ROUNDING_FRAC = 1.0 / 200  # half a colour byte over the 135–150 byte ramps, and a margin
GREY, ORANGE, RED = (150, 150, 150), (255, 165, 0), (220, 30, 0)
SLATE = (60, 70, 95)


def _busy(scenario, **options):
    """12 satellites and 2e7 GOP jobs: some idle, some saturated steps; 6 of 12 kept."""
    sched = scenario.options.scheduling.replace(**{"job_gop": 2e7, "timeseries_sats": KEPT,
                                                   **options})
    return scenario.replace(options=scenario.options.replace(scheduling=sched))


@pytest.fixture(scope="module")
def app():
    return Workbench(_busy(small(sites=(GATEWAY, USER))), analyses=SCHEDULING_ONLY,
                     globe_quality="cheap")


def _rgba(app) -> np.ndarray:
    return np.frombuffer(app.globe.sat_rgba, dtype=np.uint8).reshape(-1, 4)


def _decoded_frac(rgb: np.ndarray) -> np.ndarray:
    """Invert the documented map: blue falls grey→orange (0–½), green orange→red."""
    g, b = rgb[:, 1].astype(float), rgb[:, 2].astype(float)
    return np.where(b > ORANGE[2], (GREY[2] - b) / (GREY[2] - ORANGE[2]) * 0.5,
                    0.5 + (ORANGE[1] - g) / (ORANGE[1] - RED[1]) * 0.5)


def _frame_step(result, k: int, column: str) -> dict[int, float]:
    sats = result["satellites"]
    when = sats["time_utc"].unique().sort()[k]
    rows = sats.filter(pl.col("time_utc") == when)
    return dict(zip(rows["sat_id"].to_list(), rows[column].to_list(), strict=True))


def _varied_step(result) -> int:
    """A step with an idle, a part-busy and a saturated kept satellite, if there is one."""
    by_step = (result["satellites"].sort("time_utc").group_by("time_utc", maintain_order=True)
               .agg(lo=pl.col("utilisation_frac").min(), hi=pl.col("utilisation_frac").max(),
                    mid=((pl.col("utilisation_frac") > 0.05)
                         & (pl.col("utilisation_frac") < 0.95)).any()))
    k = by_step.with_row_index().filter((pl.col("lo") == 0.0) & (pl.col("hi") == 1.0)
                                        & pl.col("mid"))["index"]
    assert len(k) > 0
    return int(k[0])


def _assert_colours_are(app, result, k: int, column: str, scale: float) -> None:
    expected = _frame_step(result, k, column)
    rgba = _rgba(app)
    assert rgba.shape == (N_SATS, 4)
    kept = sorted(expected)
    assert len(kept) == KEPT
    np.testing.assert_allclose(_decoded_frac(rgba[kept, :3]),
                               [min(expected[i] / scale, 1.0) for i in kept],
                               atol=BYTE_ROUNDING_FRAC)
    others = [i for i in range(N_SATS) if i not in expected]
    assert (rgba[others, :3] == SLATE).all()


def test_colours_of_a_step_are_its_utilisation(app):
    result = app.results["scheduling"]
    replay = app.workload_replay
    assert replay in app.outputs["scheduling"].children
    assert not replay.time_index.disabled
    assert replay.time_index.max == result["satellites"]["time_utc"].n_unique() - 1
    k = _varied_step(result)
    replay.column.value = "utilisation_frac"
    replay.show_toggle.value = True
    replay.time_index.value = k
    _assert_colours_are(app, result, k, "utilisation_frac", 1.0)
    rgba, expected = _rgba(app), _frame_step(result, k, "utilisation_frac")
    assert any((rgba[i, :3] == GREY).all() for i, u in expected.items() if u == 0.0)
    assert any((rgba[i, :3] == RED).all() for i, u in expected.items() if u == 1.0)
    when = replay.times_utc[k]
    assert f"{when:%Y-%m-%d %H:%M:%S} UTC" in replay.time_label.value
    assert "grey idle" in replay.legend.value and "red saturated" in replay.legend.value
    assert f"{when:%H:%M:%S} UTC" in app.globe.status


def test_slider_play_and_queue_column_drive_the_colours(app):
    result = app.results["scheduling"]
    replay = app.workload_replay
    replay.show_toggle.value = True
    replay.column.value = "utilisation_frac"
    for k in (0, replay.time_index.max // 2, replay.time_index.max):
        replay.time_index.value = k
        _assert_colours_are(app, result, k, "utilisation_frac", 1.0)
    replay.play.value = 7  # what the Play button does each tick
    assert replay.time_index.value == 7
    _assert_colours_are(app, result, 7, "utilisation_frac", 1.0)
    assert replay.play.max == replay.time_index.max

    replay.column.value = "queue_jobs"
    longest = float(result["satellites"]["queue_jobs"].max())
    assert longest > 1.0
    _assert_colours_are(app, result, 7, "queue_jobs", longest)
    assert f"{longest:,.3g} jobs" in replay.legend.value

    replay.show_toggle.value = False  # the shells' colours come back
    assert app.globe.sat_rgba == shell_colors(app.scenario.constellation)
    replay.column.value = "utilisation_frac"


def test_replay_follows_the_recomputed_result_and_keeps_the_step(app):
    replay = app.workload_replay
    replay.show_toggle.value = True
    replay.time_index.value = 5
    first = app.results["scheduling"]
    sched = app.scenario.options.scheduling
    app.scenario = app.scenario.replace(options=app.scenario.options.replace(
        scheduling=sched.replace(seed=sched.seed + 1)))
    result = app.results["scheduling"]
    assert result is not first and replay.result is result
    assert replay.time_index.value == 5 and replay.show_toggle.value
    _assert_colours_are(app, result, 5, "utilisation_frac", 1.0)
    replay.show_toggle.value = False


def test_replay_waits_for_recompute_when_not_automatic(app):
    replay = app.workload_replay
    replay.show_toggle.value = True
    app.auto.value = False
    try:
        sched = app.scenario.options.scheduling
        app.scenario = app.scenario.replace(options=app.scenario.options.replace(
            scheduling=sched.replace(seed=sched.seed + 1)))
        assert replay.show_toggle.disabled and replay.time_index.disabled
        assert "recompute" in replay.status.value
        assert app.globe.sat_rgba == shell_colors(app.scenario.constellation)
        app.recompute()
        assert not replay.time_index.disabled and replay.result is app.results["scheduling"]
    finally:
        app.auto.value = True
        replay.show_toggle.value = False


@pytest.mark.parametrize(("options", "words"), [
    ({"policy": "no-such-policy"}, "is not a registered policy"),
    ({"timeseries_sats": 0}, "kept no satellite timeseries"),
])
def test_replay_is_disabled_with_a_message_without_a_timeseries(options, words):
    app = Workbench(_busy(small(sites=(GATEWAY, USER)), **options),
                    analyses=SCHEDULING_ONLY, globe_quality="cheap")
    replay = app.workload_replay
    assert replay in app.outputs["scheduling"].children
    assert all(c.disabled for c in (replay.time_index, replay.play, replay.column,
                                    replay.show_toggle))
    assert "No workload to replay" in replay.status.value and words in replay.status.value
    assert app.globe.sat_rgba == shell_colors(app.scenario.constellation)
