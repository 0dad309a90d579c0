"""The composed capacity analysis: frames, summary, figures, compute in view, layering."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import workbench as wb
from workbench.analyses.onboard.assessment import capacity
from workbench.model import ModelError
from workbench.orbits.access import visible
from workbench.orbits.geometry import orbit_geometry
from workbench.orbits.propagation import propagate

ONE_METRE_KM = 1e-3


@pytest.fixture
def result(small_scenario):
    return capacity(small_scenario)


def test_frames_and_schemas(result, small_scenario):
    frames = result.frames
    assert set(frames) == {"satellites", "timeseries", "constellation", "thermal",
                           "radiator_curve", "in_view", "in_view_stats", "data_pipeline",
                           "data_summary", "oec", "dose_depth"}
    sats = frames["satellites"]
    assert sats.height == len(small_scenario.constellation)
    assert sats["sat_id"].dtype == pl.UInt32 and sats["sat_id"].to_list() == list(range(6))
    for column in ("eclipse_min_per_orbit", "power_duty_frac", "effective_tops_mean",
                   "tops_hours_per_day", "limit", "sensor_rate_gbps", "dose_rad_per_year",
                   "useful_life_years", "is_power_limited", "is_infeasible"):
        assert column in sats.columns
    assert frames["constellation"].height == len(small_scenario.time_grid)
    assert frames["timeseries"].height == 6 * len(small_scenario.time_grid)
    assert frames["in_view"].height == 2 * len(small_scenario.time_grid)
    assert set(frames["data_pipeline"]["mode"]) == {"bent_pipe", "in_orbit"}


def test_no_nan_or_null_anywhere(result):
    for name, frame in result.frames.items():
        for column in frame.columns:
            assert frame[column].null_count() == 0, (name, column)
            if frame[column].dtype.is_float():
                assert frame[column].is_finite().all(), (name, column)


def test_summary_and_limiting_factor(result):
    summary = result.summary
    assert summary["n_sats"] == 6
    # everyone runs flat out here (effective = peak, 2 × 100 TOPS × 6 satellites): nothing
    # limits the system, and there is nothing to warn about
    assert summary["limiting_factor"] == "none"
    assert summary["warnings"] == []
    assert summary["effective_tops_total_mean"] == pytest.approx(1200.0)
    assert summary["tops_hours_per_day_total"] == pytest.approx(1200.0 * 24.0)


def test_compute_in_view_matches_access_visible(result, small_scenario):
    # reference: the orbit engine's own visibility (elevation ≥ mask) on the same positions
    r = propagate(small_scenario.constellation, small_scenario.time_grid)
    seen = visible(r, small_scenario.ground)
    tops = result["timeseries"].pivot(on="time_utc", index="sat_id",
                                      values="effective_tops").drop("sat_id").to_numpy()
    in_view = result["in_view"]
    for i, site in enumerate(small_scenario.ground.sites):
        part = in_view.filter(pl.col("site") == site.name)
        np.testing.assert_array_equal(part["n_sats_in_view"].to_numpy(), seen[i].sum(axis=0))
        np.testing.assert_allclose(part["tops_in_view"].to_numpy(),
                                   (seen[i] * tops).sum(axis=0))


def test_geometry_visibility_matches_access_visible(small_scenario):
    g = orbit_geometry(small_scenario.constellation, small_scenario.time_grid)
    reference = visible(g.r_itrs_km, small_scenario.ground)
    np.testing.assert_array_equal(g.visible(small_scenario.ground), reference)
    n, tops, union = g.view_totals(small_scenario.ground, np.ones((6, g.n_times)), union=[0])
    np.testing.assert_array_equal(n, reference.sum(axis=1))
    np.testing.assert_array_equal(union, reference[0])


def test_reusing_a_geometry_gives_the_same_result(small_scenario, result):
    g = orbit_geometry(small_scenario.constellation, small_scenario.time_grid,
                       epoch=small_scenario.epoch_utc)
    again = capacity(small_scenario, geometry=g)
    assert again["satellites"].equals(result["satellites"])


def test_progress_is_reported(small_scenario):
    seen: list[tuple[float, str]] = []
    capacity(small_scenario, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_figures_and_html(result):
    go = pytest.importorskip("plotly.graph_objects")
    from workbench.viz import figures as draw

    figures = draw(result)
    assert {"power", "constellation", "duty", "in_view", "in_view_stats", "thermal",
            "data_backlog", "data_summary", "radiation"} <= set(figures)
    assert all(isinstance(f, go.Figure) and f.data for f in figures.values())
    html = result._repr_html_()
    assert "Capacity: small" in html and "satellites" in html


def test_options_are_validated(small_scenario):
    with pytest.raises(ModelError, match="policy"):
        capacity(small_scenario, options={"policy": "lazy"})
    with pytest.raises(ModelError, match="utilisation_frac"):
        capacity(small_scenario, options={"utilisation_frac": 0.0})


def test_package_exports_and_layering(run_python):
    import workbench.analyses.onboard.assessment  # noqa: F401 — the module, then the function
    assert callable(wb.analyses.capacity)
    assert wb.analyses.capacity is capacity
    proc = run_python("import sys, workbench as wb; wb.analyses.capacity; "
                      "import workbench.analyses.onboard.assessment, workbench.analyses.onboard.datapipe; "
                      "print(sorted(m for m in ('plotly', 'ipywidgets', 'panel') "
                      "if m in sys.modules))")
    assert proc.stdout.strip() == "[]"
