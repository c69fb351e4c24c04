"""Faults: the database connection dropped mid-booking, the broker (Redis) down, a worker killed mid-job.

- Connection dropped (PostgreSQL only): a trigger makes the booking's
  transaction sleep right after its first slot is reserved; a second
  connection terminates that session (``pg_terminate_backend``). Nothing of
  the booking may remain.
- Broker down: the Celery broker points at a closed port. Queuing a message
  and committing still succeed and pages answer; the row waits in the outbox
  and the sweeper sends it once the broker is back.
- A worker killed mid-send leaves exactly one SMS: covered with a real worker
  by aftersales/messaging/tests/test_integration.py
  (test_a_worker_killed_mid_send_still_ends_with_exactly_one_sms,
  test_a_task_delivered_twice_sends_one_sms); timed jobs are idempotent by
  contract (aftersales.jobs.registry) and each job's tests run it twice.
"""

import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse

from aftersales.celery import app
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.messaging import gateways
from aftersales.messaging.models import OutboxMessage
from aftersales.messaging.services import ENQUEUE_AGAIN_AFTER, queue_message, sweep_outbox
from appointments.models import Appointment, AppointmentEvent, LoanerReservation, SlotReservation

PARIS = ZoneInfo("Europe/Paris")
CLOSED_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there

SLEEP_TRIGGER = """
CREATE OR REPLACE FUNCTION fault_test_sleep() RETURNS trigger AS $$
BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER fault_test_sleep AFTER INSERT ON appointments_slotreservation
FOR EACH ROW EXECUTE FUNCTION fault_test_sleep();
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS fault_test_sleep ON appointments_slotreservation; DROP FUNCTION IF EXISTS fault_test_sleep();"


def booking_rows() -> list[int]:
    return [model.objects.count() for model in (Appointment, SlotReservation, LoanerReservation, AppointmentEvent, OutboxMessage)]


def terminate_when_sleeping(pid: int, done: list) -> None:
    """From a second connection: wait until ``pid`` sleeps in the trigger, then terminate its session."""
    second = connections.create_connection("default")
    try:
        with second.cursor() as cursor:
            for _attempt in range(200):
                cursor.execute("SELECT wait_event FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cursor.fetchone()
                if row and row[0] == "PgSleep":
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    done.append(cursor.fetchone()[0])
                    return
                time.sleep(0.05)
    finally:
        second.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_in_the_middle_of_a_booking_leaves_nothing_half_written(booking):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: pg_terminate_backend from a second session")
    before = booking_rows()
    with connection.cursor() as cursor:
        cursor.execute(SLEEP_TRIGGER)
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    terminated: list = []
    killer = threading.Thread(target=terminate_when_sleeping, args=(pid, terminated))
    killer.start()
    try:
        with pytest.raises(DatabaseError):
            booking(datetime.combine(datetime(2026, 3, 3), clock_time(9), tzinfo=PARIS))
    finally:
        killer.join()
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(DROP_TRIGGER)
    assert terminated == [True]
    assert booking_rows() == before


@pytest.fixture
def broker_down():
    """The Celery app publishes to a closed port, without retrying, until the test ends."""
    saved = {key: app.conf[key] for key in ("broker_url", "broker_write_url", "task_publish_retry", "task_always_eager")}
    app.conf.update(broker_url=CLOSED_BROKER, broker_write_url=CLOSED_BROKER, task_publish_retry=False, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db
def test_with_the_broker_down_pages_answer_and_messages_wait_in_the_outbox_until_it_returns(
    client,
    settings,
    site,
    advisor,
    broker_down,
    django_capture_on_commit_callbacks,
):
    settings.SMS_BACKEND = "locmem"
    gateways.sms_outbox.clear()
    recipient = CustomerFactory(site=site, mobile="+33612345678", language="fr", preferred_channel="sms")

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = queue_message(
                customer=recipient,
                template="one_time_code",
                context={"code": "424242", "minutes": 10},
                idempotency_key="broker-down",
                purpose="service",
                urgent=True,
            )
    client.force_login(advisor)
    assert client.get(reverse("customers:detail", args=[recipient.pk])).status_code == 200
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert gateways.sms_outbox == []

    # The broker is back (here: tasks run in-process): the next sweeps send it, once.
    app.conf.task_always_eager = True
    later = message.enqueued_at + ENQUEUE_AGAIN_AFTER + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outbox(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sweep_outbox(now=later + timedelta(minutes=1))
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(gateways.sms_outbox) == 1
