"""One propagation per recompute: the Workbench's globe and every registered analysis share
one orbit geometry of the scenario (issue 9). Counted where every SGP4 run starts:
``workbench.orbits.propagation._elements`` turns a constellation into element sets once per
``propagate_state`` call."""
from __future__ import annotations

import warnings

import pytest

import workbench as wb
from workbench.analyses import registry
from workbench.orbits import propagation


@pytest.fixture
def propagations(monkeypatch):
    calls: list[int] = []
    real = propagation._elements

    def counting(constellation, epoch):
        calls.append(len(constellation))
        return real(constellation, epoch)

    monkeypatch.setattr(propagation, "_elements", counting)
    return calls


def test_a_workbench_recompute_of_the_default_scenario_propagates_once(propagations):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the analyses' own notes (unreachable pairs, …)
        app = wb.Workbench(auto=False, globe_quality="cheap")
        assert propagations == [len(app.scenario.constellation)]  # the globe's view of it
        results = app.recompute()
    names = registry.names()
    assert {"capacity", "latency", "placement", "event_to_insight", "business"} <= set(names)
    failed = {n: r for n, r in results.items() if isinstance(r, Exception)}
    assert not failed
    assert propagations == [len(app.scenario.constellation)]  # no analysis propagated again


def test_an_economics_edit_does_not_propagate_and_an_orbit_edit_propagates_once(
        propagations):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = wb.Workbench(auto=False, globe_quality="cheap")
        propagations.clear()
        economics = app.scenario.economics.replace(compute_price_usd_per_tops_hour=0.9)
        app.scenario = app.scenario.replace(economics=economics)
        app.recompute()
        assert propagations == []
        shell = app.scenario.constellation.shells[0]
        lower = app.scenario.constellation.replace(
            shells=(shell.replace(altitude_km=shell.altitude_km - 50.0),))
        app.scenario = app.scenario.replace(constellation=lower)
        app.recompute()
    assert propagations == [len(lower)]


def test_a_geometry_of_another_scenario_is_refused(small_scenario):
    geometry = wb.orbits.orbit_geometry(small_scenario.constellation,
                                        small_scenario.time_grid,
                                        epoch=small_scenario.epoch_utc)
    longer = small_scenario.replace(duration_s=2 * small_scenario.duration_s)
    with pytest.raises(wb.ModelError, match="is not of this scenario"):
        wb.analyses.latency(longer, geometry=geometry)
    with pytest.raises(wb.ModelError, match="is not of this scenario"):
        wb.analyses.capacity(longer, geometry=geometry)
