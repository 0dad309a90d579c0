"""The Workbench's analysis tabs carry forms of the options models, generated from
``describe()``; an edit lands in ``scenario.options`` (and so in its YAML)."""
from __future__ import annotations

import pytest

from workbench.model import NetworkOptions, describe
from workbench.widgets.workbench import Workbench


@pytest.fixture
def app(small_scenario):
    return Workbench(small_scenario, analyses=("capacity", "latency", "business"),
                     auto=False, globe_quality="cheap")


def test_each_tab_has_a_form_of_its_options_model(app):
    assert {name: field for name, (field, _) in app.options_forms.items()} == {
        "capacity": "capacity", "latency": "network", "business": "business"}
    _, form = app.options_forms["latency"]
    drawn = set(form.widgets)
    declared = {s.name for s in describe(NetworkOptions)}
    assert drawn <= declared and {"isl", "seam", "fibre_detour_factor", "hop_delay_ms"} <= drawn


def test_an_options_edit_goes_into_the_scenario_and_its_yaml(app):
    _, form = app.options_forms["latency"]
    form.widgets["hop_delay_ms"].value = 2.5
    assert app.scenario.options.network.hop_delay_ms == 2.5
    assert "hop_delay_ms: 2.5" in app.scenario.to_yaml()


def test_an_invalid_options_edit_keeps_the_last_valid_scenario(app):
    _, form = app.options_forms["latency"]
    before = app.scenario
    form.widgets["fibre_detour_factor"].value = 0.5   # below the declared 1.0
    assert app.scenario == before
    assert "fibre_detour_factor" in form.errors


def test_options_in_scenario_yaml_load_validate_and_round_trip(small_scenario):
    from workbench import ModelError
    from workbench.scenarios import load_scenario

    text = small_scenario.to_yaml() + (
        "options:\n  network: {isl: nearest, n_isl_terminals: 4}\n"
        "  business: {deployment: [3, 3], lead_years: 0.5}\n")
    scenario = load_scenario(text)
    assert scenario.options.network.isl == "nearest"
    assert scenario.options.business.deployment == (3, 3)
    assert scenario.options.capacity == small_scenario.options.capacity  # defaults kept
    assert load_scenario(scenario.to_yaml()) == scenario
    assert "options:" not in small_scenario.to_yaml()  # defaults are not written
    with pytest.raises(ModelError, match=r"options\.network\.isl='mesh'"):
        load_scenario(small_scenario.to_yaml() + "options:\n  network: {isl: mesh}\n")
