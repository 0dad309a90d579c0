"""Files the workbench writes: Parquet tables that carry their columns' units."""
from .parquet import read_units, unit_of, units_of, write_parquet

__all__ = ["read_units", "unit_of", "units_of", "write_parquet"]
