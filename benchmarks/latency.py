"""Benchmark: RTT between the 100 most populous cities over Starlink S1, every 60 s for 24 h.

The Hypatia set-up (Kassing et al., IMC 2020): Starlink shell 1 (72 × 22 at 550 km, 53°),
+Grid laser ISLs, ground stations at the 100 most populous cities with a 25° elevation
mask, no transit through ground stations. 4,950 city pairs × 1,441 time steps.

Measured: ``workbench.analyses.network.roundtrip(scenario, keep_paths=False)`` end to end
(propagation, per-step sparse graphs, Dijkstra, hop counts, path changes, the polars
frames).

Reference, run in the same process: a straightforward implementation — per time step,
build a ``networkx.Graph`` of the satellites and cities (ISLs from the same +Grid edges,
ground links from :func:`workbench.orbits.access.look_angles`), then Dijkstra from each
city (``networkx.single_source_dijkstra_path_length``, with edges out of other cities
hidden so routes cannot transit them). It runs on a sample of the time steps; its time is
scaled up to all 1,441 steps (the script prints the sample size). Both must agree on the
RTTs they share.

Run: ``uv run python benchmarks/latency.py [--sample-steps N] [--workers N] [--paths]``
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime

import numpy as np

TARGET_WALL_S = 20.0
TARGET_RATIO = 30.0
AGREE_MS = 1e-6
"""RTTs must agree to a nanosecond (float rounding only)."""


def hypatia_scenario(duration_s: float = 86400.0, step_s: float = 60.0):
    from workbench import datasets
    from workbench.model import Scenario

    return Scenario(name="hypatia-starlink-s1", epoch_utc=datetime(2026, 6, 21, tzinfo=UTC),
                    duration_s=duration_s, step_s=step_s,
                    constellation=datasets.constellation("starlink-s1"),
                    platform=datasets.platform("starlink-v1-class"),
                    payload={"chip": "jetson-agx-orin"}, ground=datasets.hypatia_ground_segment())


def reference_rtt_ms(scenario, positions_km: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """RTT (steps, pairs) in ms by networkx Dijkstra from each city, graph rebuilt per step."""
    import networkx as nx

    from workbench.analyses.network.topology import line_of_sight, plus_grid
    from workbench.model.constants import C_KM_PER_S
    from workbench.orbits.access import look_angles

    sites = scenario.ground.sites
    n_sats, m = positions_km.shape[0], len(sites)
    edges = plus_grid(scenario.constellation, epoch=scenario.epoch_utc)
    max_range = scenario.platform.isl_max_range_km
    a, b = np.triu_indices(m, 1)
    out = np.full((steps.size, a.size), np.inf)
    for k, t in enumerate(steps):
        r = positions_km[:, t]
        graph = nx.Graph()
        graph.add_nodes_from(range(n_sats))
        length = np.linalg.norm(r[edges[:, 0]] - r[edges[:, 1]], axis=1)
        ok = (length <= max_range) & line_of_sight(r[edges[:, 0]], r[edges[:, 1]])
        graph.add_weighted_edges_from(
            (int(u), int(v), float(d) / C_KM_PER_S) for (u, v), d in zip(edges[ok], length[ok]))
        elevation, _, rng = look_angles(r[:, None, :], sites)
        for i, site in enumerate(sites):
            graph.add_node(("site", i))
            for s in np.flatnonzero(elevation[i, :, 0] >= site.elevation_mask_deg):
                graph.add_edge(("site", i), int(s), weight=float(rng[i, s, 0]) / C_KM_PER_S)
        dist = np.full((m, m), np.inf)
        for i in range(m):
            source = ("site", i)

            def weight(u, v, data, source=source):
                # routes may leave a city only where they start
                return None if isinstance(u, tuple) and u != source else data["weight"]

            lengths = nx.single_source_dijkstra_path_length(graph, source, weight=weight)
            for j in range(m):
                dist[i, j] = lengths.get(("site", j), np.inf)
        out[k] = 2000.0 * dist[a, b]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample-steps", type=int, default=6,
                        help="time steps the networkx reference runs on (scaled up)")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes for the workbench (default: by problem size)")
    parser.add_argument("--paths", action="store_true", help="also keep every route")
    args = parser.parse_args(argv)

    from workbench.analyses.network.roundtrip import latency
    from workbench.orbits.propagation import propagate

    scenario = hypatia_scenario()
    n_steps = len(scenario.time_grid)
    n_pairs = len(scenario.ground) * (len(scenario.ground) - 1) // 2
    print(f"Starlink S1: {len(scenario.constellation):,} satellites, {len(scenario.ground)} "
          f"cities ({n_pairs:,} pairs), {n_steps:,} steps of {scenario.step_s:g} s; "
          f"{os.cpu_count()} CPUs")
    latency(hypatia_scenario(duration_s=600.0), options={"keep_paths": False, "workers": 1})  # warm imports

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average before the run: {load} (other processes on the 2 cores slow it)")
    started = time.perf_counter()
    result = latency(scenario, options={"keep_paths": args.paths, "workers": args.workers})
    wall_s = time.perf_counter() - started
    info = result.info
    print(f"workbench latency(): {wall_s:.2f} s wall for {n_pairs * n_steps:,} RTTs "
          f"({info['n_searches']:,} single-source searches, keep_paths={args.paths})")

    positions = propagate(scenario.constellation, scenario.time_grid)
    steps = np.unique(np.linspace(0, n_steps - 1, args.sample_steps).round().astype(int))
    started = time.perf_counter()
    ref = reference_rtt_ms(scenario, positions, steps)
    ref_s = time.perf_counter() - started
    ref_full_s = ref_s / steps.size * n_steps
    print(f"networkx reference: {ref_s:.2f} s for {steps.size} sampled steps of {n_steps:,} "
          f"→ {ref_full_s:,.0f} s scaled to all steps")

    ours = result.rtt["rtt_ms"].to_numpy().reshape(n_steps, n_pairs)[steps]
    ours = np.where(np.isnan(ours), np.inf, ours)
    same_reach = np.array_equal(np.isfinite(ours), np.isfinite(ref))
    both = np.isfinite(ours) & np.isfinite(ref)
    max_diff = float(np.max(np.abs(ours[both] - ref[both]))) if both.any() else 0.0
    print(f"agreement on {int(both.sum()):,} shared RTTs: max |Δ| = {max_diff:.2e} ms, "
          f"same reachability: {same_reach}")
    ratio = ref_full_s / wall_s
    print(f"speed-up vs reference: {ratio:,.0f}× (target ≥ {TARGET_RATIO:g}×); wall "
          f"{wall_s:.2f} s (target < {TARGET_WALL_S:g} s)")
    ok = same_reach and max_diff <= AGREE_MS and ratio >= TARGET_RATIO and wall_s < TARGET_WALL_S
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
