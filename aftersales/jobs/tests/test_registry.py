from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from aftersales.celery import app
from aftersales.jobs import registry, tasks


@pytest.fixture
def probe(monkeypatch):
    """A job named "probe" that notes the moments it ran for and says it did 7 things."""
    seen = []
    monkeypatch.setitem(registry.JOBS, "probe", lambda *, now: seen.append(now) or 7)
    return seen


def test_a_job_name_cannot_be_registered_twice(probe):
    with pytest.raises(ValueError):
        registry.register_job("probe")(lambda *, now: 0)


def test_run_job_refuses_an_unknown_name():
    with pytest.raises(registry.UnknownJob):
        registry.run_job("nope", now=timezone.now())


def test_the_command_runs_a_job_for_the_given_moment(probe):
    out = StringIO()
    call_command("run_job", "probe", "--now", "2026-11-24T08:00", stdout=out)
    assert out.getvalue().strip() == "probe at 2026-11-24T08:00:00+00:00: 7"
    assert probe == [datetime(2026, 11, 24, 8, tzinfo=UTC)]


def test_the_command_lists_jobs_and_refuses_unknown_names_and_bad_moments(probe):
    out = StringIO()
    call_command("run_job", "--list", stdout=out)
    assert "probe" in out.getvalue().split()
    with pytest.raises(CommandError, match="No timed job"):
        call_command("run_job", "nope")
    with pytest.raises(CommandError, match="ISO date"):
        call_command("run_job", "probe", "--now", "tomorrow")


def test_the_beat_task_calls_the_job_with_the_current_time(probe):
    assert tasks.run_timed_job("probe") == 7
    assert abs(probe[0] - timezone.now()) < timedelta(seconds=5)


def worker_tasks():
    """The tasks a worker knows: every installed app's tasks.py, found as the worker finds them."""
    app.loader.import_default_modules()
    return app.tasks


def test_the_former_task_name_still_runs_a_job(probe):
    """Beat entries and queued messages of a deployment from before the registry left messaging keep working."""
    former = worker_tasks()["aftersales.messaging.tasks.run_timed_job"]
    assert former.apply(args=["probe"]).get() == 7
    assert len(probe) == 1


def test_every_beat_entry_runs_a_registered_job_through_the_task(settings):
    known = worker_tasks()
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] == "aftersales.jobs.tasks.run_timed_job" and entry["task"] in known, key
        assert len(entry["args"]) == 1 and entry["args"][0] in registry.JOBS, key
