"""The appointment history's notes (how an answer came, parts set aside, ordered, missing, the customer's own
cancellation) are written while French is active and read in each reader's language, quantities with its decimal
sign; old notes are converted."""

from datetime import date, datetime, time
from decimal import Decimal
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from aftersales.tests.languages import UI_LANGUAGES, page_in
from appointments import online
from appointments.models import AppointmentEvent, PartStock
from appointments.parts import warn_parts_delay
from appointments.services import confirm_appointment, request_part_order, reserve_part
from appointments.slots import JobRequest

pytestmark = pytest.mark.django_db

TUESDAY_9AM = datetime.combine(date(2026, 3, 3), time(9), tzinfo=ZoneInfo("Europe/Paris"))
NOTES = {
    "en": ("by phone", "Parts reserved: 1 × {filter}", "Part order requested: 4.5 × {oil}", "Customer warned: parts missing ({oil_name})"),
    "fr": (
        "par téléphone",
        "Pièces réservées : 1 × {filter}",
        "Commande de pièces demandée : 4,5 × {oil}",
        "Client averti : pièces manquantes ({oil_name})",
    ),
    "ru": (
        "по телефону",
        "Запчасти зарезервированы: 1 × {filter}",
        "Запрошен заказ запчастей: 4,5 × {oil}",
        "Клиент предупреждён: нет запчастей ({oil_name})",
    ),
    "zh-hans": ("通过电话", "已预留零件：1 × {filter}", "已申请订购零件：4.5 × {oil}", "已告知客户：缺少零件（{oil_name}）"),
}
CANCELLED = {
    "en": "The customer cancelled online. Car sold",
    "fr": "Le client a annulé en ligne. Car sold",
    "ru": "Клиент отменил запись онлайн. Car sold",
    "zh-hans": "客户已在线取消。 Car sold",
}


@pytest.fixture
def parts(service_operation, site):
    """The kit's filter is on the shelf, its oil is short."""
    filter_part, oil = (line.part for line in service_operation.kit_lines.order_by("part__number"))
    PartStock.objects.create(site=site, part=filter_part, on_hand=Decimal("3"))
    return filter_part, oil


def test_history_notes_written_in_french_are_read_in_each_language(client, booking, service_operation, parts, diary_advisor):
    filter_part, oil = parts
    appointment = booking(TUESDAY_9AM, jobs=[JobRequest.of(service_operation)])
    with translation.override("fr"):
        confirm_appointment(appointment=appointment, via="phone", actor=diary_advisor)
        reserve_part(appointment=appointment, part=filter_part, quantity=Decimal("1"), actor=diary_advisor)
        request_part_order(appointment=appointment, part=oil, quantity=Decimal("4.5"), actor=diary_advisor)
        warn_parts_delay(appointment=appointment, actor=diary_advisor)

    ordered = appointment.events.get(note_code="appointments.part_order_requested")
    assert (ordered.note, ordered.note_params) == ("", {"quantity": "4.5", "part": oil.pk})
    for language in UI_LANGUAGES:
        page = page_in(client, diary_advisor, reverse("appointments:detail", args=[appointment.pk]), language)
        notes = [note.format(filter=filter_part, oil=oil, oil_name=oil.name) for note in NOTES[language]]
        assert all(f" · {note}</li>" in page for note in notes), language
        assert f"({notes[0]})</dd>" in page, language  # how the confirmation came, beside its status


def test_the_customers_own_cancellation_keeps_their_words_after_the_note(client, booking, diary_advisor):
    appointment = booking(TUESDAY_9AM)
    with translation.override("fr"):
        online.cancel_by_customer(appointment=appointment, reason="Car sold")

    event = AppointmentEvent.objects.get(details__customer_change="cancelled")
    assert (event.note_code, event.note) == ("appointments.customer_cancelled", "Car sold")
    for language in UI_LANGUAGES:
        detail = page_in(client, diary_advisor, reverse("appointments:detail", args=[appointment.pk]), language)
        diary = page_in(client, diary_advisor, reverse("appointments:diary"), language)  # the changes customers made themselves
        assert CANCELLED[language] in detail and f" · {CANCELLED[language]} " in diary, language


def test_the_migration_converts_old_notes_and_keeps_the_rest_as_typed(booking, parts):
    filter_part, oil = parts
    appointment = booking(TUESDAY_9AM)
    old_notes = {
        f"Pièces réservées : 1.00 × {filter_part}": ("appointments.parts_reserved", {"quantity": "1.00", "part": filter_part.pk}, ""),
        f"Запрошен заказ запчастей: 4.50 × {oil}": ("appointments.part_order_requested", {"quantity": "4.50", "part": oil.pk}, ""),
        "Le client a annulé en ligne. Car sold": ("appointments.customer_cancelled", {}, "Car sold"),
        "客户已在线确认。": ("appointments.customer_confirmed", {}, ""),
        "phone": ("appointments.answered_via", {"via": "phone"}, ""),
        f"Client averti : pièces manquantes ({oil.name})": ("", {}, f"Client averti : pièces manquantes ({oil.name})"),
        "Customer away": ("", {}, "Customer away"),
    }
    events = {text: AppointmentEvent.objects.create(appointment=appointment, to_status="booked", note=text) for text in old_notes}

    import_module("appointments.migrations.0010_system_texts_as_codes").convert(apps, None)

    for text, expected in old_notes.items():
        event = AppointmentEvent.objects.get(pk=events[text].pk)
        assert (event.note_code, event.note_params, event.note) == expected, text
    with translation.override("ru"):
        assert str(AppointmentEvent.objects.get(pk=events["phone"].pk).note_display) == "по телефону"
