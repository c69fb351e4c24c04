"""A real Celery worker on Redis and PostgreSQL, Twilio faked at its HTTP edge.

Run with: REDIS_URL=redis://127.0.0.1:6379/7 DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_messaging \
    .venv/bin/pytest aftersales/messaging/tests/test_integration.py -m integration
The worker is a subprocess that sees the committed test database through
DATABASE_URL; the fake Twilio runs in this process and records what it received.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from aftersales.jobs.tasks import run_timed_job
from aftersales.messaging.models import OutboxMessage
from aftersales.messaging.services import queue_message
from aftersales.messaging.tasks import send_message

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Status = OutboxMessage.Status
PROJECT_DIR = Path(__file__).resolve().parents[3]
MOBILE = "+33612345678"


@pytest.fixture(autouse=True)
def real_services():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("INTEGRATION TESTS SKIPPED: set REDIS_URL (e.g. redis://127.0.0.1:6379/7) to run a real Celery worker")
    if connection.vendor != "postgresql":
        pytest.skip("INTEGRATION TESTS SKIPPED: set DATABASE_URL to PostgreSQL so a worker process can share the test database")
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


@pytest.fixture
def start_worker(fake_twilio):
    """Start ``celery -A aftersales worker`` against the test database; stopped (or killed) at the end."""
    workers = []
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aftersales.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": settings.TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN,
        "TWILIO_DEFAULT_FROM": settings.TWILIO_DEFAULT_FROM,
        "TWILIO_HTTP_CLIENT": settings.TWILIO_HTTP_CLIENT,
        "FAKE_TWILIO_URL": fake_twilio.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }

    def start(concurrency: int = 2) -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "aftersales",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "--hostname",
                f"messaging-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        ready = threading.Event()
        process.log = []

        def read():
            for line in process.stdout:
                process.log.append(line)
                if " ready." in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60):
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("The Celery worker did not start:\n" + "".join(process.log[-40:]))
        workers.append(process)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def status_of(message) -> str:
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=message.pk)


def queue_in_a_committed_transaction(customer, key: str, **extra) -> OutboxMessage:
    with transaction.atomic():
        return queue_message(
            customer=customer,
            template="one_time_code",
            context={"code": "424242", "minutes": 10},
            idempotency_key=key,
            purpose="service",
            urgent=True,
            **extra,
        )


def settle():
    """Let the worker take whatever is still in the broker."""
    import redis

    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    wait_for(lambda: broker.llen("celery") == 0, what="an empty queue")
    time.sleep(2)


def test_a_task_delivered_twice_sends_one_sms(customer, fake_twilio, start_worker):
    start_worker()
    message = queue_in_a_committed_transaction(customer, "twice")
    send_message.delay(message.pk)
    send_message.delay(message.pk)
    wait_for(lambda: status_of(message) == Status.SENT, what="the message to be sent")
    settle()
    assert len(fake_twilio.created_for(MOBILE)) == 1
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


def test_a_worker_killed_mid_send_still_ends_with_exactly_one_sms(customer, fake_twilio, start_worker):
    fake_twilio.delays[MOBILE] = 30
    worker = start_worker()
    message = queue_in_a_committed_transaction(customer, "killed")
    wait_for(lambda: len(fake_twilio.created_for(MOBILE)) == 1, what="Twilio to receive the send")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    assert status_of(message) == Status.SENDING

    # The next beat ticks after the sending timeout find it, ask Twilio, and record it.
    later = timezone.now() + timedelta(minutes=11)
    call_command("run_job", "sweep_outbox", "--now", later.isoformat())
    call_command("run_job", "sweep_outbox", "--now", (later + timedelta(minutes=1)).isoformat())
    recorded = OutboxMessage.objects.get(pk=message.pk)
    assert (recorded.status, recorded.provider_id) == (Status.SENT, fake_twilio.created[0]["sid"])

    # The task comes back (broker redelivery) to a fresh worker: still nothing new is sent.
    fake_twilio.delays.clear()
    start_worker()
    send_message.delay(message.pk)
    settle()
    assert len(fake_twilio.created_for(MOBILE)) == 1


def test_the_beat_sweeper_ticking_twice_sends_once(customer, fake_twilio, start_worker):
    start_worker(concurrency=2)
    message = queue_in_a_committed_transaction(customer, "swept", due_at=timezone.now() + timedelta(seconds=2))
    assert status_of(message) == Status.QUEUED
    time.sleep(2.5)
    run_timed_job.delay("sweep_outbox")
    run_timed_job.delay("sweep_outbox")
    wait_for(lambda: status_of(message) == Status.SENT, what="the sweeper to send the message")
    settle()
    assert len(fake_twilio.created_for(MOBILE)) == 1


def test_twilio_errors_through_the_worker(site, customer, fake_twilio, start_worker):
    from aftersales.customers.tests.factories import CustomerFactory

    invalid = CustomerFactory(site=site, mobile="+33611111111")
    busy = CustomerFactory(site=site, mobile="+33622222222")
    opted_out = CustomerFactory(site=site, mobile="+33633333333")
    fake_twilio.errors.update(
        {
            invalid.mobile: (400, 21211, "The 'To' number is not a valid phone number."),
            busy.mobile: (503, 20503, "Service unavailable"),
            opted_out.mobile: (400, 21610, "Attempt to send to unsubscribed recipient"),
        }
    )
    start_worker()
    messages = {
        name: queue_in_a_committed_transaction(person, name)
        for name, person in {"invalid": invalid, "busy": busy, "opted_out": opted_out}.items()
    }
    wait_for(lambda: len(fake_twilio.refused) == 3, what="three refusals")
    settle()
    rows = {name: OutboxMessage.objects.get(pk=m.pk) for name, m in messages.items()}
    assert (rows["invalid"].status, rows["invalid"].failure_code) == (Status.UNDELIVERABLE, "invalid_number")
    assert (rows["opted_out"].status, rows["opted_out"].failure_code) == (Status.UNDELIVERABLE, "unsubscribed")
    assert (rows["busy"].status, rows["busy"].attempts) == (Status.QUEUED, 1)
    assert rows["busy"].due_at > timezone.now()
