"""Uncertainty in the business case: a tornado over chosen inputs and a seeded Monte Carlo.

Both run the vectorised programme kernel once over a batch of input sets (one row per
draw), so a 10,000-draw Monte Carlo is one call, not a loop.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from ...model.errors import ModelError, Problem
from ...model.options import BusinessOptions, resolve_options
from . import programme as _programme
from .inputs import setup

if TYPE_CHECKING:
    from ...model.scenario import Scenario

__all__ = ["DEFAULT_MONTE_CARLO", "DEFAULT_TORNADO", "Distribution", "MonteCarloResult",
           "monte_carlo", "tornado"]

Metric = Literal["npv_usd", "irr_frac", "lcoc_usd_per_tops_hour", "lcoc_usd_per_kwh",
                 "break_even_compute_price_usd_per_tops_hour"]

_BOUNDS = {"utilisation_frac": (0.0, 1.0), "learning_rate_frac": (0.5 + 1e-9, 1.0),
           "useful_life_years": (1e-3, 100.0), "discount_rate_frac": (-0.99, 1.0),
           "insurance_frac": (0.0, 1.0), "latency_premium_frac": (0.0, 10.0)}
"""Valid domain of each input; anything else must be ≥ 0. Samples are clipped into it."""


def _bounds(name: str) -> tuple[float, float]:
    return _BOUNDS.get(name, (0.0, np.inf))


@dataclass(frozen=True)
class Distribution:
    """A distribution of one input, in the input's own units.

    Build with :meth:`uniform`, :meth:`triangular`, :meth:`normal` or :meth:`lognormal`;
    ``relative=True`` means the numbers multiply the scenario's value of the input.
    """

    kind: Literal["uniform", "triangular", "normal", "lognormal"]
    a: float
    b: float
    c: float = 0.0
    relative: bool = False

    @classmethod
    def uniform(cls, low: float, high: float, *, relative: bool = False) -> Distribution:
        return cls("uniform", low, high, relative=relative)

    @classmethod
    def triangular(cls, low: float, mode: float, high: float, *,
                   relative: bool = False) -> Distribution:
        return cls("triangular", low, mode, high, relative=relative)

    @classmethod
    def normal(cls, mean: float, sd: float, *, relative: bool = False) -> Distribution:
        return cls("normal", mean, sd, relative=relative)

    @classmethod
    def lognormal(cls, median: float, sigma: float, *, relative: bool = False) -> Distribution:
        """ln X ~ N(ln median, sigma²)."""
        return cls("lognormal", median, sigma, relative=relative)

    def sample(self, rng: np.random.Generator, n: int, base: float = 1.0) -> np.ndarray:
        scale = base if self.relative else 1.0
        if self.kind == "uniform":
            x = rng.uniform(self.a, self.b, n)
        elif self.kind == "triangular":
            x = rng.triangular(self.a, self.b, self.c, n)
        elif self.kind == "normal":
            x = rng.normal(self.a, self.b, n)
        else:
            x = self.a * np.exp(rng.normal(0.0, self.b, n))
        return x * scale

    def check(self, field_name: str) -> None:
        ok = {"uniform": self.a <= self.b, "triangular": self.a <= self.b <= self.c,
              "normal": self.b >= 0, "lognormal": self.a > 0 and self.b >= 0}[self.kind]
        if not ok:
            raise ModelError("uncertainty inputs", [Problem(
                field_name, self, {"uniform": "needs low ≤ high",
                                   "triangular": "needs low ≤ mode ≤ high",
                                   "normal": "needs sd ≥ 0",
                                   "lognormal": "needs median > 0 and sigma ≥ 0"}[self.kind])])


DEFAULT_TORNADO: dict[str, tuple[float, float]] = {
    "compute_price_usd_per_tops_hour": (0.7, 1.3), "utilisation_frac": (0.7, 1.3),
    "launch_cost_usd_per_kg": (0.5, 1.3), "useful_life_years": (0.6, 1.2),
    "bus_unit_cost_usd": (0.8, 1.5), "opex_usd_per_sat_year": (0.7, 1.5),
    "nre_usd": (0.8, 1.6), "data_price_usd_per_gb": (0.5, 1.5),
    "discount_rate_frac": (0.75, 1.5), "learning_rate_frac": (0.95, 1.05),
}
"""Default tornado: each input's low and high as multiples of the scenario's value
(planning ranges, not sourced: launch prices are expected to fall, costs to overrun)."""

DEFAULT_MONTE_CARLO: dict[str, Distribution] = {
    "compute_price_usd_per_tops_hour": Distribution.lognormal(1.0, 0.4, relative=True),
    "utilisation_frac": Distribution.triangular(0.5, 1.0, 1.2, relative=True),
    "launch_cost_usd_per_kg": Distribution.triangular(0.5, 1.0, 1.2, relative=True),
    "useful_life_years": Distribution.triangular(0.6, 1.0, 1.1, relative=True),
    "bus_unit_cost_usd": Distribution.triangular(0.8, 1.0, 1.5, relative=True),
    "opex_usd_per_sat_year": Distribution.triangular(0.8, 1.0, 1.5, relative=True),
    "nre_usd": Distribution.triangular(0.8, 1.0, 1.6, relative=True),
    "data_price_usd_per_gb": Distribution.triangular(0.5, 1.0, 1.5, relative=True),
}
"""Default Monte Carlo inputs, relative to the scenario's values (planning assumptions:
prices lognormal ±40 %, costs skewed to overrun, life skewed short)."""


def _check_names(names: Any, where: str) -> None:
    bad = [n for n in names if n not in _programme.PARAMETERS]
    if bad:
        raise ModelError("uncertainty inputs", [Problem(
            f"{where}[{n}]", n, f"is not a business input; choose from "
            f"{sorted(_programme.PARAMETERS)}") for n in bad])


def tornado(scenario: Scenario, *, ranges: Mapping[str, tuple[float, float]] | None = None,
            relative: bool | None = None, metric: Metric = "npv_usd",
            capacity: Any = None,
            options: BusinessOptions | Mapping[str, Any] | None = None) -> pl.DataFrame:
    """One-at-a-time sensitivity of a metric to each input between a low and a high value.

    Parameters
    ----------
    scenario : Scenario
    ranges : mapping, optional
        Input name → (low, high). Default :data:`DEFAULT_TORNADO` (relative).
    relative : bool, optional
        Whether ``ranges`` are multiples of the scenario's value (default: True for the
        default ranges, False for ranges you pass).
    metric : str
        Which metric to report (default NPV).
    capacity, options : as for :func:`workbench.analyses.business` (a capacity result and
        the BusinessOptions, default the scenario's).

    Returns
    -------
    polars.DataFrame
        One row per input, widest swing first: ``input`` (String), ``base_value``,
        ``low_value``, ``high_value`` (Float64, the input), ``base_metric``,
        ``metric_at_low``, ``metric_at_high``, ``swing`` (Float64, |high − low| of the
        metric), ``metric`` (String).
    """
    if ranges is None:
        ranges, relative = DEFAULT_TORNADO, True if relative is None else relative
    _check_names(ranges, "ranges")
    s = setup(scenario, resolve_options(BusinessOptions, options, scenario.options.business),
              capacity=capacity)
    names = list(ranges)
    base = {n: float(getattr(s.params, n)[0]) for n in names}
    lows, highs = [], []
    for n in names:
        lo, hi = ranges[n]
        if relative:
            lo, hi = lo * base[n], hi * base[n]
        low_b, high_b = _bounds(n)
        if not (low_b <= lo <= high_b and low_b <= hi <= high_b):
            raise ModelError("uncertainty inputs", [Problem(
                f"ranges[{n}]", (lo, hi), f"must lie within [{low_b:g}, {high_b:g}]")])
        lows.append(lo)
        highs.append(hi)
    n_rows = 1 + 2 * len(names)
    columns = {f: np.repeat(getattr(s.params, f), n_rows) for f in _programme.PARAMETERS}
    for i, n in enumerate(names):
        columns[n] = columns[n].copy()
        columns[n][1 + 2 * i] = lows[i]
        columns[n][2 + 2 * i] = highs[i]
    out = _programme.run(s.programme, _programme.Params(**columns)).metrics[metric]
    frame = pl.DataFrame({
        "input": names, "base_value": [base[n] for n in names], "low_value": lows,
        "high_value": highs, "base_metric": np.full(len(names), out[0]),
        "metric_at_low": out[1::2], "metric_at_high": out[2::2],
    }).with_columns(swing=(pl.col("metric_at_high") - pl.col("metric_at_low")).abs(),
                    metric=pl.lit(metric))
    return frame.sort("swing", descending=True, nulls_last=True)


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Draws and the distribution of the business metrics.

    Attributes
    ----------
    samples : polars.DataFrame
        ``draw`` (UInt32), one Float64 column per varied input, then ``npv_usd``,
        ``irr_frac``, ``lcoc_usd_per_tops_hour``, ``payback_years`` (Float64).
    summary : dict
        ``n_draws``, ``seed``, ``p_npv_positive``, ``npv_mean_usd``, ``npv_p5_usd``,
        ``npv_p50_usd``, ``npv_p95_usd``, ``base_npv_usd``.
    """

    samples: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        s = self.summary
        return (f"MonteCarloResult({s['n_draws']:,} draws, seed {s['seed']}: P(NPV > 0) = "
                f"{s['p_npv_positive']:.3f}, median NPV {s['npv_p50_usd'] / 1e6:,.1f} M USD)")

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        """The result's frames by name."""
        return {"samples": self.samples}

    def _repr_html_(self) -> str:
        s = self.summary
        return (f"<div><b>Monte Carlo</b> ({s['n_draws']:,} draws, seed {s['seed']}): "
                f"P(NPV &gt; 0) = {s['p_npv_positive']:.1%}; NPV median "
                f"{s['npv_p50_usd'] / 1e6:,.1f} M USD (5–95 %: {s['npv_p5_usd'] / 1e6:,.1f} … "
                f"{s['npv_p95_usd'] / 1e6:,.1f} M USD)</div>")


def monte_carlo(scenario: Scenario, *, n_draws: int = 2000, seed: int = 0,
                distributions: Mapping[str, Distribution] | None = None,
                capacity: Any = None,
                options: BusinessOptions | Mapping[str, Any] | None = None
                ) -> MonteCarloResult:
    """Seeded Monte Carlo over input distributions → NPV distribution and P(NPV > 0).

    Parameters
    ----------
    scenario : Scenario
    n_draws : int
        Number of draws (1 … 1,000,000).
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same draws.
    distributions : mapping, optional
        Input name → :class:`Distribution`. Default :data:`DEFAULT_MONTE_CARLO`. Inputs are
        sampled independently, in sorted name order, and clipped into their valid domain
        (utilisation ≤ 1, life > 0, …).
    capacity, options : as for :func:`workbench.analyses.business`.

    Returns
    -------
    MonteCarloResult
    """
    if not (isinstance(n_draws, int) and 1 <= n_draws <= 1_000_000):
        raise ModelError("uncertainty inputs", [Problem("n_draws", n_draws,
                                                        "must be an integer 1…1,000,000")])
    dists = DEFAULT_MONTE_CARLO if distributions is None else dict(distributions)
    _check_names(dists, "distributions")
    for name, dist in dists.items():
        dist.check(f"distributions[{name}]")
    s = setup(scenario, resolve_options(BusinessOptions, options, scenario.options.business),
              capacity=capacity)
    rng = np.random.default_rng(seed)
    drawn = {}
    for name in sorted(dists):
        base = float(getattr(s.params, name)[0])
        lo, hi = _bounds(name)
        drawn[name] = np.clip(dists[name].sample(rng, n_draws, base), lo, hi)
    outcome = _programme.run(s.programme, s.params.with_values(**drawn))
    base_npv = float(_programme.run(s.programme, s.params).metrics["npv_usd"][0])
    m = outcome.metrics
    npv_usd = m["npv_usd"]
    samples = pl.DataFrame({"draw": np.arange(n_draws, dtype=np.uint32), **drawn,
                            "npv_usd": npv_usd, "irr_frac": m["irr_frac"],
                            "lcoc_usd_per_tops_hour": m["lcoc_usd_per_tops_hour"],
                            "payback_years": m["payback_years"]})
    p5, p50, p95 = np.percentile(npv_usd, [5, 50, 95])
    summary = {"n_draws": n_draws, "seed": seed,
               "p_npv_positive": float(np.mean(npv_usd > 0)),
               "npv_mean_usd": float(np.mean(npv_usd)), "npv_p5_usd": float(p5),
               "npv_p50_usd": float(p50), "npv_p95_usd": float(p95),
               "base_npv_usd": base_npv, "inputs": sorted(dists)}
    return MonteCarloResult(samples, summary)
