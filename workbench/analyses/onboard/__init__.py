"""What one satellite can do: power and eclipse, thermal, compute, the data pipeline and
radiation life; :func:`~workbench.analyses.capacity` (in :mod:`.assessment`) runs them all."""
