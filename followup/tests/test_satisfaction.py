"""The satisfaction follow-up after a handover: the quick touch (24-72 h, not at night), the 7-day callback on an open
day, the survey link, dissatisfied answers opening a complaint, and the figures the KPIs read."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import SiteClosure
from aftersales.customers.models import Channel, Customer
from aftersales.jobs.registry import run_job
from aftersales.lib.signing import make_token
from aftersales.messaging.models import OutboxMessage
from followup import services
from followup.exceptions import CallRefused, SatisfactionRefused
from followup.models import CallOutcome, CallTask, Concern, Escalation, FollowupPolicy, SatisfactionAnswer, VisitFollowup
from followup.selectors import callback_visit, list_due_calls, satisfaction_figures

from .handovers import closed_handover

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process")]

LYON = "+01:00"
FRIDAY_4PM = datetime.fromisoformat(f"2026-03-06T16:00:00{LYON}")


def at(moment: str) -> datetime:
    return datetime.fromisoformat(f"{moment}{LYON}")


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY_4PM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def handover(clock, site, advisor, quality_controller, cashier):
    return closed_handover(site=site, advisor=advisor, inspector=quality_controller, cashier=cashier)


def run(clock, moment: datetime) -> int:
    clock.move_to(moment)
    return run_job("visit_followups", now=moment)


def quick_touch_messages():
    return OutboxMessage.objects.filter(template_key="quick_touch")


def test_a_vehicle_from_handover_to_the_quick_touch_and_the_callback_on_day_7(clock, handover, crc_agent):
    assert handover.closed_at == FRIDAY_4PM
    assert run(clock, at("2026-03-06T17:00:00")) == 1  # the callback is planned at once
    followup = VisitFollowup.objects.get(handover=handover)
    task = CallTask.objects.get(kind=CallTask.Kind.CALLBACK)
    assert timezone.localtime(task.due_at, handover.site.tz) == at("2026-03-13T08:00:00")  # day 7, at the opening
    assert (task.source, task.customer, task.vehicle) == (handover, followup.customer, followup.vehicle)
    assert quick_touch_messages().count() == 0

    assert run(clock, at("2026-03-07T15:00:00")) == 0  # 23 hours: too early
    assert run(clock, at("2026-03-07T16:30:00")) == 1  # 24.5 hours, Saturday afternoon: allowed
    message = quick_touch_messages().get()
    assert message.language == "fr" and message.purpose == "service" and message.due_at == timezone.now()
    assert "/followup/r/" in message.body and "de 1 à 5" in message.body
    for moment in ("2026-03-07T16:30:00", "2026-03-08T10:00:00", "2026-03-09T09:00:00"):
        assert run(clock, at(moment)) == 0  # reruns, Sunday, Monday: nothing new
    assert (VisitFollowup.objects.count(), CallTask.objects.count(), quick_touch_messages().count()) == (1, 1, 1)

    sunday = at("2026-03-08T10:00:00")
    assert list(list_due_calls(user=crc_agent, now=sunday)) == []  # not due over the weekend
    assert list(list_due_calls(user=crc_agent, now=at("2026-03-12T17:00:00"))) == []
    assert list(list_due_calls(user=crc_agent, now=at("2026-03-13T08:05:00"))) == [task]


def test_the_quick_touch_waits_for_the_morning_and_is_never_sent_after_72_hours(clock, handover, site):
    run(clock, at("2026-03-06T17:00:00"))
    VisitFollowup.objects.update(handed_over_at=at("2026-03-09T07:00:00"))  # a handover at 7 am on Monday
    assert run(clock, at("2026-03-10T07:30:00")) == 0  # 24.5 hours, but quiet hours
    assert run(clock, at("2026-03-10T08:00:00")) == 1
    assert timezone.localtime(quick_touch_messages().get().due_at, site.tz) == at("2026-03-10T08:00:00")

    VisitFollowup.objects.update(quick_touch_sent_at=None, quick_touch_message=None, handed_over_at=at("2026-03-02T10:00:00"))
    assert run(clock, at("2026-03-05T10:05:00")) == 0  # 72 hours passed (the job was down): no late quick touch


def test_a_closed_day_7_moves_the_callback_to_the_last_open_day_before_it(clock, handover, site):
    SiteClosure.objects.create(site=site, day=at("2026-03-13T00:00:00").date(), reason="Inventory")
    run(clock, at("2026-03-06T17:00:00"))
    due = timezone.localtime(CallTask.objects.get(kind="callback").due_at, site.tz)
    assert due == at("2026-03-12T08:00:00")


def test_a_saturday_handover_at_a_site_closed_on_saturdays_is_called_back_on_friday(clock, handover, site):
    site.opening_hours.filter(weekday=5).delete()
    due = services.callback_due_at(site, at("2026-03-07T11:00:00"))
    assert due == at("2026-03-13T08:00:00") and due.weekday() == 4


def test_a_low_rating_on_the_quick_touch_page_opens_a_complaint_tells_the_manager_and_escalates_after_24_hours(
    clock,
    handover,
    client,
    manager,
    django_capture_on_commit_callbacks,
):
    run(clock, at("2026-03-07T17:00:00"))
    followup = VisitFollowup.objects.get()
    link = services.quick_touch_link(followup).removeprefix("http://127.0.0.1:8000")

    page = client.get(link)
    assert page.status_code == 200 and page.headers["Content-Language"] == "fr"
    assert 'name="score" value="1"' in page.text and 'name="score" value="5"' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"score": "2", "text": ""})
    assert response.status_code == 302

    answer = SatisfactionAnswer.objects.get()
    concern = Concern.objects.get()
    assert (answer.source, answer.score, answer.answered_by, answer.concern) == ("quick_touch", 2, None, concern)
    assert (concern.kind, concern.channel, concern.owner, concern.created_by, concern.vehicle) == (
        "complaint",
        "survey",
        manager,
        None,
        followup.vehicle,
    )
    assert concern.answer_due_at == timezone.now() + timedelta(hours=24)
    assert (concern.summary_code, concern.summary_params["score"]) == ("followup.survey_complaint", "2")  # shown in the reader's language
    assert "2/5" in str(concern.summary_display)
    acknowledgment = OutboxMessage.objects.get(template_key="concern_acknowledgment")
    assert acknowledgment.customer == followup.customer and concern.reference in acknowledgment.body
    callback = CallTask.objects.get(kind=CallTask.Kind.COMPLAINT_CALLBACK)
    assert callback.assigned_to == manager
    assert [message.to for message in mail.outbox] == [[manager.email]] and concern.reference in mail.outbox[0].subject
    assert "24" in client.get(link).text  # the thank-you page promises the call back

    clock.shift(timedelta(hours=23))
    assert run_job("complaint_escalations", now=timezone.now()) == 0
    clock.shift(timedelta(hours=1, minutes=5))
    assert run_job("complaint_escalations", now=timezone.now()) == 1
    assert run_job("complaint_escalations", now=timezone.now()) == 0
    assert Escalation.objects.get().concern == concern


def test_a_good_rating_with_negative_words_or_negative_remarks_added_later_raises_the_alert_once(clock, handover, client, manager):
    run(clock, at("2026-03-07T17:00:00"))
    link = services.quick_touch_link(VisitFollowup.objects.get()).removeprefix("http://127.0.0.1:8000")

    client.post(link, {"score": "4"})
    assert Concern.objects.count() == 0
    client.post(link, {"text": "Très déçu : le bruit à l'avant est toujours là."})
    client.post(link, {"text": "Et la voiture était sale, problème encore."})

    answer = SatisfactionAnswer.objects.get()
    assert answer.score == 4 and "toujours là" in answer.text and "sale" in answer.text
    assert Concern.objects.get() == answer.concern
    assert client.post(link, {"score": "1"}).status_code == 400  # one rating per visit: the remarks form answers


def test_the_rating_page_refuses_tampered_expired_or_foreign_links_with_a_friendly_page(clock, handover, client):
    run(clock, at("2026-03-07T17:00:00"))
    followup = VisitFollowup.objects.get()
    link = services.quick_touch_link(followup).removeprefix("http://127.0.0.1:8000")

    tampered = client.get(link[:-3] + "xyz/")
    survey_token_on_rating_url = reverse("followup:rate", kwargs={"token": make_token(purpose=services.SURVEY_PURPOSE, pk=followup.pk)})
    clock.shift(services.QUICK_TOUCH_LINK_AGE + timedelta(minutes=1))
    expired = client.get(link)

    assert tampered.status_code == 400 and "link-error" in tampered.text
    assert client.get(survey_token_on_rating_url).status_code == 400
    assert expired.status_code == 400 and "link-error" in expired.text
    assert client.post(link, {"score": "1"}).status_code == 400 and SatisfactionAnswer.objects.count() == 0


def test_a_bad_score_is_refused_on_its_field_and_saves_nothing(clock, handover, client):
    run(clock, at("2026-03-07T17:00:00"))
    followup = VisitFollowup.objects.get()
    link = services.quick_touch_link(followup).removeprefix("http://127.0.0.1:8000")

    assert client.post(link, {"score": "9"}).status_code == 400
    assert client.post(link, {"score": "abc"}).status_code == 400
    with pytest.raises(SatisfactionRefused) as refused:
        services.record_satisfaction_answer(followup=followup, source="survey", score=4, nps=11)
    assert refused.value.field == "nps" and SatisfactionAnswer.objects.count() == 0


def test_a_reached_callback_stores_satisfaction_and_would_recommend(clock, handover, crc_agent):
    run(clock, at("2026-03-06T17:00:00"))
    task = CallTask.objects.get(kind="callback")
    clock.move_to(at("2026-03-13T10:00:00"))

    with pytest.raises(CallRefused) as refused:
        services.record_callback_outcome(task=task, outcome=CallOutcome.INFORMED, agent=crc_agent)
    assert refused.value.field == "satisfaction" and task.attempts.count() == 0
    attempt, answer = services.record_callback_outcome(
        task=task,
        outcome=CallOutcome.INFORMED,
        remarks="Very happy with the advice",
        satisfaction=5,
        nps=9,
        other_needs="Winter tyres in November",
        agent=crc_agent,
    )

    task.refresh_from_db()
    assert task.status == "done" and attempt.reached
    assert (answer.source, answer.score, answer.nps, answer.answered_by, answer.concern) == ("callback", 5, 9, crc_agent, None)
    assert answer.other_needs == "Winter tyres in November" and "Winter tyres" in attempt.remarks


def test_a_detractor_on_the_callback_opens_a_complaint(clock, handover, crc_agent, manager):
    run(clock, at("2026-03-06T17:00:00"))
    clock.move_to(at("2026-03-13T10:00:00"))
    _attempt, answer = services.record_callback_outcome(
        task=CallTask.objects.get(kind="callback"),
        outcome=CallOutcome.INFORMED,
        satisfaction=4,
        nps=5,
        agent=crc_agent,
    )
    concern = answer.concern
    assert (concern.kind, concern.channel, concern.owner, concern.created_by) == ("complaint", "survey", manager, crc_agent)


def test_three_days_unreached_then_the_survey_link_and_its_answer(clock, handover, crc_agent, client):
    run(clock, at("2026-03-06T17:00:00"))
    task = CallTask.objects.get(kind="callback")
    for day in ("2026-03-13", "2026-03-14", "2026-03-16"):
        clock.move_to(at(f"{day}T10:00:00"))
        services.record_callback_outcome(task=task, outcome=CallOutcome.NO_ANSWER, agent=crc_agent)
    task.refresh_from_db()
    survey = task.fallback_message
    assert task.status == "unreached" and survey.template_key == "callback_survey" and "/followup/survey/" in survey.body

    link = "/followup/survey/" + survey.body.split("/followup/survey/")[1].split("/")[0] + "/"
    page = client.get(link)
    assert page.status_code == 200 and 'value="10"' in page.text
    assert client.post(link, {"score": "5"}).status_code == 400  # would-recommend missing
    assert client.post(link, {"score": "5", "nps": "10", "text": "Parfait"}).status_code == 302
    answer = SatisfactionAnswer.objects.get()
    assert (answer.source, answer.score, answer.nps, answer.concern) == ("survey", 5, 10, None)
    assert "Parfait" in client.get(link).text


def test_a_site_that_prefers_it_sends_the_survey_link_instead_of_calling_sms_customers(clock, handover, site):
    FollowupPolicy.objects.create(site=site, callback=FollowupPolicy.Callback.SURVEY_WRITTEN)
    assert handover.work_order.customer.preferred_channel == Channel.SMS

    assert run(clock, at("2026-03-06T17:00:00")) == 1
    assert run(clock, at("2026-03-06T17:10:00")) == 0

    followup = VisitFollowup.objects.get()
    assert not CallTask.objects.filter(kind="callback").exists()
    assert followup.survey_message.template_key == "callback_survey"
    assert followup.survey_message.due_at == followup.callback_due_at == at("2026-03-13T08:00:00")


def test_a_phone_customer_is_called_even_where_the_site_prefers_survey_links(clock, site, advisor, quality_controller, cashier):
    FollowupPolicy.objects.create(site=site, callback=FollowupPolicy.Callback.SURVEY_WRITTEN)
    handover = closed_handover(site=site, advisor=advisor, inspector=quality_controller, cashier=cashier)
    Customer.objects.filter(pk=handover.work_order.customer_id).update(preferred_channel=Channel.PHONE)
    run(clock, at("2026-03-06T17:00:00"))
    assert CallTask.objects.filter(kind="callback").count() == 1 and VisitFollowup.objects.get().survey_message is None


def test_the_callback_screen_shows_the_visit(clock, handover, crc_agent, client):
    run(clock, at("2026-03-06T17:00:00"))
    task = CallTask.objects.get(kind="callback")
    invoice = handover.work_order.invoices.get(status="issued", payer="customer")
    client.force_login(crc_agent)

    page = client.get(task.get_absolute_url())

    assert page.status_code == 200
    assert invoice.number in page.text and handover.work_order.number in page.text
    assert "Front brake discs" in page.text and "Annual service" in page.text  # the declined extra, still open
    assert str(handover.advisor) in page.text and "Rear tyres at 3 mm" in page.text
    assert f"vehicle={task.vehicle_id}" in page.text  # book a new appointment from here
    assert 'name="satisfaction"' in page.text and 'name="nps"' in page.text
    visit = callback_visit(task)
    assert [work.description for work in visit.open_deferred] == ["Front brake discs"]


def test_recording_a_dissatisfied_callback_from_the_screen_warns_the_agent(clock, handover, crc_agent, manager, client):
    run(clock, at("2026-03-06T17:00:00"))
    task = CallTask.objects.get(kind="callback")
    clock.move_to(at("2026-03-13T10:00:00"))
    client.force_login(crc_agent)
    url = reverse("followup:call_record", args=[task.pk])

    missing = client.post(url, {"outcome": "informed"})
    response = client.post(url, {"outcome": "informed", "satisfaction": "2", "nps": "3", "remarks": "Noise still there"}, follow=True)

    assert missing.status_code == 400 and "satisfaction" in missing.text
    assert any(Concern.objects.get().reference in str(message) for message in response.context["messages"])
    assert SatisfactionAnswer.objects.get().concern.owner == manager


def test_kpi_figures_come_from_sql(clock, handover, crc_agent, manager, site, advisor, quality_controller, cashier):
    run(clock, at("2026-03-06T17:00:00"))
    second = closed_handover(site=site, advisor=advisor, inspector=quality_controller, cashier=cashier)
    run(clock, at("2026-03-06T17:05:00"))
    clock.move_to(at("2026-03-12T10:00:00"))
    task = CallTask.objects.get(kind="callback", source_id=handover.pk)
    services.record_callback_outcome(task=task, outcome=CallOutcome.INFORMED, satisfaction=5, nps=10, agent=crc_agent)
    late = CallTask.objects.get(kind="callback", source_id=second.pk)
    clock.move_to(at("2026-03-16T10:00:00"))  # 10 days after: not a 7-day callback
    services.record_callback_outcome(task=late, outcome=CallOutcome.INFORMED, satisfaction=2, nps=3, agent=crc_agent)

    figures = satisfaction_figures(user=manager, since=at("2026-03-01T00:00:00"), until=at("2026-04-01T00:00:00"))

    assert (figures.handovers, figures.called_within_7_days, figures.callback_rate) == (2, 1, 50.0)
    assert (figures.answers, figures.csat, figures.average_score) == (2, 50.0, 3.5)
    assert (figures.promoters, figures.detractors, figures.nps) == (1, 1, 0.0)


@pytest.mark.parametrize(
    ("text", "negative"),
    [
        ("Très déçu, le bruit est toujours là", True),
        ("Parfait, merci à l'équipe", False),
        ("Всё плохо, недоволен", True),
        ("Спасибо, всё отлично", False),
        ("不满意，没修好", True),
        ("非常满意", False),
        ("Bad service at the desk", True),
        ("Lovely new badge on the grille", False),
    ],
)
def test_negative_remarks_are_recognised_in_the_four_languages(text, negative):
    from followup.sentiment import reads_negative

    assert reads_negative(text) is negative
