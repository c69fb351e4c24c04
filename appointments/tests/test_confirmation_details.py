"""Confirmations that say everything: the estimate, the mobility chosen, the documents typed and the arrival area,
in the SMS, the e-mail, the calendar file and the booking card, in the customer's language."""

import importlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.customers.models import Channel, LabourOperation, MobilityService
from aftersales.lib.formatting import format_money
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from aftersales.tests.documents import labels_in, pdf_text, spaced
from appointments import online
from appointments.models import Appointment
from appointments.services import arrival_area_for, customer_link
from appointments.slots import JobRequest

from .factories import MobilityServiceFactory

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_9AM = datetime(2026, 3, 3, 9, 0, tzinfo=PARIS)
TYPED_DOCUMENTS = "Carte grise, double des clés, facture du pare-brise"
pytestmark = pytest.mark.django_db
Area = Appointment.ArrivalArea
Skill = LabourOperation.Skill

NAMES = {"fr": "Prise en charge à domicile", "ru": "Забор и доставка автомобиля"}
# The English of the new lines: none may reach a French or Russian customer.
ENGLISH_LABELS = ["Estimate", "VAT included", "During the visit", "Please bring", "Bring", "Come to", "Mobility", "Arrival area"]


@pytest.fixture
def pickup(site):
    return MobilityServiceFactory(
        site=site,
        kind=MobilityService.Kind.PICKUP_DELIVERY,
        name="Pick-up and delivery",
        price=Decimal("25.00"),
        translations={language: {"name": name} for language, name in NAMES.items()},
    )


def book(booking, customer, *, channel, language, starts_at, service_operation, pickup, documents=TYPED_DOCUMENTS, area="bodyshop"):
    customer.preferred_channel, customer.language, customer.email = channel, language, "client@example.test"
    customer.save()
    return booking(
        starts_at,
        jobs=[JobRequest.of(service_operation)],
        mobility=[pickup],
        checklist={"documents_to_bring": documents, "arrival_area": area},
    )


def expected(appointment, language: str) -> list[str]:
    with translation.override(language):
        area = str(Area.BODYSHOP.label)
    return [
        spaced(format_money(appointment.gross_total, "EUR", language)),
        spaced(f"{NAMES[language]} ({format_money(Decimal('25.00'), 'EUR', language)})"),
        TYPED_DOCUMENTS,
        area,
    ]


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_the_sms_and_the_e_mail_carry_the_estimate_mobility_typed_documents_and_arrival_area(
    booking, customer, service_operation, pickup, language
):
    by_sms = book(
        booking, customer, channel=Channel.SMS, language=language, starts_at=TUESDAY_9AM, service_operation=service_operation, pickup=pickup
    )
    by_email = book(
        booking,
        customer,
        channel=Channel.EMAIL,
        language=language,
        starts_at=TUESDAY_9AM + timedelta(days=1),
        service_operation=service_operation,
        pickup=pickup,
    )

    for appointment, channel in ((by_sms, "sms"), (by_email, "email")):
        message = OutboxMessage.objects.get(template_key="booking_confirmation", about_id=str(appointment.pk))
        text = spaced(f"{message.subject}\n{message.body}")
        assert (message.channel, message.language) == (channel, language)
        assert all(value in text for value in expected(appointment, language)), text
        assert labels_in(text, ENGLISH_LABELS) == [], text


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_the_calendar_file_and_the_booking_card_carry_the_same(client, advisor, booking, customer, service_operation, pickup, language):
    appointment = book(
        booking,
        customer,
        channel=Channel.EMAIL,
        language=language,
        starts_at=TUESDAY_9AM,
        service_operation=service_operation,
        pickup=pickup,
    )
    message = OutboxMessage.objects.get(template_key="booking_confirmation", about_id=str(appointment.pk))
    calendar = icalendar.Calendar.from_ical(bytes(message.attachments.get(filename="appointment.ics").content))
    client.force_login(advisor)

    description = spaced(str(calendar.walk("VEVENT")[0]["DESCRIPTION"]))
    card = spaced(pdf_text(client.get(reverse("appointments:booking_card", args=[appointment.pk])).content))

    for document in (description, card):
        assert all(value in document for value in expected(appointment, language)), document
        assert labels_in(document, ENGLISH_LABELS) == [], document
    assert customer_link(appointment) in description


def test_a_default_list_left_untouched_reads_in_the_customers_language(booking, customer, service_operation, pickup):
    with translation.override("fr"):
        french_default = "Carnet d'entretien, certificat d'immatriculation, clé antivol de roue"
    appointment = book(
        booking,
        customer,
        channel=Channel.SMS,
        language="ru",
        starts_at=TUESDAY_9AM,
        service_operation=service_operation,
        pickup=pickup,
        documents=french_default,
    )

    body = OutboxMessage.objects.get(about_id=str(appointment.pk), template_key="booking_confirmation").body

    assert "Сервисная книжка, свидетельство о регистрации, ключ секреток" in body and french_default not in body


def test_the_online_confirmation_page_shows_the_mobility_chosen(client, site, diary_advisor, technicians, customer, vehicle, pickup, clock):
    operation = LabourOperation.objects.create(code="EXPRESS-OIL", description="Oil change", skill=Skill.EXPRESS, flat_rate_hours=1)
    customer.language = "ru"
    customer.save()
    appointment = online.book_online(
        site=site,
        customer=customer,
        vehicle=vehicle,
        operations=[operation],
        mobility=pickup,
        advisor_id=diary_advisor.pk,
        starts_at=timezone.make_aware(datetime(2026, 3, 4, 9, 0), site.tz),
    )

    page = client.get(customer_link(appointment).removeprefix("http://testserver"), HTTP_ACCEPT_LANGUAGE="en")
    text = spaced(page.content.decode())

    assert page.status_code == 200 and 'id="mobility"' in page.text
    assert spaced(f"{NAMES['ru']} ({format_money(Decimal('25.00'), 'EUR', 'ru')})") in text
    with translation.override("ru"):
        assert appointment.checklist["arrival_area"] == Area.EXPRESS and str(Area.EXPRESS.label) in text
    assert "Сервисная книжка" in text


def test_the_manage_page_shows_the_mobility_chosen_after_a_phone_booking(client, booking, customer, service_operation, pickup):
    appointment = book(
        booking, customer, channel=Channel.SMS, language="fr", starts_at=TUESDAY_9AM, service_operation=service_operation, pickup=pickup
    )

    page = client.get(reverse("appointments:public", args=[customer_link(appointment).rstrip("/").rsplit("/", 1)[-1]]))

    assert NAMES["fr"] in page.text and TYPED_DOCUMENTS in page.text and "Atelier carrosserie" in page.text


@pytest.mark.parametrize(
    ("skills", "area"),
    [
        ([Skill.EXPRESS], Area.EXPRESS),
        ([Skill.EXPRESS, Skill.MECHANICS], Area.MECHANICAL),
        ([Skill.DIAGNOSIS], Area.MECHANICAL),
        ([Skill.MECHANICS, Skill.BODYWORK], Area.BODYSHOP),
    ],
)
def test_a_booking_that_names_no_arrival_area_gets_the_one_of_its_work(skills, area):
    assert arrival_area_for([JobRequest(description="x", skill=skill) for skill in skills]) == area


def test_the_new_texts_replace_only_the_default_texts_no_one_edited():
    migration = importlib.import_module("aftersales.messaging.migrations.0005_confirmation_details")
    templates = MessageTemplate.objects.filter(key="booking_confirmation")
    for language, (subject, body_text, sms_body) in migration.FORMER.items():
        templates.filter(language=language).update(subject=subject, body_text=body_text, sms_body=sms_body)
    templates.filter(language="fr").update(sms_body="Texte du garage")

    migration.forwards(apps, None)

    after = {template.language: (template.subject, template.body_text, template.sms_body) for template in templates}
    assert after["en"] == migration.CURRENT["en"] and after["ru"] == migration.CURRENT["ru"]
    assert after["fr"][2] == "Texte du garage" and after["fr"][1] == migration.CURRENT["fr"][1]
    migration.backwards(apps, None)
    assert templates.get(language="en").body_text == migration.FORMER["en"][1]


def test_the_manage_page_reads_the_mobility_in_one_query(
    client, booking, customer, service_operation, pickup, site, django_assert_max_num_queries
):
    appointment = book(
        booking, customer, channel=Channel.SMS, language="fr", starts_at=TUESDAY_9AM, service_operation=service_operation, pickup=pickup
    )
    kinds = [MobilityService.Kind.TAXI_VOUCHER, MobilityService.Kind.TRANSPORT_VOUCHER, MobilityService.Kind.LOUNGE]
    appointment.mobility.add(*(MobilityServiceFactory(site=site, kind=kind, name=f"Service {kind}") for kind in kinds))
    url = reverse("appointments:public", args=[customer_link(appointment).rstrip("/").rsplit("/", 1)[-1]])

    with django_assert_max_num_queries(7):
        page = client.get(url)

    assert all(f"Service {kind}" in page.text for kind in kinds)
