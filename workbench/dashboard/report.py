"""A self-contained HTML report of a scenario: every registered analysis, its key figures
and charts, the scenario's parameters and a map of the constellation, in English or
Simplified Chinese, in one file that opens with no network.

Offline by construction: plotly.js is inlined once in the head, the world map's topojson
is handed to plotly.js in the page (no fetch), MathJax is off, fonts are the system fonts of
:data:`workbench.locale.fonts.FONT_STACK`, and a Content-Security-Policy that allows no
source but the page itself makes the browser refuse any request a script might still try.

>>> from workbench.dashboard.report import report_language
>>> report_language("zh")
'zh_CN'
"""
from __future__ import annotations

import html
import json
import math
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..locale import N_, normalize_language, translator
from ..locale.fonts import FONT_STACK
from ..model.constants import MU_EARTH_KM3_PER_S2
from .keyfigures import key_figures
from .parameters import parameters_html

Progress = Callable[[float, str], None]

MAX_POINTS = 2000
"""Most points a line trace keeps in the report (longer traces are thinned evenly)."""

TRACK_STEPS = 200
"""Most points of each ground track on the report's map."""

CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["sendDataToCloud"]}
"""plotly.js config of every chart (no link to plotly's cloud)."""

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; "
       "form-action 'none'")
"""Content-Security-Policy of the report: inline code and data: images only, no request."""

ROLE_NAMES = {"gateway": N_("gateway"), "user": N_("user"), "datacenter": N_("datacenter"),
              "relay": N_("relay"), "target": N_("target")}
"""Ground-site roles as the map's legend names them."""

STYLE = """
:root{--ink:#1d2733;--muted:#5b6775;--line:#d8dee6;--accent:#1f6fb2}
*{box-sizing:border-box}
body{margin:0;font-family:%(font)s;color:var(--ink);background:#f6f8fa;line-height:1.45}
header{background:#12324f;color:#fff;padding:24px 32px}
header h1{margin:0 0 6px;font-size:26px}header p{margin:0;color:#cfe0f3}
main{max-width:1180px;margin:0 auto;padding:16px 32px 48px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;
margin:16px 0}
h2{margin:4px 0 12px;font-size:21px}h3{margin:16px 0 8px;font-size:17px}
h4,h5,h6{margin:12px 0 6px;font-size:15px}
nav ol{columns:2;margin:0;padding-left:20px}nav a{color:var(--accent)}
table{border-collapse:collapse;font-size:14px;margin:4px 0 8px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
table.params th{font-weight:500;color:var(--muted);width:38%%}
table.keys td.value{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.items th{font-weight:500;color:var(--muted);white-space:nowrap}
.scroll{overflow-x:auto}
.desc{color:var(--muted);margin:0 0 8px}
.note{background:#fff7e6;border-left:4px solid #f0a020;padding:6px 10px;margin:6px 0;
font-size:14px;white-space:pre-wrap}
.error{background:#fdecec;border-left:4px solid #d62728;padding:6px 10px;margin:6px 0;
white-space:pre-wrap}
.figure{margin:12px 0}
footer{color:var(--muted);font-size:13px;text-align:center;padding:12px}
"""


def report_language(lang: str | None) -> str:
    """The catalog name of a report language (``zh`` → ``zh_CN``); raises
    :class:`workbench.locale.LanguageError` naming the allowed ones."""
    return normalize_language(lang)


# --------------------------------------------------------------------------- running


def run_analyses(scenario: Any, *, progress: Progress | None = None
                 ) -> tuple[dict[str, Any], dict[str, list[str]], Any]:
    """Run every registered analysis on one shared orbit geometry.

    Returns
    -------
    results : dict of name → result, or the exception the analysis raised
    notes : dict of name → the warnings it gave (text)
    geometry : the scenario's :class:`~workbench.orbits.geometry.OrbitGeometry`
    """
    from ..analyses import registry
    from ..orbits.geometry import scenario_geometry

    specs = registry.analyses()
    n = len(specs) + 1
    report = progress or (lambda fraction, message: None)
    report(0.0, "propagating the constellation")
    geometry = scenario_geometry(scenario)
    results: dict[str, Any] = {}
    notes: dict[str, list[str]] = {}
    for i, spec in enumerate(specs, start=1):
        report(i / n, f"running {spec.name}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                results[spec.name] = registry.run(spec, scenario, results=results,
                                                  geometry=geometry)
            except Exception as exc:  # noqa: BLE001  (shown in the report, others still run)
                results[spec.name] = exc
        notes[spec.name] = list(dict.fromkeys(str(w.message) for w in caught))
    report(1.0, "analyses done")
    return results, notes, geometry


# --------------------------------------------------------------------------- figures


def thin_figure(fig: Any, max_points: int = MAX_POINTS) -> Any:
    """``fig`` with every scatter trace longer than ``max_points`` thinned to that many
    evenly spaced points (first and last kept); other traces untouched. Changes ``fig``."""
    for trace in fig.data:
        if trace.type not in ("scatter", "scattergl") or trace.x is None:
            continue
        n = len(trace.x)
        if n <= max_points:
            continue
        keep = np.unique(np.linspace(0, n - 1, max_points).round().astype(int))
        for attr in ("x", "y", "text", "hovertext", "customdata"):
            values = getattr(trace, attr, None)
            if values is not None and not isinstance(values, str) and len(values) == n:
                setattr(trace, attr, np.asarray(values, dtype=object)[keep].tolist()
                        if not isinstance(values, np.ndarray) else values[keep])
    return fig


def svg_figure(fig: Any) -> Any:
    """``fig``, or a copy with its WebGL scatter traces as SVG scatter traces (a report's
    reader may have no WebGL)."""
    import plotly.graph_objects as go

    if not any(trace.type == "scattergl" for trace in fig.data):
        return fig
    layout = fig.layout
    traces = [go.Scatter({k: v for k, v in trace.to_plotly_json().items() if k != "type"})
              if trace.type == "scattergl" else trace for trace in fig.data]
    return go.Figure(data=traces, layout=layout)


def _figure_html(fig: Any, div_id: str, lang: str, *, static: bool = False) -> str:
    from ..viz.language import translate_figure

    out = svg_figure(thin_figure(translate_figure(fig, lang)))
    out.update_layout(font={"family": FONT_STACK}, autosize=True)
    height = out.layout.height or 460
    config = {**CONFIG, "staticPlot": True} if static else CONFIG
    return out.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False,
                       config=config, div_id=div_id, default_width="100%",
                       default_height=f"{int(height)}px", validate=False)


def globe_figure(scenario: Any, geometry: Any, lang: str) -> Any:
    """The satellites' sub-points and the ground sites at the scenario's start on an
    orthographic map centred on the sites, with a few ground tracks of the first orbit."""
    from ..viz.globe_plotly import globe_figure as draw

    _ = translator(lang)
    r = geometry.r_itrs_km
    radius_km = float(np.nanmean(geometry.radius_km)) if geometry.radius_km.size else 6928.0
    period_s = 2 * math.pi * math.sqrt(radius_km ** 3 / MU_EARTH_KM3_PER_S2)
    step_s = max(float(scenario.step_s), 1.0)
    n_steps = min(r.shape[1], math.ceil(period_s / step_s) + 1)
    stride = max(1, math.ceil(n_steps / TRACK_STEPS))
    sites = list(scenario.ground)
    if sites:
        lat = float(np.mean([s.lat_deg for s in sites]))
        lon = float(np.degrees(np.arctan2(np.mean(np.sin(np.radians([s.lon_deg for s in sites]))),
                                          np.mean(np.cos(np.radians([s.lon_deg
                                                                     for s in sites]))))))
    else:
        lat, lon = 30.0, 105.0
    fig = draw(r[:, :n_steps:stride], ground=scenario.ground if sites else None,
               centre_deg=(lat, lon), max_tracks=12,
               title=_(N_("Satellites and ground sites at the start time")))
    names = {"tracks": _(N_("ground tracks (first orbit)")), "satellites": _(N_("satellites"))}
    for trace in fig.data:
        if trace.name in names:
            trace.name = names[trace.name]
        elif trace.name in ROLE_NAMES:
            trace.name = _(ROLE_NAMES[trace.name])
    fig.update_layout(height=560, margin={"l": 0, "r": 0, "t": 40, "b": 0})
    return fig


def _geo_assets_script() -> str:
    from ..viz.globe_plotly import topojson_json

    data = json.dumps(topojson_json(), separators=(",", ":")).replace("</", "<\\/")
    return ("<script>window.PlotlyGeoAssets=window.PlotlyGeoAssets||{topojson:{}};"
            f"window.PlotlyGeoAssets.topojson.world_110m={data};</script>")


def _plotly_script() -> str:
    from plotly.offline import get_plotlyjs

    return ("<script>window.PlotlyConfig={MathJaxConfig:'local'};</script>"
            f"<script>{get_plotlyjs()}</script>")


# --------------------------------------------------------------------------- page


def _key_table(summary: Mapping[str, Any], _: Callable[[str], str], lang: str) -> str:
    rows = key_figures(summary, lang=lang)
    if not rows:
        return f"<p class=\"desc\">{html.escape(_(N_('This analysis has no key figures.')))}</p>"
    body = "".join(f"<tr><th scope=\"row\">{html.escape(r.label)}</th>"
                   f"<td class=\"value\">{html.escape(r.value)}</td>"
                   f"<td>{html.escape(r.unit)}</td></tr>" for r in rows)
    head = (f"<thead><tr><th scope=\"col\">{html.escape(_(N_('Key figure')))}</th>"
            f"<th scope=\"col\">{html.escape(_(N_('Value')))}</th>"
            f"<th scope=\"col\">{html.escape(_(N_('Unit')))}</th></tr></thead>")
    return f"<table class=\"keys\">{head}<tbody>{body}</tbody></table>"


def _analysis_section(spec: Any, result: Any, notes: list[str], index: int,
                      _: Callable[[str], str], lang: str) -> str:
    from ..analyses import registry
    from ..viz import figures

    parts = [f"<section id=\"analysis-{index}\"><h2>{html.escape(_(spec.title))}</h2>"]
    if spec.description:
        parts.append(f"<p class=\"desc\">{html.escape(_(spec.description))}</p>")
    if isinstance(result, BaseException):
        message = _(N_("This analysis did not run: {error}")).format(
            error=f"{type(result).__name__}: {result}")
        parts.append(f"<div class=\"error\">{html.escape(message)}</div></section>")
        return "".join(parts)
    parts.append(f"<h3>{html.escape(_(N_('Key figures')))}</h3>")
    parts.append(_key_table(registry.result_summary(result), _, lang))
    for note in notes:
        parts.append(f"<div class=\"note\">{html.escape(note)}</div>")
    for k, fig in enumerate(figures(result).values()):
        parts.append(f"<div class=\"figure\">{_figure_html(fig, f'fig-{index}-{k}', lang)}"
                     "</div>")
    parts.append("</section>")
    return "".join(parts)


def build_report(scenario: Any, *, lang: str | None = "en",
                 results: Mapping[str, Any] | None = None,
                 progress: Progress | None = None) -> str:
    """The report of ``scenario`` as one self-contained HTML document.

    Parameters
    ----------
    scenario : Scenario, or a built-in name, YAML path or text (``load_scenario``)
    lang : "en" or "zh_CN" (also "zh", "zh-CN")
    results : mapping of analysis name → result, optional
        Results already computed (an exception shows as "did not run"); by default every
        registered analysis runs on one shared orbit geometry.
    progress : callable(fraction_done, message), optional

    Returns
    -------
    str
        The HTML text. Every text from the scenario or the results is escaped.
    """
    from .. import __version__
    from ..analyses import registry
    from ..orbits.geometry import scenario_geometry
    from ..scenarios import load_scenario

    lang = report_language(lang)
    _ = translator(lang)
    scenario = load_scenario(scenario)
    report = progress or (lambda fraction, message: None)
    started = time.perf_counter()
    if results is None:
        def step(fraction: float, message: str) -> None:
            report(0.9 * fraction, message)

        results, notes, geometry = run_analyses(scenario, progress=step)
    else:
        results, notes = dict(results), {}
        geometry = scenario_geometry(scenario)
    report(0.9, "drawing the figures")
    specs = [spec for spec in registry.analyses() if spec.name in results]
    title = _(N_("Report: {scenario}")).format(scenario=scenario.name)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    toc = [f"<li><a href=\"#scenario\">{html.escape(_(N_('Scenario')))}</a></li>",
           f"<li><a href=\"#globe\">{html.escape(_(N_('Constellation map')))}</a></li>"]
    toc += [f"<li><a href=\"#analysis-{i}\">{html.escape(_(spec.title))}</a></li>"
            for i, spec in enumerate(specs)]
    toc.append(f"<li><a href=\"#parameters\">{html.escape(_(N_('Parameters')))}</a></li>")
    body = [
        f"<header><h1>{html.escape(title)}</h1><p>"
        + html.escape(_(N_("Generated {time} by the Space Computing Workbench {version}"))
                      .format(time=generated, version=__version__)) + "</p></header><main>",
        (f"<nav><section><h2>{html.escape(_(N_('Contents')))}</h2><ol>{''.join(toc)}</ol>"
         "</section></nav>"),
        f"<section id=\"scenario\"><h2>{html.escape(_(N_('Scenario')))}</h2>"
        f"<p>{html.escape(scenario.description or '—')}</p>"
        + _overview_table(scenario, _) + "</section>",
        f"<section id=\"globe\"><h2>{html.escape(_(N_('Constellation map')))}</h2>"
        + _figure_html(globe_figure(scenario, geometry, lang), "fig-globe", lang, static=True)
        + "</section>",
    ]
    for i, spec in enumerate(specs):
        report(0.9 + 0.1 * i / max(len(specs), 1), f"drawing {spec.name}")
        body.append(_analysis_section(spec, results[spec.name], notes.get(spec.name, []), i,
                                      _, lang))
    body.append(f"<section id=\"parameters\"><h2>{html.escape(_(N_('Parameters')))}</h2>"
                + parameters_html(scenario, lang=lang) + "</section>")
    seconds = f"{time.perf_counter() - started:.1f}"
    footer = _(N_("Computed in {seconds} s")).format(seconds=seconds)
    body.append(f"</main><footer>{html.escape(footer)}</footer>")
    report(1.0, "report ready")
    html_lang = "zh-CN" if lang == "zh_CN" else lang.replace("_", "-")
    return ("<!DOCTYPE html>\n"
            f"<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title>"
            f"<style>{STYLE % {'font': FONT_STACK}}</style>"
            + _geo_assets_script() + _plotly_script()
            + "</head><body>" + "".join(body) + "</body></html>\n")


def _overview_table(scenario: Any, _: Callable[[str], str]) -> str:
    n_sats = len(scenario.constellation)
    rows = [
        (_(N_("Satellites")), f"{n_sats:,}"),
        (_(N_("Ground sites")), f"{len(scenario.ground):,}"),
        (_(N_("Start time")), scenario.epoch_utc.isoformat().replace("+00:00", "Z")),
        (_(N_("Duration")), _(N_("{hours} h")).format(hours=f"{scenario.duration_s / 3600:g}")),
        (_(N_("Time step")), _(N_("{seconds} s")).format(seconds=f"{scenario.step_s:g}")),
    ]
    body = "".join(f"<tr><th scope=\"row\">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    return f"<table class=\"params\">{body}</table>"


def write_report(scenario: Any, path: str | os.PathLike[str], *, lang: str | None = "en",
                 results: Mapping[str, Any] | None = None,
                 progress: Progress | None = None) -> Path:
    """Build the report and write it to ``path`` atomically: to a temporary file beside it,
    then renamed into place, so a failure leaves any earlier file as it was.

    Returns the path written.
    """
    target = Path(path).expanduser()
    text = build_report(scenario, lang=lang, results=results, progress=progress)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


__all__ = ["CSP", "MAX_POINTS", "build_report", "globe_figure", "report_language",
           "run_analyses", "svg_figure", "thin_figure", "write_report"]
