"""Message catalogs: every user-facing text in the package is in both catalogs, and the
Chinese one translates all of it (issue 14: "a test that every catalog key exists in both
languages, and none is left untranslated").

Messages are collected two ways: from the source (``workbench.locale.extract.collect``,
an ``ast`` scan of field declarations and ``_()``-style calls) and from the live models
(``describe()`` of every model class, so a label built at run time cannot slip past).
"""
from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from workbench import locale
from workbench.locale import extract
from workbench.model import describe

UNTRANSLATED_OK = frozenset({
    "km", "m", "s", "ms", "K", "kg", "W", "Wh", "GB", "MB", "TB", "Gbps", "TOPS", "TFLOPS",
    "GOP", "krad(Si)", "kg/kW", "INT8 TOPS",
})
"""Unit symbols Chinese technical text writes as they are (SI and data units)."""

_FIELD = re.compile(r"\{[^{}]*\}")


def _catalog(lang: str):
    with locale.catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _entries(lang: str) -> dict:
    return {m.id if isinstance(m.id, str) else tuple(m.id): m for m in _catalog(lang) if m.id}


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in _FIELD.sub("", text))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _live_messages() -> set[str]:
    from tests.test_model_labels import MODELS

    texts: set[str] = set()
    for cls in MODELS:
        for spec in describe(cls):
            texts |= {t for t in (spec.label, spec.description, spec.unit) if t}
            extra = cls.model_fields[spec.name].json_schema_extra or {}
            why = extra.get("why") if isinstance(extra, dict) else None
            texts |= set(why.values()) if isinstance(why, dict) else {why} if why else set()
    return texts


def test_both_languages_have_catalogs():
    assert locale.available_languages() == ("en", "zh_CN")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_message_in_the_code_is_in_the_catalog(lang):
    entries = _entries(lang)
    missing = [m for m in extract.collect() if m not in entries]
    assert not missing, (f"{lang}: {len(missing)} messages not in the catalog, run "
                         f"`uv run python -m workbench.locale.extract`: {missing[:5]}")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_label_description_and_unit_of_the_models_is_in_the_catalog(lang):
    entries = _entries(lang)
    missing = sorted(t for t in _live_messages() if t not in entries)
    assert not missing, f"{lang}: not in the catalog: {missing[:8]}"


def test_the_template_is_up_to_date_with_the_code():
    with extract.TEMPLATE.open("rb") as handle:
        template = extract.msgids(read_po(handle))
    assert template == set(extract.collect()), "run `uv run python -m workbench.locale.extract`"
    for lang in locale.available_languages():
        assert set(_entries(lang)) == template, f"{lang} has entries the template lacks"


def test_no_chinese_entry_is_left_untranslated():
    bad = []
    for key, message in _entries("zh_CN").items():
        forms = (message.string,) if isinstance(message.string, str) else message.string
        source = key if isinstance(key, str) else key[0]
        if "fuzzy" in message.flags or not forms or not all(forms):
            bad.append((source, "empty or fuzzy"))
        elif any(f == source and _has_letters(source) and source not in UNTRANSLATED_OK
                 for f in forms):
            bad.append((source, "same as the English"))
        elif source not in UNTRANSLATED_OK and any(
                not any("\u4e00" <= ch <= "\u9fff" for ch in f)
                and len(re.findall(r"[A-Za-z]", _FIELD.sub("", f))) >= 3 for f in forms):
            # English words copied over; a symbol such as "°" or "m²" is a translation
            bad.append((source, f"no Chinese in {forms[0]!r}"))
    assert not bad, f"{len(bad)} untranslated: {bad[:8]}"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_translations_keep_the_placeholders(lang):
    for key, message in _entries(lang).items():
        sources = (key,) if isinstance(key, str) else key
        forms = (message.string,) if isinstance(message.string, str) else message.string
        wanted = set().union(*map(_placeholders, sources))
        for form in filter(None, forms):
            assert _placeholders(form) == wanted, (lang, key, form)


def test_lookups_in_both_languages():
    assert locale.gettext("Altitude", lang="zh_CN") == "轨道高度"
    assert locale.gettext("Launch cost", lang="zh") == "发射成本"
    assert locale.gettext("USD/kg", lang="zh-CN") == "美元/千克"
    assert locale.gettext("Altitude", lang="en") == "Altitude"
    assert locale.translator("zh")("not in any catalog") == "not in any catalog"
    one, many = "invalid {model} ({n} problem)", "invalid {model} ({n} problems)"
    assert locale.ngettext(one, many, 1, lang="en") == one
    assert locale.ngettext(one, many, 2, lang="en") == many
    assert locale.ngettext(one, many, 2, lang="zh") == "{model} 输入无效（{n} 个问题）"


@pytest.mark.parametrize("spelling", ["zh", "zh-CN", "zh_CN", "zh_cn", "ZH-cn", "zh-Hans"])
def test_chinese_spellings_normalise(spelling):
    assert locale.normalize_language(spelling) == "zh_CN"


@pytest.mark.parametrize("spelling", [None, "en", "en-US", "en_GB", "EN"])
def test_english_spellings_normalise(spelling):
    assert locale.normalize_language(spelling) == "en"


@pytest.mark.parametrize("bad", ["fr", "de-DE", "", "klingon"])
def test_unknown_language_names_the_value_and_the_allowed(bad):
    with pytest.raises(locale.LanguageError) as info:
        locale.translator(bad)
    assert repr(bad) in str(info.value) and "en, zh_CN" in str(info.value)


def test_the_compiled_catalog_is_cached_per_process():
    first = locale._translations("zh_CN")
    assert locale._translations("zh_CN") is first


def test_extract_check_reports_up_to_date(capsys):
    assert extract.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_extraction_finds_quantity_keywords_and_marked_calls(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        'x = quantity(1.0, label="Altitude", unit="km", description="Height " "above",\n'
        '             why={"ge": "too low"})\n'
        'y = _("Hello")\nz = ngettext("one {n}", "many {n}", n)\n'
        'w = FieldValueError("f", 1, "bad {v}", v=1)\nv = Message(name)\n', encoding="utf-8")
    assert set(extract.collect(package)) == {
        "Altitude", "km", "Height above", "too low", "Hello", ("one {n}", "many {n}"),
        "bad {v}"}


# ------------------------------------------------------------------ model errors, rendered

def test_model_error_renders_with_labels_and_keeps_its_english_text():
    from workbench.model import Economics, ModelError, WalkerShell

    with pytest.raises(ModelError) as info:
        WalkerShell(altitude_km=100.0, sats_per_plan=3)
    error = info.value
    assert "altitude_km=100.0: below 160 km an orbit decays within days (must be ≥ 160.0 km)" \
        in str(error)  # the English default other tests and logs rely on
    assert error.render() == (
        "invalid WalkerShell (2 problems)\n"
        "  Altitude = 100 km: below 160 km an orbit decays within days (must be ≥ 160 km)\n"
        "  sats_per_plan = 3: is not a known field; did you mean sats_per_plane?")
    assert error.render("zh") == (
        "WalkerShell 输入无效（2 个问题）\n"
        "  轨道高度 = 100 km：低于 160 km 的轨道会在数天内衰减（须 ≥ 160 km）\n"
        "  sats_per_plan = 3：不是已知字段；您是否想输入 sats_per_plane？")
    with pytest.raises(ModelError) as info:
        Economics(cny_per_usd=0.0)
    assert info.value.problems[0].render("zh") == "汇率 = 0 人民币/美元：须 > 0 人民币/美元"


def test_validator_errors_translate_their_reason():
    from workbench.model import GroundSegment, GroundSite, ModelError

    site = GroundSite(name="A", lat_deg=0.0, lon_deg=0.0)
    with pytest.raises(ModelError) as info:
        GroundSegment(sites=(site, site))
    (problem,) = info.value.problems
    assert str(problem) == "sites=['A']: site names must be unique"
    assert problem.render("en") == "Ground sites = ['A']: site names must be unique"
    assert problem.render("zh") == "地面站点 = ['A']：站点名称不能重复"
