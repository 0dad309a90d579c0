"""The extension door (workbench/extensions.py): throwaway distributions on sys.path (a
``*.dist-info`` with ``entry_points.txt``, never installed) show that a broken plugin is
reported and skipped, duplicate names warn naming both distributions, plugin catalogs
reach ``workbench.datasets``, ``refresh()`` finds a new plugin, and
``WORKBENCH_DISABLE_PLUGINS=1`` keeps only the built-ins."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import distribution

import polars as pl
import pytest
from conftest import ROOT, write_distribution

from workbench import datasets, extensions
from workbench.analyses import registry
from workbench.cli import main
from workbench.extensions import PluginWarning

BROKEN_MODULE = {"wbtest_broken/__init__.py": "raise RuntimeError('the plugin is broken')\n"}
CHIP_ROW = ("id,name,int8_tops,fp16_tflops,power_w,mass_kg,tid_krad,radiation_class,"
            "unit_cost_usd,source\n"
            "{id},{name},10,0,5,0.1,10,cots,500,test fixture: a made-up chip\n")


def _chip_plugin(module: str, chip_id: str) -> dict[str, str]:
    """Module files of a plugin whose ``chips()`` returns a CSV of one chip."""
    return {f"{module}/__init__.py": "from pathlib import Path\n"
                                     "def chips():\n"
                                     "    return Path(__file__).with_name('chips.csv')\n",
            f"{module}/chips.csv": CHIP_ROW.format(id=chip_id, name=f"Chip {chip_id}")}


def test_the_built_ins_register_through_the_same_door():
    ours = distribution("space-computing-workbench").entry_points
    registered = {(e.group, e.name) for e in ours}
    for group in ("workbench.chips", "workbench.platforms", "workbench.ground_stations",
                  "workbench.constellations", "workbench.scenarios"):
        assert (group, "workbench") in registered
    for spec in registry.BUILTIN:
        assert ("workbench.analyses", spec.name) in registered
    assert set(extensions.GROUPS) >= {"workbench.analyses", "workbench.chips",
                                      "workbench.platforms", "workbench.constellations",
                                      "workbench.scenarios", "workbench.policies"}
    assert all(p.is_builtin for p in extensions.plugins("workbench.chips")[:1])


def test_a_broken_plugin_is_reported_and_skipped(plugin_dir):
    plugin_dir("wbtest-broken-dist", {"workbench.chips": {"broken": "wbtest_broken:chips"},
                                      "workbench.analyses": {"broken": "wbtest_broken:SPEC"}},
               BROKEN_MODULE)
    with pytest.warns(PluginWarning) as caught:
        frame = datasets.chips()
        specs = registry.analyses()
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    for message in messages:
        assert "wbtest-broken-dist" in message and "'broken'" in message
        assert "RuntimeError: the plugin is broken" in message
    # skipped, never fatal: the built-ins are all there
    assert "jetson-agx-orin" in frame["id"].to_list()
    assert [s.name for s in specs][:2] == ["capacity", "latency"]
    found = extensions.problems()
    assert {(p.plugin.group, p.plugin.name, p.plugin.distribution) for p in found} == {
        ("workbench.chips", "broken", "wbtest-broken-dist"),
        ("workbench.analyses", "broken", "wbtest-broken-dist")}
    assert all("RuntimeError: the plugin is broken" in p.error for p in found)


def test_extensions_list_shows_a_broken_plugin_in_a_fresh_interpreter(tmp_path):
    root = write_distribution(tmp_path / "dist", "wbtest-broken-dist",
                              {"workbench.chips": {"broken": "wbtest_broken:chips"}},
                              BROKEN_MODULE)
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop(extensions.DISABLE_ENV, None)
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "extensions", "list"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (line,) = [ln for ln in proc.stdout.splitlines() if "wbtest-broken-dist" in ln]
    assert "broken" in line and "skipped: RuntimeError: the plugin is broken" in line
    assert "jetson" not in proc.stdout  # the listing is of entry points, not of rows
    assert "[ok]" in proc.stdout


def test_duplicate_names_warn_naming_both_distributions(plugin_dir):
    plugin_dir("wbtest-first", {"workbench.chips": {"dup": "wbtest_first:chips"}},
               _chip_plugin("wbtest_first", "first-chip"))
    with pytest.warns(PluginWarning) as caught:
        plugin_dir("wbtest-second", {"workbench.chips": {"dup": "wbtest_second:chips"}},
                   _chip_plugin("wbtest_second", "second-chip"))
        found = extensions.plugin("workbench.chips", "dup")
    (message,) = [str(w.message) for w in caught]
    assert "wbtest-first" in message and "wbtest-second" in message and "'dup'" in message
    assert found.distribution == "wbtest-first"  # the first in sorted order wins
    ids = datasets.chips()["id"].to_list()
    assert "first-chip" in ids and "second-chip" not in ids


def test_a_plugin_cannot_shadow_a_built_in_analysis(plugin_dir):
    with pytest.warns(PluginWarning, match="using the one from space-computing-workbench"
                      ) as caught:
        plugin_dir("wbtest-shadow", {"workbench.analyses": {
            "capacity": "wbtest_shadow:SPEC"}}, {"wbtest_shadow/__init__.py": "SPEC = 1\n"})
        spec = registry.analysis("capacity")
    assert "wbtest-shadow" in str(caught[0].message)
    assert spec is registry.CAPACITY


def test_plugin_chip_rows_reach_the_catalog_with_their_source(plugin_dir):
    plugin_dir("wbtest-chips", {"workbench.chips": {"extra": "wbtest_chips:chips"}},
               _chip_plugin("wbtest_chips", "made-up-chip"))
    frame = datasets.chips()
    row = frame.filter(id="made-up-chip").row(0, named=True)
    assert row["source"] == "test fixture: a made-up chip"
    assert row["tops_per_w"] == pytest.approx(10 / 5)
    assert datasets.chip("Chip made-up-chip").unit_cost_usd == 500.0
    assert dict(frame.schema) == {**datasets.CHIP_SCHEMA, "tops_per_w": pl.Float64()}


def test_invalid_plugin_content_is_reported_and_skipped(plugin_dir):
    source = ("import polars as pl\n"
              "def chips():\n"
              "    return pl.DataFrame({'id': ['x'], 'name': ['X']})\n"
              "def shadowing():\n"
              "    from pathlib import Path\n"
              "    return Path(__file__).with_name('chips.csv')\n")
    modules = {"wbtest_bad/__init__.py": source,
               "wbtest_bad/chips.csv": CHIP_ROW.format(id="jetson-agx-orin", name="Fake")}
    plugin_dir("wbtest-bad", {"workbench.chips": {"bad": "wbtest_bad:chips",
                                                  "shadowing": "wbtest_bad:shadowing"}},
               modules)
    with pytest.warns(PluginWarning) as caught:
        frame = datasets.chips()
    messages = " | ".join(str(w.message) for w in caught)
    assert "wbtest-bad" in messages and "'bad'" in messages and "missing" in messages
    assert "jetson-agx-orin" in messages and "space-computing-workbench" in messages
    assert frame.filter(id="jetson-agx-orin")["name"].item() == "NVIDIA Jetson AGX Orin 64GB"
    (problem,) = datasets.plugin_problems()
    assert problem.plugin.name == "bad" and problem.plugin.distribution == "wbtest-bad"


def test_refresh_picks_up_a_new_plugin(tmp_path, monkeypatch, plugin_dir):
    assert "made-up-chip" not in datasets.chips()["id"].to_list()
    root = write_distribution(tmp_path / "late", "wbtest-late",
                              {"workbench.chips": {"late": "wbtest_late:chips"}},
                              _chip_plugin("wbtest_late", "made-up-chip"))
    monkeypatch.syspath_prepend(str(root))
    assert "late" not in extensions.names("workbench.chips")  # discovery is cached
    extensions.refresh()
    assert "late" in extensions.names("workbench.chips")
    assert "made-up-chip" in datasets.chips()["id"].to_list()


def test_plugin_scenarios_and_presets_reach_the_catalog(plugin_dir):
    preset = ("presets:\n  - id: test-shell\n    name: Test shell\n    description: one shell\n"
              "    source: test fixture\n    shells:\n      - {altitude_km: 600.0, "
              "inclination_deg: 50.0, planes: 2, sats_per_plane: 3, phasing: 1}\n")
    scenario = (ROOT / "datasets" / "scenarios" / "beijing-etown-demo.yaml").read_text(
        encoding="utf-8").replace("name: beijing-etown-demo", "name: test-plugin-scenario"
                                  ).replace("constellation: beijing-compute-256",
                                            "constellation: test-shell")
    plugin_dir("wbtest-presets", {
        "workbench.constellations": {"shells": "wbtest_presets:presets"},
        "workbench.scenarios": {"scenes": "wbtest_presets:scenes"}}, {
        "wbtest_presets/__init__.py": "from pathlib import Path\nHERE = Path(__file__).parent\n"
                                      "def presets():\n    return HERE / 'presets.yaml'\n"
                                      "def scenes():\n    return HERE / 'scenes'\n",
        "wbtest_presets/presets.yaml": preset,
        "wbtest_presets/scenes/test-plugin-scenario.yaml": scenario})
    assert datasets.constellations().filter(id="test-shell")["n_sats"].item() == 6
    assert "test-plugin-scenario" in datasets.scenarios()
    import workbench as wb

    loaded = wb.load_scenario("test-plugin-scenario")
    assert len(loaded.constellation) == 6
    assert loaded.constellation.shells[0].altitude_km == 600.0


def _in_fresh_interpreter(env_value: str | None, pythonpath: str) -> dict:
    env = {**os.environ, "PYTHONPATH": pythonpath}
    env.pop(extensions.DISABLE_ENV, None)
    if env_value is not None:
        env[extensions.DISABLE_ENV] = env_value
    source = ("import json, workbench as wb\n"
              "from workbench.analyses import registry\n"
              "print(json.dumps({'chips': wb.datasets.chips()['id'].to_list(),\n"
              "    'analyses': registry.names(), 'scenarios': wb.datasets.scenarios(),\n"
              "    'dists': sorted({p.distribution for p in wb.extensions.plugins()})}))\n")
    proc = subprocess.run([sys.executable, "-c", source], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_kill_switch_keeps_only_the_built_ins(tmp_path):
    root = write_distribution(tmp_path / "dist", "wbtest-chips",
                              {"workbench.chips": {"extra": "wbtest_chips:chips"}},
                              _chip_plugin("wbtest_chips", "made-up-chip"))
    on = _in_fresh_interpreter(None, str(root))
    off = _in_fresh_interpreter("1", str(root))
    assert "made-up-chip" in on["chips"] and "etown-j5-space-module" in on["chips"]
    assert "park_supply" in on["analyses"]
    assert {"wbtest-chips", "workbench-etown-park"} <= set(on["dists"])
    assert off["dists"] == ["space-computing-workbench"]
    assert "made-up-chip" not in off["chips"] and "etown-j5-space-module" not in off["chips"]
    assert "jetson-agx-orin" in off["chips"]
    assert off["analyses"] == [s.name for s in registry.BUILTIN]
    assert off["scenarios"] == sorted(
        p.stem for p in (ROOT / "datasets" / "scenarios").glob("*.yaml"))
    assert _in_fresh_interpreter("0", str(root))["dists"] == on["dists"]


def test_extensions_list_names_groups_distributions_and_status(capsys):
    assert main(["extensions", "list"]) == 0
    out = capsys.readouterr().out
    for group in extensions.GROUPS:
        assert group in out
    (line,) = [ln for ln in out.splitlines() if ln.strip().startswith("park_supply")]
    assert "workbench-etown-park 0.1.0" in line and line.endswith("[ok]")
    assert main(["extensions", "list", "--group", "nope"]) == 2
    assert "--group 'nope'" in capsys.readouterr().err


def test_unknown_group_and_name_errors_list_the_choices():
    with pytest.raises(KeyError, match="workbench.analyses"):
        extensions.plugins("workbench.hardware")
    with pytest.raises(KeyError, match="'capacity'"):
        extensions.plugin("workbench.analyses", "capacty")
