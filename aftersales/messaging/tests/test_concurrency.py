import threading
import time

import pytest
from django.db import connection, transaction

from aftersales.messaging.models import MessageEvent, OutboxMessage
from aftersales.messaging.services import queue_message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two transactions racing on the unique idempotency key")


def test_two_transactions_queueing_the_same_key_make_one_row(customer):
    results, errors = [], []
    both_checked = threading.Barrier(2)

    def book(pause: float):
        try:
            with transaction.atomic():
                both_checked.wait(5)
                message = queue_message(
                    customer=customer,
                    template="booking_confirmation",
                    idempotency_key="booking-42",
                    purpose="service",
                    urgent=True,
                    context={"vehicle": "A4", "link": "l"},
                )
                time.sleep(pause)  # the first keeps its transaction open while the second inserts
            results.append(message.pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(pause,)) for pause in (0.5, 0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 2
    assert OutboxMessage.objects.count() == 1
    assert MessageEvent.objects.filter(to_status=OutboxMessage.Status.QUEUED).count() == 1
