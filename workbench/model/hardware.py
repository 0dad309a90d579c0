"""Onboard compute chips, the payload built from them, and the satellite platform."""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .base import Model
from .fields import quantity

RadiationClass = Literal["cots", "tolerant", "hardened"]


class ComputeChip(Model):
    """A compute device as flown (or proposed) on satellites."""

    name: str = quantity(description="Chip or module name")
    int8_tops: float = quantity(unit="TOPS", ge=0.0, le=100000.0,
                                description="Peak INT8 tera-operations per second")
    fp16_tflops: float = quantity(0.0, unit="TFLOPS", ge=0.0, le=100000.0,
                                  description="Peak FP16 tera-floating-point ops per second")
    power_w: float = quantity(unit="W", gt=0.0, le=100000.0, step=1.0,
                              description="Power drawn at full load")
    mass_kg: float = quantity(unit="kg", gt=0.0, le=1000.0, step=0.01,
                              description="Mass of the module incl. its board")
    tid_krad: float = quantity(unit="krad(Si)", gt=0.0, le=100000.0,
                               description="Total ionising dose the part tolerates")
    radiation_class: RadiationClass = quantity(
        "cots", description="cots (commercial), tolerant (screened/tested), hardened (by design)")
    unit_cost_usd: float = quantity(unit="USD", ge=0.0, le=1e10, description="Unit cost")
    source: str = quantity("", description="Where the figures come from")

    @property
    def tops_per_w(self) -> float:
        return self.int8_tops / self.power_w


class ComputePayload(Model):
    """The compute carried by each satellite: ``count`` chips plus storage and overhead."""

    chip: ComputeChip = quantity(description="The compute chip")
    count: int = quantity(1, ge=1, le=10000, description="Chips per satellite")
    overhead_power_w: float = quantity(10.0, unit="W", ge=0.0, le=100000.0,
                                       description="Payload power besides the chips "
                                                   "(memory, I/O, conversion losses)")
    storage_tb: float = quantity(1.0, unit="TB", ge=0.0, le=10000.0,
                                 description="Onboard storage")
    structure_mass_kg: float = quantity(2.0, unit="kg", ge=0.0, le=10000.0,
                                        description="Mass of housing, harness and shielding")

    @property
    def int8_tops(self) -> float:
        return self.chip.int8_tops * self.count

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

    name: str = quantity(description="Platform name")
    dry_mass_kg: float = quantity(unit="kg", gt=0.0, le=100000.0, step=1.0,
                                  description="Bus dry mass without the compute payload")
    bus_power_w: float = quantity(unit="W", ge=0.0, le=1e6, step=1.0,
                                  description="Bus housekeeping load (avionics, ADCS, comms)")
    solar_array_area_m2: float = quantity(unit="m2", gt=0.0, le=10000.0, step=0.1,
                                          description="Solar array area")
    cell_efficiency_frac: float = quantity(0.30, ge=0.01, le=0.6, step=0.01,
                                           description="Solar cell efficiency at beginning of "
                                                       "life (triple-junction GaAs 0.30–0.32)")
    degradation_per_year_frac: float = quantity(0.0275, ge=0.0, lt=0.5, step=0.0025,
                                                description="Array output lost per year")
    battery_wh: float = quantity(unit="Wh", gt=0.0, le=1e7, step=10.0,
                                 description="Battery capacity")
    depth_of_discharge_frac: float = quantity(0.3, gt=0.0, le=1.0, step=0.05,
                                              description="Allowed depth of discharge")
    battery_efficiency_frac: float = quantity(0.9, gt=0.0, le=1.0, step=0.01,
                                              description="Battery round-trip efficiency")
    radiator_area_m2: float = quantity(unit="m2", ge=0.0, le=10000.0, step=0.1,
                                       description="Radiator area for payload heat")
    emissivity_frac: float = quantity(0.85, gt=0.0, le=1.0, step=0.01,
                                      description="Radiator emittance (0.80–0.9)")
    max_radiator_temp_k: float = quantity(318.0, unit="K", gt=150.0, le=500.0, step=1.0,
                                          description="Highest radiator temperature allowed")
    isl_terminals: int = quantity(4, ge=0, le=16, description="Laser ISL terminals")
    isl_rate_gbps: float = quantity(100.0, unit="Gbps", ge=0.0, le=10000.0,
                                    description="Rate per ISL terminal")
    isl_max_range_km: float = quantity(5000.0, unit="km", ge=0.0, le=100000.0,
                                       description="Maximum laser ISL range")
    downlink_rate_gbps: float = quantity(1.0, unit="Gbps", ge=0.0, le=1000.0,
                                         description="Space-to-ground downlink rate")
    design_life_years: float = quantity(5.0, unit="years", gt=0.0, le=30.0, step=0.5,
                                        description="Design life")
    shielding_mm_al: float = quantity(3.0, unit="mm Al", ge=0.0, le=50.0, step=0.5,
                                      description="Equivalent aluminium shielding of the "
                                                  "payload")
    unit_cost_usd: float = quantity(0.0, unit="USD", ge=0.0, le=1e10,
                                    description="Recurring cost of one bus")
    source: str = quantity("", description="Where the figures come from")

    @model_validator(mode="after")
    def _battery_usable(self) -> Platform:
        if self.battery_wh * self.depth_of_discharge_frac < 1.0:
            raise ValueError(f"battery_wh={self.battery_wh:g}: with depth of discharge "
                             f"{self.depth_of_discharge_frac:g} less than 1 Wh is usable")
        return self
