"""``schedule``: the on-orbit computing scheduling analysis of a scenario."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...model.errors import ModelError, Problem
from ...model.options import CapacityOptions, SchedulingOptions, resolve_options
from ...model.scenario import Scenario
from ...orbits.frames import geodetic_to_itrs
from ...orbits.geometry import OrbitGeometry, Progress, scenario_geometry
from ..onboard.assessment import capacity as capacity_analysis
from ..onboard.result import CapacityResult
from .fabric import build_fabric
from .policies import EnergyAware
from .policies import policy as find_policy
from .result import SchedulingResult, build_result
from .simulation import Fleet, simulate
from .workload import draw_workload


def fleet_of(scenario: Scenario, capacity: CapacityResult, options: SchedulingOptions
             ) -> Fleet:
    """Per-satellite rates and power from the capacity wing's ``satellites`` frame."""
    sats = capacity.frames["satellites"]
    payload, platform = scenario.payload, scenario.platform
    achieved = payload.int8_tops * options.efficiency_frac
    thermal = sats["thermal_duty_frac"].to_numpy()
    full = achieved * np.clip(thermal, 0.0, 1.0)
    if not np.any(full > 0):
        raise ModelError("schedule", [Problem(
            "payload", f"{payload.int8_tops:g} TOPS × thermal duty "
            f"{float(thermal.max(initial=0.0)):g}",
            "the constellation has no compute to schedule on: give a chip with TOPS > 0 "
            "and a radiator that lets it run")])
    sunlit = sats["sunlit_frac"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        gen = np.where(sunlit > 0, sats["generation_mean_w"].to_numpy() / sunlit, 0.0)
    return Fleet(full_rate_tops=full, j_per_top=payload.power_w / achieved,
                 sunlit_generation_w=gen, thermal_duty_frac=thermal,
                 bus_w=platform.bus_power_w, battery_wh=platform.battery_wh,
                 floor_wh=(1.0 - platform.depth_of_discharge_frac) * platform.battery_wh,
                 efficiency_frac=platform.battery_efficiency_frac,
                 payload_w=payload.power_w, isl_rate_gbps=platform.isl_rate_gbps,
                 downlink_rate_gbps=platform.downlink_rate_gbps)


def schedule(scenario: Scenario, *, options: SchedulingOptions | Mapping[str, Any] | None = None,
             geometry: OrbitGeometry | None = None, progress: Progress | None = None,
             capacity: CapacityResult | None = None) -> SchedulingResult:
    """Simulate jobs arriving, moving over ISLs, queueing and running on the constellation.

    Parameters
    ----------
    scenario : Scenario
    options : SchedulingOptions or a mapping of its fields, optional
        Default ``scenario.options.scheduling``; ``policy`` names a ``workbench.policies``
        entry point (an unknown name is a ModelError listing the known ones).
    geometry : OrbitGeometry, optional
        The scenario's shared propagation.
    progress : callable(fraction_done, message), optional
    capacity : CapacityResult, optional
        The capacity wing's result (thermal cap and array output per satellite); computed
        when not given.

    Returns
    -------
    SchedulingResult
        Frames:

        - ``jobs``: job_id (u32), arrival_s, source, site, entry_sat, work_top (TOP),
          input_mb, output_mb, deadline_s, is_urgent, is_collaborative, policy, placement
          (local, neighbour, ground, none), placement_sat (-1: not on a satellite), n_tasks,
          start_s, finish_s (compute), done_s (result back at the entry satellite),
          latency_s, status (met, late, dropped, queued), is_met, energy_wh, isl_hops,
          isl_mb
        - ``tasks``: job_id, kind (whole, shard, merge, stage), stage, sat_id, arrival_s,
          start_s, finish_s, work_top
        - ``satellites``: time_utc, sat_id, rate_tops, utilisation_frac, queue_jobs,
          queue_top, soc_frac, thermal_margin_frac (share of the radiator's payload cap
          unused), isl_tx_mb, downlink_mb
        - ``policy``: one row of the summary

        ``summary``: completion_frac, latency_p50_s/p95_s/p99_s, energy_per_job_wh,
        dod_max_frac, isl_traffic_gb, counts of met/late/dropped/queued jobs and the energy
        totals (generation_wh = bus_wh + compute_wh + spilled_wh + loss_wh +
        stored_change_wh).

    Notes
    -----
    Times are seconds after the grid's start. Latency runs from a job's arrival at its
    entry satellite to its result back there (user up- and downlinks are not counted).
    Jobs sent to the ground run in a data centre of ``ground_tops`` without queueing.

    Examples
    --------
    >>> import workbench as wb                                           # doctest: +SKIP
    >>> r = wb.analyses.schedule(wb.load_scenario("beijing-etown-demo"),
    ...                          options={"policy": "energy_aware"})    # doctest: +SKIP
    >>> r.summary["completion_frac"]                                     # doctest: +SKIP
    """
    opts = resolve_options(SchedulingOptions, options, scenario.options.scheduling)
    chosen = find_policy(opts.policy)
    if isinstance(chosen, EnergyAware):
        chosen = EnergyAware(opts.dod_limit_frac)

    def report(fraction: float, message: str) -> None:
        if progress:
            progress(fraction, message)

    geometry = scenario_geometry(scenario, geometry,
                                 progress=(lambda f, m: report(0.3 * f, m)) if progress
                                 else None)
    if capacity is None:
        report(0.3, "capacity")
        cap_opts = scenario.options.capacity.model_dump()
        cap_opts["timeseries_sats"] = 0
        capacity = capacity_analysis(scenario, geometry=geometry,
                                     options=CapacityOptions.model_validate(cap_opts))
    fleet = fleet_of(scenario, capacity, opts)
    report(0.4, "workload")
    workload = draw_workload(scenario, geometry, opts)
    fabric = build_fabric(scenario, opts.k_hops)
    gateways = [s for s in scenario.ground.sites if s.role == "gateway"]
    if gateways:
        contact = geometry.visible(gateways)
        gateway_km = geodetic_to_itrs(np.array([g.lat_deg for g in gateways]),
                                      np.array([g.lon_deg for g in gateways]),
                                      np.array([g.altitude_m for g in gateways]) / 1e3)
    else:
        contact = np.zeros((0, geometry.n_sats, geometry.n_times), dtype=bool)
        gateway_km = np.zeros((0, 3))
    outcome = simulate(geometry, workload, fabric, fleet, contact, gateway_km, chosen,
                       opts.policy, opts,
                       progress=(lambda f, m: report(0.45 + 0.5 * f, m)) if progress
                       else None)
    n_keep = geometry.n_sats if opts.timeseries_sats is None else min(
        opts.timeseries_sats, geometry.n_sats)
    keep = np.unique(np.linspace(0, geometry.n_sats - 1, n_keep).round().astype(np.int64)) \
        if n_keep else np.zeros(0, dtype=np.int64)
    result = build_result(outcome, workload, geometry, opts.policy, fleet.battery_wh, keep,
                          f"Scheduling: {scenario.name} ({opts.policy})")
    report(1.0, "done")
    return result


__all__ = ["fleet_of", "schedule"]
