"""The maintenance reminder sweep in chunks: cut off part-way, run again, each due vehicle reminded once; a constant
number of queries whatever the number of vehicles."""

from datetime import date, datetime

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.jobs import chunks
from aftersales.jobs.registry import run_job
from aftersales.messaging.models import OutboxMessage
from followup.models import MaintenanceReminder

from .factories import due_vehicle

pytestmark = pytest.mark.django_db
MONDAY = datetime.fromisoformat("2026-03-02T10:00:00+01:00")


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def test_a_sweep_cut_off_part_way_goes_on_and_reminds_each_vehicle_once(clock, site, monkeypatch):
    vehicles = [due_vehicle(site, due_date=date(2026, 4, 1)) for _index in range(5)]
    due_vehicle(site, due_date=date(2024, 4, 1))  # long past every touch: not selected
    monkeypatch.setattr(chunks, "CHUNK_SIZE", 2)
    monkeypatch.setattr("followup.services.reminders.REMINDER_CHUNK", 2)

    def cut_off(done):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(chunks, "chunk_done", cut_off)
    with pytest.raises(SoftTimeLimitExceeded):
        run_job("maintenance_reminders", now=MONDAY)
    assert MaintenanceReminder.objects.count() == 2

    monkeypatch.setattr(chunks, "chunk_done", lambda done: None)
    assert run_job("maintenance_reminders", now=MONDAY) == 3
    assert run_job("maintenance_reminders", now=MONDAY) == 0
    assert sorted(MaintenanceReminder.objects.values_list("vehicle_id", flat=True)) == sorted(v.pk for v in vehicles)
    assert OutboxMessage.objects.filter(template_key="maintenance_reminder").count() == 5


def test_the_queries_do_not_grow_with_the_vehicles(clock, site):
    def queries_for(count: int) -> int:
        MaintenanceReminder.objects.all().delete()
        OutboxMessage.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert run_job("maintenance_reminders", now=MONDAY) == count
        return len(queries)

    for _index in range(5):
        due_vehicle(site, due_date=date(2026, 4, 1))
    few = queries_for(5)
    for _index in range(25):  # 30 in all: SQLite splits a bulk insert of outbox rows every 38 rows or so
        due_vehicle(site, due_date=date(2026, 3, 20))
    assert queries_for(30) == few
