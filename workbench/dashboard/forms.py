"""Panel forms generated from the model's field metadata (never hand-written).

:func:`param_class` turns ``describe(cls)`` into a ``param.Parameterized`` subclass — one
parameter per field, labelled with the field's label and unit in the session's language,
with the field's bounds (``softbounds``), step and choices — and :class:`ParamForm` draws
it with ``pn.Param``. Every edit goes back through ``Model.model_validate`` (the same
rule as the ipywidgets forms of :mod:`workbench.widgets.forms`); an invalid value shows
the model's error in the user's language under the form (escaped, never HTML from data)
and the form keeps its last valid model.

Numbers are drawn as plain inputs with no hard bounds, on purpose: an out-of-range value
must reach the model, whose error names the bound and why; a bounded input would clamp it
silently.

>>> from workbench.model import WalkerShell
>>> form = ParamForm(WalkerShell())
>>> form.params.altitude_km = 600.0
>>> form.value.altitude_km
600.0
>>> form.params.altitude_km = 100.0
>>> form.value.altitude_km, form.error.startswith("invalid WalkerShell")
(600.0, True)
"""
from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

import panel as pn
import param

from ..locale import normalize_language, translator
from ..locale.fonts import FONT_STACK
from ..model.base import Model
from ..model.errors import Message, ModelError, Problem
from ..model.fields import FieldSpec, describe
from ..widgets.forms import _from_widget, _is_optional, _to_widget, field_help, field_label
from ..widgets.forms import widget_kind as _ipywidget_kind

ERROR_STYLE = ("color:#c62828;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere;"
               f"line-height:1.35;font-family:{FONT_STACK}")

_NUMBER_WIDGETS = {"float": pn.widgets.FloatInput, "int": pn.widgets.IntInput}


def widget_kind(cls: type, spec: FieldSpec) -> str:
    """The ipywidgets forms' kind of a field, plus ``optional_bool`` (yes / no / auto)."""
    if spec.kind == "bool" and _is_optional(cls, spec.name):
        return "optional_bool"
    return _ipywidget_kind(cls, spec)


def _parameter(cls: type, spec: FieldSpec, lang: str) -> param.Parameter | None:
    """The ``param`` parameter standing for one field (None: the field has no widget)."""
    kind = widget_kind(cls, spec)
    common = {"label": field_label(spec, lang), "doc": field_help(spec, lang)}
    bounds = (spec.minimum, spec.maximum)
    default = _to_widget(kind, spec.default) if not spec.required else None
    if kind == "float":
        return param.Number(default=0.0 if default is None else float(default),
                            softbounds=bounds, step=spec.step, allow_None=False, **common)
    if kind == "int":
        return param.Integer(default=0 if default is None else int(default),
                             softbounds=bounds, step=int(spec.step or 1), **common)
    if kind == "bool":
        return param.Boolean(default=bool(default), **common)
    if kind == "optional_bool":
        _ = translator(lang)
        return param.Selector(objects={_("auto (empty)"): None, _("yes"): True, _("no"): False},
                              default=default, allow_None=True, **common)
    if kind == "choice":
        return param.Selector(objects=list(spec.choices),
                              default=default if default in spec.choices else spec.choices[0],
                              **common)
    if kind in ("text", "datetime", "optional_number"):
        return param.String(default="" if default is None else str(default), **common)
    return None


@lru_cache(maxsize=256)
def param_class(cls: type, lang: str = "en") -> type[param.Parameterized]:
    """A ``param.Parameterized`` subclass with one parameter per drawable field of the
    model class ``cls``, labelled in ``lang``.

    The class holds no state (a pure function of the model class and the language, so
    one class serves every session); each form makes its own instance.
    """
    lang = normalize_language(lang)
    params: dict[str, Any] = {}
    for spec in describe(cls):
        parameter = _parameter(cls, spec, lang)
        if parameter is not None:
            params[param_name(spec.name)] = parameter
    name = f"{cls.__name__}Params_{lang}"
    return param.parameterized_class(name, params)


def widget_specs(cls: type, lang: str = "en") -> dict[str, dict[str, Any]]:
    """``pn.Param`` ``widgets=`` overrides: numbers as unbounded inputs (the model checks
    the bounds), optional numbers and times as text with a hint; every widget carries the
    field's help (description and bounds) as its tooltip."""
    _ = translator(lang)
    out: dict[str, dict[str, Any]] = {}
    for spec in describe(cls):
        kind = widget_kind(cls, spec)
        entry: dict[str, Any] = {"description": field_help(spec, lang) or None}
        if kind in _NUMBER_WIDGETS:
            # no start/end: pn.Param would copy the soft bounds there and the browser
            # would clamp an out-of-range value instead of letting the model explain it
            entry.update(type=_NUMBER_WIDGETS[kind], step=spec.step or 1, start=None,
                         end=None)
        elif kind == "optional_number":
            entry.update(type=pn.widgets.TextInput, placeholder=_("auto (empty)"))
        elif kind == "datetime":
            entry.update(type=pn.widgets.TextInput, placeholder="YYYY-MM-DDTHH:MM:SSZ")
        elif kind == "text":
            entry["type"] = pn.widgets.TextInput
        elif kind in ("bool", "choice", "optional_bool"):
            pass
        else:
            continue
        out[param_name(spec.name)] = entry
    return out


def param_name(field: str) -> str:
    """The parameter standing for a model field: the field's name, except ``name`` (every
    ``param.Parameterized`` has a ``name`` of its own), which becomes ``name_``."""
    return f"{field}_" if field == "name" else field


def error_html(text: str) -> str:
    """An error block for an ``HTML`` pane: ``text`` escaped, line breaks kept."""
    if not text:
        return ""
    return (f"<div class='wb-form-error' role='alert' style='{ERROR_STYLE}'>"
            f"{html.escape(text)}</div>")


class ParamForm(pn.viewable.Viewer):
    """A Panel form for one model instance: ``pn.Param`` of :func:`param_class`, plus
    nested forms for model-valued fields (a chip inside a payload).

    Parameters
    ----------
    model : Model
        The starting (valid) instance; its class decides the fields.
    lang : str
        Language of labels, help and errors.
    exclude : iterable of str
        Fields left out (composite editors draw them, or they are not edited here).
    title : str, optional
        Heading of the form's card.

    Attributes
    ----------
    value : Model
        The last valid model (``form.param.watch(callback, "value")``).
    error : str
        The current error in ``lang`` ('' when the input is valid).
    params : param.Parameterized
        The generated parameters (what ``pn.Param`` draws).
    """

    value = param.ClassSelector(class_=Model)
    error = param.String(default="")

    def __init__(self, model: Model, *, lang: str = "en", exclude: Iterable[str] = (),
                 title: str = "", **params: Any) -> None:
        super().__init__(value=model, **params)
        self.lang = normalize_language(lang)
        self._cls = type(model)
        self._syncing = False
        self.title = title
        self.specs = {s.name: s for s in describe(self._cls)}
        excluded = set(exclude)
        klass = param_class(self._cls, self.lang)
        self.fields = [n for n in self.specs if param_name(n) in klass.param
                       and n not in excluded]
        self.kinds = {n: widget_kind(self._cls, self.specs[n]) for n in self.fields}
        self.params = klass(**self._widget_values(model))
        self.children: dict[str, ParamForm] = {}
        for spec in self.specs.values():
            current = getattr(model, spec.name)
            if spec.kind == "model" and spec.name not in excluded and isinstance(current,
                                                                                 Model):
                child = ParamForm(current, lang=self.lang, title=field_label(spec, self.lang))
                child.param.watch(self._on_child, "value")
                self.children[spec.name] = child
        names = [param_name(n) for n in self.fields]
        overrides = {k: v for k, v in widget_specs(self._cls, self.lang).items()
                     if k in names}
        self.view = pn.Param(self.params, parameters=names, widgets=overrides,
                             show_name=False, sizing_mode="stretch_width")
        self.error_pane = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10))
        self.params.param.watch(self._on_edit, names)
        self._layout = pn.Column(self.view, *(c for c in self.children.values()),
                                 self.error_pane, sizing_mode="stretch_width")

    def __panel__(self) -> pn.viewable.Viewable:
        if self.title:
            return pn.Card(self._layout, title=self.title, collapsed=True,
                           sizing_mode="stretch_width")
        return self._layout

    @property
    def widgets(self) -> dict[str, pn.widgets.Widget]:
        """Field → the widget ``pn.Param`` drew for it."""
        return {name: self.view._widgets[param_name(name)] for name in self.fields}

    def _widget_values(self, model: Model) -> dict[str, Any]:
        return {param_name(name): _to_widget(self.kinds[name], getattr(model, name))
                for name in self.fields}

    # --- edits -> model ----------------------------------------------------------------
    def _on_edit(self, *events: param.parameterized.Event) -> None:
        if not self._syncing:
            self.validate()

    def _on_child(self, event: param.parameterized.Event) -> None:
        if not self._syncing:
            self.validate()

    def validate(self) -> bool:
        """Validate the current inputs; on success update ``value``.

        Returns True if valid; otherwise shows the error and keeps the last valid model.
        """
        data = {name: getattr(self.value, name) for name in self._cls.model_fields}
        problems: list[str] = []
        for name in self.fields:
            raw = getattr(self.params, param_name(name))
            try:
                data[name] = _from_widget(self.kinds[name], self.specs[name], raw)
            except ValueError:
                spec = self.specs[name]
                problems.append(Problem(name, raw, "is not a number", label=spec.label,
                                        detail=Message("is not a number")).render(self.lang))
        for name, child in self.children.items():
            data[name] = child.value
        if problems:
            self._show_error("\n".join(problems))
            return False
        try:
            new = self._cls.model_validate(data)
        except ModelError as exc:
            self._show_error(exc.render(self.lang))
            return False
        self._show_error("")
        if new != self.value:
            self.value = new
        return True

    def _show_error(self, text: str) -> None:
        self.error = text
        self.error_pane.object = error_html(text)

    # --- model -> widgets ------------------------------------------------------------
    def set_value(self, model: Model) -> None:
        """Show ``model`` (valid by construction) in the widgets, clearing any error."""
        self._syncing = True
        try:
            self.params.param.update(**self._widget_values(model))
            for name, child in self.children.items():
                child.set_value(getattr(model, name))
            self.value = model
            self._show_error("")
        finally:
            self._syncing = False


def shell_forms(model: Any, *, lang: str, on_change: Callable[[], None]) -> list[ParamForm]:
    """One form per Walker shell of a constellation, each calling ``on_change`` when its
    shell changes validly."""
    forms = []
    _ = translator(lang)
    for shell in model.shells:
        form = ParamForm(shell, lang=lang, title=f"{_('Walker shell')}: {shell.name}")
        form.param.watch(lambda _event: on_change(), "value")
        forms.append(form)
    return forms


def iso_utc(value: datetime) -> str:
    """A datetime as the forms show it: ``2026-06-21T00:00:00Z``."""
    return _to_widget("datetime", value)


__all__ = ["ParamForm", "error_html", "iso_utc", "param_class", "shell_forms",
           "widget_specs"]
