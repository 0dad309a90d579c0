"""The plotly fallback globe: ground tracks on an orthographic (or flat) map, offline.

For static exports and places without WebGL. plotly.js ``scattergeo`` fetches its world
topojson from a CDN at run time; the workbench ships ``topojson/world_110m.json`` and
either inlines it into exported HTML (:func:`offline_html`) or points plotly at a local
URL (:func:`plotly_config`), so the map is never blank offline.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import plotly.graph_objects as go

from ..model.ground import GroundSegment
from .czml import ROLE_RGBA

TOPOJSON_DIR = Path(__file__).parent / "topojson"
"""Folder holding ``world_110m.json`` (serve it and pass its URL as ``topojsonURL``)."""

JUPYTER_TOPOJSON_ROUTE = "workbench/topojson/"
"""Where the workbench Jupyter server extension serves :data:`TOPOJSON_DIR`."""

Projection = Literal["orthographic", "natural earth", "equirectangular"]


@cache
def _topojson_text() -> str:
    return (TOPOJSON_DIR / "world_110m.json").read_text(encoding="utf-8")


def subpoints_deg(r_itrs_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geocentric latitude and longitude (deg) of positions (..., 3) ITRS km: the point
    under each satellite, for drawing (a ground track, not a geodetic survey)."""
    r = np.asarray(r_itrs_km, dtype=float)
    lat = np.degrees(np.arctan2(r[..., 2], np.hypot(r[..., 0], r[..., 1])))
    lon = np.degrees(np.arctan2(r[..., 1], r[..., 0]))
    return lat, lon


def _break_dateline(lat: np.ndarray, lon: np.ndarray) -> tuple[list, list]:
    """One satellite's track as lists with ``None`` where it crosses ±180° longitude."""
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    lat_out = np.insert(lat.astype(object), jumps, None)
    lon_out = np.insert(lon.astype(object), jumps, None)
    return list(lat_out), list(lon_out)


def globe_figure(r_itrs_km: np.ndarray, *, ground: GroundSegment | None = None,
                 track_sat_ids: np.ndarray | list[int] | None = None,
                 time_index: int = 0, projection: Projection = "orthographic",
                 centre_deg: tuple[float, float] = (30.0, 105.0), max_tracks: int = 24,
                 title: str = "") -> go.Figure:
    """Satellites now, a few ground tracks, and ground sites on a plotly geo map.

    Parameters
    ----------
    r_itrs_km : ndarray (n_sats, n_times, 3)
        Positions in ITRS km (``workbench.orbits.propagate(..., frame="itrs")``).
    ground : GroundSegment, optional
        Sites drawn by role colour.
    track_sat_ids : sequence of int, optional
        Satellites whose whole track is drawn (default: up to ``max_tracks`` spread
        evenly over the constellation).
    time_index : int
        Step whose positions are drawn as dots.
    projection : "orthographic" | "natural earth" | "equirectangular"
    centre_deg : (lat, lon)
        Centre of the orthographic view.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: ``tracks`` (lines), ``satellites`` (markers), one per ground role.
        Show with ``fig.show(config=plotly_config())`` or export with :func:`offline_html`.
    """
    r = np.asarray(r_itrs_km, dtype=float)
    n_sats = r.shape[0]
    lat, lon = subpoints_deg(r)
    if track_sat_ids is None:
        track_sat_ids = np.unique(np.linspace(0, n_sats - 1, min(max_tracks, n_sats))
                                  .round().astype(int)) if n_sats else []
    fig = go.Figure()
    track_lat: list = []
    track_lon: list = []
    for i in track_sat_ids:
        ok = np.isfinite(lat[i])
        la, lo = _break_dateline(lat[i][ok], lon[i][ok])
        track_lat += [*la, None]
        track_lon += [*lo, None]
    if track_lat:
        fig.add_trace(go.Scattergeo(lat=track_lat, lon=track_lon, mode="lines", name="tracks",
                                    line={"width": 1, "color": "rgba(120,200,255,0.6)"},
                                    hoverinfo="skip"))
    k = min(max(time_index, 0), r.shape[1] - 1) if r.ndim == 3 and r.shape[1] else 0
    now_ok = np.isfinite(lat[:, k]) if n_sats else np.zeros(0, bool)
    fig.add_trace(go.Scattergeo(lat=lat[now_ok, k], lon=lon[now_ok, k], mode="markers",
                                name="satellites", text=[f"sat {i}" for i in
                                                         np.flatnonzero(now_ok)],
                                marker={"size": 3 if n_sats > 2000 else 5,
                                        "color": "rgb(40,120,220)"}))
    if ground is not None and len(ground):
        frame = ground.frame
        for role in frame["role"].unique(maintain_order=True):
            part = frame.filter(frame["role"] == role)
            rgba = ROLE_RGBA.get(role, [255, 255, 255, 255])
            fig.add_trace(go.Scattergeo(
                lat=part["lat_deg"], lon=part["lon_deg"], mode="markers+text", name=role,
                text=part["site"], textposition="top center",
                marker={"size": 9, "color": f"rgb({rgba[0]},{rgba[1]},{rgba[2]})",
                        "line": {"width": 1, "color": "black"}}))
    geo = {"projection": {"type": projection}, "showland": True, "landcolor": "#dfe6d8",
           "showocean": True, "oceancolor": "#cfe0f3", "showcountries": True,
           "countrycolor": "#999", "coastlinecolor": "#666", "resolution": 110}
    if projection == "orthographic":
        geo["projection"]["rotation"] = {"lat": centre_deg[0], "lon": centre_deg[1]}
    fig.update_layout(geo=geo, title=title or None, margin={"l": 0, "r": 0, "t": 30 if title
                                                            else 0, "b": 0},
                      legend={"orientation": "h"}, height=480)
    return fig


def plotly_config(topojson_url: str | None = None) -> dict:
    """Plotly ``config`` that fetches topojson from ``topojson_url`` (a URL serving
    :data:`TOPOJSON_DIR`), by default the workbench Jupyter server extension's route."""
    import os

    if topojson_url is None:
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
        topojson_url = prefix.rstrip("/") + "/" + JUPYTER_TOPOJSON_ROUTE
    return {"topojsonURL": topojson_url if topojson_url.endswith("/") else topojson_url + "/"}


def geo_assets_script() -> str:
    """A ``<script>`` that hands plotly.js the shipped topojson (no fetch at all)."""
    return ("<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
            f"window.PlotlyGeoAssets.topojson.world_110m = {_topojson_text()};</script>")


def offline_html(fig: go.Figure, path: str | Path | None = None) -> str:
    """A self-contained HTML page of ``fig``: plotly.js and the world topojson inlined.

    Returns the HTML; also writes it to ``path`` if given.
    """
    body = fig.to_html(full_html=True, include_plotlyjs=True)
    text = body.replace("<head>", "<head><meta charset=\"utf-8\">" + geo_assets_script(), 1)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def topojson_json() -> dict:
    """The shipped world topojson as a dict (for embedding elsewhere)."""
    return json.loads(_topojson_text())


__all__ = ["TOPOJSON_DIR", "geo_assets_script", "globe_figure", "offline_html",
           "plotly_config", "subpoints_deg", "topojson_json"]
