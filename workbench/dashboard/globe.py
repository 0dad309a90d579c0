"""The globe in Panel: the same ``globe.js`` as a ``panel.custom.AnyWidgetComponent``.

:class:`PanelGlobe` is a Panel component whose parameters are exactly
:data:`~workbench.widgets.globe.GLOBE_STATE`. It mirrors a
:class:`~workbench.widgets.globe.Globe` both ways, so everything the notebook globe does
from Python (``show_constellation``, ``show_route``, ``fly_to``, ``on_select``,
``on_ground_click``) works unchanged in a dashboard, and picks made in the browser reach
the same callbacks.

Served apps build their state per browser session: :func:`globe_app` turns a function
that makes a :class:`~workbench.widgets.globe.Globe` into a function ``pn.serve`` calls
once per session, so a pick in one browser never shows in another. Offline, Panel serves
the local Cesium build (``workbench cesium install``) from a static directory;
:func:`serve_options` gives the keywords for ``pn.serve``::

    import panel as pn
    from workbench.dashboard.globe import globe_app, serve_options
    from workbench.widgets import Globe

    app = globe_app(lambda: Globe(constellation))   # a new Globe for every session
    pn.serve({"globe": app}, **serve_options())     # http://127.0.0.1:5006/globe
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn
import param
from panel.custom import AnyWidgetComponent

from ..widgets import cesium
from ..widgets.globe import _HERE as _WIDGETS_DIR
from ..widgets.globe import GLOBE_STATE, MAX_POSITION_BYTES, PICK_ROLES, Globe

PANEL_CESIUM_ROUTE = "workbench/cesium"
"""Route under the Panel server where :func:`static_dirs` serves the local Cesium build."""

PANEL_TOPOJSON_ROUTE = "workbench/topojson"
"""Route where :func:`static_dirs` serves plotly's world map (``world_110m.json``): geo
figures would otherwise fetch it from cdn.plot.ly and stay blank offline."""

PLOTLY_CONFIG = {"topojsonURL": f"/{PANEL_TOPOJSON_ROUTE}/"}
"""``config`` for every ``pn.pane.Plotly`` of a served dashboard (the local world map)."""

WEBSOCKET_MAX_MESSAGE_BYTES = MAX_POSITION_BYTES + 16 * 2**20
"""Largest websocket message the server must accept: one full position buffer and CZML."""


def static_dirs() -> dict[str, str]:
    """``static_dirs`` for ``pn.serve``: plotly's world map and the local Cesium build,
    if installed."""
    from ..viz.globe_plotly import TOPOJSON_DIR

    dirs = {PANEL_TOPOJSON_ROUTE: str(TOPOJSON_DIR)}
    build = cesium.local_cesium_dir()
    if build is not None:
        dirs[PANEL_CESIUM_ROUTE] = str(build)
    return dirs


def serve_options(**overrides: Any) -> dict[str, Any]:
    """Keywords for ``pn.serve``: localhost only, the Cesium static directory, and a
    websocket big enough for the position buffer. ``overrides`` win."""
    options: dict[str, Any] = {
        "address": "127.0.0.1",
        "static_dirs": static_dirs(),
        "websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES,
        "show": False,
    }
    options.update(overrides)
    return options


def panel_cesium_urls(urls: list[str]) -> list[str]:
    """The globe's Cesium candidates as seen from a Panel page: the Jupyter placeholder
    becomes the static route of :func:`static_dirs` (a path on the same server)."""
    out: list[str] = []
    for url in urls:
        if url == cesium.JUPYTER_SERVER_TOKEN:
            if cesium.local_cesium_dir() is not None:
                out.append(f"/{PANEL_CESIUM_ROUTE}/")
        else:
            out.append(url)
    return out


class PanelGlobe(AnyWidgetComponent):
    """A Panel component showing a :class:`~workbench.widgets.globe.Globe`.

    Parameters
    ----------
    globe : Globe, optional
        The globe to mirror (a new empty one if omitted). Its Python API drives this
        component, and browser picks on this component reach its callbacks.
    **params
        Panel layout parameters (``sizing_mode``, ``margin``, …).
    """

    _esm = _WIDGETS_DIR / "globe.js"
    # Inlined: Panel serves file stylesheets only from beside the component's own module.
    _stylesheets = [(_WIDGETS_DIR / "globe.css").read_text(encoding="utf-8")]

    cesium_urls = param.List(default=[], item_type=str)
    ion_token = param.String(default="")
    quality = param.Selector(objects=["full", "cheap"], default="full")
    # ``height`` is Panel's own layout parameter: the globe's height in CSS pixels.
    show_clock = param.Boolean(default=True)

    epoch_utc = param.String(default="")
    step_s = param.Number(default=60.0)
    n_times = param.Integer(default=0)
    n_sats = param.Integer(default=0)
    positions = param.Bytes(default=b"")
    sat_rgba = param.Bytes(default=b"")
    point_size = param.Number(default=3.0)

    playing = param.Boolean(default=True)
    multiplier = param.Number(default=60.0)
    time_index = param.Integer(default=0)

    czml = param.List(default=[])
    camera = param.Dict(default={})

    selected_sat_id = param.Integer(default=-1)
    selected_info = param.String(default="")
    pick_role = param.Selector(objects=list(PICK_ROLES), default="none")
    picked_site = param.Dict(default={})
    status = param.String(default="")

    def __init__(self, globe: Globe | None = None, **params: Any) -> None:
        globe = globe if globe is not None else Globe()
        state = {name: _panel_value(name, getattr(globe, name)) for name in GLOBE_STATE}
        super().__init__(**{**state, **params})
        self._globe = globe
        globe.observe(self._globe_changed, names=list(GLOBE_STATE))
        self.param.watch(self._panel_changed, list(GLOBE_STATE))

    @property
    def globe(self) -> Globe:
        """The mirrored notebook globe: call its methods to change what is shown."""
        return self._globe

    # Each side copies a change to the other only if it differs there, so an echo
    # stops after one hop and changes made by callbacks in between still travel.
    def _globe_changed(self, change: dict) -> None:
        value = _panel_value(change["name"], change["new"])
        if getattr(self, change["name"]) != value:
            setattr(self, change["name"], value)

    def _panel_changed(self, *events: param.parameterized.Event) -> None:
        for event in events:
            if event.name != "cesium_urls" and getattr(self._globe, event.name) != event.new:
                setattr(self._globe, event.name, event.new)


def _panel_value(name: str, value: Any) -> Any:
    return panel_cesium_urls(list(value)) if name == "cesium_urls" else value


def globe_page(globe: Globe, **params: Any) -> pn.viewable.Viewable:
    """One session's page: the globe and its pick-role selector.

    ``globe`` must belong to this session alone; :func:`globe_app` makes one per session.
    """
    view = PanelGlobe(globe, sizing_mode="stretch_width", **params)
    role = pn.widgets.RadioButtonGroup.from_param(view.param.pick_role, name="click adds")
    return pn.Column(role, view, sizing_mode="stretch_width")


def globe_app(make_globe: Callable[[], Globe], **params: Any
              ) -> Callable[[], pn.viewable.Viewable]:
    """A per-session globe app for ``pn.serve``: each call builds a new page around a new
    ``make_globe()``.

    Parameters
    ----------
    make_globe : callable
        Returns a new :class:`~workbench.widgets.globe.Globe` each time it is called
        (share the immutable constellation, never the globe).
    **params
        Panel layout parameters for :class:`PanelGlobe`.

    Returns
    -------
    callable
        ``app()`` -> the session's page; pass it to ``pn.serve({"globe": app}, ...)``.

    Raises
    ------
    TypeError
        ``make_globe`` is a Globe (or any non-callable): one object served to every session
        would share its picks and state between them.
    """
    if isinstance(make_globe, Globe) or not callable(make_globe):
        raise TypeError("globe_app(make_globe): pass a function that returns a new Globe "
                        "(e.g. lambda: Globe(constellation)), not a Globe — one object "
                        "served to every session would share its state between them")

    def app() -> pn.viewable.Viewable:
        globe = make_globe()
        if not isinstance(globe, Globe):
            raise TypeError(f"make_globe() returned {type(globe).__name__}, not a Globe")
        return globe_page(globe, **params)

    return app
