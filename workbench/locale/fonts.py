"""CSS font stacks that draw both English and Simplified Chinese with no network.

The stack names system fonts first, then the CJK fonts of the Debian packages
``.ci/browser-deps.sh`` installs (``fonts-noto-cjk``: "Noto Sans CJK SC"; its smaller
alternative ``fonts-wqy-microhei``), then the Windows and macOS Chinese UI fonts, then the
generic family. No web font is fetched: a served page or a report rendered on a machine
with the network blocked still finds the glyphs.
"""
from __future__ import annotations

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei",
                "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")
"""Families with Simplified Chinese glyphs, in order of preference."""

LATIN_FAMILIES = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "DejaVu Sans")
"""Families for Latin text, tried before the CJK ones (CJK fonts' Latin is wide)."""


def _quoted(name: str) -> str:
    return name if name.startswith("-") or name == "system-ui" or " " not in name \
        else f'"{name}"'


FONT_STACK = ", ".join([*(_quoted(f) for f in LATIN_FAMILIES),
                        *(_quoted(f) for f in CJK_FAMILIES), "sans-serif"])
"""The CSS ``font-family`` value for UI text in either language."""

__all__ = ["CJK_FAMILIES", "FONT_STACK", "LATIN_FAMILIES"]
