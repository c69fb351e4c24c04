"""What the customer receives about a booking is in their language and their site's time, whoever books it."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from aftersales.customers.models import Channel, Customer, LabourOperation, Vehicle
from aftersales.messaging.models import OutboxMessage
from aftersales.messaging.services import deliver_message
from aftersales.tests.documents import CJK, labels_in, spaced
from appointments.exceptions import CapacityExceeded
from appointments.forms import BookingForm
from appointments.models import CapacityOverride
from appointments.services import customer_link
from appointments.slots import JobRequest
from appointments.tests.factories import MobilityServiceFactory

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_9AM = datetime(2026, 3, 3, 9, 0, tzinfo=PARIS)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

# The English of the confirmation's source texts and of the e-mail frame: none may reach a French customer.
CONFIRMATION_LABELS = [
    "Hello",
    "Thank you",
    "Planned work",
    "Please come to",
    "To change or cancel",
    "Kind regards",
    "Phone",
    "Service appointment",
]


@pytest.fixture
def french_catalogue(service_operation):
    LabourOperation.objects.filter(pk=service_operation.pk).update(translations={"fr": {"description": "Révision annuelle"}})
    service_operation.refresh_from_db()
    return service_operation


def token_of(appointment) -> str:
    return customer_link(appointment).rstrip("/").rsplit("/", 1)[-1]


def book_in_chinese(booking, starts_at, django_capture_on_commit_callbacks, **overrides):
    """The booking as a call-centre agent working in Chinese makes it; its messages go out after commit."""
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        return booking(starts_at, **overrides)


def test_the_confirmation_e_mail_of_a_french_customer_is_entirely_french(
    booking, customer, french_catalogue, clock, django_capture_on_commit_callbacks
):
    Customer.objects.filter(pk=customer.pk).update(preferred_channel=Channel.EMAIL)
    customer.refresh_from_db()

    book_in_chinese(booking, TUESDAY_9AM, django_capture_on_commit_callbacks, jobs=[JobRequest.of(french_catalogue)])
    message = OutboxMessage.objects.get(template_key="booking_confirmation")
    clock.move_to(message.due_at)  # booked at 07:00: the e-mail waits for the morning
    deliver_message(message_id=message.pk)

    sent = mail.outbox[-1]
    text = spaced(f"{sent.subject}\n{sent.body}")
    assert sent.to == [customer.email]
    assert "Votre rendez-vous du 3 mars 2026 09:00" in text and "Bonjour" in text and "Révision annuelle" in text
    assert not CJK.search(text) and labels_in(text, CONFIRMATION_LABELS) == []
    calendar = next(content for name, content, _type in sent.attachments if name == "appointment.ics")
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert "SUMMARY:Rendez-vous atelier" in calendar and "TZID=Europe/Paris" in calendar


def test_the_calendar_file_of_the_link_is_in_the_customers_language(client, booking, django_capture_on_commit_callbacks):
    appointment = book_in_chinese(booking, TUESDAY_9AM, django_capture_on_commit_callbacks)

    calendar = client.get(reverse("appointments:public_ics", args=[token_of(appointment)]), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "SUMMARY:Rendez-vous atelier" in calendar


def test_a_russian_customers_page_reads_the_date_in_the_genitive(client, booking, customer, django_capture_on_commit_callbacks):
    Customer.objects.filter(pk=customer.pk).update(language="ru")
    appointment = book_in_chinese(booking, TUESDAY_9AM, django_capture_on_commit_callbacks)

    page = client.get(reverse("appointments:public", args=[token_of(appointment)]), HTTP_ACCEPT_LANGUAGE="en").text

    assert '<html lang="ru">' in page
    assert "Вторник, 3 марта 2026, 09:00" in page and "Март" not in page


def test_a_full_workshop_gives_its_hours_with_the_readers_separators(booking, site):
    CapacityOverride.objects.create(site=site, day=TUESDAY_9AM.date(), axis="workshop_hours", value=5, reason="Training")
    booking(TUESDAY_9AM, jobs=[JobRequest(description="Diagnostic", skill="mechanics", flat_rate_hours=Decimal("3.50"))])

    with translation.override("fr"), pytest.raises(CapacityExceeded) as refused:
        booking(TUESDAY_9AM.replace(hour=10), jobs=[JobRequest(description="Contrôle", skill="mechanics", flat_rate_hours=Decimal("1.00"))])

    assert re.search(r"3,5 h réservées sur \d+,\d h", str(refused.value.message)), refused.value.message


def test_a_mobility_choice_shows_its_price_like_every_amount(site, crc_agent):
    MobilityServiceFactory(site=site, name="Courtesy car", price=Decimal("30.00"))

    with translation.override("fr"):
        form = BookingForm(user=crc_agent, site=site, vehicles=Vehicle.objects.none())
        labels = [str(label) for _value, label in form.fields["mobility"].choices]

    assert "Courtesy car (30,00\xa0€)" in labels
