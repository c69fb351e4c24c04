import time
from functools import partial

import pytest
from django.db import connection, transaction

from aftersales.messaging.models import MessageEvent, OutboxMessage
from aftersales.messaging.services import queue_message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two transactions racing on the unique idempotency key")


def test_two_transactions_queueing_the_same_key_make_one_row(customer, run_concurrently):
    def book(pause: float):
        with transaction.atomic():
            message = queue_message(
                customer=customer,
                template="booking_confirmation",
                idempotency_key="booking-42",
                purpose="service",
                urgent=True,
                context={"vehicle": "A4", "link": "l"},
            )
            time.sleep(pause)  # the first keeps its transaction open while the second inserts
        return message.pk

    results = run_concurrently(partial(book, 0.5), partial(book, 0))

    assert [result for result in results if isinstance(result, Exception)] == []
    assert len(set(results)) == 1 and len(results) == 2
    assert OutboxMessage.objects.count() == 1
    assert MessageEvent.objects.filter(to_status=OutboxMessage.Status.QUEUED).count() == 1
