"""A standalone web page for a :class:`~workbench.widgets.globe.Globe` (no Jupyter).

The page loads ``globe.js`` with a small stand-in for the widget model (``get``, ``set``,
``on``, ``off``, ``save_changes``, ``send``), filled from the widget's synced state. What
the page sets (picks, status) is recorded in ``window.__wbSets`` so a test or a script
can hand it back to Python with :func:`apply_browser_sets`. Used by the browser tests,
the benchmark, and for offline static exports of a globe.
"""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from .globe import Globe

_HERE = Path(__file__).parent

PAGE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="globe.css">
<style>html,body{{margin:0;background:#0b1020}} #app{{width:100%}}</style></head>
<body><div id="app"></div>
<script type="module">
import globe from "./globe.js";
const state = await (await fetch("state.json")).json();
for (const [name, file] of Object.entries(state.__buffers__ || {{}})) {{
  state[name] = new DataView(await (await fetch(file)).arrayBuffer());
}}
delete state.__buffers__;
const listeners = {{}};
const sets = [];
let pending = {{}};
const model = {{
  get: (name) => state[name],
  set(name, value) {{
    state[name] = value; pending[name] = value;
    for (const fn of listeners["change:" + name] || []) fn();
  }},
  on(event, fn) {{ (listeners[event] = listeners[event] || []).push(fn); }},
  off(event, fn) {{
    listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
  }},
  save_changes() {{ if (Object.keys(pending).length) sets.push(pending); pending = {{}}; }},
  send(msg) {{ sets.push({{__msg__: msg}}); }},
  // what Python would do: change the state from the kernel side
  pySet(name, value) {{
    state[name] = value;
    for (const fn of listeners["change:" + name] || []) fn();
  }},
}};
window.__wbModel = model;
window.__wbSets = sets;
globe.render({{ model, el: document.getElementById("app") }});
</script></body></html>
"""


def write_globe_page(globe: Globe, directory: str | Path, *, cesium_url: str | None = None,
                     copy_cesium: bool = False, title: str = "workbench globe") -> Path:
    """Write ``index.html`` + ``globe.js`` + the globe's state into ``directory``.

    Parameters
    ----------
    globe : Globe
        The widget whose synced state the page starts from.
    directory : path
        Created if missing; serve it over HTTP (ES modules do not load from file://).
    cesium_url : str, optional
        Cesium base URL for the page (default: the widget's own candidates, less the
        Jupyter-only one).
    copy_cesium : bool
        Copy the local Cesium build into ``directory/cesium/`` and use it (fully offline
        folder, ~23 MB).

    Returns
    -------
    Path
        The ``index.html`` written.
    """
    from . import cesium

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_HERE / "globe.js", out / "globe.js")
    shutil.copyfile(_HERE / "globe.css", out / "globe.css")
    state, buffers = globe.synced_state()
    if copy_cesium:
        build = cesium.local_cesium_dir()
        if build is None:
            raise RuntimeError("copy_cesium=True: no local Cesium build; run install_cesium()")
        shutil.copytree(build, out / "cesium", dirs_exist_ok=True)
        cesium_url = "cesium/"
    if cesium_url is not None:
        state["cesium_urls"] = [cesium_url]
    else:
        state["cesium_urls"] = [u for u in state["cesium_urls"]
                                if u != cesium.JUPYTER_SERVER_TOKEN]
    state["__buffers__"] = {}
    for name, data in buffers.items():
        (out / f"{name}.bin").write_bytes(data)
        state["__buffers__"][name] = f"{name}.bin"
    (out / "state.json").write_text(json.dumps(state), encoding="utf-8")
    page = out / "index.html"
    page.write_text(PAGE_HTML.format(title=html.escape(title)), encoding="utf-8")
    return page


def apply_browser_sets(globe: Globe, sets: list[dict]) -> None:
    """Apply what a page recorded (``window.__wbSets``) to ``globe``, as the widget
    comm would: each saved change becomes a ``set_state`` from the browser."""
    for change in sets:
        state = {k: v for k, v in change.items() if k != "__msg__"}
        if state:
            globe.set_state(state)


__all__ = ["apply_browser_sets", "write_globe_page"]
