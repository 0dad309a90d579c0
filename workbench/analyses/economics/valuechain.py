"""The industrial value chain: where a programme's money goes, and what a cluster keeps.

Each cost component of the cash flows (``satellite_bus``, ``compute_payload``, ``launch``,
``insurance``, ``ground_segment``, ``nre``, ``operations``) is split across eight
industrial segments by the shares in ``datasets/value_chain.csv``; each (component,
segment) pair carries a *local share*: the part a regional industrial cluster (a Beijing
E-Town-style park) could supply. Every share is editable.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

import polars as pl

from ...model.errors import ModelError, Problem

if TYPE_CHECKING:
    from ...model.hardware import Platform

__all__ = ["COMPONENTS", "SEGMENTS", "VALUE_CHAIN_SCHEMA", "bus_shares", "value_chain",
           "value_chain_shares"]

SEGMENTS = ("satellite_manufacturing", "onboard_chips", "laser_communication", "energy_thermal",
            "launch", "ground_terminals", "software_scheduling", "operations_services")
"""The industrial segments, in display order."""

SEGMENT_LABELS = {
    "satellite_manufacturing": "satellite manufacturing", "onboard_chips": "onboard chips",
    "laser_communication": "laser communication", "energy_thermal": "energy & thermal",
    "launch": "launch", "ground_terminals": "ground terminals",
    "software_scheduling": "software & scheduling",
    "operations_services": "operations & services"}

COMPONENTS = ("satellite_bus", "compute_payload", "launch", "insurance", "ground_segment",
              "nre", "operations")
"""Cost components of the cash flows that the shares split."""

SHARES_SCHEMA = {"component": pl.String, "segment": pl.String, "share_frac": pl.Float64,
                 "local_share_frac": pl.Float64, "source": pl.String}

VALUE_CHAIN_SCHEMA = {"year": pl.Int32, "calendar_year": pl.Int32, "segment": pl.String,
                      "cost_usd": pl.Float64, "cost_cny": pl.Float64,
                      "local_share_frac": pl.Float64, "local_usd": pl.Float64,
                      "local_cny": pl.Float64}

_SUM_TOLERANCE = 1e-9


def _check(shares: pl.DataFrame, where: str) -> pl.DataFrame:
    problems = []
    missing = [c for c in ("component", "segment", "share_frac", "local_share_frac")
               if c not in shares.columns]
    if missing:
        raise ModelError(where, [Problem("columns", shares.columns, f"missing {missing}")])
    for row in shares.iter_rows(named=True):
        if row["segment"] not in SEGMENTS:
            problems.append(Problem("segment", row["segment"], f"must be one of {SEGMENTS}"))
        if row["component"] not in COMPONENTS:
            problems.append(Problem("component", row["component"],
                                    f"must be one of {COMPONENTS}"))
        for col in ("share_frac", "local_share_frac"):
            value = row[col]
            if value is None or not 0.0 <= value <= 1.0:
                problems.append(Problem(f"{col}[{row['component']}, {row['segment']}]", value,
                                        "must be between 0 and 1"))
    sums = shares.group_by("component").agg(pl.col("share_frac").sum())
    for component, total in sums.iter_rows():
        if abs(total - 1.0) > _SUM_TOLERANCE:
            problems.append(Problem(f"share_frac[{component}]", total,
                                    "the shares of one component must add up to 1"))
    if problems:
        raise ModelError(where, problems)
    return shares


@functools.cache
def _value_chain_file() -> pl.DataFrame:
    from ... import datasets  # the catalogs' directory (source checkout or wheel)

    path = datasets.data_dir() / "value_chain.csv"
    shares = pl.read_csv(path, schema_overrides=SHARES_SCHEMA)
    shares = shares.cast(SHARES_SCHEMA)  # type: ignore[arg-type]
    return _check(shares, "datasets/value_chain.csv")


def value_chain_shares(platform: Platform | None = None) -> pl.DataFrame:
    """The default split of each cost component across segments, with local shares.

    Parameters
    ----------
    platform : Platform, optional
        If given and it carries no laser ISL terminal, the bus's laser-communication share
        moves to satellite manufacturing.

    Returns
    -------
    polars.DataFrame
        ``component`` (String), ``segment`` (String), ``share_frac`` (Float64: part of the
        component's cost; each component's shares add up to 1), ``local_share_frac``
        (Float64: part a regional cluster supplies), ``source`` (String).

    Examples
    --------
    >>> sums = value_chain_shares().group_by("component").agg(pl.col("share_frac").sum())
    >>> sums["share_frac"].round(9).unique().to_list()
    [1.0]
    """
    shares = _value_chain_file().clone()  # read once per process: a sweep asks per point
    if platform is not None and platform.isl_terminals == 0:
        laser = shares.filter((pl.col("component") == "satellite_bus")
                              & (pl.col("segment") == "laser_communication"))["share_frac"].sum()
        shares = shares.with_columns(share_frac=pl.when(
            (pl.col("component") == "satellite_bus")
            & (pl.col("segment") == "satellite_manufacturing")).then(pl.col("share_frac") + laser)
            .when((pl.col("component") == "satellite_bus")
                  & (pl.col("segment") == "laser_communication")).then(0.0)
            .otherwise(pl.col("share_frac")))
    return shares


def bus_shares(platform: Platform | None = None) -> dict[str, float]:
    """Share of the bus's recurring cost per segment (``energy_thermal``, …), all segments.

    >>> round(sum(bus_shares().values()), 9)
    1.0
    """
    shares = value_chain_shares(platform).filter(pl.col("component") == "satellite_bus")
    out = dict.fromkeys(SEGMENTS, 0.0)
    out.update(dict(shares.select("segment", "share_frac").iter_rows()))
    return out


def value_chain(costs: pl.DataFrame, *, cny_per_usd: float,
                shares: pl.DataFrame | None = None,
                local_share: Mapping[str, float] | None = None) -> pl.DataFrame:
    """Spend per year and industrial segment, in USD and CNY, with what a cluster captures.

    Parameters
    ----------
    costs : polars.DataFrame
        ``year`` (Int32), ``calendar_year`` (Int32), ``component`` (String, one of
        :data:`COMPONENTS`), ``cost_usd`` (Float64, positive spend).
    cny_per_usd : float, keyword-only
        Exchange rate.
    shares : polars.DataFrame, optional
        Component → segment split (schema of :func:`value_chain_shares`); default the
        shipped one.
    local_share : mapping, optional
        Segment → local share (0–1) overriding every row of that segment.

    Returns
    -------
    polars.DataFrame
        One row per (year, segment), every segment in every year (zero when unused):
        ``year``, ``calendar_year`` (Int32), ``segment`` (String), ``cost_usd``,
        ``cost_cny`` (Float64), ``local_share_frac`` (Float64: spend-weighted; the
        shipped default where there is no spend), ``local_usd``, ``local_cny`` (Float64).

    Notes
    -----
    cost(year, segment) = Σ_component cost(year, component) · share(component, segment);
    local = Σ cost · share · local_share. Because each component's shares add up to 1, the
    segments add up to the total spend.
    """
    shares = _check(value_chain_shares() if shares is None else shares, "value-chain shares")
    if local_share:
        bad = [Problem(f"local_share[{k}]", v, f"must be between 0 and 1 for a segment in "
                       f"{SEGMENTS}") for k, v in local_share.items()
               if k not in SEGMENTS or not 0.0 <= v <= 1.0]
        if bad:
            raise ModelError("value chain", bad)
        override = pl.DataFrame({"segment": list(local_share),
                                 "override": [float(v) for v in local_share.values()]},
                                schema={"segment": pl.String, "override": pl.Float64})
        shares = shares.join(override, on="segment", how="left").with_columns(
            local_share_frac=pl.coalesce("override", "local_share_frac")).drop("override")
    default_local = shares.group_by("segment").agg(
        default_local=(pl.col("local_share_frac") * pl.col("share_frac")).sum()
        / pl.col("share_frac").sum())
    split = costs.join(shares.select("component", "segment", "share_frac", "local_share_frac"),
                       on="component", how="inner").with_columns(
        cost_usd=pl.col("cost_usd") * pl.col("share_frac"),
    ).with_columns(local_usd=pl.col("cost_usd") * pl.col("local_share_frac"))
    per = split.group_by("year", "segment").agg(pl.col("cost_usd").sum(),
                                                  pl.col("local_usd").sum())
    years = costs.select("year", "calendar_year").unique()
    grid = years.join(pl.DataFrame({"segment": list(SEGMENTS),
                                    "order": list(range(len(SEGMENTS)))}), how="cross")
    out = (grid.join(per, on=["year", "segment"], how="left")
           .join(default_local, on="segment", how="left")
           .with_columns(pl.col("cost_usd").fill_null(0.0), pl.col("local_usd").fill_null(0.0))
           .with_columns(local_share_frac=pl.when(pl.col("cost_usd") > 0)
                         .then(pl.col("local_usd") / pl.col("cost_usd"))
                         .otherwise(pl.col("default_local").fill_null(0.0)))
           .with_columns(cost_cny=pl.col("cost_usd") * cny_per_usd,
                         local_cny=pl.col("local_usd") * cny_per_usd)
           .sort("year", "order"))
    return out.select(list(VALUE_CHAIN_SCHEMA)).cast(VALUE_CHAIN_SCHEMA)  # type: ignore[arg-type]
