"""Each site's follow-up policy: which visits get the quick touch, and the 7-day call or the survey link; a survey answer
closes the call still open; the complaint a low answer opens shows the would-recommend score."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from aftersales.jobs.registry import run_job
from aftersales.messaging.models import OutboxMessage
from followup import services
from followup.models import CallOutcome, CallTask, FollowupPolicy, SatisfactionAnswer, VisitFollowup

from .handovers import closed_handover

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process")]

LYON = "+01:00"


def at(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}{LYON}")


@pytest.fixture
def clock():
    with time_machine.travel(at("2026-03-06T16:00:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def handover(clock, site, advisor, quality_controller, cashier):
    return closed_handover(site=site, advisor=advisor, inspector=quality_controller, cashier=cashier)


def follow_up(clock, moment: str) -> None:
    clock.move_to(at(moment))
    run_job("visit_followups", now=at(moment))


def test_a_site_that_surveys_everyone_sends_the_link_and_no_quick_touch(clock, site, handover):
    FollowupPolicy.objects.create(site=site, quick_touch=False, callback=FollowupPolicy.Callback.SURVEY)

    follow_up(clock, "2026-03-06T17:00:00")
    follow_up(clock, "2026-03-07T17:00:00")

    followup = VisitFollowup.objects.get()
    assert not CallTask.objects.filter(kind=CallTask.Kind.CALLBACK).exists()
    assert followup.survey_message.template_key == "callback_survey"
    assert followup.quick_touch_sent_at is None and not OutboxMessage.objects.filter(template_key="quick_touch").exists()


def test_without_a_policy_the_quick_touch_goes_and_the_customer_is_called(clock, handover):
    follow_up(clock, "2026-03-06T17:00:00")
    follow_up(clock, "2026-03-07T17:00:00")

    assert CallTask.objects.filter(kind=CallTask.Kind.CALLBACK, status=CallTask.Status.OPEN).count() == 1
    assert VisitFollowup.objects.get().quick_touch_sent_at is not None


def test_the_survey_answer_closes_the_callback_still_open(clock, handover):
    follow_up(clock, "2026-03-06T17:00:00")
    followup = VisitFollowup.objects.get()

    services.record_satisfaction_answer(followup=followup, source=SatisfactionAnswer.Source.SURVEY, score=5, nps=10)

    task = CallTask.objects.get(kind=CallTask.Kind.CALLBACK)
    assert task.status == CallTask.Status.DONE and task.closed_at is not None


def test_the_complaint_a_low_answer_opens_shows_the_would_recommend_score(clock, handover, crc_agent, manager, client):
    follow_up(clock, "2026-03-13T10:00:00")
    _attempt, answer = services.record_callback_outcome(
        task=CallTask.objects.get(kind=CallTask.Kind.CALLBACK), outcome=CallOutcome.INFORMED, satisfaction=4, nps=3, agent=crc_agent
    )
    client.force_login(manager)

    page = client.get(reverse("followup:concern_detail", args=[answer.concern_id]))

    assert page.status_code == 200
    assert "3/10" in page.text.split('id="concern-rating"')[1].split("</dd>")[0]
