"""The Hypatia set-up (Kassing et al., IMC 2020): Starlink S1 72 × 22 at 550 km, 53°, +Grid
ISLs, 25° minimum elevation, ground stations at the 100 most populous cities. RTTs between
well-known cities are physically plausible and stable under step refinement."""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from workbench import datasets
from workbench.analyses.network.roundtrip import latency
from workbench.model import Scenario

ONE_NANOSECOND_MS = 1e-6
CITIES = ["London", "New-York-Newark", "Tokyo", "Sydney", "São-Paulo", "Moskva-(Moscow)",
          "Singapore", "Johannesburg", "Sankt-Peterburg-(Saint-Petersburg)", "Rio-de-Janeiro"]


def hypatia_scenario(duration_s: float, step_s: float) -> Scenario:
    cities = datasets.hypatia_ground_stations()
    assert len(cities) == 100
    return Scenario(name="hypatia", epoch_utc=datetime(2026, 6, 21, tzinfo=UTC),
                    duration_s=duration_s, step_s=step_s,
                    constellation=datasets.constellation("starlink-s1"),
                    platform=datasets.platform("starlink-v1-class"),
                    payload={"chip": datasets.chip("jetson-agx-orin")}, ground=datasets.hypatia_ground_segment())


@pytest.fixture(scope="module")
def runs():
    out = {}
    for step in (60.0, 15.0):
        out[step] = latency(hypatia_scenario(7200.0, step), CITIES,
                            options={"keep_paths": False})
    return out


def _pair(summary: pl.DataFrame, a: str, b: str) -> dict:
    return summary.filter((pl.col("source").cast(pl.String) == a)
                          & (pl.col("destination").cast(pl.String) == b)).row(0, named=True)


def test_constellation_matches_the_hypatia_shell(runs):
    assert runs[60.0].info["n_sats"] == 72 * 22
    assert runs[60.0].info["n_isl_links"] == 2 * 72 * 22  # +Grid: 4 links per satellite


def test_rtts_are_physically_plausible(runs):
    summary = runs[60.0].by_pair
    assert summary["reachable_frac"].min() == 1.0  # these cities are always covered
    # never faster than light along the great circle
    assert (summary["rtt_ms_min"] >= summary["geodesic_rtt_ms"]).all()
    # +Grid routes zig-zag, but stay within 2.5× the great circle for pairs ≥ 3,000 km
    far = summary.filter(pl.col("great_circle_km") >= 3000)
    assert (far["rtt_ms_p50"] <= 2.5 * far["geodesic_rtt_ms"]).all()
    # Handley (HotNets 2018): beyond ~3,000 km a laser-ISL constellation beats fibre laid
    # along the great circle; London–New York fibre ≈ 55 ms RTT
    ldn_nyc = _pair(summary, "London", "New-York-Newark")
    assert ldn_nyc["fibre_rtt_ms"] == pytest.approx(55.0, abs=1.0)
    assert ldn_nyc["geodesic_rtt_ms"] < ldn_nyc["rtt_ms_min"]
    assert ldn_nyc["rtt_ms_max"] < ldn_nyc["fibre_rtt_ms"]
    assert 37.0 < ldn_nyc["rtt_ms_p50"] < 50.0
    # the longest pair in the set (Tokyo–Rio, ~18,600 km): well under fibre, above light
    tokyo_rio = _pair(summary, "Tokyo", "Rio-de-Janeiro")
    assert tokyo_rio["geodesic_rtt_ms"] < tokyo_rio["rtt_ms_p50"] < tokyo_rio["fibre_rtt_ms"]
    # routes change as satellites move: most pairs at least every few minutes
    assert (summary["n_path_changes"] > 10).all()


def test_rtts_are_stable_under_step_refinement(runs):
    coarse, fine = runs[60.0], runs[15.0]
    # the 15 s grid contains every 60 s instant: identical RTTs there
    shared = fine.rtt.filter(pl.col("time_utc").dt.second() == 0)
    assert shared.height == coarse.rtt.height
    np.testing.assert_allclose(shared["rtt_ms"].to_numpy(), coarse.rtt["rtt_ms"].to_numpy(),
                               atol=ONE_NANOSECOND_MS)
    a = coarse.by_pair.sort("source", "destination")
    b = fine.by_pair.sort("source", "destination")
    # medians within 1 ms; the extremes the 60 s grid misses within 3 ms
    assert np.abs(a["rtt_ms_p50"] - b["rtt_ms_p50"]).max() < 1.0
    assert (b["rtt_ms_min"] <= a["rtt_ms_min"]).all()
    assert (a["rtt_ms_min"] - b["rtt_ms_min"]).max() < 3.0
    assert (b["rtt_ms_max"] - a["rtt_ms_max"]).max() < 3.0
