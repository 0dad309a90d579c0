"""The business model of a space computing programme: does it pay, what does a unit of
orbital compute cost, when does space beat the ground, where does the money go?

:func:`business` turns a scenario into yearly cash flows by line item, metrics (NPV, IRR,
payback, levelised cost of compute, break-even prices), the space-vs-ground comparison and
the industrial value chain in USD and CNY. The arithmetic lives in
:mod:`workbench.analyses.economics.programme` (vectorised, shared with the uncertainty analyses);
:mod:`workbench.analyses.economics.inputs` gathers the inputs; this module shapes the
frames.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ...model.options import BusinessOptions, resolve_options
from ..handoff import CapacityYield
from . import programme as _programme
from .inputs import setup
from .spacevsground import SpaceVsGround, space_vs_ground
from .valuechain import value_chain, value_chain_shares

if TYPE_CHECKING:
    from ...model.scenario import Scenario

__all__ = ["ANNUAL_SCHEMA", "BusinessResult", "CASH_FLOW_SCHEMA", "business", "headline"]

CASH_FLOW_SCHEMA = {"year": pl.Int32, "calendar_year": pl.Int32, "line_item": pl.String,
                    "component": pl.String, "category": pl.String, "cash_usd": pl.Float64,
                    "cash_cny": pl.Float64}
ANNUAL_SCHEMA = {"year": pl.Int32, "calendar_year": pl.Int32, "sats_launched": pl.Float64,
                 "sats_replaced": pl.Float64, "launches": pl.Float64, "sat_years": pl.Float64,
                 "tops_hours_delivered": pl.Float64, "tops_hours_sold": pl.Float64,
                 "compute_kwh": pl.Float64, "cost_usd": pl.Float64, "revenue_usd": pl.Float64,
                 "net_usd": pl.Float64, "cumulative_usd": pl.Float64,
                 "discounted_usd": pl.Float64, "cumulative_discounted_usd": pl.Float64}
_METRICS = {  # name: (unit, description)
    "npv_usd": ("USD", "Net present value of the cash flows"),
    "irr_frac": ("", "Internal rate of return (NaN if none)"),
    "payback_year": ("year", "First calendar year whose cumulative cash flow is ≥ 0"),
    "discounted_payback_year": ("year", "Same with discounted cash flows"),
    "pv_cost_usd": ("USD", "Present value of all costs"),
    "pv_revenue_usd": ("USD", "Present value of all revenue"),
    "lcoc_usd_per_tops_hour": ("USD/TOPS-h", "Levelised cost of compute delivered"),
    "lcoc_usd_per_kwh": ("USD/kWh", "Levelised cost per kWh of compute power"),
    "break_even_compute_price_usd_per_tops_hour": (
        "USD/TOPS-h", "Compute price that makes NPV zero (0: positive even if free)"),
    "break_even_launch_cost_usd_per_kg": (
        "USD/kg", "Launch price that makes NPV zero (NaN: negative even with free launch)"),
    "total_spend_usd": ("USD", "Undiscounted costs over the horizon"),
    "total_revenue_usd": ("USD", "Undiscounted revenue over the horizon"),
    "n_satellites_built": ("", "Satellites built, replacements included"),
    "n_launches": ("", "Launches flown"),
    "useful_life_years": ("years", "min(design life, radiation life) or as given"),
}


# --- the result -----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class BusinessResult:
    """Cash flows, metrics, space vs ground and value chain of one scenario.

    Attributes
    ----------
    cash_flows : polars.DataFrame
        Long form, one row per (year, line item, component): ``year`` (Int32, 0 = first),
        ``calendar_year`` (Int32), ``line_item`` (String: nre, ground_segment, satellite_bus,
        compute_payload, launch, insurance, replenishment, operations, compute_sales,
        data_products, latency_premium), ``component`` (String: what a replenishment row
        buys; else the line item), ``category`` (cost | revenue), ``cash_usd`` (Float64,
        costs negative), ``cash_cny`` (Float64).
    annual : polars.DataFrame
        One row per year, schema :data:`ANNUAL_SCHEMA` (satellites, launches, TOPS-hours,
        kWh, cost/revenue/net and cumulative, discounted, in USD).
    metrics : polars.DataFrame
        ``metric`` (String), ``value`` (Float64), ``unit`` (String), ``description``.
    value_chain : polars.DataFrame
        See :func:`workbench.analyses.economics.valuechain.value_chain`.
    space_vs_ground : SpaceVsGround
        Cost per kW-year on the ground and in orbit and the crossing launch price.
    inputs : polars.DataFrame
        ``input``, ``value``, ``unit``, ``source``: every number the model used.
    summary : dict
        The metrics by name plus scenario, vehicle and horizon, and ``headline`` (str):
        the break-even compute price against the current one and the NPV at the current
        price, in one sentence (:func:`headline`).
    """

    cash_flows: pl.DataFrame
    annual: pl.DataFrame
    metrics: pl.DataFrame
    value_chain: pl.DataFrame
    space_vs_ground: SpaceVsGround
    inputs: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        s = self.summary
        return (f"BusinessResult({s['scenario']!r}: NPV {s['npv_usd'] / 1e6:,.1f} M USD, "
                f"cost of compute {s['lcoc_usd_per_tops_hour']:.4g} USD/TOPS-h; frames "
                f"cash_flows[{self.cash_flows.height}], annual[{self.annual.height}], metrics, "
                f"value_chain[{self.value_chain.height}], inputs; space_vs_ground)")

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        """The result's frames by name (the space-vs-ground costs and sweep included)."""
        return {"cash_flows": self.cash_flows, "annual": self.annual, "metrics": self.metrics,
                "value_chain": self.value_chain, "inputs": self.inputs,
                "space_vs_ground_costs": self.space_vs_ground.costs,
                "space_vs_ground_sweep": self.space_vs_ground.sweep}

    def _repr_html_(self) -> str:
        s = self.summary

        def money(v: float) -> str:
            return "—" if v is None or not np.isfinite(v) else f"{v / 1e6:,.1f} M USD"

        def num(v: float, fmt: str) -> str:
            return "—" if v is None or not np.isfinite(v) else format(v, fmt)

        rows = [("NPV", money(s["npv_usd"])), ("IRR", num(s["irr_frac"] * 100, ".1f") + " %"),
                ("Payback", num(s["payback_year"], ".0f")),
                ("Cost of compute", num(s["lcoc_usd_per_tops_hour"], ".4g") + " USD/TOPS-h"),
                ("Break-even compute price",
                 num(s["break_even_compute_price_usd_per_tops_hour"], ".4g") + " USD/TOPS-h"),
                ("Break-even launch price",
                 num(s["break_even_launch_cost_usd_per_kg"], ",.0f") + " USD/kg"),
                ("Total spend", money(s["total_spend_usd"]))]
        body = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                       for k, v in rows)
        return (f"<div><b>Business case: {html.escape(s['scenario'])}</b> — {s['n_sats']} "
                f"satellites on {html.escape(s['launch_vehicle'])}, "
                f"{s['start_year']}–{s['start_year'] + s['horizon_years'] - 1}, discount "
                f"{s['discount_rate_frac']:.1%}<p>{html.escape(s.get('headline', ''))}</p>"
                f"<table>{body}</table></div>")


def _money(value_usd: float) -> str:
    """USD for a headline: B above a billion, else M."""
    if abs(value_usd) >= 1e9:
        return f"{value_usd / 1e9:,.2f} B USD"
    return f"{value_usd / 1e6:,.1f} M USD"


def headline(summary: Mapping[str, Any], price_usd_per_tops_hour: float) -> str:
    """One sentence that says where the case breaks even and where it stands, from the
    summary's numbers: the break-even compute price against the current price, the NPV at
    the current price and, when finite, the launch price that would break even."""
    npv = summary["npv_usd"]
    price = summary["break_even_compute_price_usd_per_tops_hour"]
    if not np.isfinite(price):
        text = f"No compute price breaks even; at the current price NPV is {_money(npv)}"
    elif price <= 0.0:
        text = f"Pays even if compute is free; at the current price NPV is {_money(npv)}"
    else:
        ratio = (f" ({price / price_usd_per_tops_hour:,.1f}× the current "
                 f"{price_usd_per_tops_hour:.4g})" if price_usd_per_tops_hour > 0 else "")
        text = (f"Break-even at {price:.4g} USD/TOPS-h{ratio}; at the current price NPV is "
                f"{_money(npv)}")
    launch = summary["break_even_launch_cost_usd_per_kg"]
    if npv < 0:
        text += (f"; a launch price of {launch:,.0f} USD/kg would also break even"
                 if np.isfinite(launch) and launch > 0
                 else "; even free launch would not break even")
    return text + "."


def _cash_frame(outcome: _programme.Outcome, start_year: int, cny_per_usd: float) -> pl.DataFrame:
    n_years = next(iter(outcome.cash.values())).shape[1]
    years = np.arange(n_years, dtype=np.int32)
    parts = []
    for (item, component, category), values in outcome.cash.items():
        sign = -1.0 if category == "cost" else 1.0
        parts.append(pl.DataFrame({
            "year": years, "calendar_year": years + start_year,
            "line_item": [item] * n_years, "component": [component] * n_years,
            "category": [category] * n_years, "cash_usd": sign * values[0] + 0.0}))  # no -0
    frame = pl.concat(parts).with_columns(cash_cny=pl.col("cash_usd") * cny_per_usd)
    return frame.cast(CASH_FLOW_SCHEMA)  # type: ignore[arg-type]


def _annual_frame(outcome: _programme.Outcome, start_year: int, rate: float) -> pl.DataFrame:
    q = {k: v[0] for k, v in outcome.quantities.items()}
    n_years = len(q["net_usd"])
    years = np.arange(n_years)
    discounted = q["net_usd"] / (1.0 + rate) ** years
    frame = pl.DataFrame({
        "year": years, "calendar_year": years + start_year,
        "sats_launched": q["sats_launched"], "sats_replaced": q["sats_replaced"],
        "launches": q["vehicles"], "sat_years": q["sat_years"],
        "tops_hours_delivered": q["tops_hours_delivered"], "tops_hours_sold": q["tops_hours_sold"],
        "compute_kwh": q["compute_kwh"], "cost_usd": q["cost_usd"],
        "revenue_usd": q["revenue_usd"], "net_usd": q["net_usd"],
        "cumulative_usd": np.cumsum(q["net_usd"]), "discounted_usd": discounted,
        "cumulative_discounted_usd": np.cumsum(discounted)})
    return frame.cast(ANNUAL_SCHEMA)  # type: ignore[arg-type]


def business(scenario: Scenario, *, capacity: CapacityYield | Any = None,
             options: BusinessOptions | Mapping[str, Any] | None = None,
             geometry: Any = None,
             progress: Callable[[float, str], None] | None = None) -> BusinessResult:
    """Cash flows, NPV/IRR/payback, cost of compute, space vs ground and the value chain.

    Parameters
    ----------
    scenario : Scenario
        Constellation (number of satellites), platform and payload (masses, unit costs,
        design life), applications (data products, latency-sensitive demand) and
        economics (prices, rates, horizon, launch vehicle).
    capacity : CapacityResult or CapacityYield, optional
        From :func:`workbench.analyses.capacity`: its declared
        :class:`~workbench.analyses.handoff.CapacityYield` (``result.yields``) gives the
        useful life (min(design, radiation)), the TOPS-hours delivered after power and
        thermal limits, the duty cycle and the data products downlinked.
    options : BusinessOptions or a mapping of its fields, optional
        Default ``scenario.options.business``:

        - ``useful_life_years``: overrides the useful life (default min(design life,
          radiation life) when ``capacity`` gives a radiation life, else the design life);
        - ``availability_frac``: share of the year compute runs (used when ``capacity``
          gives no TOPS-hours): TOPS-hours per satellite-year = payload TOPS × 8,760 h ×
          availability (default the capacity's duty cycle, else 0.95,
          :data:`~workbench.analyses.economics.inputs.DEFAULT_AVAILABILITY_FRAC`);
        - ``deployment``: satellites first launched in each programme year (adds up to the
          constellation; default all in year 0), e.g. ``[0, 0, 1, 71, 72]``: a
          demonstrator in year 2, then the constellation in years 3–4;
        - ``launch_vehicle``: overrides ``scenario.economics.launch_vehicle``;
        - ``launch_pricing``: ``per_kg`` pays price × mass flown (rideshare-like);
          ``dedicated`` buys whole vehicles, ceil(satellites / satellites per launch) a year;
        - ``lead_years`` (launch to start of service, default 1), ``ramp_years`` (to the
          mature utilisation, default 3), ``nre_years`` (years the non-recurring
          engineering is spread over, from year 0), ``start_year`` (default the epoch's);
        - ``data_gb_per_sat_year``: data products per satellite-year (default from the
          capacity result or the remote-sensing applications);
        - ``local_share``: segment → share a regional cluster supplies (overrides
          ``datasets/value_chain.csv``).
    geometry : unused
        Accepted like every analysis's; the business case needs no orbit geometry.
    progress : callable, optional
        Called as ``progress(fraction, stage)``.

    Returns
    -------
    BusinessResult
        ``cash_flows``, ``annual``, ``metrics``, ``value_chain`` frames, ``space_vs_ground``,
        ``inputs``, ``summary``; figures: ``workbench.viz.figures(result)``.

    Raises
    ------
    ModelError
        Naming the field: a satellite heavier than the vehicle (or every vehicle), a
        deployment that does not add up, a non-positive life or availability, ….

    Notes
    -----
    The timeline and formulas are in :mod:`workbench.analyses.economics.programme`. NPV discounts
    year t by (1 + r)ᵗ, year 0 undiscounted; IRR is the rate closest to zero that zeroes the
    NPV; payback is the first calendar year whose cumulative net cash flow is ≥ 0.
    Levelised cost of compute = PV(all costs) / PV(TOPS-hours delivered) (and per kWh of
    compute power). Break-even prices solve NPV = 0 exactly (NPV is linear in each).
    A cheaper launch never lowers the NPV; at a discount rate ≥ 0 a longer useful life
    never raises the cost of compute (fewer, later replacements) — at a negative rate it can.

    Examples
    --------
    >>> import workbench as wb
    >>> result = wb.analyses.business(wb.load_scenario("beijing-etown-demo"))  # doctest: +SKIP
    >>> result.summary["npv_usd"]  # doctest: +SKIP
    """
    report = progress or (lambda fraction, stage: None)
    report(0.0, "inputs")
    opts = resolve_options(BusinessOptions, options, scenario.options.business)
    local_share = opts.local_share
    s = setup(scenario, opts, capacity=capacity)
    report(0.2, "cash flows")
    outcome = _programme.run(s.programme, s.params)
    rate = scenario.economics.discount_rate_frac
    cash = _cash_frame(outcome, s.start_year, s.cny_per_usd)
    annual = _annual_frame(outcome, s.start_year, rate)
    report(0.6, "value chain")
    costs = (cash.filter(pl.col("category") == "cost")
             .group_by("year", "calendar_year", "component")
             .agg(cost_usd=-pl.col("cash_usd").sum()))
    chain = value_chain(costs, cny_per_usd=s.cny_per_usd,
                        shares=value_chain_shares(scenario.platform), local_share=local_share)
    report(0.8, "space vs ground")
    svg = space_vs_ground(scenario, useful_life_years=float(s.params.useful_life_years[0]),
                          availability_frac=s.availability_frac,
                          launch_cost_usd_per_kg=float(s.params.launch_cost_usd_per_kg[0]))
    m = {k: float(v[0]) for k, v in outcome.metrics.items()}
    summary: dict[str, Any] = {
        "scenario": scenario.name, "launch_vehicle": s.vehicle.name,
        "n_sats": s.programme.n_sats, "start_year": s.start_year,
        "horizon_years": s.programme.horizon_years, "discount_rate_frac": rate,
        "npv_usd": m["npv_usd"], "irr_frac": m["irr_frac"],
        "payback_year": m["payback_years"] + s.start_year,
        "discounted_payback_year": m["discounted_payback_years"] + s.start_year,
        "pv_cost_usd": m["pv_cost_usd"], "pv_revenue_usd": m["pv_revenue_usd"],
        "lcoc_usd_per_tops_hour": m["lcoc_usd_per_tops_hour"],
        "lcoc_usd_per_kwh": m["lcoc_usd_per_kwh"],
        "break_even_compute_price_usd_per_tops_hour":
            m["break_even_compute_price_usd_per_tops_hour"],
        "break_even_launch_cost_usd_per_kg": m["break_even_launch_cost_usd_per_kg"],
        "total_spend_usd": float(annual["cost_usd"].sum()),
        "total_revenue_usd": float(annual["revenue_usd"].sum()),
        "n_satellites_built": float(annual["sats_launched"].sum()),
        "n_launches": float(annual["launches"].sum()),
        "useful_life_years": float(s.params.useful_life_years[0]),
        "crossing_launch_cost_usd_per_kg": svg.summary["crossing_launch_cost_usd_per_kg"],
        "local_share_frac": float(chain["local_usd"].sum() / max(chain["cost_usd"].sum(),
                                                                 1e-300)),
    }
    summary["headline"] = headline(summary, scenario.economics.compute_price_usd_per_tops_hour)
    metrics = pl.DataFrame(
        [(k, float(summary[k]), unit, desc) for k, (unit, desc) in _METRICS.items()],
        schema={"metric": pl.String, "value": pl.Float64, "unit": pl.String,
                "description": pl.String}, orient="row")
    report(1.0, "done")
    return BusinessResult(cash, annual, metrics, chain, svg, s.inputs, summary)
