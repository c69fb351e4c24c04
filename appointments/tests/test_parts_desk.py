"""The parts desk before the visit: an order placed with its supplier and date, the customer warned once of a missing
part with the date it is expected, in their language; the parts advisor's list."""

from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from appointments.exceptions import PartsError, TransitionNotAllowed
from appointments.message_texts import refresh_message_texts, seed_message_texts
from appointments.models import PartOrderRequest, PartsDelayWarning, PartStock
from appointments.parts import mark_part_ordered, warn_parts_delay
from appointments.services import cancel_appointment, request_part_order
from appointments.slots import JobRequest

from .factories import CustomerFactory, VehicleFactory

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = date(2026, 3, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture
def kit_parts(service_operation):
    return [line.part for line in service_operation.kit_lines.order_by("part__number")]  # 1 filter, 4.5 l of oil


@pytest.fixture
def short_of_oil(site, kit_parts):
    """The filter is on the shelf, the oil is short."""
    PartStock.objects.create(site=site, part=kit_parts[0], on_hand=Decimal("3"))
    PartStock.objects.create(site=site, part=kit_parts[1], on_hand=Decimal("2"))


@pytest.fixture
def book_service(booking, service_operation, short_of_oil):
    """book_service(customer=None, day=Tuesday): the day's 9:00 service for the customer (the French one by default)."""

    def book(customer=None, day=TUESDAY):
        extra = {"customer": customer, "vehicle": VehicleFactory(owner=customer)} if customer else {}
        return booking(datetime.combine(day, time(9), tzinfo=PARIS), jobs=[JobRequest.of(service_operation)], **extra)

    return book


@pytest.fixture
def oil_request(book_service, kit_parts, diary_advisor):
    """Tuesday's service, the oil asked from the parts advisor (not ordered yet)."""
    appointment = book_service()
    return request_part_order(appointment=appointment, part=kit_parts[1], quantity=Decimal("4.5"), actor=diary_advisor)


def order_oil(order_request, parts_advisor, expected_on=date(2026, 3, 5)):
    return mark_part_ordered(order_request=order_request, supplier="Audi Parts Lyon", expected_on=expected_on, actor=parts_advisor)


# --- An order placed with its supplier -------------------------------------------------------------------------------


def test_an_order_records_its_supplier_and_date_and_counts_on_order_once(oil_request, parts_advisor, kit_parts):
    order_oil(oil_request, parts_advisor)
    order_oil(oil_request, parts_advisor)
    later = order_oil(oil_request, parts_advisor, expected_on=date(2026, 3, 6))

    assert (later.status, later.supplier, later.expected_on, later.handled_by) == (
        "ordered",
        "Audi Parts Lyon",
        date(2026, 3, 6),
        parts_advisor,
    )
    assert PartStock.objects.get(part=kit_parts[1]).on_order == Decimal("4.5")
    notes = list(oil_request.appointment.events.filter(note_code="appointments.part_ordered").values_list("note_params", flat=True))
    assert [note["expected"] for note in notes] == ["2026-03-05", "2026-03-06"]


@pytest.mark.parametrize(
    ("supplier", "expected_on", "field"), [("  ", date(2026, 3, 5), "supplier"), ("Audi Parts Lyon", date(2026, 3, 1), "expected_on")]
)
def test_an_order_needs_a_supplier_and_a_date_not_in_the_past(oil_request, parts_advisor, supplier, expected_on, field):
    with pytest.raises(PartsError) as refused:
        mark_part_ordered(order_request=oil_request, supplier=supplier, expected_on=expected_on, actor=parts_advisor)

    assert refused.value.field == field
    assert PartOrderRequest.objects.get().status == "open"


# --- The customer warned once, with the date -------------------------------------------------------------------------


def test_the_warning_is_recorded_once_and_a_second_one_needs_send_again(oil_request, parts_advisor, kit_parts):
    appointment = oil_request.appointment

    first = warn_parts_delay(appointment=appointment, actor=parts_advisor)
    with pytest.raises(PartsError) as refused:
        warn_parts_delay(appointment=appointment, actor=parts_advisor)
    again = warn_parts_delay(appointment=appointment, actor=parts_advisor, resend_of=first.number)
    with pytest.raises(PartsError):  # a second click on the same "send again"
        warn_parts_delay(appointment=appointment, actor=parts_advisor, resend_of=first.number)

    assert refused.value.field == "resend_of" and "already warned" in str(refused.value.message)
    assert (first.number, first.sent_by, first.sent_at is not None) == (1, parts_advisor, True)
    assert [w.number for w in appointment.parts_warnings.order_by("number")] == [1, 2]
    assert OutboxMessage.objects.filter(template_key="parts_delay").count() == 2 and again.message is not None
    event = appointment.events.get(details__parts_delay_message=first.message_id)
    assert event.note_code == "appointments.parts_delay_warned" and event.note_params == {"parts": [kit_parts[1].pk]}


@pytest.mark.parametrize(
    ("language", "expected_day"),
    [("fr", "5 mars 2026"), ("ru", "5 марта 2026")],
)
def test_the_warning_gives_the_expected_date_in_the_customers_language(
    book_service, kit_parts, parts_advisor, site, language, expected_day
):
    customer = CustomerFactory(site=site, language=language)
    appointment = book_service(customer)
    order_request = request_part_order(appointment=appointment, part=kit_parts[1], quantity=Decimal("4.5"), actor=parts_advisor)
    order_oil(order_request, parts_advisor)

    warning = warn_parts_delay(appointment=appointment, actor=parts_advisor)

    message = warning.message
    assert warning.expected_on == date(2026, 3, 5)
    assert message.language == language and expected_day in message.body
    assert "09:00" in message.body  # the appointment in the site's local time
    assert appointment.events.get(note_code="appointments.parts_delay_warned_expected").note_params["expected"] == "2026-03-05"


def test_parts_expected_before_the_day_need_no_warning(oil_request, parts_advisor):
    order_oil(oil_request, parts_advisor, expected_on=date(2026, 3, 2))

    with pytest.raises(PartsError) as refused:
        warn_parts_delay(appointment=oil_request.appointment, actor=parts_advisor)

    assert refused.value.field == "expected_on"
    assert not PartsDelayWarning.objects.exists()


def test_nothing_missing_or_a_cancelled_appointment_is_not_warned(oil_request, parts_advisor, kit_parts, diary_advisor):
    appointment = oil_request.appointment
    PartStock.objects.filter(part=kit_parts[1]).update(on_hand=Decimal("10"))
    with pytest.raises(PartsError, match="No part of this appointment is missing"):
        warn_parts_delay(appointment=appointment, actor=parts_advisor)

    cancel_appointment(appointment=appointment, reason="Car sold", actor=diary_advisor)
    with pytest.raises(TransitionNotAllowed):
        warn_parts_delay(appointment=appointment, actor=parts_advisor)
    assert not OutboxMessage.objects.filter(template_key="parts_delay").exists()


# --- The parts advisor's list ------------------------------------------------------------------------------------------


def test_the_parts_advisor_records_an_order_and_warns_the_customer_from_the_list(client, parts_advisor, oil_request):
    client.force_login(parts_advisor)
    listed = reverse("appointments:part_requests")

    page = client.get(listed)
    assert "Warn the customer: part missing" in page.text
    ordered = client.post(
        reverse("appointments:part_request_ordered", args=[oil_request.pk]) + "?status=all",
        {f"order-{oil_request.pk}-supplier": "Audi Parts Lyon", f"order-{oil_request.pk}-expected_on": "2026-03-05"},
    )
    assert ordered.status_code == 302 and ordered.url == f"{listed}?status=all#part-request-{oil_request.pk}"
    warned = client.post(reverse("appointments:warn_parts_delay", args=[oil_request.appointment_id]), {"next": listed + "?status=all"})
    assert warned.url == listed + "?status=all"

    page = client.get(listed + "?status=all")
    assert "Audi Parts Lyon, expected on 5 Mar 2026" in page.text
    assert "Warned by" in page.text and "parts expected on 5 Mar 2026" in page.text
    assert 'name="resend_of" value="1"' in page.text and "Send the warning again" in page.text
    refused = client.post(reverse("appointments:warn_parts_delay", args=[oil_request.appointment_id]), follow=True)
    assert "already warned" in refused.text and PartsDelayWarning.objects.count() == 1
    client.post(reverse("appointments:warn_parts_delay", args=[oil_request.appointment_id]), {"resend_of": "1"})
    assert PartsDelayWarning.objects.count() == 2


def test_a_bad_order_is_shown_again_with_the_field_named(client, parts_advisor, oil_request):
    client.force_login(parts_advisor)
    prefix = f"order-{oil_request.pk}"

    response = client.post(
        reverse("appointments:part_request_ordered", args=[oil_request.pk]),
        {f"{prefix}-supplier": "", f"{prefix}-expected_on": "2026-02-27"},
    )

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text and "This field is required." in response.text
    response = client.post(
        reverse("appointments:part_request_ordered", args=[oil_request.pk]),
        {f"{prefix}-supplier": "Audi Parts Lyon", f"{prefix}-expected_on": "2026-02-27"},
    )
    assert response.status_code == 400 and "Expected arrival: the date cannot be in the past." in response.text
    assert PartOrderRequest.objects.get().status == "open"


def test_who_may_warn(client, crc_agent, foreman, advisor, oil_request):
    url = reverse("appointments:warn_parts_delay", args=[oil_request.appointment_id])
    for refused in (crc_agent, foreman):
        client.force_login(refused)
        assert client.post(url).status_code == 403
    client.force_login(advisor)
    assert client.post(url, {"next": "https://evil.example/"}).url.startswith(reverse("appointments:preparation"))
    assert PartsDelayWarning.objects.get().sent_by == advisor


def test_the_preparation_list_shows_the_warning(client, parts_advisor, oil_request):
    warn_parts_delay(appointment=oil_request.appointment, actor=parts_advisor)
    client.force_login(parts_advisor)

    page = client.get(reverse("appointments:preparation"))

    assert "Warned by" in page.text and "Send the warning again" in page.text
    assert f"#appointment-{oil_request.appointment_id}" in page.text


def test_the_list_runs_a_fixed_number_of_queries(client, parts_advisor, book_service, kit_parts, django_assert_max_num_queries):
    client.force_login(parts_advisor)
    first = book_service()
    request_part_order(appointment=first, part=kit_parts[1], quantity=Decimal("4.5"), actor=parts_advisor)
    client.get(reverse("appointments:part_requests"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("appointments:part_requests"))
    warn_parts_delay(appointment=first, actor=parts_advisor)
    for day in (4, 5, 6):
        more = book_service(day=date(2026, 3, day))
        request_part_order(appointment=more, part=kit_parts[1], quantity=Decimal("4.5"), actor=parts_advisor)
        warn_parts_delay(appointment=more, actor=parts_advisor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("appointments:part_requests"))
    assert page.text.count('class="part-request"') == 4


# --- Two senders at the same moment (PostgreSQL) --------------------------------------------------------------------------


@pytest.fixture
def message_texts(transactional_db):
    """A transactional test starts from flushed tables: the seeded texts are put back."""
    seed_default_templates(MessageTemplate)
    seed_message_texts(MessageTemplate)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: row locks")
def test_two_clicks_at_once_send_one_warning(message_texts, oil_request, parts_advisor, diary_advisor, run_concurrently):
    warn = partial(warn_parts_delay, appointment=oil_request.appointment)

    results = run_concurrently(partial(warn, actor=parts_advisor), partial(warn, actor=diary_advisor))

    assert sorted(type(result).__name__ for result in results) == ["PartsDelayWarning", "PartsError"], results
    assert PartsDelayWarning.objects.count() == 1
    assert OutboxMessage.objects.filter(template_key="parts_delay").count() == 1


def test_warnings_sent_before_are_read_back_from_the_history(oil_request, parts_advisor):
    """Migration 0013: an appointment warned before warnings were recorded counts as warned once."""
    from django.apps import apps

    migration = import_module("appointments.migrations.0013_part_warnings")
    warning = warn_parts_delay(appointment=oil_request.appointment, actor=parts_advisor)
    sent_at, message = warning.sent_at, warning.message
    PartsDelayWarning.objects.all().delete()

    migration.warnings_from_history(apps, None)

    recorded = PartsDelayWarning.objects.get()
    assert (recorded.appointment, recorded.number, recorded.sent_by, recorded.message) == (
        oil_request.appointment,
        1,
        parts_advisor,
        message,
    )
    assert abs((recorded.sent_at - sent_at).total_seconds()) < 1


def test_the_new_default_text_never_replaces_a_text_a_manager_edited(manager):
    MessageTemplate.objects.filter(key="parts_delay", language="fr").update(sms_body="Texte du gérant", updated_by=manager)

    refresh_message_texts(MessageTemplate)

    assert MessageTemplate.objects.get(key="parts_delay", language="fr").sms_body == "Texte du gérant"
    assert "{% if expected %}" in MessageTemplate.objects.get(key="parts_delay", language="ru").sms_body
