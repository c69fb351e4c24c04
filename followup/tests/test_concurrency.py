"""Two runs of a follow-up job at the same moment (beat and a manual run_job) still act once."""

from datetime import date, timedelta
from functools import partial

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from aftersales.jobs.registry import run_job
from aftersales.messaging.catalogue import seed_default_templates
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


def test_two_reminder_runs_at_once_send_one_reminder_per_vehicle(site, run_concurrently):
    for _ in range(5):
        due_vehicle(site, due_date=timezone.localdate() + timedelta(days=20))
    results = run_concurrently(*[partial(run_job, "maintenance_reminders", now=timezone.now())] * 2)
    assert [result for result in results if isinstance(result, Exception)] == []
    assert sum(results) == 5
    assert MaintenanceReminder.objects.count() == 5
    assert OutboxMessage.objects.filter(template_key="maintenance_reminder").count() == 5


def test_two_escalation_runs_at_once_escalate_a_complaint_once(site, advisor, manager, run_concurrently, eager_tasks):
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
    results = run_concurrently(*[partial(run_job, "complaint_escalations", now=timezone.now())] * 2)
    assert [result for result in results if isinstance(result, Exception)] == []
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
