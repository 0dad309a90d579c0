"""Figures of the latency analyses: RTT over time, RTT against distance (space vs fibre),
hop counts, compute placement, event-to-insight times, and a route on a map. Each takes
the analysis frames and returns a plotly figure; nothing here recomputes physics."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import polars as pl

from ..locale import N_
from .language import fill
from .ticks import log_axis

__all__ = ["rtt_over_time_figure", "rtt_vs_distance_figure", "hops_figure",
           "placement_figure", "placement_wins_figure", "insight_cdf_figure",
           "route_map_figure", "latency_figures"]

_TEMPLATE = "plotly_white"
_C_KM_PER_MS = 299.792458
_PLACEMENT_LABELS = {"overhead": N_("satellite overhead"),
                     "within_k_hops": N_("satellite within k hops"),
                     "ground_fibre": N_("ground DC over fibre"),
                     "ground_via_gateway": N_("ground DC via constellation + gateway")}
_INSIGHT_LABELS = {"in_orbit_isl": N_("process in orbit, relay over ISLs"),
                   "in_orbit_store_forward": N_("process in orbit, wait for own contact"),
                   "bent_pipe": N_("bent pipe: downlink raw, process on ground")}


def _pair_filter(frame: pl.DataFrame, pairs: Sequence[tuple[str, str]] | None, limit: int
                 ) -> list[tuple[str, str]]:
    if pairs is not None:
        return [tuple(p) for p in pairs]
    unique = frame.select(pl.col("source").cast(pl.String),
                          pl.col("destination").cast(pl.String)).unique(maintain_order=True)
    return [tuple(r) for r in unique.head(limit).iter_rows()]


def rtt_over_time_figure(rtt: pl.DataFrame, pairs: Sequence[tuple[str, str]] | None = None,
                         *, summary: pl.DataFrame | None = None, max_pairs: int = 6,
                         title: str = N_("Round-trip time over the constellation")) -> go.Figure:
    """RTT (ms) against time for a few pairs; gaps where there is no route.

    Parameters
    ----------
    rtt : ``LatencyResult.rtt`` (time_utc, source, destination, rtt_ms)
    pairs : (source, destination) to draw (default: the first ``max_pairs``)
    summary : ``LatencyResult.by_pair``; adds each pair's fibre RTT as a dotted line
    """
    fig = go.Figure()
    for k, (src, dst) in enumerate(_pair_filter(rtt, pairs, max_pairs)):
        part = rtt.filter((pl.col("source").cast(pl.String) == src)
                          & (pl.col("destination").cast(pl.String) == dst)).sort("time_utc")
        color = f"hsl({(k * 67) % 360},60%,45%)"
        fig.add_scatter(x=part["time_utc"].to_list(), y=part["rtt_ms"].to_list(), mode="lines",
                        name=f"{src} – {dst}", line={"color": color}, connectgaps=False)
        if summary is not None:
            row = summary.filter((pl.col("source").cast(pl.String) == src)
                                 & (pl.col("destination").cast(pl.String) == dst))
            if len(row) and len(part):
                fib = float(row["fibre_rtt_ms"][0])
                fig.add_scatter(x=[part["time_utc"][0], part["time_utc"][-1]], y=[fib, fib],
                                mode="lines", line={"color": color, "dash": "dot"},
                                name=fill(N_("{pair}: fibre"), pair=f"{src} – {dst}"),
                                showlegend=True)
    fig.update_layout(template=_TEMPLATE, title=title, xaxis_title=N_("time (UTC)"),
                      yaxis_title=N_("RTT (ms)"), legend={"orientation": "h", "y": -0.2})
    return fig


def rtt_vs_distance_figure(summary: pl.DataFrame, *, label_top: int = 0,
                           fibre_detour_factors: Sequence[float] = (1.0, 1.5),
                           title: str = N_("Space vs fibre: RTT against great-circle distance")
                           ) -> go.Figure:
    """Median RTT per pair (bars: 5th–95th percentile) against great-circle distance, with
    the speed-of-light bound (2d/c) and fibre at c/1.468 for a few detour factors.

    Parameters
    ----------
    summary : ``LatencyResult.by_pair`` (great_circle_km, rtt_ms_p05/p50/p95, source,
        destination)
    label_top : label this many of the longest pairs
    """
    s = summary.filter(pl.col("rtt_ms_p50").is_not_null()).sort("great_circle_km")
    d = s["great_circle_km"].to_numpy()
    p50 = s["rtt_ms_p50"].to_numpy()
    text = [f"{a} – {b}" for a, b in zip(s["source"].cast(pl.String),
                                          s["destination"].cast(pl.String), strict=True)]
    fig = go.Figure()
    fig.add_scatter(x=d, y=p50, mode="markers", name=N_("constellation (median)"),
                    marker={"size": 5, "opacity": 0.6}, text=text,
                    error_y={"type": "data", "symmetric": False,
                             "array": (s["rtt_ms_p95"] - s["rtt_ms_p50"]).to_numpy(),
                             "arrayminus": (s["rtt_ms_p50"] - s["rtt_ms_p05"]).to_numpy(),
                             "thickness": 0.5, "width": 0},
                    hovertemplate="%{text}<br>%{x:,.0f} km<br>%{y:.1f} ms<extra></extra>")
    x = np.linspace(0.0, float(d.max()) if d.size else 20000.0, 50)
    fig.add_scatter(x=x, y=2 * x / _C_KM_PER_MS, mode="lines", name=N_("speed of light (2d/c)"),
                    line={"color": "black", "dash": "dash"})
    for factor in fibre_detour_factors:
        fig.add_scatter(x=x, y=2 * x * factor * 1.468 / _C_KM_PER_MS, mode="lines",
                        name=fill(N_("fibre, detour × {factor}"), factor=f"{factor:g}"),
                        line={"dash": "dot"})
    if label_top:
        for i in np.argsort(-d)[:label_top]:
            fig.add_annotation(x=d[i], y=p50[i], text=text[i], showarrow=True, arrowhead=1,
                               font={"size": 9})
    fig.update_layout(template=_TEMPLATE, title=title,
                      xaxis_title=N_("great-circle distance (km)"), yaxis_title=N_("RTT (ms)"))
    return fig


def hops_figure(rtt: pl.DataFrame, *, title: str = N_("Links per route")) -> go.Figure:
    """Histogram of hop counts (ground-satellite and ISL links) over all reachable rows."""
    hops = rtt.filter(pl.col("is_reachable"))["n_hops"]
    counts = hops.value_counts().sort("n_hops")
    fig = go.Figure(go.Bar(x=counts["n_hops"].to_list(), y=counts["count"].to_list()))
    fig.update_layout(template=_TEMPLATE, title=title, xaxis_title=N_("links on the route"),
                      yaxis_title=N_("(time, pair) rows"), bargap=0.1)
    return fig


def placement_figure(rtt: pl.DataFrame, *, user: str | None = None,
                     title: str = N_("Where to compute: RTT by placement")) -> go.Figure:
    """Box plots of RTT over time per placement option (``PlacementResult.rtt``)."""
    part = rtt.filter(pl.col("is_reachable"))
    if user is not None:
        part = part.filter(pl.col("user") == user)
    fig = go.Figure()
    for option, label in _PLACEMENT_LABELS.items():
        values = part.filter(pl.col("option").cast(pl.String) == option)["rtt_ms"]
        if len(values):
            fig.add_box(y=values.to_list(), name=label, boxpoints=False)
    if user:
        title = fill(N_("{title} — {user}"), title=title, user=user)
    fig.update_layout(template=_TEMPLATE, title=title, yaxis_title=N_("RTT (ms)"),
                      showlegend=False)
    # a log axis labelled at 1, 2, 5 × 10ⁿ ms only (plotly's own labels every digit)
    fig.update_yaxes(**log_axis(part["rtt_ms"].to_list()))
    return fig


def placement_wins_figure(summary: pl.DataFrame, *,
                          title: str = N_("Which placement wins how often")) -> go.Figure:
    """Stacked bars per user: share of time steps each option has the lowest RTT
    (``PlacementResult.by_option``)."""
    fig = go.Figure()
    for option, label in _PLACEMENT_LABELS.items():
        part = summary.filter(pl.col("option").cast(pl.String) == option)
        fig.add_bar(x=part["user"].to_list(), y=(part["win_frac"] * 100).to_list(), name=label)
    fig.update_layout(template=_TEMPLATE, title=title, barmode="stack",
                      yaxis_title=N_("share of time steps (%)"))
    return fig


def insight_cdf_figure(events: pl.DataFrame, *, deadline_s: float | None = None,
                       title: str = N_("Event to insight")) -> go.Figure:
    """Cumulative share of events with an insight by time t, per mode
    (``InsightResult.events``); undelivered events never reach the curve's top."""
    fig = go.Figure()
    for mode, label in _INSIGHT_LABELS.items():
        part = events.filter(pl.col("mode").cast(pl.String) == mode)
        if not len(part):
            continue
        t = np.sort(part["insight_s"].drop_nulls().to_numpy()) / 60.0
        y = np.arange(1, t.size + 1) / len(part) * 100.0
        fig.add_scatter(x=t, y=y, mode="lines", line={"shape": "hv"}, name=label)
    if deadline_s is not None and np.isfinite(deadline_s):
        fig.add_vline(x=deadline_s / 60.0, line_dash="dash", annotation_text=N_("deadline"))
    fig.update_layout(template=_TEMPLATE, title=title, xaxis_title=N_("minutes from event"),
                      yaxis_title=N_("events answered (%)"), yaxis_range=[0, 100])
    return fig


def route_map_figure(sat_ids: Sequence[int], sat_positions: pl.DataFrame,
                     sites: pl.DataFrame, source: str, destination: str, *,
                     title: str | None = None) -> go.Figure:
    """A route on a world map: source, the satellites in order, destination.

    Parameters
    ----------
    sat_ids : satellites of the route in order (``LatencyResult.path(...)``)
    sat_positions : sub-satellite points at that time (sat_id, lat_deg, lon_deg), e.g.
        ``workbench.orbits.ephemeris(...)`` filtered to one time
    sites : ``LatencyResult.sites`` (site, lat_deg, lon_deg)
    """
    pos = sat_positions.select("sat_id", "lat_deg", "lon_deg")
    ordered = pl.DataFrame({"sat_id": pl.Series(list(sat_ids), dtype=pos["sat_id"].dtype),
                            "order": np.arange(len(sat_ids))}).join(pos, on="sat_id").sort(
        "order")
    ends = sites.filter(pl.col("site").is_in([source, destination]))
    src = ends.filter(pl.col("site") == source)
    dst = ends.filter(pl.col("site") == destination)
    lat = src["lat_deg"].to_list() + ordered["lat_deg"].to_list() + dst["lat_deg"].to_list()
    lon = src["lon_deg"].to_list() + ordered["lon_deg"].to_list() + dst["lon_deg"].to_list()
    fig = go.Figure()
    fig.add_scattergeo(lat=pos["lat_deg"].to_list(), lon=pos["lon_deg"].to_list(),
                       mode="markers", marker={"size": 2, "color": "lightgray"},
                       name=N_("satellites"))
    fig.add_scattergeo(lat=lat, lon=lon, mode="lines+markers", name=N_("route"),
                       line={"width": 2, "color": "crimson"}, marker={"size": 5})
    fig.add_scattergeo(lat=ends["lat_deg"].to_list(), lon=ends["lon_deg"].to_list(),
                       mode="markers+text", text=ends["site"].to_list(),
                       textposition="top center", marker={"size": 9, "symbol": "square"},
                       name=N_("sites"))
    fig.update_geos(projection_type="natural earth", showcountries=True, resolution=110,
                    showland=True, landcolor="#e8ece4")
    fig.update_layout(template=_TEMPLATE, title=title or fill(N_("Route {source} → {destination}"),
                                                       source=source, destination=destination),
                      margin={"l": 0, "r": 0, "t": 40, "b": 0})
    return fig


def latency_figures(result) -> dict[str, go.Figure]:  # noqa: ANN001  (a LatencyResult)
    """The figures of a ``LatencyResult`` by title (what the Workbench's Latency tab shows):
    RTT over time with the fibre reference, RTT against distance, and links per route."""
    return {
        N_("RTT over time"): rtt_over_time_figure(result.rtt, summary=result.by_pair),
        N_("Space vs fibre"): rtt_vs_distance_figure(result.by_pair),
        N_("Links per route"): hops_figure(result.rtt),
    }
