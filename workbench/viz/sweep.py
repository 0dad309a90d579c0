"""Pareto figures of a design-space sweep: the front highlighted among all points."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl


def pareto_figure(frame: pl.DataFrame, objectives: Mapping[str, str], *,
                  hover: Sequence[str] = ()) -> go.Figure:
    """A 2-D (two objectives) or 3-D (three) scatter of a sweep frame with its Pareto
    front highlighted, or parallel coordinates for more objectives.

    Parameters
    ----------
    frame : polars.DataFrame with the objective columns and ``is_pareto``
        (:func:`workbench.designspace.pareto_front`)
    objectives : column → "min" or "max" (shown in the axis titles)
    hover : further columns shown on hover (e.g. the swept paths)

    Returns
    -------
    plotly.graph_objects.Figure: traces ``points`` and ``Pareto front`` (scatter), or one
    ``Parcoords`` trace whose colour marks the front.
    """
    columns = list(objectives)
    titles = [f"{c} ({'↓' if objectives[c] == 'min' else '↑'})" for c in columns]
    front = frame["is_pareto"].fill_null(False)
    if len(columns) > 3 or len(columns) < 2:
        fig = go.Figure(go.Parcoords(
            line={"color": front.cast(pl.Int8).to_numpy(), "colorscale": [[0, "#bbbbbb"],
                                                                       [1, "#d62728"]]},
            dimensions=[{"label": t, "values": frame[c].to_numpy()}
                        for c, t in zip(columns, titles, strict=True)]))
        fig.update_layout(title="Design points (Pareto front in red)", height=480)
        return fig

    def text(part: pl.DataFrame) -> list[str]:
        cols = [c for c in ("point_id", *hover) if c in part.columns]
        return ["<br>".join(f"{c} = {r[c]}" for c in cols) for r in part.iter_rows(named=True)]

    fig = go.Figure()
    for name, part, marker in (
            ("points", frame.filter(~front), {"size": 5, "color": "#9aa5b1"}),
            ("Pareto front", frame.filter(front), {"size": 8, "color": "#d62728"})):
        coords = {axis: part[c].to_numpy() for axis, c in zip("xyz", columns, strict=False)}
        trace = go.Scatter3d if len(columns) == 3 else go.Scatter
        fig.add_trace(trace(mode="markers", name=name, text=text(part), hoverinfo="text",
                            marker=marker, **coords))
    if len(columns) == 3:
        fig.update_layout(scene={"xaxis_title": titles[0], "yaxis_title": titles[1],
                                 "zaxis_title": titles[2]})
    else:
        fig.update_layout(xaxis_title=titles[0], yaxis_title=titles[1])
    fig.update_layout(title="Design points and their Pareto front", height=480)
    return fig


__all__ = ["pareto_figure"]
