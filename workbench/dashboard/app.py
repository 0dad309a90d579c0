"""The presenting dashboard: one session's app (``workbench dashboard`` serves it).

:func:`dashboard_app` builds everything a browser session sees — its own scenario, forms,
globe, worker thread and results; nothing is shared between sessions and nothing per user
goes into ``pn.state.cache``. The page is a ``BootstrapTemplate`` (it renders with Panel's
own bundled resources: no request leaves the server) with

- the scenario forms in the sidebar, generated from the models (:mod:`.forms`): the
  scenario's time span, each Walker shell, platform, payload (and its chip), economics and
  the options of the capacity, network and business analyses; open, save and download the
  scenario as YAML, download the results as Parquet or CSV;
- the shared globe (the notebook's ``globe.js``) on the scenario's clock with its sites;
- a tab per registered analysis: key figures (:mod:`.headline`) above its plotly charts
  and tables, updated as soon as that analysis finishes (:mod:`.recompute` reruns only
  what an edit touched, on the session's worker thread, with progress);
- a Compare tab (:mod:`.compare`) and story mode (:mod:`.story`).

Every label, message and caption comes from ``workbench.locale`` in the session's language
(``?lang=zh`` in the URL, ``--lang`` on the command line, or the toggle in the header).
"""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import panel as pn
import param

from ..analyses import registry
from ..analyses.registry import AnalysisSpec
from ..locale import N_, LanguageError, normalize_language, translator
from ..model.constellation import Constellation
from ..model.errors import ModelError, WorkbenchError
from ..model.scenario import Scenario
from ..scenarios import load_scenario
from ..widgets.forms import revalidate
from ..widgets.globe import NO_WEBGL_STATUS, Globe
from ..widgets.workbench import GLOBE_SPAN_S
from . import files
from .forms import ParamForm, error_html
from .globe import PLOTLY_CONFIG, PanelGlobe
from .headline import key_figures
from .panes import headline_html, message_html, tables_html
from .recompute import Outcome, Recomputer

DEFAULT_SCENARIO = "beijing-etown-demo"
LANGUAGES = {"English": "en", "中文": "zh_CN"}
"""The language toggle: shown name → catalog."""
GLOBE_HEIGHT = 560
BASICS = ("name", "description", "epoch_utc", "duration_s", "step_s")
"""Scenario fields of the sidebar's first form (the rest have forms of their own)."""
OPTION_FIELDS = ("capacity", "network", "business")

TITLES = (N_("Capacity"), N_("Latency"), N_("Placement"), N_("Event to insight"),
          N_("Business"))
"""The built-in analyses' tab titles (``AnalysisSpec.title``), marked for the catalogs."""


def session_language(default: str | None = None) -> str:
    """The session's language: ``?lang=`` of the URL if it names a catalog, else
    ``default``, else English."""
    args = getattr(pn.state, "session_args", None) or {}
    for raw in args.get("lang", [])[:1]:
        try:
            return normalize_language(raw.decode("utf-8", "replace"))
        except LanguageError:
            break
    return normalize_language(default)


def _figures(result: Any) -> dict[str, Any]:
    from ..viz import figures

    return dict(figures(result))


class Dashboard(param.Parameterized):
    """One session's dashboard.

    Parameters
    ----------
    scenario : Scenario or str, optional
        A scenario, or a built-in name / YAML path (default ``beijing-etown-demo``).
    lang : str
        Language of the page.
    analyses : sequence of AnalysisSpec or names, optional
        The analysis tabs (default: every registered analysis).
    save_path : Path, optional
        The YAML file "Save" writes back to (atomically); without it Save is hidden.
    globe_quality : "full" | "cheap"

    Attributes
    ----------
    scenario : Scenario
        The last valid scenario.
    results : dict
        Analysis name → latest result (or the exception that stopped it).
    """

    scenario = param.ClassSelector(class_=Scenario)
    lang = param.String(default="en")

    def __init__(self, scenario: Scenario | str | None = None, *, lang: str | None = None,
                 analyses: Sequence[AnalysisSpec | str] | None = None,
                 save_path: Path | None = None, globe_quality: str = "full",
                 autostart: bool = True) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario or DEFAULT_SCENARIO)
        super().__init__(scenario=scenario, lang=normalize_language(lang))
        self._doc = pn.state.curdoc if pn.state.curdoc is not None and getattr(
            pn.state.curdoc, "session_context", None) is not None else None
        self.save_path = Path(save_path) if save_path is not None else None
        self.analyses = (registry.analyses() if analyses is None
                         else tuple(registry.analysis(a) for a in analyses))
        self.outcomes: dict[str, Outcome] = {}
        self.figures: dict[str, dict[str, Any]] = {}
        self.timeline: list[tuple[float, str]] = []
        self._progress_latest: tuple[float, str] | None = None
        self._progress_lock = threading.Lock()
        self.recomputer = Recomputer(self.analyses, on_outcome=self._outcome_ready,
                                     on_progress=self._progress_ready, on_idle=self._idle)
        self.globe = Globe(quality=globe_quality, height=GLOBE_HEIGHT)
        self.globe_view = PanelGlobe(self.globe, sizing_mode="stretch_width",
                                     min_height=GLOBE_HEIGHT)
        self.globe.show_ground(scenario.ground, lang=self.lang)
        self._globe_key: tuple | None = None
        # a browser without WebGL (an old projector PC) gets every view but the globe,
        # and a sentence saying why, in the session's language
        self.globe_notice = pn.pane.HTML("", sizing_mode="stretch_width", visible=False)
        self.globe.observe(lambda _change: self._soon(self._show_globe_notice, freeze=False),
                           "status")
        self.progress = pn.indicators.Progress(value=0, max=100, width=220, height=18,
                                               bar_color="info", margin=(12, 8))
        self.status = pn.pane.HTML("", margin=(8, 8), min_width=260)
        self.sidebar = pn.Column(sizing_mode="stretch_width")
        # dynamic: the browser renders the open tab only (a page with every tab's charts
        # took 32 s to load on 2 cores with software WebGL, 12 s this way; panel#1399)
        self.tabs = pn.Tabs(dynamic=True, sizing_mode="stretch_width")
        self.language = pn.widgets.RadioButtonGroup(
            options=LANGUAGES, value=self.lang, color="light", margin=(8, 8))
        self.language.param.watch(lambda e: self.set_language(e.new), "value")
        self._panes: dict[str, dict[str, Any]] = {}
        from .compare import ComparePanel
        from .story import StoryPlayer

        self.compare = ComparePanel(self)
        self.story = StoryPlayer(self)
        self.built = False
        self.loading = pn.pane.HTML(message_html(self._("Loading the scenario…")),
                                    sizing_mode="stretch_width")
        self.sidebar[:] = [self.loading]
        self._sync_globe_clock()
        self.autostart = autostart
        if self._doc is None:  # not served: nothing to wait for
            self.start()

    def start(self) -> None:
        """Start the analyses and draw the forms and tabs (served: once the page has
        loaded, so neither the first byte nor the globe waits for them)."""
        if self.built:
            return
        self.built = True
        if self.autostart:
            self.recompute()
        if self._doc is None:
            self._build()
        else:
            self._held(self._build)

    # --- building (and rebuilding in another language) --------------------------------
    @property
    def _(self) -> Callable[[str], str]:
        return translator(self.lang)

    def _build(self) -> None:
        _ = self._
        scenario = self.scenario
        self.scenario_error = pn.pane.HTML("", sizing_mode="stretch_width")
        self.basics = ParamForm(scenario, lang=self.lang,
                                exclude=[f for f in type(scenario).model_fields
                                         if f not in BASICS])
        self.basics.param.watch(self._on_basics, "value")
        self.shell_forms = self._shell_forms(scenario.constellation)
        self.shell_box = pn.Column(*self.shell_forms, sizing_mode="stretch_width")
        self.model_forms: dict[str, ParamForm] = {}
        for field, title in (("platform", _("Platform")), ("payload", _("Compute payload")),
                             ("economics", _("Economics"))):
            form = ParamForm(getattr(scenario, field), lang=self.lang, title=title)
            form.param.watch(lambda e, field=field: self._update(**{field: e.new}), "value")
            self.model_forms[field] = form
        self.option_forms: dict[str, ParamForm] = {}
        titles = {"capacity": _("Capacity options"), "network": _("Network options"),
                  "business": _("Business options")}
        for field in OPTION_FIELDS:
            form = ParamForm(getattr(scenario.options, field), lang=self.lang,
                             title=titles[field], exclude=("deployment", "launch_vehicle",
                                                           "local_share"))
            form.param.watch(lambda e, field=field: self._on_option(field, e.new), "value")
            self.option_forms[field] = form
        self.sidebar[:] = [
            self._file_controls(),
            self.scenario_error,
            pn.pane.HTML(f"<b>{_html(_('Scenario'))}</b>"),
            self.basics,
            pn.pane.HTML(f"<b>{_html(_('Constellation'))}</b>"),
            self.shell_box,
            pn.pane.HTML(f"<b>{_html(_('Satellite'))}</b>"),
            *self.model_forms.values(),
            pn.pane.HTML(f"<b>{_html(_('Analysis options'))}</b>"),
            *self.option_forms.values(),
        ]
        self._panes = {}
        tabs = []
        for spec in self.analyses:
            panes = {"headline": pn.pane.HTML("", sizing_mode="stretch_width"),
                     "notes": pn.pane.HTML("", sizing_mode="stretch_width"),
                     "figures": pn.Column(sizing_mode="stretch_width"),
                     "tables": pn.pane.HTML("", sizing_mode="stretch_width"),
                     "plots": {}}
            self._panes[spec.name] = panes
            body = pn.Column(panes["headline"], panes["notes"], panes["figures"],
                             panes["tables"], sizing_mode="stretch_width",
                             css_classes=["wb-tab", f"wb-tab-{spec.name}"])
            tabs.append((_(spec.title), body))
            if spec.name in self.outcomes:
                self._show_outcome(self.outcomes[spec.name], self.figures.get(spec.name, {}))
            else:
                panes["notes"].object = message_html(_("Computing…"))
        tabs.append((_("Compare"), self.compare.panel()))
        tabs.append((_("Story"), self.story.panel()))
        active = self.tabs.active
        self.tabs[:] = tabs
        self.tabs.active = min(active, len(tabs) - 1)

    def _shell_forms(self, constellation: Constellation) -> list[ParamForm]:
        _ = self._
        forms = []
        for i, shell in enumerate(constellation.shells):
            form = ParamForm(shell, lang=self.lang, title=f"{_('Walker shell')} {i + 1}")
            form.param.watch(self._on_shell, "value")
            forms.append(form)
        return forms

    def _file_controls(self) -> pn.viewable.Viewable:
        _ = self._
        self.upload = pn.widgets.FileInput(accept=".yaml,.yml", multiple=False,
                                           sizing_mode="stretch_width")
        self.upload.param.watch(self._on_upload, "value")
        yaml_download = pn.widgets.FileDownload(
            callback=self._scenario_bytes, filename=files.safe_filename(
                self.scenario.name, ".yaml"), label=_("Download scenario (YAML)"),
            color="primary", sizing_mode="stretch_width", embed=False)
        parquet = pn.widgets.FileDownload(
            callback=lambda: io.BytesIO(files.results_zip(self.results, fmt="parquet")),
            filename="results-parquet.zip", label=_("Download results (Parquet)"),
            sizing_mode="stretch_width", embed=False)
        csv = pn.widgets.FileDownload(
            callback=lambda: io.BytesIO(files.results_zip(self.results, fmt="csv")),
            filename="results-csv.zip", label=_("Download results (CSV)"),
            sizing_mode="stretch_width", embed=False)
        items: list[Any] = [pn.pane.HTML(f"<b>{_html(_('Open a scenario (YAML)'))}</b>"),
                            self.upload, yaml_download, parquet, csv]
        if self.save_path is not None:
            save = pn.widgets.Button(label=_("Save to {path}").format(path=self.save_path.name),
                                     sizing_mode="stretch_width")
            save.on_click(lambda _e: self.save())
            items.insert(2, save)
        return pn.Column(*items, sizing_mode="stretch_width")

    def main(self) -> list[pn.viewable.Viewable]:
        """The template's main area: status row, globe, analysis tabs."""
        return [pn.Row(self.language, self.story.keys, self.progress, self.status,
                       sizing_mode="stretch_width"),
                self.globe_notice, self.globe_view, self.tabs]

    def _show_globe_notice(self) -> None:
        no_webgl = self.globe.status == NO_WEBGL_STATUS
        self.globe_notice.object = message_html(self._(
            "This browser cannot draw WebGL, so the globe is off; every other view works. "
            "Open the dashboard in a current Chrome, Edge or Firefox to see it.")) \
            if no_webgl else ""
        self.globe_notice.visible = no_webgl

    def template(self) -> pn.template.BootstrapTemplate:
        """The page: a Bootstrap template (Panel's bundled resources, offline)."""
        _ = self._
        page = pn.template.BootstrapTemplate(
            title=_("Space Computing Workbench"), sidebar=[self.sidebar], main=self.main(),
            sidebar_width=380,
            # no busy spinner: the progress bar says what runs, and each spinner toggle
            # changes a CSS class, which makes the browser lay out the page again and
            # replot every chart on it
            busy_indicator=None)
        return page

    def set_language(self, lang: str) -> None:
        """Redraw every form, tab and message in ``lang`` (scenario and results stay)."""
        lang = normalize_language(lang)
        if lang == self.lang:
            return
        self.lang = lang
        self.language.value = lang
        if self.built:
            self._build()
        self.story.relabel()
        self._show_globe_notice()
        self.globe.show_ground(self.scenario.ground, lang=lang)

    # --- edits ------------------------------------------------------------------------
    def _update(self, **changes: Any) -> bool:
        """Validate the scenario with ``changes``; keep the last valid one on error."""
        try:
            new = revalidate(self.scenario, **changes)
        except ModelError as exc:
            self.scenario_error.object = error_html(exc.render(self.lang))
            return False
        self.scenario_error.object = ""
        if new != self.scenario:
            self.scenario = new
            self._scenario_changed()
        return True

    def _on_basics(self, event: param.parameterized.Event) -> None:
        self._update(**{name: getattr(event.new, name) for name in BASICS})

    def _on_shell(self, _event: param.parameterized.Event) -> None:
        constellation = self.scenario.constellation
        try:
            new = revalidate(constellation, shells=tuple(f.value for f in self.shell_forms))
        except ModelError as exc:
            self.scenario_error.object = error_html(exc.render(self.lang))
            return
        self._update(constellation=new)

    def _on_option(self, field: str, value: Any) -> None:
        self._update(options=revalidate(self.scenario.options, **{field: value}))

    def set_scenario(self, scenario: Scenario) -> None:
        """Show another scenario (opened, or loaded from Compare): forms, globe, analyses."""
        self.scenario = scenario
        if not self.built:
            self._scenario_changed()
            return
        self.scenario_error.object = ""
        self.basics.set_value(scenario)
        if len(scenario.constellation.shells) == len(self.shell_forms):
            for form, shell in zip(self.shell_forms, scenario.constellation.shells,
                                   strict=True):
                form.set_value(shell)
        else:
            self.shell_forms = self._shell_forms(scenario.constellation)
            self.shell_box[:] = self.shell_forms
        for field, form in self.model_forms.items():
            form.set_value(getattr(scenario, field))
        for field, form in self.option_forms.items():
            form.set_value(getattr(scenario.options, field))
        self.story.relabel()
        self._scenario_changed()

    def _scenario_changed(self) -> None:
        self.globe.show_ground(self.scenario.ground, lang=self.lang)
        self._sync_globe_clock()
        self.recompute()

    def _sync_globe_clock(self) -> None:
        """The globe's clock starts at the scenario's epoch even before the orbits arrive."""
        self.globe.epoch_utc = self.scenario.epoch_utc.isoformat().replace("+00:00", "Z")

    def _on_upload(self, event: param.parameterized.Event) -> None:
        data = event.new
        if not data:
            return
        if len(data) > files.MAX_UPLOAD_BYTES:
            self.scenario_error.object = error_html(self._(
                "The file is {size:,} bytes; a scenario is at most {limit:,}").format(
                size=len(data), limit=files.MAX_UPLOAD_BYTES))
            return
        try:
            scenario = load_scenario(data.decode("utf-8"))
        except (WorkbenchError, ValueError, UnicodeDecodeError) as exc:
            text = exc.render(self.lang) if isinstance(exc, ModelError) else str(exc)
            self.scenario_error.object = error_html(text)
            return
        self.set_scenario(scenario)

    def _scenario_bytes(self) -> io.BytesIO:
        return io.BytesIO(self.scenario.to_yaml().encode("utf-8"))

    def save(self) -> Path | None:
        """Write the scenario back to ``save_path`` (atomically)."""
        if self.save_path is None:
            return None
        files.write_atomic(self.save_path, self.scenario.to_yaml().encode("utf-8"))
        self.status.object = message_html(self._("Saved {path}").format(
            path=self.save_path.name))
        return self.save_path

    # --- analyses ---------------------------------------------------------------------
    @property
    def results(self) -> dict[str, Any]:
        """Analysis name → the latest result shown."""
        return {name: o.result for name, o in self.outcomes.items()}

    def recompute(self) -> None:
        """Recompute what the latest edit made stale (on the session's worker thread)."""
        self.timeline.append((time.perf_counter(), "submit"))
        self.progress.value = 0
        self.progress.bar_color = "info"
        self.recomputer.submit(self.scenario)

    def _soon(self, callback: Callable[[], None], *, freeze: bool = True) -> None:
        """Run ``callback`` on the session's event loop (directly when not served).

        ``freeze``: the callback adds or replaces models (an outcome's charts), so the
        document is frozen while it runs and Bokeh walks the model graph once at the end.
        A callback that only changes values (progress text) runs without: that walk covers
        every model of the page and cost ~0.1 s per progress message on 2 cores, which
        queued up ahead of the results (78 % of the event loop's time in a profile)."""
        doc = self._doc
        if doc is None:
            callback()
        else:
            doc.add_next_tick_callback(lambda: self._held(callback, freeze=freeze))

    def _held(self, callback: Callable[[], None], *, freeze: bool = True) -> None:
        """Run ``callback`` with the session's document held (its many small changes go
        out as one message) and, with ``freeze``, frozen (one walk of the model graph,
        not one per change: what made twenty sessions opening at once slow)."""
        from panel.io.document import hold

        with hold(self._doc, freeze=freeze):
            callback()

    def _progress_ready(self, fraction: float, message: str) -> None:
        # only the latest progress is drawn: messages that arrive while one is queued
        # replace it instead of queueing behind it
        with self._progress_lock:
            queued = self._progress_latest is not None
            self._progress_latest = (fraction, message)
        if queued:
            return

        def apply() -> None:
            with self._progress_lock:
                latest, self._progress_latest = self._progress_latest, None
            if latest is None:
                return
            self.progress.value = round(100 * latest[0])
            self.status.object = message_html(self._localized_progress(latest[1]))
        self._soon(apply, freeze=False)

    def _localized_progress(self, message: str) -> str:
        title, _sep, detail = message.partition(": ")
        if not title:
            return ""
        return f"{self._(title)} … {detail}".strip()

    def _outcome_ready(self, outcome: Outcome) -> None:
        # on the worker thread: the figures are built here, off the event loop
        self._maybe_show_orbits(outcome.scenario)
        figures: dict[str, Any] = {}
        if not outcome.failed:
            try:
                figures = _figures(outcome.result)
            except Exception as exc:  # a figure failing must not hide the numbers
                outcome.notes.append(f"figures: {type(exc).__name__}: {exc}")
        self._soon(lambda: self._show_outcome(outcome, figures))

    def _maybe_show_orbits(self, scenario: Scenario) -> None:
        key = (scenario.constellation, scenario.time_grid)
        if key == self._globe_key:
            return
        geometry = self.recomputer.geometry.get(scenario)
        self._globe_key = key

        def apply() -> None:
            self.globe.show_constellation(scenario.constellation, geometry=geometry,
                                          span_s=GLOBE_SPAN_S)
            self.story.reset_highlight()
        self._soon(apply)

    def _idle(self, ran: list[str]) -> None:
        self._maybe_show_orbits(self.recomputer.last_scenario)

        def apply() -> None:
            self.progress.value = 100
            self.progress.bar_color = "success"
            total = sum(self.recomputer.timings_s.get(n, 0.0) for n in ran)
            self.status.object = message_html(self._("Done: {n} analyses in {seconds} s").format(
                n=len(ran), seconds=f"{total:.1f}"))
            self.timeline.append((time.perf_counter(), "idle"))
        self._soon(apply, freeze=False)

    def _show_outcome(self, outcome: Outcome, figures: dict[str, Any]) -> None:
        _ = self._
        self.outcomes[outcome.name] = outcome
        self.figures[outcome.name] = figures
        panes = self._panes.get(outcome.name)
        if panes is None:
            return
        self.timeline.append((time.perf_counter(), outcome.name))
        spec = next(s for s in self.analyses if s.name == outcome.name)
        if outcome.failed:
            exc = outcome.result
            text = exc.render(self.lang) if isinstance(exc, ModelError) else (
                f"{type(exc).__name__}: {exc}")
            panes["headline"].object = ""
            panes["notes"].object = message_html(
                _("The {analysis} analysis failed: {error}").format(analysis=_(spec.title),
                                                                    error=text), error=True)
            panes["figures"][:] = []
            panes["tables"].object = ""
            return
        summary = registry.result_summary(outcome.result)
        panes["headline"].object = headline_html(key_figures(outcome.name, summary,
                                                             lang=self.lang))
        notes = "\n".join(outcome.notes)
        panes["notes"].object = message_html(notes) if notes else ""
        plots: dict[str, pn.pane.Plotly] = panes["plots"]
        for key, english in figures.items():
            figure = self._localized(english)
            if key in plots:
                plots[key].object = figure
            else:
                plots[key] = pn.pane.Plotly(figure, sizing_mode="stretch_width",
                                            config=PLOTLY_CONFIG, css_classes=["wb-figure", _css_name(key)])
        for key in [k for k in plots if k not in figures]:
            del plots[key]
        if [p for p in panes["figures"]] != [plots[k] for k in figures]:
            panes["figures"][:] = [plots[k] for k in figures]
        # the tables fold as <details> in one pane: collapsed cards whose text changes
        # made the browser lay out the page again and replot every chart, twice per card
        # (0.9 s of an economics edit on 2 cores, measured with Chromium's profiler)
        panes["tables"].object = tables_html(registry.result_frames(outcome.result))
        self.compare.current_changed()

    def _localized(self, figure: Any) -> Any:
        """``figure`` in the session's language: a translated copy (``self.figures`` keeps
        the English ones, so switching language translates them afresh)."""
        if self.lang == "en":
            return figure
        import plotly.graph_objects as go

        from ..viz.language import translate_figure

        return translate_figure(go.Figure(figure), self.lang)

    def close(self) -> None:
        """End the session's worker thread."""
        self.recomputer.close()


def _css_name(key: str) -> str:
    """A CSS class for a figure key (``RTT over time`` → ``wb-figure-rtt-over-time``)."""
    return "wb-figure-" + "".join(c if c.isalnum() else "-" for c in key.lower())


def _html(text: str) -> str:
    import html

    return html.escape(text)


def dashboard_app(scenario: Scenario | str | None = None, *, lang: str | None = None,
                  save_path: Path | None = None, globe_quality: str = "full",
                  sessions: list | None = None) -> pn.template.BootstrapTemplate:
    """Build one session's dashboard page (call it once per session: ``pn.serve(lambda:
    dashboard_app(scenario))``).

    ``sessions``, if given, receives the :class:`Dashboard` (tests and benchmarks look at
    its state). The worker thread ends when the browser session does.
    """
    pn.extension("plotly")
    dashboard = Dashboard(scenario, lang=session_language(lang), save_path=save_path,
                          globe_quality=globe_quality)
    if sessions is not None:
        sessions.append(dashboard)
    page = dashboard.template()
    if dashboard._doc is not None:
        pn.state.onload(dashboard.start)
        pn.state.on_session_destroyed(lambda _ctx: dashboard.close())
    return page


__all__ = [
    "DEFAULT_SCENARIO",
    "LANGUAGES",
    "Dashboard",
    "dashboard_app",
    "session_language",
]
