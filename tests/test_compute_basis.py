"""Honest aggregates: a constellation's total compute is the published total when there is
one, not the best satellite's peak times the number of satellites.

Reference: the Three-Body Computing Constellation (Zhejiang Lab and ADA Space), launched
2025-05-14 on a Long March 2D: 12 satellites, "up to 744 TOPS" for a single satellite and
5 POPS (5,000 TOPS) for the constellation, as announced at launch (reported by Xinhua and
the trade press) and restated by Zhejiang Lab's Li Chao in 2026 (asiaict.com): "total
computing power of 5P OPS, with a maximum single-satellite computing power of 744TOPS".
12 × 744 = 8,928 TOPS would overstate it by 79 %.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

import workbench as wb
from workbench import datasets
from workbench.analyses.onboard.compute import compute_basis
from workbench.model import ComputeChip, ComputePayload, ModelError

PUBLISHED_TOTAL_TOPS = 5000.0  # 5 POPS
BEST_SATELLITE_TOPS = 744.0


def three_body(**changes) -> wb.model.Scenario:
    data = {"name": "three-body", "epoch_utc": datetime(2026, 6, 21, tzinfo=UTC),
            "duration_s": 1800.0, "step_s": 300.0, "constellation": "three-body",
            "platform": "smallsat-150", "payload": {"chip": "three-body-payload"}}
    return wb.load_scenario({**data, **changes})


def test_three_body_total_is_the_published_total():
    scenario = three_body()
    result = wb.analyses.compute_capacity(scenario)
    s = result.summary
    assert s["n_sats"] == 12
    assert s["total_compute_tops"] == PUBLISHED_TOTAL_TOPS
    assert s["total_compute_basis"] == "published total"
    assert s["peak_tops_per_sat"] == BEST_SATELLITE_TOPS
    assert s["peak_tops_total"] == 12 * BEST_SATELLITE_TOPS  # kept, named for what it is
    # the delivered compute never exceeds the published total
    assert s["effective_tops_total_mean"] <= PUBLISHED_TOTAL_TOPS * (1 + 1e-12)
    assert result["constellation"]["effective_tops"].max() <= PUBLISHED_TOTAL_TOPS * (1 + 1e-12)
    published = scenario.constellation.published_compute
    assert published.n_sats == 12 and "5 POPS" in published.source
    assert datasets.constellations().filter(id="three-body")[
        "published_int8_tops_total"].item() == PUBLISHED_TOTAL_TOPS


def test_the_full_capacity_report_says_the_same():
    s = wb.analyses.capacity(three_body()).summary
    assert (s["total_compute_tops"], s["total_compute_basis"]) == (PUBLISHED_TOTAL_TOPS,
                                                                   "published total")


def test_catalog_row_separates_peak_and_typical():
    chip = datasets.chip("three-body-payload")
    assert chip.int8_tops == BEST_SATELLITE_TOPS
    assert chip.typical_int8_tops == pytest.approx(PUBLISHED_TOTAL_TOPS / 12, abs=1e-3)
    assert datasets.chips()["typical_int8_tops"].null_count() >= 1  # most rows: peak only


def test_published_total_does_not_apply_to_another_constellation_size():
    """24 satellites of the same payload: the 12-satellite total no longer applies; the
    report falls back to the typical figure and says why."""
    shell = datasets.constellation("three-body").shells[0].model_dump()
    constellation = {"name": "Three-Body x2", "shells": [{**shell, "sats_per_plane": 24}],
                     "published_compute": datasets.constellation("three-body")
                     .published_compute.model_dump()}
    result = wb.analyses.compute_capacity(three_body(constellation=constellation))
    s = result.summary
    assert s["total_compute_basis"] == "sum of typical"
    assert s["total_compute_tops"] == pytest.approx(24 * PUBLISHED_TOTAL_TOPS / 12, rel=1e-6)
    assert any("not used" in w and "12 satellites" in w for w in result.warnings)


def test_published_total_does_not_apply_to_another_payload():
    result = wb.analyses.compute_capacity(three_body(payload={"chip": "jetson-agx-orin"}))
    s = result.summary
    assert s["total_compute_basis"] == "sum of peaks"
    assert s["total_compute_tops"] == 12 * 275.0
    assert any("published for the payload" in w for w in result.warnings)


def test_basis_without_anything_published_is_the_sum_of_peaks():
    basis = compute_basis(ComputePayload(chip=datasets.chip("jetson-orin-nx"), count=2),
                          datasets.constellation("kuiper-k1"))
    assert (basis.basis, basis.total_tops) == ("sum of peaks", 2 * 100.0 * 34 * 34)


def test_typical_above_peak_is_refused():
    with pytest.raises(ModelError) as caught:
        ComputeChip(name="x", int8_tops=10.0, typical_int8_tops=12.0, power_w=5.0,
                    mass_kg=0.1, tid_krad=10.0, unit_cost_usd=1.0)
    assert caught.value.problems[0].field == "typical_int8_tops"


def test_a_published_total_needs_a_source():
    with pytest.raises(ModelError) as caught:
        wb.model.PublishedCompute(int8_tops_total=10.0, n_sats=1, source=" ")
    assert caught.value.problems[0].field == "source"
