"""Onboard compute chips, the payload built from them, and the satellite platform."""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .base import Model
from .errors import FieldValueError
from .fields import quantity

RadiationClass = Literal["cots", "tolerant", "hardened"]


class ComputeChip(Model):
    """A compute device as flown (or proposed) on satellites."""

    name: str = quantity(label="Chip name",
                         description="Chip or module name")
    int8_tops: float = quantity(unit="TOPS", ge=0.0, le=100000.0,
                                label="INT8 compute",
                                description="Peak INT8 tera-operations per second")
    typical_int8_tops: float | None = quantity(
        None, unit="TOPS", gt=0.0, le=100000.0, label="Typical INT8 compute",
        description="INT8 tera-operations per second delivered in typical or sustained use, "
                    "where published; empty: only the peak is known")
    fp16_tflops: float = quantity(0.0, unit="TFLOPS", ge=0.0, le=100000.0,
                                  label="FP16 compute",
                                  description="Peak FP16 tera-floating-point ops per second")
    power_w: float = quantity(unit="W", gt=0.0, le=100000.0, step=1.0,
                              label="Power at full load",
                              description="Power drawn at full load")
    mass_kg: float = quantity(unit="kg", gt=0.0, le=1000.0, step=0.01,
                              label="Module mass",
                              description="Mass of the module incl. its board")
    tid_krad: float = quantity(unit="krad(Si)", gt=0.0, le=100000.0,
                               label="Total-dose tolerance",
                               description="Total ionising dose the part tolerates")
    radiation_class: RadiationClass = quantity(
        "cots", label="Radiation class",
        description="cots (commercial), tolerant (screened/tested), hardened (by design)")
    unit_cost_usd: float = quantity(unit="USD", ge=0.0, le=1e10, label="Unit cost",
                                    description="Unit cost")
    source: str = quantity("", label="Source",
                           description="Where the figures come from")

    @model_validator(mode="after")
    def _typical_below_peak(self) -> ComputeChip:
        if self.typical_int8_tops is not None and self.typical_int8_tops > self.int8_tops:
            raise FieldValueError("typical_int8_tops", self.typical_int8_tops,
                                  "typical compute cannot exceed the peak int8_tops={peak}",
                                  peak=f"{self.int8_tops:g}")
        return self

    @property
    def tops_per_w(self) -> float:
        return self.int8_tops / self.power_w

    @property
    def rated_int8_tops(self) -> float:
        """The compute to plan with: ``typical_int8_tops`` where known, else the peak."""
        return self.typical_int8_tops if self.typical_int8_tops is not None else self.int8_tops


class ComputePayload(Model):
    """The compute carried by each satellite: ``count`` chips plus storage and overhead."""

    chip: ComputeChip = quantity(label="Compute chip",
                                 description="The compute chip")
    count: int = quantity(1, ge=1, le=10000, label="Chips per satellite",
                          description="Chips per satellite")
    overhead_power_w: float = quantity(10.0, unit="W", ge=0.0, le=100000.0,
                                       label="Overhead power",
                                       description="Payload power besides the chips "
                                                   "(memory, I/O, conversion losses)")
    storage_tb: float = quantity(1.0, unit="TB", ge=0.0, le=10000.0,
                                 label="Onboard storage",
                                 description="Onboard storage")
    structure_mass_kg: float = quantity(2.0, unit="kg", ge=0.0, le=10000.0,
                                        label="Structure mass",
                                        description="Mass of housing, harness and shielding")

    @property
    def int8_tops(self) -> float:
        return self.chip.int8_tops * self.count

    @property
    def rated_int8_tops(self) -> float:
        """Typical (else peak) INT8 TOPS of all the chips: ``chip.rated_int8_tops × count``."""
        return self.chip.rated_int8_tops * self.count

    @property
    def power_w(self) -> float:
        return self.chip.power_w * self.count + self.overhead_power_w

    @property
    def mass_kg(self) -> float:
        return self.chip.mass_kg * self.count + self.structure_mass_kg

    @property
    def unit_cost_usd(self) -> float:
        return self.chip.unit_cost_usd * self.count


class Platform(Model):
    """The satellite bus: mass, power, battery, thermal, links, life."""

    name: str = quantity(label="Platform name",
                         description="Platform name")
    dry_mass_kg: float = quantity(unit="kg", gt=0.0, le=100000.0, step=1.0,
                                  label="Dry mass",
                                  description="Bus dry mass without the compute payload")
    bus_power_w: float = quantity(unit="W", ge=0.0, le=1e6, step=1.0,
                                  label="Bus power",
                                  description="Bus housekeeping load (avionics, ADCS, comms)")
    solar_array_area_m2: float = quantity(unit="m2", gt=0.0, le=10000.0, step=0.1,
                                          label="Solar array area",
                                          description="Solar array area")
    cell_efficiency_frac: float = quantity(0.30, ge=0.01, le=0.6, step=0.01,
                                           label="Solar cell efficiency",
                                           description="Solar cell efficiency at beginning of "
                                                       "life (triple-junction GaAs 0.30–0.32)")
    degradation_per_year_frac: float = quantity(0.0275, ge=0.0, lt=0.5, step=0.0025,
                                                label="Array degradation per year",
                                                description="Array output lost per year")
    battery_wh: float = quantity(unit="Wh", gt=0.0, le=1e7, step=10.0,
                                 label="Battery capacity",
                                 description="Battery capacity")
    depth_of_discharge_frac: float = quantity(0.3, gt=0.0, le=1.0, step=0.05,
                                              label="Depth of discharge",
                                              description="Allowed depth of discharge")
    battery_efficiency_frac: float = quantity(0.9, gt=0.0, le=1.0, step=0.01,
                                              label="Battery efficiency",
                                              description="Battery round-trip efficiency")
    radiator_area_m2: float = quantity(unit="m2", ge=0.0, le=10000.0, step=0.1,
                                       label="Radiator area",
                                       description="Radiator area for payload heat")
    emissivity_frac: float = quantity(0.85, gt=0.0, le=1.0, step=0.01,
                                      label="Radiator emissivity",
                                      description="Radiator emittance (0.80–0.9)")
    max_radiator_temp_k: float = quantity(318.0, unit="K", gt=150.0, le=500.0, step=1.0,
                                          label="Maximum radiator temperature",
                                          description="Highest radiator temperature allowed")
    isl_terminals: int = quantity(4, ge=0, le=16, label="Laser ISL terminals",
                                  description="Laser ISL terminals")
    isl_rate_gbps: float = quantity(100.0, unit="Gbps", ge=0.0, le=10000.0,
                                    label="ISL rate per terminal",
                                    description="Rate per ISL terminal")
    isl_max_range_km: float = quantity(5000.0, unit="km", ge=0.0, le=100000.0,
                                       label="Maximum ISL range",
                                       description="Maximum laser ISL range")
    downlink_rate_gbps: float = quantity(1.0, unit="Gbps", ge=0.0, le=1000.0,
                                         label="Downlink rate",
                                         description="Space-to-ground downlink rate")
    design_life_years: float = quantity(5.0, unit="years", gt=0.0, le=30.0, step=0.5,
                                        label="Design life",
                                        description="Design life")
    shielding_mm_al: float = quantity(3.0, unit="mm Al", ge=0.0, le=50.0, step=0.5,
                                      label="Shielding",
                                      description="Equivalent aluminium shielding of the "
                                                  "payload")
    unit_cost_usd: float = quantity(0.0, unit="USD", ge=0.0, le=1e10,
                                    label="Bus unit cost",
                                    description="Recurring cost of one bus")
    source: str = quantity("", label="Source",
                           description="Where the figures come from")

    @model_validator(mode="after")
    def _battery_usable(self) -> Platform:
        if self.battery_wh * self.depth_of_discharge_frac < 1.0:
            raise FieldValueError("battery_wh", self.battery_wh, "with depth of discharge "
                                  "{dod} less than 1 Wh is usable",
                                  dod=f"{self.depth_of_discharge_frac:g}")
        return self
