"""A message about a vehicle speaks for the vehicle's brand: its name and phone in the text, its SMS sender, its
e-mail address as From and Reply-To; the site's own where the brand has none."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from aftersales.accounts.tests.factories import sell_lexus_and_toyota
from aftersales.customers.tests.factories import VehicleFactory
from aftersales.messaging import gateways
from aftersales.messaging.models import OutboxMessage, SmsSender
from aftersales.messaging.services import queue_message

TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def brands(site, time_machine):
    time_machine.move_to(TUESDAY_10AM, tick=False)
    site.name, site.phone, site.email = "Lexus Marseille", "+33491290000", "apres-vente@example.test"
    site.save()
    return sell_lexus_and_toyota(site)


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """confirm(customer, vehicle, channel=..., **context): a booking confirmation queued about the vehicle, and sent."""

    def queue_and_send(customer, vehicle, *, channel, key="confirmation", **extra) -> OutboxMessage:
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_message(
                customer=customer,
                template="booking_confirmation",
                idempotency_key=key,
                purpose="service",
                channel=channel,
                vehicle=vehicle,
                context={
                    "start": TUESDAY_10AM + timedelta(days=2),
                    "vehicle": str(vehicle),
                    "services": "Entretien",
                    "arrival_area": "Atelier",
                    "link": "https://x.test/b/1",
                    **extra,
                },
            )
        message.refresh_from_db()
        return message

    return queue_and_send


def test_an_sms_about_a_toyota_is_signed_and_sent_by_toyota(customer, brands, confirm):
    lexus, toyota = brands
    SmsSender.objects.create(site=customer.site, from_number="LexusMRS")
    SmsSender.objects.create(site=customer.site, brand=toyota, from_number="ToyotaMRS")
    yaris = VehicleFactory(owner=customer, make="Toyota", model="Yaris Cross")

    message = confirm(customer, yaris, channel="sms")

    assert message.brand == toyota
    assert message.body.startswith("Toyota Marseille : rendez-vous confirmé")
    sent = gateways.sms_outbox[-1]
    assert (sent["from"], sent["message_id"]) == ("ToyotaMRS", message.pk)
    assert "Lexus" not in sent["body"]


def test_an_email_about_a_toyota_comes_from_and_answers_to_toyota(customer, brands, confirm):
    _lexus, toyota = brands
    yaris = VehicleFactory(owner=customer, make="Toyota", model="Yaris Cross")

    message = confirm(customer, yaris, channel="email")

    email = mail.outbox[-1]
    assert email.from_email == "Toyota Marseille <toyota.marseille@example.test>"
    assert email.reply_to == ["toyota.marseille@example.test"]
    assert "Toyota Marseille" in email.subject + email.body and "+33491290200" in email.body
    assert "+33491290200" in message.body_html and "toyota.marseille@example.test" in message.body_html
    assert "Lexus" not in email.subject + email.body + message.body_html
    assert "Toyota · Toyota" not in message.body_html  # the brand is not named twice in the heading


def test_a_brand_without_its_own_address_falls_back_to_the_sites(customer, brands, confirm):
    lexus, _toyota = brands
    SmsSender.objects.create(site=customer.site, from_number="LexusMRS")
    rx = VehicleFactory(owner=customer, make="Lexus", model="RX")

    by_email = confirm(customer, rx, channel="email", key="email")
    by_sms = confirm(customer, rx, channel="sms", key="sms")

    assert by_email.brand == lexus and by_sms.brand == lexus
    assert mail.outbox[-1].from_email == "Lexus Marseille <apres-vente@example.test>"
    assert mail.outbox[-1].reply_to == ["apres-vente@example.test"]
    assert "+33491290000" in mail.outbox[-1].body
    assert gateways.sms_outbox[-1]["from"] == "LexusMRS"


def test_a_make_the_site_does_not_sell_gets_the_sites_contact(customer, brands, confirm):
    clio = VehicleFactory(owner=customer, make="Renault", model="Clio")

    message = confirm(customer, clio, channel="email")

    assert message.brand is None
    assert mail.outbox[-1].from_email == "Lexus Marseille <apres-vente@example.test>"
    assert "Toyota" not in mail.outbox[-1].body


def test_the_contexts_brand_wins_over_the_vehicles(customer, brands, confirm):
    lexus, _toyota = brands
    yaris = VehicleFactory(owner=customer, make="Toyota", model="Yaris Cross")

    message = confirm(customer, yaris, channel="sms", brand=lexus)

    assert message.brand == lexus and message.body.startswith("Lexus Marseille")


def test_without_a_vehicle_the_message_is_the_sites(customer, brands):
    message = queue_message(
        customer=customer,
        template="one_time_code",
        idempotency_key="code",
        purpose="service",
        channel="sms",
        context={"code": "123456", "minutes": 10},
    )
    assert message.brand is None and "Lexus Marseille" in message.body
