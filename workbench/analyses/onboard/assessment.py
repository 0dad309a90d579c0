"""How much useful computing a constellation delivers, where and when, and what limits it.

:func:`capacity` composes the parts — power (:mod:`.power`), thermal (:mod:`.thermal`),
compute (:mod:`.compute`), the remote-sensing data pipeline (:mod:`.datapipe`) and
radiation (:mod:`.radiation`) — on one propagation (:mod:`.geometry`). Each part is also a
function of its own: :func:`power_budget`, :func:`thermal_budget`,
:func:`compute_capacity`, :func:`data_pipeline`, :func:`radiation_life`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...model.ground import GroundSegment, GroundSite
from ...model.options import CapacityOptions, resolve_options
from ...model.scenario import Scenario
from ...orbits.geometry import OrbitGeometry, Progress, scenario_geometry
from .compute import (
    compute_basis,
    compute_capacity,
    compute_frames,
    compute_in_view,
    compute_summary,
    effective_tops,
    site_tuple,
)
from .datapipe import (
    data_frames,
    data_pipeline,
    data_summary,
    gateway_index,
    remote_sensing_app,
    simulate_storage,
)
from .oec import oec_frame, oec_pipeline, oec_summary
from .power import (
    power_budget,
    power_frames,
    power_summary,
    sample_sat_ids,
    simulate_power,
)
from .radiation import (
    dose_depth_frame,
    radiation_columns,
    radiation_life,
    radiation_summary,
)
from .result import CapacityResult
from .thermal import thermal_budget, thermal_frames, thermal_limits, thermal_summary


def capacity(scenario: Scenario, *, progress: Progress | None = None,
             geometry: OrbitGeometry | None = None,
             sites: GroundSegment | Sequence[GroundSite] | None = None,
             options: CapacityOptions | Mapping[str, Any] | None = None) -> CapacityResult:
    """The whole capacity analysis of a scenario: power, thermal, compute, data, radiation.

    Parameters
    ----------
    scenario : Scenario
    progress : callable(fraction_done, message), optional
        Called as the analysis advances (fractions from 0 to 1).
    geometry : OrbitGeometry, optional
        A propagation to reuse (:func:`~workbench.orbits.geometry.orbit_geometry` of the
        scenario's constellation and grid); by default the analysis propagates once.
    sites : ground sites for compute-in-view; default all the scenario's sites. Gateways
        (role ``gateway``) among the scenario's sites carry the downlink.
    options : CapacityOptions or a mapping of its fields, optional
        Default ``scenario.options.capacity``. Fields, e.g.
        ``pointing="single_axis"``, ``age_years=5``, ``policy="greedy"``,
        ``sink_temp_k=250``, ``imaging="continuous"``, ``utilisation_frac=0.5``,
        ``radiation_margin=2``, ``timeseries_sats=6``. Unknown or out-of-range options
        raise a ModelError naming them.

    Returns
    -------
    CapacityResult
        Frames (schemas in the part functions):

        - ``satellites``: one row per satellite — identity and orbit; power
          (:func:`power_budget`); compute (:func:`compute_capacity`); data
          (:func:`data_pipeline`, when the scenario has a remote-sensing application);
          radiation (:func:`radiation_life`)
        - ``timeseries``: every step of ``timeseries_sats`` sample satellites
        - ``constellation``: every step summed over the constellation
        - ``thermal``, ``radiator_curve``, ``in_view``, ``in_view_stats``,
          ``data_pipeline``, ``data_summary``, ``oec`` (:func:`oec_pipeline`, with a
          remote-sensing application), ``dose_depth``

        ``summary``: flat numbers (unit suffixes in the keys), ``limiting_factor`` (power,
        thermal, data, radiation or none) and ``warnings`` in words. ``workbench.viz.figures``
        draws them (plotly); in a notebook the result shows itself as HTML.

    Notes
    -----
    Power and thermal limits combine: the radiator caps the duty cycle
    (:func:`~workbench.analyses.onboard.thermal.thermal_limits`), the power simulation
    (:func:`~workbench.analyses.onboard.power.simulate_power`) runs compute within that cap and
    its energy budget, and the effective TOPS follow the power drawn.

    Examples
    --------
    >>> import workbench as wb                                           # doctest: +SKIP
    >>> result = wb.analyses.capacity(wb.load_scenario("beijing-etown-demo"))  # doctest: +SKIP
    >>> result.summary["effective_tops_total_mean"]                      # doctest: +SKIP
    """
    opts = resolve_options(CapacityOptions, options, scenario.options.capacity)

    def report(fraction: float, message: str) -> None:
        if progress:
            progress(fraction, message)

    site_list = site_tuple(scenario, sites)
    limits = thermal_limits(scenario.platform, scenario.payload, sink_temp_k=opts.sink_temp_k)
    geometry = scenario_geometry(
        scenario, geometry, progress=(lambda f, m: report(0.6 * f, m)) if progress else None)
    report(0.6, "power and battery")
    state = simulate_power(scenario.platform, scenario.payload, geometry, options=opts,
                           max_duty_frac=limits.duty_frac)
    sat_ids = sample_sat_ids(geometry.n_sats, opts.timeseries_sats)
    power = power_frames(state, geometry, scenario.platform, sat_ids)
    result = CapacityResult(frames=power, summary=power_summary(state, power["satellites"]),
                            title=f"Capacity: {scenario.name}")
    result = result.merge(CapacityResult(frames=thermal_frames(limits),
                                         summary=thermal_summary(limits)))

    report(0.7, "compute in view")
    basis = compute_basis(scenario.payload, scenario.constellation)
    tops = effective_tops(scenario.payload, state.compute_w, basis.tops_per_sat)
    frames = compute_frames(state, limits, geometry, scenario.payload, sat_ids, tops)
    ground = scenario.ground.sites
    all_sites = tuple(dict.fromkeys(site_list + ground))
    gateways = [all_sites.index(ground[i]) for i in gateway_index(ground)]
    contact = np.zeros((geometry.n_sats, geometry.n_times), dtype=bool)
    stats = None
    if all_sites:
        n_in_view, tops_in_view, contact = geometry.view_totals(all_sites, tops,
                                                                union=gateways)
        if site_list:
            index = [all_sites.index(s) for s in site_list]
            frames["in_view"], stats = compute_in_view(n_in_view[index], tops_in_view[index],
                                                       site_list, geometry)
            frames["in_view_stats"] = stats
    result = result.merge(CapacityResult(
        frames=frames, summary=compute_summary(frames, scenario.payload, geometry, stats,
                                               basis)))

    app = remote_sensing_app(scenario, None)
    if app is not None:
        report(0.8, "data pipeline")
        flows = simulate_storage(app, scenario.payload.storage_tb,
                                 scenario.platform.downlink_rate_gbps, geometry, tops,
                                 contact, options=opts)
        data = data_frames(app, flows, geometry, tops, contact,
                           scenario.platform.downlink_rate_gbps, opts)
        result = result.merge(CapacityResult(frames=data, summary=data_summary(
            data, app, len(gateways))))
        if basis.tops_per_sat > 0.0:
            oec = oec_frame(app, scenario.payload, geometry.satellites["sat_id"].to_numpy(),
                            geometry.altitude_km, basis.tops_per_sat,
                            utilisation_frac=opts.utilisation_frac)
            result = result.merge(CapacityResult(frames={"oec": oec}, summary=oec_summary(
                oec, app, geometry.n_sats)))

    report(0.9, "radiation")
    columns = radiation_columns(geometry.altitude_km,
                                geometry.satellites["inclination_deg"].to_numpy(), scenario,
                                opts)
    sats = result.frames["satellites"]
    result.frames["satellites"] = sats.with_columns(**columns)
    result.frames["dose_depth"] = dose_depth_frame(
        float(np.median(geometry.altitude_km)),
        float(geometry.satellites["inclination_deg"].median()), scenario, opts)
    radiation = radiation_summary(columns, scenario)
    summary = {**result.summary, **{k: v for k, v in radiation.items() if k != "warnings"}}
    summary["warnings"] = result.warnings + radiation["warnings"]
    summary["limiting_factor"] = _limiting_factor(summary, app is not None)
    report(1.0, "done")
    return CapacityResult(frames=result.frames, summary=summary, title=result.title)


def _limiting_factor(summary: dict[str, Any], has_data: bool) -> str:
    """What limits the useful computing most: the first of infeasible power, the binding
    duty-cycle limit, lost data, or radiation wearing parts out before their design life."""
    counts = summary.get("limit_counts", {})
    if counts.get("infeasible"):
        return "power (infeasible)"
    binding = max(("power", "thermal"), key=lambda k: counts.get(k, 0))
    if counts.get(binding):
        return binding
    if has_data and (summary.get("lost_raw_frac_in_orbit", 0.0) > 0.0
                     or summary.get("realtime_sats_frac", 1.0) < 1.0):
        return "data"
    if summary.get("n_radiation_limited"):
        return "radiation"
    return "none"


__all__ = ["capacity", "CapacityResult", "power_budget", "thermal_budget", "compute_capacity",
           "data_pipeline", "oec_pipeline", "radiation_life"]
