"""The programme kernel: yearly cash flows of a satellite compute programme, vectorised
over draws (one draw for a plain run, thousands for a Monte Carlo).

Timeline (year 0 = the programme's first year, not discounted):

- Non-recurring engineering is spread evenly over the first ``nre_years``; the ground
  segment is bought in year 0.
- ``deployment[k]`` satellites are launched in year k (their *first* launch). A satellite
  launched at time t enters service at t + ``lead_years`` and serves ``useful_life_years``;
  its replacement is launched ``useful_life_years`` after it, so every slot is occupied
  without a gap from its first service date to the horizon. The satellites of a slot are
  launched at times k, k + L, k + 2L, … (L = useful life) as long as they would enter service
  before the horizon ends; launches are booked in the year they fall in.
- Recurring satellite cost follows Wright's learning curve over all units built, in launch
  order: unit n costs T₁·n^b with b = log₂(learning rate).
- Launch: ``per_kg`` pricing charges price × satellite mass × satellites;
  ``dedicated`` buys whole vehicles (price × capacity) for ceil(satellites / satellites per
  launch) launches. Insurance is a share of satellite + launch cost, paid at launch.
- Operations cost opex × satellite-years in service.
- Revenue: compute sold = delivered TOPS-hours × utilisation, the utilisation ramping up
  linearly over ``ramp_years`` from the first year of service; a latency premium on the part
  sold to compute-service users; data products × price, ramping likewise.

No Python loop runs over satellites or years: everything is arrays shaped (draw, year).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal

import numpy as np

from ...model.constants import HOURS_PER_YEAR
from .finance import irr, npv, payback_period

__all__ = ["PARAMETERS", "Params", "Programme", "run"]

_EPS = 1e-9


@dataclass(frozen=True)
class Programme:
    """What stays fixed across draws: schedule, masses, vehicle, horizon."""

    horizon_years: int
    deployment: np.ndarray                  # (n_years,) satellites first launched per year
    sat_mass_kg: float
    sats_per_launch: int
    vehicle_capacity_kg: float
    launch_pricing: Literal["per_kg", "dedicated"] = "per_kg"
    lead_years: float = 1.0
    ramp_years: float = 3.0
    nre_years: int = 1
    latency_demand_tops: float = 0.0        # continuous TOPS wanted by compute-service users

    @property
    def n_sats(self) -> int:
        return int(self.deployment.sum())


@dataclass(frozen=True)
class Params:
    """What may vary across draws; every field is an array of shape (n_draws,)."""

    compute_price_usd_per_tops_hour: np.ndarray
    utilisation_frac: np.ndarray
    launch_cost_usd_per_kg: np.ndarray
    useful_life_years: np.ndarray
    opex_usd_per_sat_year: np.ndarray
    bus_unit_cost_usd: np.ndarray
    payload_unit_cost_usd: np.ndarray
    nre_usd: np.ndarray
    ground_segment_usd: np.ndarray
    discount_rate_frac: np.ndarray
    insurance_frac: np.ndarray
    learning_rate_frac: np.ndarray
    latency_premium_frac: np.ndarray
    data_price_usd_per_gb: np.ndarray
    data_gb_per_sat_year: np.ndarray
    tops_hours_per_sat_year: np.ndarray     # compute delivered by one satellite in a year
    kwh_per_sat_year: np.ndarray            # compute energy of one satellite in a year

    @classmethod
    def scalar(cls, **values: float) -> Params:
        return cls(**{k: np.atleast_1d(np.asarray(v, dtype=np.float64))
                      for k, v in values.items()})

    @property
    def n_draws(self) -> int:
        return max(np.size(getattr(self, f.name)) for f in fields(self))

    def broadcast(self, n_draws: int) -> Params:
        return replace(self, **{f.name: np.broadcast_to(getattr(self, f.name), (n_draws,))
                                .astype(np.float64) for f in fields(self)})

    def with_values(self, **values: np.ndarray | float) -> Params:
        return replace(self, **{k: np.atleast_1d(np.asarray(v, dtype=np.float64))
                                for k, v in values.items()})


PARAMETERS = tuple(f.name for f in fields(Params))
"""Names of the inputs a tornado or Monte Carlo may vary."""


def _launch_counts(prog: Programme, life_years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Satellites launched per year, first launches and replacements: each (draws, years)."""
    n_years = prog.horizon_years
    groups = np.flatnonzero(prog.deployment)
    counts = prog.deployment[groups].astype(np.float64)                 # (K,)
    cutoff = n_years - prog.lead_years                                  # launch before this
    years = np.arange(n_years, dtype=np.float64)
    lo = np.minimum(years, cutoff)                                      # (Y,)
    hi = np.minimum(years + 1.0, cutoff)
    life = life_years[:, None, None]                                    # (D,1,1)
    k = groups.astype(np.float64)[None, :, None]                        # (1,K,1)

    def launched_before(t: np.ndarray) -> np.ndarray:                   # #{j ≥ 0: k + jL < t}
        return np.maximum(np.ceil((t[None, None, :] - k) / life - _EPS), 0.0)

    per_group = launched_before(hi) - launched_before(lo)               # (D,K,Y)
    total = np.einsum("dky,k->dy", per_group, counts)
    first = np.zeros((1, n_years))
    first[0, groups] = np.where(groups < cutoff, counts, 0.0)
    first = np.broadcast_to(first, total.shape)
    return total, total - first


def service_sat_years(prog: Programme) -> np.ndarray:
    """Satellite-years in service per year, shape (years,): each slot is occupied from its
    first launch + lead to the horizon."""
    years = np.arange(prog.horizon_years, dtype=np.float64)
    start = np.arange(len(prog.deployment), dtype=np.float64) + prog.lead_years    # (K,)
    overlap = np.clip(years[None, :] + 1.0 - np.maximum(start[:, None], years[None, :]),
                      0.0, 1.0)
    return prog.deployment.astype(np.float64) @ overlap


def _unit_cost_sums(units: np.ndarray, exponent: np.ndarray, *,
                    max_table: int = 4_000_000) -> np.ndarray:
    """S(n) = Σ_{i=1}^{n} i^b for integer n, shape (draws, years); b per draw. Tables of
    cumulative sums hold at most ``max_table`` numbers at a time."""
    n_max = int(units.max()) if units.size else 0
    out = np.zeros(units.shape)
    if n_max == 0:
        return out
    idx = np.rint(units).astype(np.int64)
    chunk = max(1, max_table // (n_max + 1))
    unique_b, inverse = np.unique(exponent, return_inverse=True)
    if len(unique_b) <= chunk:                      # few learning rates: one table each
        i = np.arange(1, n_max + 1, dtype=np.float64)
        table = np.concatenate([np.zeros((len(unique_b), 1)),
                                np.cumsum(i[None, :] ** unique_b[:, None], axis=1)], axis=1)
        return np.take_along_axis(table[inverse], idx, axis=1)
    for s in range(0, units.shape[0], chunk):       # many: table per block of draws
        i = np.arange(1, n_max + 1, dtype=np.float64)
        block = exponent[s:s + chunk]
        table = np.concatenate([np.zeros((len(block), 1)),
                                np.cumsum(i[None, :] ** block[:, None], axis=1)], axis=1)
        out[s:s + chunk] = np.take_along_axis(table, idx[s:s + chunk], axis=1)
    return out


@dataclass(frozen=True)
class Outcome:
    """Kernel output: cash per (line item, component) and quantities, arrays (draws, years);
    metrics arrays (draws,)."""

    cash: dict[tuple[str, str, str], np.ndarray]      # (line_item, component, category) → USD
    quantities: dict[str, np.ndarray]
    metrics: dict[str, np.ndarray]


def run(prog: Programme, params: Params) -> Outcome:
    """Cash flows and metrics of the programme for every draw of ``params``.

    Returns
    -------
    Outcome
        ``cash[(line_item, component, category)]``: positive USD per (draw, year), costs and
        revenues alike (the sign comes from ``category``). ``quantities``: satellites
        launched, replacements, vehicles, satellite-years, TOPS-hours delivered and sold, kWh.
        ``metrics``: npv_usd, irr_frac, payback_years, discounted_payback_years,
        pv_cost_usd, pv_revenue_usd, lcoc_usd_per_tops_hour, lcoc_usd_per_kwh,
        break_even_compute_price_usd_per_tops_hour, break_even_launch_cost_usd_per_kg.
    """
    n_draws = params.n_draws
    p = params.broadcast(n_draws)
    n_years = prog.horizon_years
    shape = (n_draws, n_years)

    launched, replaced = _launch_counts(prog, p.useful_life_years)
    first = launched - replaced
    with np.errstate(divide="ignore", invalid="ignore"):
        first_frac = np.where(launched > 0, first / np.where(launched > 0, launched, 1.0), 0.0)

    # Wright's law over all units, in launch order
    exponent = np.log2(p.learning_rate_frac)
    units = np.cumsum(launched, axis=1)
    sums = _unit_cost_sums(units, exponent)
    unit_factor = np.diff(sums, axis=1, prepend=0.0)          # Σ n^b over this year's units
    bus = p.bus_unit_cost_usd[:, None] * unit_factor
    payload = p.payload_unit_cost_usd[:, None] * unit_factor

    n_vehicles = np.ceil(np.maximum(launched / prog.sats_per_launch - _EPS, 0.0))  # flown
    if prog.launch_pricing == "per_kg":
        launch_kg = launched * prog.sat_mass_kg                 # pay for the mass flown
    else:
        launch_kg = n_vehicles * prog.vehicle_capacity_kg      # buy whole vehicles
    launch = p.launch_cost_usd_per_kg[:, None] * launch_kg
    insurance = p.insurance_frac[:, None] * (bus + payload + launch)

    sat_years = np.broadcast_to(service_sat_years(prog), shape)
    operations = p.opex_usd_per_sat_year[:, None] * sat_years
    nre = np.zeros(shape)
    nre[:, :prog.nre_years] = (p.nre_usd / prog.nre_years)[:, None]
    ground = np.zeros(shape)
    ground[:, 0] = p.ground_segment_usd

    years = np.arange(n_years, dtype=np.float64)
    in_service = np.flatnonzero(sat_years[0] > 0)
    first_service = in_service[0] if in_service.size else n_years
    ramp_years = max(prog.ramp_years, _EPS)
    ramp = np.clip((years - first_service + 1.0) / ramp_years, 0.0, 1.0)
    ramp = np.where(years >= first_service, ramp, 0.0)[None, :]
    delivered = sat_years * p.tops_hours_per_sat_year[:, None]
    sold = delivered * p.utilisation_frac[:, None] * ramp
    premium_tops_hours = np.minimum(
        sold, prog.latency_demand_tops * HOURS_PER_YEAR * sat_years / max(prog.n_sats, 1))
    price = p.compute_price_usd_per_tops_hour[:, None]
    compute_sales = sold * price
    latency = premium_tops_hours * price * p.latency_premium_frac[:, None]
    data = sat_years * (p.data_gb_per_sat_year * p.data_price_usd_per_gb)[:, None] * ramp
    kwh = sat_years * p.kwh_per_sat_year[:, None]

    cash: dict[tuple[str, str, str], np.ndarray] = {
        ("nre", "nre", "cost"): nre,
        ("ground_segment", "ground_segment", "cost"): ground,
        ("satellite_bus", "satellite_bus", "cost"): bus * first_frac,
        ("compute_payload", "compute_payload", "cost"): payload * first_frac,
        ("launch", "launch", "cost"): launch * first_frac,
        ("insurance", "insurance", "cost"): insurance * first_frac,
        ("replenishment", "satellite_bus", "cost"): bus * (1 - first_frac),
        ("replenishment", "compute_payload", "cost"): payload * (1 - first_frac),
        ("replenishment", "launch", "cost"): launch * (1 - first_frac),
        ("replenishment", "insurance", "cost"): insurance * (1 - first_frac),
        ("operations", "operations", "cost"): operations,
        ("compute_sales", "compute_sales", "revenue"): compute_sales,
        ("data_products", "data_products", "revenue"): data,
        ("latency_premium", "latency_premium", "revenue"): latency,
    }
    cost = sum(v for (_, _, cat), v in cash.items() if cat == "cost")
    revenue = compute_sales + data + latency
    net = revenue - cost
    rate = p.discount_rate_frac

    pv_cost = np.asarray(npv(rate, cost))
    pv_revenue = np.asarray(npv(rate, revenue))
    npv_usd = pv_revenue - pv_cost
    pv_delivered = np.asarray(npv(rate, delivered))
    pv_kwh = np.asarray(npv(rate, kwh))
    with np.errstate(divide="ignore", invalid="ignore"):
        lcoc = np.where(pv_delivered > 0, pv_cost / pv_delivered, np.nan)
        lcoe = np.where(pv_kwh > 0, pv_cost / pv_kwh, np.nan)
        # NPV is linear in the compute price: NPV(q) = NPV(q0) + (q − q0)·B
        slope_price = np.asarray(npv(rate, sold + premium_tops_hours
                                     * p.latency_premium_frac[:, None]))
        be_price = np.where(slope_price > 0, p.compute_price_usd_per_tops_hour
                            - npv_usd / slope_price, np.nan)
        be_price = np.where(np.isnan(be_price), np.nan, np.maximum(be_price, 0.0))
        # … and in the launch price: NPV(q) = NPV(q0) − (q − q0)·C
        slope_launch = np.asarray(npv(rate, launch_kg * (1.0 + p.insurance_frac[:, None])))
        be_launch = np.where(slope_launch > 0, p.launch_cost_usd_per_kg
                             + npv_usd / slope_launch, np.nan)
        be_launch = np.where(be_launch >= 0, be_launch, np.nan)

    metrics = {
        "npv_usd": npv_usd,
        "irr_frac": np.atleast_1d(irr(net)),
        "payback_years": np.atleast_1d(payback_period(net)),
        "discounted_payback_years": np.atleast_1d(payback_period(net, rate=rate)),
        "pv_cost_usd": pv_cost,
        "pv_revenue_usd": pv_revenue,
        "lcoc_usd_per_tops_hour": lcoc,
        "lcoc_usd_per_kwh": lcoe,
        "break_even_compute_price_usd_per_tops_hour": be_price,
        "break_even_launch_cost_usd_per_kg": be_launch,
    }
    quantities = {
        "sats_launched": launched, "sats_replaced": replaced, "vehicles": n_vehicles,
        "launch_kg": launch_kg, "sat_years": sat_years, "tops_hours_delivered": delivered,
        "tops_hours_sold": sold, "compute_kwh": kwh, "cost_usd": cost,
        "revenue_usd": revenue, "net_usd": net,
    }
    return Outcome(cash=cash, quantities=quantities, metrics=metrics)
