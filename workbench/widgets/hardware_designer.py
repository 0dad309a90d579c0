"""Design the hardware: chip from the catalog, chips per satellite, the platform, and
power / thermal / mass budget bars that turn red when the design does not close.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import traitlets

from ..model.constants import (
    MU_EARTH_KM3_PER_S2,
    R_EARTH_KM,
    SOLAR_CONSTANT_W_PER_M2,
    STEFAN_BOLTZMANN_W_PER_M2_K4,
)
from ..model.hardware import ComputeChip, ComputePayload, Platform
from .forms import ModelForm

SINK_TEMP_K = 250.0
"""Effective sink temperature of a LEO radiator that sees both Earth and deep space
(estimate: between deep space, 3 K, and Earth's ~255 K effective IR temperature)."""

X_ECLIPSE_FRAC = 0.65
X_DAYLIGHT_FRAC = 0.85
"""Power-path efficiencies from the array to the loads via the battery (eclipse) and
directly (daylight), direct energy transfer (SMAD 3rd ed., §11.4, eq. 11-5)."""


@dataclass(frozen=True)
class Budget:
    """One budget line: what is needed against what is available."""

    name: str
    needed: float
    available: float
    unit: str
    note: str = ""

    @property
    def is_feasible(self) -> bool:
        return self.needed <= self.available

    @property
    def used_frac(self) -> float:
        return self.needed / self.available if self.available > 0 else math.inf


def mass_budget(mass_kg: float, launch_capacity_kg: float,
                n_sats: int | None = None) -> Budget:
    """One satellite's mass against its share of a launch, not the launcher's whole capacity.

    ``k = ⌊capacity / mass⌋`` satellites fit one launch; a constellation of ``n_sats`` then
    needs ``L = ⌈n_sats / k⌉`` launches and, spread evenly, ``⌈n_sats / L⌉`` satellites ride
    each, so each satellite's share is ``capacity / ⌈n_sats / L⌉``. Without ``n_sats`` the
    launch is filled: the share is ``capacity / k``.
    """
    if mass_kg > launch_capacity_kg:
        return Budget("mass", mass_kg, launch_capacity_kg, "kg",
                      "heavier than the launcher's whole capacity")
    per_launch = int(launch_capacity_kg // mass_kg)
    if n_sats is None or n_sats < 1:
        return Budget("mass", mass_kg, launch_capacity_kg / per_launch, "kg",
                      f"share of a launch: {per_launch:,} satellites per launch")
    launches = math.ceil(n_sats / per_launch)
    riding = math.ceil(n_sats / launches)
    return Budget("mass", mass_kg, launch_capacity_kg / riding, "kg",
                  f"share of a launch: {per_launch:,} fit one, {n_sats:,} satellites need "
                  f"{launches:,} launch{'es' if launches != 1 else ''} of {riding:,}")


def budgets(platform: Platform, payload: ComputePayload, *, altitude_km: float,
            launch_capacity_kg: float | None = None,
            n_sats: int | None = None) -> list[Budget]:
    """Quick sizing checks of one satellite design (worst case: beta angle 0, end of life).

    Returns
    -------
    list of Budget
        ``power`` (W of array output at end of life), ``battery`` (Wh), ``thermal`` (W of
        payload heat vs radiator capacity), ``mass`` (kg vs the satellite's share of a
        launch, :func:`mass_budget`) if the launcher is known.

    Notes
    -----
    Eclipse fraction at β = 0: asin(R⊕/a)/π (cylindrical shadow). Array power needed:
    P_sa = (P·T_e/X_e + P·T_d/X_d)/T_d (SMAD eq. 11-5); available: S₀·A·η·(1−d)^life.
    Battery: E = P·T_e/(DoD·η_batt) (README design notes). Radiator: Q = εσA(T⁴ − T_sink⁴).
    """
    a_km = R_EARTH_KM + altitude_km
    period_s = 2 * math.pi * math.sqrt(a_km**3 / MU_EARTH_KM3_PER_S2)
    eclipse_s = period_s * math.asin(R_EARTH_KM / a_km) / math.pi
    daylight_s = period_s - eclipse_s
    load_w = platform.bus_power_w + payload.power_w
    array_needed_w = load_w * (eclipse_s / X_ECLIPSE_FRAC + daylight_s / X_DAYLIGHT_FRAC
                               ) / daylight_s
    array_eol_w = (SOLAR_CONSTANT_W_PER_M2 * platform.solar_array_area_m2
                   * platform.cell_efficiency_frac
                   * (1 - platform.degradation_per_year_frac) ** platform.design_life_years)
    battery_needed_wh = load_w * eclipse_s / 3600.0 / (
        platform.depth_of_discharge_frac * platform.battery_efficiency_frac)
    radiator_w = (platform.emissivity_frac * STEFAN_BOLTZMANN_W_PER_M2_K4
                  * platform.radiator_area_m2
                  * (platform.max_radiator_temp_k**4 - SINK_TEMP_K**4))
    out = [
        Budget("power", array_needed_w, array_eol_w, "W",
               f"load {load_w:,.0f} W; eclipse {eclipse_s / 60:.0f} of {period_s / 60:.0f} min"),
        Budget("battery", battery_needed_wh, platform.battery_wh, "Wh",
               f"depth of discharge {platform.depth_of_discharge_frac:.0%}"),
        Budget("thermal", payload.power_w, max(radiator_w, 0.0), "W",
               f"radiator {platform.radiator_area_m2:g} m² at {platform.max_radiator_temp_k:g} K"),
    ]
    if launch_capacity_kg is not None:
        out.append(mass_budget(platform.dry_mass_kg + payload.mass_kg, launch_capacity_kg,
                               n_sats))
    return out


def _catalog(kind: str) -> Any:
    try:
        from .. import datasets

        return getattr(datasets, kind)()
    except (ImportError, AttributeError):
        return None


def chip_table_html(selected: str | None = None) -> str:
    """The chip catalog as an HTML table, the selected chip highlighted."""
    frame = _catalog("chips")
    if frame is None:
        return "<i>chip catalog unavailable</i>"
    head = ("<tr><th>chip</th><th>INT8 TOPS</th><th>W</th><th>TOPS/W</th><th>kg</th>"
            "<th>TID krad</th><th>class</th><th>USD</th></tr>")
    rows = []
    for r in frame.iter_rows(named=True):
        style = " style='background:#fff3b0;font-weight:bold'" if r["name"] == selected else ""
        rows.append(f"<tr{style}><td>{html.escape(r['name'])}</td><td>{r['int8_tops']:g}</td>"
                    f"<td>{r['power_w']:g}</td><td>{r['tops_per_w']:.2f}</td>"
                    f"<td>{r['mass_kg']:g}</td><td>{r['tid_krad']:g}</td>"
                    f"<td>{html.escape(r['radiation_class'])}</td>"
                    f"<td>{r['unit_cost_usd']:,.0f}</td></tr>")
    return ("<div style='max-height:220px;overflow:auto'><table class='wb-chip-table' "
            "style='border-collapse:collapse;font-size:12px'>" + head + "".join(rows)
            + "</table></div>")


class HardwareDesigner(widgets.VBox):
    """Chip catalog, chips per satellite, platform, and budget bars.

    ``payload`` and ``platform`` (traitlets) are the last valid models.
    """

    payload = traitlets.Instance(ComputePayload)
    platform = traitlets.Instance(Platform)
    altitude_km = traitlets.Float(550.0)
    launch_capacity_kg = traitlets.Float(None, allow_none=True)
    n_sats = traitlets.Int(None, allow_none=True)

    def __init__(self, platform: Platform, payload: ComputePayload, *,
                 altitude_km: float = 550.0, launch_capacity_kg: float | None = None,
                 n_sats: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._syncing = False
        chips = _catalog("chips")
        names = list(chips["name"]) if chips is not None else []
        if payload.chip.name not in names:
            names.append(payload.chip.name)
        self._custom_chip: ComputeChip = payload.chip
        self.chip_picker = widgets.Dropdown(options=names, value=payload.chip.name,
                                            description="Chip",
                                            style={"description_width": "190px"},
                                            layout=widgets.Layout(width="480px"))
        self.chip_table = widgets.HTML(chip_table_html(payload.chip.name))
        self.payload_form = ModelForm(payload, exclude=("chip",))
        platforms = _catalog("platforms")
        pnames = list(platforms["name"]) if platforms is not None else []
        if platform.name not in pnames:
            pnames.append(platform.name)
        self.platform_picker = widgets.Dropdown(options=pnames, value=platform.name,
                                                description="Platform",
                                                style={"description_width": "190px"},
                                                layout=widgets.Layout(width="480px"))
        self.platform_form = ModelForm(platform)
        platform_box = widgets.Accordion(children=[self.platform_form])
        platform_box.set_title(0, "Platform details")
        self.bars: dict[str, tuple[widgets.FloatProgress, widgets.HTML]] = {}
        bar_rows = []
        for name in ("power", "battery", "thermal", "mass"):
            bar = widgets.FloatProgress(min=0.0, max=1.0, description=name.capitalize(),
                                        style={"description_width": "80px"},
                                        layout=widgets.Layout(width="300px"))
            label = widgets.HTML()
            self.bars[name] = (bar, label)
            bar_rows.append(widgets.HBox([bar, label]))
        self.budget_box = widgets.VBox(bar_rows)
        self.chip_picker.observe(self._on_chip, "value")
        self.payload_form.observe(self._on_payload_form, "value")
        self.platform_picker.observe(self._on_platform_pick, "value")
        self.platform_form.observe(self._on_platform_form, "value")
        self.children = [self.chip_picker, self.chip_table, self.payload_form,
                         self.platform_picker, platform_box,
                         widgets.HTML("<b>Budgets</b> (β = 0, end of life)"), self.budget_box]
        self.payload, self.platform = payload, platform
        self.altitude_km, self.launch_capacity_kg = altitude_km, launch_capacity_kg
        self.n_sats = n_sats
        self.observe(self._refresh, ["payload", "platform", "altitude_km",
                                     "launch_capacity_kg", "n_sats"])
        self._refresh()

    def _on_chip(self, change: dict) -> None:
        if self._syncing:
            return
        name = change["new"]
        chip = self._custom_chip
        if name != self._custom_chip.name:
            from .. import datasets

            chip = datasets.chip(name)
        self.chip_table.value = chip_table_html(name)
        self.payload = ComputePayload.model_validate(
            {**{k: getattr(self.payload, k) for k in ComputePayload.model_fields},
             "chip": chip})

    def _on_payload_form(self, change: dict) -> None:
        form_value = change["new"]
        self.payload = ComputePayload.model_validate(
            {**{k: getattr(form_value, k) for k in ComputePayload.model_fields},
             "chip": self.payload.chip})

    def _on_platform_pick(self, change: dict) -> None:
        if self._syncing or change["new"] == self.platform.name:
            return
        from .. import datasets

        self.platform_form.value = datasets.platform(change["new"])

    def _on_platform_form(self, change: dict) -> None:
        self.platform = change["new"]

    def set_models(self, platform: Platform, payload: ComputePayload) -> None:
        """Show another platform and payload (e.g. a loaded scenario)."""
        self._syncing = True
        try:
            if payload.chip.name not in self.chip_picker.options:
                self._custom_chip = payload.chip
                self.chip_picker.options = [*self.chip_picker.options, payload.chip.name]
            self.chip_picker.value = payload.chip.name
            self.chip_table.value = chip_table_html(payload.chip.name)
            if platform.name not in self.platform_picker.options:
                self.platform_picker.options = [*self.platform_picker.options, platform.name]
            self.platform_picker.value = platform.name
            self.payload_form.value = payload
            self.platform_form.value = platform
        finally:
            self._syncing = False
        self.payload, self.platform = payload, platform

    def budgets(self) -> list[Budget]:
        return budgets(self.platform, self.payload, altitude_km=self.altitude_km,
                       launch_capacity_kg=self.launch_capacity_kg, n_sats=self.n_sats)

    def _refresh(self, change: dict | None = None) -> None:
        lines = {b.name: b for b in self.budgets()}
        for name, (bar, label) in self.bars.items():
            budget = lines.get(name)
            bar.layout.display = "" if budget else "none"
            label.layout.display = "" if budget else "none"
            if budget is None:
                continue
            bar.max = max(1.0, budget.used_frac if math.isfinite(budget.used_frac) else 1.0)
            bar.value = min(budget.used_frac, bar.max) if math.isfinite(
                budget.used_frac) else bar.max
            bar.bar_style = "success" if budget.is_feasible else "danger"
            colour = "#2e7d32" if budget.is_feasible else "#c62828"
            per = " per satellite" if name == "mass" else ""
            label.value = (f"<span style='color:{colour}'>{budget.needed:,.0f} / "
                           f"{budget.available:,.0f} {budget.unit}{per} "
                           f"({budget.used_frac:.0%})</span> "
                           f"<small>{html.escape(budget.note)}</small>")


__all__ = ["Budget", "HardwareDesigner", "budgets", "chip_table_html", "mass_budget"]
