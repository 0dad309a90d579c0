"""Compare: two to four scenarios side by side — a key-figures table and overlaid charts.

The user adds the current scenario (with its results, already computed) as a named
alternative, or loads a built-in scenario, whose analyses then run on a thread of their
own. The table holds every analysis's key figures (:mod:`.headline`) per alternative; the
charts overlay the cumulative net cash flow and the distribution of round-trip times.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import panel as pn
import plotly.graph_objects as go
import polars as pl

from ..analyses import registry
from ..locale import translator
from ..model.scenario import Scenario
from ..orbits.geometry import scenario_geometry
from ..scenarios import load_scenario
from .globe import PLOTLY_CONFIG
from .headline import KEY_FIGURES, key_figures
from .panes import message_html, table_html
from .recompute import SHARED, inputs_key, result_key, run_analysis

MAX_ALTERNATIVES = 4


@dataclass
class Alternative:
    """A named scenario and the results computed for it."""

    name: str
    scenario: Scenario
    results: dict[str, Any] = field(default_factory=dict)
    ready: bool = False


def run_all(scenario: Scenario, specs: Any) -> dict[str, Any]:
    """Every analysis of ``specs`` on ``scenario``, one propagation shared (failures kept
    as the exception). Geometry and results come from, and go to, the sessions' shared
    store, so comparing the scenario on screen reruns nothing."""
    specs = tuple(specs)
    by_name = {spec.name: spec for spec in specs}
    geometry, _ = SHARED.geometries.get((scenario.constellation, scenario.time_grid),
                                        lambda: scenario_geometry(scenario))
    results: dict[str, Any] = {}
    for spec in specs:
        (results[spec.name], _notes), _ = SHARED.results.get(
            result_key(spec, scenario, by_name),
            lambda spec=spec: run_analysis(spec, scenario, results=results, geometry=geometry))
    return results


def key_figure_rows(alternatives: list[Alternative], *,
                    lang: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The comparison table: header (figure, then each alternative) and one row per key
    figure any alternative has."""
    _ = translator(lang)
    header = [_("Key figure"), *(a.name for a in alternatives)]
    rows: list[list[str]] = []
    for name in [*KEY_FIGURES, *{n for a in alternatives for n in a.results} - set(KEY_FIGURES)]:
        per_alt = []
        for alt in alternatives:
            result = alt.results.get(name)
            summary = {} if result is None or isinstance(result, BaseException) else (
                registry.result_summary(result))
            per_alt.append({f.key: f for f in key_figures(name, summary, lang=lang)})
        keys = list(dict.fromkeys(k for figures in per_alt for k in figures))
        for key in keys:
            label = next(f[key].label for f in per_alt if key in f)
            rows.append([label, *(f[key].text if key in f else "—" for f in per_alt)])
    return header, rows


def cash_flow_figure(alternatives: list[Alternative], *, lang: str | None = None) -> go.Figure:
    """Cumulative net cash flow by programme year, one line per alternative."""
    _ = translator(lang)
    fig = go.Figure()
    for alt in alternatives:
        business = alt.results.get("business")
        annual = getattr(business, "frames", {}).get("annual") if business is not None and (
            not isinstance(business, BaseException)) else None
        if annual is None:
            continue
        frame = annual.sort("year").with_columns(pl.col("net_usd").cum_sum().alias("cum"))
        fig.add_scatter(x=frame["calendar_year"].to_list(), y=(frame["cum"] / 1e6).to_list(),
                        mode="lines+markers", name=alt.name)
    fig.update_layout(title=_("Cumulative net cash flow"), xaxis_title=_("Year"),
                      yaxis_title=_("Cumulative net cash flow") + " (M USD)",
                      template="plotly_white", height=380)
    return fig


def rtt_figure(alternatives: list[Alternative], *, lang: str | None = None) -> go.Figure:
    """Share of (time, pair) round trips at or below each RTT, one line per alternative."""
    _ = translator(lang)
    fig = go.Figure()
    for alt in alternatives:
        latency = alt.results.get("latency")
        if latency is None or isinstance(latency, BaseException):
            continue
        rtt = latency.frames["rtt"]["rtt_ms"].drop_nulls().sort().to_numpy()
        if not len(rtt):
            continue
        step = max(1, len(rtt) // 400)
        share = [(i + 1) / len(rtt) * 100 for i in range(0, len(rtt), step)]
        fig.add_scatter(x=rtt[::step].tolist(), y=share, mode="lines", name=alt.name)
    fig.update_layout(title=_("Round-trip times"), xaxis_title=_("RTT") + " (ms)",
                      yaxis_title=_("Share of reachable round trips") + " (%)",
                      template="plotly_white", height=380)
    return fig


class ComparePanel:
    """The Compare tab of one dashboard session."""

    def __init__(self, dashboard: Any) -> None:  # the session's app.Dashboard (it builds us)
        self.dashboard = dashboard
        self.alternatives: list[Alternative] = []
        self._lock = threading.Lock()
        self.table = pn.pane.HTML("", sizing_mode="stretch_width")
        self.notes = pn.pane.HTML("", sizing_mode="stretch_width")
        self.cash: pn.pane.Plotly | None = None
        self.rtt: pn.pane.Plotly | None = None
        self.charts = pn.Column(sizing_mode="stretch_width")
        self.name_input = pn.widgets.TextInput(width=220)
        self.add_button = pn.widgets.Button(color="primary")
        self.builtin = pn.widgets.Select(options=_builtin_names(), width=220)
        self.load_button = pn.widgets.Button()
        self.clear_button = pn.widgets.Button()
        self.add_button.on_click(lambda _e: self.add_current(self.name_input.value))
        self.load_button.on_click(lambda _e: self.add_builtin(self.builtin.value))
        self.clear_button.on_click(lambda _e: self.clear())
        self._layout = pn.Column(
            pn.Row(self.name_input, self.add_button),
            pn.Row(self.builtin, self.load_button, self.clear_button),
            self.notes, self.table, self.charts, sizing_mode="stretch_width")
        self.relabel()

    def panel(self) -> pn.viewable.Viewable:
        self.relabel()
        return self._layout

    def relabel(self) -> None:
        _ = translator(self.dashboard.lang)
        self.name_input.placeholder = _("Name of this alternative")
        self.add_button.label = _("Add the current scenario")
        self.load_button.label = _("Load a built-in scenario")
        self.clear_button.label = _("Clear")
        self.redraw()

    def _full(self) -> bool:
        if len(self.alternatives) >= MAX_ALTERNATIVES:
            _ = translator(self.dashboard.lang)
            self.notes.object = message_html(_("At most {n} alternatives").format(
                n=MAX_ALTERNATIVES), error=True)
            return True
        return False

    def add_current(self, name: str = "") -> Alternative | None:
        """Add the dashboard's scenario under ``name`` (its results when they are for it)."""
        if self._full():
            return None
        dashboard = self.dashboard
        scenario = dashboard.scenario
        name = name.strip() or f"{scenario.name} ({len(self.alternatives) + 1})"
        outcomes = dashboard.outcomes
        done = dashboard.recomputer.done
        current = all(s.name in outcomes and done.get(s.name) == inputs_key(s, scenario)
                      for s in dashboard.analyses)
        alt = Alternative(name, scenario)
        if current:
            alt.results, alt.ready = {n: o.result for n, o in outcomes.items()}, True
        self._add(alt)
        return alt

    def add_builtin(self, name: str) -> Alternative | None:
        """Load a built-in scenario as an alternative (its analyses run in the background)."""
        if self._full() or not name:
            return None
        alt = Alternative(name, load_scenario(name))
        self._add(alt)
        return alt

    def _add(self, alt: Alternative) -> None:
        with self._lock:
            self.alternatives.append(alt)
        self.redraw()
        if not alt.ready:
            threading.Thread(target=self._compute, args=(alt,), daemon=True,
                             name="workbench-compare").start()

    def _compute(self, alt: Alternative) -> None:
        results = run_all(alt.scenario, self.dashboard.analyses)
        alt.results, alt.ready = results, True
        self.dashboard._soon(self.redraw)

    def clear(self) -> None:
        with self._lock:
            self.alternatives.clear()
        self.redraw()

    def current_changed(self) -> None:
        """The dashboard's results changed (nothing to do: alternatives are snapshots)."""

    @property
    def busy(self) -> bool:
        return any(not a.ready for a in self.alternatives)

    def redraw(self) -> None:
        _ = translator(self.dashboard.lang)
        with self._lock:
            alternatives = list(self.alternatives)
        waiting = [a.name for a in alternatives if not a.ready]
        ready = [a for a in alternatives if a.ready]
        if not alternatives:
            self.notes.object = message_html(_(
                "Add two to four alternatives: the current scenario under a name, or a "
                "built-in scenario."))
        elif waiting:
            self.notes.object = message_html(_("Computing: {names}").format(
                names=", ".join(waiting)))
        else:
            self.notes.object = ""
        if ready:
            header, rows = key_figure_rows(ready, lang=self.dashboard.lang)
            self.table.object = table_html(header, rows)
        else:
            self.table.object = ""
        if not ready:  # no charts until something is ready
            self.charts[:] = []
            return
        cash = cash_flow_figure(ready, lang=self.dashboard.lang)
        rtt = rtt_figure(ready, lang=self.dashboard.lang)
        if self.cash is None or self.rtt is None:
            self.cash = pn.pane.Plotly(cash, sizing_mode="stretch_width", config=PLOTLY_CONFIG)
            self.rtt = pn.pane.Plotly(rtt, sizing_mode="stretch_width", config=PLOTLY_CONFIG)
        else:
            self.cash.object, self.rtt.object = cash, rtt
        self.charts[:] = [self.cash, self.rtt]


def _builtin_names() -> list[str]:
    from .. import datasets

    try:
        return list(datasets.scenarios())
    except Exception:  # no catalog: only the current scenario can be compared
        return []


__all__ = ["MAX_ALTERNATIVES", "Alternative", "ComparePanel", "cash_flow_figure",
           "key_figure_rows", "rtt_figure", "run_all"]
