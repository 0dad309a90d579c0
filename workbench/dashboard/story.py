"""Story mode: play a scenario's story (``scenario.story``) step by step.

Each step moves the globe's camera, sets its time step, highlights satellites or draws a
route, brings an analysis tab to the front and shows the caption in the session's
language. Next / previous: the buttons, or the keys → ↓ PageDown Space and ← ↑ PageUp
anywhere on the page; "Present" goes full screen with the caption across the bottom
(set as text, never as HTML).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import panel as pn
import param
from panel.custom import AnyWidgetComponent

from ..locale import translator
from ..model.story import Story, StoryStep
from ..widgets.globe import shell_colors
from .panes import message_html


HIGHLIGHT_RGBA = (255, 64, 64, 255)
DIM_ALPHA = 90

NEXT_KEYS = ("ArrowRight", "ArrowDown", "PageDown", " ")
PREVIOUS_KEYS = ("ArrowLeft", "ArrowUp", "PageUp")

_KEYS_ESM = """
function render({ model, el }) {
  const bar = document.createElement("div");
  bar.className = "wb-story-caption";
  bar.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:10000;padding:14px 24px;" +
    "background:rgba(20,24,32,0.86);color:#fff;font-size:22px;line-height:1.4;" +
    "display:none;font-family:" + model.get("font_stack");
  const text = document.createElement("span");
  const counter = document.createElement("span");
  counter.style.cssText = "float:right;opacity:0.7;font-size:16px";
  bar.append(text, counter);
  document.body.appendChild(bar);
  const button = document.createElement("button");
  button.className = "wb-story-present btn btn-primary";
  el.appendChild(button);
  const draw = () => {
    button.textContent = model.get("present_label");
    text.textContent = model.get("caption");
    counter.textContent = model.get("counter");
    bar.style.display = model.get("presenting") ? "block" : "none";
  };
  button.addEventListener("click", () => {
    const presenting = !model.get("presenting");
    model.set("presenting", presenting);
    model.save_changes();
    draw();
    const root = document.documentElement;
    try {
      if (presenting && root.requestFullscreen) root.requestFullscreen().catch(() => {});
      if (!presenting && document.fullscreenElement) document.exitFullscreen();
    } catch (e) { /* full screen refused: the caption bar still shows */ }
  });
  const NEXT_KEYS = %NEXT%, PREV_KEYS = %PREV%;
  const onKey = (event) => {
    if (!model.get("presenting")) return;
    const tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    const next = NEXT_KEYS.includes(event.key), prev = PREV_KEYS.includes(event.key);
    if (!next && !prev) return;
    event.preventDefault();
    // Panel's anywidget adapter has no model.send: count presses in synced state
    const name = next ? "next_presses" : "previous_presses";
    model.set(name, model.get(name) + 1);
    model.save_changes();
  };
  document.addEventListener("keydown", onKey);
  for (const name of ["caption", "counter", "presenting", "present_label"]) {
    model.on("change:" + name, draw);
  }
  draw();
  return () => { document.removeEventListener("keydown", onKey); bar.remove(); };
}
export default { render };
"""


class StoryKeys(AnyWidgetComponent):
    """The "Present" button, the full-screen caption bar and the next / previous keys."""

    caption = param.String(default="")
    counter = param.String(default="")
    presenting = param.Boolean(default=False)
    present_label = param.String(default="Present")
    font_stack = param.String(default="sans-serif")
    next_presses = param.Integer(default=0)
    previous_presses = param.Integer(default=0)

    _esm = (_KEYS_ESM.replace("%NEXT%", repr(list(NEXT_KEYS)).replace("'", '"'))
            .replace("%PREV%", repr(list(PREVIOUS_KEYS)).replace("'", '"')))

    def __init__(self, on_step: Any = None, **params: Any) -> None:
        super().__init__(**params)
        self._on_step = on_step
        self.param.watch(self._pressed, ["next_presses", "previous_presses"])

    def _pressed(self, event: param.parameterized.Event) -> None:
        if self._on_step is not None and event.new > event.old:
            self._on_step(1 if event.name == "next_presses" else -1)


class StoryPlayer(param.Parameterized):
    """Plays a dashboard's scenario story; ``index`` is the step shown (-1: none yet)."""

    index = param.Integer(default=-1)

    def __init__(self, dashboard: Any) -> None:  # the session's app.Dashboard (it builds us)
        super().__init__()
        from ..locale.fonts import FONT_STACK

        self.dashboard = dashboard
        self.keys = StoryKeys(on_step=self.step, font_stack=FONT_STACK)
        self.title = pn.pane.HTML("", sizing_mode="stretch_width")
        self.caption = pn.pane.HTML("", sizing_mode="stretch_width",
                                    css_classes=["wb-story-text"])
        self.counter = pn.pane.HTML("")
        self.previous_button = pn.widgets.Button(label="←", width=60)
        self.next_button = pn.widgets.Button(label="→", width=60, color="primary")
        self.previous_button.on_click(lambda _e: self.step(-1))
        self.next_button.on_click(lambda _e: self.step(1))
        self.notes = pn.pane.HTML("", sizing_mode="stretch_width")
        self._layout = pn.Column(self.title, pn.Row(self.previous_button, self.next_button,
                                                    self.counter),
                                 self.caption, self.notes, sizing_mode="stretch_width")
        self.relabel()

    @property
    def story(self) -> Story | None:
        return self.dashboard.scenario.story

    def panel(self) -> pn.viewable.Viewable:
        return self._layout

    def relabel(self) -> None:
        """Redraw the texts in the dashboard's language (and after a scenario change)."""
        _ = translator(self.dashboard.lang)
        story = self.story
        self.keys.present_label = _("Present (full screen)")
        if story is None:
            self.title.object = message_html(_("This scenario has no story."))
            self.caption.object = ""
            self.counter.object = ""
            self.index = -1
            self.keys.caption, self.keys.counter = "", ""
            return
        self.title.object = f"<h3>{_escape(story.title(self.dashboard.lang))}</h3>"
        if self.index >= len(story.steps):
            self.index = -1
        if self.index < 0:
            self.caption.object = message_html(
                _("{n} steps: press → or Present to start").format(n=len(story.steps)))
            self.counter.object = ""
            self.keys.caption = story.title(self.dashboard.lang)
            self.keys.counter = ""
        else:
            self._show_texts(story.steps[self.index])

    def _show_texts(self, step: StoryStep) -> None:
        story = self.story
        assert story is not None
        caption = step.caption(self.dashboard.lang)
        counter = f"{self.index + 1} / {len(story.steps)}"
        self.caption.object = (f"<p style='font-size:18px'>{_escape(caption)}</p>")
        self.counter.object = f"<span class='wb-story-counter'>{_escape(counter)}</span>"
        self.keys.caption, self.keys.counter = caption, counter

    def step(self, delta: int) -> None:
        """Go ``delta`` steps forward (or back), clamped to the story."""
        story = self.story
        if story is None:
            return
        self.go(min(max(self.index + delta, 0), len(story.steps) - 1))

    def go(self, index: int) -> None:
        """Show step ``index``: globe, tab and caption."""
        story = self.story
        if story is None:
            return
        self.index = index
        step = story.steps[index]
        _ = translator(self.dashboard.lang)
        notes: list[str] = []
        globe = self.dashboard.globe
        if step.camera is not None:
            globe.fly_to(step.camera.lon_deg, step.camera.lat_deg, step.camera.height_km)
        if globe.n_times:
            globe.playing = False
            globe.time_index = min(step.time_index, globe.n_times - 1)
        self._highlight(step.highlight_sats)
        if step.route is not None:
            notes.extend(self._route(step))
        else:
            globe.show_czml([])
        if step.tab:
            names = [spec.name for spec in self.dashboard.analyses] + ["compare", "story"]
            if step.tab in names:
                self.dashboard.tabs.active = names.index(step.tab)
            else:
                notes.append(_("No tab named {tab}").format(tab=step.tab))
        self.notes.object = message_html("\n".join(notes)) if notes else ""
        self._show_texts(step)

    def _highlight(self, sat_ids: tuple[int, ...]) -> None:
        globe = self.dashboard.globe
        if globe.constellation is None:
            return
        rgba = np.frombuffer(shell_colors(globe.constellation), dtype=np.uint8).reshape(-1, 4)
        rgba = rgba.copy()
        ids = [i for i in sat_ids if i < len(rgba)]
        if ids:
            rgba[:, 3] = DIM_ALPHA
            rgba[ids] = HIGHLIGHT_RGBA
        globe.sat_rgba = rgba.tobytes()

    def reset_highlight(self) -> None:
        """New orbits on the globe: re-apply the current step's highlight."""
        story = self.story
        if story is not None and 0 <= self.index < len(story.steps):
            self._highlight(story.steps[self.index].highlight_sats)

    def _route(self, step: StoryStep) -> list[str]:
        _ = translator(self.dashboard.lang)
        latency = self.dashboard.results.get("latency")
        globe = self.dashboard.globe
        if latency is None or isinstance(latency, BaseException) or globe.grid is None:
            return [_("The route appears once the latency analysis has run")]
        source, destination = step.route  # type: ignore[misc]
        try:
            when = globe.grid.at(min(step.time_index, len(globe.grid) - 1))
            globe.show_route(latency, source, destination, when)
        except Exception as exc:  # unknown site, or a time outside the result
            return [f"{source} → {destination}: {exc}"]
        return [globe.status] if globe.status else []


def _escape(text: str) -> str:
    import html

    return html.escape(text)


__all__ = ["NEXT_KEYS", "PREVIOUS_KEYS", "StoryKeys", "StoryPlayer"]
