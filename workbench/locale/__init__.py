"""Message catalogs (gettext ``.po``) for English and Simplified Chinese, and how to use them.

Every msgid is the English text as the code writes it (a field's ``label=``,
``description=``, ``unit=``, ``why=``, or a ``_("...")`` / ``N_("...")`` call). The catalogs
live in ``workbench/locale/<lang>/LC_MESSAGES/workbench.po`` and are compiled in memory
with babel the first time a language is used (one compile per process, kept by an
``lru_cache``), so no ``.mo`` file can go stale. ``python -m workbench.locale.extract``
regenerates the template from the code and merges it into both catalogs.

>>> _ = translator("zh")
>>> _("Altitude")
'轨道高度'
>>> gettext("Altitude", lang="en")
'Altitude'
>>> normalize_language("zh-CN")
'zh_CN'

This package imports nothing from the rest of ``workbench`` (layer 0).
"""
from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

DOMAIN = "workbench"
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent

_ALIASES = {"zh": "zh_CN", "zh_hans": "zh_CN", "zh_hans_cn": "zh_CN", "cn": "zh_CN",
            "chinese": "zh_CN", "english": "en"}
"""Other spellings people pass (``?lang=zh``, ``zh-Hans``), lower case, ``-`` as ``_``."""


class LanguageError(ValueError):
    """A language with no catalog; the message lists the languages there are."""


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it now (translate at display)."""
    return msgid


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of a language (``normalize_language`` applied)."""
    return LOCALE_DIR / normalize_language(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """Languages with a catalog, the default (English) first: ``('en', 'zh_CN')``."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))


def normalize_language(lang: str | None) -> str:
    """A catalog name for ``lang``: ``zh``, ``zh-CN``, ``zh_cn`` → ``zh_CN``; None → ``en``.

    Raises
    ------
    LanguageError
        For a language with no catalog, naming the value and the languages allowed.
    """
    if lang is None:
        return DEFAULT_LANGUAGE
    text = str(lang).strip()
    key = text.replace("-", "_").lower()
    key = _ALIASES.get(key, key)
    by_key = {name.lower(): name for name in available_languages()}
    if key.lower() in by_key:
        return by_key[key.lower()]
    primary = key.split("_")[0]
    matches = [name for name in available_languages() if name.split("_")[0].lower() == primary]
    if primary and matches:
        return matches[0]
    allowed = ", ".join(available_languages())
    raise LanguageError(f"lang={text!r}: no catalog for this language; allowed: {allowed} "
                        "(also zh, zh-CN, en-US and other spellings of these)")


@lru_cache(maxsize=8)
def _translations(lang: str) -> _gettext.GNUTranslations:
    """The compiled catalog of a normalised language (babel compiles the .po in memory)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def translator(lang: str | None = None) -> Callable[[str], str]:
    """``_ = translator("zh_CN")``: a function from an English msgid to its translation.

    Text the catalog does not hold comes back unchanged (English), as gettext does.
    """
    return _translations(normalize_language(lang)).gettext


def gettext(msgid: str, *, lang: str | None = None) -> str:
    """The translation of ``msgid`` in ``lang`` (English text when it has none)."""
    return _translations(normalize_language(lang)).gettext(msgid)


def ngettext(singular: str, plural: str, n: int, *, lang: str | None = None) -> str:
    """The translation of ``singular``/``plural`` for a count ``n`` (the catalog's plural
    rule: English has two forms, Chinese one)."""
    return _translations(normalize_language(lang)).ngettext(singular, plural, n)


__all__ = [
    "DEFAULT_LANGUAGE",
    "N_",
    "LanguageError",
    "available_languages",
    "catalog_path",
    "gettext",
    "ngettext",
    "normalize_language",
    "translator",
]
