"""Space vs ground: the cost of a kilowatt-year of compute power in orbit and on Earth.

Both sides are priced per kW of compute (IT) power and per year, *excluding the compute
hardware itself* (the same chips fly or sit in a rack): what differs is how the power
reaches the chips and how their heat leaves.

- Terrestrial: electricity for the IT load (price × hours), the PUE overhead
  (price × (PUE − 1) × hours: cooling and power conversion), facility capital (shell,
  power and cooling plant) amortised over its life, cooling water and maintenance.
- Orbital: launch (price per kg × kg per kW), power and thermal hardware (solar arrays,
  batteries, radiators), the rest of the bus, all amortised over the useful life, plus
  operations.

The launch price at which the two costs are equal (the *crossing* price) follows in
closed form because the orbital cost is linear in the launch price.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ..model.base import Model
from ..model.fields import describe, quantity
from .finance import capital_recovery_factor

if TYPE_CHECKING:
    from ..model.scenario import Scenario

__all__ = ["HOURS_PER_YEAR", "OrbitalDataCentre", "SpaceVsGround", "TerrestrialDataCentre",
           "cost_per_kw_year", "crossing_launch_price_usd_per_kg", "launch_price_sweep",
           "space_vs_ground"]

HOURS_PER_YEAR = 8760.0
"""Hours in a 365-day year: the convention of electricity tariffs and data-centre TCO."""

COST_SCHEMA = {"site": pl.String, "item": pl.String, "usd_per_kw_year": pl.Float64,
               "formula": pl.String}


class TerrestrialDataCentre(Model):
    """A terrestrial data centre, per kW of IT load (servers excluded).

    Defaults: see :class:`~workbench.model.economics.Economics` (electricity 0.08 USD/kWh,
    PUE 1.3, facility 10,000 USD/kW); a 15-year facility life is the usual depreciation
    period of data-centre shells and plant (mechanical/electrical 10–20 years) [S].
    """

    electricity_usd_per_kwh: float = quantity(0.08, unit="USD/kWh", ge=0.0, le=10.0,
                                                          label="Electricity price",
                                              step=0.005, description="Electricity price")
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


def _terrestrial_items(dc: TerrestrialDataCentre, rate: float) -> list[tuple[str, float, str]]:
    crf = float(capital_recovery_factor(rate, dc.facility_life_years))
    return [
        ("electricity (IT load)", dc.electricity_usd_per_kwh * HOURS_PER_YEAR,
         "electricity_usd_per_kwh × 8760 h"),
        ("electricity (cooling & overhead, PUE − 1)",
         dc.electricity_usd_per_kwh * (dc.pue - 1.0) * HOURS_PER_YEAR,
         "electricity_usd_per_kwh × (pue − 1) × 8760 h"),
        ("facility capital", dc.facility_capex_usd_per_kw * crf / dc.availability_frac,
         "facility_capex_usd_per_kw × CRF(r, facility_life_years) / availability"),
        ("cooling water & maintenance", dc.cooling_usd_per_kw_year / dc.availability_frac,
         "cooling_usd_per_kw_year / availability"),
    ]


def _orbital_items(dc: OrbitalDataCentre, rate: float) -> list[tuple[str, float, str]]:
    per_year = float(capital_recovery_factor(rate, dc.useful_life_years)) / dc.availability_frac
    return [
        ("launch", dc.launch_cost_usd_per_kg * dc.mass_kg_per_kw * per_year,
         "launch_cost_usd_per_kg × mass_kg_per_kw × CRF(r, useful_life_years) / availability"),
        ("power & thermal (solar, battery, radiator)", dc.power_thermal_usd_per_kw * per_year,
         "power_thermal_usd_per_kw × CRF(r, useful_life_years) / availability"),
        ("bus (structure, avionics, laser terminals)", dc.bus_usd_per_kw * per_year,
         "bus_usd_per_kw × CRF(r, useful_life_years) / availability"),
        ("operations", dc.opex_usd_per_kw_year / dc.availability_frac,
         "opex_usd_per_kw_year / availability"),
    ]


def cost_per_kw_year(terrestrial: TerrestrialDataCentre, orbital: OrbitalDataCentre, *,
                     discount_rate_frac: float = 0.0) -> pl.DataFrame:
    """Cost of one kW of compute power for one year, item by item, on the ground and in orbit.

    Parameters
    ----------
    terrestrial, orbital
        The two sides' inputs (every one a validated, editable field).
    discount_rate_frac : float, keyword-only
        Rate for amortising capital (capital recovery factor); 0 is straight-line, the
        convention of the published comparisons (Starcloud 2024, Suncatcher 2025).

    Returns
    -------
    polars.DataFrame
        ``site`` (String: terrestrial | orbital), ``item`` (String), ``usd_per_kw_year``
        (Float64, USD per kW of compute power per year), ``formula`` (String).

    Notes
    -----
    Capital C amortised over n years at rate r costs C·CRF(r, n) a year,
    CRF = r(1+r)ⁿ/((1+r)ⁿ − 1) (1/n at r = 0). Fixed costs are divided by the
    availability (a kW that runs 90 % of the year delivers 0.9 kW-years).

    Examples
    --------
    >>> t = TerrestrialDataCentre(electricity_usd_per_kwh=0.1, pue=1.0, facility_capex_usd_per_kw=0)
    >>> o = OrbitalDataCentre(launch_cost_usd_per_kg=100, mass_kg_per_kw=10,
    ...                       power_thermal_usd_per_kw=0, bus_usd_per_kw=0, useful_life_years=5)
    >>> cost_per_kw_year(t, o).group_by("site").agg(pl.col("usd_per_kw_year").sum()).sort(
    ...     "site")["usd_per_kw_year"].to_list()
    [200.0, 876.0]
    """
    rows = [("terrestrial", *item) for item in _terrestrial_items(terrestrial, discount_rate_frac)]
    rows += [("orbital", *item) for item in _orbital_items(orbital, discount_rate_frac)]
    return pl.DataFrame(rows, schema=COST_SCHEMA, orient="row")


def crossing_launch_price_usd_per_kg(terrestrial: TerrestrialDataCentre,
                                     orbital: OrbitalDataCentre, *,
                                     discount_rate_frac: float = 0.0) -> float:
    """Launch price (USD/kg) at which a kW-year costs the same in orbit as on the ground.

    Returns
    -------
    float
        USD/kg; NaN if orbit costs more even with free launch (or if the satellite has no
        mass per kW).

    Notes
    -----
    Orbital cost is a + p·b with b = mass_kg_per_kw·CRF/availability; setting it equal
    to the terrestrial cost T gives p* = (T − a)/b.

    Examples
    --------
    >>> t = TerrestrialDataCentre(electricity_usd_per_kwh=0.1, pue=1.0, facility_capex_usd_per_kw=0)
    >>> o = OrbitalDataCentre(mass_kg_per_kw=10, power_thermal_usd_per_kw=0, bus_usd_per_kw=0,
    ...                       useful_life_years=5)
    >>> round(crossing_launch_price_usd_per_kg(t, o), 6)
    438.0
    """
    ground = sum(v for _, v, _ in _terrestrial_items(terrestrial, discount_rate_frac))
    free = orbital.replace(launch_cost_usd_per_kg=0.0)
    fixed = sum(v for _, v, _ in _orbital_items(free, discount_rate_frac))
    slope = (orbital.mass_kg_per_kw * float(capital_recovery_factor(
        discount_rate_frac, orbital.useful_life_years)) / orbital.availability_frac)
    if slope <= 0 or ground <= fixed:
        return float("nan")
    return (ground - fixed) / slope


def launch_price_sweep(terrestrial: TerrestrialDataCentre, orbital: OrbitalDataCentre,
                       launch_costs_usd_per_kg: np.ndarray | list[float] | None = None, *,
                       discount_rate_frac: float = 0.0) -> pl.DataFrame:
    """Cost per kW-year on both sides as the launch price varies.

    Parameters
    ----------
    launch_costs_usd_per_kg : array, optional
        Prices to evaluate; default 60 log-spaced values from 10 to 20,000 USD/kg.

    Returns
    -------
    polars.DataFrame
        ``launch_cost_usd_per_kg`` (Float64), ``terrestrial_usd_per_kw_year`` (Float64),
        ``orbital_usd_per_kw_year`` (Float64).
    """
    prices = (np.geomspace(10.0, 20000.0, 60) if launch_costs_usd_per_kg is None
              else np.asarray(launch_costs_usd_per_kg, dtype=np.float64))
    ground = sum(v for _, v, _ in _terrestrial_items(terrestrial, discount_rate_frac))
    free = orbital.replace(launch_cost_usd_per_kg=0.0)
    fixed = sum(v for _, v, _ in _orbital_items(free, discount_rate_frac))
    slope = (orbital.mass_kg_per_kw * float(capital_recovery_factor(
        discount_rate_frac, orbital.useful_life_years)) / orbital.availability_frac)
    return pl.DataFrame({"launch_cost_usd_per_kg": prices,
                         "terrestrial_usd_per_kw_year": np.full(prices.shape, ground),
                         "orbital_usd_per_kw_year": fixed + slope * prices})


def _inputs_frame(terrestrial: TerrestrialDataCentre, orbital: OrbitalDataCentre,
                  ) -> pl.DataFrame:
    rows = []
    for site, obj in (("terrestrial", terrestrial), ("orbital", orbital)):
        for spec in describe(type(obj)):
            rows.append((site, spec.name, float(getattr(obj, spec.name)), spec.unit,
                         spec.description))
    return pl.DataFrame(rows, schema={"site": pl.String, "input": pl.String,
                                      "value": pl.Float64, "unit": pl.String,
                                      "description": pl.String}, orient="row")


@dataclass(frozen=True, eq=False)
class SpaceVsGround:
    """Cost per kW-year on the ground and in orbit, with every input and the crossing price.

    Attributes
    ----------
    costs : polars.DataFrame
        See :func:`cost_per_kw_year`.
    inputs : polars.DataFrame
        ``site``, ``input``, ``value`` (Float64), ``unit``, ``description``: every number
        the comparison used.
    sweep : polars.DataFrame
        See :func:`launch_price_sweep`.
    summary : dict
        ``terrestrial_usd_per_kw_year``, ``orbital_usd_per_kw_year``,
        ``crossing_launch_cost_usd_per_kg`` (NaN if none), ``launch_cost_usd_per_kg``,
        ``discount_rate_frac``.
    """

    terrestrial: TerrestrialDataCentre
    orbital: OrbitalDataCentre
    costs: pl.DataFrame
    inputs: pl.DataFrame
    sweep: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        s = self.summary
        return (f"SpaceVsGround(terrestrial {s['terrestrial_usd_per_kw_year']:,.0f} USD/kW-yr, "
                f"orbital {s['orbital_usd_per_kw_year']:,.0f} USD/kW-yr at "
                f"{s['launch_cost_usd_per_kg']:,.0f} USD/kg, crossing "
                f"{s['crossing_launch_cost_usd_per_kg']:,.0f} USD/kg)")

    def figure(self) -> Any:
        """Stacked cost bars and the launch-price sweep (plotly; needs workbench.viz)."""
        from .business import viz_module

        return viz_module().space_vs_ground_figure(self.costs, self.sweep, self.summary)

    def _repr_html_(self) -> str:
        s = self.summary
        cross = s["crossing_launch_cost_usd_per_kg"]
        cross_text = "never (orbit costs more even with free launch)" if np.isnan(cross) \
            else f"{cross:,.0f} USD/kg"
        return (f"<div><b>Space vs ground</b>: terrestrial "
                f"{s['terrestrial_usd_per_kw_year']:,.0f} USD/kW-yr, orbital "
                f"{s['orbital_usd_per_kw_year']:,.0f} USD/kW-yr at "
                f"{s['launch_cost_usd_per_kg']:,.0f} USD/kg; they cross at {cross_text}.</div>"
                + self.costs.select("site", "item", "usd_per_kw_year")._repr_html_())


def compare(terrestrial: TerrestrialDataCentre, orbital: OrbitalDataCentre, *,
            discount_rate_frac: float = 0.0,
            launch_costs_usd_per_kg: np.ndarray | list[float] | None = None) -> SpaceVsGround:
    """Both sides priced, the sweep over launch prices and the crossing price, in one result."""
    costs = cost_per_kw_year(terrestrial, orbital, discount_rate_frac=discount_rate_frac)
    totals = dict(costs.group_by("site").agg(pl.col("usd_per_kw_year").sum()).iter_rows())
    summary = {
        "terrestrial_usd_per_kw_year": totals["terrestrial"],
        "orbital_usd_per_kw_year": totals["orbital"],
        "crossing_launch_cost_usd_per_kg": crossing_launch_price_usd_per_kg(
            terrestrial, orbital, discount_rate_frac=discount_rate_frac),
        "launch_cost_usd_per_kg": orbital.launch_cost_usd_per_kg,
        "discount_rate_frac": discount_rate_frac,
    }
    return SpaceVsGround(terrestrial, orbital, costs, _inputs_frame(terrestrial, orbital),
                         launch_price_sweep(terrestrial, orbital, launch_costs_usd_per_kg,
                                            discount_rate_frac=discount_rate_frac), summary)


def space_vs_ground(scenario: Scenario, *, useful_life_years: float | None = None,
                    capacity: Any = None, availability_frac: float | None = None,
                    launch_cost_usd_per_kg: float | None = None,
                    discount_rate_frac: float | None = None,
                    facility_life_years: float = 15.0, cooling_usd_per_kw_year: float = 0.0,
                    terrestrial: TerrestrialDataCentre | None = None,
                    orbital: OrbitalDataCentre | None = None,
                    launch_costs_usd_per_kg: np.ndarray | list[float] | None = None,
                    ) -> SpaceVsGround:
    """Space vs ground for a scenario's satellite: cost per kW-year and the crossing price.

    Parameters
    ----------
    scenario : Scenario
        Platform, payload and economics give the orbital side (mass, bus cost, opex,
        launch price) and the terrestrial side (electricity, PUE, facility capex).
    useful_life_years : float, optional
        Amortisation life; default from ``capacity`` (radiation life) or else the
        platform's design life — see :func:`workbench.analyses.business_inputs.useful_life`.
    capacity : optional
        A capacity result (radiation life, duty cycle).
    availability_frac : float, optional
        Share of the year the compute runs in orbit; default from ``capacity`` or 0.95.
    launch_cost_usd_per_kg, discount_rate_frac : float, optional
        Override the scenario's launch price and discount rate (default: the economics'
        discount rate; pass 0 for the published straight-line convention).
    facility_life_years, cooling_usd_per_kw_year : float
        Terrestrial facility amortisation period and non-electric cooling cost.
    terrestrial, orbital : optional
        Complete inputs that replace everything derived from the scenario.

    Returns
    -------
    SpaceVsGround
        ``costs``, ``inputs``, ``sweep`` frames and ``summary``.

    Notes
    -----
    Per kW of compute power P = payload power: mass per kW = (bus dry mass + payload
    mass)/P; power & thermal hardware = the energy-and-thermal share of the bus cost
    (value-chain shares, ``datasets/value_chain.csv``)/P; bus = the rest of the bus
    cost/P; operations = opex per satellite-year/P. Chips are excluded on both sides.
    """
    from .business_inputs import availability, launch_price_usd_per_kg, useful_life
    from .valuechain import bus_shares

    econ = scenario.economics
    rate = econ.discount_rate_frac if discount_rate_frac is None else discount_rate_frac
    if orbital is None:
        life = useful_life(scenario, capacity=capacity, useful_life_years=useful_life_years)
        avail = availability(capacity, availability_frac)
        price = (launch_cost_usd_per_kg if launch_cost_usd_per_kg is not None
                 else launch_price_usd_per_kg(scenario))
        power_kw = scenario.payload.power_w / 1000.0
        mass_kg = scenario.platform.dry_mass_kg + scenario.payload.mass_kg
        energy_share = bus_shares(scenario.platform)["energy_thermal"]
        bus_usd = scenario.platform.unit_cost_usd
        orbital = OrbitalDataCentre(
            launch_cost_usd_per_kg=price, mass_kg_per_kw=mass_kg / power_kw,
            power_thermal_usd_per_kw=bus_usd * energy_share / power_kw,
            bus_usd_per_kw=bus_usd * (1.0 - energy_share) / power_kw,
            opex_usd_per_kw_year=econ.opex_usd_per_sat_year / power_kw,
            useful_life_years=life, availability_frac=avail)
    if terrestrial is None:
        terrestrial = TerrestrialDataCentre(
            electricity_usd_per_kwh=econ.electricity_usd_per_kwh, pue=econ.pue,
            facility_capex_usd_per_kw=econ.datacentre_capex_usd_per_kw,
            facility_life_years=facility_life_years,
            cooling_usd_per_kw_year=cooling_usd_per_kw_year)
    return compare(terrestrial, orbital, discount_rate_frac=rate,
                   launch_costs_usd_per_kg=launch_costs_usd_per_kg)
