"""Edit a scenario's time span, applications and economics with generated forms."""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from ..model.application import (
    CollaborativeComputing,
    ComputeService,
    EventResponse,
    RemoteSensingInference,
)
from ..model.errors import ModelError
from ..model.scenario import Scenario
from .forms import ModelForm, error_html, revalidate

APPLICATION_KINDS = {cls.model_fields["kind"].default: cls for cls in (
    RemoteSensingInference, ComputeService, EventResponse, CollaborativeComputing)}
"""Application ``kind`` → model class, for the "add application" picker."""

TIME_FIELDS = ("name", "description", "epoch_utc", "duration_s", "step_s")


class ScenarioEditor(widgets.VBox):
    """Scenario basics (name, epoch, duration, step), applications (one tab each; add and
    remove) and economics. ``value`` (a traitlet) is the last valid :class:`Scenario`."""

    value = traitlets.Instance(Scenario)

    def __init__(self, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._syncing = False
        self.basics = ModelForm(scenario, fields=TIME_FIELDS)
        self.economics = ModelForm(scenario.economics)
        self.app_tabs = widgets.Tab()
        self.app_forms: list[ModelForm] = []
        self.add_kind = widgets.Dropdown(options=list(APPLICATION_KINDS), description="Add",
                                         layout=widgets.Layout(width="260px"))
        self.add_button = widgets.Button(description="add application", icon="plus")
        self.remove_button = widgets.Button(description="remove selected", icon="trash")
        self.error = widgets.HTML()
        self.basics.observe(self._on_basics, "value")
        self.economics.observe(self._on_economics, "value")
        self.add_button.on_click(self._on_add)
        self.remove_button.on_click(self._on_remove)
        self.children = [
            widgets.HTML("<b>Scenario</b>"), self.basics,
            widgets.HTML("<b>Applications</b>"), self.app_tabs,
            widgets.HBox([self.add_kind, self.add_button, self.remove_button]),
            widgets.HTML("<b>Economics</b>"), self.economics, self.error]
        self.observe(self._on_value, "value")
        self.value = scenario

    # --- model -> widgets ----------------------------------------------------------------
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        scenario = change["new"]
        self._syncing = True
        try:
            self.basics.value = scenario
            self.economics.value = scenario.economics
            self._build_app_tabs(scenario)
        finally:
            self._syncing = False

    def _build_app_tabs(self, scenario: Scenario) -> None:
        self.app_forms = []
        for app in scenario.applications:
            form = ModelForm(app, exclude=("kind",))
            form.observe(self._on_app, "value")
            self.app_forms.append(form)
        self.app_tabs.children = self.app_forms
        for i, app in enumerate(scenario.applications):
            self.app_tabs.set_title(i, app.name[:24])

    # --- widgets -> model ----------------------------------------------------------------
    def _apply(self, **changes: Any) -> bool:
        try:
            new = revalidate(self.value, **changes)
        except ModelError as exc:
            self.error.value = error_html(exc.render())
            return False
        self.error.value = ""
        self._syncing = True
        try:
            self.value = new
        finally:
            self._syncing = False
        return True

    def _on_basics(self, change: dict) -> None:
        if not self._syncing:
            self._apply(**{k: getattr(change["new"], k) for k in TIME_FIELDS})

    def _on_economics(self, change: dict) -> None:
        if not self._syncing:
            self._apply(economics=change["new"])

    def _on_app(self, change: dict) -> None:
        if self._syncing:
            return
        self._apply(applications=tuple(f.value for f in self.app_forms))
        for i, form in enumerate(self.app_forms):
            self.app_tabs.set_title(i, form.value.name[:24])

    def _on_add(self, _button: Any = None) -> None:
        app = APPLICATION_KINDS[self.add_kind.value]()
        if self._apply(applications=(*self.value.applications, app)):
            self._rebuild()

    def _on_remove(self, _button: Any = None) -> None:
        index = self.app_tabs.selected_index
        if index is None or not self.value.applications:
            return
        apps = tuple(a for i, a in enumerate(self.value.applications) if i != index)
        if self._apply(applications=apps):
            self._rebuild()

    def _rebuild(self) -> None:
        self._syncing = True
        try:
            self._build_app_tabs(self.value)
        finally:
            self._syncing = False


__all__ = ["APPLICATION_KINDS", "ScenarioEditor"]
