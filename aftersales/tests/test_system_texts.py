"""Texts the system writes, kept as a code and machine values and written out in the active language
(aftersales.lib.system_texts): parameter kinds, bad or unknown codes, free text, reading old sentences back."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from aftersales.customers.tests.factories import CustomerFactory
from aftersales.lib.system_texts import Choice, Day, Message, Number, OldTextReader, SystemText, Text, render, restore_old_texts
from followup.models import CallTask, Concern
from followup.system_texts import SERVICE_DUE

DELIVERY = Message(
    "tests.delivery", "%(kind)s · %(day)s · %(km)s km · %(ref)s", kind=Choice(Concern.Kind), day=Day(), km=Number(), ref=Text()
)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Complaint · 4 Dec 2026 · 12,345.50 km · WO-7"),
        ("fr", "Réclamation · 4 déc. 2026 · 12\xa0345,50 km · WO-7"),
        ("ru", "Жалоба · 4 декабря 2026 · 12\xa0345,50 km · WO-7"),
        ("zh-hans", "投诉 · 2026年12月4日 · 12,345.50 km · WO-7"),
    ],
)
def test_parameters_are_kept_as_machine_values_and_shown_in_the_readers_locale(language, shown):
    text = DELIVERY(kind=Concern.Kind.COMPLAINT, day=date(2026, 12, 4), km=Decimal("12345.50"), ref="WO-7")
    assert (text.code, text.params) == ("tests.delivery", {"kind": "complaint", "day": "2026-12-04", "km": "12345.50", "ref": "WO-7"})
    with translation.override(language):
        assert str(text) == shown


def test_a_whole_number_shows_without_decimals():
    with translation.override("fr"):
        assert str(DELIVERY(kind="praise", day=date(2026, 1, 2), km=Decimal("4.00"), ref="x")) == "Félicitations · 2 jan. 2026 · 4 km · x"


def test_a_message_refuses_missing_parameters_and_unknown_choices():
    with pytest.raises(TypeError):
        SERVICE_DUE()
    with pytest.raises(ValueError):
        DELIVERY(kind="shouting", day=date(2026, 1, 2), km=1, ref="x")


def test_an_unknown_code_or_unusable_parameters_show_as_stored_instead_of_failing():
    assert render("gone.message", {"day": "2026-12-04"}) == "gone.message {'day': '2026-12-04'}"
    assert render("followup.service_due", {"day": "not a date"}) == "followup.service_due {'day': 'not a date'}"


def test_free_text_shows_as_typed_after_the_coded_text_and_is_cut_to_the_field():
    text = SERVICE_DUE(free="  Call after 6 pm ", day=date(2026, 12, 4))
    with translation.override("ru"):
        assert str(text) == "ТО до 4 декабря 2026. Call after 6 pm"
    typed = SystemText.of("  Squeak at 50 km/h  ")
    assert (bool(typed), str(typed), typed.fields("note", max_length=6)) == (
        True,
        "Squeak at 50 km/h",
        {"note": "Squeak", "note_code": "", "note_params": {}},
    )
    assert not SystemText.of("")


def test_old_sentences_are_read_back_from_any_language_else_kept_as_free_text():
    reader = OldTextReader([SERVICE_DUE, DELIVERY])
    assert reader.read("Entretien prévu le 2026-12-04.") == SERVICE_DUE(day=date(2026, 12, 4))
    assert reader.read("保养到期日：2026-12-04。") == SERVICE_DUE(day=date(2026, 12, 4))
    assert reader.read("Réclamation · 2026-12-04 · 12.5 km · WO-7") == DELIVERY(
        kind="complaint", day=date(2026, 12, 4), km=Decimal("12.5"), ref="WO-7"
    )
    assert reader.read("Entretien prévu le demain.") == SystemText(free="Entretien prévu le demain.")  # no date: as typed
    assert OldTextReader([SERVICE_DUE], words_after=True).read("Service due on 2026-12-04. Call after 6 pm") == SERVICE_DUE(
        day=date(2026, 12, 4), free="Call after 6 pm"
    )


@pytest.mark.django_db
def test_going_back_writes_the_coded_texts_out_in_the_default_language(site):
    task = CallTask.objects.create(
        site=site,
        customer=CustomerFactory(site=site),
        kind="reminder_call",
        key="k",
        due_at=timezone.now(),
        **SERVICE_DUE(day=date(2026, 12, 4)).fields("reason"),
    )
    with translation.override("ru"):
        restore_old_texts(CallTask, "reason")
    task.refresh_from_db()
    assert (task.reason, task.reason_code, task.reason_params) == ("Service due on 4 Dec 2026.", "", {})
