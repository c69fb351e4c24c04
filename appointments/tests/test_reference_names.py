"""Catalogue names in a booking: copied in the customer's language, read by the staff in theirs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import User
from aftersales.customers.models import Channel, Customer, LabourOperation, MobilityService
from aftersales.messaging.models import OutboxMessage
from appointments.slots import JobRequest

from .factories import MobilityServiceFactory

TUESDAY_9AM = datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
pytestmark = pytest.mark.django_db

SERVICE = {"fr": {"description": "Révision annuelle"}, "ru": {"description": "Ежегодное ТО"}, "zh-hans": {"description": "年度保养"}}


@pytest.fixture
def translated_service(service_operation):
    LabourOperation.objects.filter(pk=service_operation.pk).update(translations=SERVICE)
    service_operation.refresh_from_db()
    return service_operation


def test_a_french_customers_booking_and_confirmation_carry_the_french_names(
    booking, customer, translated_service, django_capture_on_commit_callbacks
):
    Customer.objects.filter(pk=customer.pk).update(preferred_channel=Channel.EMAIL)  # the e-mail lists the planned work
    customer.refresh_from_db()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # an agent working in English
        appointment = booking(TUESDAY_9AM, jobs=[JobRequest.of(translated_service)])

    assert appointment.jobs.get().description == "Révision annuelle"
    confirmation = OutboxMessage.objects.get(template_key="booking_confirmation", customer=customer)
    assert confirmation.language == "fr"
    assert "Révision annuelle" in confirmation.body and "Annual service" not in confirmation.body


def test_the_staff_read_a_russian_customers_booked_job_in_their_own_language(
    client, booking, customer, diary_advisor, translated_service, site, django_capture_on_commit_callbacks
):
    Customer.objects.filter(pk=customer.pk).update(language="ru")
    customer.refresh_from_db()
    lounge = MobilityServiceFactory(
        site=site, kind=MobilityService.Kind.LOUNGE, name="Waiting lounge", translations={"fr": {"name": "Salon"}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        appointment = booking(TUESDAY_9AM, jobs=[JobRequest.of(translated_service)], mobility=[lounge])
    assert appointment.jobs.get().description == "Ежегодное ТО"
    User.objects.filter(pk=diary_advisor.pk).update(language="fr")
    client.force_login(diary_advisor)

    page = client.get(reverse("appointments:detail", args=[appointment.pk])).content.decode()

    assert "Révision annuelle" in page and "Salon" in page
    assert "Ежегодное ТО" not in page and "Annual service" not in page and "Waiting lounge" not in page
