"""After an edit the Workbench computes the tab in view (and what it needs) at once and the
other tabs when they are opened, so an edit never waits for every registered analysis."""
from __future__ import annotations

import pytest

from workbench.widgets.workbench import Workbench


@pytest.fixture
def app(small_scenario):
    return Workbench(small_scenario, analyses=("capacity", "latency", "business"),
                     globe_quality="cheap")


def test_only_the_tab_in_view_runs_after_an_edit(app):
    assert app.analysis_tabs.selected_index == 0
    assert set(app.results) == {"capacity"}
    assert app._stale == {"latency", "business"}
    assert "run when opened" in app.progress_label.value


def test_opening_a_tab_runs_it_reusing_what_it_needs(app):
    capacity = app.results["capacity"]
    app.analysis_tabs.selected_index = 2  # business takes the capacity result
    assert app.results["business"].summary["useful_life_years"] > 0
    assert app.results["capacity"] is capacity  # reused, not recomputed
    assert app._stale == {"latency"}


def test_an_edit_marks_every_tab_stale_and_reruns_the_one_in_view(app):
    app.analysis_tabs.selected_index = 1
    first = app.results["latency"]
    app.scenario = app.scenario.replace(duration_s=app.scenario.duration_s / 2)
    assert app.results["latency"] is not first
    assert app.results["latency"].summary["n_steps"] == len(app.scenario.time_grid)
    assert app._stale == {"capacity", "business"}


def test_recompute_without_names_runs_everything(app):
    results = app.recompute()
    assert set(results) == {"capacity", "latency", "business"} and not app._stale
