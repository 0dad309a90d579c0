"""The economics wing: finance, the programme cash flows, space vs ground, the value chain,
uncertainty; :func:`~workbench.analyses.business` (in :mod:`.case`) puts them together."""
