"""Call tasks (attempts on different days, fallback) and the target lists with their outreach."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aftersales.customers.models import Channel, ConsentRecord, LabourOperation, Ownership, Vehicle
from aftersales.customers.tests.factories import CampaignFactory, CustomerFactory
from aftersales.messaging.models import OutboxMessage
from appointments.models import AppointmentJob
from followup import services
from followup.exceptions import CallRefused
from followup.models import CallOutcome, CallTask, OutreachCampaign
from followup.selectors import TARGET_LISTS, call_script, list_due_calls, target_list_vehicles, vin_regex

from .factories import appointment_for, consenting_customer, due_vehicle

pytestmark = pytest.mark.django_db

# Friday 6 March 2026, 10:00 in Lyon.
FRIDAY = datetime.fromisoformat("2026-03-06T10:00:00+01:00")


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def task(site):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    return services.call_from_list(target_list="service_due", vehicle=vehicle, actor=None)


def test_a_reached_customer_closes_the_call(clock, task, crc_agent):
    attempt = services.record_call_attempt(task=task, outcome=CallOutcome.BOOKED, remarks="Booked for Tuesday", agent=crc_agent)
    task.refresh_from_db()
    assert attempt.reached and (task.status, task.outcome, task.closed_at) == ("done", "booked", timezone.now())
    with pytest.raises(CallRefused):
        services.record_call_attempt(task=task, outcome=CallOutcome.INFORMED, agent=crc_agent)


def test_an_unanswered_call_is_due_again_on_the_next_open_day_not_the_same_day(clock, task, crc_agent):
    services.record_call_attempt(task=task, outcome=CallOutcome.NO_ANSWER, agent=crc_agent)
    task.refresh_from_db()
    assert task.status == "open"
    assert timezone.localtime(task.due_at, task.site.tz) == datetime.fromisoformat("2026-03-07T08:00:00+01:00")  # Saturday morning: open
    with pytest.raises(CallRefused) as refused:
        services.record_call_attempt(task=task, outcome=CallOutcome.VOICEMAIL, agent=crc_agent)
    assert refused.value.field == "outcome"
    assert task.attempts.count() == 1


def test_after_three_days_unanswered_a_target_list_call_falls_back_to_a_message(clock, task, crc_agent):
    for _day in range(3):
        services.record_call_attempt(task=task, outcome=CallOutcome.NO_ANSWER, agent=crc_agent)
        clock.shift(timedelta(days=1))
    task.refresh_from_db()
    assert task.status == CallTask.Status.UNREACHED
    assert task.fallback_message.template_key == "vehicle_life_message"


def test_an_unknown_outcome_is_refused(task, crc_agent):
    with pytest.raises(CallRefused) as refused:
        services.record_call_attempt(task=task, outcome="maybe", agent=crc_agent)
    assert refused.value.field == "outcome"


def test_assigning_needs_an_agent_of_the_site(task, crc_agent, other_site_advisor, manager):
    assert services.assign_call_task(task=task, agent=crc_agent, actor=manager).assigned_to == crc_agent
    with pytest.raises(CallRefused):
        services.assign_call_task(task=task, agent=other_site_advisor, actor=manager)


def test_calling_from_a_list_twice_the_same_day_gives_the_same_task(clock, site, crc_agent):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    first = services.call_from_list(target_list="service_due", vehicle=vehicle, actor=crc_agent)
    assert services.call_from_list(target_list="service_due", vehicle=vehicle, actor=crc_agent) == first
    assert call_script(first) == TARGET_LISTS["service_due"].script


def test_the_call_list_shows_due_and_overdue_tasks_of_the_users_sites(clock, site, other_site, crc_agent, manager):
    vehicle = due_vehicle(site, due_date=date(2026, 4, 1))
    due = services.call_from_list(target_list="service_due", vehicle=vehicle, actor=crc_agent)
    services.create_call_task(
        key="later", site=site, customer=due.customer, kind="target_list", reason="later", due_at=timezone.now() + timedelta(days=3)
    )
    elsewhere = due_vehicle(other_site, due_date=date(2026, 4, 1))
    services.call_from_list(target_list="service_due", vehicle=elsewhere, actor=None)
    assert list(list_due_calls(user=crc_agent, now=timezone.now())) == [due]
    assert list(list_due_calls(user=crc_agent, agent=manager, now=timezone.now())) == []


def list_of(key, user):
    return set(target_list_vehicles(user=user, target_list=TARGET_LISTS[key], now=timezone.now()))


def test_service_due_list(clock, site, crc_agent):
    soon = due_vehicle(site, due_date=date(2026, 4, 20))
    due_vehicle(site, due_date=date(2026, 9, 1))
    assert list_of("service_due", crc_agent) == {soon}


def test_open_recalls_match_active_recall_patterns(clock, site, crc_agent):
    matched = due_vehicle(site, vin="WAUZZZ8V5KA123456")
    due_vehicle(site, vin="VF1ZZZ8V5KA123456")
    CampaignFactory(kind="recall", vin_patterns="WAUZZZ8V?KA*\n", starts_on=date(2026, 1, 1))
    CampaignFactory(kind="recall", vin_patterns="VF1*", starts_on=date(2026, 1, 1), active=False)
    CampaignFactory(kind="service", vin_patterns="VF1*", starts_on=date(2026, 1, 1))
    assert list_of("open_recalls", crc_agent) == {matched}
    assert vin_regex("WAU*8V?") == "^WAU.*8V.$"


def test_hybrid_check_due_for_hybrids_without_a_check_in_twelve_months(clock, site, crc_agent, advisor):
    checked = due_vehicle(site, energy=Vehicle.Energy.HYBRID)
    unchecked = due_vehicle(site, energy=Vehicle.Energy.PLUG_IN)
    due_vehicle(site, energy=Vehicle.Energy.PETROL)
    operation = LabourOperation.objects.create(code="HYBRID-CHECK", description="Hybrid health check", flat_rate_hours=1, skill="diagnosis")
    visit = appointment_for(checked, advisor=advisor, starts_at=timezone.now() - timedelta(days=100), status="arrived")
    AppointmentJob.objects.create(
        appointment=visit,
        operation=operation,
        description="check",
        skill="diagnosis",
        flat_rate_hours=1,
        labour_price=90,
    )
    assert list_of("hybrid_check", crc_agent) == {unchecked}


def test_inactive_customers_have_no_visit_for_18_months(clock, site, crc_agent, advisor):
    long_ago = timezone.now() - timedelta(days=900)
    sleeping = due_vehicle(site, customer=consenting_customer(site, created_at=long_ago))
    active = due_vehicle(site, customer=consenting_customer(site, created_at=long_ago))
    due_vehicle(site)  # a new customer is not inactive
    appointment_for(active, advisor=advisor, starts_at=timezone.now() - timedelta(days=200), status="arrived")
    assert list_of("inactive", crc_agent) == {sleeping}


def test_anniversaries_of_purchase_this_month(clock, site, crc_agent):
    bought_in_march = due_vehicle(site)
    Ownership.objects.filter(vehicle=bought_in_march).update(started_on=date(2023, 3, 20))
    due_vehicle(site)  # the factory's ownership started in January
    (row,) = target_list_vehicles(user=crc_agent, target_list=TARGET_LISTS["anniversaries"], now=timezone.now())
    assert row == bought_in_march and row.bought_on == date(2023, 3, 20)


def test_outreach_sends_one_message_per_customer_and_respects_consent(clock, site, crc_agent):
    owner = consenting_customer(site)
    due_vehicle(site, due_date=date(2026, 4, 1), customer=owner)
    due_vehicle(site, due_date=date(2026, 4, 2), customer=owner)
    refusing = CustomerFactory(site=site)
    ConsentRecord.objects.create(customer=refusing, channel=Channel.SMS, granted=False, source="form")
    due_vehicle(site, due_date=date(2026, 4, 3), customer=refusing)
    vehicles = target_list_vehicles(user=crc_agent, target_list=TARGET_LISTS["service_due"], now=timezone.now(), site=site)
    campaign, queued = services.send_outreach(
        site=site, target_list="service_due", title="Spring service", text="Book now.", vehicles=vehicles, actor=crc_agent
    )
    assert queued == 1
    messages = OutboxMessage.objects.filter(template_key="vehicle_life_message")
    assert sorted(messages.values_list("customer_id", "status")) == sorted([(owner.pk, "queued"), (refusing.pk, "suppressed")])
    assert OutreachCampaign.objects.get() == campaign
    with pytest.raises(CallRefused) as refused:
        services.send_outreach(site=site, target_list="service_due", title="", text="x", vehicles=vehicles, actor=crc_agent)
    assert refused.value.field == "title"


def open_deferred_work(site, advisor, *, count: int = 1, sold: bool = False) -> list:
    """Declined work kept on vehicles of consenting customers (the declined job: the order's first job, opened by the workshop)."""
    from decimal import Decimal

    from workshop.models import DeferredWork
    from workshop.services import open_work_order
    from workshop.tests.factories import make_appointment

    made = []
    for _index in range(count):
        vehicle = due_vehicle(site)
        appointment = make_appointment(
            site=site, customer=vehicle.owner, vehicle=vehicle, advisor=advisor, starts_at=timezone.now() + timedelta(hours=1)
        )
        job = open_work_order(appointment=appointment, actor=advisor).jobs.first()
        made.append(
            DeferredWork.objects.create(
                vehicle=vehicle,
                site=site,
                description="Front brake discs",
                rating="amber",
                due_on=date(2026, 5, 1),
                gross_price=Decimal("288.00"),
                currency="EUR",
                declined_job=job,
                sold_job=job if sold else None,
            )
        )
    return made


def test_declined_recommendations_still_open_list_their_work_with_channel_and_consent(clock, site, advisor, crc_agent, client):
    (open_work,) = open_deferred_work(site, advisor)
    (sold,) = open_deferred_work(site, advisor, sold=True)
    declined = TARGET_LISTS["declined_recommendations"]

    vehicles = list(target_list_vehicles(user=crc_agent, target_list=declined, now=timezone.now()))
    client.force_login(crc_agent)
    page = client.get(reverse("followup:list_declined_recommendations"))

    assert vehicles == [open_work.vehicle] and [work.description for work in vehicles[0].open_deferred] == ["Front brake discs"]
    assert page.status_code == 200 and "Front brake discs" in page.text and "288" in page.text
    assert str(sold.vehicle.owner) not in page.text and "SMS ✓" in page.text
    task = services.call_from_list(target_list=declined.key, vehicle=open_work.vehicle, actor=crc_agent)
    assert call_script(task) == declined.script


def test_a_recommendation_declined_in_the_workshop_puts_its_vehicle_on_the_list(clock, settings, tmp_path, site, advisor, technician):
    from decimal import Decimal

    from workshop.models import ApprovalDecision
    from workshop.services import add_job, decide_proposal
    from workshop.testing import order_in_workshop
    from workshop.tests.factories import make_appointment
    from workshop.tests.helpers import technician_of

    settings.MEDIA_ROOT = tmp_path  # the customer's signature at check-in
    vehicle = due_vehicle(site)
    appointment = make_appointment(
        site=site, customer=vehicle.owner, vehicle=vehicle, advisor=advisor, starts_at=timezone.now() + timedelta(hours=1)
    )
    order = order_in_workshop(appointment, advisor)
    mechanic = technician_of(technician, site)
    finding = add_job(work_order=order, actor=mechanic, concern="Front wiper blades", flat_rate_hours=Decimal("1"), skill="mechanics")
    declined = TARGET_LISTS["declined_recommendations"]
    assert list(target_list_vehicles(user=advisor, target_list=declined, now=timezone.now())) == []

    decide_proposal(job=finding, approved=False, method=ApprovalDecision.Method.PHONE, decided_by="Claire Durand", actor=advisor)

    assert list(target_list_vehicles(user=advisor, target_list=declined, now=timezone.now())) == [vehicle]


def test_declined_recommendations_list_keeps_a_flat_query_count(clock, site, advisor, manager, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("followup:list_declined_recommendations")
    client.force_login(manager)
    open_deferred_work(site, advisor, count=2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    open_deferred_work(site, advisor, count=10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).text.count("Front brake discs") >= 12
