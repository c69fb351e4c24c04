import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from aftersales.customers.models import ConsentRecord
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.messaging.models import InboundMessage, OutboxMessage, SmsSender

from .conftest import TWILIO_TOKEN

INBOUND = reverse("messaging:twilio_inbound")
STATUS = reverse("messaging:twilio_status")


def signed_post(client, settings, path, params, token=TWILIO_TOKEN):
    signature = RequestValidator(token).compute_signature(f"{settings.SITE_URL}{path}", params)
    return client.post(path, params, headers={"X-Twilio-Signature": signature})


def inbound(body, sid="SM1", sender="+33612345678"):
    return {"MessageSid": sid, "From": sender, "To": "+33700000000", "Body": body, "AccountSid": "AC1"}


@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_unsigned_webhooks_are_refused(client, customer, path):
    assert client.post(path, inbound("STOP")).status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_forged_webhooks_are_refused(client, settings, customer, path):
    assert signed_post(client, settings, path, inbound("STOP"), token="not-our-token").status_code == 403


def test_a_signature_for_other_parameters_is_refused(client, settings, customer):
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{settings.SITE_URL}{INBOUND}", inbound("hello"))
    response = client.post(INBOUND, inbound("STOP"), headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_without_an_auth_token_nothing_is_accepted(client, settings, customer):
    params = inbound("STOP")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(f"{settings.SITE_URL}{INBOUND}", params)
    settings.TWILIO_AUTH_TOKEN = ""
    assert client.post(INBOUND, params, headers={"X-Twilio-Signature": signature}).status_code == 403


def test_webhooks_answer_get_with_405(client, db):
    assert client.get(INBOUND).status_code == 405


@pytest.mark.parametrize(
    "word",
    ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "Arrêt", "СТОП", "стоп", "ОТПИСАТЬСЯ", "退订", " Stop. "],
)
def test_stop_in_each_language_withdraws_sms_consent(client, settings, customer, word):
    response = signed_post(client, settings, INBOUND, inbound(word))
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    consent = ConsentRecord.objects.get(customer=customer)
    assert (consent.channel, consent.granted, consent.source) == ("sms", False, "sms_reply")
    assert InboundMessage.objects.get().kind == "opt_out"


@pytest.mark.parametrize("word", ["START", "unstop", "СТАРТ"])
def test_start_restores_sms_consent(client, settings, customer, word):
    signed_post(client, settings, INBOUND, inbound("STOP", sid="SM1"))
    signed_post(client, settings, INBOUND, inbound(word, sid="SM2"))
    assert ConsentRecord.objects.filter(customer=customer).first().granted is True


def test_a_stop_reply_stops_service_sms_too(client, settings, customer, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from aftersales.messaging.services import queue_message

    time_machine.move_to(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    signed_post(client, settings, INBOUND, inbound("ARRÊT"))
    customer.email = ""
    message = queue_message(
        customer=customer, template="callback_survey", context={"vehicle": "A3", "link": "l"}, idempotency_key="k", purpose="service"
    )
    assert (message.status, message.failure_code) == (OutboxMessage.Status.SUPPRESSED, "opted_out")


def test_other_replies_wait_in_the_inbox_linked_to_the_customer(client, settings, customer):
    signed_post(client, settings, INBOUND, inbound("Can I come at 10 instead?"))
    reply = InboundMessage.objects.get()
    assert (reply.kind, reply.customer, reply.site, reply.handled_at) == ("reply", customer, customer.site, None)
    assert not ConsentRecord.objects.exists()


def test_a_retried_webhook_is_stored_once(client, settings, customer):
    signed_post(client, settings, INBOUND, inbound("Hello"))
    signed_post(client, settings, INBOUND, inbound("Hello"))
    assert InboundMessage.objects.count() == 1


def test_the_number_written_to_picks_the_site_when_the_mobile_is_shared(client, settings, customer, other_site):
    twin = CustomerFactory(site=other_site, mobile=customer.mobile)
    SmsSender.objects.create(site=other_site, from_number="+33700000000")
    signed_post(client, settings, INBOUND, inbound("STOP"))
    assert InboundMessage.objects.get().customer == twin
    assert ConsentRecord.objects.filter(customer=twin).exists() and not ConsentRecord.objects.filter(customer=customer).exists()


def test_an_unknown_number_is_kept_without_a_customer(client, settings, customer):
    signed_post(client, settings, INBOUND, inbound("Who is this?", sender="+33699999999"))
    assert InboundMessage.objects.get().customer is None


def test_a_signed_request_without_sender_is_a_bad_request(client, settings, db):
    assert signed_post(client, settings, INBOUND, {"Body": "x"}).status_code == 400


def test_a_signed_status_callback_moves_the_message_forward(client, settings, customer):
    from aftersales.messaging.services import deliver_message, queue_message

    message = queue_message(
        customer=customer,
        template="one_time_code",
        context={"code": "1", "minutes": 5},
        idempotency_key="otp",
        purpose="service",
        urgent=True,
    )
    deliver_message(message_id=message.pk)
    message.refresh_from_db()
    path = f"{STATUS}?m={message.pk}"
    params = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    assert signed_post(client, settings, path, params).status_code == 204
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.DELIVERED


def test_a_status_callback_with_a_bad_id_is_harmless(client, settings, db):
    assert signed_post(client, settings, f"{STATUS}?m=abc", {"MessageSid": "SMx", "MessageStatus": "delivered"}).status_code == 204
