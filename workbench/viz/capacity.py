"""Plotly figures of capacity-analysis frames (:mod:`workbench.analyses.onboard.assessment`).

Every function takes the frames the analysis returns and draws them; none recomputes
physics. :func:`capacity_figures` draws whatever frames a result holds.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..locale import N_
from .language import fill
from .ticks import linear_axis, log_axis

TEMPLATE = "plotly_white"
MODE_NAMES = {"bent_pipe": N_("bent pipe (downlink raw)"), "in_orbit": N_("process in orbit")}
LIMIT_COLOURS = {"none": "#2ca02c", "power": "#ff7f0e", "thermal": "#d62728",
                 "infeasible": "#7f7f7f"}
LIMIT_NAMES = {"none": N_("not limited"), "power": N_("power-limited"),
               "thermal": N_("thermally limited"), "infeasible": N_("infeasible")}


def _layout(fig: go.Figure, title: str, **kwargs: Any) -> go.Figure:
    fig.update_layout(template=TEMPLATE, title=title, legend={"orientation": "h", "y": -0.2},
                      margin={"l": 60, "r": 60, "t": 60, "b": 60}, **kwargs)
    return fig


def power_figure(timeseries: pl.DataFrame, sat_id: int | None = None) -> go.Figure:
    """Generation, load and compute power with the battery's state of charge over time for
    one satellite of the ``timeseries`` frame (the first by default); eclipses shaded."""
    if sat_id is None:
        sat_id = int(timeseries["sat_id"][0]) if timeseries.height else 0
    ts = timeseries.filter(pl.col("sat_id") == sat_id)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    peak = float(ts["generation_w"].max() or 0.0) or 1.0
    fig.add_trace(go.Scatter(x=ts["time_utc"], y=(~ts["is_sunlit"]).cast(pl.Float64) * peak,
                             name=N_("eclipse"), fill="tozeroy", mode="none",
                             fillcolor="rgba(60,60,90,0.15)", line={"shape": "hv"}))
    for column, name in (("generation_w", N_("solar generation")),
                         ("load_w", N_("load (bus + compute)")),
                         ("compute_w", N_("compute power"))):
        fig.add_trace(go.Scatter(x=ts["time_utc"], y=ts[column], name=name, mode="lines",
                                 line={"shape": "hv"}))
    fig.add_trace(go.Scatter(x=ts["time_utc"], y=ts["soc_frac"], name=N_("battery charge"),
                             mode="lines", line={"dash": "dot"}), secondary_y=True)
    fig.update_yaxes(title_text=N_("power (W)"), secondary_y=False)
    fig.update_yaxes(title_text=N_("state of charge"), range=[0, 1.05], tickformat=".0%",
                     tickmode="linear", tick0=0.0, dtick=0.25, showgrid=False,
                     secondary_y=True)
    return _layout(fig, fill(N_("Power of satellite {sat_id}"), sat_id=sat_id))


def constellation_figure(constellation: pl.DataFrame) -> go.Figure:
    """Constellation effective TOPS and satellites in sunlight over time."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if "effective_tops" in constellation.columns:
        fig.add_trace(go.Scatter(x=constellation["time_utc"], y=constellation["effective_tops"],
                                 name=N_("effective TOPS (all satellites)"), mode="lines"))
    fig.add_trace(go.Scatter(x=constellation["time_utc"], y=constellation["n_sunlit"],
                             name=N_("satellites in sunlight"), mode="lines",
                             line={"dash": "dot"}), secondary_y=True)
    fig.update_yaxes(title_text=N_("INT8 TOPS"), rangemode="tozero", secondary_y=False)
    # its own round ticks, not ticks at the first axis's grid lines (96.6, 64.4, …)
    fig.update_yaxes(title_text=N_("satellites"), rangemode="tozero", showgrid=False,
                     secondary_y=True, **linear_axis(constellation["n_sunlit"].to_list()))
    return _layout(fig, N_("Constellation compute over time"))


def in_view_figure(in_view: pl.DataFrame, sites: list[str] | None = None) -> go.Figure:
    """Compute in view of each ground site over time (sum over satellites above its mask)."""
    fig = go.Figure()
    for site in sites or list(dict.fromkeys(in_view["site"].to_list())):
        part = in_view.filter(pl.col("site") == site)
        fig.add_trace(go.Scatter(x=part["time_utc"], y=part["tops_in_view"], name=site,
                                 mode="lines", line={"shape": "hv"}))
    fig.update_yaxes(title_text=N_("INT8 TOPS in view"), rangemode="tozero")
    return _layout(fig, N_("Orbital compute each site can reach"))


def in_view_stats_figure(stats: pl.DataFrame) -> go.Figure:
    """Median compute in view per site, with the 5th–95th percentile range."""
    fig = go.Figure(go.Bar(
        x=stats["site"], y=stats["tops_p50"], name=N_("median"),
        error_y={"type": "data", "symmetric": False,
                 "array": (stats["tops_p95"] - stats["tops_p50"]).to_list(),
                 "arrayminus": (stats["tops_p50"] - stats["tops_p5"]).to_list()},
        customdata=stats.select("tops_p5", "tops_p95", "covered_frac").rows(),
        hovertemplate="%{x}<br>median %{y:,.0f} TOPS<br>p5 %{customdata[0]:,.0f}, "
                      "p95 %{customdata[1]:,.0f}<br>covered %{customdata[2]:.0%}<extra></extra>"))
    fig.update_yaxes(title_text=N_("INT8 TOPS in view (p5–p50–p95)"))
    return _layout(fig, N_("Compute in view: percentiles over time"))


SVG_MAX_POINTS = 2000
"""Above this many points a scatter is drawn with WebGL (``Scattergl``), below it as SVG."""


def duty_figure(satellites: pl.DataFrame) -> go.Figure:
    """Each satellite's mean compute duty cycle against its mean beta angle, coloured by
    what limits it."""
    fig = go.Figure()
    # SVG up to a few thousand points: a WebGL trace costs the page one of the
    # browser's few live WebGL contexts (the globe needs one)
    scatter = go.Scattergl if satellites.height > SVG_MAX_POINTS else go.Scatter
    for limit in dict.fromkeys(satellites["limit"].to_list()):
        part = satellites.filter(pl.col("limit") == limit)
        fig.add_trace(scatter(
            x=part["beta_mean_deg"], y=part["duty_mean_frac"], mode="markers",
            name=LIMIT_NAMES.get(limit, limit),
            marker={"color": LIMIT_COLOURS.get(limit), "size": 5},
            customdata=part.select("sat_id", "eclipse_min_per_orbit").rows(),
            hovertemplate="sat %{customdata[0]}<br>β %{x:.1f}°<br>duty %{y:.0%}"
                          "<br>eclipse %{customdata[1]:.1f} min/orbit<extra></extra>"))
    fig.update_xaxes(title_text=N_("mean beta angle (deg)"))
    fig.update_yaxes(title_text=N_("mean compute duty cycle"), tickformat=".0%", range=[0, 1.05])
    return _layout(fig, N_("Duty cycle by satellite and what limits it"))


def thermal_figure(radiator_curve: pl.DataFrame, thermal: pl.DataFrame) -> go.Figure:
    """Radiator capacity against temperature, with the payload's heat and the allowed
    temperature."""
    row = thermal.row(0, named=True)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=radiator_curve["radiator_temp_k"],
                             y=radiator_curve["capacity_w"], mode="lines",
                             name=fill(N_("radiator capacity ({area_m2} m²)"),
                                       area_m2=f"{row['radiator_area_m2']:g}")))
    fig.add_trace(go.Scatter(x=radiator_curve["radiator_temp_k"],
                             y=radiator_curve["payload_power_w"], mode="lines",
                             name=N_("payload heat at full compute"), line={"dash": "dash"}))
    fig.add_vline(x=row["max_radiator_temp_k"], line_dash="dot",
                  annotation_text=N_("highest allowed temperature"))
    fig.update_xaxes(title_text=N_("radiator temperature (K)"))
    fig.update_yaxes(title_text=N_("heat (W)"), rangemode="tozero")
    return _layout(fig, fill(N_("Thermal: needs {area_m2} m² for full compute, sustains "
                                "{power_w} W"), area_m2=f"{row['area_needed_m2']:.2f}",
                             power_w=f"{row['max_compute_power_w']:,.0f}"))


def data_backlog_figure(data_pipeline: pl.DataFrame) -> go.Figure:
    """Data waiting on board (all satellites) and cumulative data lost, bent pipe against
    processing in orbit."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for mode in dict.fromkeys(data_pipeline["mode"].to_list()):
        part = data_pipeline.filter(pl.col("mode") == mode)
        name = MODE_NAMES.get(mode, mode)
        fig.add_trace(go.Scatter(x=part["time_utc"], y=part["stored_tb"], name=name,
                                 mode="lines", legendgroup=mode), row=1, col=1)
        fig.add_trace(go.Scatter(x=part["time_utc"], y=part["lost_gb"].cum_sum() / 1000.0,
                                 name=fill(N_("{name}: lost"), name=name), mode="lines",
                                 legendgroup=mode,
                                 line={"dash": "dot"}), row=2, col=1)
    fig.update_yaxes(title_text=N_("stored on board (TB)"), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=N_("lost so far (TB)"), rangemode="tozero", row=2, col=1)
    return _layout(fig, N_("Onboard data: bent pipe vs processing in orbit"), height=550)


def data_summary_figure(data_summary: pl.DataFrame) -> go.Figure:
    """Data per day by way of working: acquired, downlinked, lost; tiles delivered."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(N_("TB per day"),
                                                               N_("tiles delivered per day")))
    names = [MODE_NAMES.get(m, m) for m in data_summary["mode"]]
    for column, label in (("acquired_tb_per_day", N_("acquired")),
                          ("downlinked_tb_per_day", N_("downlinked")),
                          ("lost_tb_per_day", N_("lost"))):
        fig.add_trace(go.Bar(x=names, y=data_summary[column], name=label), row=1, col=1)
    fig.add_trace(go.Bar(x=names, y=data_summary["tiles_delivered_per_day"],
                         name=N_("tiles delivered"), showlegend=False), row=1, col=2)
    return _layout(fig, N_("Remote-sensing data per day"))


def radiation_figure(dose_depth: pl.DataFrame) -> go.Figure:
    """Dose rate and radiation life against aluminium shielding; the platform's marked."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=dose_depth["shielding_mm_al"], y=dose_depth["dose_rad_per_year"],
                             name=N_("dose rate"), mode="lines"))
    fig.add_trace(go.Scatter(x=dose_depth["shielding_mm_al"],
                             y=dose_depth["radiation_life_years"], name=N_("radiation life"),
                             mode="lines", line={"dash": "dash"}), secondary_y=True)
    mine = dose_depth.filter(pl.col("is_platform_shielding"))
    if mine.height:
        fig.add_vline(x=float(mine["shielding_mm_al"][0]), line_dash="dot",
                      annotation_text=N_("platform shielding"))
    fig.update_xaxes(title_text=N_("aluminium shielding (mm)"))
    fig.update_yaxes(title_text=N_("dose rate (rad(Si)/year)"), secondary_y=False,
                     **log_axis(dose_depth["dose_rad_per_year"].to_list()))
    fig.update_yaxes(title_text=N_("radiation life (years)"), showgrid=False, secondary_y=True,
                     **log_axis(dose_depth["radiation_life_years"].to_list()))
    alt, inc = float(dose_depth["altitude_km"][0]), float(dose_depth["inclination_deg"][0])
    return _layout(fig, fill(N_("Radiation at {altitude_km} km, {inclination_deg}°"),
                             altitude_km=f"{alt:.0f}", inclination_deg=f"{inc:.0f}"))


def eclipse_season_figure(seasons: pl.DataFrame, spans: pl.DataFrame) -> go.Figure:
    """Eclipse per orbit and the smallest beta angle over the span (top), the node's local
    solar time against the true and the mean Sun (bottom), eclipse seasons shaded.

    Parameters
    ----------
    seasons : frame of :func:`~workbench.analyses.onboard.seasons.eclipse_seasons`
    spans : frame of :func:`~workbench.analyses.onboard.seasons.eclipse_season_spans`
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.65, 0.35], specs=[[{"secondary_y": True}],
                                                         [{"secondary_y": False}]])
    x = seasons["time_utc"]
    fig.add_trace(go.Scatter(x=x, y=seasons["eclipse_max_s"] / 60.0, mode="lines",
                             name=N_("longest eclipse per orbit"), fill="tozeroy",
                             fillcolor="rgba(60,60,90,0.15)"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=seasons["eclipse_mean_s"] / 60.0, mode="lines",
                             name=N_("mean eclipse per orbit"), line={"dash": "dash"}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=seasons["beta_min_deg"], mode="lines",
                             name=N_("smallest beta angle"), line={"dash": "dot"}),
                  row=1, col=1, secondary_y=True)
    fig.add_trace(go.Scatter(x=x, y=seasons["ltan_h"], mode="lines",
                             name=N_("node local time (true Sun)")), row=2, col=1)
    fig.add_trace(go.Scatter(x=x, y=seasons["ltan_mean_h"], mode="lines",
                             name=N_("node local time (mean Sun)"), line={"dash": "dash"}),
                  row=2, col=1)
    for start, end in spans.select("start_utc", "end_utc").iter_rows():
        fig.add_vrect(x0=start, x1=end, fillcolor="rgba(214,39,40,0.10)", line_width=0,
                      row="all", col=1)
    if spans.height:
        first = spans.row(0, named=True)
        fig.add_annotation(x=first["start_utc"], y=1.0, yref="paper", xanchor="left",
                           yanchor="bottom", showarrow=False, text=N_("eclipse season"))
    fig.update_yaxes(title_text=N_("eclipse per orbit (min)"), rangemode="tozero",
                     row=1, col=1, secondary_y=False)
    fig.update_yaxes(title_text=N_("beta angle (deg)"), showgrid=False, row=1, col=1,
                     secondary_y=True, **linear_axis(seasons["beta_min_deg"].to_list(),
                                                         from_zero=False))
    fig.update_yaxes(title_text=N_("ascending node (h)"), row=2, col=1)
    longest = float(seasons["eclipse_max_s"].max() or 0.0)
    title = (fill(N_("Eclipse seasons: up to {minutes} min per orbit"),
                  minutes=f"{longest / 60.0:.1f}") if longest > 0.0
             else N_("No eclipse over the span"))
    return _layout(fig, title, height=600)


def capacity_figures(frames: Mapping[str, pl.DataFrame],
                     summary: Mapping[str, Any] | None = None) -> dict[str, go.Figure]:
    """Every figure the frames allow, by name: power, constellation, duty, in_view,
    in_view_stats, thermal, data_backlog, data_summary, radiation."""
    figures: dict[str, go.Figure] = {}
    if "timeseries" in frames and "soc_frac" in frames["timeseries"].columns \
            and frames["timeseries"].height:
        figures["power"] = power_figure(frames["timeseries"])
    if "constellation" in frames and "n_sunlit" in frames["constellation"].columns:
        figures["constellation"] = constellation_figure(frames["constellation"])
    sats = frames.get("satellites")
    if sats is not None and {"limit", "beta_mean_deg"} <= set(sats.columns):
        figures["duty"] = duty_figure(sats)
    if "in_view" in frames:
        figures["in_view"] = in_view_figure(frames["in_view"])
    if "in_view_stats" in frames:
        figures["in_view_stats"] = in_view_stats_figure(frames["in_view_stats"])
    if "radiator_curve" in frames and "thermal" in frames:
        figures["thermal"] = thermal_figure(frames["radiator_curve"], frames["thermal"])
    if "data_pipeline" in frames:
        figures["data_backlog"] = data_backlog_figure(frames["data_pipeline"])
    if "data_summary" in frames:
        figures["data_summary"] = data_summary_figure(frames["data_summary"])
    if "dose_depth" in frames:
        figures["radiation"] = radiation_figure(frames["dose_depth"])
    return figures


__all__ = ["power_figure", "constellation_figure", "in_view_figure", "in_view_stats_figure",
           "duty_figure", "thermal_figure", "data_backlog_figure", "data_summary_figure",
           "radiation_figure", "eclipse_season_figure", "capacity_figures"]
