"""Coverage maps: each cell (or site) coloured by the share of time it is covered."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from ..locale import N_
from .language import fill

TITLES = {
    "covered_frac": (N_("Share of time covered"),
                     N_("Share of time covered (at least {k} in view above {mask}°)")),
    "max_gap_s": (N_("Longest gap between passes, s"),
                  N_("Longest gap between passes, s (at least {k} in view above {mask}°)")),
    "mean_gap_s": (N_("Mean gap between passes, s"),
                   N_("Mean gap between passes, s (at least {k} in view above {mask}°)")),
    "revisit_mean_s": (N_("Mean revisit time, s"),
                       N_("Mean revisit time, s (at least {k} in view above {mask}°)")),
}
"""Figure title per coloured column: alone, and with the coverage rule (catalog texts)."""


def coverage_map_figure(cells: pl.DataFrame, summary: dict[str, Any] | None = None, *,
                        value: str = "covered_frac") -> go.Figure:
    """A map of ``cells`` (a :class:`~workbench.analyses.CoverageResult`'s ``cells``
    frame), each cell a marker coloured by ``value`` (default ``covered_frac``).

    Parameters
    ----------
    cells : polars.DataFrame with lat_deg, lon_deg, name and ``value``
    summary : the result's summary, for the title (k and the mask)
    value : the column to colour by (``covered_frac``, ``max_gap_s``, ``revisit_mean_s`` …)

    Returns
    -------
    plotly.graph_objects.Figure with one ``Scattergeo`` trace named ``cells``.
    """
    summary = summary or {}
    is_frac = value.endswith("_frac")
    colour = cells[value].fill_null(float("nan")).to_numpy()
    hover = [f"{n}<br>{value} = {v:.3g}" for n, v in zip(cells["name"], colour, strict=True)]
    size = 6 if cells.height > 2000 else 9 if cells.height > 200 else 12
    fig = go.Figure(go.Scattergeo(
        lat=cells["lat_deg"].to_numpy(), lon=cells["lon_deg"].to_numpy(), mode="markers",
        name="cells", text=hover, hoverinfo="text",
        marker={"size": size, "symbol": "square", "color": colour,
                "colorscale": "Viridis", "cmin": 0.0 if is_frac else None,
                "cmax": 1.0 if is_frac else None,
                "line": {"width": 0}}))
    k = summary.get("min_satellites")
    mask = summary.get("min_elevation_deg")
    alone, with_rule = TITLES.get(value, (value, value + " (at least {k} in view above {mask}°)"))
    title = alone if k is None or mask is None else fill(with_rule, k=k, mask=f"{mask:g}")
    fig.update_layout(
        title=title, height=480, margin={"l": 0, "r": 0, "t": 40, "b": 0},
        geo={"projection": {"type": "natural earth"}, "showland": True,
             "landcolor": "#dfe6d8", "showocean": True, "oceancolor": "#cfe0f3",
             "showcountries": True, "countrycolor": "#999", "resolution": 110})
    return fig


def coverage_figures(result: Any) -> dict[str, go.Figure]:
    """The figures of a coverage result: ``coverage_map`` and ``max_gap_map``."""
    return {"coverage_map": coverage_map_figure(result.cells, result.summary),
            "max_gap_map": coverage_map_figure(result.cells, result.summary,
                                               value="max_gap_s")}


__all__ = ["coverage_figures", "coverage_map_figure"]
