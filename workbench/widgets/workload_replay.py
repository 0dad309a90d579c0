"""A replay of a scheduling result on the globe: a step slider (with a Play button) that
colours each satellite by its workload at that step
(:meth:`~workbench.widgets.globe.Globe.show_workload`)."""
from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import ipywidgets as widgets

from .globe import Globe
from .workload import WORKLOAD_COLUMNS, workload_legend, workload_scale, workload_steps


class WorkloadReplay(widgets.VBox):
    """Step through a scheduling result and colour the globe's satellites by workload.

    The steps are the result's (the scenario's whole time grid), so the satellites'
    colours follow the slider while their positions follow the globe's own clock, which
    animates only the workbench's first ``GLOBE_SPAN_S``.

    Attributes
    ----------
    time_index : IntSlider over the result's steps (``time_label`` reads out UTC)
    play : Play, linked to ``time_index``
    column : ToggleButtons, utilisation or queue
    show_toggle : ToggleButton; while pressed the globe shows the workload (else shells)
    legend : HTML, what the colours mean
    status : HTML, why nothing can be replayed (or why a step cannot be drawn)
    """

    def __init__(self, globe: Globe) -> None:
        self.globe = globe
        self.result: Any = None
        self.times_utc: list[datetime] = []
        self._is_drawn = False
        self._is_building = False
        self.time_index = widgets.IntSlider(description="Step", min=0, max=0, readout=False,
                                            continuous_update=True)
        self.play = widgets.Play(min=0, max=0, interval=400, description="Replay")
        widgets.link((self.play, "value"), (self.time_index, "value"))
        widgets.link((self.play, "max"), (self.time_index, "max"))
        self.time_label = widgets.HTML()
        self.column = widgets.ToggleButtons(
            options=[(word, name) for name, word in WORKLOAD_COLUMNS.items()],
            value="utilisation_frac", style={"button_width": "auto"})
        self.show_toggle = widgets.ToggleButton(description="Colour globe by workload",
                                                icon="globe",
                                                layout=widgets.Layout(width="220px"))
        self.legend = widgets.HTML()
        self.status = widgets.HTML()
        super().__init__([
            widgets.HBox([self.show_toggle, self.column, self.status]),
            widgets.HBox([self.play, self.time_index, self.time_label]), self.legend])
        for control in (self.time_index, self.column, self.show_toggle):
            control.observe(self._draw, "value")
        self.set_result(None)

    @property
    def _controls(self) -> tuple[widgets.Widget, ...]:
        return self.time_index, self.play, self.column, self.show_toggle

    def set_result(self, result: Any, *, reason: str = "run the scheduling analysis first"
                   ) -> None:
        """Replay the steps of ``result``, keeping the step (clipped), column and toggle;
        anything but a SchedulingResult with a satellite timeseries disables the replay and
        says why (``reason`` for None)."""
        problem = _replay_problem(result) if result is not None else reason
        self._is_building = True
        try:
            if problem is None:
                self.times_utc = workload_steps(result)
                self.time_index.max = len(self.times_utc) - 1
                self.result = result
            else:
                self.result = None
            for control in self._controls:
                control.disabled = problem is not None
            if problem is not None:
                self.play.playing = False
        finally:
            self._is_building = False
        if problem is None:
            self.status.value = ""
            self._draw()
        else:
            self._clear()
            self.time_label.value = self.legend.value = ""
            self.status.value = _note(f"No workload to replay: {problem}.")

    def _draw(self, _change: dict | None = None) -> None:
        if self._is_building or self.result is None:
            return
        when = self.times_utc[self.time_index.value]
        self.time_label.value = html.escape(f"{when:%Y-%m-%d %H:%M:%S} UTC "
                                            f"(step {self.time_index.value + 1} of "
                                            f"{len(self.times_utc)})")
        self.legend.value = _note(workload_legend(self.column.value, workload_scale(
            self.result, self.column.value)))
        if not self.show_toggle.value:
            self._clear()
            return
        try:
            self.globe.show_workload(self.result, self.time_index.value,
                                     column=self.column.value)
        except Exception as exc:  # a replay failing must not break the workbench
            self._clear()
            self.status.value = _note(f"Cannot colour the globe: {type(exc).__name__}: {exc}",
                                      error=True)
            return
        self._is_drawn = True
        self.status.value = ""

    def _clear(self) -> None:
        """Give the globe its shell colours back if this replay coloured it."""
        if self._is_drawn:
            self.globe.show_shells()
            self._is_drawn = False


def _replay_problem(result: Any) -> str | None:
    """Why ``result`` cannot be replayed (None if it can)."""
    if isinstance(result, BaseException):
        return f"the scheduling analysis did not run ({type(result).__name__}: {result})"
    frames = getattr(result, "frames", None)
    if not isinstance(frames, dict) or "satellites" not in frames:
        return (f"the scheduling analysis returned {type(result).__name__}, "
                "not a SchedulingResult")
    if frames["satellites"].is_empty():
        return "the run kept no satellite timeseries (Satellites in the timeseries is 0)"
    return None


def _note(text: str, *, error: bool = False) -> str:
    colour = "#c62828" if error else "#555"
    return f"<span style='color:{colour}'>{html.escape(text)}</span>"


__all__ = ["WorkloadReplay"]
