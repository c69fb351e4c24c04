"""The 24-48 h preparation list: parts kits against the site's stock, order requests, warnings, labels, loaners."""

from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from aftersales.messaging.models import OutboxMessage
from appointments.models import LoanerReservation, PartOrderRequest, PartReservation, PartStock
from appointments.slots import JobRequest

from .factories import LoanerFactory

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=PARIS)


@pytest.fixture
def kit_parts(service_operation):
    return [line.part for line in service_operation.kit_lines.order_by("part__number")]  # 1 filter, 4.5 l of oil


@pytest.fixture
def prepared(booking, service_operation, site, kit_parts):
    """Tomorrow's service: the filter is on the shelf, the oil is short."""
    PartStock.objects.create(site=site, part=kit_parts[0], on_hand=Decimal("3"))
    PartStock.objects.create(site=site, part=kit_parts[1], on_hand=Decimal("2"))
    return booking(at("2026-03-03", "09:00"), jobs=[JobRequest.of(service_operation)])


def test_the_list_shows_tomorrows_jobs_with_their_kits_and_stock(client, advisor, prepared, kit_parts):
    client.force_login(advisor)

    page = client.get(reverse("appointments:preparation"))

    assert page.status_code == 200
    assert f'id="appointment-{prepared.pk}"' in page.text
    assert kit_parts[1].name in page.text and page.text.count("kit-line") == 2


def test_reserving_moves_on_hand_to_reserved_once(client, parts_advisor, prepared, kit_parts):
    client.force_login(parts_advisor)
    url = reverse("appointments:reserve_part", args=[prepared.pk])

    client.post(url, {"part": kit_parts[0].pk})
    client.post(url, {"part": kit_parts[0].pk})

    stock = PartStock.objects.get(part=kit_parts[0])
    assert (stock.on_hand, stock.reserved) == (Decimal("2"), Decimal("1"))
    assert PartReservation.objects.get().quantity == Decimal("1")


def test_a_short_part_cannot_be_reserved_and_is_requested_from_the_parts_advisor(client, advisor, parts_advisor, prepared, kit_parts):
    client.force_login(parts_advisor)
    refused = client.post(reverse("appointments:reserve_part", args=[prepared.pk]), {"part": kit_parts[1].pk}, follow=True)
    assert "request an order" in refused.text
    assert PartStock.objects.get(part=kit_parts[1]).reserved == 0

    client.force_login(advisor)
    client.post(reverse("appointments:request_part", args=[prepared.pk]), {"part": kit_parts[1].pk})
    client.post(reverse("appointments:request_part", args=[prepared.pk]), {"part": kit_parts[1].pk})
    request = PartOrderRequest.objects.get()
    assert (request.quantity, request.status, request.needed_by) == (Decimal("4.5"), "open", prepared.starts_at)

    client.force_login(parts_advisor)
    listed = client.get(reverse("appointments:part_requests"))
    assert listed.text.count('class="part-request"') == 1
    ordered = {f"order-{request.pk}-supplier": "Audi Parts Lyon", f"order-{request.pk}-expected_on": "2026-03-05"}
    client.post(reverse("appointments:part_request_ordered", args=[request.pk]), ordered)
    client.post(reverse("appointments:part_request_ordered", args=[request.pk]), ordered)
    assert PartStock.objects.get(part=kit_parts[1]).on_order == Decimal("4.5")


def test_a_part_not_in_the_appointments_kits_is_refused(client, parts_advisor, prepared, site):
    from .factories import PartFactory

    client.force_login(parts_advisor)
    stranger = PartFactory()
    for value in (stranger.pk, "abc", ""):
        client.post(reverse("appointments:reserve_part", args=[prepared.pk]), {"part": value})
    assert not PartReservation.objects.exists()


def test_the_customer_is_warned_once_when_a_part_will_be_missing(client, advisor, prepared, kit_parts, django_capture_on_commit_callbacks):
    client.force_login(advisor)

    with django_capture_on_commit_callbacks():
        client.post(reverse("appointments:warn_parts_delay", args=[prepared.pk]))
        client.post(reverse("appointments:warn_parts_delay", args=[prepared.pk]))

    message = OutboxMessage.objects.get(template_key="parts_delay")
    assert message.language == "fr" and "/appointments/b/" in message.body
    event = prepared.events.get(details__parts_delay_message=message.pk)
    assert kit_parts[1].name in str(event.note_display) and kit_parts[0].name not in str(event.note_display)


def test_no_warning_when_every_part_is_there(client, advisor, prepared, kit_parts, site):
    PartStock.objects.filter(part=kit_parts[1]).update(on_hand=Decimal("10"))
    client.force_login(advisor)

    response = client.post(reverse("appointments:warn_parts_delay", args=[prepared.pk]), follow=True)

    assert not OutboxMessage.objects.filter(template_key="parts_delay").exists()
    assert "No part of this appointment is missing" in response.text


def test_the_bin_label_is_a_pdf_with_the_customer_and_the_appointment_number(client, parts_advisor, prepared):
    client.force_login(parts_advisor)

    response = client.get(reverse("appointments:bin_label", args=[prepared.pk]))

    assert response.content.startswith(b"%PDF")
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert prepared.customer.last_name in text and f"#{prepared.pk}" in text


def test_loaners_are_confirmed_from_the_list(client, advisor, booking, site, service_operation):
    appointment = booking(at("2026-03-04", "09:00"), loaner=LoanerFactory(site=site))
    reservation = LoanerReservation.objects.get(appointment=appointment)
    client.force_login(advisor)

    assert "Confirm the loaner" in client.get(reverse("appointments:preparation")).text
    client.post(reverse("appointments:confirm_loaner", args=[reservation.pk]))

    reservation.refresh_from_db()
    assert reservation.confirmed_by == advisor and reservation.confirmed_at is not None


def test_the_foreman_sees_the_list_but_does_not_touch_the_stock(client, foreman, prepared, kit_parts):
    client.force_login(foreman)

    assert client.get(reverse("appointments:preparation")).status_code == 200
    assert client.post(reverse("appointments:reserve_part", args=[prepared.pk]), {"part": kit_parts[0].pk}).status_code == 403
    assert client.post(reverse("appointments:request_part", args=[prepared.pk]), {"part": kit_parts[1].pk}).status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(client, advisor, booking, service_operation, site, django_assert_max_num_queries):
    client.force_login(advisor)
    booking(at("2026-03-03", "09:00"), jobs=[JobRequest.of(service_operation)])
    client.get(reverse("appointments:preparation"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("appointments:preparation"))
    for moment in ("10:00", "14:00", "15:00"):
        booking(at("2026-03-04", moment), jobs=[JobRequest.of(service_operation)], loaner=LoanerFactory(site=site))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("appointments:preparation"))
