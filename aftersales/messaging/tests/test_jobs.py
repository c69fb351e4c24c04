from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from aftersales.accounts.models import SiteClosure
from aftersales.jobs.registry import JOBS
from aftersales.lib.business_hours import is_send_allowed, next_allowed_send_time
from aftersales.lib.ics import build_event
from aftersales.messaging.models import OutboxMessage
from aftersales.messaging.services import queue_message

PARIS = ZoneInfo("Europe/Paris")


def test_the_sweeper_is_registered_and_scheduled_every_minute(settings):
    assert "sweep_outbox" in JOBS
    entry = settings.CELERY_BEAT_SCHEDULE["messaging-sweep-outbox"]
    assert (entry["task"], entry["args"], entry["schedule"]) == ("aftersales.jobs.tasks.run_timed_job", ["sweep_outbox"], 60.0)


def test_run_job_runs_a_job_for_the_given_moment(customer, django_capture_on_commit_callbacks):
    queue_message(
        customer=customer,
        template="callback_survey",
        context={"vehicle": "A3", "link": "l"},
        idempotency_key="k",
        purpose="service",
        due_at=datetime(2026, 11, 24, 9, tzinfo=PARIS),
    )
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=False):
        call_command("run_job", "sweep_outbox", "--now", "2026-11-24T08:00", stdout=out)
    assert out.getvalue().strip() == "sweep_outbox at 2026-11-24T08:00:00+00:00: 1"
    with django_capture_on_commit_callbacks(execute=False):
        call_command("run_job", "sweep_outbox", "--now", "2026-11-24T08:00", stdout=out)
    assert out.getvalue().strip().endswith(": 0")  # idempotent for the same moment


def test_an_extra_closure_day_holds_messages(site):
    SiteClosure.objects.create(site=site, day=date(2026, 11, 25), reason="Inventory")
    evening = datetime(2026, 11, 24, 20, 30, tzinfo=PARIS)
    assert next_allowed_send_time(site, evening) == datetime(2026, 11, 26, 8, 0, tzinfo=PARIS)
    assert not is_send_allowed(site, datetime(2026, 11, 25, 10, tzinfo=PARIS))
    assert is_send_allowed(site, datetime(2026, 11, 24, 19, 59, tzinfo=PARIS))


def test_quiet_hours_follow_the_site_time_zone(site):
    site.time_zone = "Asia/Shanghai"
    site.country = "CN"
    moment = datetime(2026, 11, 24, 13, 0, tzinfo=ZoneInfo("UTC"))  # 21:00 in Shanghai
    assert next_allowed_send_time(site, moment) == datetime(2026, 11, 25, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_ics_refuses_naive_or_reversed_times():
    start = datetime(2026, 11, 24, 9, tzinfo=PARIS)
    with pytest.raises(ValueError):
        build_event(uid="u", start=start.replace(tzinfo=None), end=start, summary="s", location="l", time_zone=PARIS)
    with pytest.raises(ValueError):
        build_event(uid="u", start=start, end=start, summary="s", location="l", time_zone=PARIS)


def test_default_texts_exist_for_every_type_in_four_languages(templates):
    from aftersales.messaging.catalogue import MESSAGE_TYPES
    from aftersales.messaging.models import MessageTemplate

    pairs = set(MessageTemplate.objects.values_list("key", "language"))
    assert pairs == {(key, lang) for key in MESSAGE_TYPES for lang in ("en", "fr", "ru", "zh-hans")}


@pytest.mark.parametrize("language", ["en", "fr", "ru", "zh-hans"])
def test_every_default_text_renders_with_sample_data(site, templates, language):
    from aftersales.messaging.catalogue import MESSAGE_TYPES, sample_context
    from aftersales.messaging.models import MessageTemplate
    from aftersales.messaging.services import render_message

    for key in MESSAGE_TYPES:
        template = MessageTemplate.objects.get(key=key, language=language)
        subject, text, html = render_message(message_template=template, channel="email", language=language, context=sample_context(site))
        _s, sms, _h = render_message(message_template=template, channel="sms", language=language, context=sample_context(site))
        assert subject and text and html and sms
        assert "{{" not in text + sms and "None" not in sms
        assert len(sms) <= 320, (key, language, len(sms))


def test_status_changes_follow_the_transition_table():
    table = OutboxMessage.TRANSITIONS
    assert table[OutboxMessage.Status.DELIVERED] == set()
    assert OutboxMessage.Status.QUEUED not in table[OutboxMessage.Status.SENT]
