"""A plotly figure shown as a small anywidget (``plotly_view.js``).

The figure's JSON is sent once; plotly.js comes from the workbench Jupyter server
extension (``{base_url}workbench/plotly/plotly.min.js``, offline) or else the CDN, and the
world topojson for geo plots from ``{base_url}workbench/topojson/``. Used by the workbench's
analysis tabs instead of plotly's ``FigureWidget`` (5 MB of JavaScript per instance) or
figures captured in ``Output`` widgets (echoed back to the kernel by some front ends).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anywidget
import traitlets

JUPYTER_PLOTLY_ROUTE = "workbench/plotly/"
"""Where the Jupyter server extension serves plotly's own ``package_data`` folder."""


def plotly_js_dir() -> Path:
    """The folder of the installed plotly package's ``plotly.min.js``."""
    import plotly

    return Path(plotly.__file__).parent / "package_data"


def plotly_urls() -> list[str]:
    """Candidate URLs of plotly.js, best first (Jupyter server extension, then CDN)."""
    version = _plotly_js_version()
    cdn = f"https://cdn.plot.ly/plotly-{version}.min.js" if version else (
        "https://cdn.plot.ly/plotly-latest.min.js")
    return [f"jupyter-server:{JUPYTER_PLOTLY_ROUTE}plotly.min.js", cdn]


def _plotly_js_version() -> str:
    try:
        from plotly.offline import get_plotlyjs_version

        return get_plotlyjs_version()
    except ImportError:
        return ""


class PlotlyView(anywidget.AnyWidget):
    """Show a plotly figure: ``PlotlyView(fig)``; set ``.figure`` to replace it."""

    _esm = Path(__file__).with_name("plotly_view.js")

    figure = traitlets.Dict().tag(sync=True)
    config = traitlets.Dict().tag(sync=True)
    plotly_urls = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, figure: Any = None, **kwargs: Any) -> None:
        from ..viz.globe_plotly import JUPYTER_TOPOJSON_ROUTE

        kwargs.setdefault("plotly_urls", plotly_urls())
        kwargs.setdefault("config", {"topojsonURL": f"jupyter-server:{JUPYTER_TOPOJSON_ROUTE}"})
        super().__init__(**kwargs)
        if figure is not None:
            self.show(figure)

    def show(self, figure: Any) -> None:
        """Replace the figure (a plotly ``Figure`` or its dict)."""
        self.figure = json.loads(figure.to_json()) if hasattr(figure, "to_json") else dict(
            figure)


__all__ = ["PlotlyView", "plotly_js_dir", "plotly_urls"]
