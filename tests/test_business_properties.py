"""Invariants of the business model (Hypothesis): cheaper launch never lowers NPV, a longer
useful life never raises the cost of compute, the value chain adds up to the spend."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_business_cashflows import VEHICLE, tiny_scenario

from workbench.analyses import business
from workbench.analyses.economics.valuechain import (
    SEGMENTS,
    value_chain,
    value_chain_shares,
)

ONE_CENT_USD = 0.01
RELATIVE = 1e-9

programmes = st.fixed_dictionaries({
    "horizon_years": st.integers(2, 15),
    "learning_rate_frac": st.floats(0.7, 1.0),
    "discount_rate_frac": st.floats(-0.05, 0.3),
    "insurance_frac": st.floats(0.0, 0.2),
    "compute_price_usd_per_tops_hour": st.floats(0.0, 5.0),
})
options = st.fixed_dictionaries({
    "launch_pricing": st.sampled_from(["per_kg", "dedicated"]),
    "lead_years": st.sampled_from([0.0, 0.5, 1.0]),
    "ramp_years": st.floats(0.0, 4.0),
    "first_year": st.integers(0, 1),
})


def run(econ: dict, opts: dict, **kwargs):
    horizon = econ["horizon_years"]
    first = min(opts["first_year"], horizon - 1) if opts["lead_years"] < horizon - 1 else 0
    deployment = [0] * first + [2]
    return business(tiny_scenario(**econ), options=dict(
        launch_vehicle=VEHICLE, availability_frac=1.0, data_gb_per_sat_year=100.0,
        deployment=deployment, launch_pricing=opts["launch_pricing"],
        lead_years=opts["lead_years"], ramp_years=opts["ramp_years"], **kwargs))


@settings(max_examples=60)
@given(programmes, options, st.floats(0.2, 12.0), st.floats(0.0, 20_000.0),
       st.floats(0.0, 20_000.0))
def test_cheaper_launch_never_lowers_npv(econ, opts, life, price_a, price_b):
    cheap, dear = sorted((price_a, price_b))
    npv_cheap = run({**econ, "launch_cost_usd_per_kg": max(cheap, 1e-6)}, opts,
                    useful_life_years=life).summary["npv_usd"]
    npv_dear = run({**econ, "launch_cost_usd_per_kg": max(dear, 1e-6)}, opts,
                   useful_life_years=life).summary["npv_usd"]
    assert npv_cheap >= npv_dear - RELATIVE * max(1.0, abs(npv_dear))


@settings(max_examples=60)
@given(programmes, options, st.floats(0.2, 15.0), st.floats(0.2, 15.0), st.floats(0.0, 0.3))
def test_longer_useful_life_never_raises_cost_of_compute(econ, opts, life_a, life_b, rate):
    # For discount rates ≥ 0: with a negative rate a later replacement costs more in present
    # value, and stretching the life can move a replacement later without removing it
    # (e.g. 15 years at -5 %: life 5 → 5.5 raises the cost of compute by ~2 %).
    econ = {**econ, "discount_rate_frac": rate}
    short, long_ = sorted((life_a, life_b))
    lcoc_short = run(econ, opts, useful_life_years=short).summary
    lcoc_long = run(econ, opts, useful_life_years=long_).summary
    for key in ("lcoc_usd_per_tops_hour", "lcoc_usd_per_kwh"):
        assert lcoc_long[key] <= lcoc_short[key] * (1 + RELATIVE)


@settings(max_examples=40)
@given(programmes, options, st.floats(0.2, 12.0))
def test_value_chain_segments_add_up_to_total_spend(econ, opts, life):
    r = run(econ, opts, useful_life_years=life)
    per_year = r.value_chain.group_by("year").agg(pl.col("cost_usd").sum(),
                                                  pl.col("local_usd").sum()).sort("year")
    np.testing.assert_allclose(per_year["cost_usd"].to_numpy(), r.annual["cost_usd"].to_numpy(),
                               rtol=RELATIVE, atol=ONE_CENT_USD)
    assert (per_year["local_usd"] <= per_year["cost_usd"] + ONE_CENT_USD).all()
    assert set(r.value_chain["segment"]) == set(SEGMENTS)
    # CNY at the economics' rate (7.0 in the fixture)
    assert r.value_chain.select((pl.col("cost_cny") - 7.0 * pl.col("cost_usd")).abs().max()
                                ).item() < ONE_CENT_USD


@given(st.dictionaries(st.sampled_from(SEGMENTS), st.floats(0.0, 1.0), max_size=8),
       st.lists(st.one_of(st.just(0.0), st.floats(ONE_CENT_USD, 1e9)), min_size=7,
                max_size=7))
def test_value_chain_split_of_arbitrary_spend(local, spend):
    components = ["satellite_bus", "compute_payload", "launch", "insurance", "ground_segment",
                  "nre", "operations"]
    costs = pl.DataFrame({"year": [0] * 7, "calendar_year": [2030] * 7,
                          "component": components, "cost_usd": spend},
                         schema={"year": pl.Int32, "calendar_year": pl.Int32,
                                 "component": pl.String, "cost_usd": pl.Float64})
    chain = value_chain(costs, cny_per_usd=7.1, local_share=local)
    assert chain["cost_usd"].sum() == pytest.approx(sum(spend), rel=RELATIVE, abs=ONE_CENT_USD)
    for segment, share in local.items():
        row = chain.filter(pl.col("segment") == segment)
        if row["cost_usd"].item() > 0:
            assert row["local_share_frac"].item() == pytest.approx(share, abs=1e-9)


def test_shipped_shares_are_complete_and_sourced():
    shares = value_chain_shares()
    sums = shares.group_by("component").agg(pl.col("share_frac").sum())
    assert np.allclose(sums["share_frac"].to_numpy(), 1.0, atol=1e-12)
    assert shares["source"].str.strip_chars().str.len_chars().min() > 20
    assert set(shares["segment"]) == set(SEGMENTS)


def test_no_laser_terminals_moves_the_laser_share_to_manufacturing():
    platform = tiny_scenario().platform.replace(isl_terminals=0)
    bus = value_chain_shares(platform).filter(pl.col("component") == "satellite_bus")
    shares = dict(bus.select("segment", "share_frac").iter_rows())
    assert shares["laser_communication"] == 0.0
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
