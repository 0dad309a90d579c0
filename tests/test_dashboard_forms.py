"""Panel forms generated from the model specs: one widget per field, the same fields and
bounds as the ipywidgets forms, every edit validated, errors in the user's language."""
from __future__ import annotations

import param
import pytest

from workbench.model import (
    BusinessOptions,
    CapacityOptions,
    ComputeChip,
    Economics,
    NetworkOptions,
    Platform,
    WalkerShell,
)
from workbench.model.fields import describe

MODELS = [WalkerShell, Platform, Economics, CapacityOptions, NetworkOptions, BusinessOptions,
          ComputeChip]


def _instance(cls):
    if cls is Platform:
        return Platform(name="bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5,
                        source="test")
    if cls is ComputeChip:
        return ComputeChip(name="chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5,
                           tid_krad=20.0, unit_cost_usd=2000.0, source="test")
    return cls()


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_one_widget_per_field_with_the_ipywidgets_bounds(cls):
    from workbench.dashboard.forms import ParamForm, param_name
    from workbench.widgets.forms import ModelForm

    model = _instance(cls)
    panel_form = ParamForm(model)
    ipy_form = ModelForm(model)
    assert set(panel_form.widgets) == set(ipy_form.widgets)
    specs = {s.name: s for s in describe(cls)}
    for name, widget in panel_form.widgets.items():
        spec = specs[name]
        parameter = panel_form.params.param[param_name(name)]
        assert widget.name == ipy_form.labels[name]  # same label and unit
        if isinstance(parameter, param.Number):  # optional numbers are text ('' = None)
            assert parameter.softbounds == (spec.minimum, spec.maximum)
            # the browser must not clamp: an out-of-range value reaches the model's error
            assert widget.start is None and widget.end is None
        # both show the field's description with its bounds as the tooltip
        assert (widget.description or "") == (ipy_form.widgets[name].tooltip or ""), name


def test_edit_goes_through_model_validate_and_keeps_the_last_valid():
    from workbench.dashboard.forms import ParamForm

    form = ParamForm(WalkerShell(), lang="zh")
    form.params.altitude_km = 700.0
    assert form.value.altitude_km == 700.0 and form.error == ""
    form.params.altitude_km = 100.0  # below the 160 km bound
    assert form.value.altitude_km == 700.0
    assert "轨道高度" in form.error and "100" in form.error and "160" in form.error
    assert "&lt;" not in form.error and "轨道高度" in form.error_pane.object
    form.params.altitude_km = 800.0
    assert form.value.altitude_km == 800.0 and form.error == "" and form.error_pane.object == ""


def test_cross_field_rule_and_text_that_is_not_a_number():
    from workbench.dashboard.forms import ParamForm

    form = ParamForm(WalkerShell(planes=4, phasing=1))
    form.params.phasing = 9  # must be below planes
    assert form.value.phasing == 1 and "Phasing (F)" in form.error
    options = ParamForm(NetworkOptions())
    options.params.isl_max_range_km = "far"
    assert options.value.isl_max_range_km is None and "not a number" in options.error
    options.params.isl_max_range_km = "4500"
    assert options.value.isl_max_range_km == 4500.0
    options.params.isl_max_range_km = ""
    assert options.value.isl_max_range_km is None


def test_optional_bool_keeps_none():
    from workbench.dashboard.forms import ParamForm

    form = ParamForm(NetworkOptions())
    assert form.params.keep_paths is None
    form.params.keep_paths = True
    assert form.value.keep_paths is True
    form.params.keep_paths = None
    assert form.value.keep_paths is None


def test_nested_model_forms_validate_the_parent():
    from workbench.dashboard.forms import ParamForm
    from workbench.model import ComputePayload

    payload = ComputePayload(chip=_instance(ComputeChip), count=2)
    form = ParamForm(payload)
    form.children["chip"].params.int8_tops = 250.0
    assert form.value.chip.int8_tops == 250.0 and form.value.count == 2


def test_error_text_is_escaped():
    from workbench.dashboard.forms import error_html

    assert "<script>" not in error_html("<script>alert(1)</script>")


def test_generated_class_is_shared_but_each_form_has_its_own_parameters():
    from workbench.dashboard.forms import ParamForm, param_class

    a, b = ParamForm(WalkerShell()), ParamForm(WalkerShell())
    assert type(a.params) is type(b.params) is param_class(WalkerShell, "en")
    a.params.altitude_km = 900.0
    assert b.params.altitude_km == 550.0 and b.value.altitude_km == 550.0
