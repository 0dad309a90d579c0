"""The pack's catalogs, as the workbench's entry points expect them: CSV paths with the
workbench's catalog columns (a ``source`` on every row) and a scenario mapping."""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def chips() -> Path:
    """``workbench.chips``: the park suppliers' space AI modules."""
    return DATA / "chips.csv"


def platforms() -> Path:
    """``workbench.platforms``: the park satellite makers' buses."""
    return DATA / "platforms.csv"


def ground_stations() -> Path:
    """``workbench.ground_stations``: the park's ground station."""
    return DATA / "ground_stations.csv"


def scenarios() -> dict[str, Path]:
    """``workbench.scenarios``: scenario name → YAML file."""
    return {path.stem: path for path in sorted((DATA / "scenarios").glob("*.yaml"))}


def suppliers_path() -> Path:
    """The local-supplier table: ``item_id`` (catalog id), ``item_kind`` (chip or
    platform), ``supplier``, ``is_in_park``, ``source``."""
    return DATA / "suppliers.csv"
