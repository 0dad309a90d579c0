"""Data centres priced per kW of compute power: on the ground and in orbit.

The models the space-vs-ground comparison prices
(:func:`workbench.analyses.space_vs_ground`), declared like every other model so forms and
sweeps can address their fields.
"""
from __future__ import annotations

from .base import Model
from .fields import quantity


class TerrestrialDataCentre(Model):
    """A terrestrial data centre, per kW of IT load (servers excluded).

    Defaults: see :class:`~workbench.model.economics.Economics` (electricity 0.08 USD/kWh,
    PUE 1.3, facility 10,000 USD/kW); a 15-year facility life is the usual depreciation
    period of data-centre shells and plant (mechanical/electrical 10–20 years) [S].
    """

    electricity_usd_per_kwh: float = quantity(0.08, unit="USD/kWh", ge=0.0, le=10.0,
                                              step=0.005, label="Electricity price",
                                              description="Electricity price")
    pue: float = quantity(1.3, ge=1.0, le=5.0, step=0.05,
                          label="PUE",
                          description="Power usage effectiveness (facility / IT power)")
    facility_capex_usd_per_kw: float = quantity(
        10000.0, unit="USD/kW", ge=0.0, le=1e6,
        label="Facility capital cost",
        description="Facility capital cost per kW of IT load (shell, power and cooling plant, "
                    "backup power)")
    facility_life_years: float = quantity(15.0, unit="years", gt=0.0, le=50.0, step=1.0,
                                          label="Facility life",
                                          description="Years the facility capital is "
                                                      "amortised over")
    cooling_usd_per_kw_year: float = quantity(
        0.0, unit="USD/kW/yr", ge=0.0, le=1e5,
        label="Cooling and running costs",
        description="Cooling water, chillers' maintenance and other running costs besides "
                    "electricity")
    availability_frac: float = quantity(1.0, gt=0.0, le=1.0, step=0.01,
                                        label="Availability",
                                        description="Share of the year the IT load runs")


class OrbitalDataCentre(Model):
    """Compute in orbit, per kW of compute power (compute hardware excluded)."""

    launch_cost_usd_per_kg: float = quantity(2940.0, unit="USD/kg", ge=0.0, le=1e6,
                                             label="Launch price",
                                             description="Launch price per kg to LEO")
    mass_kg_per_kw: float = quantity(unit="kg/kW", ge=0.0, le=1e6,
                                     label="Mass per kW",
                                     description="Launched mass per kW of compute power "
                                                 "(whole satellite)")
    power_thermal_usd_per_kw: float = quantity(
        unit="USD/kW", ge=0.0, le=1e9,
        label="Power and thermal cost",
        description="Solar arrays, batteries and radiators per kW of compute power")
    bus_usd_per_kw: float = quantity(unit="USD/kW", ge=0.0, le=1e9,
                                     label="Bus cost",
                                     description="The rest of the bus (structure, avionics, "
                                                 "laser terminals, shielding) per kW")
    opex_usd_per_kw_year: float = quantity(0.0, unit="USD/kW/yr", ge=0.0, le=1e9,
                                           label="Operations cost",
                                           description="Operations per kW and year")
    useful_life_years: float = quantity(5.0, unit="years", gt=0.0, le=30.0, step=0.5,
                                        label="Useful life",
                                        description="Years the hardware is amortised over: "
                                                    "min(design life, radiation life)")
    availability_frac: float = quantity(1.0, gt=0.0, le=1.0, step=0.01,
                                        label="Availability",
                                        description="Share of the year the compute runs "
                                                    "(eclipse, outages)")


__all__ = ["OrbitalDataCentre", "TerrestrialDataCentre"]
