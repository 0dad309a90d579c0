"""Tornado and seeded Monte Carlo over the business inputs."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from test_business_cashflows import KWARGS, tiny_scenario, with_options

from workbench.analyses import Distribution, business, monte_carlo, tornado
from workbench.model import ModelError

ONE_CENT_USD = 0.01


def test_monte_carlo_is_reproducible_with_its_seed():
    a = monte_carlo(tiny_scenario(), n_draws=500, seed=42, **KWARGS)
    b = monte_carlo(tiny_scenario(), n_draws=500, seed=42, **KWARGS)
    c = monte_carlo(tiny_scenario(), n_draws=500, seed=43, **KWARGS)
    assert a.samples.equals(b.samples)
    assert not a.samples["npv_usd"].equals(c.samples["npv_usd"])
    s = a.summary
    assert s["p_npv_positive"] == pytest.approx(float((a.samples["npv_usd"] > 0).mean()))
    assert s["npv_p5_usd"] <= s["npv_p50_usd"] <= s["npv_p95_usd"]
    assert 0.0 <= s["p_npv_positive"] <= 1.0
    assert "P(NPV" in a._repr_html_()


def test_draws_match_single_runs_of_the_business_model():
    mc = monte_carlo(tiny_scenario(horizon_years=8), n_draws=40, seed=3, **KWARGS,
                     distributions={
                         "launch_cost_usd_per_kg": Distribution.uniform(1000.0, 30000.0),
                         "useful_life_years": Distribution.triangular(0.8, 2.0, 6.0),
                         "learning_rate_frac": Distribution.uniform(0.75, 1.0),
                         "compute_price_usd_per_tops_hour": Distribution.lognormal(1.0, 0.5,
                                                                                   relative=True)})
    for row in mc.samples.head(6).iter_rows(named=True):
        sc = tiny_scenario(horizon_years=8, launch_cost_usd_per_kg=row["launch_cost_usd_per_kg"],
                           learning_rate_frac=row["learning_rate_frac"],
                           compute_price_usd_per_tops_hour=row[
                               "compute_price_usd_per_tops_hour"])
        single = business(sc, **with_options(useful_life_years=row["useful_life_years"]))
        assert row["npv_usd"] == pytest.approx(single.summary["npv_usd"], abs=ONE_CENT_USD,
                                               rel=1e-12)
        assert row["lcoc_usd_per_tops_hour"] == pytest.approx(
            single.summary["lcoc_usd_per_tops_hour"], rel=1e-12)


def test_learning_curve_sums_match_brute_force_on_both_paths():
    from workbench.analyses.economics.programme import _unit_cost_sums

    rng = np.random.default_rng(9)
    units = np.cumsum(rng.integers(0, 30, size=(50, 6)), axis=1).astype(float)
    exponent = np.log2(rng.uniform(0.6, 1.0, size=50))
    expected = np.array([[np.sum(np.arange(1, int(n) + 1) ** b) for n in row]
                         for row, b in zip(units, exponent, strict=True)])
    for max_table in (4_000_000, 500):              # one table per rate / blocks of draws
        np.testing.assert_allclose(_unit_cost_sums(units, exponent, max_table=max_table),
                                   expected, rtol=1e-12)


def test_steeper_learning_raises_npv():
    mc = monte_carlo(tiny_scenario(), n_draws=300, seed=0, **KWARGS, distributions={
        "learning_rate_frac": Distribution.uniform(0.6, 1.0)})
    order = np.argsort(mc.samples["learning_rate_frac"].to_numpy())
    # a steeper learning curve (lower rate) makes satellites cheaper: NPV falls as lr rises
    assert np.all(np.diff(mc.samples["npv_usd"].to_numpy()[order]) <= 1e-6)


def test_degenerate_distributions_reproduce_the_base_case():
    base = business(tiny_scenario(), **KWARGS).summary["npv_usd"]
    mc = monte_carlo(tiny_scenario(), n_draws=10, seed=1, **KWARGS,
                     distributions={"utilisation_frac": Distribution.uniform(0.5, 0.5)})
    np.testing.assert_allclose(mc.samples["npv_usd"].to_numpy(), base, atol=ONE_CENT_USD)
    assert mc.summary["base_npv_usd"] == pytest.approx(base, abs=ONE_CENT_USD)


def test_samples_are_clipped_into_the_valid_domain():
    mc = monte_carlo(tiny_scenario(), n_draws=300, seed=5, **KWARGS,
                     distributions={"utilisation_frac": Distribution.normal(0.9, 0.5),
                                    "useful_life_years": Distribution.normal(1.0, 3.0)})
    assert mc.samples["utilisation_frac"].is_between(0.0, 1.0).all()
    assert (mc.samples["useful_life_years"] > 0).all()


def test_tornado_is_sorted_and_signed_sensibly():
    t = tornado(tiny_scenario(), **KWARGS)
    assert t["swing"].to_list() == sorted(t["swing"].to_list(), reverse=True)
    base = business(tiny_scenario(), **KWARGS).summary["npv_usd"]
    assert np.allclose(t["base_metric"].to_numpy(), base)
    launch = t.filter(pl.col("input") == "launch_cost_usd_per_kg").row(0, named=True)
    assert launch["metric_at_low"] >= launch["metric_at_high"]     # cheaper launch: higher NPV
    price = t.filter(pl.col("input") == "compute_price_usd_per_tops_hour").row(0, named=True)
    assert price["metric_at_high"] > price["metric_at_low"]


def test_tornado_with_absolute_ranges_and_another_metric():
    t = tornado(tiny_scenario(), ranges={"useful_life_years": (2.0, 3.0)},
                metric="lcoc_usd_per_tops_hour", **KWARGS)
    row = t.row(0, named=True)
    assert row["low_value"] == 2.0 and row["high_value"] == 3.0
    assert row["metric_at_high"] <= row["metric_at_low"]


@pytest.mark.parametrize("call, field", [
    (lambda: tornado(tiny_scenario(), ranges={"launch_cost_usd_per_kg": (-5.0, 10.0)},
                     **KWARGS), r"ranges\[launch_cost_usd_per_kg\]"),
    (lambda: tornado(tiny_scenario(), ranges={"rocket_price": (1.0, 2.0)}, **KWARGS),
     r"ranges\[rocket_price\]"),
    (lambda: monte_carlo(tiny_scenario(), n_draws=0, **KWARGS), "n_draws"),
    (lambda: monte_carlo(tiny_scenario(), distributions={
        "nre_usd": Distribution.triangular(3.0, 1.0, 2.0)}, **KWARGS), r"distributions\[nre_usd\]"),
])
def test_bad_uncertainty_inputs_name_the_field(call, field):
    with pytest.raises(ModelError, match=field):
        call()
