"""ipywidgets forms generated from the model's field metadata.

One table, :data:`WIDGET_MAPPING`, turns each :class:`~workbench.model.FieldSpec` kind
into a widget (as Panel's ``Param.mapping`` does); :class:`ModelForm` lays the widgets out
with the unit, bounds and description from the model, and sends every edit back through
``Model.model_validate`` (never ``model_copy``, which skips validation). An invalid value
shows the model's error in full under its field — the field's label, the value and what
is allowed, wrapping at any width — and the form keeps its last valid model.

Each row is a wrapping label (the field's declared label and unit, from
``workbench.locale`` in the form's ``lang``), the input, and a full-width error line.
Label and error text are escaped and set as text, never as HTML from data.

>>> from workbench.model import WalkerShell
>>> form = ModelForm(WalkerShell())
>>> form.widgets["altitude_km"].value = 600.0
>>> form.value.altitude_km
600.0
"""
from __future__ import annotations

import html
import types
import typing
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import ipywidgets as widgets
import traitlets

from ..locale import N_, normalize_language, translator
from ..locale.fonts import FONT_STACK
from ..model.base import Model
from ..model.errors import Message, ModelError, Problem
from ..model.fields import FieldSpec, describe

LABEL_WIDTH = "190px"
FIELD_WIDTH = "360px"
ERROR_STYLE = ("color:#c62828;font-size:12px;white-space:normal;overflow-wrap:anywhere;"
               "line-height:1.35")
LABEL_STYLE = ("white-space:normal;overflow-wrap:anywhere;line-height:1.25;font-size:13px;"
               "padding-top:6px;"
               f"font-family:{html.escape(FONT_STACK, quote=True)}")


def field_label(spec: FieldSpec, lang: str | None = None) -> str:
    """The text a form shows for a field: its label and unit in ``lang``,
    ``Altitude (km)`` / ``轨道高度 (km)``."""
    _ = translator(lang)
    label = _(spec.label)
    return f"{label} ({_(spec.unit)})" if spec.unit else label


def field_help(spec: FieldSpec, lang: str | None = None) -> str:
    """A field's description and bounds in ``lang`` (the tooltip):
    ``Circular orbit altitude above the equator [160 … 40000 km]``."""
    _ = translator(lang)
    bounds = ""
    if spec.minimum is not None or spec.maximum is not None:
        lo = "" if spec.minimum is None else f"{spec.minimum:g}"
        hi = "" if spec.maximum is None else f"{spec.maximum:g}"
        bounds = f" [{lo} … {hi}{' ' + _(spec.unit) if spec.unit else ''}]"
    return f"{_(spec.description)}{bounds}" if spec.description else bounds.strip()


def error_html(text: str) -> str:
    """An error line for an ``HTML`` widget: ``text`` escaped, wrapping at any width."""
    if not text:
        return ""
    return (f"<div class='wb-field-error' role='alert' style='{ERROR_STYLE}'>"
            f"{html.escape(text)}</div>")


def label_html(text: str, *, tooltip: str = "") -> str:
    """A field label for an ``HTML`` widget: escaped, wrapping, never clipped."""
    title = f" title='{html.escape(tooltip, quote=True)}'" if tooltip else ""
    return (f"<div class='wb-field-label' style='{LABEL_STYLE}'{title}>"
            f"{html.escape(text)}</div>")


def _common(spec: FieldSpec) -> dict[str, Any]:
    # the label is drawn by the row (it wraps); the widget keeps no description of its own
    return {"description": "", "tooltip": field_help(spec),
            "layout": widgets.Layout(width=FIELD_WIDTH)}


def _float_widget(spec: FieldSpec, value: Any) -> widgets.ValueWidget:
    # Unbounded on purpose: an out-of-range value must reach the model, whose error
    # (with the bound and why) is shown; a bounded widget would silently clamp it.
    return widgets.FloatText(value=float(value), step=spec.step, **_common(spec))


def _int_widget(spec: FieldSpec, value: Any) -> widgets.ValueWidget:
    return widgets.IntText(value=int(value), step=int(spec.step or 1), **_common(spec))


def _bool_widget(spec: FieldSpec, value: Any) -> widgets.ValueWidget:
    return widgets.Checkbox(value=bool(value), indent=False, **_common(spec))


def _choice_options(spec: FieldSpec, value: Any) -> list[Any]:
    """The named choices, plus a value given in code that is none of them (an explicit
    ISL link list), shown by its size."""
    options: list[Any] = [(str(c), c) for c in spec.choices]
    if value not in spec.choices:
        n = len(value) if isinstance(value, tuple) else 1
        options.append((f"{n:,} × {value[0]!r}…" if isinstance(value, tuple) and value
                        else repr(value), value))
    return options


def _choice_widget(spec: FieldSpec, value: Any) -> widgets.ValueWidget:
    return widgets.Dropdown(options=_choice_options(spec, value), value=value,
                            **_common(spec))


def _text_widget(spec: FieldSpec, value: Any) -> widgets.ValueWidget:
    return widgets.Text(value="" if value is None else str(value), **_common(spec))


def _optional_number_widget(spec: FieldSpec, value: Any) -> widgets.ValueWidget:
    common = _common(spec)
    return widgets.Text(value="" if value is None else f"{value:g}",
                        placeholder=N_("auto (empty)"), **common)


def _datetime_widget(spec: FieldSpec, value: Any) -> widgets.ValueWidget:
    text = value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else str(
        value or "")
    return widgets.Text(value=text, placeholder="YYYY-MM-DDTHH:MM:SSZ", **_common(spec))


WIDGET_MAPPING: dict[str, Callable[[FieldSpec, Any], widgets.ValueWidget]] = {
    "float": _float_widget,
    "int": _int_widget,
    "bool": _bool_widget,
    "choice": _choice_widget,
    "text": _text_widget,
    "datetime": _datetime_widget,
    "optional_number": _optional_number_widget,
}
"""FieldSpec kind → widget factory ``(spec, value) -> widget``. ``model`` fields become
nested :class:`ModelForm` s; ``other`` fields (tuples, unions) are left to the composite
editors. ``optional_number`` is a float/int field that also accepts ``None`` (empty)."""


def revalidate(model: Model, **changes: Any) -> Model:
    """A validated copy of ``model`` with ``changes``: ``Model.model_validate`` on the
    current field values (nested models passed as instances, not re-dumped), so every
    validator runs; unlike ``model_copy(update=...)``, which skips validation."""
    data = {name: getattr(model, name) for name in type(model).model_fields}
    data.update(changes)
    return type(model).model_validate(data)


def _is_optional(cls: type, name: str) -> bool:
    annotation = cls.model_fields[name].annotation
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation)


def widget_kind(cls: type, spec: FieldSpec) -> str:
    """The :data:`WIDGET_MAPPING` key for a field of ``cls``."""
    if spec.kind in ("float", "int") and _is_optional(cls, spec.name):
        return "optional_number"
    return spec.kind


def _from_widget(kind: str, spec: FieldSpec, raw: Any) -> Any:
    """Widget value → model input (text that is not a number raises ValueError)."""
    if kind == "optional_number":
        text = str(raw).strip()
        if not text:
            return None
        return int(text) if spec.kind == "int" else float(text)
    return raw


def _to_widget(kind: str, value: Any) -> Any:
    if kind == "optional_number":
        return "" if value is None else f"{value:g}"
    if kind == "datetime":
        return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else (
            str(value or ""))
    if kind == "text":
        return "" if value is None else str(value)
    return value


class ModelForm(widgets.VBox):
    """A form for one model instance, one widget per field, generated from ``describe``.

    Parameters
    ----------
    model : Model
        The starting (valid) instance; its class decides the fields.
    fields : iterable of str, optional
        Only these fields (default: all that have a widget kind).
    exclude : iterable of str
        Leave these fields out (a composite editor draws them).
    nested : bool
        Draw ``model``-kind fields as nested forms in an accordion.
    lang : str
        Language of labels, help and errors (``"en"``, ``"zh_CN"``, ``"zh"`` …; see
        ``workbench.locale.available_languages()``).

    Attributes
    ----------
    value : Model
        The last valid model (a traitlet: ``form.observe(cb, "value")``).
    errors : dict
        Field → message of the current invalid input (empty when valid), written for a
        person in ``lang``: the field's label, the value and what is allowed.
    widgets : dict
        Field → input widget; ``children_forms``: field → nested ModelForm.
    labels : dict
        Field → the label text shown (``Altitude (km)``); ``label_widgets`` draw it.
    """

    value = traitlets.Instance(Model)
    errors = traitlets.Dict()

    def __init__(self, model: Model, *, fields: Iterable[str] | None = None,
                 exclude: Iterable[str] = (), nested: bool = True, lang: str = "en",
                 **kwargs: Any) -> None:
        kwargs.setdefault("layout", widgets.Layout(width="100%", max_width="100%"))
        super().__init__(**kwargs)
        self.add_class("wb-form")
        self.lang = normalize_language(lang)
        self._cls = type(model)
        self._syncing = False
        self.widgets: dict[str, widgets.ValueWidget] = {}
        self.kinds: dict[str, str] = {}
        self.error_labels: dict[str, widgets.HTML] = {}
        self.labels: dict[str, str] = {}
        self.label_widgets: dict[str, widgets.HTML] = {}
        self.children_forms: dict[str, ModelForm] = {}
        self._form_error = widgets.HTML(layout=widgets.Layout(width="100%"))
        wanted = set(fields) if fields is not None else None
        rows: list[widgets.Widget] = []
        nested_forms: list[tuple[str, ModelForm]] = []
        self.specs = {s.name: s for s in describe(self._cls)}
        for spec in self.specs.values():
            if spec.name in set(exclude) or (wanted is not None and spec.name not in wanted):
                continue
            current = getattr(model, spec.name)
            kind = widget_kind(self._cls, spec)
            if kind == "model" and nested and isinstance(current, Model):
                child = ModelForm(current, lang=self.lang)
                child.observe(self._on_child, "value")
                self.children_forms[spec.name] = child
                nested_forms.append((field_label(spec, self.lang), child))
                continue
            factory = WIDGET_MAPPING.get(kind)
            if factory is None:
                continue
            widget = factory(spec, current)
            widget.tooltip = field_help(spec, self.lang)
            if isinstance(widget, widgets.Text) and widget.placeholder == N_("auto (empty)"):
                widget.placeholder = translator(self.lang)("auto (empty)")
            widget.observe(self._on_edit, "value")
            text = field_label(spec, self.lang)
            label = widgets.HTML(label_html(text, tooltip=widget.tooltip or ""),
                                 layout=widgets.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH,
                                                       margin="0 8px 0 0"))
            error = widgets.HTML(layout=widgets.Layout(width="100%", margin="0 0 4px 0"))
            self.widgets[spec.name] = widget
            self.kinds[spec.name] = kind
            self.labels[spec.name] = text
            self.label_widgets[spec.name] = label
            self.error_labels[spec.name] = error
            row = widgets.HBox([label, widget], layout=widgets.Layout(
                width="100%", align_items="flex-start"))
            rows.append(widgets.VBox([row, error], layout=widgets.Layout(width="100%")))
        if nested_forms:
            accordion = widgets.Accordion(children=[f for _, f in nested_forms])
            for i, (label, _) in enumerate(nested_forms):
                accordion.set_title(i, label)
            rows.append(accordion)
        rows.append(self._form_error)
        self.children = rows
        self.value = model
        self.observe(self._on_value, "value")

    @property
    def model(self) -> Model:
        """The last valid model (same as ``value``)."""
        return self.value

    # --- edits -> model ----------------------------------------------------------------
    def _on_edit(self, change: dict) -> None:
        if not self._syncing:
            self.validate()

    def _on_child(self, change: dict) -> None:
        if not self._syncing:
            self.validate()

    def validate(self) -> bool:
        """Validate the current widget values; on success update ``value``.

        Returns True if valid; otherwise shows the errors and keeps the last valid model.
        """
        data = {name: getattr(self.value, name) for name in self._cls.model_fields}
        parse_errors: dict[str, str] = {}
        for name, widget in self.widgets.items():
            try:
                data[name] = _from_widget(self.kinds[name], self.specs[name], widget.value)
            except ValueError:
                spec = self.specs[name]
                parse_errors[name] = Problem(
                    name, widget.value, "is not a number", label=spec.label,
                    detail=Message("is not a number")).render(self.lang)
        for name, child in self.children_forms.items():
            data[name] = child.value
        if parse_errors:
            self._show_errors(parse_errors)
            return False
        try:
            new = self._cls.model_validate(data)
        except ModelError as exc:
            errors: dict[str, str] = {}
            for problem in exc.problems:
                field = problem.field.split(".")[0]
                key = field if field in self.widgets else ""
                errors[key] = "; ".join(filter(None, [errors.get(key),
                                                      problem.render(self.lang)]))
            self._show_errors(errors)
            return False
        self._show_errors({})
        self._syncing = True
        try:
            self.value = new
        finally:
            self._syncing = False
        return True

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors
        for name, label in self.error_labels.items():
            message = errors.get(name, "")
            label.value = error_html(message)
            self.widgets[name].add_class("wb-invalid") if message else self.widgets[
                name].remove_class("wb-invalid")
        self._form_error.value = error_html(errors.get("", ""))

    # --- model -> widgets ------------------------------------------------------------
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            model = change["new"]
            for name, widget in self.widgets.items():
                if self.kinds[name] == "choice":
                    widget.options = _choice_options(self.specs[name], getattr(model, name))
                widget.value = _to_widget(self.kinds[name], getattr(model, name))
            for name, child in self.children_forms.items():
                child.value = getattr(model, name)
            self._show_errors({})
        finally:
            self._syncing = False


__all__ = ["WIDGET_MAPPING", "ModelForm", "error_html", "field_help", "field_label",
           "label_html", "revalidate", "widget_kind"]
