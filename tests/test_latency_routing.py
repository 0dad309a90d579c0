"""Shortest paths of the routing kernel against networkx (random graphs, hypothesis), the
no-transit-through-ground rule, and the parallel path giving the same answers."""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from workbench.analyses.network.graph import (
    C_KM_PER_S,
    R_EARTH_KM,
    RoutingNetwork,
    SiteGeometry,
    shortest_paths,
    step_graph,
)
from workbench.analyses.network.runner import route_chunk, route_over_time
from workbench.model import constants

ONE_NANOSECOND_S = 1e-9


def test_kernel_constants_match_the_model():
    from workbench.analyses.network import links

    assert C_KM_PER_S == links.C_KM_PER_S == constants.C_KM_PER_S
    assert R_EARTH_KM == links.R_EARTH_KM == constants.R_EARTH_KM
    assert links.FIBRE_REFRACTIVE_INDEX == constants.FIBRE_REFRACTIVE_INDEX


@st.composite
def weighted_digraphs(draw):
    n = draw(st.integers(2, 25))
    m = draw(st.integers(0, 4 * n))
    edges = {}
    for _ in range(m):
        u = draw(st.integers(0, n - 1))
        v = draw(st.integers(0, n - 1))
        if u != v:
            edges[(u, v)] = draw(st.floats(0.001, 10.0))
    return n, edges


@settings(max_examples=150)
@given(weighted_digraphs(), st.data())
def test_shortest_paths_agree_with_networkx(graph, data):
    n, edges = graph
    g_nx = nx.DiGraph()
    g_nx.add_nodes_from(range(n))
    g_nx.add_weighted_edges_from((u, v, w) for (u, v), w in edges.items())
    rows = [u for u, _ in edges]
    cols = [v for _, v in edges]
    g = csr_matrix((list(edges.values()), (rows, cols)), shape=(n, n))
    k = data.draw(st.integers(1, 6))
    sources = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)))
    targets = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)))
    dist, hops, paths = shortest_paths(g, sources, targets)
    for s, t, d, h, path in zip(sources, targets, dist, hops, paths, strict=True):
        try:
            ref = nx.dijkstra_path_length(g_nx, int(s), int(t))
        except nx.NetworkXNoPath:
            assert math.isinf(d) and path == []
            continue
        assert d == pytest.approx(ref, abs=1e-12)
        # our path is a real path of that length (ties may pick another one)
        assert path[0] == s and path[-1] == t
        assert h == len(path) - 1
        assert sum(edges[(a, b)] for a, b in zip(path[:-1], path[1:])) == pytest.approx(
            ref, abs=1e-12)


def _random_network(rng, n_sats, n_sites, relay_frac=0.0):
    """Satellites at 550 km over a patch of sky, random ISLs, ground sites beneath."""
    lat = rng.uniform(-30, 30, n_sats)
    lon = rng.uniform(-40, 40, n_sats)
    r = (R_EARTH_KM + 550.0) * np.stack([np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
                                          np.cos(np.radians(lat)) * np.sin(np.radians(lon)),
                                          np.sin(np.radians(lat))], -1)
    slat = rng.uniform(-30, 30, n_sites)
    slon = rng.uniform(-40, 40, n_sites)
    up = np.stack([np.cos(np.radians(slat)) * np.cos(np.radians(slon)),
                   np.cos(np.radians(slat)) * np.sin(np.radians(slon)),
                   np.sin(np.radians(slat))], -1)
    sites = SiteGeometry(names=tuple(f"s{i}" for i in range(n_sites)), lat_deg=slat,
                         lon_deg=slon, position_km=R_EARTH_KM * up, up=up,
                         sin_mask=np.full(n_sites, np.sin(np.radians(20.0))),
                         max_range_km=np.full(n_sites, np.inf),
                         is_relay=rng.uniform(size=n_sites) < relay_frac)
    a = rng.integers(0, n_sats, 3 * n_sats)
    b = rng.integers(0, n_sats, 3 * n_sats)
    edges = np.unique(np.sort(np.stack([a, b], 1)[a != b], axis=1), axis=0)
    return r, RoutingNetwork(n_sats=n_sats, sites=sites, isl="+grid", isl_edges=edges)


def _networkx_reference(network, r_km, pair_a, pair_b):
    """Plain networkx: undirected graph, edges out of non-relay sites other than the
    source hidden (no transit through ground sites)."""
    from workbench.analyses.network.graph import ground_links, isl_links

    g = nx.Graph()
    edges, length = isl_links(network, r_km)
    for (u, v), d in zip(edges, length, strict=True):
        g.add_edge(int(u), int(v), weight=d / C_KM_PER_S)
    site, sat, rng = ground_links(r_km, network.sites)
    for i, s, d in zip(site, sat, rng, strict=True):
        g.add_edge(("site", int(i)), int(s), weight=d / C_KM_PER_S)
    out = []
    for a, b in zip(pair_a, pair_b, strict=True):
        source = ("site", int(a))

        def weight(u, v, data, source=source):
            blocked = isinstance(u, tuple) and u != source and not network.sites.is_relay[u[1]]
            return None if blocked else data["weight"]

        try:
            out.append(nx.dijkstra_path_length(g, source, ("site", int(b)), weight=weight))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            out.append(math.inf)
    return np.array(out)


@settings(max_examples=25)
@given(st.integers(0, 2**31), st.integers(5, 40), st.integers(2, 8),
       st.sampled_from([0.0, 0.5]))
def test_routes_agree_with_networkx_and_never_transit_ground(seed, n_sats, n_sites, relay_frac):
    rng = np.random.default_rng(seed)
    r, network = _random_network(rng, n_sats, n_sites, relay_frac)
    a, b = np.triu_indices(n_sites, 1)
    out = route_chunk(network, r[:, None, :], a, b)
    ref = _networkx_reference(network, r, a, b)
    ours = out.dist_s[0]
    assert np.array_equal(np.isfinite(ours), np.isfinite(ref))
    ok = np.isfinite(ref)
    np.testing.assert_allclose(ours[ok], ref[ok], rtol=0, atol=ONE_NANOSECOND_S)
    # recorded routes: sites only at the ends unless they are relays
    offsets, nodes = out.rec_offsets, out.rec_nodes
    for k in range(out.rec_pair.size):
        route = nodes[offsets[k]:offsets[k + 1]]
        pair = out.rec_pair[k]
        assert route[0] == n_sats + a[pair] and route[-1] == n_sats + b[pair]
        middle_sites = route[1:-1][route[1:-1] >= n_sats] - n_sats
        assert network.sites.is_relay[middle_sites].all()


def test_limits_and_chunks_do_not_change_results():
    rng = np.random.default_rng(7)
    r0, network = _random_network(rng, 60, 8)
    # a few steps: jiggle the satellites
    r = r0[:, None, :] + rng.normal(scale=30.0, size=(60, 12, 3))
    a, b = np.triu_indices(8, 1)
    plain = route_chunk(network, r, a, b, use_limits=False)
    parallel = route_over_time(network, r, a, b, workers=2)
    ok = np.isfinite(plain.dist_s)
    for other in (parallel, route_chunk(network, r, a, b, method="single"),
                  route_chunk(network, r, a, b, method="meet")):
        assert np.array_equal(np.isfinite(other.dist_s), ok)
        np.testing.assert_allclose(other.dist_s[ok], plain.dist_s[ok],
                                   atol=ONE_NANOSECOND_S)


def test_limited_searches_with_relays_match_full_searches():
    rng = np.random.default_rng(17)
    r0, network = _random_network(rng, 50, 9, relay_frac=0.4)
    assert network.sites.is_relay.any()
    r = r0[:, None, :] + rng.normal(scale=40.0, size=(50, 10, 3))
    a, b = np.triu_indices(9, 1)
    plain = route_chunk(network, r, a, b, use_limits=False)
    limited = route_chunk(network, r, a, b)  # "auto" → one-sided searches with limits
    ok = np.isfinite(plain.dist_s)
    assert np.array_equal(np.isfinite(limited.dist_s), ok)
    np.testing.assert_allclose(limited.dist_s[ok], plain.dist_s[ok],
                               atol=ONE_NANOSECOND_S)


def test_search_strategies_agree_on_starlink_geometry():
    """One-sided searches cut at the previous step's distances, meet-in-the-middle searches
    and plain full searches give the same distances, hops, fingerprints and routes over
    real moving geometry (Starlink S1, 30 cities, 20 minutes)."""
    from datetime import UTC, datetime

    from workbench import datasets
    from workbench.analyses.network.links import site_geometry
    from workbench.analyses.network.topology import plus_grid
    from workbench.model import GroundSite
    from workbench.model.timegrid import TimeGrid
    from workbench.orbits.propagation import propagate

    constellation = datasets.constellation("starlink-s1")
    start = datetime(2026, 6, 21, 6, tzinfo=UTC)
    r = propagate(constellation, TimeGrid(start=start, duration_s=1200.0, step_s=60.0))
    cities = datasets.hypatia_ground_stations().head(30)
    sites = [GroundSite(name=n_, lat_deg=la, lon_deg=lo, min_elevation_deg=25.0)
             for n_, la, lo in cities.select("name", "lat_deg", "lon_deg").iter_rows()]
    network = RoutingNetwork(n_sats=len(constellation), sites=site_geometry(sites),
                             isl_edges=plus_grid(constellation, epoch=start))
    a, b = np.triu_indices(30, 1)
    plain = route_chunk(network, r, a, b, use_limits=False)
    for method in ("single", "meet"):
        other = route_chunk(network, r, a, b, method=method)
        assert np.array_equal(np.isfinite(other.dist_s), np.isfinite(plain.dist_s))
        ok = np.isfinite(plain.dist_s)
        np.testing.assert_allclose(other.dist_s[ok], plain.dist_s[ok],
                                   atol=ONE_NANOSECOND_S)
        assert np.array_equal(other.n_hops, plain.n_hops)
        assert np.array_equal(other.fingerprint, plain.fingerprint)
        assert np.array_equal(other.rec_nodes, plain.rec_nodes)


def test_step_graph_has_no_links_leaving_non_relay_sites():
    rng = np.random.default_rng(3)
    r, network = _random_network(rng, 30, 5, relay_frac=0.0)
    g = step_graph(network, r).graph
    n, m = network.n_sats, network.n_sites
    in_nodes = slice(n, n + m)
    assert g[in_nodes].nnz == 0  # in nodes of non-relay sites are pure sinks
    assert g[:, n + m:].nnz == 0  # nothing enters an out node
