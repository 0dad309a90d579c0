"""On-orbit computing scheduling: jobs placed on satellites with energy, heat margin and a
path; :func:`~workbench.analyses.schedule` (in :mod:`.run`) runs the simulation."""
