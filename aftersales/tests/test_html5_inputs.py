"""The machine-format widgets (aftersales/lib/html5_inputs.py) and the browser's reading of inputs (html_forms.py)."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation

from aftersales.customers.models import Vehicle
from aftersales.lib import html5_inputs
from invoicing.models import LoanerReturn

from .html_forms import parse_forms, sanitize

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class EveryKind(forms.Form):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, widget=html5_inputs.NumberInput)
    localized = forms.DecimalField(max_digits=12, decimal_places=2, localize=True, widget=html5_inputs.NumberInput)
    km = forms.IntegerField(widget=html5_inputs.NumberInput)
    day = forms.DateField(widget=html5_inputs.DateInput)
    at = forms.TimeField(widget=html5_inputs.TimeInput)
    moment = forms.DateTimeField(widget=html5_inputs.DateTimeInput)
    month = forms.DateField(input_formats=[html5_inputs.MONTH_FORMAT], widget=html5_inputs.MonthInput)


INITIAL = {
    "amount": Decimal("1234.50"),
    "localized": Decimal("1234.50"),
    "km": 123456,
    "day": date(2027, 12, 4),
    "at": time(17, 30),
    "moment": datetime(2027, 12, 4, 16, 30, tzinfo=UTC),
    "month": date(2027, 12, 1),
}
SHOWN = {
    "amount": "1234.50",
    "localized": "1234.50",
    "km": "123456",
    "day": "2027-12-04",
    "at": "17:30",
    "moment": "2027-12-04T17:30",  # in the current time zone (Paris)
    "month": "2027-12",
}


def rendered_values(form: forms.Form) -> dict:
    (page,) = parse_forms(f"<form>{form.as_div()}</form>")
    return {control.name: control.attrs.get("value") for control in page.controls}


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_numbers_dates_and_times_are_written_in_the_machine_format_whatever_the_language(language):
    with translation.override(language), timezone.override(ZoneInfo("Europe/Paris")):
        assert rendered_values(EveryKind(initial=INITIAL)) == SHOWN


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_what_the_browser_posts_back_is_read_in_every_language(language):
    with translation.override(language), timezone.override(ZoneInfo("Europe/Paris")):
        form = EveryKind(data=SHOWN)

        assert form.is_valid(), form.errors
        assert form.cleaned_data == INITIAL


def test_seconds_are_kept_and_the_input_accepts_them():
    moment = datetime(2027, 12, 4, 17, 30, 15, tzinfo=ZoneInfo("Europe/Paris"))
    with timezone.override(ZoneInfo("Europe/Paris")):
        html = html5_inputs.DateTimeInput().render("moment", moment) + html5_inputs.TimeInput().render("at", time(8, 5, 9))

    assert 'value="2027-12-04T17:30:15"' in html and 'value="08:05:09"' in html
    assert html.count('step="1"') == 2  # a browser would refuse to submit seconds on the default step of a minute


def test_a_model_forms_number_and_date_fields_get_the_machine_format_widgets():
    vehicle_form = forms.modelform_factory(
        Vehicle, fields=["year", "first_registration", "make"], formfield_callback=html5_inputs.formfield
    )
    loaner_form = forms.modelform_factory(LoanerReturn, fields=["fuel_in", "mileage_in"], formfield_callback=html5_inputs.formfield)
    fields = {**vehicle_form.base_fields, **loaner_form.base_fields}

    assert type(fields["year"].widget) is html5_inputs.NumberInput
    assert fields["year"].widget.attrs.get("min") == 0  # the field's attributes are kept
    assert type(fields["first_registration"].widget) is html5_inputs.DateInput
    assert type(fields["make"].widget) is forms.TextInput
    assert type(fields["fuel_in"].widget) is forms.Select  # a number with choices stays a choice
    assert type(fields["mileage_in"].widget) is html5_inputs.NumberInput


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_template_writing_an_input_by_hand_takes_the_widgets_value(language):
    form = EveryKind(initial=INITIAL)
    template = Template('{% load inputs %}<input type="number" value="{{ form.amount|input_value }}">{{ form.amount.value }}')

    with translation.override(language):
        html = template.render(Context({"form": form}))

    assert html.startswith('<input type="number" value="1234.50">')


@pytest.mark.parametrize(
    ("input_type", "written", "kept"),
    [
        ("number", "3,10", ""),
        ("number", "1 234.5", ""),
        ("number", "3.10", "3.10"),
        ("date", "04/12/2027", ""),
        ("date", "04.12.2027", ""),
        ("date", "2027/12/04", ""),
        ("date", "2027-12-04", "2027-12-04"),
        ("time", "17:30", "17:30"),
        ("time", "5:30", ""),
        ("datetime-local", "04/12/2027 17:30", ""),
        ("datetime-local", "2027-12-04 17:30:00", "2027-12-04T17:30"),
        ("datetime-local", "2027-12-04T17:30:15", "2027-12-04T17:30:15"),
        ("month", "2027-12", "2027-12"),
    ],
)
def test_the_browser_emulation_keeps_only_valid_values_as_chromium_does(input_type, written, kept):
    assert sanitize(input_type, written) == kept


def test_a_form_is_posted_as_a_browser_posts_it():
    html = """
    <form id="edit" method="post" action="/x/">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input type="number" name="depth" value="3,10">
      <input type="checkbox" name="ok" checked><input type="checkbox" name="no">
      <input type="radio" name="fuel" value="4"><input type="radio" name="fuel" value="6" checked>
      <select name="payer"><option value="">---</option><option value="customer" selected>Customer</option></select>
      <select name="site"><option value="1">A</option><option value="2">B</option></select>
      <textarea name="words">
Squeak &amp; rattle</textarea>
      <input type="text" name="off" value="x" disabled>
      <fieldset disabled><input type="text" name="in_disabled" value="x"></fieldset>
      <input type="file" name="photo">
      <button type="submit" name="save" value="1">Save</button><button type="submit" name="complete" value="1">Complete</button>
    </form>
    <input type="text" name="outside" value="o" form="edit">
    """
    (form,) = parse_forms(html)

    assert form.entries() == {
        "csrfmiddlewaretoken": ["t"],
        "depth": [""],
        "ok": ["on"],
        "fuel": ["6"],
        "payer": ["customer"],
        "site": ["1"],
        "words": ["Squeak & rattle"],
        "save": ["1"],
        "outside": ["o"],
    }
