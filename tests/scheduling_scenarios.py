"""Small scenarios for the scheduling tests (a helper module, not a test file)."""
from __future__ import annotations

from typing import Any

import workbench as wb

BASE = wb.load_scenario("beijing-etown-demo")


def small(planes: int = 3, per_plane: int = 4, hours: float = 2.0, *,
          sites: tuple[dict[str, Any], ...] | None = None, step_s: float = 60.0,
          platform: dict[str, Any] | None = None, chip: dict[str, Any] | None = None,
          altitude_km: float = 530.0, inclination_deg: float = 45.0) -> wb.Scenario:
    data = BASE.model_dump()
    data["name"] = f"small-{planes}x{per_plane}"
    data["constellation"] = {"name": "test shell", "shells": [{
        "name": "T", "altitude_km": altitude_km, "inclination_deg": inclination_deg,
        "planes": planes, "sats_per_plane": per_plane, "phasing": min(1, planes - 1), "pattern": "delta"}]}
    data["duration_s"] = hours * 3600.0
    data["step_s"] = step_s
    if sites is not None:
        data["ground"] = {"sites": list(sites)}
    if platform:
        data["platform"] = {**data["platform"], **platform}
    if chip:
        data["payload"] = {**data["payload"], "chip": {**data["payload"]["chip"], **chip}}
    return wb.Scenario.model_validate(data)


GATEWAY = {"name": "Beijing", "lat_deg": 39.9, "lon_deg": 116.4, "role": "gateway"}
USER = {"name": "Shanghai", "lat_deg": 31.22, "lon_deg": 121.46, "role": "user"}
TARGET = {"name": "Poyang", "lat_deg": 29.1, "lon_deg": 116.3, "role": "target"}
PLENTY = {"battery_wh": 1e6, "radiator_area_m2": 100.0, "solar_array_area_m2": 50.0}
"""A platform whose power and heat never limit compute."""
