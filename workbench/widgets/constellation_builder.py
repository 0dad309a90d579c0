"""Compose a constellation: a preset, Walker shells edited field by field, or a TLE upload.

>>> from workbench.widgets.constellation_builder import ConstellationBuilder
>>> builder = ConstellationBuilder()                      # doctest: +SKIP
>>> builder.observe(lambda c: print(c["new"].name), "value")  # doctest: +SKIP
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import traitlets

from ..model.constellation import Constellation, WalkerShell
from ..model.errors import ModelError
from .forms import ModelForm, error_html

CUSTOM = "custom Walker shell"
UPLOADED = "TLE set (uploaded or real)"


def _presets() -> list[tuple[str, str]]:
    """(label, id) of the catalog presets, or [] if the catalog is unavailable."""
    try:
        from .. import datasets

        frame = datasets.constellations()
    except (ImportError, AttributeError):
        return []
    return [(f"{name} — {n:,} sats", pid) for pid, name, n in
            zip(frame["id"], frame["name"], frame["n_sats"], strict=True)]


def _matching_preset(constellation: Constellation, presets: list[tuple[str, str]]) -> str:
    """The id of the catalog preset equal to ``constellation``, else :data:`CUSTOM`."""
    if constellation.tle_sets:
        return UPLOADED
    from .. import datasets

    for _label, preset_id in presets:
        if datasets.constellation(preset_id) == constellation:
            return preset_id
    return CUSTOM


def summary_html(constellation: Constellation) -> str:
    """Count, altitude and period of a constellation (live summary under the builder)."""
    sats = constellation.satellites
    rows = []
    for shell in constellation.shells:
        rows.append(f"<tr><td>{html.escape(shell.name)}</td><td>{shell.n_sats:,}</td>"
                    f"<td>{shell.altitude_km:g}</td><td>{shell.inclination_deg:g}</td>"
                    f"<td>{shell.period_s / 60:.1f}</td></tr>")
    for tle_set in constellation.tle_sets:
        part = sats.filter(sats["shell"] == tle_set.name)
        period_min = 1440.0 / part["mean_motion_rev_per_day"].median()
        rows.append(f"<tr><td>{html.escape(tle_set.name)} (TLE)</td><td>{len(tle_set):,}</td>"
                    f"<td>{part['altitude_km'].median():.0f} (median)</td>"
                    f"<td>{part['inclination_deg'].median():.1f} (median)</td>"
                    f"<td>{period_min:.1f} (median)</td></tr>")
    return (f"<div class='wb-summary'><b>{html.escape(constellation.name)}</b>: "
            f"{len(constellation):,} satellites"
            "<table style='border-collapse:collapse'><tr><th>shell</th><th>sats</th>"
            "<th>altitude km</th><th>incl. °</th><th>period min</th></tr>"
            f"{''.join(rows)}</table></div>")


class ConstellationBuilder(widgets.VBox):
    """Preset picker, Walker-shell form, TLE upload and a live summary.

    ``value`` (a traitlet) is the last valid :class:`Constellation`.
    """

    value = traitlets.Instance(Constellation)

    def __init__(self, constellation: Constellation | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if constellation is None:
            constellation = Constellation.walker(550.0, 53.0, 12, 12, name="walker")
        self._syncing = False
        self._selected: str | None = None
        presets = _presets()
        self.preset = widgets.Dropdown(
            options=[(CUSTOM, CUSTOM), *presets, (UPLOADED, UPLOADED)], value=CUSTOM,
            description="Preset", style={"description_width": "80px"},
            layout=widgets.Layout(width="100%", min_width="420px"),  # names up to ~55 chars
            tooltip="Published constellations as Walker shells (datasets.constellations())")
        self.shell_picker = widgets.Dropdown(description="Edit shell",
                                             style={"description_width": "80px"},
                                             layout=widgets.Layout(width="100%",
                                                                   min_width="420px"))
        self.shell_form = ModelForm(constellation.shells[0] if constellation.shells
                                    else WalkerShell())
        self.upload = widgets.FileUpload(accept=".tle,.txt,.3le", multiple=False,
                                         description="Upload TLE",
                                         tooltip="Two- or three-line element sets")
        self.error = widgets.HTML()
        self.summary = widgets.HTML()
        self.preset.observe(self._on_preset, "value")
        self.shell_picker.observe(self._on_shell_pick, "value")
        self.shell_form.observe(self._on_shell_edit, "value")
        self.upload.observe(self._on_upload, "value")
        self.children = [self.preset, self.shell_picker, self.shell_form,
                         widgets.HBox([self.upload, self.error]), self.summary]
        self.observe(self._on_value, "value")
        self.value = constellation
        self._syncing = True
        try:
            self.preset.value = _matching_preset(constellation, presets)
        finally:
            self._syncing = False

    # --- model -> widgets ----------------------------------------------------------------
    def _on_value(self, change: dict) -> None:
        constellation = change["new"]
        self.summary.value = summary_html(constellation)
        was, self._syncing = self._syncing, True
        try:
            names = [s.name for s in constellation.shells]
            keep = self._selected if self._selected in names else (names[0] if names else None)
            self._selected = keep
            self.shell_picker.options = names
            self.shell_picker.value = keep
            self.shell_picker.layout.display = "" if len(names) > 1 else "none"
            self.shell_form.layout.display = "" if names else "none"
            if keep is not None:
                shell = next(s for s in constellation.shells if s.name == keep)
                if self.shell_form.value != shell:
                    self.shell_form.value = shell
        finally:
            self._syncing = was

    # --- widgets -> model ----------------------------------------------------------------
    def _set(self, constellation: Constellation) -> None:
        self.error.value = ""
        self.value = constellation

    def _on_preset(self, change: dict) -> None:
        if self._syncing or change["new"] in (CUSTOM, UPLOADED):
            return
        from .. import datasets

        self._set(datasets.constellation(change["new"]))

    def _on_shell_pick(self, change: dict) -> None:
        if self._syncing or change["new"] is None:
            return
        shell = next(s for s in self.value.shells if s.name == change["new"])
        self._selected = shell.name
        self._syncing = True
        try:
            self.shell_form.value = shell
        finally:
            self._syncing = False

    def _on_shell_edit(self, change: dict) -> None:
        if self._syncing:
            return
        edited: WalkerShell = change["new"]
        current = self.value
        target = self._selected
        shells = tuple(edited if s.name == target else s for s in current.shells) or (edited,)
        try:
            new = Constellation.model_validate({
                "name": current.name if current.shells else "walker",
                "description": current.description, "shells": shells,
                "tle_sets": current.tle_sets})
        except ModelError as exc:
            self.error.value = error_html(exc.render())
            return
        self._selected = edited.name
        self._syncing = True
        try:
            self.preset.value = CUSTOM
        finally:
            self._syncing = False
        self._set(new)

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        text = bytes(item["content"]).decode("utf-8", errors="replace")
        self.load_tle(text, name=str(item.get("name", "uploaded")).rsplit(".", 1)[0])

    def load_tle(self, text: str, *, name: str = "uploaded") -> bool:
        """Use a TLE text as the constellation; on a bad TLE show the error, keep the last."""
        try:
            constellation = Constellation.from_tle(text if "\n" in text else text + "\n",
                                                   name=name)
        except ModelError as exc:
            self.error.value = error_html(exc.render())
            return False
        self._syncing = True
        try:
            self.preset.value = UPLOADED
        finally:
            self._syncing = False
        self._set(constellation)
        return True


__all__ = ["ConstellationBuilder", "summary_html"]
