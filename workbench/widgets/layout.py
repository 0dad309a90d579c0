"""The Workbench's first screen: a one-line header and sizes that fit 1,000 px.

At 1,000 px wide and 900 px tall the header, forms beside the globe, the progress row and
the first analysis tab's headline figures must all be visible without scrolling; these
are the sizes that make that so (the browser test of the first view checks it).
"""
from __future__ import annotations

import html

from ..model.scenario import Scenario

GLOBE_HEIGHT_PX = 340
"""Height of the Workbench's globe."""
FORMS_HEIGHT_PX = 350
"""The form tabs scroll inside this height: about the globe column (buttons and globe)."""
COLUMN_MIN_WIDTH_PX = 380
"""Narrowest the forms and globe columns get before the globe wraps below the forms."""


def header_html(scenario: Scenario) -> str:
    """One line naming the scenario and its size; the full description behind a toggle."""
    hours = scenario.duration_s / 3600.0
    line = (f"<b>Scenario {html.escape(scenario.name)}</b> · "
            f"{len(scenario.constellation):,} satellites · {len(scenario.ground)} ground sites"
            f" · {hours:g} h every {scenario.step_s:g} s")
    return (f"<details class='wb-header' style='margin:0 0 4px'>"
            f"<summary style='cursor:pointer'>{line}</summary>"
            f"{scenario._repr_html_()}</details>")


__all__ = ["COLUMN_MIN_WIDTH_PX", "FORMS_HEIGHT_PX", "GLOBE_HEIGHT_PX", "header_html"]
