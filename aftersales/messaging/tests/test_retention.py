"""Privacy: message texts past MESSAGE_RETENTION_DAYS are blanked by a daily job; the rows and statuses stay."""

import pytest
import time_machine
from django.utils import timezone

from aftersales.customers.tests.factories import CustomerFactory
from aftersales.jobs.registry import run_job
from aftersales.messaging.models import InboundMessage, OutboxMessage

pytestmark = pytest.mark.django_db


def _message(customer, key, body, status):
    return OutboxMessage.objects.create(
        customer=customer,
        site=customer.site,
        template_key="x",
        channel="sms",
        language="en",
        body=body,
        status=status,
        idempotency_key=key,
        purpose="service",
        due_at=timezone.now(),
    )


def test_the_retention_job_blanks_old_message_texts_once(settings, advisor):
    settings.MESSAGE_RETENTION_DAYS = 30
    customer = CustomerFactory(site=advisor.sites.first())
    with time_machine.travel("2026-01-01 10:00Z", tick=False):
        old = _message(customer, "old", "old text", OutboxMessage.Status.SENT)
        queued = _message(customer, "queued", "waiting", OutboxMessage.Status.QUEUED)
        inbound = InboundMessage.objects.create(provider_id="in-1", from_number="+33612345678", body="yes", kind="reply", customer=customer)
    recent = _message(customer, "recent", "new text", OutboxMessage.Status.SENT)

    with time_machine.travel("2026-03-01 03:00Z", tick=False):
        assert run_job("purge_message_bodies", now=timezone.now()) == 2
        assert run_job("purge_message_bodies", now=timezone.now()) == 0

    for message in (old, queued, inbound, recent):
        message.refresh_from_db()
    assert (old.body, queued.body, inbound.body, recent.body) == ("", "waiting", "", "new text")
