"""A CRC agent books a service visit on the phone; the reception display shows today's arrivals."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.customers.models import MobilityService
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from appointments.models import Appointment, LoanerReservation
from appointments.slots import NEAR_DAYS
from appointments.tests.factories import (
    LabourOperationFactory,
    LoanerFactory,
    MobilityServiceFactory,
    PartFactory,
    add_kit_line,
    make_advisor,
    make_technician,
)

from .menu import open_from_menu


def settle(page):
    """Let the live panels (htmx) answer before the next step."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


@pytest.fixture
def bookable_site(site):
    """A diary open six days a week, two technicians, a loaner, three mobility services and the message texts."""
    seed_default_templates(MessageTemplate)
    advisor = make_advisor(
        site,
        username="e2e-advisor",
        first_name="Marc",
        last_name="Lenoir",
        weekdays=range(6),
        starts=time(8),
        ends=time(18),
        break_starts=None,
        break_ends=None,
    )
    for _ in range(2):
        make_technician(site, weekdays=range(6))
    LoanerFactory(site=site, description="Audi A1", plate="LO-001-AN")
    for kind in (MobilityService.Kind.LOANER, MobilityService.Kind.SHUTTLE, MobilityService.Kind.LOUNGE):
        MobilityServiceFactory(site=site, kind=kind, name=str(kind.label))
    operation = LabourOperationFactory(code="SERVICE-A", description="Annual service", flat_rate_hours=Decimal("1.50"))
    add_kit_line(operation, PartFactory(name="Oil filter", unit_price=Decimal("12.50")), "1")
    return advisor


def test_phone_booking_end_to_end(page, live_server, login, crc_agent, site, bookable_site):
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", preferred_channel="email", email="elodie@example.test")
    VehicleFactory(owner=customer, plate="EF-482-KL", make="Audi", model="Q3")

    login(page, live_server, crc_agent)
    open_from_menu(page, "Booking", "Booking desk")
    expect(page.locator("#greeting")).to_contain_text("bonjour")

    page.get_by_role("searchbox").fill("482-K")
    page.get_by_role("searchbox").press("Enter")
    page.locator("#search-results").get_by_role("link", name="EF-482-KL").click()

    page.get_by_label("SERVICE-A Annual service").check()
    settle(page)
    expect(page.locator("#estimate .estimate-total")).to_contain_text("€")
    proposals = page.locator("#proposals .proposal input[name=proposal]")
    expect(proposals).to_have_count(2)
    first_day = page.locator("#proposals .proposal label").first.inner_text()
    assert first_day

    page.locator("#div_id_mobility_offered").get_by_label("Courtesy car").check()
    page.locator("#div_id_mobility_offered").get_by_label("Shuttle").check()
    page.locator("#div_id_mobility").get_by_label("Courtesy car").check()
    settle(page)
    proposals.first.check()
    settle(page)
    expect(page.locator("#loaners .free-loaner")).to_contain_text("LO-001-AN")
    page.get_by_label("Loaner").select_option(label="Audi A1 LO-001-AN")

    page.get_by_label("Services and the work explained").check()
    page.get_by_label("Prices given (estimate, VAT included)").check()
    page.get_by_label("10-minute walk-around with the advisor offered").check()
    page.get_by_label("Arrival area").select_option("express")
    settle(page)
    page.get_by_role("button", name="Restate and confirm").click()

    expect(page.locator("#review")).to_contain_text("Marchand")
    page.get_by_role("button", name="Confirm the booking").click()

    expect(page.locator("#status")).to_have_text("Booked")
    appointment = Appointment.objects.get(customer=customer)
    assert appointment.starts_at.date() <= (timezone.now() + timedelta(days=NEAR_DAYS)).date()
    assert appointment.checklist["mobility_offered"] and appointment.checklist["walk_around_offered"]
    assert LoanerReservation.objects.filter(appointment=appointment, loaner__plate="LO-001-AN").exists()
    message = OutboxMessage.objects.get(template_key="booking_confirmation", about_id=str(appointment.pk))
    assert message.channel == "email" and "/appointments/b/" in message.body
    ics = message.attachments.get(filename="appointment.ics")
    assert b"BEGIN:VEVENT" in bytes(ics.content)


def test_reception_display_lists_todays_arrivals(page, live_server, login, advisor, site, bookable_site):
    customer = CustomerFactory(site=site, first_name="Claire", last_name="Arrivant")
    now = timezone.now()
    Appointment.objects.create(
        site=site,
        customer=customer,
        vehicle=VehicleFactory(owner=customer),
        advisor=bookable_site,
        starts_at=now,
        handover_at=now + timedelta(hours=2),
        workshop_day=timezone.localdate(now, site.tz),
        channel="walk_in",
        origin="walk_in",
        currency=site.currency,
        booked_by=advisor,
    )

    login(page, live_server, advisor)
    open_from_menu(page, "Booking", "Reception display")

    arrival = page.locator("#arrivals-table .arrival")
    expect(arrival).to_have_count(1)
    expect(arrival).to_contain_text("Claire A.")
    expect(arrival).not_to_contain_text("Arrivant")
    expect(arrival).to_contain_text("Marc L.")
    expect(page.locator("#arrivals")).to_have_attribute("data-hx-trigger", "every 30s")
