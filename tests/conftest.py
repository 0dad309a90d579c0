"""Shared test fixtures: a small scenario built from model objects alone (no catalogs),
a fresh-interpreter runner, and the Hypothesis profile.

Keep this file small: fixtures that only one test file uses belong in that file.
"""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# Validation of nested pydantic models is slow on a cold start and CI machines vary:
# no per-example deadline, and fixtures are plain values, safe to share between examples.
settings.register_profile("workbench", deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("workbench")


@pytest.fixture
def small_scenario():
    """A 6-satellite Walker shell (550 km, 53°, 2 planes × 3), two ground sites in Beijing
    and Kashi, one hour at 60 s steps; built without the dataset catalogs."""
    from workbench.model import (
        ComputeChip,
        ComputePayload,
        Constellation,
        GroundSegment,
        GroundSite,
        Platform,
        RemoteSensingInference,
        Scenario,
    )

    chip = ComputeChip(name="test chip", int8_tops=100.0, power_w=30.0, mass_kg=0.5,
                       tid_krad=20.0, unit_cost_usd=2000.0, source="test fixture")
    platform = Platform(name="test bus", dry_mass_kg=150.0, bus_power_w=80.0,
                        solar_array_area_m2=2.0, battery_wh=500.0, radiator_area_m2=0.5,
                        source="test fixture")
    ground = GroundSegment(sites=(
        GroundSite(name="Beijing", lat_deg=39.8, lon_deg=116.5, role="gateway"),
        GroundSite(name="Kashi", lat_deg=39.5, lon_deg=76.0, role="user"),
    ))
    return Scenario(
        name="small", description="test fixture",
        epoch_utc=datetime(2026, 3, 20, tzinfo=UTC), duration_s=3600.0, step_s=60.0,
        constellation=Constellation.walker(550.0, 53.0, 2, 3, 1, name="small"),
        platform=platform, payload=ComputePayload(chip=chip, count=2), ground=ground,
        applications=(RemoteSensingInference(),))


@pytest.fixture
def run_python():
    """Run Python source in a fresh interpreter of this environment (cwd: the project).

    Returns the completed process; fails the test with its stderr if it exits non-zero.
    """
    def run(source: str, *, timeout_s: float = 120.0) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-c", source], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout_s)
        if proc.returncode != 0:
            pytest.fail(f"subprocess failed ({proc.returncode}):\n{proc.stderr}")
        return proc

    return run


def write_distribution(root: Path, name: str, entry_points: dict[str, dict[str, str]],
                       modules: dict[str, str] | None = None) -> Path:
    """A throwaway installed distribution under ``root``: ``NAME-0.1.dist-info`` with
    ``METADATA`` and ``entry_points.txt``, plus module files (relative path → source).
    Put ``root`` on ``sys.path`` (or ``PYTHONPATH``) and importlib.metadata finds it."""
    root.mkdir(parents=True, exist_ok=True)
    info = root / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n",
                                   encoding="utf-8")
    text = "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()) + "\n"
                   for group, entries in entry_points.items())
    (info / "entry_points.txt").write_text(text, encoding="utf-8")
    for relative, source in (modules or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    """Make throwaway distributions visible to this interpreter: call
    ``plugin_dir(name, entry_points, modules)``; the extension registry is refreshed after
    each and again once the test is over (with the distributions gone from sys.path)."""
    from workbench import extensions

    def add(name: str, entry_points: dict[str, dict[str, str]],
            modules: dict[str, str] | None = None) -> Path:
        root = write_distribution(tmp_path / name, name, entry_points, modules)
        monkeypatch.syspath_prepend(str(root))
        extensions.refresh()
        return root

    yield add
    monkeypatch.undo()
    for module in [m for m in sys.modules if m.startswith("wbtest_")]:
        del sys.modules[module]
    extensions.refresh()
