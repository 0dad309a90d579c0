"""The inputs of the business model: what a scenario, a capacity result and the user's
options say about the programme, gathered into the kernel's structure and parameters.

Shared by :func:`~workbench.analyses.economics.case.business`, the space-vs-ground comparison and
the uncertainty analyses, so all three read the useful life, availability, launch price and
data volume the same way.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ...model.compute_basis import compute_basis
from ...model.constants import HOURS_PER_YEAR, MU_EARTH_KM3_PER_S2, R_EARTH_KM
from ...model.economics import LaunchVehicle
from ...model.errors import ModelError, Problem
from ...model.options import BusinessOptions
from ..handoff import CapacityYield
from .programme import Params, Programme

if TYPE_CHECKING:
    from ...model.scenario import Scenario

__all__ = ["DEFAULT_AVAILABILITY_FRAC", "Setup", "availability", "data_products_gb_per_sat_year",
           "from_capacity", "launch_price_usd_per_kg", "resolve_launch_vehicle", "setup",
           "useful_life"]

DEFAULT_AVAILABILITY_FRAC = 0.95
"""Share of the year a satellite's compute runs when no capacity analysis says otherwise:
an assumption covering eclipse load-shedding, safe modes and outages (planning figure)."""


def from_capacity(capacity: CapacityYield | Any | None) -> dict[str, float]:
    """What the business model takes from a capacity result, per satellite and year: the
    known fields of its :class:`~workbench.analyses.handoff.CapacityYield` (``useful_life_years``,
    ``radiation_life_years``, ``tops_hours_per_sat_year``, ``duty_frac``,
    ``data_gb_per_sat_year``).

    ``capacity`` is a :class:`~workbench.analyses.CapacityResult` (its ``yields``), a
    ``CapacityYield``, or None.
    """
    if capacity is None:
        return {}
    found = capacity if isinstance(capacity, CapacityYield) else getattr(capacity, "yields",
                                                                         None)
    if not isinstance(found, CapacityYield):
        raise ModelError("business inputs", [Problem(
            "capacity", type(capacity).__name__, "give the result of wb.analyses.capacity "
            "(a CapacityResult), a CapacityYield, or None")])
    return found.as_dict()


def useful_life(scenario: Scenario, *, capacity: Any = None,
                useful_life_years: float | None = None) -> float:
    """Years a satellite serves: ``useful_life_years`` if given, else min(design life,
    radiation life) with the radiation life from ``capacity``, else the design life.

    The radiation life comes from a capacity result (:func:`from_capacity`). Without one the
    platform's design life stands — a COTS chip may die sooner from dose: run
    :func:`workbench.analyses.capacity` (or pass ``useful_life_years``) to know.
    """
    if useful_life_years is not None:
        if not (isinstance(useful_life_years, (int, float)) and 0 < useful_life_years <= 100):
            raise ModelError("business inputs", [Problem(
                "useful_life_years", useful_life_years, "must be > 0 and ≤ 100 years")])
        return float(useful_life_years)
    design = scenario.platform.design_life_years
    found = from_capacity(capacity)
    if found.get("useful_life_years", 0.0) > 0:
        return min(design, found["useful_life_years"])
    if found.get("radiation_life_years", 0.0) > 0:
        return min(design, found["radiation_life_years"])
    return design


def availability(capacity: Any = None, availability_frac: float | None = None) -> float:
    """Share of the year compute runs: as given, else the capacity's compute duty cycle,
    else :data:`DEFAULT_AVAILABILITY_FRAC`."""
    if availability_frac is not None:
        if not 0.0 < availability_frac <= 1.0:
            raise ModelError("business inputs", [Problem(
                "availability_frac", availability_frac, "must be > 0 and ≤ 1")])
        return float(availability_frac)
    duty = from_capacity(capacity).get("duty_frac")
    return DEFAULT_AVAILABILITY_FRAC if duty is None else float(np.clip(duty, 1e-6, 1.0))


def resolve_launch_vehicle(scenario: Scenario,
                           vehicle: LaunchVehicle | str | None = None) -> LaunchVehicle:
    """The launcher: as given, else ``scenario.economics.launch_vehicle`` from the catalog."""
    if isinstance(vehicle, LaunchVehicle):
        return vehicle
    from ... import datasets

    return datasets.launch_vehicle(vehicle or scenario.economics.launch_vehicle)


def launch_price_usd_per_kg(scenario: Scenario,
                            vehicle: LaunchVehicle | str | None = None) -> float:
    """The economics' price override, else the vehicle's catalog price per kg."""
    override = scenario.economics.launch_cost_usd_per_kg
    if override is not None:
        return float(override)
    return resolve_launch_vehicle(scenario, vehicle).cost_usd_per_kg


def data_products_gb_per_sat_year(scenario: Scenario) -> float:
    """Data products one satellite makes in a year, from its remote-sensing applications.

    Notes
    -----
    Raw rate = (v_g / GSD) · (swath / GSD) · bands · bit depth, with ground-track speed
    v_g = √(μ/a) · R⊕/a (README design notes); products = raw × imaging duty × data-reduction
    fraction, over 8,760 h. The mean altitude of the constellation stands for a.
    """
    apps = [a for a in scenario.applications if a.kind == "remote_sensing"]
    if not apps:
        return 0.0
    h_km = float(scenario.constellation.satellites["altitude_km"].mean())
    a_km = R_EARTH_KM + h_km
    ground_speed_m_s = math.sqrt(MU_EARTH_KM3_PER_S2 / a_km) * R_EARTH_KM / a_km * 1000.0

    def raw_bps(a: Any) -> float:  # a sensor's GSD and swath follow the altitude
        gsd_m = float(a.gsd_m_at(h_km))
        return ((ground_speed_m_s / gsd_m) * (float(a.swath_km_at(h_km)) * 1000.0 / gsd_m)
                * a.sample_bands * a.sample_bit_depth)

    bits_per_s = sum(raw_bps(a) * a.imaging_duty_frac * a.data_reduction_frac for a in apps)
    return bits_per_s * HOURS_PER_YEAR * 3600.0 / 8e9


def _check_mass(scenario: Scenario, vehicle: LaunchVehicle, sat_mass_kg: float) -> int:
    if sat_mass_kg <= vehicle.leo_capacity_kg:
        return int(vehicle.leo_capacity_kg // sat_mass_kg)
    from ... import datasets

    catalog = datasets.launch_vehicles()
    able = catalog.filter(pl.col("leo_capacity_kg") >= sat_mass_kg)["name"].to_list()
    if able:
        raise ModelError("business inputs", [Problem(
            "economics.launch_vehicle", vehicle.name,
            f"lifts {vehicle.leo_capacity_kg:,.0f} kg, less than one satellite "
            f"({sat_mass_kg:,.1f} kg = platform.dry_mass_kg + payload mass); vehicles that "
            f"can lift it: {', '.join(able)}")])
    biggest = catalog.sort("leo_capacity_kg").row(-1, named=True)
    raise ModelError("business inputs", [Problem(
        "platform.dry_mass_kg", scenario.platform.dry_mass_kg,
        f"the satellite ({sat_mass_kg:,.1f} kg with its payload) is heavier than any launch "
        f"vehicle's capacity (largest: {biggest['name']}, {biggest['leo_capacity_kg']:,.0f} kg)")])


def _deployment(scenario: Scenario, deployment: Sequence[int] | None, horizon: int,
                lead_years: float) -> np.ndarray:
    n_sats = len(scenario.constellation)
    if deployment is None:
        return np.array([n_sats], dtype=np.int64)
    arr = np.asarray(deployment)
    problems = []
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) \
            or np.any(arr < 0):
        problems.append(Problem("deployment", list(deployment),
                                "must be a list of satellite counts (integers ≥ 0) per year"))
    elif arr.sum() != n_sats:
        problems.append(Problem("deployment", arr.tolist(), f"adds up to {int(arr.sum())} "
                                f"satellites; the constellation has {n_sats}"))
    elif np.any(arr[np.arange(arr.size) >= horizon - lead_years] > 0):
        problems.append(Problem("deployment", arr.tolist(), (
            f"satellites launched in year {int(np.ceil(horizon - lead_years))} or later would "
            f"enter service after the {horizon}-year horizon (lead {lead_years:g} years)")))
    if problems:
        raise ModelError("business inputs", problems)
    return arr.astype(np.int64)


@dataclass(frozen=True)
class Setup:
    """Everything :func:`business` derived from the scenario before running the kernel."""

    programme: Programme
    params: Params
    vehicle: LaunchVehicle
    start_year: int
    cny_per_usd: float
    availability_frac: float
    inputs: pl.DataFrame


def setup(scenario: Scenario, options: BusinessOptions, *, capacity: Any = None) -> Setup:
    """The programme structure and the inputs of :func:`business` (see there)."""
    econ = scenario.economics
    horizon = econ.horizon_years
    o = options
    useful_life_years, availability_frac = o.useful_life_years, o.availability_frac
    deployment, launch_vehicle, launch_pricing = o.deployment, o.launch_vehicle, o.launch_pricing
    lead_years, ramp_years, nre_years = o.lead_years, o.ramp_years, o.nre_years
    start_year, data_gb_per_sat_year = o.start_year, o.data_gb_per_sat_year
    problems = []
    if not lead_years < horizon:  # the field bounds are checked by BusinessOptions
        problems.append(Problem("options.business.lead_years", lead_years,
                                f"must be below the horizon ({horizon} years)"))
    if not nre_years <= horizon:
        problems.append(Problem("options.business.nre_years", nre_years,
                                f"must be at most the horizon ({horizon} years)"))
    if problems:
        raise ModelError("business inputs", problems)
    vehicle = resolve_launch_vehicle(scenario, launch_vehicle)
    sat_mass_kg = scenario.platform.dry_mass_kg + scenario.payload.mass_kg
    per_launch = _check_mass(scenario, vehicle, sat_mass_kg)
    sched = _deployment(scenario, deployment, horizon, lead_years)
    life = useful_life(scenario, capacity=capacity, useful_life_years=useful_life_years)
    avail = availability(capacity, availability_frac)
    found = from_capacity(capacity)
    # the TOPS one satellite delivers at full power on the capacity wing's basis (published
    # total, typical, else peak), so TOPS-hours and energy agree with the capacity result
    basis = compute_basis(scenario.payload, scenario.constellation)
    full_tops = basis.tops_per_sat
    tops_h = found.get("tops_hours_per_sat_year")
    if tops_h is None:
        tops_h = full_tops * HOURS_PER_YEAR * avail
    kwh = tops_h * (scenario.payload.power_w / 1000.0) / max(full_tops, 1e-12)
    data_source = "given (keyword)"
    if data_gb_per_sat_year is None and "data_gb_per_sat_year" in found:
        data_gb_per_sat_year, data_source = found["data_gb_per_sat_year"], "capacity result"
    if data_gb_per_sat_year is None:
        data_source = ("remote-sensing applications (swath, GSD, bands, bit depth, duty, data "
                       "reduction)")
        data_gb_per_sat_year = data_products_gb_per_sat_year(scenario)
    demand = sum(a.n_users * a.demand_tops_per_user for a in scenario.applications
                 if a.kind == "compute_service")
    price_kg = (launch_price_usd_per_kg(scenario, vehicle) if econ.launch_cost_usd_per_kg is None
                else econ.launch_cost_usd_per_kg)
    prog = Programme(horizon_years=horizon, deployment=sched, sat_mass_kg=sat_mass_kg,
                     sats_per_launch=per_launch, vehicle_capacity_kg=vehicle.leo_capacity_kg,
                     launch_pricing=launch_pricing, lead_years=float(lead_years),
                     ramp_years=float(ramp_years), nre_years=nre_years,
                     latency_demand_tops=float(demand))
    values = dict(
        compute_price_usd_per_tops_hour=econ.compute_price_usd_per_tops_hour,
        utilisation_frac=econ.utilisation_frac, launch_cost_usd_per_kg=price_kg,
        useful_life_years=life, opex_usd_per_sat_year=econ.opex_usd_per_sat_year,
        bus_unit_cost_usd=scenario.platform.unit_cost_usd,
        payload_unit_cost_usd=scenario.payload.unit_cost_usd, nre_usd=econ.nre_usd,
        ground_segment_usd=econ.ground_segment_usd, discount_rate_frac=econ.discount_rate_frac,
        insurance_frac=econ.insurance_frac, learning_rate_frac=econ.learning_rate_frac,
        latency_premium_frac=econ.latency_premium_frac,
        data_price_usd_per_gb=econ.data_price_usd_per_gb,
        data_gb_per_sat_year=data_gb_per_sat_year, tops_hours_per_sat_year=tops_h,
        kwh_per_sat_year=kwh)
    sources = {
        "launch_cost_usd_per_kg": ("USD/kg", "economics.launch_cost_usd_per_kg"
                                   if econ.launch_cost_usd_per_kg is not None
                                   else f"catalog: {vehicle.name}"),
        "useful_life_years": ("years", "given" if useful_life_years is not None else
                              "min(design life, radiation life from capacity)"
                              if capacity is not None else "platform.design_life_years "
                              "(no capacity result: radiation life not checked)"),
        "tops_hours_per_sat_year": ("TOPS-h", "capacity result (effective TOPS after power "
                                    "and thermal limits)" if "tops_hours_per_sat_year" in found
                                    else f"payload TOPS ({full_tops:g}, {basis.basis}) × "
                                    f"8760 h × availability {avail:g}"),
        "kwh_per_sat_year": ("kWh", "TOPS-hours × payload power / payload TOPS"),
        "data_gb_per_sat_year": ("GB", data_source),
        "bus_unit_cost_usd": ("USD", "platform.unit_cost_usd (first unit)"),
        "payload_unit_cost_usd": ("USD", "payload.unit_cost_usd (first unit: chips × count)"),
    }
    rows = [(k, float(v), sources.get(k, ("", ""))[0] or _unit(k), sources.get(k, ("", ""))[1]
             or f"economics.{k}") for k, v in values.items()]
    rows += [("n_sats", float(prog.n_sats), "", "constellation"),
             ("sat_mass_kg", sat_mass_kg, "kg", "platform.dry_mass_kg + payload mass"),
             ("sats_per_launch", float(per_launch), "", f"{vehicle.name} capacity "
              f"{vehicle.leo_capacity_kg:,.0f} kg // satellite mass"),
             ("latency_demand_tops", float(demand), "TOPS",
              "compute-service applications: users × TOPS per user"),
             ("lead_years", float(lead_years), "years", "launch to service (keyword)"),
             ("ramp_years", float(ramp_years), "years", "utilisation ramp (keyword)"),
             ("availability_frac", avail, "", "capacity duty cycle" if "duty_frac" in found
              and availability_frac is None else "keyword / default 0.95")]
    inputs = pl.DataFrame(rows, schema={"input": pl.String, "value": pl.Float64,
                                        "unit": pl.String, "source": pl.String}, orient="row")
    return Setup(prog, Params.scalar(**values), vehicle,
                 scenario.epoch_utc.year if start_year is None else int(start_year),
                 econ.cny_per_usd, avail, inputs)


def _unit(name: str) -> str:
    for suffix, unit in (("_usd_per_tops_hour", "USD/TOPS-h"), ("_usd_per_gb", "USD/GB"),
                         ("_usd_per_sat_year", "USD/sat-yr"), ("_usd", "USD"),
                         ("_years", "years"), ("_frac", "")):
        if name.endswith(suffix):
            return unit
    return ""
