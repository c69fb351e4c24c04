"""What the booking desk knows about the caller's vehicle: a booking already made (moved, or a second one on purpose),
the current mileage with the vehicle page's check, an overdue service, the offers with their prices, the proposals
reachable with Tab, and the same offers on the online booking page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.tests.factories import BrandFactory
from aftersales.customers.models import MileageReading, MobilityService, SeasonalOffer
from appointments.exceptions import InvalidBooking
from appointments.forms import encode_slot
from appointments.models import Appointment

from .factories import MobilityServiceFactory
from .test_views import at, desk_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def mobility(site):
    return [
        MobilityServiceFactory(site=site, kind=kind, name=str(kind.label))
        for kind in (MobilityService.Kind.LOANER, MobilityService.Kind.SHUTTLE, MobilityService.Kind.LOUNGE)
    ]


@pytest.fixture
def desk(client, crc_agent, diary_advisor, technicians, clock):
    client.force_login(crc_agent)
    return reverse("appointments:desk")


def slot(advisor, day: str, clock: str) -> str:
    return encode_slot(advisor.pk, at(day, clock))


# --- A vehicle already booked -------------------------------------------------------------------


def test_the_desk_says_the_vehicle_is_booked_and_links_to_moving_that_booking(client, desk, booking, vehicle):
    booked = booking(at("2026-03-05", "09:00"))

    page = client.get(desk, {"vehicle": vehicle.pk}).text

    assert 'id="already-booked"' in page
    assert f'href="{reverse("appointments:detail", args=[booked.pk])}#move"' in page
    assert 'id="move"' in client.get(reverse("appointments:detail", args=[booked.pk])).text


def test_a_customer_late_for_this_mornings_appointment_still_has_it(client, desk, crc_agent, booking, vehicle, clock):
    booking(at("2026-03-02", "09:00"))
    clock.move_to(at("2026-03-02", "10:30"))
    client.force_login(crc_agent)  # a new session: the first one timed out while the clock moved

    assert 'id="already-booked"' in client.get(desk, {"vehicle": vehicle.pk}).text


def test_a_second_booking_of_the_same_vehicle_needs_the_agents_explicit_word(
    client, desk, booking, vehicle, diary_advisor, service_operation, mobility
):
    booking(at("2026-03-03", "09:00"))
    data = desk_data(vehicle, service_operation, mobility, slot(diary_advisor, "2026-03-03", "14:00"))

    refused = client.post(desk, data)

    assert refused.status_code == 400 and 'data-field="second_booking"' in refused.text
    assert Appointment.objects.count() == 1
    assert client.post(desk, {**data, "second_booking": "on"}).status_code == 302
    assert Appointment.objects.filter(vehicle=vehicle).count() == 2


def test_a_vehicle_with_no_booking_to_come_books_without_the_question(
    client, desk, booking, vehicle, diary_advisor, service_operation, mobility
):
    past = booking(at("2026-03-02", "09:00"))
    Appointment.objects.filter(pk=past.pk).update(status=Appointment.Status.CANCELLED)

    page = client.get(desk, {"vehicle": vehicle.pk}).text

    assert 'id="already-booked"' not in page and "second_booking" not in page
    assert client.post(desk, desk_data(vehicle, service_operation, mobility, slot(diary_advisor, "2026-03-03", "14:00"))).status_code == 302


# --- Current mileage ---------------------------------------------------------------------------------


def test_the_current_mileage_is_restated_and_recorded_with_the_booking(
    client, desk, crc_agent, vehicle, diary_advisor, service_operation, mobility
):
    data = desk_data(vehicle, service_operation, mobility, slot(diary_advisor, "2026-03-03", "09:00"), mileage_km="45200")

    review = client.post(desk, {**data, "step": "review"})
    assert review.status_code == 200 and "45,200 km" in review.text

    assert client.post(desk, data).status_code == 302
    reading = MileageReading.objects.get(vehicle=vehicle)
    assert (reading.km, reading.source, reading.recorded_by) == (45_200, MileageReading.Source.CUSTOMER, crc_agent)


def test_a_lower_mileage_needs_the_correction_reason_the_vehicle_page_asks(
    client, desk, vehicle, diary_advisor, service_operation, mobility
):
    MileageReading.objects.create(vehicle=vehicle, km=52_000, source=MileageReading.Source.RECEPTION)
    data = desk_data(vehicle, service_operation, mobility, slot(diary_advisor, "2026-03-03", "09:00"), mileage_km="41000", step="review")

    refused = client.post(desk, data)

    assert refused.status_code == 400 and 'data-field="mileage_correction_reason"' in refused.text
    assert "52,000 km" in refused.text
    booked = client.post(desk, {**data, "step": "confirm", "mileage_correction_reason": "Typing error last time"})
    assert booked.status_code == 302
    assert vehicle.mileage_readings.first().correction_reason == "Typing error last time"


def test_the_booking_service_refuses_a_lower_mileage_without_reason_and_books_nothing(booking, vehicle):
    MileageReading.objects.create(vehicle=vehicle, km=52_000, source=MileageReading.Source.RECEPTION)

    with pytest.raises(InvalidBooking) as refused:
        booking(at("2026-03-03", "09:00"), mileage_km=41_000)

    assert refused.value.field == "mileage_correction_reason"
    assert not Appointment.objects.exists() and vehicle.mileage_readings.count() == 1


# --- Overdue service, offers --------------------------------------------------------------------------


def test_the_desk_says_the_service_is_overdue(client, desk, vehicle):
    vehicle.next_service_due_date = date(2026, 2, 20)
    vehicle.next_service_due_km = 30_000
    vehicle.save()
    MileageReading.objects.create(vehicle=vehicle, km=31_500, source=MileageReading.Source.CUSTOMER)

    page = client.get(desk, {"vehicle": vehicle.pk}).text

    assert 'id="service-overdue"' in page
    assert "it was due on 02/20/2026" in page and "it was due at 30,000 km, the last reading is 31,500 km" in page


def test_a_service_still_to_come_is_not_overdue(client, desk, vehicle):
    vehicle.next_service_due_date = date(2026, 4, 1)
    vehicle.save()

    assert 'id="service-overdue"' not in client.get(desk, {"vehicle": vehicle.pk}).text


@pytest.fixture
def offers(site):
    today = date(2026, 3, 2)
    running = {"starts_on": today - timedelta(days=10), "ends_on": today + timedelta(days=30)}
    winter = SeasonalOffer.objects.create(title="Winter check", translations={"fr": {"title": "Bilan hiver"}}, **running)
    package = SeasonalOffer.objects.create(kind=SeasonalOffer.Kind.PACKAGE, title="3-year service plan", **running)
    finished = SeasonalOffer.objects.create(title="Finished offer", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1))
    lexus = SeasonalOffer.objects.create(title="Lexus hybrid check", brand=BrandFactory(code="lexus"), **running)
    for offer, amount in ((winter, "49.00"), (package, "590.00"), (finished, "10"), (lexus, "79")):
        offer.prices.create(currency="EUR", amount=Decimal(amount))
    return winter, package


def test_the_desk_shows_the_running_offers_and_packages_with_their_prices(client, desk, vehicle, offers):
    page = client.get(desk, {"vehicle": vehicle.pk}).text

    assert "Winter check" in page and "€49.00" in page
    assert "3-year service plan" in page and "€590.00" in page and "Service package" in page
    assert "Finished offer" not in page and "Lexus hybrid check" not in page


# --- Keyboard ------------------------------------------------------------------------------------------


def test_a_proposal_picked_books_its_time(client, desk, vehicle, diary_advisor, service_operation, mobility):
    data = desk_data(vehicle, service_operation, mobility, "", proposal=slot(diary_advisor, "2026-03-03", "09:00"))

    assert client.post(desk, data).status_code == 302
    assert Appointment.objects.get().starts_at == at("2026-03-03", "09:00")


def test_the_proposals_are_a_radio_group_of_their_own(client, desk, vehicle, service_operation):
    live = client.get(reverse("appointments:desk_live"), {"vehicle": vehicle.pk, "operations": service_operation.pk}).text

    assert live.count('type="radio" name="proposal"') == 2 and 'name="slot"' not in live


# --- Online booking ----------------------------------------------------------------------------------


def test_online_booking_shows_the_offers_with_their_prices_in_the_visitors_language(client, site, customer, vehicle, offers, clock):
    session = client.session
    session[f"online:{site.pk}"] = {"contact": ["sms", customer.mobile], "verified": True, "customer": customer.pk, "vehicle": vehicle.pk}
    session.save()
    MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOUNGE, name="Lounge")

    page = client.get(reverse("online:choose", args=[site.code]), {"lang": "fr"}).text

    assert 'id="offers"' in page and "Bilan hiver" in page and "49,00\xa0€" in page and "590,00\xa0€" in page
