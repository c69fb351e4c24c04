"""A Toyota booked at the Lexus and Toyota site: its messages, pages and documents speak for Toyota, and the
mobility services kept for Lexus are not offered for it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from aftersales.accounts.tests.factories import sell_lexus_and_toyota
from aftersales.customers.models import MobilityService, Vehicle
from aftersales.messaging import gateways
from aftersales.messaging.models import OutboxMessage, SmsSender
from aftersales.tests.documents import pdf_text
from appointments import online
from appointments.exceptions import InvalidBooking
from appointments.forms import BookingForm
from appointments.online_forms import ChooseForm
from appointments.services import customer_link

from .factories import MobilityServiceFactory, VehicleFactory, web_request_for_matrix

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TUESDAY_9AM = datetime(2026, 3, 3, 9, 0, tzinfo=PARIS)


@pytest.fixture
def brands(site):
    site.name, site.phone, site.email = "Lexus Marseille", "+33491290000", "apres-vente@example.test"
    site.save()
    return sell_lexus_and_toyota(site)


@pytest.fixture
def yaris(customer):
    return VehicleFactory(owner=customer, make="Toyota", model="Yaris Cross")


@pytest.fixture
def services(site, brands):
    """The Lexus Lounge, kept for Lexus; a shuttle and a taxi voucher for every vehicle."""
    lexus, _toyota = brands
    lounge = MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOUNGE, name="Lexus Lounge")
    lounge.brands.set([lexus])
    shuttle = MobilityServiceFactory(site=site, kind=MobilityService.Kind.SHUTTLE, name="Shuttle")
    taxi = MobilityServiceFactory(site=site, kind=MobilityService.Kind.TAXI_VOUCHER, name="Taxi voucher")
    return lounge, shuttle, taxi


def test_a_toyotas_confirmation_speaks_for_toyota(booking, brands, yaris, customer):
    _lexus, toyota = brands
    SmsSender.objects.create(site=customer.site, from_number="LexusMRS")
    SmsSender.objects.create(site=customer.site, brand=toyota, from_number="ToyotaMRS")
    customer.preferred_channel = "sms"
    customer.save()

    appointment = booking(TUESDAY_9AM, vehicle=yaris)

    message = OutboxMessage.objects.get(template_key="booking_confirmation", about_id=str(appointment.pk))
    assert message.brand == toyota
    assert message.body.startswith("Toyota Marseille : rendez-vous confirmé") and "Lexus" not in message.body
    assert gateways.sms_sender_for(message).from_number == "ToyotaMRS"


def test_the_customers_page_shows_the_toyota_contact_point(client, booking, brands, yaris):
    appointment = booking(TUESDAY_9AM, vehicle=yaris)
    token = customer_link(appointment).rstrip("/").rsplit("/", 1)[1]

    page = client.get(reverse("appointments:public", args=[token])).content.decode()

    assert "Toyota Marseille" in page and "+33491290200" in page and "toyota.marseille@example.test" in page
    assert "Lexus" not in page and "+33491290000" not in page


def test_a_lexus_page_keeps_the_sites_own_contact(client, booking, brands, customer):
    rx = VehicleFactory(owner=customer, make="Lexus", model="RX")
    appointment = booking(TUESDAY_9AM, vehicle=rx)
    token = customer_link(appointment).rstrip("/").rsplit("/", 1)[1]

    page = client.get(reverse("appointments:public", args=[token])).content.decode()

    assert "Lexus Marseille" in page and "+33491290000" in page and "Toyota" not in page


def test_the_booking_card_names_toyota(client, booking, brands, yaris, crc_agent):
    appointment = booking(TUESDAY_9AM, vehicle=yaris)
    client.force_login(crc_agent)
    text = pdf_text(client.get(reverse("appointments:booking_card", args=[appointment.pk])).content)
    assert "Toyota Marseille" in text and "+33491290200" in text and "Lexus" not in text


def test_the_desk_and_online_booking_offer_the_lexus_lounge_for_a_lexus_only(site, crc_agent, brands, services):
    lexus, toyota = brands
    lounge, shuttle, taxi = services

    def desk(brand):
        return set(BookingForm(user=crc_agent, site=site, vehicles=Vehicle.objects.none(), brand=brand).fields["mobility"].queryset)

    def online_page(brand):
        return set(ChooseForm(site=site, brand=brand, loaner_offered=True).fields["mobility"].queryset)

    for offered in (desk, online_page):
        assert offered(lexus) == {lounge, shuttle, taxi}
        assert offered(toyota) == {shuttle, taxi}
        assert offered(None) == {shuttle, taxi}


def test_the_lexus_lounge_cannot_be_booked_for_a_toyota(booking, brands, services, yaris):
    lounge, shuttle, _taxi = services
    with pytest.raises(InvalidBooking) as refused:
        booking(TUESDAY_9AM, vehicle=yaris, mobility=[shuttle, lounge])
    assert refused.value.field == "mobility" and "Lexus Lounge" in str(refused.value.message)
    assert list(booking(TUESDAY_9AM, vehicle=yaris, mobility=[shuttle]).mobility.all()) == [shuttle]


def test_the_desk_shows_the_toyota_the_services_it_may_have(client, crc_agent, brands, services, yaris):
    client.force_login(crc_agent)
    page = client.get(reverse("appointments:desk"), {"vehicle": yaris.pk}).content.decode()
    assert "Shuttle" in page and "Lexus Lounge" not in page


def test_an_online_code_asked_on_the_toyota_page_is_signed_by_toyota(brands, customer, django_capture_on_commit_callbacks):
    _lexus, toyota = brands
    with django_capture_on_commit_callbacks(execute=True):
        online.send_access_code(
            site=customer.site, contact=online.Contact("email", customer.email), language="fr", customer=customer, brand=toyota
        )
    email = mail.outbox[-1]
    assert email.from_email == "Toyota Marseille <toyota.marseille@example.test>"
    assert email.reply_to == ["toyota.marseille@example.test"] and "Lexus" not in email.body


def test_a_web_request_for_toyota_is_answered_by_toyota(site, brands, crc_agent, clock):
    _lexus, toyota = brands
    request = web_request_for_matrix(site)
    request.brand = toyota
    request.save()
    online.answer_web_request(web_request=request, answer="Bien sûr.", actor=crc_agent, with_booking_link=True)
    message = OutboxMessage.objects.get(template_key="web_request_answer")
    assert message.brand == toyota and "/toyota/" in message.body and "Toyota Marseille" in message.body
