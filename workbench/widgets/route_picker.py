"""A route picker for a latency result: choose a pair of sites and a time step, and the
route is drawn on the globe (:meth:`~workbench.widgets.globe.Globe.show_route`)."""
from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import ipywidgets as widgets

from .globe import Globe


class RoutePicker(widgets.VBox):
    """Pick a pair of sites and a time step of a latency result; draw that route on a globe.

    The pairs and time steps come from the :class:`~workbench.analyses.network.roundtrip.LatencyResult`
    (:meth:`set_result`), so they span the scenario's whole duration while the
    workbench's globe animates only its first ``GLOBE_SPAN_S``. :meth:`Globe.show_route`
    places the route's satellites where they are at the chosen time, which the globe's
    moving satellites match only when its clock shows that time.

    Attributes
    ----------
    pair : Dropdown of (source, destination) site names
    time_index : IntSlider over the result's time steps (``time_label`` reads out UTC)
    show_toggle : ToggleButton; while pressed the chosen route is drawn (and redrawn on changes)
    status : HTML with the route's satellite count, "unreachable", or why nothing can be picked
    sat_ids : list of int, the satellites of the route drawn last ([] if unreachable or none)
    """

    def __init__(self, globe: Globe) -> None:
        self.globe = globe
        self.latency: Any = None
        self.times_utc: list[datetime] = []
        self.sat_ids: list[int] = []
        self._is_drawn = False
        self._is_building = False
        self.pair = widgets.Dropdown(description="Route", layout=widgets.Layout(width="380px"))
        self.time_index = widgets.IntSlider(description="Time step", min=0, max=0,
                                            readout=False, continuous_update=False)
        self.time_label = widgets.HTML()
        self.show_toggle = widgets.ToggleButton(description="Show route on globe",
                                                icon="globe",
                                                layout=widgets.Layout(width="180px"))
        self.status = widgets.HTML()
        super().__init__([widgets.HBox([self.pair, self.show_toggle, self.status]),
                          widgets.HBox([self.time_index, self.time_label])])
        for control in (self.pair, self.time_index, self.show_toggle):
            control.observe(self._draw, "value")
        self.set_result(None)

    def set_result(self, latency: Any, *, reason: str = "run the latency analysis first"
                   ) -> None:
        """Offer the pairs and time steps of ``latency``, keeping the chosen pair (if it is
        still routed), step and toggle; anything but a LatencyResult with kept routes and
        at least one pair disables the picker and says why (``reason`` for None)."""
        import polars as pl

        problem = _route_problem(latency) if latency is not None else reason
        self._is_building = True
        try:
            if problem is None:
                pairs = latency.by_pair.select(pl.col("source", "destination").cast(pl.String),
                                               "reachable_frac")
                options = [(f"{s} → {d} ({frac:.0%} of steps routed)", (s, d))
                           for s, d, frac in pairs.iter_rows()]
                previous = self.pair.value
                self.pair.options = options
                self.pair.value = previous if previous in dict(options).values() else (
                    options[0][1])
                self.times_utc = latency.rtt["time_utc"].unique().sort().to_list()
                self.time_index.max = len(self.times_utc) - 1
                self.latency = latency
            else:
                self.latency = None
            for control in (self.pair, self.time_index, self.show_toggle):
                control.disabled = problem is not None
        finally:
            self._is_building = False
        if problem is None:
            self._draw()
        else:
            self._clear()
            self.time_label.value = ""
            self.status.value = _note(f"No routes to pick: {problem}.")

    def _draw(self, _change: dict | None = None) -> None:
        if self._is_building or self.latency is None:
            return
        when = self.times_utc[self.time_index.value]
        self.time_label.value = f"{when:%Y-%m-%d %H:%M:%S} UTC"
        if not self.show_toggle.value:
            self._clear()
            self.status.value = ""
            return
        source, destination = self.pair.value
        try:
            self.sat_ids = self.globe.show_route(self.latency, source, destination, when)
        except Exception as exc:  # a route failing must not break the workbench
            self._clear()
            self.status.value = _note(f"Cannot draw the route: {type(exc).__name__}: {exc}",
                                      error=True)
            return
        self._is_drawn = True
        self.status.value = (_note(f"{len(self.sat_ids)} satellites: "
                                   f"{', '.join(map(str, self.sat_ids))}")
                             if self.sat_ids else
                             _note(f"unreachable at {when:%H:%M:%S} UTC", error=True))

    def _clear(self) -> None:
        """Remove the route this picker drew (and only that) from the globe."""
        self.sat_ids = []
        if self._is_drawn:
            self.globe.show_czml([])
            self._is_drawn = False


def _route_problem(latency: Any) -> str | None:
    """Why ``latency`` offers no routes to pick (None if it does)."""
    if isinstance(latency, BaseException):
        return f"the latency analysis did not run ({type(latency).__name__}: {latency})"
    if not hasattr(latency, "rtt") or not hasattr(latency, "by_pair"):
        return f"the latency analysis returned {type(latency).__name__}, not a LatencyResult"
    if latency.by_pair.is_empty() or latency.rtt.is_empty():
        return "the latency analysis routed no pairs of sites"
    if not latency.info.get("keep_paths", True):
        return ("routes were not kept for this many (time step, pair) rows; "
                "run latency(scenario, options={\"keep_paths\": True})")
    return None


def _note(text: str, *, error: bool = False) -> str:
    colour = "#c62828" if error else "#555"
    return f"<span style='color:{colour}'>{html.escape(text)}</span>"


__all__ = ["RoutePicker"]
