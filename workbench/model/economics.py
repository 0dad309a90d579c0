"""Launch vehicles and the programme's economic inputs."""
from __future__ import annotations

from .base import Model
from .fields import quantity


class LaunchVehicle(Model):
    """A launcher: what it lifts to low Earth orbit and what it costs."""

    name: str = quantity(label="Vehicle name",
                         description="Vehicle name")
    leo_capacity_kg: float = quantity(unit="kg", gt=0.0, le=500000.0,
                                      label="Payload to LEO",
                                      description="Payload to low Earth orbit")
    cost_usd_per_kg: float = quantity(unit="USD/kg", gt=0.0, le=1e6,
                                      label="Launch price",
                                      description="Launch price per kilogram to LEO")
    is_reusable: bool = quantity(False, label="Reusable",
                                 description="First stage (or more) reused")
    source: str = quantity("", label="Source",
                           description="Where the figures come from")

    @property
    def price_usd(self) -> float:
        """Price of a full launch."""
        return self.cost_usd_per_kg * self.leo_capacity_kg


class Economics(Model):
    """Money in and out of the programme; every price editable.

    Notes
    -----
    The terrestrial data-centre fields feed the space-vs-ground comparison
    (``workbench.analyses.space_vs_ground``); their defaults and sources:

    - ``electricity_usd_per_kwh`` 0.08: US average industrial retail price ≈ 8 ¢/kWh
      (EIA Electric Power Monthly, 2023–2024) [S]; Chinese large-industry tariffs of
      0.6–0.7 CNY/kWh are ≈ 0.09 USD [S].
    - ``pue`` 1.3: China's MIIT *New Data Centre Development Three-Year Action Plan*
      (2021–2023) requires new large data centres below 1.3 [S]; the Uptime Institute
      survey average is ≈ 1.56 (2024) [S], hyperscale fleets ≈ 1.1 [S].
    - ``datacentre_capex_usd_per_kw`` 10,000: facility shell, power and cooling plant
      per kW of IT load, typically USD 8–12 M per MW in industry cost guides
      (Cushman & Wakefield, *Data Center Development Cost Guide* 2024) [S]; servers
      excluded, as they are on the orbital side.
    - ``latency_premium_frac`` 0.25: estimate — the surcharge edge / low-latency compute
      commands over bulk compute; no published figure for orbital compute exists.
    """

    launch_vehicle: str = quantity("Falcon 9", label="Launch vehicle",
                                   description="Launcher from the catalog")
    launch_cost_usd_per_kg: float | None = quantity(
        None, unit="USD/kg", gt=0.0, le=1e6,
        label="Launch cost",
        description="Override the vehicle's catalog price per kg")
    discount_rate_frac: float = quantity(0.08, gt=-1.0, le=1.0, step=0.005,
                                         label="Discount rate",
                                         description="Annual discount rate",
                                         why="a discount rate of -100 % or less has no meaning")
    cny_per_usd: float = quantity(7.1, unit="CNY/USD", gt=0.0, le=1000.0, step=0.01,
                                  label="Exchange rate",
                                  description="Exchange rate")
    horizon_years: int = quantity(10, unit="years", ge=1, le=50, label="Programme horizon",
                                  description="Programme horizon")
    compute_price_usd_per_tops_hour: float = quantity(
        0.02, unit="USD/TOPS-h", ge=0.0, le=1e6, label="Compute price",
        description="Price of compute sold")
    utilisation_frac: float = quantity(0.5, ge=0.0, le=1.0, step=0.05,
                                       label="Utilisation",
                                       description="Share of available compute sold at maturity")
    data_price_usd_per_gb: float = quantity(5.0, unit="USD/GB", ge=0.0, le=1e6,
                                            label="Data price",
                                            description="Price of data products")
    opex_usd_per_sat_year: float = quantity(50000.0, unit="USD/(sat·yr)", ge=0.0, le=1e9,
                                            label="Operations cost per satellite-year",
                                            description="Operations cost per satellite-year")
    ground_segment_usd: float = quantity(20e6, unit="USD", ge=0.0, le=1e12,
                                         label="Ground segment cost",
                                         description="Ground segment capital cost")
    nre_usd: float = quantity(50e6, unit="USD", ge=0.0, le=1e12,
                              label="Non-recurring engineering",
                              description="Non-recurring engineering")
    insurance_frac: float = quantity(0.05, ge=0.0, le=1.0, step=0.01,
                                     label="Insurance",
                                     description="Launch + first-year insurance, share of "
                                                 "insured value")
    learning_rate_frac: float = quantity(0.9, gt=0.5, le=1.0, step=0.01,
                                         label="Learning rate",
                                         description="Unit cost multiplier per doubling of "
                                                     "units built (Wright's law)")
    latency_premium_frac: float = quantity(
        0.25, ge=0.0, le=10.0, step=0.05,
        label="Latency premium",
        description="Price premium on compute sold to latency-sensitive users (compute-service "
                    "applications), as a share of the compute price")
    electricity_usd_per_kwh: float = quantity(
        0.08, unit="USD/kWh", ge=0.0, le=10.0, step=0.005,
        label="Electricity price",
        description="Electricity price of the terrestrial data centre compared against")
    pue: float = quantity(1.3, ge=1.0, le=5.0, step=0.05,
                          label="PUE",
                          description="Power usage effectiveness of the terrestrial data "
                                      "centre (facility power / IT power)",
                          why="a PUE below 1 would mean the facility uses less than its IT load")
    datacentre_capex_usd_per_kw: float = quantity(
        10000.0, unit="USD/kW", ge=0.0, le=1e6,
        label="Data-centre capital cost",
        description="Terrestrial data-centre facility capital cost per kW of IT load "
                    "(building, power and cooling plant; servers excluded)")
