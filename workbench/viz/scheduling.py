"""Figures of a scheduling run: latency distribution against the deadline, where jobs ran,
and the constellation's utilisation, queue and battery over time. Each takes the result's
frames; nothing here recomputes the simulation."""
from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from ..locale import N_

_TEMPLATE = "plotly_white"

PLACEMENTS = (N_("local"), N_("neighbour"), N_("ground"), N_("none"))
"""Where a job ran (the x categories of :func:`placement_figure`, in the catalogs)."""
STATUSES = (N_("met"), N_("late"), N_("dropped"), N_("queued"))


def latency_cdf_figure(jobs: pl.DataFrame, *, title: str = N_("Job latency")) -> go.Figure:
    """Cumulative share of jobs done within a latency (s), log axis; deadlines dotted."""
    done = jobs.filter(pl.col("status").is_in(["met", "late"]))
    fig = go.Figure()
    for urgent, name in ((False, N_("normal")), (True, N_("urgent"))):
        lat = np.sort(done.filter(pl.col("is_urgent") == urgent)["latency_s"].to_numpy())
        if lat.size:
            fig.add_scatter(x=np.maximum(lat, 1e-6), y=np.arange(1, lat.size + 1) / jobs.height,
                            mode="lines", name=name)
    for deadline in jobs["deadline_s"].unique().to_list():
        fig.add_vline(x=deadline, line_dash="dot", line_color="#888")
    fig.update_layout(template=_TEMPLATE, title=title, xaxis_type="log",
                      xaxis_title=N_("latency (s)"), yaxis_title=N_("share of all jobs done"))
    return fig


def placement_figure(jobs: pl.DataFrame, *, title: str = N_("Where jobs ran")) -> go.Figure:
    """Jobs by placement (local, neighbour, ground, none) and status."""
    counts = jobs.group_by("placement", "status").len().sort("placement", "status")
    fig = go.Figure()
    for status in STATUSES:
        part = counts.filter(pl.col("status") == status)
        fig.add_bar(x=part["placement"].to_list(), y=part["len"].to_list(), name=status)
    fig.update_layout(template=_TEMPLATE, title=title, barmode="stack",
                      xaxis_title=N_("placement"), yaxis_title=N_("jobs"))
    return fig


def constellation_figure(satellites: pl.DataFrame, *,
                         title: str = N_("Utilisation, queue and battery")) -> go.Figure:
    """Mean utilisation and state of charge, and total queue, over time."""
    per_step = satellites.group_by("time_utc").agg(
        pl.col("utilisation_frac").mean(), pl.col("soc_frac").mean(),
        pl.col("soc_frac").min().alias("soc_min_frac"), pl.col("queue_jobs").sum()
    ).sort("time_utc")
    fig = go.Figure()
    t = per_step["time_utc"].to_list()
    fig.add_scatter(x=t, y=per_step["utilisation_frac"].to_list(), name=N_("utilisation (mean)"))
    fig.add_scatter(x=t, y=per_step["soc_frac"].to_list(), name=N_("battery charge (mean)"))
    fig.add_scatter(x=t, y=per_step["soc_min_frac"].to_list(), name=N_("battery charge (min)"))
    fig.add_scatter(x=t, y=per_step["queue_jobs"].to_list(), name=N_("jobs queued"), yaxis="y2")
    fig.update_layout(template=_TEMPLATE, title=title, yaxis_title=N_("fraction"),
                      yaxis2={"title": N_("jobs queued"), "overlaying": "y", "side": "right"})
    return fig


def scheduling_figures(frames: dict[str, pl.DataFrame], summary: dict[str, Any]
                       ) -> dict[str, go.Figure]:
    """The scheduling figures by name."""
    out = {"latency_cdf": latency_cdf_figure(frames["jobs"]),
           "placement": placement_figure(frames["jobs"])}
    if frames["satellites"].height:
        out["constellation"] = constellation_figure(frames["satellites"])
    return out


__all__ = ["constellation_figure", "latency_cdf_figure", "placement_figure",
           "scheduling_figures"]
