"""The reply-handler hook: stages act on a customer's SMS reply without messaging importing them."""

import pytest

from aftersales.messaging.models import InboundMessage
from aftersales.messaging.replies import register_reply_handler, unregister_reply_handler
from aftersales.messaging.services import receive_sms


@pytest.fixture
def handler():
    seen = []

    def handle(inbound):
        seen.append(inbound.body)
        return inbound.body == "OUI"

    register_reply_handler(handle)
    yield seen
    unregister_reply_handler(handle)


def test_a_reply_a_handler_deals_with_is_marked_handled(customer, handler):
    inbound = receive_sms(provider_id="SM-r1", from_number=customer.mobile, to_number="", body="OUI")

    assert handler == ["OUI"]
    assert inbound.handled_at is not None


def test_a_reply_no_handler_deals_with_waits_in_the_inbox(customer, handler):
    inbound = receive_sms(provider_id="SM-r2", from_number=customer.mobile, to_number="", body="Can I come at 10?")

    assert handler == ["Can I come at 10?"]
    assert inbound.handled_at is None


def test_stop_words_are_not_offered_to_the_handlers(customer, handler):
    receive_sms(provider_id="SM-r3", from_number=customer.mobile, to_number="", body="STOP")

    assert handler == []


def test_a_failing_handler_keeps_the_reply_and_the_others_still_run(customer, handler):
    def broken(inbound):
        InboundMessage.objects.filter(pk=inbound.pk).update(body="changed by a broken handler")
        raise RuntimeError("boom")

    register_reply_handler(broken)
    try:
        inbound = receive_sms(provider_id="SM-r4", from_number=customer.mobile, to_number="", body="OUI")
    finally:
        unregister_reply_handler(broken)

    inbound.refresh_from_db()
    assert inbound.body == "OUI"
    assert inbound.handled_at is not None
    assert handler == ["OUI"]


def test_registering_twice_calls_the_handler_once(customer, handler):
    from aftersales.messaging.replies import _HANDLERS

    register_reply_handler(_HANDLERS[-1])
    receive_sms(provider_id="SM-r5", from_number=customer.mobile, to_number="", body="OUI")

    assert handler == ["OUI"]
