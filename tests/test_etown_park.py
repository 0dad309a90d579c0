"""The example extension package end to end (extensions/etown-park-pack, installed editable
in the dev environment): its chips, buses and ground station appear in the catalogs with
their sources, its scenario loads by name and runs, its analysis is registered, runs
through ``workbench analyse`` and shows as a Workbench tab."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import workbench as wb
from workbench.analyses import registry
from workbench.cli import main

PACK = Path(__file__).resolve().parent.parent / "extensions" / "etown-park-pack"
DATA = PACK / "src" / "workbench_etown_park" / "data"
SCENARIO = "etown-park-constellation"


def _csv(name: str) -> pl.DataFrame:
    return pl.read_csv(DATA / name)


def test_pack_is_installed_from_the_extensions_folder():
    import workbench_etown_park

    assert Path(workbench_etown_park.__file__).resolve().is_relative_to(PACK)


def test_pack_rows_appear_in_the_catalogs_with_their_sources():
    chips = wb.datasets.chips()
    for row in _csv("chips.csv").iter_rows(named=True):
        got = chips.filter(id=row["id"]).row(0, named=True)
        assert got["source"] == row["source"] and got["source"].strip()
    # Horizon Robotics' published Journey 5 figure (July 2021): 128 INT8 TOPS
    assert wb.datasets.chip("etown-j5-space-module").int8_tops == 128.0
    platforms = wb.datasets.platforms()
    assert set(_csv("platforms.csv")["id"]) <= set(platforms["id"])
    assert platforms.filter(pl.col("id").str.starts_with("etown"))["source"].str.contains(
        "estimate").all()
    site = wb.datasets.ground_site("etown-park-gs")
    assert (site.role, site.lat_deg, site.lon_deg) == ("gateway", 39.8, 116.515)


def test_pack_scenario_loads_by_name_with_the_pack_catalog_items():
    assert SCENARIO in wb.datasets.scenarios()
    scenario = wb.load_scenario(SCENARIO)
    assert scenario.platform == wb.datasets.platform("etown-smallsat-100")
    assert scenario.payload.chip == wb.datasets.chip("etown-j5-space-module")
    park = wb.datasets.ground_site("etown-park-gs")
    site = scenario.ground["Beijing E-Town park ground station"]
    assert (site.lat_deg, site.lon_deg, site.role) == (park.lat_deg, park.lon_deg, park.role)


def test_pack_scenario_runs_the_capacity_analysis():
    scenario = wb.load_scenario(SCENARIO).replace(duration_s=3600.0)
    result = registry.run("capacity", scenario)
    satellites = registry.result_frames(result)["satellites"]
    assert satellites.height == len(scenario.constellation) == 144


def test_park_supply_is_registered_after_the_built_ins():
    spec = registry.analysis("park_supply")
    assert spec.title == "Park supply"
    assert registry.names()[-1] == "park_supply"
    plugin = wb.extensions.plugin("workbench.analyses", "park_supply")
    assert plugin.distribution == "workbench-etown-park" and not plugin.is_builtin


def test_park_supply_share_of_a_mixed_bill_of_materials():
    # the park's bus with two NVIDIA modules: only the bus is supplied in the park
    scenario = wb.load_scenario(SCENARIO)
    scenario = scenario.replace(payload=scenario.payload.replace(
        chip=wb.datasets.chip("jetson-agx-orin")))
    result = registry.run("park_supply", scenario)
    bus_usd = _csv("platforms.csv").filter(id="etown-smallsat-100")["unit_cost_usd"].item()
    chip_usd = pl.read_csv(Path(wb.datasets.data_dir()) / "chips.csv").filter(
        id="jetson-agx-orin")["unit_cost_usd"].item()
    expected = bus_usd / (bus_usd + 2 * chip_usd)
    assert result.summary["in_park_share_frac"] == pytest.approx(expected, rel=1e-12)
    assert result.summary["fleet_bom_usd"] == pytest.approx(144 * (bus_usd + 2 * chip_usd))
    bom = result.frames["bill_of_materials"]
    assert bom.select("item_kind", "catalog_id", "is_in_park", "quantity").rows() == [
        ("platform", "etown-smallsat-100", True, 1), ("chip", "jetson-agx-orin", False, 2)]
    assert bom["source"].str.strip_chars().str.len_chars().min() > 0


def test_park_supply_counts_unlisted_items_as_outside_the_park(small_scenario):
    result = registry.run("park_supply", small_scenario)  # made-up chip and bus
    assert result.summary["in_park_share_frac"] == 0.0
    assert result.frames["bill_of_materials"]["catalog_id"].to_list() == [None, None]
    park_supply = registry.analysis("park_supply").function()
    with pytest.raises(ValueError, match="takes no options"):
        park_supply(small_scenario, options={"x": 1})


def test_park_supply_runs_through_workbench_analyse(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyse", "park_supply", SCENARIO, "-o", str(out), "-q"]) == 0
    assert "in_park_share_frac = 1" in capsys.readouterr().out
    bom = pl.read_parquet(out / "park_supply" / "bill_of_materials.parquet")
    assert bom["catalog_id"].to_list() == ["etown-smallsat-100", "etown-j5-space-module"]
    summary = json.loads((out / "park_supply" / "summary.json").read_text(encoding="utf-8"))
    assert summary["in_park_share_frac"] == 1.0 and summary["n_sats"] == 144
    assert wb.load_scenario(out / "scenario.yaml") == wb.load_scenario(SCENARIO)


def test_park_supply_shows_as_a_workbench_tab():
    from workbench.widgets.workbench import Workbench

    app = Workbench(SCENARIO, auto=False, globe_quality="cheap")
    titles = [app.analysis_tabs.get_title(i) for i in range(len(app.analysis_tabs.children))]
    assert titles == [spec.title for spec in registry.analyses()]
    assert titles[-1] == "Park supply" and titles[0] == "Capacity"
    only = Workbench(SCENARIO, auto=False, globe_quality="cheap", analyses=["park_supply"])
    results = only.recompute()
    assert results["park_supply"].summary["in_park_share_frac"] == 1.0
    shown = " ".join(getattr(w, "value", "") for w in only.outputs["park_supply"].children)
    assert "in_park_share_frac" in shown and "bill_of_materials" in shown
