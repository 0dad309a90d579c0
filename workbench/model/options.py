"""Options of every analysis, declared once with unit, bounds and description.

What a scenario leaves open, each analysis wing has one frozen, validated model:
:class:`CapacityOptions` (the onboard wing), :class:`NetworkOptions` (latency, placement
and event-to-insight share it) and :class:`BusinessOptions`. :class:`ScenarioOptions`
holds the three and is part of a scenario (``scenario.options``, round-tripped in its
YAML). An analysis takes ``options=`` (a model or a mapping, validated here, so a bad
option raises a :class:`~workbench.model.errors.ModelError` naming it) and falls back to
the scenario's. Forms and sweep paths come from the same declarations
(``workbench.model.describe(NetworkOptions)``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import StrictInt, field_validator

from .base import Model
from .economics import LaunchVehicle
from .errors import FieldValueError, ModelError, Problem
from .fields import quantity

Pointing = Literal["sun_tracking", "single_axis", "zenith_fixed"]
PowerPolicy = Literal["steady", "greedy"]
Imaging = Literal["sunlit", "continuous"]


class CapacityOptions(Model):
    """How the capacity analyses model what the scenario leaves open."""

    pointing: Pointing = quantity(
        "sun_tracking",
        label="Solar array pointing",
        description="Solar array pointing: sun_tracking (two axes, cos θ = 1), single_axis "
                    "(turns about the orbit normal, cos θ = cos β) or zenith_fixed (flat on "
                    "the zenith face, cos θ = max(0, r̂·ŝ))")
    age_years: float = quantity(
        0.0, unit="years", ge=0.0, le=30.0, step=0.5,
        label="Time in orbit",
        description="Time in orbit: the array has lost (1 − d)^years of its output")
    policy: PowerPolicy = quantity(
        "steady",
        label="Power policy",
        description="steady: run compute at the duty cycle the orbit-average power budget "
                    "allows; greedy: run flat out while the battery is above its "
                    "depth-of-discharge floor")
    initial_soc_frac: float = quantity(1.0, ge=0.0, le=1.0, step=0.05,
                                       label="Initial battery charge",
                                       description="Battery state of charge at the start")
    sink_temp_k: float = quantity(
        200.0, unit="K", ge=0.0, le=400.0, step=5.0,
        label="Radiator sink temperature",
        description="Effective radiative sink of the radiator (≈ 200 K edge-on to the Sun "
                    "with part of the view on the Earth; 3 K for deep space only)")
    imaging: Imaging = quantity(
        "sunlit",
        label="Imaging mode",
        description="When the imager acquires: sunlit (optical, only in daylight) or "
                    "continuous (e.g. radar); either way the orbit average is the "
                    "application's imaging duty")
    utilisation_frac: float = quantity(
        1.0, gt=0.0, le=1.0, step=0.05,
        label="Model utilisation",
        description="Share of the effective INT8 TOPS the onboard model achieves")
    radiation_margin: float = quantity(
        2.0, unit="×", ge=1.0, le=10.0, step=0.5,
        label="Radiation margin",
        description="Radiation design margin: the part must tolerate this multiple of the "
                    "expected dose (2 is customary)")
    seu_per_bit_day: float | None = quantity(
        None, unit="1/(bit·day)", ge=0.0, le=1.0,
        label="Upset rate",
        description="Single-event upset rate of the payload memory; None takes a planning "
                    "figure by the chip's radiation class")
    memory_gb_per_chip: float = quantity(
        32.0, unit="GB", ge=0.0, le=10000.0, step=1.0,
        label="Memory per chip",
        description="Memory per chip exposed to single-event upsets")
    timeseries_sats: int = quantity(
        6, ge=0, le=10000,
        label="Satellites in the timeseries",
        description="Satellites whose every step is kept in the timeseries frame "
                    "(evenly spread over sat_id; all of them when the constellation is "
                    "smaller)")


def require(function: str, field: str, value: Any, *, ge: float | None = None,
            gt: float | None = None, le: float | None = None, lt: float | None = None,
            unit: str = "") -> np.ndarray:
    """``value`` as a float array, or a ModelError naming ``field`` if any element is NaN
    or outside the bounds."""
    array = np.asarray(value, dtype=np.float64)
    checks = ((ge, np.less, "≥"), (gt, np.less_equal, ">"), (le, np.greater, "≤"),
              (lt, np.greater_equal, "<"))
    bad = np.isnan(array)
    allowed = []
    for bound, fails, word in checks:
        if bound is not None:
            bad |= fails(array, bound)
            allowed.append(f"{word} {bound:g}{' ' + unit if unit else ''}")
    if np.any(bad):
        first = float(array[bad].flat[0]) if array.ndim else float(array)
        raise ModelError(function, [Problem(field, first, "must be " + " and ".join(allowed)
                                            if allowed else "must be a number")])
    return array


IslTopology = Literal["+grid", "nearest", "none"]
"""``"+grid"``: two intra-plane and two inter-plane neighbours; ``"nearest"``: mutual
nearest neighbours with a terminal count and a maximum range; ``"none"``: no ISLs (bent
pipe through gateways)."""
IslLink = tuple[StrictInt | str, StrictInt | str]
"""One laser link: two satellites, each by ``sat_id`` (int) or name (str)."""
IslLinks = tuple[IslLink, ...]
"""An explicit link list: the pairs of satellites that have a laser link, each once."""
MAX_ISL_LINKS = 1_000_000
"""Longest explicit link list (+Grid on 100,000 satellites has 200,000 links)."""
SeamRule = Literal["auto", "link", "cut"]
"""+Grid links across the seam of a Walker shell: ``"link"`` always, ``"cut"`` never,
``"auto"`` links a star pattern's seam only where neighbours move the same way."""
Fibre = Literal["relays", "all", "none"]
LaunchPricing = Literal["per_kg", "dedicated"]


class NetworkOptions(Model):
    """How the network analyses build the time-varying graph (latency, placement and
    event-to-insight share these), and the few settings of placement and insight."""

    isl: IslTopology | IslLinks = quantity(
        "+grid", label="Inter-satellite links",
        description="Inter-satellite links: +grid (two neighbours in the plane, two "
                    "in the next planes), nearest (mutual nearest neighbours within "
                    "range), none (bent pipe through gateways) or a list of links, "
                    "pairs of satellite ids or names")
    seam: SeamRule = quantity(
        "auto", label="Seam links",
        description="+Grid links across the seam between the first and last plane: "
                    "auto, link or cut")
    isl_max_range_km: float | None = quantity(
        None, unit="km", ge=0.0, le=100000.0, step=100.0,
        label="Laser range",
        description="Laser terminal range; links longer than this are dropped at that step "
                    "(empty: the platform's range)")
    n_isl_terminals: int | None = quantity(
        None, ge=0, le=16,
        label="Laser terminals",
        description="Laser terminals per satellite for isl=nearest (empty: the platform's)")
    min_elevation_deg: float | None = quantity(
        None, unit="deg", ge=0.0, le=90.0, step=1.0,
        label="Elevation mask for all sites",
        description="One elevation mask for every site (empty: each site's own mask by role)")
    fibre: Fibre = quantity(
        "relays", label="Terrestrial fibre",
        description="Terrestrial fibre in the graph: between relay sites and the "
                    "others (relays), between every pair of sites (all), or none")
    fibre_detour_factor: float = quantity(
        1.0, unit="×", ge=1.0, le=5.0, step=0.05,
        label="Fibre detour",
        description="Fibre route length over the great-circle distance (1 = along the great "
                    "circle; 1.5–2 is typical of real cable routes)")
    hop_delay_ms: float = quantity(0.0, unit="ms", ge=0.0, le=1000.0, step=0.1,
                                   label="Delay per link",
                                   description="Processing delay added on every link")
    keep_paths: bool | None = quantity(
        None, label="Keep every route",
        description="Keep every route's node sequence (empty: when the run has at most "
                    "a million time-pair rows)")
    workers: int | None = quantity(
        None, ge=1, le=64,
        label="Routing processes",
        description="Processes that route time chunks in parallel (empty: by problem size)")
    k_hops: int = quantity(3, ge=0, le=64,
                           label="Most ISL hops to compute",
                           description="Placement: most ISL hops to a satellite with free "
                                       "compute")
    demand_tops: float | None = quantity(
        None, unit="TOPS", gt=0.0, le=1e7,
        label="Compute per job",
        description="Placement: compute one job needs (empty: the ComputeService "
                    "application's demand per user, else 1 TOPS)")
    utilisation_frac: float = quantity(
        0.5, ge=0.0, le=1.0, step=0.05,
        label="Payload already busy",
        description="Placement: share of each payload busy with other work")
    n_events: int | None = quantity(
        None, ge=1, le=10_000_000,
        label="Number of events",
        description="Event-to-insight: random events to draw (empty: the EventResponse "
                    "rate × the scenario's days)")
    seed: int = quantity(0, ge=0, le=2**32 - 1, label="Random seed",
        description="Event-to-insight: random seed")
    max_off_nadir_deg: float = quantity(
        30.0, unit="deg", gt=0.0, le=80.0, step=1.0,
        label="Largest off-nadir angle",
        description="Event-to-insight: how far off nadir the imager points")
    efficiency_frac: float = quantity(
        0.5, gt=0.0, le=1.0, step=0.05,
        label="Share of TOPS achieved",
        description="Event-to-insight: share of the payload's INT8 TOPS the job achieves")
    processing_gop: float | None = quantity(
        None, unit="GOP", gt=0.0, le=1e9,
        label="Operations per event",
        description="Event-to-insight: operations per event (empty: the EventResponse "
                    "application's)")
    result_size_mb: float | None = quantity(
        None, unit="MB", ge=0.0, le=1e6,
        label="Insight size",
        description="Event-to-insight: insight sent to the user per event (empty: the "
                    "application's)")
    raw_data_mb: float | None = quantity(
        None, unit="MB", gt=0.0, le=1e7,
        label="Raw data per event",
        description="Event-to-insight: raw data per event for the bent pipe (empty: a "
                    "swath × swath scene)")
    ground_tops: float = quantity(1000.0, unit="TOPS", gt=0.0, le=1e9,
                                  label="Ground centre compute",
                                  description="Event-to-insight: compute of the ground "
                                              "processing centre")

    @field_validator("isl", mode="before")
    @classmethod
    def _isl_links(cls, value: Any) -> Any:
        """A topology name, or a link list (pairs, or a frame of ``sat_a``, ``sat_b``)
        checked here: pairs of ids or names, no self-links, each link once."""
        if isinstance(value, str):
            if value not in ("+grid", "nearest", "none"):
                raise FieldValueError("isl", repr(value), "must be '+grid', 'nearest', 'none' or a "
                                      "list of links (pairs of satellite ids or names)")
            return value
        if hasattr(value, "columns") and hasattr(value, "rows"):  # a polars frame
            missing = [c for c in ("sat_a", "sat_b") if c not in value.columns]
            if missing:
                raise FieldValueError("isl", f"frame with columns {list(value.columns)}",
                                      "a link frame needs columns sat_a and sat_b")
            value = value.select("sat_a", "sat_b").rows()
        if not isinstance(value, list | tuple):
            raise FieldValueError("isl", value, "must be '+grid', 'nearest', 'none' or a "
                                  "list of links (pairs of satellite ids or names)")
        if not value:
            raise FieldValueError("isl", (), "an empty link list: use 'none' for no "
                                  "inter-satellite links")
        if len(value) > MAX_ISL_LINKS:
            raise FieldValueError("isl", f"{len(value):,} links", "at most {limit} links",
                                  limit=f"{MAX_ISL_LINKS:,}")
        links, seen = [], {}
        for k, pair in enumerate(value):
            ok = (isinstance(pair, list | tuple) and len(pair) == 2 and all(
                isinstance(x, str) or (isinstance(x, int) and not isinstance(x, bool)
                                       and x >= 0) for x in pair))
            if not ok:
                raise FieldValueError("isl", pair, "link {index} must be a pair of satellites, "
                                      "each a sat_id (a whole number ≥ 0) or a name", index=k)
            a, b = pair
            if a == b:
                raise FieldValueError("isl", (a, b), "link {index} joins a satellite to "
                                      "itself", index=k)
            key = frozenset((a, b))
            if key in seen:
                raise FieldValueError("isl", (a, b), "link {index} repeats link {first} "
                                      "(each link once, in either direction)", index=k,
                                      first=seen[key])
            seen[key] = k
            links.append((a, b))
        return tuple(links)
        if not value:
            raise FieldValueError("isl", (), "an empty link list: use 'none' for no "
                                  "inter-satellite links")
        if len(value) > MAX_ISL_LINKS:
            raise FieldValueError("isl", f"{len(value):,} links", "at most {limit} links",
                                  limit=f"{MAX_ISL_LINKS:,}")
        seen: dict[frozenset, int] = {}
        for k, (a, b) in enumerate(value):
            if a == b:
                raise FieldValueError("isl", (a, b), "link {index} joins a satellite to "
                                      "itself", index=k)
            key = frozenset((a, b))
            if key in seen:
                raise FieldValueError("isl", (a, b), "link {index} repeats link {first} "
                                      "(each link once, in either direction)", index=k,
                                      first=seen[key])
            seen[key] = k
        return value


class BusinessOptions(Model):
    """What the business case leaves to the planner: timeline, pricing and overrides."""

    useful_life_years: float | None = quantity(
        None, unit="years", gt=0.0, le=50.0, step=0.5,
        label="Useful life",
        description="Useful life (empty: min(design life, radiation life) when a capacity "
                    "result gives the radiation life, else the design life)")
    availability_frac: float | None = quantity(
        None, gt=0.0, le=1.0, step=0.01,
        label="Availability",
        description="Share of the year compute runs (empty: the capacity's duty cycle, "
                    "else 0.95)")
    deployment: tuple[StrictInt, ...] | None = quantity(
        None, label="Deployment per year",
        description="Satellites first launched in each programme year, adding up to "
                    "the constellation (empty: all in year 0)")
    launch_vehicle: LaunchVehicle | str | None = quantity(
        None, label="Launch vehicle",
        description="Launcher: a catalog name or a vehicle (empty: the scenario "
                    "economics')")
    launch_pricing: LaunchPricing = quantity(
        "per_kg", label="Launch pricing",
        description="per_kg: price × mass flown (rideshare-like); dedicated: whole "
                    "vehicles, ceil(satellites / satellites per launch) a year")
    lead_years: float = quantity(1.0, unit="years", ge=0.0, le=10.0, step=0.5,
                                 label="Launch to service",
                                 description="Launch to start of service")
    ramp_years: float = quantity(3.0, unit="years", ge=0.0, le=20.0, step=0.5,
                                 label="Ramp-up",
                                 description="Years for utilisation and data sales to ramp "
                                             "to their mature level")
    nre_years: int = quantity(1, unit="years", ge=1, le=20,
                              label="Engineering spread over",
                              description="Years the non-recurring engineering is spread "
                                          "over, from year 0")
    start_year: int | None = quantity(None, ge=1957, le=2200,
                                      label="First year",
                                      description="Calendar year of programme year 0 (empty: "
                                                  "the scenario epoch's year)")
    data_gb_per_sat_year: float | None = quantity(
        None, unit="GB", ge=0.0, le=1e9,
        label="Data sold per satellite-year",
        description="Data products a satellite sells per year (empty: from the capacity "
                    "result or the remote-sensing applications)")
    local_share: dict[str, float] | None = quantity(
        None, label="Local supply shares",
        description="Value-chain segment → share a regional cluster supplies "
                    "(overrides datasets/value_chain.csv)")

    @field_validator("deployment")
    @classmethod
    def _deployment(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is not None and (not value or any(v < 0 for v in value)):
            raise ValueError("give satellites launched per year, each ≥ 0, at least one year")
        return value


CoverageRegion = Literal["grid", "band", "sites"]
"""``"grid"``: cells of a latitude/longitude box; ``"band"``: cells of a latitude band all
round the Earth; ``"sites"``: the scenario's ground sites."""


class CoverageOptions(Model):
    """Where coverage is measured and what counts as covered."""

    region: CoverageRegion = quantity(
        "grid", label="Coverage region",
        description="grid: cells of a latitude/longitude box; band: a latitude band all "
                    "round the Earth; sites: the scenario's ground sites")
    lat_min_deg: float = quantity(-90.0, unit="deg", ge=-90.0, le=90.0, step=1.0,
                                  label="Southernmost latitude",
                                  description="Grid and band: southern edge of the cells")
    lat_max_deg: float = quantity(90.0, unit="deg", ge=-90.0, le=90.0, step=1.0,
                                  label="Northernmost latitude",
                                  description="Grid and band: northern edge of the cells")
    lon_min_deg: float = quantity(-180.0, unit="deg", ge=-180.0, le=180.0, step=1.0,
                                  label="Westernmost longitude",
                                  description="Grid: western edge of the cells")
    lon_max_deg: float = quantity(180.0, unit="deg", ge=-180.0, le=180.0, step=1.0,
                                  label="Easternmost longitude",
                                  description="Grid: eastern edge of the cells")
    cell_deg: float = quantity(10.0, unit="deg", gt=0.0, le=90.0, step=0.5,
                               label="Cell size",
                               description="Grid and band: cell size in latitude and "
                                           "longitude; each cell is judged at its centre")
    min_elevation_deg: float | None = quantity(
        25.0, unit="deg", ge=0.0, le=90.0, step=1.0,
        label="Coverage elevation mask",
        description="A satellite covers a cell when it is at least this high above the "
                    "horizon (empty, for sites: each site's own mask by role)")
    min_satellites: int = quantity(1, ge=1, le=1000, label="Satellites needed",
                                   description="A cell is covered when at least this many "
                                               "satellites are above the mask (k-fold "
                                               "coverage)")

    @field_validator("lat_max_deg")
    @classmethod
    def _lat_order(cls, value: float, info: Any) -> float:
        low = info.data.get("lat_min_deg")
        if low is not None and value < low:
            raise FieldValueError("lat_max_deg", value, "must be ≥ the southernmost "
                                  "latitude ({low}°)", low=f"{low:g}")
        return value

    @field_validator("lon_max_deg")
    @classmethod
    def _lon_order(cls, value: float, info: Any) -> float:
        low = info.data.get("lon_min_deg")
        if low is not None and value < low:
            raise FieldValueError("lon_max_deg", value, "must be ≥ the westernmost "
                                  "longitude ({low}°)", low=f"{low:g}")
        return value


SplitKind = Literal["pipeline", "shards"]
"""How a collaborative job is split: ``"pipeline"`` — stages run one after another on
successive satellites of the plane (OrbitChain); ``"shards"`` — parallel shards on the
+Grid neighbours, then a merge where the job was placed (map-reduce)."""


class SchedulingOptions(Model):
    """How the scheduling simulation draws its workload and places jobs."""

    policy: str = quantity(
        "nearest_with_capacity", label="Scheduling policy",
        description="Where jobs run: a name of the workbench.policies entry-point group "
                    "(local_only, nearest_with_capacity, best_neighbour, ground, "
                    "energy_aware)")
    seed: int = quantity(0, ge=0, le=2**32 - 1, label="Random seed",
                         description="Seed of the workload: the same seed draws the same jobs")
    n_jobs: int = quantity(2000, ge=0, le=100_000_000, label="Jobs over the run",
                           description="Jobs arriving over the scenario's time grid")
    sensing_share_frac: float = quantity(
        0.3, ge=0.0, le=1.0, step=0.05, label="Share from onboard sensing",
        description="Share of jobs raised by the satellites' own sensing over targets "
                    "(the rest come from ground users, weighted by city population)")
    daily_profile_frac: float = quantity(
        0.5, ge=0.0, le=1.0, step=0.05, label="Daily swing of user demand",
        description="Users' demand follows 1 + a·cos(2π(local hour − 20)/24): the swing a")
    job_gop: float = quantity(500.0, unit="GOP", gt=0.0, le=1e9, label="Operations per job",
                              description="Mean operations of one job")
    compute_cv: float = quantity(
        0.0, unit="×", ge=0.0, le=5.0, step=0.1, label="Spread of operations",
        description="Coefficient of variation of the operations per job (0: every job "
                    "the same; else gamma-distributed)")
    input_mb: float = quantity(10.0, unit="MB", ge=0.0, le=1e6, label="Input per job",
                               description="Data a job brings to where it runs")
    output_mb: float = quantity(1.0, unit="MB", ge=0.0, le=1e6, label="Output per job",
                                description="Result a job sends back")
    deadline_s: float = quantity(600.0, unit="s", gt=0.0, le=1e7, label="Deadline",
                                 description="Time from arrival by which a job must finish")
    urgent_frac: float = quantity(
        0.2, ge=0.0, le=1.0, step=0.05, label="Share of urgent jobs",
        description="Share of jobs in the urgent priority class (half the deadline)")
    collaborative_frac: float = quantity(
        0.0, ge=0.0, le=1.0, step=0.05, label="Share of collaborative jobs",
        description="Share of jobs split across satellites")
    split: SplitKind = quantity(
        "shards", label="How jobs are split",
        description="pipeline: stages on successive satellites of the plane; shards: "
                    "parallel shards on the ISL neighbours, merged where the job was placed")
    n_parts: int = quantity(4, ge=2, le=5, label="Parts per collaborative job",
                            description="Stages or shards of a collaborative job")
    merge_frac: float = quantity(
        0.05, ge=0.0, le=1.0, step=0.01, label="Merge share of the work",
        description="Shards: share of a job's operations spent merging the shards' outputs")
    efficiency_frac: float = quantity(
        0.5, gt=0.0, le=1.0, step=0.05, label="Share of TOPS achieved",
        description="Share of the payload's INT8 TOPS a job achieves")
    k_hops: int = quantity(2, ge=0, le=8, label="Most ISL hops for a job",
                           description="Farthest a job is sent over ISLs to a neighbour")
    busy_threshold_s: float = quantity(
        60.0, unit="s", ge=0.0, le=1e6, label="Queue counted as busy",
        description="A satellite whose queue holds more than this much work has no free "
                    "capacity (nearest-with-capacity, energy-aware)")
    ground_tops: float = quantity(1000.0, unit="TOPS", gt=0.0, le=1e9,
                                  label="Ground centre compute",
                                  description="Compute of the ground data centre")
    dod_limit_frac: float = quantity(
        0.3, gt=0.0, le=1.0, step=0.05, label="Depth-of-discharge limit",
        description="Energy-aware policy: compute stops before the battery passes this "
                    "depth of discharge")
    initial_soc_frac: float = quantity(1.0, ge=0.0, le=1.0, step=0.05,
                                       label="Initial battery charge",
                                       description="Battery state of charge at the start")
    drop_late: bool = quantity(
        True, label="Drop jobs that would miss",
        description="Drop a job on arrival when its queue already makes it miss the "
                    "deadline (else it runs late)")
    timeseries_sats: int | None = quantity(
        None, ge=0, le=100_000, label="Satellites in the timeseries",
        description="Satellites whose every step is kept (empty: all)")


class ScenarioOptions(Model):
    """The options of every analysis wing, carried by the scenario (``scenario.options``)."""

    capacity: CapacityOptions = quantity(CapacityOptions(),
                                         label="Capacity options",
                                         description="Onboard: power, thermal, compute, data")
    network: NetworkOptions = quantity(NetworkOptions(),
                                       label="Network options",
                                       description="Network: latency, placement, insight")
    business: BusinessOptions = quantity(BusinessOptions(), label="Business options",
                                         description="Business case")
    coverage: CoverageOptions = quantity(CoverageOptions(), label="Coverage options",
                                         description="Coverage: region, mask, satellites "
                                                     "needed")
    scheduling: SchedulingOptions = quantity(SchedulingOptions(),
                                             label="Scheduling options",
                                             description="Scheduling: jobs, policies, "
                                                         "collaboration")


OptionsT = TypeVar("OptionsT", bound=Model)


def resolve_options(cls: type[OptionsT], options: OptionsT | Mapping[str, Any] | None,
                    default: OptionsT) -> OptionsT:
    """``options`` validated as ``cls`` (a model, or a mapping of its fields), or
    ``default`` (the scenario's) when None. Unknown or invalid fields raise a ModelError
    naming them."""
    if options is None:
        return default
    if isinstance(options, cls):
        return options
    if isinstance(options, Mapping):
        return cls.model_validate(dict(options))
    raise ModelError(cls.__name__, [Problem("options", type(options).__name__,
                                            f"give a {cls.__name__} or a mapping of its "
                                            "fields")])


__all__ = ["BusinessOptions", "CapacityOptions", "CoverageOptions", "CoverageRegion", "Fibre",
           "Imaging", "IslTopology", "IslLink", "IslLinks", "MAX_ISL_LINKS",
           "LaunchPricing", "NetworkOptions", "Pointing", "PowerPolicy", "ScenarioOptions",
           "SchedulingOptions",
           "SeamRule", "SplitKind", "require", "resolve_options"]
