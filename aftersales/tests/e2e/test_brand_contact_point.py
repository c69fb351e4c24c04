"""A Toyota booked by phone at Lexus Marseille: the desk, the confirmation read back and the customer's page all
speak for Toyota Marseille (its name, phone, e-mail and SMS sender), and the Lexus Lounge is not offered."""

import re
from datetime import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory, sell_lexus_and_toyota
from aftersales.customers.models import MobilityService
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging import gateways
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage, SmsSender
from aftersales.messaging.services import deliver_message
from appointments.models import Appointment
from appointments.services import customer_link
from appointments.tests.factories import LabourOperationFactory, MobilityServiceFactory, make_advisor, make_technician

TOYOTA_NAME, TOYOTA_PHONE, TOYOTA_EMAIL = "Toyota Marseille", "+33491290200", "toyota.marseille@example.test"


def settle(page):
    """Let the live panels (htmx) answer before the next step."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


@pytest.fixture
def marseille(site, in_process):
    """Lexus Marseille selling Lexus and Toyota, each with its SMS sender; the Lexus Lounge kept for Lexus."""
    site.name, site.city, site.phone, site.email = "Lexus Marseille", "Marseille", "+33491290000", "apres-vente@example.test"
    site.save()
    lexus, toyota = sell_lexus_and_toyota(site)
    SmsSender.objects.create(site=site, from_number="LexusMRS")
    SmsSender.objects.create(site=site, brand=toyota, from_number="ToyotaMRS")
    seed_default_templates(MessageTemplate)
    make_advisor(site, username="e2e-advisor", weekdays=range(6), starts=time(8), ends=time(18), break_starts=None, break_ends=None)
    for _ in range(2):
        make_technician(site, weekdays=range(6))
    lounge = MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOUNGE, name="Lexus Lounge")
    lounge.brands.set([lexus])
    MobilityServiceFactory(site=site, kind=MobilityService.Kind.SHUTTLE, name="Navette")
    MobilityServiceFactory(site=site, kind=MobilityService.Kind.TAXI_VOUCHER, name="Bon taxi")
    LabourOperationFactory(code="REV-TOY", description="Révision annuelle", flat_rate_hours=Decimal("1.50"))
    return site


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_toyota_booked_at_lexus_marseille_hears_only_from_toyota(page, live_server, login, marseille, mailoutbox, channel):
    agent = UserFactory(roles=[Role.CRC_AGENT], site_list=[marseille], first_name="Julie", language="fr")
    customer = CustomerFactory(
        site=marseille, first_name="Élodie", last_name="Marchand", language="fr", preferred_channel=channel, email="elodie@example.test"
    )
    VehicleFactory(owner=customer, plate="TY-482-CR", make="Toyota", model="Yaris Cross")

    login(page, live_server, agent)
    page.goto(live_server.url + reverse("appointments:desk"))
    page.get_by_role("searchbox").fill("TY-482")
    page.get_by_role("searchbox").press("Enter")
    page.locator("#search-results").get_by_role("link", name=re.compile("TY-482-CR")).first.click()

    expect(page.locator("#greeting")).to_contain_text("Toyota Marseille, Julie, bonjour")
    expect(page.locator("#greeting")).not_to_contain_text("Lexus")
    offered = page.locator("#div_id_mobility_offered")
    expect(offered).to_contain_text("Navette")
    expect(offered).not_to_contain_text("Lexus Lounge")
    expect(page.locator("#div_id_mobility")).not_to_contain_text("Lexus Lounge")

    page.get_by_label("REV-TOY Révision annuelle").check()
    settle(page)
    offered.get_by_label("Navette").check()
    offered.get_by_label("Bon taxi").check()
    page.locator("#div_id_mobility").get_by_label("Navette").check()
    settle(page)
    page.locator("#proposals .proposal input[type=radio]").first.check()
    settle(page)
    for flag in ("services_explained", "prices_given", "walk_around_offered"):
        page.locator(f"#id_{flag}").check()
    page.locator("#id_arrival_area").select_option("express")
    settle(page)
    page.locator("#review-booking").click()
    expect(page.locator("#review")).to_contain_text("Marchand")
    page.locator("#confirm-booking").click()
    expect(page.locator("#status")).to_be_visible()

    appointment = Appointment.objects.get(customer=customer)
    message = OutboxMessage.objects.get(template_key="booking_confirmation", about_id=str(appointment.pk))
    assert (message.brand.code, message.channel) == ("toyota", channel)
    # The worker sends it when it is due (quiet hours follow the real clock here): send it now.
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.QUEUED).update(due_at=timezone.now())
    deliver_message(message_id=message.pk)
    if channel == "sms":
        sms = next(sms for sms in gateways.sms_outbox if sms["message_id"] == message.pk)
        assert sms["from"] == "ToyotaMRS"
        assert sms["body"].startswith(f"{TOYOTA_NAME} : rendez-vous confirmé") and "Lexus" not in sms["body"]
    else:
        email = next(email for email in mailoutbox if email.to == ["elodie@example.test"])
        assert email.from_email == f"{TOYOTA_NAME} <{TOYOTA_EMAIL}>" and email.reply_to == [TOYOTA_EMAIL]
        html = email.alternatives[0][0]
        calendar = next(content for name, content, _type in email.attachments if name == "appointment.ics")
        calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
        assert TOYOTA_NAME in email.body and TOYOTA_PHONE in email.body and TOYOTA_EMAIL in html
        assert TOYOTA_EMAIL in calendar
        for text in (email.subject, email.body, html, calendar):
            assert "Lexus" not in text

    page.goto(customer_link(appointment).replace("http://127.0.0.1:8000", live_server.url))
    expect(page.locator("#contact-name")).to_have_text(TOYOTA_NAME)
    expect(page.locator("#contact-phone")).to_have_text(TOYOTA_PHONE)
    expect(page.locator("#contact-email")).to_have_text(TOYOTA_EMAIL)
    expect(page.locator("body")).not_to_contain_text("Lexus")
    assert "Lexus" not in page.title() and "Lexus" not in page.content()
