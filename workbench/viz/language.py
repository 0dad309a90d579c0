"""Figures in another language: titles, axis titles, annotations, legend names and category
labels mapped through the message catalogs (:mod:`workbench.locale`).

Viz builds every figure in English, its texts marked ``N_("…")`` so the extractor puts them
in the catalogs. Texts with values in them are built with :func:`fill`
(``fill(N_("Power of satellite {sat_id}"), sat_id=3)``), which remembers the template, so
:func:`translate_figure` can find the values in the English text again and put them into the
translated template. Text with no catalog entry (a site's name) is left as it is.

>>> from workbench.viz.language import fill, translate_text
>>> translate_text(fill("Power of satellite {sat_id}", sat_id=3), "zh")
'卫星 3 的功率'
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..locale import gettext, normalize_language

_TEMPLATES: dict[str, None] = {}
"""Templates :func:`fill` has filled in this process, in first-use order."""

_FIELD = re.compile(r"\{(\w+)\}")


def fill(template: str, **values: Any) -> str:
    """``template.format(**values)`` in English, remembered for :func:`translate_text`.

    Values are formatted by the caller (``area_m2=f"{a:.2f}"``): the translation gets the
    same strings. Mark the template ``N_(...)`` so the extractor finds it.
    """
    _TEMPLATES.setdefault(template)
    return template.format(**values)


@lru_cache(maxsize=512)
def _pattern(template: str) -> re.Pattern[str]:
    parts = _FIELD.split(template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                    for i, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


def translate_text(english: str, lang: str | None) -> str:
    """``english`` in ``lang``: its catalog entry, else the translation of the remembered
    template it was filled from, else itself."""
    lang = normalize_language(lang)
    if not isinstance(english, str) or not english or lang == "en":
        return english
    translated = gettext(english, lang=lang)
    if translated != english:
        return translated
    for template in reversed(_TEMPLATES):
        match = _pattern(template).match(english)
        if match:
            values = {k: translate_text(v, lang) for k, v in match.groupdict().items()}
            return gettext(template, lang=lang).format(**values)
    return english


def _translate_title(obj: Any, lang: str) -> None:
    title = getattr(obj, "title", None)
    if title is not None and title.text:
        title.text = translate_text(title.text, lang)


def _category_values(values: Any, lang: str) -> Any:
    if isinstance(values, (list, tuple)) and values and all(isinstance(v, str) for v in values):
        return [translate_text(v, lang) for v in values]
    return values


def translate_figure(fig: Any, lang: str | None) -> Any:
    """``fig`` (a plotly figure) with its texts in ``lang``, changed in place and returned
    (copy it first, ``go.Figure(fig)``, to keep the English one)."""
    lang = normalize_language(lang)
    out = fig
    if lang == "en":
        return out
    _translate_title(out.layout, lang)
    out.for_each_xaxis(lambda axis: _translate_title(axis, lang))
    out.for_each_yaxis(lambda axis: _translate_title(axis, lang))
    if out.layout.legend is not None:
        _translate_title(out.layout.legend, lang)
    for annotation in out.layout.annotations or ():
        if annotation.text:
            annotation.text = translate_text(annotation.text, lang)
    for trace in out.data:
        if getattr(trace, "name", None):
            trace.name = translate_text(trace.name, lang)
        if trace.type in ("bar", "box", "histogram"):
            for axis in ("x", "y"):
                values = getattr(trace, axis, None)
                if values is not None:
                    setattr(trace, axis, _category_values(list(values) if isinstance(
                        values, tuple) else values, lang))
    return out


__all__ = ["fill", "translate_figure", "translate_text"]
