"""``wb.Workbench(scenario)``: compose on forms and the globe, see the analyses update.

Tabs of generated forms (constellation, hardware, scenario) beside the CesiumJS globe,
and below them analysis tabs (plotly) that recompute when the scenario changes, with a
progress bar. Clicking the ground adds a site of the chosen role; clicking a satellite
shows its power and compute state. The Latency tab has a :class:`RoutePicker` that draws
a pair's route at a chosen time step on the globe.

Analyses plug in by convention: module ``workbench.analyses.<name>`` with a function
``<name>(scenario, **inputs)`` and, for figures, ``workbench.viz.<name>.<name>_figures
(result) -> {title: figure}``. A missing analysis shows a message and the rest still run.
"""
from __future__ import annotations

import html
import importlib
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import traitlets

from ..model.errors import ModelError
from ..model.ground import GroundSite
from ..model.scenario import Scenario, load_scenario
from .constellation_builder import ConstellationBuilder
from .forms import ERROR_STYLE, revalidate
from .globe import PICK_ROLES, Globe, display_grid, info_table_html, satellite_table
from .hardware_designer import HardwareDesigner
from .route_picker import RoutePicker
from .scenario_editor import ScenarioEditor

DEFAULT_SCENARIO = "beijing-etown-demo"
GLOBE_SPAN_S = 2 * 3600.0
"""Time the globe animates (from the scenario epoch): the analyses use the full span."""


@dataclass(frozen=True)
class AnalysisSpec:
    """One analysis tab: which module and function, and which earlier results it takes."""

    name: str
    title: str
    inputs: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        return f"workbench.analyses.{self.name}"


ANALYSES: tuple[AnalysisSpec, ...] = (
    AnalysisSpec("capacity", "Capacity"),
    AnalysisSpec("latency", "Latency"),
    AnalysisSpec("business", "Business", inputs=("capacity",)),
)
"""The analysis tabs, in run order (``inputs`` name earlier results passed as keywords)."""


def run_analysis(spec: AnalysisSpec, scenario: Scenario, results: dict[str, Any], *,
                 progress: Callable[[float, str], None] | None = None) -> Any:
    """Import and run one analysis; raises ImportError if it is not available.

    Earlier results named in ``spec.inputs`` are passed as keywords, and ``progress``
    (``callable(fraction_done, message)``) if the analysis takes one.
    """
    import inspect

    module = importlib.import_module(spec.module)
    function = getattr(module, spec.name, None)
    if not callable(function):
        raise ImportError(f"{spec.module} has no function {spec.name}(scenario)")
    kwargs = {k: results[k] for k in spec.inputs
              if results.get(k) is not None and not isinstance(results[k], Exception)}
    if progress is not None and "progress" in inspect.signature(function).parameters:
        kwargs["progress"] = progress
    return function(scenario, **kwargs)


def analysis_figures(spec: AnalysisSpec, result: Any) -> dict[str, Any]:
    """The result's own ``figures()`` if it has them, else
    ``workbench.viz.<name>.<name>_figures(result)`` if present, else ``{}``."""
    own = getattr(result, "figures", None)
    if callable(own):
        return dict(own())
    try:
        viz = importlib.import_module(f"workbench.viz.{spec.name}")
    except ImportError:
        return {}
    function = getattr(viz, f"{spec.name}_figures", None)
    return dict(function(result)) if callable(function) else {}


class Workbench(widgets.VBox):
    """The planner's workbench: forms, globe and live analyses for one scenario.

    Parameters
    ----------
    scenario : Scenario or str, optional
        A scenario, or a built-in name / YAML path (default ``"beijing-etown-demo"``).
    auto : bool
        Recompute the analyses on every valid change (else press "Recompute").
    analyses : tuple of AnalysisSpec
        The analysis tabs (default :data:`ANALYSES`).
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
                 analyses: tuple[AnalysisSpec, ...] = ANALYSES,
                 globe_quality: str = "full", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario or DEFAULT_SCENARIO)
        self._syncing = False
        self.analyses = analyses
        self.results: dict[str, Any] = {}
        self.timings_s: dict[str, float] = {}
        self.constellation_builder = ConstellationBuilder(scenario.constellation)
        self.hardware = HardwareDesigner(scenario.platform, scenario.payload,
                                         altitude_km=_mean_altitude_km(scenario),
                                         launch_capacity_kg=_launch_capacity_kg(scenario))
        self.editor = ScenarioEditor(scenario)
        self.forms = widgets.Tab(children=[self.constellation_builder, self.hardware,
                                           self.editor],
                                 layout=widgets.Layout(width="50%", min_width="420px"))
        for i, title in enumerate(("Constellation", "Hardware", "Scenario")):
            self.forms.set_title(i, title)

        self.globe = Globe(quality=globe_quality, height=460)
        self.pick_role = widgets.ToggleButtons(
            options=PICK_ROLES, value="none", description="Click adds",
            tooltips=["clicks select satellites", *(f"a click on the ground adds a {r} site"
                                                    for r in PICK_ROLES[1:])],
            style={"button_width": "78px"})
        widgets.link((self.pick_role, "value"), (self.globe, "pick_role"))
        self.selection = widgets.HTML()
        globe_box = widgets.VBox([self.pick_role, self.globe, self.selection],
                                 layout=widgets.Layout(width="50%", min_width="420px"))

        self.header = widgets.HTML()
        self.error = widgets.HTML()
        self.progress = widgets.FloatProgress(min=0.0, max=1.0, description="Analyses",
                                              bar_style="info",
                                              layout=widgets.Layout(width="320px"))
        self.progress_label = widgets.HTML()
        self.auto = widgets.Checkbox(value=auto, description="recompute on change",
                                     indent=False, layout=widgets.Layout(width="180px"))
        self.recompute_button = widgets.Button(description="Recompute", icon="refresh")
        self.recompute_button.on_click(lambda _b: self.recompute())
        # VBoxes of widgets (figures as PlotlyViews), not Output widgets: an
        # Output widget echoes every captured figure back through the comm (quadratic).
        self.outputs = {spec.name: widgets.VBox() for spec in analyses}
        self.route_picker = RoutePicker(self.globe)
        self.analysis_tabs = widgets.Tab(children=list(self.outputs.values()))
        for i, spec in enumerate(analyses):
            self.analysis_tabs.set_title(i, spec.title)

        self.children = [
            self.header,
            widgets.HBox([self.forms, globe_box], layout=widgets.Layout(width="100%")),
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
            self.error.value = (f"<span class='wb-field-error' style='{ERROR_STYLE}'>"
                                f"{html.escape(str(exc))}</span>")
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

    def _on_scenario(self, change: dict) -> None:
        old: Scenario | None = change["old"] if isinstance(change["old"], Scenario) else None
        new: Scenario = change["new"]
        self.header.value = new._repr_html_()
        self._syncing = True
        try:
            if old is None or old.constellation != new.constellation:
                self.constellation_builder.value = new.constellation
            if old is None or (old.platform, old.payload) != (new.platform, new.payload):
                self.hardware.set_models(new.platform, new.payload)
            self.hardware.altitude_km = _mean_altitude_km(new)
            self.hardware.launch_capacity_kg = _launch_capacity_kg(new)
            if self.editor.value is not new:
                self.editor.value = new
        finally:
            self._syncing = False
        if (old is None or old.constellation != new.constellation
                or old.epoch_utc != new.epoch_utc):
            grid = display_grid(new.epoch_utc, duration_s=min(new.duration_s, GLOBE_SPAN_S),
                                step_s=min(new.step_s, 60.0), n_sats=len(new.constellation))
            self.globe.show_constellation(new.constellation, grid, epoch=new.epoch_utc)
        if old is None or old.ground != new.ground:
            self.globe.show_ground(new.ground)
        # a route of the last latency result may not match the globe's new satellites
        self.route_picker.set_result(None, reason="the scenario changed; recompute the "
                                                  "analyses")
        if self.auto.value:
            self.recompute()

    # --- analyses ----------------------------------------------------------------------
    def recompute(self) -> dict[str, Any]:
        """Run every analysis on the current scenario, updating the tabs as each ends."""
        scenario = self.scenario
        results: dict[str, Any] = {}
        n = len(self.analyses)
        self.progress.bar_style = "info"
        for i, spec in enumerate(self.analyses):
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
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    result = run_analysis(spec, scenario, results, progress=report)
            except ImportError as exc:
                results[spec.name] = exc
                _show(out, _message(f"The {spec.title.lower()} analysis ({spec.module}) is not "
                                    f"available yet: {exc}"), *self._tab_extras(spec, exc))
                continue
            except Exception as exc:  # an analysis failing must not break the workbench
                results[spec.name] = exc
                _show(out, _message(f"The {spec.title.lower()} analysis failed: "
                                    f"{type(exc).__name__}: {exc}", error=True),
                      *self._tab_extras(spec, exc))
                continue
            finally:
                self.timings_s[spec.name] = time.perf_counter() - start
            results[spec.name] = result
            notes = [_message(f"{w.category.__name__}: {w.message}") for w in caught]
            extras = self._tab_extras(spec, result)
            try:
                _show(out, *notes, *extras, *_displayables(spec, result))
            except Exception as exc:  # a figure failing must not break the workbench
                _show(out, _message(f"The {spec.title.lower()} figures failed: "
                                    f"{type(exc).__name__}: {exc}", error=True), *extras)
        self.results = results
        self.progress.value = 1.0
        self.progress.bar_style = "success"
        total = sum(self.timings_s.values())
        self.progress_label.value = f"done in {total:.1f} s"
        return results

    def _tab_extras(self, spec: AnalysisSpec, result: Any) -> list[widgets.Widget]:
        """Widgets shown above an analysis's figures: the route picker on the latency tab,
        fed the new result (or the exception that stopped it)."""
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

            from ..orbits.frames import gcrs_to_itrs_matrices, rotate
            from ..orbits.sun import sunlit_from_positions
            from ..orbits.timegrid import TimeGrid
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
        itrs_to_gcrs = np.transpose(gcrs_to_itrs_matrices(one.skyfield_time()), (0, 2, 1))
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
    figures = analysis_figures(spec, result)
    for title, figure in figures.items():
        items.append(widgets.HTML(f"<b>{html.escape(str(title))}</b>"))
        items.append(figure)
    if not figures:
        summary = getattr(result, "summary", None)
        if isinstance(summary, dict):
            rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td>"
                           "</tr>" for k, v in summary.items())
            items.append(widgets.HTML(f"<table>{rows}</table>"))
        frames = {k: v for k, v in vars(result).items() if isinstance(v, pl.DataFrame)} if (
            hasattr(result, "__dict__")) else {}
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


__all__ = ["ANALYSES", "AnalysisSpec", "RoutePicker", "Workbench", "analysis_figures",
           "run_analysis"]
