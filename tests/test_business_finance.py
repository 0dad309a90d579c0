"""NPV, IRR, payback and levelised cost against numpy-financial (the reference) and
textbook examples."""
from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.analyses.economics import finance
from workbench.model import Economics, ModelError

ONE_CENT_USD = 0.01
RATE_TOLERANCE = 1e-9          # IRR as a fraction: 1e-7 percentage points

flows = st.lists(st.floats(-1e7, 1e7, allow_nan=False, allow_infinity=False), min_size=2,
                 max_size=30)
rates = st.floats(-0.95, 1.0, allow_nan=False)


@given(rates, flows)
def test_npv_matches_numpy_financial(rate, values):
    assert finance.npv(rate, values) == pytest.approx(npf.npv(rate, values), abs=ONE_CENT_USD,
                                                     rel=1e-12)


def test_npv_broadcasts_over_draws_and_rates():
    rng = np.random.default_rng(7)
    values = rng.normal(0.0, 1e6, size=(50, 12))
    rate = rng.uniform(-0.5, 0.5, size=50)
    expected = [npf.npv(r, v) for r, v in zip(rate, values, strict=True)]
    np.testing.assert_allclose(finance.npv(rate, values), expected, rtol=1e-12, atol=ONE_CENT_USD)


def test_irr_matches_numpy_financial_on_a_batch():
    rng = np.random.default_rng(11)
    values = rng.normal(0.0, 100.0, size=(3000, 15))
    values[:, 0] -= 400.0                     # an investment first, as programmes start
    values[::7, 10:] = 0.0                    # trailing zeros lower the polynomial's degree
    values[::11, 0] = 0.0                     # leading zeros: roots at x = 0
    ours = finance.irr(values)
    ref = np.array([npf.irr(v) for v in values])
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    np.testing.assert_allclose(ours[~np.isnan(ref)], ref[~np.isnan(ref)], atol=RATE_TOLERANCE)


@pytest.mark.parametrize("values, expected", [
    # numpy-financial's own documented examples (after Gitman, Principles of Managerial
    # Finance, Brief, 3rd ed., p. 348)
    ([-100, 39, 59, 55, 20], 0.28095), ([-100, 0, 0, 74], -0.0955),
    ([-100, 100, 0, -7], -0.0833), ([-100, 100, 0, 7], 0.06206), ([-5, 10.5, 1, -8, 1], 0.0886),
])
def test_irr_textbook_examples(values, expected):
    assert round(finance.irr(values), 5) == pytest.approx(expected, abs=1e-12)


def test_irr_is_nan_without_a_sign_change():
    assert np.isnan(finance.irr([1.0, 2.0, 3.0]))
    assert np.isnan(finance.irr([-1.0, -2.0]))
    assert np.isnan(finance.irr([0.0, 0.0, 0.0]))


@given(flows)
def test_payback_matches_cumulative_npv_at_zero(values):
    # reference: the first t with numpy-financial's NPV of the flows up to t at rate 0 ≥ 0
    expected = next((t for t in range(len(values)) if npf.npv(0.0, values[:t + 1]) >= 0.0),
                    None)
    got = finance.payback_period(values)
    if expected is None:
        assert np.isnan(got)
    else:
        # exactly at zero the two summation orders may round differently
        cum = npf.npv(0.0, values[:int(got) + 1]) if not np.isnan(got) else None
        assert got == expected or abs(cum) < 1e-6 * max(1.0, max(map(abs, values)))


@given(st.floats(0.0, 0.5), flows)
def test_discounted_payback_matches_numpy_financial(rate, values):
    expected = next((t for t in range(len(values)) if npf.npv(rate, values[:t + 1]) >= 0.0),
                    None)
    got = finance.payback_period(values, rate=rate)
    if expected is None:
        assert np.isnan(got) or abs(npf.npv(rate, values[:int(got) + 1])) < 1e-3
    else:
        assert got == expected or abs(npf.npv(rate, values[:int(got) + 1])) < 1e-3


def test_interpolated_payback_by_hand():
    # cumulative -100, -70, -20, +20: 20 of year 3's 40 are needed → 2 + 0.5 years
    assert finance.payback_period([-100.0, 30.0, 50.0, 40.0], method="interpolated") == 2.5


def test_levelised_cost_by_hand():
    # PV cost = 100 + 10/1.1 = 109.0909…; PV quantity = 11/1.1 = 10 → 10.909… per unit
    assert finance.levelised_cost([100.0, 10.0], [0.0, 11.0], 0.1) == pytest.approx(
        (100 + 10 / 1.1) / 10.0, rel=1e-12)


def test_capital_recovery_factor_against_pmt():
    # the annual payment on a loan of 1 is the capital recovery factor: numpy-financial's pmt
    for rate, years in ((0.08, 10), (0.05, 15), (0.12, 3)):
        assert finance.capital_recovery_factor(rate, years) == pytest.approx(
            -npf.pmt(rate, years, 1.0), rel=1e-12)
    assert finance.capital_recovery_factor(0.0, 4.0) == 0.25


@pytest.mark.parametrize("rate", [-1.0, -1.5, float("nan")])
def test_discount_rate_at_or_below_minus_100_percent_is_refused(rate):
    with pytest.raises(ModelError, match="rate"):
        finance.npv(rate, [-1.0, 2.0])


def test_economics_refuses_discount_rate_at_minus_100_percent():
    with pytest.raises(ModelError, match=r"discount_rate_frac=-1\.0.*-100 %"):
        Economics(discount_rate_frac=-1.0)
