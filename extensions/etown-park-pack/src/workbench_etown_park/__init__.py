"""Beijing E-Town park pack for the Space Computing Workbench.

Installed beside the workbench, it adds through the workbench's extension door
(``workbench.extensions``): the park suppliers' space AI modules to
``workbench.datasets.chips()``, their buses to ``platforms()``, the park's ground station to
``ground_stations()``, the scenario ``etown-park-constellation`` to ``scenarios()``, and the
analysis ``park_supply`` (the share of each satellite's bill of materials the park
supplies) to the analysis registry, the Workbench's tabs and ``workbench analyse``.

Nothing here is imported until the workbench asks for it.
"""
__version__ = "0.1.0"
