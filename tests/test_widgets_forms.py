"""Forms generated from the model (no browser): one widget per field with the model's
bounds; edits go through validation; invalid input shows the error and keeps the last
valid model; the composite editors and ``Workbench`` keep the last valid scenario."""
from __future__ import annotations

import html

import ipywidgets as widgets
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.model import (
    ComputePayload,
    Economics,
    GroundSite,
    Platform,
    Scenario,
    WalkerShell,
    describe,
)
from workbench.widgets.forms import WIDGET_MAPPING, ModelForm, revalidate, widget_kind

WIDGET_TYPES = {"float": widgets.FloatText, "int": widgets.IntText, "bool": widgets.Checkbox,
                "choice": widgets.Dropdown, "text": widgets.Text, "datetime": widgets.Text,
                "optional_number": widgets.Text}


@pytest.mark.parametrize("cls, instance", [
    (WalkerShell, WalkerShell()),
    (GroundSite, GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4)),
    (Economics, Economics()),
])
def test_one_widget_per_field_with_the_models_bounds(cls, instance):
    form = ModelForm(instance)
    specs = {s.name: s for s in describe(cls)}
    drawable = {n for n, s in specs.items() if widget_kind(cls, s) in WIDGET_MAPPING}
    assert set(form.widgets) == drawable
    for name, widget in form.widgets.items():
        spec = specs[name]
        assert isinstance(widget, WIDGET_TYPES[widget_kind(cls, spec)])
        # the declared label and unit; the English catalog writes "deg" as "°"
        unit = {"deg": "°", "m2": "m²"}.get(spec.unit, spec.unit)
        assert form.labels[name] == (f"{spec.label} ({unit})" if unit else spec.label)
        assert html.escape(form.labels[name]) in form.label_widgets[name].value
        if spec.minimum is not None:
            assert f"[{spec.minimum:g} …" in widget.tooltip
        if spec.maximum is not None:
            assert f"… {spec.maximum:g}" in widget.tooltip


def test_changing_a_field_updates_the_model():
    form = ModelForm(WalkerShell())
    form.widgets["altitude_km"].value = 600.0
    form.widgets["pattern"].value = "star"
    assert form.value == WalkerShell(altitude_km=600.0, pattern="star")
    assert form.errors == {}


def test_invalid_value_shows_the_error_and_keeps_the_last_valid_model():
    form = ModelForm(WalkerShell())
    form.widgets["altitude_km"].value = 600.0
    form.widgets["altitude_km"].value = 100.0  # below the 160 km floor
    assert form.value.altitude_km == 600.0
    # the label, the value with its unit, why, and the allowed range; not the field name
    assert form.errors["altitude_km"] == ("Altitude = 100 km: below 160 km an orbit decays "
                                          "within days (must be ≥ 160 km)")
    assert "altitude_km" not in form.errors["altitude_km"]
    assert "must be ≥ 160 km" in form.error_labels["altitude_km"].value
    form.widgets["altitude_km"].value = 700.0
    assert form.value.altitude_km == 700.0 and form.errors == {}
    assert form.error_labels["altitude_km"].value == ""


def test_cross_field_error_is_shown_next_to_the_field_it_names():
    form = ModelForm(WalkerShell(planes=4, sats_per_plane=4))
    form.widgets["phasing"].value = 7  # F must be below P = 4
    assert form.value.phasing == 1
    assert "planes-1 = 3" in form.errors["phasing"]


def test_optional_number_field_accepts_empty_as_none_and_rejects_text():
    form = ModelForm(GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4))
    form.widgets["min_elevation_deg"].value = "12.5"
    assert form.value.min_elevation_deg == 12.5
    form.widgets["min_elevation_deg"].value = ""
    assert form.value.min_elevation_deg is None
    form.widgets["min_elevation_deg"].value = "high"
    assert "not a number" in form.errors["min_elevation_deg"]
    assert form.value.min_elevation_deg is None


def test_setting_the_value_updates_the_widgets():
    form = ModelForm(WalkerShell())
    form.value = WalkerShell(altitude_km=1200.0, planes=40)
    assert form.widgets["altitude_km"].value == 1200.0
    assert form.widgets["planes"].value == 40


def test_revalidate_runs_the_validators_model_copy_would_skip():
    shell = WalkerShell()
    assert shell.model_copy(update={"altitude_km": 5.0}).altitude_km == 5.0  # unvalidated
    with pytest.raises(ValueError, match="altitude_km=5"):
        revalidate(shell, altitude_km=5.0)


@given(altitude_km=st.floats(160.0, 40000.0))
def test_any_in_range_altitude_is_taken(altitude_km):
    form = ModelForm(WalkerShell())
    form.widgets["altitude_km"].value = altitude_km
    assert form.value.altitude_km == altitude_km


@given(altitude_km=st.floats(-1e6, 159.99) | st.floats(40000.01, 1e7))
def test_any_out_of_range_altitude_is_refused(altitude_km):
    form = ModelForm(WalkerShell())
    form.widgets["altitude_km"].value = altitude_km
    assert form.value.altitude_km == 550.0
    assert "altitude_km" in form.errors


def test_nested_form_edits_reach_the_parent(small_scenario):
    form = ModelForm(small_scenario.payload)
    form.children_forms["chip"].widgets["power_w"].value = 45.0
    assert form.value.chip.power_w == 45.0
    assert form.value.power_w == 45.0 * 2 + small_scenario.payload.overhead_power_w


def test_constellation_builder_walker_edit_and_bad_tle(small_scenario):
    from workbench.widgets.constellation_builder import ConstellationBuilder

    builder = ConstellationBuilder(small_scenario.constellation)
    builder.shell_form.widgets["planes"].value = 4
    assert len(builder.value) == 4 * 3
    assert "12 satellites" in builder.summary.value
    assert not builder.load_tle("1 25544U not a TLE\n")
    assert len(builder.value) == 12 and "TLE" in builder.error.value


def test_constellation_builder_preset_pick():
    from workbench import datasets
    from workbench.widgets.constellation_builder import ConstellationBuilder

    builder = ConstellationBuilder()
    builder.preset.value = "kuiper-k1"
    assert builder.value == datasets.constellation("kuiper-k1")


def test_hardware_designer_budget_bar_turns_red_when_infeasible(small_scenario):
    from workbench.widgets.hardware_designer import HardwareDesigner

    designer = HardwareDesigner(small_scenario.platform, small_scenario.payload,
                                altitude_km=550.0)
    bar, _label = designer.bars["thermal"]
    assert bar.bar_style == "success"
    designer.payload_form.widgets["count"].value = 500  # 500 × 30 W of heat
    assert designer.payload.count == 500
    assert bar.bar_style == "danger"
    designer.payload_form.widgets["count"].value = 0  # invalid: keeps 500
    assert designer.payload.count == 500 and "count" in designer.payload_form.errors


def test_budget_eclipse_matches_a_hand_worked_example():
    """At 550 km and β = 0: a = 6928.137 km, T = 2π√(a³/μ) = 5739.0 s, eclipse fraction
    asin(6378.137/6928.137)/π = 0.37231 → 2136.7 s; a 100 W load with DoD = η = 1 needs
    100 × 2136.7 / 3600 = 59.35 Wh (hand-worked, cylindrical shadow, spherical Earth)."""
    from workbench.widgets.hardware_designer import budgets

    platform = Platform(name="p", dry_mass_kg=100.0, bus_power_w=0.0, solar_array_area_m2=1.0,
                        battery_wh=1000.0, radiator_area_m2=1.0,
                        depth_of_discharge_frac=1.0, battery_efficiency_frac=1.0)
    payload = ComputePayload(chip={"name": "c", "int8_tops": 1.0, "power_w": 90.0,
                                   "mass_kg": 1.0, "tid_krad": 10.0, "unit_cost_usd": 0.0},
                             count=1, overhead_power_w=10.0)
    battery = {b.name: b for b in budgets(platform, payload, altitude_km=550.0)}["battery"]
    assert battery.needed == pytest.approx(59.35, abs=0.01)


def test_scenario_editor_invalid_economics_keeps_last_valid(small_scenario):
    from workbench.widgets.scenario_editor import ScenarioEditor

    editor = ScenarioEditor(small_scenario)
    editor.economics.widgets["discount_rate_frac"].value = 0.12
    assert editor.value.economics.discount_rate_frac == 0.12
    editor.economics.widgets["discount_rate_frac"].value = -1.5
    assert editor.value.economics.discount_rate_frac == 0.12
    assert "discount_rate_frac" in editor.economics.errors
    editor.add_kind.value = "compute_service"
    editor.add_button.click()
    assert [a.kind for a in editor.value.applications] == ["remote_sensing", "compute_service"]


@pytest.fixture
def workbench_app(small_scenario):
    from workbench.analyses.registry import AnalysisSpec
    from workbench.widgets.workbench import Workbench

    return Workbench(small_scenario, auto=False, analyses=(
        AnalysisSpec("not_written_yet", "Missing", "workbench.analyses:not_written_yet"),))


def test_workbench_form_change_updates_scenario(workbench_app):
    workbench_app.hardware.payload_form.widgets["count"].value = 3
    assert workbench_app.scenario.payload.count == 3
    workbench_app.constellation_builder.shell_form.widgets["sats_per_plane"].value = 5
    assert len(workbench_app.scenario.constellation) == 10
    assert workbench_app.globe.n_sats == 10


def test_workbench_invalid_input_keeps_last_valid_scenario(workbench_app):
    before: Scenario = workbench_app.scenario
    workbench_app.editor.basics.widgets["step_s"].value = -60.0
    workbench_app.hardware.platform_form.widgets["battery_wh"].value = -1.0
    assert workbench_app.scenario == before
    assert "step_s" in workbench_app.editor.basics.errors
    assert "battery_wh" in workbench_app.hardware.platform_form.errors


def test_workbench_missing_analysis_degrades_with_a_message(workbench_app):
    results = workbench_app.recompute()
    assert isinstance(results["not_written_yet"], ImportError)
    assert workbench_app.progress.value == 1.0


# ------------------------------------------------------------------ readable, bilingual forms

def test_chinese_form_labels_help_and_errors_come_from_the_catalog():
    form = ModelForm(WalkerShell(), lang="zh")
    assert form.lang == "zh_CN"
    assert form.labels["altitude_km"] == "轨道高度 (km)"
    assert form.labels["inclination_deg"] == "倾角 (°)"
    assert form.widgets["altitude_km"].tooltip.startswith("圆轨道相对赤道的高度 [160 … 40000 km]")
    form.widgets["altitude_km"].value = 100.0
    assert form.errors["altitude_km"] == "轨道高度 = 100 km：低于 160 km 的轨道会在数天内衰减（须 ≥ 160 km）"
    form.widgets["phasing"].value = 80  # F must be below P = 72 (altitude still invalid)
    form.widgets["altitude_km"].value = 550.0
    assert form.errors["phasing"] == ("相位因子 (F) = 80：Walker 相位因子 F 须在 0 到 "
                                      "轨道面数-1 = 71 之间")


def test_nested_forms_and_accordion_titles_follow_the_language():
    form = ModelForm(Economics(), lang="zh_CN")
    assert form.labels["launch_cost_usd_per_kg"] == "发射成本 (美元/千克)"
    assert form.labels["cny_per_usd"] == "汇率 (人民币/美元)"
    platform = ModelForm(Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                                  solar_array_area_m2=2.0, battery_wh=500.0,
                                  radiator_area_m2=0.5), lang="zh")
    assert platform.labels["isl_max_range_km"] == "星间链路最大距离 (km)"


def test_errors_wrap_in_full_width_under_the_field_and_are_escaped():
    form = ModelForm(GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4))
    form.widgets["min_elevation_deg"].value = "<b>high</b>"
    message = form.errors["min_elevation_deg"]
    assert message == "Elevation mask = '<b>high</b>': is not a number"
    shown = form.error_labels["min_elevation_deg"].value
    assert "&lt;b&gt;high&lt;/b&gt;" in shown and "<b>" not in shown
    assert "white-space:normal" in shown
    error = form.error_labels["min_elevation_deg"]
    assert error.layout.width == "100%"
    # the error sits under its row, not beside the input where a column would clip it
    row = next(c for c in form.children if isinstance(c, widgets.VBox) and error in c.children)
    assert row.children[-1] is error and form.widgets["min_elevation_deg"] in \
        row.children[0].children


def test_labels_wrap_instead_of_being_clipped():
    form = ModelForm(Economics())
    label = form.label_widgets["opex_usd_per_sat_year"]
    assert "Operations cost per satellite-year (USD/(sat·yr))" in label.value
    assert "white-space:normal" in label.value
    assert all(w.description == "" for w in form.widgets.values())  # no clipped description


def test_unknown_form_language_is_a_clear_error():
    from workbench.locale import LanguageError

    with pytest.raises(LanguageError, match="'fr'.*allowed: en, zh_CN"):
        ModelForm(WalkerShell(), lang="fr")
