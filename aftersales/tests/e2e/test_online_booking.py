"""On a phone: a customer books online with a code and moves the booking by the link; bad links and codes are refused politely."""

import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.customers.models import MobilityService
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging import gateways
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OneTimeCode
from appointments import online
from appointments.models import Appointment
from appointments.services import customer_link
from appointments.tests.factories import (
    LabourOperationFactory,
    MobilityServiceFactory,
    PartFactory,
    add_kit_line,
    make_advisor,
    make_technician,
)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "en-GB"}


@pytest.fixture
def online_site(site, settings):
    """A diary open six days a week, two technicians, two mobility services, a catalogue job and the message texts."""
    settings.SMS_BACKEND = "locmem"
    gateways.sms_outbox.clear()
    cache.clear()
    seed_default_templates(MessageTemplate)
    advisor = make_advisor(
        site,
        username="online-advisor",
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
    for kind in (MobilityService.Kind.SHUTTLE, MobilityService.Kind.LOUNGE):
        MobilityServiceFactory(site=site, kind=kind, name=str(kind.label))
    operation = LabourOperationFactory(code="SERVICE-A", description="Annual service", flat_rate_hours=Decimal("1.50"))
    add_kit_line(operation, PartFactory(name="Oil filter", unit_price=Decimal("12.50")), "1")
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", mobile="+33612340001")
    vehicle = VehicleFactory(owner=customer, plate="EF-482-KL", make="Audi", model="Q3")
    yield {"advisor": advisor, "customer": customer, "vehicle": vehicle, "operation": operation}
    cache.clear()


def sms_code() -> str:
    return re.search(r"\b(\d{6})\b", gateways.sms_outbox[-1]["body"]).group(1)


def test_a_customer_books_online_with_a_code_and_the_booking_shows_in_the_diary(page, live_server, login, site, online_site):
    page.goto(live_server.url + reverse("online:book", args=[site.code]) + "?lang=en")
    page.get_by_label("Registration plate or VIN").fill("ef 482 kl")
    page.get_by_label("Mobile or e-mail").fill("06 12 34 00 01")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.locator("#code-sent")).to_contain_text("We sent a 6-digit code by SMS")

    page.get_by_label("Code received").fill(sms_code())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_contain_text("Hello Élodie")
    page.get_by_text("Annual service").click()
    page.get_by_label("Shuttle").check()
    page.get_by_label("Anything to tell us?").fill("A squeak at the back")
    page.get_by_role("button", name="Choose a time").click()

    expect(page.locator("#estimate")).to_contain_text("VAT included")
    page.locator(".slot-times label").first.click()
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("alert")).to_contain_text("Your appointment is booked")
    appointment = Appointment.objects.get()
    assert appointment.channel == "online" and appointment.customer == online_site["customer"]
    local = timezone.localtime(appointment.starts_at, site.tz)
    expect(page.locator("#when")).to_contain_text(local.strftime("%H:%M"))
    page.screenshot(path="/tmp/online-booking-confirmation.png", full_page=True)

    page.context.clear_cookies()
    login(page, live_server, online_site["advisor"])
    page.goto(live_server.url + reverse("appointments:diary") + f"?day={appointment.workshop_day.isoformat()}")
    expect(page.locator(f"a[href='{reverse('appointments:detail', args=[appointment.pk])}']").first).to_contain_text("Marchand")


def test_the_customer_moves_the_booking_through_the_link(page, live_server, site, online_site):
    start = timezone.localtime(timezone.now(), site.tz).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=3)
    if start.weekday() == 6:
        start += timedelta(days=1)
    shuttle = MobilityService.objects.get(site=site, kind=MobilityService.Kind.SHUTTLE)
    appointment = online.book_online(
        site=site,
        customer=online_site["customer"],
        vehicle=online_site["vehicle"],
        operations=[online_site["operation"]],
        mobility=shuttle,
        advisor_id=online_site["advisor"].pk,
        starts_at=start,
    )
    page.goto(customer_link(appointment).replace("http://127.0.0.1:8000", live_server.url) + "?lang=en")
    page.get_by_role("link", name="Change the time").click()
    page.locator("#move .slot-times label").nth(3).click()
    page.get_by_role("button", name="Move my appointment").click()

    expect(page.get_by_role("alert")).to_contain_text("Your appointment is moved")
    appointment.refresh_from_db()
    new = appointment.rescheduled_to
    assert appointment.status == "rescheduled" and new.status == "booked"
    expect(page.locator("#when")).to_contain_text(timezone.localtime(new.starts_at, site.tz).strftime("%H:%M"))
    assert new.events.filter(details__customer_change="rescheduled").exists()


def test_a_tampered_link_and_an_expired_code_are_refused_politely(page, live_server, site, online_site):
    shuttle = MobilityService.objects.get(site=site, kind=MobilityService.Kind.SHUTTLE)
    start = timezone.localtime(timezone.now(), site.tz).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    if start.weekday() == 6:
        start += timedelta(days=1)
    appointment = online.book_online(
        site=site,
        customer=online_site["customer"],
        vehicle=online_site["vehicle"],
        operations=[online_site["operation"]],
        mobility=shuttle,
        advisor_id=online_site["advisor"].pk,
        starts_at=start,
    )
    link = customer_link(appointment).replace("http://127.0.0.1:8000", live_server.url)
    page.goto(link[:-4] + "abc/")
    expect(page.locator("#link-error")).to_contain_text("incomplete or was changed")

    page.goto(live_server.url + reverse("online:book", args=[site.code]) + "?lang=en")
    page.get_by_label("Registration plate or VIN").fill("EF-482-KL")
    page.get_by_label("Mobile or e-mail").fill("+33612340001")
    page.get_by_role("button", name="Send me a code").click()
    code = sms_code()
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page.get_by_label("Code received").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("[data-field=code]")).to_contain_text("expired")
    page.screenshot(path="/tmp/online-expired-code.png", full_page=True)
