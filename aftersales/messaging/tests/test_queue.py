from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from aftersales.customers.models import ConsentRecord
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging import gateways
from aftersales.messaging.exceptions import InvalidMessageRequest
from aftersales.messaging.models import MessageEvent, MessageTemplate, OutboxAttachment, OutboxMessage
from aftersales.messaging.services import queue_message

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
Status = OutboxMessage.Status


@pytest.fixture
def open_day(time_machine):
    time_machine.move_to(TUESDAY_10AM, tick=False)
    return TUESDAY_10AM


def queue(customer, key="k1", **overrides):
    arguments = {
        "customer": customer,
        "template": "booking_confirmation",
        "idempotency_key": key,
        "purpose": "service",
        "context": {
            "start": TUESDAY_10AM,
            "vehicle": "Audi A4",
            "services": "Service",
            "arrival_area": "Atelier",
            "link": "https://x.test/b",
        },
    }
    return queue_message(**(arguments | overrides))


def test_queue_twice_with_the_same_key_keeps_one_row(customer, open_day):
    first = queue(customer)
    second = queue(customer, context={})
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert MessageEvent.objects.filter(message=first).count() == 1


def test_a_message_due_now_is_sent_after_commit_in_the_customers_language(customer, open_day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(customer)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.language == "fr" and not message.language_fallback
    assert gateways.sms_outbox[0]["to"] == "+33612345678"
    assert "rendez-vous confirmé le" in gateways.sms_outbox[0]["body"]
    assert [e.to_status for e in message.events.all()] == [Status.QUEUED, Status.SENDING, Status.SENT]


def test_nothing_is_sent_before_the_business_transaction_commits(customer, open_day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue(customer)
    assert len(callbacks) == 1
    assert gateways.sms_outbox == []


def test_about_is_kept_as_content_type_and_id(customer, open_day):
    vehicle = VehicleFactory(owner=customer)
    message = queue(customer, about=vehicle)
    assert message.about == vehicle
    assert message.about_repr == str(vehicle)


@pytest.mark.parametrize("bad", [{"idempotency_key": ""}, {"purpose": "spam"}, {"channel": "fax"}])
def test_an_incomplete_request_is_refused(customer, open_day, bad):
    with pytest.raises(InvalidMessageRequest):
        queue(customer, **bad)
    assert not OutboxMessage.objects.exists()


def test_service_message_falls_back_to_email_without_a_mobile(site, templates, open_day):
    customer = CustomerFactory(site=site, mobile="", email="a@example.test", preferred_channel="sms")
    message = queue(customer)
    assert (message.channel, message.recipient, message.status) == ("email", "a@example.test", Status.QUEUED)


def test_service_message_uses_the_preferred_email_channel(site, templates, open_day):
    customer = CustomerFactory(site=site, preferred_channel="email")
    assert queue(customer).channel == "email"


def test_without_any_address_the_message_is_suppressed_with_its_reason(site, templates, open_day):
    customer = CustomerFactory(site=site, mobile="", email="")
    message = queue(customer)
    assert message.status == Status.SUPPRESSED
    assert message.failure_code == "no_contact"
    assert "no mobile number or e-mail" in message.failure_reason


def test_marketing_needs_consent_for_the_channel(customer, open_day):
    message = queue(customer, template="maintenance_reminder", purpose="marketing")
    assert (message.status, message.failure_code) == (Status.SUPPRESSED, "no_consent")


def test_marketing_goes_by_the_channel_with_consent(customer, open_day):
    ConsentRecord.objects.create(customer=customer, channel="sms", granted=False, source="form")
    ConsentRecord.objects.create(customer=customer, channel="email", granted=True, source="form")
    message = queue(customer, template="maintenance_reminder", purpose="marketing")
    assert (message.status, message.channel) == (Status.QUEUED, "email")


def test_the_latest_consent_record_holds(customer, open_day):
    ConsentRecord.objects.create(customer=customer, channel="sms", granted=True, source="form", recorded_at=timezone.now())
    ConsentRecord.objects.create(customer=customer, channel="sms", granted=False, source="sms_reply", recorded_at=timezone.now())
    customer.email = ""
    message = queue(customer, template="maintenance_reminder", purpose="marketing")
    assert (message.status, message.failure_code) == (Status.SUPPRESSED, "opted_out")


def test_service_sms_respects_a_stop_reply_and_falls_back_to_email(customer, open_day):
    ConsentRecord.objects.create(customer=customer, channel="sms", granted=False, source="sms_reply")
    message = queue(customer)
    assert message.channel == "email"


def test_an_explicit_channel_gets_no_fallback(site, templates, open_day):
    customer = CustomerFactory(site=site, mobile="")
    message = queue(customer, template="one_time_code", channel="sms", context={"code": "123456", "minutes": 10})
    assert (message.status, message.channel, message.failure_code) == (Status.SUPPRESSED, "sms", "no_contact")


def test_missing_translation_falls_back_to_the_site_language_and_says_so(site, templates, open_day):
    MessageTemplate.objects.filter(key="booking_confirmation", language="ru").delete()
    customer = CustomerFactory(site=site, language="ru")
    message = queue(customer)
    assert (message.language, message.requested_language, message.language_fallback) == ("fr", "ru", True)
    assert "Bonjour" not in message.body and "rendez-vous" in message.body


def test_times_in_the_text_are_in_the_site_time_zone(customer, open_day):
    message = queue(customer, context={"start": datetime(2026, 11, 25, 8, 30, tzinfo=ZoneInfo("UTC")), "vehicle": "A4", "link": "l"})
    assert "09:30" in message.body


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 24, 21, 30, tzinfo=PARIS), datetime(2026, 11, 25, 8, 0, tzinfo=PARIS)),  # evening: next morning
        (datetime(2026, 11, 24, 6, 15, tzinfo=PARIS), datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)),  # early: same morning
        (datetime(2026, 11, 28, 21, 0, tzinfo=PARIS), datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)),  # Saturday night, Sunday closed
        (datetime(2026, 11, 29, 11, 0, tzinfo=PARIS), datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)),  # Sunday: no opening hours
        (datetime(2026, 12, 24, 20, 0, tzinfo=PARIS), datetime(2026, 12, 26, 8, 0, tzinfo=PARIS)),  # 25 Dec is a holiday
    ],
)
def test_quiet_hours_and_closed_days_hold_non_urgent_messages(customer, time_machine, now, expected):
    time_machine.move_to(now, tick=False)
    message = queue(customer)
    assert message.status == Status.QUEUED
    assert message.due_at == expected
    assert message.enqueued_at is None


def test_an_urgent_message_ignores_quiet_hours(customer, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(datetime(2026, 11, 24, 23, 0, tzinfo=PARIS), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(customer, template="one_time_code", urgent=True, context={"code": "1", "minutes": 5})
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_email_has_html_and_text_parts_a_site_header_and_an_ics_invite(site, templates, open_day, django_capture_on_commit_callbacks):
    customer = CustomerFactory(site=site, preferred_channel="email", language="en")
    start = datetime(2026, 11, 26, 9, 0, tzinfo=PARIS)
    with django_capture_on_commit_callbacks(execute=True):
        queue(
            customer,
            ics_event={"uid": "appt-1@aftersales", "start": start, "end": start.replace(hour=10), "summary": "Service"},
            attachments=[("estimate.pdf", b"%PDF-1.4", "application/pdf")],
        )
    sent = mail.outbox[0]
    assert sent.to == [customer.email]
    assert site.name in sent.body and "Thank you for booking" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and site.name in html and "<p>" in html
    names = [attachment[0] for attachment in sent.attachments]
    assert names == ["estimate.pdf", "appointment.ics"]
    ics = next(a for a in sent.attachments if a[0] == "appointment.ics")
    content = ics[1].encode() if isinstance(ics[1], str) else ics[1]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start.replace(hour=10)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert str(event["location"]) == f"{site.name}, {site.address}, {site.postcode} {site.city}"
    assert Calendar.from_ical(content).walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"


def test_sms_gets_no_attachments(customer, open_day):
    start = datetime(2026, 11, 26, 9, 0, tzinfo=PARIS)
    message = queue(customer, ics_event={"uid": "u", "start": start, "end": start.replace(hour=10), "summary": "S"})
    assert message.channel == "sms"
    assert not OutboxAttachment.objects.exists()
