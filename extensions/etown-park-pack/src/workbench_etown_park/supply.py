"""``park_supply``: how much of each satellite's bill of materials the E-Town park supplies.

The bill of materials is the scenario's bus (``platform.unit_cost_usd``, one per satellite)
and its compute modules (``payload.chip.unit_cost_usd`` × ``payload.count``), the two
catalog items the scenario names; each is matched to the pack's local-supplier table by its
catalog id (found from the item's name in ``workbench.datasets``). Items the table does not
list count as supplied from outside the park.

The function follows the workbench's analysis contract,
``f(scenario, *, options=None, geometry=None, progress=None)``; it needs no orbit geometry.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.analyses.registry import AnalysisSpec

BOM_SCHEMA = {
    "item_kind": "String", "catalog_id": "String", "name": "String", "supplier": "String",
    "is_in_park": "Boolean", "quantity": "Int64", "unit_cost_usd": "Float64",
    "cost_usd_per_sat": "Float64", "cost_usd_fleet": "Float64", "source": "String",
}
"""Columns of the ``bill_of_materials`` frame (polars dtype names)."""


@dataclass(frozen=True)
class ParkSupplyResult:
    """What :func:`park_supply` returns.

    ``frames["bill_of_materials"]``: one row per item, columns :data:`BOM_SCHEMA`
    (``cost_usd_per_sat`` = quantity × unit cost; ``cost_usd_fleet`` × the number of
    satellites). ``summary``: ``n_sats``, ``bom_usd_per_sat``, ``in_park_usd_per_sat``,
    ``in_park_share_frac`` (in-park cost over the whole bill), ``fleet_bom_usd``,
    ``fleet_in_park_usd``.
    """

    frames: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        import html

        s = self.summary
        return (f"<div><b>Park supply</b>: {s['in_park_share_frac']:.1%} of "
                f"USD {s['bom_usd_per_sat']:,.0f} per satellite from the E-Town park"
                f"{self.frames['bill_of_materials']._repr_html_()}</div>"
                if s else f"<div>{html.escape(repr(self))}</div>")


def _catalog_id(frame: Any, name: str) -> str | None:
    import polars as pl

    hits = frame.filter(pl.col("name") == name)["id"]
    return hits[0] if hits.len() else None


def park_supply(scenario: Any, *, options: Any = None, geometry: Any = None,
                progress: Callable[[float, str], None] | None = None) -> ParkSupplyResult:
    """The share of the scenario's per-satellite bill of materials supplied in the park.

    Parameters
    ----------
    scenario : workbench.Scenario
    options : None
        The analysis has no options; anything else is an error.
    geometry : ignored
        Accepted for the registry's contract; the bill of materials needs no orbits.
    progress : callable(fraction_done, message), optional

    Returns
    -------
    ParkSupplyResult
        ``frames["bill_of_materials"]`` and ``summary`` (see :class:`ParkSupplyResult`).
    """
    import polars as pl

    from workbench import datasets

    from .catalog import suppliers_path

    if options is not None:
        raise ValueError(f"park_supply options={options!r}: the analysis takes no options")
    if progress is not None:
        progress(0.0, "matching the bill of materials to the park's suppliers")
    suppliers = pl.read_csv(suppliers_path(), schema_overrides={"is_in_park": pl.Boolean})
    chip, platform, count = scenario.payload.chip, scenario.platform, scenario.payload.count
    items = [("platform", _catalog_id(datasets.platforms(), platform.name), platform.name,
              1, platform.unit_cost_usd),
             ("chip", _catalog_id(datasets.chips(), chip.name), chip.name, count,
              chip.unit_cost_usd)]
    n_sats = len(scenario.constellation)
    bom = (pl.DataFrame(items, schema={"item_kind": pl.String, "catalog_id": pl.String,
                                       "name": pl.String, "quantity": pl.Int64,
                                       "unit_cost_usd": pl.Float64}, orient="row")
           .join(suppliers.select("item_id", "item_kind", "supplier", "is_in_park", "source"),
                 left_on=["catalog_id", "item_kind"], right_on=["item_id", "item_kind"],
                 how="left")
           .with_columns(supplier=pl.col("supplier").fill_null("not in the park's table"),
                         is_in_park=pl.col("is_in_park").fill_null(False),
                         source=pl.col("source").fill_null(
                             "not in the pack's suppliers.csv: counted as outside the park"),
                         cost_usd_per_sat=pl.col("quantity") * pl.col("unit_cost_usd"))
           .with_columns(cost_usd_fleet=pl.col("cost_usd_per_sat") * n_sats)
           .select(list(BOM_SCHEMA)))
    total = float(bom["cost_usd_per_sat"].sum())
    in_park = float(bom.filter("is_in_park")["cost_usd_per_sat"].sum())
    summary = {"n_sats": n_sats, "bom_usd_per_sat": total, "in_park_usd_per_sat": in_park,
               "in_park_share_frac": in_park / total if total > 0 else float("nan"),
               "fleet_bom_usd": total * n_sats, "fleet_in_park_usd": in_park * n_sats}
    if progress is not None:
        progress(1.0, "done")
    return ParkSupplyResult(frames={"bill_of_materials": bom}, summary=summary)


PARK_SUPPLY = AnalysisSpec(
    "park_supply", "Park supply", "workbench_etown_park.supply:park_supply", order=60,
    description="Share of each satellite's bill of materials supplied inside the E-Town park")
"""The pack's analysis, registered as the ``workbench.analyses`` entry point
``park_supply``."""
