"""Figures of the business analyses: cash flows, value chain, space vs ground, tornado,
NPV distribution. Each takes the analysis frames and returns a plotly figure; nothing here
recomputes the economics."""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from ..locale import N_
from .language import fill

__all__ = ["business_figures", "cash_flow_figure", "npv_distribution_figure",
           "space_vs_ground_figure", "tornado_figure", "value_chain_figure"]

_TEMPLATE = "plotly_white"
_LINE_LABELS = {
    "nre": N_("non-recurring engineering"), "ground_segment": N_("ground segment"),
    "satellite_bus": N_("satellite buses"), "compute_payload": N_("compute payloads"),
    "launch": N_("launch"), "insurance": N_("insurance"), "replenishment": N_("replenishment"),
    "operations": N_("operations"), "compute_sales": N_("compute sold"),
    "data_products": N_("data products"), "latency_premium": N_("latency premium")}
_SEGMENT_LABELS = {
    "satellite_manufacturing": N_("satellite manufacturing"),
    "onboard_chips": N_("onboard chips"), "laser_communication": N_("laser communication"),
    "energy_thermal": N_("energy & thermal"), "launch": N_("launch"),
    "ground_terminals": N_("ground terminals"), "software_scheduling": N_("software & scheduling"),
    "operations_services": N_("operations & services")}


def cash_flow_figure(cash_flows: pl.DataFrame, annual: pl.DataFrame | None = None, *,
                     currency: Literal["usd", "cny"] = "usd", title: str | None = None,
                     ) -> go.Figure:
    """Stacked yearly bars by line item (costs below zero, revenue above) and the
    cumulative net cash flow.

    Parameters
    ----------
    cash_flows : polars.DataFrame
        ``calendar_year``, ``line_item``, ``cash_usd`` / ``cash_cny`` (BusinessResult).
    annual : polars.DataFrame, optional
        ``calendar_year``, ``cumulative_usd``, ``cumulative_discounted_usd`` for the lines
        (USD only; scaled by the frame's exchange rate for CNY).
    """
    col = f"cash_{currency}"
    unit = currency.upper()
    per = (cash_flows.group_by("calendar_year", "line_item").agg(pl.col(col).sum())
           .sort("calendar_year"))
    fig = go.Figure()
    for item in [i for i in _LINE_LABELS if i in set(per["line_item"].to_list())]:
        part = per.filter(pl.col("line_item") == item)
        if part[col].abs().sum() == 0:
            continue
        fig.add_bar(x=part["calendar_year"].to_list(), y=(part[col] / 1e6).to_list(),
                    name=_LINE_LABELS[item])
    if annual is not None:
        rate = 1.0
        if currency == "cny":
            usd = cash_flows["cash_usd"].abs().sum()
            rate = cash_flows["cash_cny"].abs().sum() / usd if usd else 1.0
        for column, name, dash in (("cumulative_usd", N_("cumulative net"), "solid"),
                                   ("cumulative_discounted_usd",
                                    N_("cumulative discounted"), "dot")):
            fig.add_scatter(x=annual["calendar_year"].to_list(),
                            y=(annual[column] * rate / 1e6).to_list(), name=name,
                            mode="lines+markers", line={"color": "black", "dash": dash})
    fig.update_layout(barmode="relative", template=_TEMPLATE,
                      title=title or N_("Cash flows by line item"),
                      xaxis_title=N_("year"), yaxis_title=fill(N_("million {unit}"), unit=unit),
                      legend={"orientation": "h", "y": -0.2})
    return fig


def value_chain_figure(value_chain: pl.DataFrame, *, currency: Literal["usd", "cny"] = "cny",
                       title: str | None = None) -> go.Figure:
    """Spend per industrial segment over the programme, split into what a regional cluster
    supplies (local) and what it buys in; and the spend per segment per year.

    Parameters
    ----------
    value_chain : polars.DataFrame
        ``calendar_year``, ``segment``, ``cost_usd``/``cost_cny``, ``local_usd``/``local_cny``.
    """
    unit = currency.upper()
    cost, local = f"cost_{currency}", f"local_{currency}"
    order = list(_SEGMENT_LABELS)
    totals = (value_chain.group_by("segment").agg(pl.col(cost).sum(), pl.col(local).sum())
              .with_columns(order=pl.col("segment").replace_strict(
                  {s: i for i, s in enumerate(order)}, default=len(order)))
              .sort("order", descending=True))
    labels = [_SEGMENT_LABELS.get(s, s) for s in totals["segment"].to_list()]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55],
                        subplot_titles=(N_("whole programme"), N_("per year")))
    fig.add_bar(y=labels, x=(totals[local] / 1e6).to_list(), orientation="h",
                name=N_("local cluster"), marker_color="#2a9d8f", row=1, col=1)
    fig.add_bar(y=labels, x=((totals[cost] - totals[local]) / 1e6).to_list(), orientation="h",
                name=N_("bought in"), marker_color="#cfd8dc", row=1, col=1)
    per_year = value_chain.sort("calendar_year")
    for segment in order:
        part = per_year.filter(pl.col("segment") == segment)
        if part.height == 0 or part[cost].sum() == 0:
            continue
        fig.add_bar(x=part["calendar_year"].to_list(), y=(part[cost] / 1e6).to_list(),
                    name=_SEGMENT_LABELS[segment], row=1, col=2)
    total = float(totals[cost].sum())
    share = float(totals[local].sum()) / total if total else 0.0
    fig.update_layout(barmode="stack", template=_TEMPLATE,
                      title=title or fill(N_("Industrial value chain — local share {share}"),
                                                 share=f"{share:.0%}"),
                      legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(title_text=fill(N_("million {unit}"), unit=unit), row=1, col=1)
    fig.update_yaxes(title_text=fill(N_("million {unit}"), unit=unit), row=1, col=2)
    return fig


def space_vs_ground_figure(costs: pl.DataFrame, sweep: pl.DataFrame,
                           summary: dict[str, Any] | None = None, *,
                           title: str | None = None) -> go.Figure:
    """Cost per kW-year by item on the ground and in orbit, and both totals against the
    launch price with the crossing price marked.

    Parameters
    ----------
    costs : polars.DataFrame
        ``site``, ``item``, ``usd_per_kw_year`` (SpaceVsGround.costs).
    sweep : polars.DataFrame
        ``launch_cost_usd_per_kg``, ``terrestrial_usd_per_kw_year``,
        ``orbital_usd_per_kw_year`` (SpaceVsGround.sweep).
    summary : dict, optional
        ``crossing_launch_cost_usd_per_kg`` and ``launch_cost_usd_per_kg`` to mark.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        N_("cost per kW-year of compute power"), N_("against the launch price")))
    for item in costs["item"].unique(maintain_order=True).to_list():
        part = costs.filter(pl.col("item") == item)
        fig.add_bar(x=part["site"].to_list(), y=part["usd_per_kw_year"].to_list(), name=item,
                    row=1, col=1)
    x = sweep["launch_cost_usd_per_kg"].to_list()
    fig.add_scatter(x=x, y=sweep["terrestrial_usd_per_kw_year"].to_list(), name=N_("terrestrial"),
                    mode="lines", line={"color": "#264653"}, row=1, col=2)
    fig.add_scatter(x=x, y=sweep["orbital_usd_per_kw_year"].to_list(), name=N_("orbital"),
                    mode="lines", line={"color": "#e76f51"}, row=1, col=2)
    summary = summary or {}
    cross = summary.get("crossing_launch_cost_usd_per_kg")
    if cross is not None and np.isfinite(cross):
        fig.add_vline(x=cross, line_dash="dash", line_color="grey", row=1, col=2,
                      annotation_text=fill(N_("crossing ≈ {price} USD/kg"),
                                           price=f"{cross:,.0f}"))
    now = summary.get("launch_cost_usd_per_kg")
    if now is not None:
        fig.add_vline(x=now, line_dash="dot", line_color="#e76f51", row=1, col=2,
                      annotation_text=fill(N_("today {price} USD/kg"), price=f"{now:,.0f}"),
                      annotation_position="bottom")
    totals = costs.group_by("site").agg(pl.col("usd_per_kw_year").sum())["usd_per_kw_year"]
    ratio = float(totals.max() / max(totals.min(), 1e-300)) if totals.len() else 1.0
    fig.update_layout(barmode="stack", template=_TEMPLATE,
                      title=title or N_("Space vs ground: cost of a kW-year of compute power"),
                      legend={"orientation": "h", "y": -0.2})
    if ratio > 30:
        fig.update_yaxes(type="log", row=1, col=1)
    fig.update_xaxes(type="log", title_text=N_("launch price (USD/kg)"), row=1, col=2)
    fig.update_yaxes(type="log", title_text=N_("USD per kW-year"), row=1, col=2)
    fig.update_yaxes(title_text=N_("USD per kW-year"), row=1, col=1)
    return fig


def tornado_figure(tornado: pl.DataFrame, *, title: str | None = None) -> go.Figure:
    """Horizontal bars of the metric at each input's low and high value around the base.

    Parameters
    ----------
    tornado : polars.DataFrame
        ``input``, ``low_value``, ``high_value``, ``base_metric``, ``metric_at_low``,
        ``metric_at_high``, ``metric`` (from :func:`workbench.analyses.tornado`).
    """
    frame = tornado.sort("swing", descending=False, nulls_last=False)
    metric = frame["metric"][0] if frame.height else "npv_usd"
    scale = 1e6 if metric.endswith("_usd") else 1.0
    unit = "million USD" if scale == 1e6 else metric
    base = float(frame["base_metric"][0]) / scale if frame.height else 0.0
    names = frame["input"].to_list()
    fig = go.Figure()
    for column, value_col, name, color in (("metric_at_low", "low_value", "input low",
                                            "#457b9d"),
                                           ("metric_at_high", "high_value", "input high",
                                            "#e63946")):
        vals = (frame[column] / scale).to_list()
        fig.add_bar(y=names, x=[v - base for v in vals], base=base, orientation="h", name=name,
                    marker_color=color, customdata=frame[value_col].to_list(),
                    hovertemplate="%{y} = %{customdata:.4g}<br>" + metric
                    + " %{x:.4g}<extra></extra>")
    fig.add_vline(x=base, line_color="black")
    fig.update_layout(barmode="overlay", template=_TEMPLATE,
                      title=title or f"Tornado: {metric}", xaxis_title=unit)
    return fig


def npv_distribution_figure(samples: pl.DataFrame, summary: dict[str, Any] | None = None, *,
                            title: str | None = None) -> go.Figure:
    """Histogram of the Monte Carlo NPV with zero and P(NPV > 0) marked.

    Parameters
    ----------
    samples : polars.DataFrame
        ``npv_usd`` per draw (MonteCarloResult.samples).
    """
    npv_m = (samples["npv_usd"] / 1e6).to_list()
    fig = go.Figure(go.Histogram(x=npv_m, nbinsx=60, marker_color="#457b9d", name=N_("draws")))
    fig.add_vline(x=0.0, line_color="black")
    p = (summary or {}).get("p_npv_positive")
    label = (fill(N_("P(NPV > 0) = {p}"), p=f"{p:.1%}") if p is not None
             else N_("NPV distribution"))
    fig.update_layout(template=_TEMPLATE,
                      title=title or fill(N_("NPV distribution — {label}"), label=label),
                      xaxis_title=N_("NPV (million USD)"), yaxis_title=N_("draws"))
    return fig


def business_figures(result: Any) -> dict[str, go.Figure]:
    """All figures of a :class:`~workbench.analyses.economics.case.BusinessResult`."""
    svg = result.space_vs_ground
    return {"cash_flows": cash_flow_figure(result.cash_flows, result.annual),
            "value_chain": value_chain_figure(result.value_chain),
            "space_vs_ground": space_vs_ground_figure(svg.costs, svg.sweep, svg.summary)}
