"""Discounted cash-flow arithmetic: NPV, IRR, payback, levelised cost — vectorised.

Every function takes cash flows as an array whose **last axis is the year** (year 0 is
"now" and is not discounted, the convention of ``numpy_financial.npv``) and broadcasts
over any leading axes, so one call prices a single programme or a Monte Carlo batch of
ten thousand. ``numpy-financial`` is the reference the tests compare against; it is not
a runtime dependency.
"""
from __future__ import annotations

from typing import Literal

import numpy as np

from ...model.errors import ModelError, Problem

__all__ = ["annuity_factor", "capital_recovery_factor", "discount_factors", "irr",
           "levelised_cost", "npv", "payback_period"]


def _rate(rate: float | np.ndarray, field: str = "rate") -> np.ndarray:
    rate = np.asarray(rate, dtype=np.float64)
    bad = ~np.isfinite(rate) | (rate <= -1.0)
    if np.any(bad):
        value = float(rate[bad].flat[0]) if rate.ndim else float(rate)
        raise ModelError("discounting", [Problem(
            field, value, "a discount rate of -100 % or less has no meaning (must be > -1)")])
    return rate


def discount_factors(rate: float | np.ndarray, n_years: int) -> np.ndarray:
    """Discount factor ``1 / (1 + r)**t`` for years t = 0 … n_years-1.

    Parameters
    ----------
    rate : float or array, shape (...)
        Annual discount rate (fraction), > -1.
    n_years : int
        Number of years.

    Returns
    -------
    numpy.ndarray, shape (..., n_years)

    Examples
    --------
    >>> discount_factors(0.1, 3).round(4).tolist()
    [1.0, 0.9091, 0.8264]
    """
    rate = _rate(rate)
    years = np.arange(n_years, dtype=np.float64)
    return (1.0 + rate[..., None]) ** -years


def npv(rate: float | np.ndarray, cash_flows: np.ndarray) -> np.ndarray | float:
    """Net present value of yearly cash flows, year 0 undiscounted.

    Parameters
    ----------
    rate : float or array, shape (...)
        Annual discount rate (fraction), > -1; broadcasts against the leading axes of
        ``cash_flows``.
    cash_flows : array, shape (..., n_years)
        Signed cash flows (USD or any currency), costs negative.

    Returns
    -------
    float or numpy.ndarray, shape (...)

    Notes
    -----
    NPV = Σₜ CFₜ / (1 + r)ᵗ, t = 0 … T-1 — the same convention as ``numpy_financial.npv``
    (Gitman, *Principles of Managerial Finance*).

    Examples
    --------
    >>> round(npv(0.1, [-100.0, 60.0, 60.0]), 4)
    4.1322
    """
    flows = np.asarray(cash_flows, dtype=np.float64)
    factors = discount_factors(rate, flows.shape[-1])
    out = np.sum(flows * factors, axis=-1)
    return float(out) if out.ndim == 0 else out


def _companion_roots(poly: np.ndarray) -> np.ndarray:
    """Roots of polynomials with rows of coefficients, highest power first, shape (n, d+1),
    leading coefficient non-zero: eigenvalues of a batch of companion matrices."""
    n, order = poly.shape
    degree = order - 1
    if degree == 0:
        return np.empty((n, 0), dtype=np.complex128)
    companion = np.zeros((n, degree, degree), dtype=np.float64)
    companion[:, 0, :] = -poly[:, 1:] / poly[:, :1]
    if degree > 1:
        idx = np.arange(degree - 1)
        companion[:, idx + 1, idx] = 1.0
    return np.linalg.eigvals(companion)


def irr(cash_flows: np.ndarray) -> np.ndarray | float:
    """Internal rate of return of yearly cash flows: the rate that makes NPV zero.

    Parameters
    ----------
    cash_flows : array, shape (..., n_years)
        Signed cash flows, year 0 first.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        The IRR as a fraction; NaN where no real rate > -1 exists (all flows one sign).
        Where several rates exist (cash flows changing sign more than once, as
        replenishment does), the one closest to zero.

    Notes
    -----
    With x = 1/(1 + r), NPV = Σₜ CFₜ xᵗ is a polynomial in x; its real positive roots
    give the candidate rates r = 1/x - 1. The roots of a whole batch come from the
    eigenvalues of stacked companion matrices (one ``numpy.linalg.eigvals`` call), grouped
    by polynomial degree where trailing zero flows lower it. Same choice of root as
    ``numpy_financial.irr`` (closest to zero).

    Examples
    --------
    >>> round(irr([-100.0, 39.0, 59.0, 55.0, 20.0]), 5)
    0.28095
    """
    flows = np.asarray(cash_flows, dtype=np.float64)
    lead = flows.shape[:-1]
    rows = flows.reshape(-1, flows.shape[-1])
    out = np.full(rows.shape[0], np.nan)
    nonzero = rows != 0.0
    # degree of each polynomial = index of the last non-zero flow
    last = np.where(nonzero.any(axis=1),
                    rows.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1), -1)
    for degree in np.unique(last):
        if degree < 1:
            continue
        members = np.flatnonzero(last == degree)
        poly = rows[members, degree::-1]           # CF_d … CF_0: highest power first
        roots = _companion_roots(poly)
        is_candidate = (roots.imag == 0.0) & (roots.real > 0.0)
        with np.errstate(divide="ignore"):
            rates = np.where(is_candidate, 1.0 / np.where(is_candidate, roots.real, 1.0) - 1.0,
                             np.inf)
        best = np.argmin(np.abs(rates), axis=1)
        chosen = rates[np.arange(len(members)), best]
        out[members] = np.where(np.isfinite(chosen), chosen, np.nan)
    out = out.reshape(lead)
    return float(out) if out.ndim == 0 else out


def payback_period(cash_flows: np.ndarray, *, rate: float | np.ndarray = 0.0,
                   method: Literal["first_year", "interpolated"] = "first_year",
                   ) -> np.ndarray | float:
    """Years until the cumulative (optionally discounted) cash flow first reaches zero.

    Parameters
    ----------
    cash_flows : array, shape (..., n_years)
        Signed yearly cash flows, year 0 first.
    rate : float or array, keyword-only
        Discount rate for a discounted payback; 0 (default) gives the simple payback.
    method : {"first_year", "interpolated"}, keyword-only
        ``first_year``: the index t of the first year whose cumulative cash flow
        Σ₀ᵗ CF ≥ 0. ``interpolated``: t - 1 plus the fraction of year t's flow needed to
        reach zero (cash assumed to arrive evenly through the year).

    Returns
    -------
    float or numpy.ndarray, shape (...)
        Years from year 0; NaN if the cumulative cash flow never reaches zero.

    Examples
    --------
    >>> payback_period([-100.0, 30.0, 50.0, 40.0])
    3.0
    >>> payback_period([-100.0, 30.0, 50.0, 40.0], method="interpolated")
    2.5
    """
    flows = np.asarray(cash_flows, dtype=np.float64)
    discounted = flows * discount_factors(rate, flows.shape[-1])
    cumulative = np.cumsum(discounted, axis=-1)
    reached = cumulative >= 0.0
    has = reached.any(axis=-1)
    first = np.argmax(reached, axis=-1)
    out = first.astype(np.float64)
    if method == "interpolated":
        before = np.take_along_axis(cumulative, np.maximum(first - 1, 0)[..., None],
                                    axis=-1)[..., 0]
        step = np.take_along_axis(discounted, first[..., None], axis=-1)[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(step > 0, -before / step, 0.0)
        out = np.where(first > 0, first - 1 + frac, 0.0)
    out = np.where(has, out, np.nan)
    return float(out) if out.ndim == 0 else out


def levelised_cost(costs: np.ndarray, quantities: np.ndarray,
                   rate: float | np.ndarray) -> np.ndarray | float:
    """Levelised cost: present value of costs over present value of what they deliver.

    Parameters
    ----------
    costs : array, shape (..., n_years)
        Positive yearly costs (USD).
    quantities : array, shape (..., n_years)
        Yearly output (TOPS-hours, kWh, …).
    rate : float or array
        Discount rate, > -1.

    Returns
    -------
    float or numpy.ndarray, shape (...)
        USD per unit of output; NaN where nothing is delivered.

    Notes
    -----
    LCOx = Σ Cₜ/(1+r)ᵗ / Σ Qₜ/(1+r)ᵗ — the levelised-cost convention of energy economics
    (e.g. NREL's LCOE), applied here to compute.

    Examples
    --------
    >>> round(levelised_cost([100.0, 10.0], [0.0, 11.0], 0.1), 6)
    10.909091
    """
    pv_cost = np.asarray(npv(rate, costs))
    pv_qty = np.asarray(npv(rate, quantities))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(pv_qty > 0, pv_cost / np.where(pv_qty > 0, pv_qty, 1.0), np.nan)
    return float(out) if out.ndim == 0 else out


def capital_recovery_factor(rate: float | np.ndarray, years: float | np.ndarray,
                            ) -> np.ndarray | float:
    """Share of a capital cost to charge each year to repay it over ``years`` at ``rate``.

    Notes
    -----
    CRF = r(1+r)ⁿ / ((1+r)ⁿ - 1); at r = 0 it is 1/n (straight-line). Fractional n is
    allowed (a 4.5-year life).

    Examples
    --------
    >>> round(capital_recovery_factor(0.0, 5.0), 6), round(capital_recovery_factor(0.08, 10), 5)
    (0.2, 0.14903)
    """
    rate = _rate(rate)
    years = np.asarray(years, dtype=np.float64)
    if np.any(years <= 0):
        raise ModelError("discounting", [Problem("years", float(np.min(years)),
                                                 "an amortisation period must be > 0 years")])
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (1.0 + rate) ** years
        out = np.where(np.abs(rate) < 1e-12, 1.0 / years, rate * growth / (growth - 1.0))
    return float(out) if out.ndim == 0 else out


def annuity_factor(rate: float | np.ndarray, years: float | np.ndarray) -> np.ndarray | float:
    """Present value of 1 a year for ``years`` years: 1 / capital_recovery_factor.

    >>> round(annuity_factor(0.0, 4.0), 6)
    4.0
    """
    out = 1.0 / np.asarray(capital_recovery_factor(rate, years))
    return float(out) if out.ndim == 0 else out
