"""dashboard layer: Panel. ``globe.py`` serves the notebook globe (``globe.js``) as a
``panel.custom.AnyWidgetComponent`` mirroring a :class:`~workbench.widgets.Globe`."""
