"""Sending through the real twilio client against a local fake Twilio, e-mail through Django's locmem backend."""

import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from aftersales.customers.models import ConsentRecord
from aftersales.messaging import gateways
from aftersales.messaging.models import MessageEvent, OutboxMessage, SmsSender
from aftersales.messaging.services import (
    MAX_ATTEMPTS,
    SENDING_TIMEOUT,
    deliver_message,
    queue_message,
    record_provider_status,
    retry_delay,
    sweep_outbox,
)
from aftersales.messaging.tasks import send_message

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
Status = OutboxMessage.Status


@pytest.fixture
def open_day(time_machine):
    time_machine.move_to(TUESDAY_10AM, tick=False)
    return TUESDAY_10AM


@pytest.fixture
def message(customer, open_day):
    return queue_message(
        customer=customer,
        template="booking_reminder_24h",
        idempotency_key="reminder-1",
        purpose="service",
        context={"start": TUESDAY_10AM + timedelta(days=1), "vehicle": "Audi Q5", "link": "https://x.test/c"},
    )


def test_the_task_is_a_thin_wrapper_and_a_second_run_sends_nothing(message):
    send_message(message.pk)
    send_message(message.pk)
    assert len(gateways.sms_outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == (Status.SENT, 1, "locmem-1")


def test_a_message_not_yet_due_is_not_claimed(message, time_machine):
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=timezone.now() + timedelta(hours=1))
    assert deliver_message(message_id=message.pk) is None
    assert gateways.sms_outbox == []


def test_twilio_success_records_the_sid_and_uses_the_site_sender(message, fake_twilio, site):
    SmsSender.objects.create(site=site, from_number="+33755555555")
    sent = deliver_message(message_id=message.pk)
    created = fake_twilio.created_for("+33612345678")
    assert len(created) == 1 and created[0]["from"] == "+33755555555"
    assert "rappel de votre rendez-vous" in created[0]["body"]
    assert (sent.status, sent.provider_id) == (Status.SENT, created[0]["sid"])


def test_a_brand_sender_wins_over_the_site_sender(site, customer, fake_twilio, open_day):
    brand = site.brands.first()
    SmsSender.objects.create(site=site, from_number="+33755555555")
    SmsSender.objects.create(site=site, brand=brand, messaging_service_sid="MG" + "1" * 32)
    message = queue_message(
        customer=customer,
        template="one_time_code",
        idempotency_key="otp",
        purpose="service",
        context={"code": "1", "minutes": 5, "brand": brand},
    )
    deliver_message(message_id=message.pk)
    assert fake_twilio.created[0]["messaging_service_sid"] == "MG" + "1" * 32


def test_a_twilio_5xx_is_retried_later_with_backoff(message, fake_twilio):
    fake_twilio.errors["+33612345678"] = (503, 20503, "Service unavailable")
    failed = deliver_message(message_id=message.pk)
    assert failed.status == Status.QUEUED
    assert failed.due_at == timezone.now() + timedelta(minutes=1)
    assert "20503" in failed.last_error
    assert failed.attempts == 1


def test_a_rate_limit_is_temporary(message, fake_twilio):
    fake_twilio.errors["+33612345678"] = (429, 20429, "Too many requests")
    assert deliver_message(message_id=message.pk).status == Status.QUEUED


def test_an_unreachable_twilio_is_temporary(message, fake_twilio, monkeypatch):
    monkeypatch.setenv("FAKE_TWILIO_URL", "http://127.0.0.1:9")
    assert deliver_message(message_id=message.pk).status == Status.QUEUED


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [60, 120, 240, 480, 3600, 3600]


def test_temporary_errors_stop_after_the_last_attempt(message, fake_twilio, time_machine):
    fake_twilio.errors["+33612345678"] = (500, 20500, "Internal error")
    for _attempt in range(MAX_ATTEMPTS):
        current = OutboxMessage.objects.get(pk=message.pk)
        time_machine.move_to(current.due_at, tick=False)
        deliver_message(message_id=message.pk)
    final = OutboxMessage.objects.get(pk=message.pk)
    assert (final.status, final.failure_code, final.attempts) == (Status.FAILED, "gave_up", MAX_ATTEMPTS)
    assert len(fake_twilio.refused) == MAX_ATTEMPTS


def test_a_retry_that_falls_in_quiet_hours_waits_for_the_morning(message, fake_twilio, time_machine):
    time_machine.move_to(datetime(2026, 11, 24, 19, 59, 30, tzinfo=PARIS), tick=False)
    fake_twilio.errors["+33612345678"] = (503, 20503, "Service unavailable")
    assert deliver_message(message_id=message.pk).due_at == datetime(2026, 11, 25, 8, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("code", "failure_code", "reason"),
    [(21211, "invalid_number", "not valid"), (21614, "not_mobile", "not a mobile"), (21610, "unsubscribed", "STOP")],
)
def test_permanent_twilio_errors_stop_at_once_with_a_readable_reason(message, fake_twilio, code, failure_code, reason):
    fake_twilio.errors["+33612345678"] = (400, code, "refused")
    failed = deliver_message(message_id=message.pk)
    assert (failed.status, failed.failure_code, failed.attempts) == (Status.UNDELIVERABLE, failure_code, 1)
    assert reason in failed.failure_reason
    assert deliver_message(message_id=message.pk) is None
    assert len(fake_twilio.refused) == 1


def test_an_unsubscribed_recipient_withdraws_sms_consent(message, fake_twilio, customer):
    fake_twilio.errors["+33612345678"] = (400, 21610, "Attempt to send to unsubscribed recipient")
    deliver_message(message_id=message.pk)
    latest = ConsentRecord.objects.filter(customer=customer, channel="sms").first()
    assert (latest.granted, latest.source) == (False, "sms_reply")


def test_email_goes_through_the_mail_backend_with_a_message_id(site, templates, open_day):
    from aftersales.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(site=site, preferred_channel="email", language="zh-hans")
    message = queue_message(
        customer=customer,
        template="callback_survey",
        idempotency_key="cb",
        purpose="service",
        context={"vehicle": "Audi A6", "link": "https://x.test/s"},
    )
    sent = deliver_message(message_id=message.pk)
    assert sent.status == Status.SENT and sent.provider_id.startswith("<")
    assert mail.outbox[0].extra_headers["Message-ID"] == sent.provider_id
    assert "您对本次服务满意吗" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (smtplib.SMTPRecipientsRefused({"x@example.test": (550, b"no such user")}), Status.UNDELIVERABLE),
        (smtplib.SMTPResponseException(451, b"try later"), Status.QUEUED),
        (TimeoutError("timed out"), Status.QUEUED),
    ],
)
def test_smtp_errors_are_classified(site, templates, open_day, monkeypatch, error, status):
    from aftersales.customers.tests.factories import CustomerFactory

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    customer = CustomerFactory(site=site, preferred_channel="email")
    message = queue_message(
        customer=customer, template="callback_survey", idempotency_key="cb", purpose="service", context={"vehicle": "A6", "link": "l"}
    )
    assert deliver_message(message_id=message.pk).status == status


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """One beat tick, with the tasks it enqueues run after its commit."""

    def tick(now):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep_outbox(now=now)

    return tick


def stall(message, *, minutes_ago):
    """What a worker killed during the provider call leaves behind."""
    claimed = timezone.now() - timedelta(minutes=minutes_ago)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, claimed_at=claimed, attempts=1)


def test_a_stalled_twilio_send_that_reached_twilio_is_recorded_not_resent(message, fake_twilio):
    stall(message, minutes_ago=0)
    gateway = gateways.TwilioSmsBackend()
    sid = gateway.client().messages.create(to=message.recipient, body=message.body, from_="+33700000000").sid
    sweep_outbox(now=timezone.now() + SENDING_TIMEOUT + timedelta(seconds=1))
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Status.SENT, sid)
    assert len(fake_twilio.created) == 1


def test_a_stalled_twilio_send_that_never_reached_twilio_is_sent_again(message, fake_twilio, sweep):
    stall(message, minutes_ago=11)
    sweep(timezone.now())
    message.refresh_from_db()
    assert message.status == Status.SENT  # re-queued, then enqueued and sent by the (eager) task
    assert message.recoveries == 1 and len(fake_twilio.created) == 1


def test_a_stall_the_provider_cannot_explain_is_retried_once_then_left_to_staff(message, settings, sweep):
    settings.SMS_BACKEND = "console"
    stall(message, minutes_ago=11)
    sweep(timezone.now())
    message.refresh_from_db()
    assert (message.status, message.recoveries) == (Status.SENT, 1)
    stall(message, minutes_ago=11)
    sweep(timezone.now())
    message.refresh_from_db()
    assert (message.status, message.failure_code) == (Status.FAILED, "uncertain")


def test_a_fresh_send_in_progress_is_left_alone(message):
    stall(message, minutes_ago=1)
    sweep_outbox(now=timezone.now())
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENDING


def test_the_sweeper_sends_due_messages_once_even_when_ticking_twice(customer, time_machine, sweep):
    time_machine.move_to(datetime(2026, 11, 24, 21, 0, tzinfo=PARIS), tick=False)
    message = queue_message(
        customer=customer, template="callback_survey", idempotency_key="night", purpose="service", context={"vehicle": "A6", "link": "l"}
    )
    assert sweep(timezone.now()) == 0
    time_machine.move_to(datetime(2026, 11, 25, 8, 0, 30, tzinfo=PARIS), tick=False)
    assert sweep(timezone.now()) == 1
    assert sweep(timezone.now()) == 0
    assert len(gateways.sms_outbox) == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT


def test_callbacks_only_move_a_message_forward(message):
    sent = deliver_message(message_id=message.pk)
    record_provider_status(message_id=sent.pk, provider_id=sent.provider_id, provider_status="delivered")
    record_provider_status(message_id=sent.pk, provider_id=sent.provider_id, provider_status="sent")
    record_provider_status(message_id=sent.pk, provider_id=sent.provider_id, provider_status="queued")
    final = OutboxMessage.objects.get(pk=message.pk)
    assert final.status == Status.DELIVERED and final.delivered_at is not None
    assert list(MessageEvent.objects.filter(message=final).values_list("to_status", flat=True)) == [
        Status.QUEUED,
        Status.SENDING,
        Status.SENT,
        Status.DELIVERED,
    ]


def test_a_callback_arriving_before_the_send_is_recorded_wins(message):
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, claimed_at=timezone.now())
    record_provider_status(message_id=message.pk, provider_id="SM1", provider_status="delivered")
    from aftersales.messaging.services import _record_sent

    _record_sent(OutboxMessage.objects.get(pk=message.pk), "SM1", note="")
    final = OutboxMessage.objects.get(pk=message.pk)
    assert (final.status, final.provider_id) == (Status.DELIVERED, "SM1")


def test_an_undelivered_callback_shows_why(message):
    sent = deliver_message(message_id=message.pk)
    record_provider_status(message_id=None, provider_id=sent.provider_id, provider_status="undelivered", error_code="30006")
    final = OutboxMessage.objects.get(pk=message.pk)
    assert (final.status, final.failure_code) == (Status.UNDELIVERABLE, "not_mobile")


def test_a_callback_for_another_sid_is_ignored(message):
    sent = deliver_message(message_id=message.pk)
    assert record_provider_status(message_id=sent.pk, provider_id="SMother", provider_status="failed") is None
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT


def test_a_recent_sms_of_another_outbox_row_is_not_taken_for_the_stalled_one(customer, message, fake_twilio, open_day):
    other = queue_message(
        customer=customer, template="one_time_code", idempotency_key="otp", purpose="service", context={"code": "1", "minutes": 5}
    )
    deliver_message(message_id=other.pk)
    stall(message, minutes_ago=0)
    assert gateways.TwilioSmsBackend().find_sent(OutboxMessage.objects.get(pk=message.pk)) == ""


def test_a_recent_unknown_sms_with_another_text_leaves_the_question_open(message, fake_twilio):
    stall(message, minutes_ago=0)
    gateways.TwilioSmsBackend().client().messages.create(to=message.recipient, body="re-encoded text", from_="+33700000000")
    assert gateways.TwilioSmsBackend().find_sent(OutboxMessage.objects.get(pk=message.pk)) is None


def test_twilio_lookup_errors_leave_the_question_open(message, fake_twilio, monkeypatch):
    stall(message, minutes_ago=0)
    monkeypatch.setenv("FAKE_TWILIO_URL", "http://127.0.0.1:9")
    assert gateways.TwilioSmsBackend().find_sent(OutboxMessage.objects.get(pk=message.pk)) is None
