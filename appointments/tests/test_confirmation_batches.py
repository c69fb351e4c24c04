"""The 24 h confirmations at scale: written in chunks, a constant number of queries, resumed after a cut-off."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.jobs import chunks
from aftersales.jobs.registry import run_job
from aftersales.messaging.models import OutboxMessage
from appointments.models import Appointment

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)


def book_tomorrow(booking, count: int, *, first_hour: int = 8) -> list:
    """One booking, then copies of its row at other hours (the advisor's diary would refuse more bookings)."""
    first = booking(datetime.combine(date(2026, 3, 3), time(first_hour), tzinfo=PARIS))
    copies = [first]
    for minutes in range(1, count):
        copy = Appointment.objects.get(pk=first.pk)
        copy.pk = None
        copy.starts_at = first.starts_at.replace(minute=minutes)
        copy.save()
        copies.append(copy)
    return copies


def reminders():
    return OutboxMessage.objects.filter(template_key="booking_reminder_24h")


def test_a_run_cut_off_part_way_goes_on_and_sends_each_request_once(booking, clock, monkeypatch):
    appointments = book_tomorrow(booking, 5)
    monkeypatch.setattr(chunks, "CHUNK_SIZE", 2)

    def cut_off_after_the_first_chunk(done):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(chunks, "chunk_done", cut_off_after_the_first_chunk)
    with pytest.raises(SoftTimeLimitExceeded):
        run_job("booking_reminders", now=NOW)
    assert reminders().count() == 2  # the first chunk committed, nothing of the second

    monkeypatch.setattr(chunks, "chunk_done", lambda done: None)
    assert run_job("booking_reminders", now=NOW) == 3
    assert run_job("booking_reminders", now=NOW) == 0
    assert sorted(reminders().values_list("about_id", flat=True)) == sorted(str(a.pk) for a in appointments)


def test_the_budget_spent_stops_between_chunks_and_the_task_queues_itself_again(booking, clock, monkeypatch):
    from aftersales.jobs import tasks

    book_tomorrow(booking, 3)
    monkeypatch.setattr(chunks, "CHUNK_SIZE", 1)
    monkeypatch.setattr(tasks, "JOB_BUDGET", -1)  # spent after the first chunk
    queued_again = []
    monkeypatch.setattr(tasks.run_timed_job, "delay", queued_again.append)

    assert tasks.run_timed_job("booking_reminders") == 1
    assert queued_again == ["booking_reminders"] and reminders().count() == 1


def test_the_queries_do_not_grow_with_the_appointments(booking, clock):
    def queries_for(count: int) -> int:
        OutboxMessage.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert run_job("booking_reminders", now=NOW) == count
        return len(queries)

    book_tomorrow(booking, 2)
    few = queries_for(2)
    book_tomorrow(booking, 6, first_hour=14)
    assert queries_for(8) == few
