"""``wb.Workbench(scenario)``: compose on forms and the globe, see the analyses update.

Tabs of generated forms (constellation, hardware, scenario) beside the CesiumJS globe,
and below them analysis tabs (plotly) that recompute when the scenario changes, with a
progress bar. Clicking the ground adds a site of the chosen role; clicking a satellite
shows its power and compute state. The Latency tab has a :class:`RoutePicker` that draws
a pair's route at a chosen time step on the globe; the Scheduling tab has a
:class:`~workbench.widgets.workload_replay.WorkloadReplay` that colours the satellites by
their workload at a chosen step.

The analysis tabs are the analyses registered in the ``workbench.analyses`` entry-point
group (:mod:`workbench.analyses.registry`): the built-ins and every installed plugin's, one
tab each, in run order. Figures come from ``workbench.viz.figures(result)``, else the
result's own ``figures()``, else the tab shows the result's summary and frames. An analysis
that cannot be loaded or fails shows a message and the rest still run.
"""
from __future__ import annotations

import html
import time
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as widgets
import traitlets

from ..analyses import registry
from ..analyses.registry import AnalysisSpec
from ..model.errors import ModelError
from ..model.ground import GroundSite
from ..model.options import ScenarioOptions
from ..model.scenario import Scenario
from ..orbits.geometry import OrbitGeometry, scenario_geometry
from ..scenarios import load_scenario
from .constellation_builder import ConstellationBuilder
from .forms import ModelForm, error_html, revalidate
from .globe import PICK_ROLES, Globe, info_table_html, satellite_table
from .hardware_designer import HardwareDesigner
from .headline import chart_title, headline_figures, headline_html, warning_note
from .layout import COLUMN_MIN_WIDTH_PX, FORMS_HEIGHT_PX, GLOBE_HEIGHT_PX, header_html
from .route_picker import RoutePicker
from .scenario_editor import ScenarioEditor
from .workload_replay import WorkloadReplay

DEFAULT_SCENARIO = "beijing-etown-demo"
GLOBE_SPAN_S = 2 * 3600.0
"""Time the globe animates (from the scenario epoch): the analyses use the full span."""


def analysis_figures(result: Any) -> dict[str, Any]:
    """Figures of a result by title, as :func:`workbench.viz.figures` draws them (an
    empty dict for a result type nobody registered)."""
    from ..viz import figures

    return dict(figures(result))


class Workbench(widgets.VBox):
    """The planner's workbench: forms, globe and live analyses for one scenario.

    Parameters
    ----------
    scenario : Scenario or str, optional
        A scenario, or a built-in name / YAML path (default ``"beijing-etown-demo"``).
    auto : bool
        Recompute the analyses on every valid change (else press "Recompute").
    analyses : sequence of AnalysisSpec or analysis names, optional
        The analysis tabs (default: every registered analysis,
        :func:`workbench.analyses.registry.analyses`).
    globe_quality : "full" | "cheap"

    Attributes
    ----------
    scenario : Scenario
        The last valid scenario (a traitlet: ``wb.observe(cb, "scenario")``).
    results : dict
        Analysis name → latest result (or the exception that stopped it).
    """

    scenario = traitlets.Instance(Scenario)

    def __init__(self, scenario: Scenario | str | None = None, *, auto: bool = True,
                 analyses: Sequence[AnalysisSpec | str] | None = None,
                 globe_quality: str = "full", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario or DEFAULT_SCENARIO)
        self._syncing = False
        self._stale: set[str] = set()
        self._geometry: OrbitGeometry | None = None
        self._geometry_key: tuple | None = None
        self.analyses: tuple[AnalysisSpec, ...] = (
            registry.analyses() if analyses is None
            else tuple(registry.analysis(a) for a in analyses))
        self.results: dict[str, Any] = {}
        self.timings_s: dict[str, float] = {}
        self.constellation_builder = ConstellationBuilder(scenario.constellation)
        self.hardware = HardwareDesigner(scenario.platform, scenario.payload,
                                         altitude_km=_mean_altitude_km(scenario),
                                         launch_capacity_kg=_launch_capacity_kg(scenario),
                                         n_sats=len(scenario.constellation))
        self.editor = ScenarioEditor(scenario)
        self.forms = widgets.Tab(children=[self.constellation_builder, self.hardware,
                                           self.editor],
                                 layout=widgets.Layout(flex=f"1 1 {COLUMN_MIN_WIDTH_PX}px",
                                                       min_width=f"{COLUMN_MIN_WIDTH_PX}px"))
        for i, title in enumerate(("Constellation", "Hardware", "Scenario")):
            self.forms.set_title(i, title)
        for child in self.forms.children:  # long forms scroll beside the globe
            # a block box, so its rows keep their height and the box scrolls
            child.layout.display = "block"
            child.layout.max_height = f"{FORMS_HEIGHT_PX}px"
            child.layout.overflow_y = "auto"

        self.globe = Globe(quality=globe_quality, height=GLOBE_HEIGHT_PX)
        self.pick_role = widgets.ToggleButtons(
            options=PICK_ROLES, value="none", description="Click adds",
            tooltips=["clicks select satellites", *(f"a click on the ground adds a {r} site"
                                                    for r in PICK_ROLES[1:])],
            style={"button_width": "auto", "description_width": "auto"})
        widgets.link((self.pick_role, "value"), (self.globe, "pick_role"))
        self.selection = widgets.HTML()
        globe_box = widgets.VBox([self.pick_role, self.globe, self.selection],
                                 layout=widgets.Layout(flex=f"1 1 {COLUMN_MIN_WIDTH_PX}px",
                                                       min_width=f"{COLUMN_MIN_WIDTH_PX}px"))

        self.header = widgets.HTML()
        self.error = widgets.HTML()
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Analyses",
                                              bar_style="info",
                                              layout=widgets.Layout(width="220px"))
        self.progress_label = widgets.HTML()
        self.auto = widgets.Checkbox(value=auto, description="recompute on change",
                                     indent=False, layout=widgets.Layout(width="180px"))
        self.recompute_button = widgets.Button(
            description="Recompute", icon="refresh",
            layout=widgets.Layout(width="auto", min_width="120px", flex="0 0 auto"))
        self.recompute_button.on_click(
            lambda _b: self.recompute(self._visible() if self.auto.value else None))
        # VBoxes of widgets (figures as PlotlyViews), not Output widgets: an
        # Output widget echoes every captured figure back through the comm (quadratic).
        self.outputs = {spec.name: widgets.VBox() for spec in self.analyses}
        self.options_forms = self._options_forms(scenario)
        self.route_picker = RoutePicker(self.globe)
        self.workload_replay = WorkloadReplay(self.globe)
        self.analysis_tabs = widgets.Tab(children=[
            widgets.VBox([*self._options_box(spec.name), self.outputs[spec.name]])
            for spec in self.analyses])
        for i, spec in enumerate(self.analyses):
            self.analysis_tabs.set_title(i, spec.title)
        self.analysis_tabs.observe(self._on_tab, "selected_index")

        self.children = [
            self.header,
            widgets.HBox([self.forms, globe_box], layout=widgets.Layout(
                width="100%", flex_flow="row wrap")),
            self.error,
            widgets.HBox([self.progress, self.progress_label, self.auto,
                          self.recompute_button]),
            self.analysis_tabs,
        ]

        self.constellation_builder.observe(self._on_constellation, "value")
        self.hardware.observe(self._on_hardware, ["payload", "platform"])
        self.editor.observe(self._on_editor, "value")
        self.globe.on_ground_click(self.add_site)
        self.globe.on_select(self._on_select)
        self.globe.set_info_provider(self.satellite_info)
        self.observe(self._on_scenario, "scenario")
        self.scenario = scenario

    # --- the scenario -----------------------------------------------------------------
    def _update(self, **changes: Any) -> bool:
        """Validate the scenario with ``changes``; keep the last valid one on error."""
        try:
            new = revalidate(self.scenario, **changes)
        except ModelError as exc:
            self.error.value = error_html(exc.render())
            return False
        self.error.value = ""
        self.scenario = new
        return True

    def _on_constellation(self, change: dict) -> None:
        if not self._syncing:
            self._update(constellation=change["new"])

    def _on_hardware(self, change: dict) -> None:
        if not self._syncing:
            self._update(payload=self.hardware.payload, platform=self.hardware.platform)

    def _on_editor(self, change: dict) -> None:
        if self._syncing:
            return
        new = change["new"]
        self._update(**{k: getattr(new, k) for k in ("name", "description", "epoch_utc",
                                                     "duration_s", "step_s", "applications",
                                                     "economics")})

    def add_site(self, site: GroundSite) -> None:
        """Add a ground site to the scenario (what a click on the globe does)."""
        self._update(ground=self.scenario.ground.with_site(site))

    # --- analysis options: a form per tab, generated from the options model ---------------
    def _options_forms(self, scenario: Scenario) -> dict[str, tuple[str, ModelForm]]:
        """Analysis name → (ScenarioOptions field, form) for every analysis whose options
        model is one the scenario carries (``scenario.options.capacity/network/business``);
        analyses sharing a model (latency, placement, insight) each get a form of it."""
        fields = {info.annotation: name for name, info in ScenarioOptions.model_fields.items()}
        forms: dict[str, tuple[str, ModelForm]] = {}
        for spec in self.analyses:
            model = spec.options_model()
            field = fields.get(model)
            if field is None:
                continue
            form = ModelForm(getattr(scenario.options, field))
            form.observe(lambda change, field=field: self._on_options(field, change["new"]),
                         "value")
            forms[spec.name] = (field, form)
        return forms

    def _options_box(self, name: str) -> list[widgets.Widget]:
        if name not in self.options_forms:
            return []
        field, form = self.options_forms[name]
        box = widgets.Accordion(children=[form], selected_index=None)
        box.set_title(0, f"Options ({field}, saved in the scenario)")
        return [box]

    def _on_options(self, field: str, value: Any) -> None:
        if not self._syncing:
            self._update(options=self.scenario.options.replace(**{field: value}))

    def _on_scenario(self, change: dict) -> None:
        old: Scenario | None = change["old"] if isinstance(change["old"], Scenario) else None
        new: Scenario = change["new"]
        self.header.value = header_html(new)
        self._syncing = True
        try:
            for field, form in self.options_forms.values():
                if form.value != getattr(new.options, field):
                    form.value = getattr(new.options, field)
            if old is None or old.constellation != new.constellation:
                self.constellation_builder.value = new.constellation
            if old is None or (old.platform, old.payload) != (new.platform, new.payload):
                self.hardware.set_models(new.platform, new.payload)
            self.hardware.altitude_km = _mean_altitude_km(new)
            self.hardware.launch_capacity_kg = _launch_capacity_kg(new)
            self.hardware.n_sats = len(new.constellation)
            if self.editor.value is not new:
                self.editor.value = new
        finally:
            self._syncing = False
        if (old is None or old.constellation != new.constellation
                or old.epoch_utc != new.epoch_utc or old.step_s != new.step_s):
            self.globe.show_constellation(new.constellation, geometry=self.geometry(),
                                          span_s=GLOBE_SPAN_S)
        if old is None or old.ground != new.ground:
            self.globe.show_ground(new.ground)
        # a route of the last latency result may not match the globe's new satellites
        self.route_picker.set_result(None, reason="the scenario changed; recompute the "
                                                  "analyses")
        self.workload_replay.set_result(None, reason="the scenario changed; recompute the "
                                                     "analyses")
        self._stale = {spec.name for spec in self.analyses}
        for spec in self.analyses:
            _show(self.outputs[spec.name], _message(
                f"{spec.title}: computed when this tab is opened"
                + (" (press Recompute, or turn on recompute on change)"
                   if not self.auto.value else "")))
        if self.auto.value:
            self.recompute(self._visible())

    # --- analyses ----------------------------------------------------------------------
    def geometry(self) -> OrbitGeometry:
        """The orbit geometry of the current scenario, propagated once per (constellation,
        grid) and shared by the globe and every analysis."""
        scenario = self.scenario
        key = (scenario.constellation, scenario.time_grid)
        if self._geometry is None or self._geometry_key != key:
            self._geometry = scenario_geometry(scenario)
            self._geometry_key = key
        return self._geometry

    def recompute(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """Run analyses on the current scenario, updating the tabs as each ends.

        ``names`` None runs every analysis; otherwise those named and the analyses their
        inputs come from (already computed ones for this scenario are reused). The others
        stay marked stale and run when their tab is opened.
        """
        scenario = self.scenario
        geometry = self.geometry()
        if names is None:
            wanted = [spec.name for spec in self.analyses]
        else:
            wanted = [s.name for n in names for s in registry.requirements(n)]
        fresh = {k: v for k, v in self.results.items() if k not in self._stale}
        todo = [spec for spec in self.analyses
                if spec.name in wanted and spec.name not in fresh]
        results: dict[str, Any] = dict(fresh)
        n = max(len(todo), 1)
        self.progress.bar_style = "info"
        for i, spec in enumerate(todo):
            self._stale.discard(spec.name)
            self.progress.value = i / n
            self.progress_label.value = html.escape(f"running {spec.title.lower()}… "
                                                    f"({i + 1}/{n})")
            out = self.outputs[spec.name]
            start = time.perf_counter()

            def report(fraction: float, message: str, *, i: int = i,
                       title: str = spec.title) -> None:
                self.progress.value = (i + min(max(fraction, 0.0), 1.0)) / n
                self.progress_label.value = html.escape(f"{title.lower()}: {message}")

            try:
                spec.function()
            except Exception as exc:  # a plugin that cannot load must not break the rest
                self.timings_s[spec.name] = time.perf_counter() - start
                results[spec.name] = exc
                _show(out, _message(f"The {spec.title.lower()} analysis ({spec.target}) "
                                    f"cannot be loaded: {type(exc).__name__}: {exc}",
                                    error=True), *self._tab_extras(spec, exc))
                continue
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    result = registry.run(spec, scenario, results=results,
                                          geometry=geometry, progress=report)
            except Exception as exc:  # an analysis failing must not break the workbench
                results[spec.name] = exc
                _show(out, _message(f"The {spec.title.lower()} analysis failed: "
                                    f"{type(exc).__name__}: {exc}", error=True),
                      *self._tab_extras(spec, exc))
                continue
            finally:
                self.timings_s[spec.name] = time.perf_counter() - start
            results[spec.name] = result
            notes = [widgets.HTML(warning_note(w.category.__name__, str(w.message)))
                     for w in caught]
            extras = self._tab_extras(spec, result)
            try:
                _show(out, *notes, *extras, *_displayables(spec, result))
            except Exception as exc:  # a figure failing must not break the workbench
                _show(out, _message(f"The {spec.title.lower()} figures failed: "
                                    f"{type(exc).__name__}: {exc}", error=True), *extras)
        self.results = results
        self.progress.value = 1.0
        self.progress.bar_style = "success"
        total = sum(self.timings_s.get(spec.name, 0.0) for spec in todo)
        waiting = [s.title for s in self.analyses if s.name in self._stale]
        # one short line (a list of the waiting tabs would wrap and push the results down)
        self.progress_label.value = html.escape(
            f"done in {total:.1f} s" + (f"; {len(waiting)} more run when opened"
                                        if waiting else ""))
        return results

    def _visible(self) -> list[str]:
        index = self.analysis_tabs.selected_index
        return [self.analyses[index].name] if index is not None and self.analyses else []

    def _on_tab(self, change: dict) -> None:
        visible = self._visible()
        if self.auto.value and visible and visible[0] in self._stale:
            self.recompute(visible)

    def _tab_extras(self, spec: AnalysisSpec, result: Any) -> list[widgets.Widget]:
        """Widgets shown above an analysis's figures: the route picker on the latency tab,
        the workload replay on the scheduling tab, fed the new result (or the exception
        that stopped it)."""
        if spec.name == "scheduling":
            self.workload_replay.set_result(result)
            return [self.workload_replay]
        if spec.name != "latency":
            return []
        self.route_picker.set_result(result)
        return [self.route_picker]

    # --- selection ---------------------------------------------------------------------
    def _on_select(self, sat_id: int) -> None:
        self.selection.value = info_table_html(self.globe.selected_info)

    def satellite_info(self, sat_id: int) -> str:
        """A satellite's orbit, power and compute state at the globe's time (plain text
        for the globe's info box, :func:`~workbench.widgets.globe.satellite_table`)."""
        scenario = self.scenario
        if sat_id < 0 or sat_id >= len(scenario.constellation):
            return ""
        row = scenario.constellation.satellites.row(sat_id, named=True)
        payload = scenario.payload
        extra = {"compute": f"{payload.count} × {payload.chip.name}: "
                            f"{payload.int8_tops:,.0f} INT8 TOPS",
                 "payload power": f"{payload.power_w:,.0f} W"}
        sunlit = self._sunlit(sat_id)
        if sunlit is not None:
            extra["power state"] = ("sunlit: arrays generating" if sunlit
                                    else "in eclipse: on battery")
        return satellite_table(row, extra)

    def _sunlit(self, sat_id: int) -> bool | None:
        try:
            import numpy as np

            from ..model.timegrid import TimeGrid
            from ..orbits.frames import gcrs_to_itrs_matrices, rotate, skyfield_time
            from ..orbits.sun import sunlit_from_positions
        except ImportError:
            return None
        grid = self.globe.grid
        if grid is None:
            return None
        k = min(max(self.globe.time_index, 0), len(grid) - 1)
        one = TimeGrid(start=grid.at(k), duration_s=0.0, step_s=grid.step_s)
        r_itrs = self.globe.positions_at(k)[sat_id][None, None, :]
        if not np.isfinite(r_itrs).all():
            return None
        itrs_to_gcrs = np.transpose(gcrs_to_itrs_matrices(skyfield_time(one)), (0, 2, 1))
        r_gcrs = rotate(itrs_to_gcrs, r_itrs)
        return bool(sunlit_from_positions(r_gcrs, one)[0, 0])


def _mean_altitude_km(scenario: Scenario) -> float:
    return float(scenario.constellation.satellites["altitude_km"].median())


def _launch_capacity_kg(scenario: Scenario) -> float | None:
    try:
        from .. import datasets

        return datasets.launch_vehicle(scenario.economics.launch_vehicle).leo_capacity_kg
    except Exception:  # unknown vehicle or no catalog: the mass bar is hidden
        return None


def _message(text: str, *, error: bool = False) -> widgets.HTML:
    colour = "#c62828" if error else "#555"
    return widgets.HTML(f"<p style='color:{colour}'>{html.escape(text)}</p>")


def _displayables(spec: AnalysisSpec, result: Any) -> list[Any]:
    """Figures for a result if its viz module has them, else its summary and frames."""
    import polars as pl

    items: list[Any] = []
    summary = getattr(result, "summary", None)
    lead = headline_html(headline_figures(spec.name, summary), sentence=str(
        summary.get("headline", "")) if isinstance(summary, dict) else "")
    if lead:
        items.append(widgets.HTML(lead))
    figures = analysis_figures(result)
    for title, figure in figures.items():
        items.append(widgets.HTML(f"<b>{html.escape(chart_title(title))}</b>"))
        items.append(figure)
    if not figures:
        summary = getattr(result, "summary", None)
        if isinstance(summary, dict):
            rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td>"
                           "</tr>" for k, v in summary.items())
            items.append(widgets.HTML(f"<table>{rows}</table>"))
        frames = registry.result_frames(result)
        if isinstance(result, pl.DataFrame):
            frames = {spec.name: result}
        for name, frame in frames.items():
            items.append(widgets.HTML(f"<b>{html.escape(name)}</b>{frame.head(12)._repr_html_()}"))
    return items or [_message(f"{spec.title}: {result!r}"[:500])]


def _fmt(value: Any) -> str:
    return f"{value:,.4g}" if isinstance(value, float) else str(value)


def _show(box: widgets.VBox, *items: Any) -> None:
    """Put ``items`` in ``box``: widgets as they are, plotly figures as PlotlyViews."""
    children = []
    for item in items:
        if isinstance(item, widgets.Widget):
            children.append(item)
        elif hasattr(item, "to_plotly_json"):
            from .plotly_view import PlotlyView

            children.append(PlotlyView(item))
        else:
            children.append(widgets.HTML(html.escape(repr(item))))
    box.children = children


__all__ = ["RoutePicker", "Workbench", "analysis_figures"]
