"""Every field a person can edit has a human label declared with it (issue 13).

Labels used to be generated from field names, which gave "Launch cost usd per (USD/kg)",
"Cny per (CNY/USD)", "Epoch utc", "Gsd (m)" and "Model gop per tile". Now each
``quantity(...)`` declares ``label=``; these tests walk every model class reachable from
``workbench.model`` (nested models, tuples of models and the application union included)
plus the analysis options models, and check the declaration is there and reads as words.
"""
from __future__ import annotations

import importlib
import typing

import pytest
from pydantic import BaseModel

import workbench.model as model_package
from workbench.model import describe
from workbench.model.fields import _UNIT_SUFFIXES, label_for

OPTIONS_MODULES = ("workbench.model.options", "workbench.analyses.capacity_options",
                   "workbench.analyses.spacevsground",
                   "workbench.analyses.economics.spacevsground")
"""Where options models live (the restructure moves capacity_options to model/options)."""

UNIT_TOKENS = frozenset(s.removeprefix("_") for s in _UNIT_SUFFIXES) | {
    "per", "utc", "usd", "cny", "tops", "gop", "gsd", "gb", "mb", "px", "kwh", "tb", "sats"}
"""Name parts that show up as words when a label is generated from a field name
("Launch cost usd per", "Cny per", "Epoch utc", "Gsd", "Model gop per tile")."""


SI_SPELLINGS = frozenset({"kW", "kWh"})
"""Unit symbols spelt as SI writes them, which a label may use ("Mass per kW")."""


def _derived_words(label: str) -> list[str]:
    """Words of ``label`` that are unit or abbreviation tokens not written as a person
    would (in lower or title case: ``usd``, ``Gsd``; ``GOP`` or ``PUE`` are fine)."""
    words = label.replace("(", " ").replace(")", " ").split()
    return [w for w in words if w.lower() in UNIT_TOKENS and w != w.upper()
            and w.lower() != "per" and w not in SI_SPELLINGS]


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type):
        return [annotation] if issubclass(annotation, BaseModel) else []
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _reachable() -> list[type[BaseModel]]:
    roots = [getattr(model_package, name) for name in model_package.__all__]
    roots += [m for arg in typing.get_args(model_package.Application) for m in _models_in(arg)]
    for name in OPTIONS_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        roots += [v for v in vars(module).values() if isinstance(v, type)
                  and issubclass(v, BaseModel) and v.__module__ == module.__name__]
    seen: list[type[BaseModel]] = []
    todo = [r for r in roots if isinstance(r, type) and issubclass(r, BaseModel)]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.append(cls)
        for info in cls.model_fields.values():
            todo.extend(_models_in(info.annotation))
    return sorted(seen, key=lambda c: c.__name__)


MODELS = _reachable()
FIELDS = [(cls, name) for cls in MODELS for name in cls.model_fields]


def test_the_walk_finds_the_models_users_edit():
    names = {cls.__name__ for cls in MODELS}
    assert {"Scenario", "WalkerShell", "TLESet", "Platform", "ComputeChip", "GroundSite",
            "Economics", "RemoteSensingInference", "EventResponse",
            "CapacityOptions"} <= names


@pytest.mark.parametrize("cls, name", FIELDS, ids=[f"{c.__name__}.{n}" for c, n in FIELDS])
def test_every_field_declares_a_human_label(cls, name):
    info = cls.model_fields[name]
    label = info.title
    assert label, f"{cls.__name__}.{name}: declare label= in its quantity(...)"
    assert label == label.strip() and label[0].isupper(), f"{cls.__name__}.{name}: {label!r}"
    assert "_" not in label, f"{cls.__name__}.{name}: {label!r} looks like a field name"
    assert not label.lower().endswith(" per"), f"{cls.__name__}.{name}: {label!r}"
    assert not _derived_words(label), (
        f"{cls.__name__}.{name}: {label!r} has {_derived_words(label)} from the field name; "
        "write the words out and put the unit in unit=")


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_describe_carries_the_declared_label_and_description(cls):
    for spec in describe(cls):
        info = cls.model_fields[spec.name]
        assert spec.label == info.title
        assert spec.description == info.description
        assert spec.label_with_unit == (f"{spec.label} ({spec.unit})" if spec.unit
                                        else spec.label)


@pytest.mark.parametrize("cls, name, bad", [
    ("Economics", "launch_cost_usd_per_kg", "Launch cost usd per"),
    ("Economics", "cny_per_usd", "Cny per"),
    ("Scenario", "epoch_utc", "Epoch utc"),
    ("RemoteSensingInference", "gsd_m", "Gsd"),
    ("RemoteSensingInference", "model_gop_per_tile", "Model gop per tile"),
])
def test_the_labels_users_complained_about_are_gone(cls, name, bad):
    """The five labels quoted in issue 13, and the fallback that produced them."""
    model = {c.__name__: c for c in MODELS}[cls]
    spec = {s.name: s for s in describe(model)}[name]
    assert label_for(name) == bad  # the old generator really made these
    assert spec.label != bad and bad not in spec.label_with_unit
    assert bad.lower().endswith(" per") or _derived_words(bad)  # and the check catches them
