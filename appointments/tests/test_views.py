"""Booking screens through the test client: the desk, the appointment page, diaries and the reception display."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.customers.models import MobilityService, Vehicle
from aftersales.messaging.models import OutboxMessage
from appointments.forms import encode_slot
from appointments.grid_cache import grid_changed
from appointments.models import Absence, Appointment, SlotReservation
from appointments.slots import JobRequest

from .factories import LoanerFactory, MobilityServiceFactory, VehicleFactory, make_advisor

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=PARIS)


@pytest.fixture
def mobility(site):
    return [
        MobilityServiceFactory(site=site, kind=kind, name=str(kind.label))
        for kind in (MobilityService.Kind.LOANER, MobilityService.Kind.SHUTTLE, MobilityService.Kind.LOUNGE)
    ]


def desk_data(vehicle, operation, mobility, slot, **extra):
    data = {
        "vehicle": vehicle.pk,
        "operations": [operation.pk],
        "customer_words": "Squeak when braking",
        "channel": "phone_in",
        "origin": "inbound_call",
        "mobility_offered": [m.pk for m in mobility[:2]],
        "mobility": [mobility[1].pk],
        "slot": slot,
        "services_explained": "on",
        "prices_given": "on",
        "walk_around_offered": "on",
        "documents_to_bring": "Service book",
        "arrival_area": "express",
        "step": "confirm",
    }
    data.update(extra)
    return data


def test_the_desk_books_sends_the_confirmation_and_shows_the_appointment(
    client,
    crc_agent,
    diary_advisor,
    technicians,
    vehicle,
    service_operation,
    mobility,
    clock,
    django_capture_on_commit_callbacks,
):
    client.force_login(crc_agent)
    slot = encode_slot(diary_advisor.pk, at("2026-03-03", "09:00"))

    with django_capture_on_commit_callbacks():
        response = client.post(reverse("appointments:desk"), desk_data(vehicle, service_operation, mobility, slot, origin="campaign"))

    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response.url == reverse("appointments:detail", args=[appointment.pk])
    assert appointment.origin == "campaign" and appointment.checklist["mobility_offered"] is True
    assert list(appointment.mobility.all()) == [mobility[1]]
    message = OutboxMessage.objects.get(template_key="booking_confirmation")
    assert "/appointments/b/" in message.body
    page = client.get(response.url)
    assert page.status_code == 200 and "Annual service" in page.text


def test_the_desk_opens_on_a_vehicle_with_the_greeting_and_an_empty_form(client, crc_agent, diary_advisor, vehicle, clock):
    client.force_login(crc_agent)

    response = client.get(reverse("appointments:desk"), {"vehicle": vehicle.pk})

    assert response.status_code == 200 and 'id="booking-form"' in response.text
    assert "bonjour" in response.text and "invalid-feedback" not in response.text


def test_a_campaign_that_led_to_the_booking_is_recorded_with_it(
    client,
    crc_agent,
    diary_advisor,
    technicians,
    vehicle,
    service_operation,
    mobility,
    clock,
):
    from aftersales.customers.models import Campaign

    campaign = Campaign.objects.create(
        code="R-TEST", kind="recall", title="Airbag", vin_patterns=vehicle.vin[:8] + "*", starts_on=date(2026, 1, 1)
    )
    other = Campaign.objects.create(code="S-OTHER", kind="service", title="Other", vin_patterns="ZZZ*", starts_on=date(2026, 1, 1))
    client.force_login(crc_agent)
    slot = encode_slot(diary_advisor.pk, at("2026-03-03", "09:00"))

    refused = client.post(
        reverse("appointments:desk"), desk_data(vehicle, service_operation, mobility, slot, campaign=other.pk, origin="campaign")
    )
    assert refused.status_code == 400 and 'data-field="campaign"' in refused.text
    client.post(
        reverse("appointments:desk"), desk_data(vehicle, service_operation, mobility, slot, campaign=campaign.pk, origin="campaign")
    )

    appointment = Appointment.objects.get()
    assert (appointment.origin, appointment.origin_record) == ("campaign", campaign)


def test_the_desk_live_panel_shows_estimate_and_two_proposals_one_within_three_days(
    client,
    crc_agent,
    diary_advisor,
    technicians,
    vehicle,
    service_operation,
    mobility,
    clock,
):
    client.force_login(crc_agent)

    response = client.get(
        reverse("appointments:desk_live"), {"vehicle": vehicle.pk, "operations": service_operation.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "239.46" in response.text  # 199.55 + 20 % VAT
    assert response.text.count('name="proposal"') == 2  # a radio group of their own, apart from the week's slots
    assert "Tue 3 Mar" in response.text


@pytest.mark.parametrize(
    "missing, field",
    [
        ("slot", "slot"),
        ("operations", "operations"),
        ("services_explained", "services_explained"),
    ],
)
def test_a_refused_booking_answers_400_naming_the_field_and_saves_nothing(
    client,
    crc_agent,
    diary_advisor,
    technicians,
    vehicle,
    service_operation,
    mobility,
    clock,
    missing,
    field,
):
    client.force_login(crc_agent)
    data = desk_data(vehicle, service_operation, mobility, encode_slot(diary_advisor.pk, at("2026-03-03", "09:00")))
    data.pop(missing)
    if missing == "operations":
        data["customer_words"] = ""

    response = client.post(reverse("appointments:desk"), data)

    assert response.status_code == 400
    assert f'data-field="{field}"' in response.text
    assert not Appointment.objects.exists()


def test_offering_a_single_mobility_option_is_refused(
    client, crc_agent, diary_advisor, technicians, vehicle, service_operation, mobility, clock
):
    client.force_login(crc_agent)
    data = desk_data(
        vehicle, service_operation, mobility, encode_slot(diary_advisor.pk, at("2026-03-03", "09:00")), mobility_offered=[mobility[1].pk]
    )

    response = client.post(reverse("appointments:desk"), data)

    assert response.status_code == 400 and 'data-field="mobility_offered"' in response.text
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("slot", ["garbage", "12@20260303T0800x", "999999@20260303T0800"])
def test_a_malformed_or_foreign_slot_is_a_field_error(
    client, crc_agent, diary_advisor, technicians, vehicle, service_operation, mobility, clock, slot
):
    client.force_login(crc_agent)

    response = client.post(reverse("appointments:desk"), desk_data(vehicle, service_operation, mobility, slot))

    assert response.status_code == 400 and 'data-field="slot"' in response.text
    assert not Appointment.objects.exists()


def test_a_slot_just_taken_is_shown_on_the_time_field(client, crc_agent, booking, diary_advisor, vehicle, service_operation, mobility):
    booking(at("2026-03-03", "09:00"))
    client.force_login(crc_agent)
    data = desk_data(vehicle, service_operation, mobility, encode_slot(diary_advisor.pk, at("2026-03-03", "09:00")), second_booking="on")

    response = client.post(reverse("appointments:desk"), data)

    assert response.status_code == 400 and 'data-field="slot"' in response.text
    assert "just taken" in response.text
    assert Appointment.objects.count() == 1


def test_a_loaner_already_out_is_shown_on_the_loaner_field(
    client, crc_agent, booking, site, diary_advisor, vehicle, service_operation, mobility
):
    loaner = LoanerFactory(site=site)
    other_advisor = make_advisor(site, username="second-advisor")
    booking(at("2026-03-03", "09:00"), loaner=loaner)
    client.force_login(crc_agent)
    data = desk_data(
        vehicle,
        service_operation,
        mobility,
        encode_slot(other_advisor.pk, at("2026-03-03", "09:00")),
        loaner=loaner.pk,
        second_booking="on",
    )

    response = client.post(reverse("appointments:desk"), data)

    assert response.status_code == 400 and 'data-field="loaner"' in response.text
    assert Appointment.objects.count() == 1


def test_review_restates_the_booking_without_saving(
    client, crc_agent, diary_advisor, technicians, vehicle, service_operation, mobility, clock
):
    client.force_login(crc_agent)
    data = desk_data(vehicle, service_operation, mobility, encode_slot(diary_advisor.pk, at("2026-03-03", "09:00")), step="review")

    response = client.post(reverse("appointments:desk"), data)

    assert response.status_code == 200 and 'id="confirm-booking"' in response.text
    assert not Appointment.objects.exists()


def test_the_desk_refuses_another_sites_vehicle(client, crc_agent, other_site, clock):
    foreign = VehicleFactory(owner__site=other_site)
    client.force_login(crc_agent)

    response = client.get(reverse("appointments:desk"), {"vehicle": foreign.pk})

    assert response.status_code == 200 and 'id="booking-form"' not in response.text
    assert client.post(reverse("appointments:desk"), {"vehicle": foreign.pk, "step": "confirm"}).status_code == 400


def test_a_new_caller_is_created_with_the_vehicle_and_taken_to_the_booking(client, crc_agent, site, clock):
    client.force_login(crc_agent)
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "mobile": "06 12 34 56 78",
        "email": "",
        "language": "fr",
        "preferred_channel": "sms",
        "vin": "WVWZZZ1KZAW000001",
        "plate": "GH-123-IJ",
        "make": "Volkswagen",
        "model": "Golf",
    }

    response = client.post(reverse("appointments:desk_new_customer"), data)

    vehicle = Vehicle.objects.get(vin="WVWZZZ1KZAW000001")
    assert response.status_code == 302 and f"vehicle={vehicle.pk}" in response.url
    assert vehicle.owner.site == site and vehicle.owner.mobile == "+33612345678"


def test_a_new_caller_with_a_bad_mobile_is_refused_on_the_mobile_field(client, crc_agent, site, clock):
    client.force_login(crc_agent)
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "mobile": "12",
        "language": "fr",
        "preferred_channel": "sms",
        "vin": "WVWZZZ1KZAW000001",
        "make": "VW",
        "model": "Golf",
    }

    response = client.post(reverse("appointments:desk_new_customer"), data)

    assert response.status_code == 400 and 'data-field="mobile"' in response.text
    assert not Vehicle.objects.exists()


def test_a_new_caller_without_vin_is_refused_on_the_vin_field(client, crc_agent, site, clock):
    client.force_login(crc_agent)
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "mobile": "0612345678",
        "language": "fr",
        "preferred_channel": "sms",
        "vin": "",
        "make": "VW",
        "model": "Golf",
    }

    response = client.post(reverse("appointments:desk_new_customer"), data)

    assert response.status_code == 400 and 'data-field="vin"' in response.text


def test_comeback_warning_for_the_same_operation_within_30_days(client, crc_agent, booking, vehicle, service_operation, mobility, clock):
    earlier = booking(at("2026-03-02", "10:00"), jobs=[JobRequest.of(service_operation)])
    clock.move_to(at("2026-03-20", "09:00"))
    client.force_login(crc_agent)

    response = client.get(reverse("appointments:desk_live"), {"vehicle": vehicle.pk, "operations": service_operation.pk})

    assert "comeback-warning" in response.text
    assert reverse("appointments:detail", args=[earlier.pk]) in response.text


def test_actions_on_the_appointment_page(client, advisor, booking, clock):
    appointment = booking(at("2026-03-03", "09:00"))
    client.force_login(advisor)

    client.post(reverse("appointments:confirm", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.status == "confirmed" and appointment.confirmed_via == "phone"

    refused = client.post(reverse("appointments:cancel", args=[appointment.pk]), {"reason": ""})
    assert refused.status_code == 400 and 'data-field="reason"' in refused.text

    client.post(reverse("appointments:cancel", args=[appointment.pk]), {"reason": "Customer sold the car"})
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert not SlotReservation.objects.filter(appointment=appointment).exists()


def test_reschedule_from_the_appointment_page_keeps_the_history(client, advisor, booking, diary_advisor, clock):
    appointment = booking(at("2026-03-03", "09:00"))
    client.force_login(advisor)

    response = client.post(
        reverse("appointments:reschedule", args=[appointment.pk]),
        {"slot": encode_slot(diary_advisor.pk, at("2026-03-04", "10:00")), "reason": "Customer asked"},
    )

    new = Appointment.objects.get(rescheduled_from=appointment)
    assert response.status_code == 302 and response.url == reverse("appointments:detail", args=[new.pk])
    assert new.starts_at == at("2026-03-04", "10:00")
    bad = client.post(reverse("appointments:reschedule", args=[new.pk]), {"slot": "nonsense"})
    assert bad.status_code == 400 and 'data-field="slot"' in bad.text


def test_another_sites_appointment_answers_404(client, other_site_advisor, booking, clock):
    appointment = booking(at("2026-03-03", "09:00"))
    client.force_login(other_site_advisor)

    assert client.get(reverse("appointments:detail", args=[appointment.pk])).status_code == 404
    assert client.post(reverse("appointments:arrived", args=[appointment.pk])).status_code == 404


@pytest.mark.parametrize("query", ["?day=not-a-date", "?day=9999-12-31&view=week", "?site=abc", "?site=999999"])
def test_diary_and_display_take_any_query_string(client, advisor, site, query, clock):
    client.force_login(advisor)

    for name in ("appointments:diary", "appointments:reception", "appointments:preparation"):
        assert client.get(reverse(name) + query).status_code == 200


def _book_many(booking, site, count):
    advisors = [make_advisor(site, username=f"extra-{count}-{index}") for index in range(3)]
    moments = [at("2026-03-02", f"{hour:02d}:{minute:02d}") for hour in (8, 10, 15) for minute in (0, 15, 30)]
    made = 0
    for advisor in advisors:
        for moment in moments:
            if made == count:
                return
            customer_vehicle = VehicleFactory(owner__site=site)
            booking(moment, advisor=advisor, customer=customer_vehicle.owner, vehicle=customer_vehicle)
            made += 1


@pytest.mark.parametrize("name", ["appointments:diary", "appointments:reception"])
def test_diary_and_reception_display_run_a_fixed_number_of_queries(client, advisor, booking, site, name, django_assert_max_num_queries):
    client.force_login(advisor)
    _book_many(booking, site, 2)
    client.get(reverse(name))  # warm the session and permission caches
    grid_changed(site_id=site.pk)  # the week grid built again, as after the bookings below
    with django_assert_max_num_queries(40) as few:
        client.get(reverse(name))
    _book_many(booking, site, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(name))
    assert response.status_code == 200


def test_the_reception_display_lists_todays_arrivals_with_the_advisor(client, advisor, booking, diary_advisor, clock):
    clock.move_to(at("2026-03-03", "07:00"))
    booking(at("2026-03-03", "09:00"))
    client.force_login(advisor)

    page = client.get(reverse("appointments:reception"))
    partial = client.get(reverse("appointments:reception"), headers={"HX-Request": "true"})

    assert 'data-hx-trigger="every 30s"' in page.text
    assert "Marc" in partial.text and "<html" not in partial.text


def test_booking_card_and_loan_contract_are_pdfs_in_the_customers_language(client, advisor, booking, site, clock):
    from io import BytesIO

    from pypdf import PdfReader

    appointment = booking(at("2026-03-03", "09:00"), loaner=LoanerFactory(site=site))
    client.force_login(advisor)

    card = client.get(reverse("appointments:booking_card", args=[appointment.pk]))
    contract = client.get(reverse("appointments:loan_contract", args=[appointment.pk]))

    assert card["Content-Type"] == "application/pdf" and card.content.startswith(b"%PDF")
    text = PdfReader(BytesIO(contract.content)).pages[0].extract_text()
    assert appointment.customer.last_name in text
    assert appointment.customer.language == "fr" and contract.status_code == 200


def _week_page(client, vehicle):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("appointments:desk"), {"vehicle": vehicle.pk, "week": "2026-03-02"})
    assert response.status_code == 200
    return len(queries), response.text


def test_the_week_grid_is_read_from_the_cache_until_a_booking_changes_it(
    client, crc_agent, booking, diary_advisor, vehicle, clock, django_capture_on_commit_callbacks
):
    client.force_login(crc_agent)
    slot = f'id="slot-{encode_slot(diary_advisor.pk, at("2026-03-03", "09:00"))}"'
    first_count, first_page = _week_page(client, vehicle)
    second_count, second_page = _week_page(client, vehicle)
    assert slot in first_page and slot in second_page
    assert second_count < first_count

    with django_capture_on_commit_callbacks(execute=True):
        booking(at("2026-03-03", "09:00"))
    after_count, after_page = _week_page(client, vehicle)
    assert slot not in after_page and after_count > second_count


def test_a_new_absence_empties_the_advisors_week_at_once(client, crc_agent, diary_advisor, vehicle, site, clock):
    client.force_login(crc_agent)
    slot = f'id="slot-{encode_slot(diary_advisor.pk, at("2026-03-03", "09:00"))}"'
    assert slot in _week_page(client, vehicle)[1]

    Absence.objects.create(
        site=site, person=diary_advisor, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 8), reason=Absence.Reason.LEAVE
    )

    assert slot not in _week_page(client, vehicle)[1]
