"""HTML5 inputs that always hold the machine format, whatever the page's language.

A browser reads the value of ``<input type="number|date|time|datetime-local|month">``
only in one format (``1234.5``, ``2027-12-04``, ``17:30``, ``2027-12-04T17:30``,
``2027-12``) and shows anything else as an empty box, which the next save
stores as empty. Django's own widgets write dates with the active locale's
first input format (``04/12/2027`` in French) and numbers with its separators
when the field is localized; these write the machine format and are never
localized. It is also the format the browser posts back, which Django's
fields parse in every language (ISO dates and times are among the input
formats of every locale; numbers are read unlocalized).

Every form of the project uses them for its number, date and time fields
(aftersales/tests/test_form_round_trip.py checks it); a template writing an
input by hand takes its value from the field's widget with the ``input_value``
filter (``{% load inputs %}``).
"""

import datetime
from decimal import Decimal

from django import forms
from django.db import models
from django.forms.widgets import ChoiceWidget
from django.utils import timezone

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MONTH_FORMAT = "%Y-%m"


def machine_number(value) -> str | None:
    """A number as the browser reads it: '1234.50' for Decimal('1234.50'), a dot and no grouping (None when empty)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else None
    return str(value)


def _time_text(value: datetime.time | datetime.datetime) -> str:
    """HH:MM, or HH:MM:SS when the stored value has seconds (so that a save gives them back)."""
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


def _naive(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_naive(value) if timezone.is_aware(value) else value


class MachineFormatMixin:
    """A widget that never localizes: its value is written in the one format the browser reads."""

    @property
    def is_localized(self) -> bool:
        return False

    @is_localized.setter
    def is_localized(self, value) -> None:
        pass  # a field with localize=True must not make the browser drop the value


class NumberInput(MachineFormatMixin, forms.NumberInput):
    """``<input type="number">`` with ``1234.50``: a dot, no thousands separator."""

    def format_value(self, value):
        return machine_number(value)


class DateInput(MachineFormatMixin, forms.DateInput):
    """``<input type="date">`` with ``2027-12-04``."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATE_FORMAT)

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            value = _naive(value).date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value or None


class MonthInput(MachineFormatMixin, forms.DateInput):
    """``<input type="month">`` with ``2027-12`` (pair it with ``input_formats=[MONTH_FORMAT]``)."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=MONTH_FORMAT)

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value.year:04d}-{value.month:02d}"
        return value or None


class TimeInput(MachineFormatMixin, forms.TimeInput):
    """``<input type="time">`` with ``17:30`` (``17:30:15`` when the stored time has seconds)."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=TIME_FORMAT)

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            value = _naive(value).time()
        if isinstance(value, datetime.time):
            return _time_text(value)
        return value or None

    def get_context(self, name, value, attrs):
        return _with_seconds_step(super().get_context(name, value, attrs))


class DateTimeInput(MachineFormatMixin, forms.DateTimeInput):
    """``<input type="datetime-local">`` with ``2027-12-04T17:30``, in the current time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            value = _naive(value)
            return f"{value.date().isoformat()}T{_time_text(value)}"
        if isinstance(value, datetime.date):
            return f"{value.isoformat()}T00:00"
        return value or None

    def get_context(self, name, value, attrs):
        return _with_seconds_step(super().get_context(name, value, attrs))


def _with_seconds_step(context: dict) -> dict:
    """A value with seconds needs step="1", or the browser refuses to submit it unchanged (step mismatch)."""
    widget = context["widget"]
    if widget["value"] and widget["value"].count(":") == 2:
        widget["attrs"].setdefault("step", "1")
    return context


MACHINE_FORMAT_WIDGETS = (NumberInput, DateInput, MonthInput, TimeInput, DateTimeInput)

# The widget of each kind of form field, for fields a ModelForm builds from its model.
_WIDGET_FOR_FIELD = (
    (forms.DateTimeField, DateTimeInput),
    (forms.DateField, DateInput),
    (forms.TimeField, TimeInput),
    (forms.DecimalField, NumberInput),
    (forms.FloatField, NumberInput),
    (forms.IntegerField, NumberInput),
)


def machine_format_widget(field: forms.Field) -> forms.Widget | None:
    """The machine-format widget for this form field (its attributes kept), or None when it needs none."""
    if isinstance(field.widget, (*MACHINE_FORMAT_WIDGETS, forms.HiddenInput, forms.MultipleHiddenInput, ChoiceWidget)):
        return None
    for field_class, widget_class in _WIDGET_FOR_FIELD:
        if isinstance(field, field_class):
            widget = widget_class(attrs=field.widget.attrs)
            widget.is_required = field.widget.is_required
            return widget
    return None


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """``Meta.formfield_callback`` of the project's ModelForms: the model's form field with a machine-format widget."""
    field = db_field.formfield(**kwargs)
    if field is not None and "widget" not in kwargs:
        widget = machine_format_widget(field)
        if widget is not None:
            field.widget = widget
    return field


def input_value(bound_field: forms.BoundField) -> str:
    """The value of a bound field as its widget writes it (for inputs written by hand in a template)."""
    value = bound_field.field.widget.format_value(bound_field.value())
    return "" if value is None else str(value)
