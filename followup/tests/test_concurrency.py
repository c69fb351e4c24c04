"""Two runs of a follow-up job at the same moment (beat and a manual run_job) still act once."""

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.jobs import run_job
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from followup import services
from followup.message_texts import seed_followup_templates
from followup.models import Concern, Escalation, MaintenanceReminder

from .factories import consenting_customer, due_vehicle

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two transactions racing on the same rows")
    seed_default_templates(MessageTemplate)
    seed_followup_templates(MessageTemplate)


def race(job: str, now) -> tuple[list[int], list[Exception]]:
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait(5)
            results.append(run_job(job, now=now))
        except Exception as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def test_two_reminder_runs_at_once_send_one_reminder_per_vehicle(site):
    for _ in range(5):
        due_vehicle(site, due_date=timezone.localdate() + timedelta(days=20))
    results, errors = race("maintenance_reminders", timezone.now())
    assert errors == []
    assert sum(results) == 5
    assert MaintenanceReminder.objects.count() == 5
    assert OutboxMessage.objects.filter(template_key="maintenance_reminder").count() == 5


def test_two_escalation_runs_at_once_escalate_a_complaint_once(site, advisor, manager):
    customer = consenting_customer(site)
    services.record_concern(
        customer=customer,
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.CALL,
        summary="Noise",
        owner=advisor,
        recorded_by=advisor,
        received_at=timezone.now() - timedelta(days=2),
    )
    results, errors = race("complaint_escalations", timezone.now())
    assert errors == []
    assert sorted(results) == [0, 1]
    assert Escalation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_database_refuses_a_second_reminder_for_the_same_touch(site):
    from django.db import IntegrityError, transaction

    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    values = {
        "vehicle": vehicle,
        "customer": vehicle.owner,
        "site": site,
        "target": "2026-04-01|-",
        "touch": "d30",
        "basis": "date",
        "due_on": date(2026, 4, 1),
        "sent_at": timezone.now(),
    }
    MaintenanceReminder.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        MaintenanceReminder.objects.create(**values)
