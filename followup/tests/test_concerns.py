"""Customer concerns: acknowledgment, questions back, answer, closing, events, 24 h escalation, monthly review."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.jobs.registry import run_job
from aftersales.messaging.models import OutboxMessage
from followup import services
from followup.exceptions import ConcernRefused
from followup.models import CallTask, Concern, Escalation
from followup.selectors import customer_concerns, monthly_complaint_review

from .factories import consenting_customer, due_vehicle

pytestmark = pytest.mark.django_db

MONDAY = datetime.fromisoformat("2026-03-02T10:00:00+01:00")


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer(site):
    return consenting_customer(site, language="ru")


def complaint(customer, owner, recorded_by, **extra):
    return services.record_concern(
        customer=customer,
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.CALL,
        summary="Noise after the service",
        owner=owner,
        recorded_by=recorded_by,
        **extra,
    )


def test_a_concern_is_acknowledged_at_once_in_the_customers_language(clock, customer, crc_agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        concern = services.record_concern(
            customer=customer,
            kind=Concern.Kind.INFORMATION_REQUEST,
            channel=Concern.Channel.EMAIL,
            summary="Price of winter tyres?",
            recorded_by=crc_agent,
        )
    assert len(callbacks) == 1  # the send task, enqueued after commit
    message = OutboxMessage.objects.get(template_key="concern_acknowledgment")
    assert message.language == "ru" and message.purpose == "service"
    assert concern.reference in message.body
    assert message.status == OutboxMessage.Status.QUEUED and message.due_at == timezone.now()
    assert concern.answer_due_at is None
    assert [(e.from_status, e.to_status, e.actor) for e in concern.events.all()] == [("", "open", crc_agent)]


def test_a_complaint_needs_an_owner_and_is_due_within_24_hours_on_the_owners_call_list(clock, customer, crc_agent, advisor):
    with pytest.raises(ConcernRefused) as refused:
        complaint(customer, None, crc_agent)
    assert refused.value.field == "owner"
    assert not Concern.objects.exists()
    concern = complaint(customer, advisor, crc_agent)
    assert concern.answer_due_at == timezone.now() + timedelta(hours=24)
    task = CallTask.objects.get()
    assert (task.kind, task.assigned_to, task.due_at, task.source) == ("complaint_callback", advisor, timezone.now(), concern)


def test_refusals_name_their_field_and_save_nothing(customer, crc_agent, other_site_advisor, site):
    stranger_vehicle = due_vehicle(site)
    cases = [
        ({"kind": "rant"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"summary": "  "}, "summary"),
        ({"vehicle": stranger_vehicle}, "vehicle"),
        ({"owner": other_site_advisor, "kind": Concern.Kind.COMPLAINT}, "owner"),
    ]
    for extra, field in cases:
        arguments = {
            "customer": customer,
            "kind": Concern.Kind.OTHER,
            "channel": Concern.Channel.DESK,
            "summary": "x",
            "recorded_by": crc_agent,
            **extra,
        }
        with pytest.raises(ConcernRefused) as refused:
            services.record_concern(**arguments)
        assert refused.value.field == field
    assert not Concern.objects.exists() and not OutboxMessage.objects.exists()


def test_missing_information_is_asked_back_and_the_answer_reopens_the_concern(clock, customer, crc_agent, advisor):
    concern = complaint(customer, advisor, crc_agent)
    concern = services.request_concern_info(concern=concern, question="Which wheel makes the noise?", actor=advisor)
    assert concern.status == Concern.Status.WAITING_FOR_CUSTOMER
    question = OutboxMessage.objects.get(template_key="concern_info_request")
    assert "Which wheel makes the noise?" in question.body
    concern = services.record_customer_reply(concern=concern, note="Front left, above 50 km/h", actor=crc_agent)
    assert concern.status == Concern.Status.OPEN
    services.request_concern_info(concern=concern, question="Since when?", actor=advisor)
    assert OutboxMessage.objects.filter(template_key="concern_info_request").count() == 2


def test_answer_then_close_with_resolution_and_agreement_each_recorded_as_an_event(clock, customer, crc_agent, advisor):
    concern = complaint(customer, advisor, crc_agent)
    clock.shift(timedelta(hours=3))
    concern = services.answer_concern(concern=concern, answer="We will check the wheel bearing free of charge.", actor=advisor)
    assert concern.status == Concern.Status.ANSWERED and concern.answered_in_time
    assert CallTask.objects.get().status == CallTask.Status.CANCELLED
    with pytest.raises(ConcernRefused) as refused:
        services.close_concern(concern=concern, resolution=" ", customer_agreed=True, actor=advisor)
    assert refused.value.field == "resolution"
    concern = services.close_concern(concern=concern, resolution="Bearing replaced under warranty.", customer_agreed=True, actor=advisor)
    assert concern.status == Concern.Status.CLOSED and concern.customer_agreed
    assert [(e.from_status, e.to_status) for e in concern.events.all()] == [("", "open"), ("open", "answered"), ("answered", "closed")]
    with pytest.raises(ConcernRefused):
        services.reopen_concern(concern=concern, note="again", actor=advisor)


def test_an_answered_concern_can_be_reopened_and_a_closed_one_not_reassigned(clock, customer, crc_agent, advisor, manager):
    concern = complaint(customer, advisor, crc_agent)
    services.answer_concern(concern=concern, answer="Checked.", actor=advisor)
    concern = services.reopen_concern(concern=concern, note="Customer calls again: noise still there", actor=crc_agent)
    assert concern.status == Concern.Status.OPEN
    concern = services.assign_concern(concern=concern, owner=manager, actor=manager)
    assert concern.owner == manager
    services.answer_concern(concern=concern, answer="Replaced.", actor=manager)
    services.close_concern(concern=concern, resolution="Done", customer_agreed=False, actor=manager)
    with pytest.raises(ConcernRefused):
        services.assign_concern(concern=concern, owner=advisor, actor=manager)


def test_an_unanswered_complaint_is_escalated_once_to_the_sites_managers_after_24_hours(
    clock,
    site,
    customer,
    crc_agent,
    advisor,
    manager,
    other_site,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    UserFactory(roles=[Role.MANAGER], site_list=[other_site], username="elsewhere", email="elsewhere@example.test")
    manager.email, manager.language = "manager@example.test", "fr"
    manager.save()
    concern = complaint(customer, advisor, crc_agent)
    clock.shift(timedelta(hours=23, minutes=59))
    assert run_job("complaint_escalations", now=timezone.now()) == 0
    clock.shift(timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job("complaint_escalations", now=timezone.now()) == 1
        assert run_job("complaint_escalations", now=timezone.now()) == 0
    escalation = Escalation.objects.get()
    assert (escalation.concern, escalation.site) == (concern, site)
    assert [message.to for message in mail.outbox] == [["manager@example.test"]]
    assert mail.outbox[0].subject == f"Réclamation {concern.reference} sans réponse sous 24 heures"
    assert f"Client : {customer}" in mail.outbox[0].body and f"/followup/concerns/{concern.pk}/" in mail.outbox[0].body


def test_an_answered_complaint_is_not_escalated(clock, customer, crc_agent, advisor):
    concern = complaint(customer, advisor, crc_agent)
    services.answer_concern(concern=concern, answer="Called back", actor=advisor)
    clock.shift(timedelta(days=2))
    assert run_job("complaint_escalations", now=timezone.now()) == 0


def test_handling_an_escalation_takes_it_off_the_list_once(clock, customer, crc_agent, advisor, manager):
    complaint(customer, advisor, crc_agent)
    clock.shift(timedelta(days=1, minutes=1))
    run_job("complaint_escalations", now=timezone.now())
    escalation = Escalation.objects.get()
    services.handle_escalation(escalation=escalation, actor=manager)
    with pytest.raises(ConcernRefused):
        services.handle_escalation(escalation=escalation, actor=manager)


def test_monthly_review_counts_complaints_per_site_answered_in_time_or_not(clock, site, customer, crc_agent, advisor, manager):
    in_time = complaint(customer, advisor, crc_agent)
    late = complaint(customer, advisor, crc_agent)
    complaint(customer, advisor, crc_agent)  # never answered
    services.record_concern(
        customer=customer, kind=Concern.Kind.PRAISE, channel=Concern.Channel.SURVEY, summary="Great", recorded_by=crc_agent
    )
    services.answer_concern(concern=in_time, answer="ok", actor=advisor)
    services.close_concern(concern=in_time, resolution="Refund", customer_agreed=True, actor=advisor)
    clock.shift(timedelta(hours=30))
    services.answer_concern(concern=late, answer="late", actor=advisor)
    reviews, complaints = monthly_complaint_review(user=manager, month=date(2026, 3, 1))
    (row,) = reviews
    assert (row.total, row.answered_in_time, row.answered_late, row.unanswered, row.closed, row.agreed) == (3, 1, 1, 1, 1, 1)
    assert complaints.count() == 3
    assert monthly_complaint_review(user=manager, month=date(2026, 2, 1))[0] == []


def test_the_customers_file_lists_their_concerns(clock, customer, crc_agent):
    concern = services.record_concern(
        customer=customer, kind=Concern.Kind.OTHER, channel=Concern.Channel.DESK, summary="Lost key", recorded_by=crc_agent
    )
    assert customer_concerns(customer=customer) == [concern]


def test_an_sms_reply_answers_the_question_and_reopens_the_concern(clock, customer, crc_agent, advisor):
    from aftersales.messaging.services import receive_sms

    concern = complaint(customer, advisor, crc_agent)
    services.request_concern_info(concern=concern, question="Which wheel?", actor=advisor)
    inbound = receive_sms(provider_id="SM-concern", from_number=customer.mobile, to_number="", body="Front left")
    concern.refresh_from_db()
    assert concern.status == Concern.Status.OPEN
    assert concern.events.last().note == "Front left" and concern.events.last().actor is None
    assert inbound.handled_at is not None


def test_a_mail_server_failure_keeps_the_escalation(
    clock, customer, crc_agent, advisor, manager, settings, eager_tasks, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens there
    complaint(customer, advisor, crc_agent)
    clock.shift(timedelta(days=1, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job("complaint_escalations", now=timezone.now()) == 1
    assert Escalation.objects.count() == 1
    assert "could not be sent" in caplog.text


def test_a_concern_recorded_at_night_is_acknowledged_when_quiet_hours_end(customer, crc_agent):
    with time_machine.travel(datetime.fromisoformat("2026-03-02T22:30:00+01:00"), tick=False):
        services.record_concern(
            customer=customer, kind=Concern.Kind.OTHER, channel=Concern.Channel.EMAIL, summary="Lost key", recorded_by=crc_agent
        )
    message = OutboxMessage.objects.get(template_key="concern_acknowledgment")
    assert message.due_at == datetime.fromisoformat("2026-03-03T08:00:00+01:00")
