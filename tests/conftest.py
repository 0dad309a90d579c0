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
