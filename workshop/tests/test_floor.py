"""The workshop floor: dispatch, the two clocks, sign-off, the three ratios, extra work, the quality check."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.messaging.models import OutboxMessage
from appointments.tests.factories import LabourOperationFactory, PartFactory
from workshop import selectors
from workshop.exceptions import (
    ApprovalRefused,
    ClockingRefused,
    DispatchRefused,
    InspectionRefused,
    NotInvoiceable,
    PriceChanged,
    QualityCheckRefused,
    SpendingLimitExceeded,
    TransitionNotAllowed,
)
from workshop.models import (
    AdvisorNotification,
    Approval,
    ApprovalDecision,
    AttendanceSpan,
    Bay,
    DeferredWork,
    JobClocking,
    JobStatus,
    QualityCheck,
    Rating,
    WorkOrder,
    WorkOrderEvent,
)
from workshop.selectors import (
    average_time_in_status,
    dispatch_board,
    list_open_work_orders,
    open_deferred_work,
    rework_count,
    site_hours,
    technician_hours,
)
from workshop.services import (
    add_job,
    add_part,
    assign_job,
    change_promised_time,
    clock_in,
    clock_off_job,
    clock_on_job,
    clock_out,
    decide_proposal,
    end_break,
    mark_delivered,
    mark_ready_for_invoicing,
    proposal_amounts,
    record_quality_check,
    reprice_proposal,
    save_inspection,
    sell_deferred_work,
    sign_off_job,
    start_break,
    start_inspection,
)

from .conftest import PARIS
from .helpers import technician_of

Method = ApprovalDecision.Method
QC_OK = {
    "order_complete": True,
    "road_test_done": True,
    "road_test_notes": "No noise",
    "all_jobs_done": True,
    "cleaned": True,
    "parking_place": "P12",
}


@pytest.fixture
def job(in_workshop, mechanic, foreman):
    booked = in_workshop.jobs.get()
    return assign_job(job=booked, technician=mechanic, bay=Bay.objects.create(site=in_workshop.site, name="Lift 1"), actor=foreman)


def at(hour, minute=0):
    return datetime(2026, 11, 24, hour, minute, tzinfo=PARIS)


# --- dispatch ---------------------------------------------------------------------


def test_dispatch_refuses_a_technician_without_the_jobs_skill(in_workshop, technician, site, foreman):
    technician_of(technician, site, skills=["bodywork"])
    with pytest.raises(DispatchRefused) as refused:
        assign_job(job=in_workshop.jobs.get(), technician=technician, bay=None, actor=foreman)
    assert refused.value.field == "technician"
    assert in_workshop.jobs.get().technician is None


def test_dispatch_refuses_a_bay_of_another_site(in_workshop, mechanic, other_site, foreman):
    with pytest.raises(DispatchRefused) as refused:
        assign_job(job=in_workshop.jobs.get(), technician=mechanic, bay=Bay.objects.create(site=other_site, name="X"), actor=foreman)
    assert refused.value.field == "bay"


def test_assigning_records_who_and_the_status_change(job, foreman):
    assert job.status == JobStatus.ASSIGNED
    assert AuditEvent.objects.filter(actor=foreman, changes__status=[JobStatus.WAITING, JobStatus.ASSIGNED]).exists()


# --- the two clocks -----------------------------------------------------------------


def test_clocking_on_needs_the_day_clocked_in_and_no_break(job, mechanic, clock):
    with pytest.raises(ClockingRefused) as refused:
        clock_on_job(job=job, technician=mechanic)
    assert refused.value.field == "attendance"
    clock_in(technician=mechanic)
    start_break(technician=mechanic)
    with pytest.raises(ClockingRefused, match="break"):
        clock_on_job(job=job, technician=mechanic)
    end_break(technician=mechanic)
    assert clock_on_job(job=job, technician=mechanic).ended_at is None


def test_one_open_job_clocking_at_a_time(job, mechanic, in_workshop, advisor, clock):
    second = add_job(work_order=in_workshop, actor=advisor, concern="Wipers", flat_rate_hours=Decimal("0.3"), skill="mechanics")
    decide_proposal(job=second, approved=True, method=Method.PHONE, decided_by="Mrs Durand", actor=advisor)
    second.refresh_from_db()
    second.technician = mechanic
    second.save(update_fields=["technician"])
    clock_in(technician=mechanic)
    clock_on_job(job=job, technician=mechanic)

    with pytest.raises(ClockingRefused) as refused:
        clock_on_job(job=second, technician=mechanic)

    assert refused.value.field == "job" and job.concern in refused.value.message
    assert JobClocking.objects.filter(technician=mechanic, ended_at__isnull=True).count() == 1
    clock_off_job(job=job, technician=mechanic)
    assert clock_on_job(job=second, technician=mechanic).job == second


def test_the_database_refuses_a_second_open_clocking(job, mechanic, clock):
    JobClocking.objects.create(technician=mechanic, job=job, started_at=at(8))
    with pytest.raises(IntegrityError), transaction.atomic():
        JobClocking.objects.create(technician=mechanic, job=job, started_at=at(8, 30))


def test_a_technician_cannot_clock_on_or_tick_a_job_not_assigned_to_them(job, site, clock):
    from aftersales.accounts.roles import Role
    from aftersales.accounts.tests.factories import UserFactory

    other = technician_of(UserFactory(roles=[Role.TECHNICIAN], site_list=[site]), site)
    clock_in(technician=other)
    for attempt in (clock_on_job, sign_off_job):
        with pytest.raises(ClockingRefused, match="not assigned to you") as refused:
            attempt(job=job, technician=other)
        assert refused.value.field == "job"
    job.refresh_from_db()
    assert job.status == JobStatus.ASSIGNED and job.done_by is None


def test_a_break_and_the_end_of_the_day_stop_the_job_clock(job, mechanic, clock):
    clock_in(technician=mechanic, now=at(8))
    clock_on_job(job=job, technician=mechanic, now=at(8, 10))
    start_break(technician=mechanic, now=at(10))
    assert JobClocking.objects.get().ended_at == at(10)
    end_break(technician=mechanic, now=at(10, 15))
    clock_on_job(job=job, technician=mechanic, now=at(10, 15))
    clock_out(technician=mechanic, now=at(11))
    assert not JobClocking.objects.filter(ended_at__isnull=True).exists()
    assert not AttendanceSpan.objects.filter(ended_at__isnull=True).exists()


def test_clocking_in_twice_is_refused(mechanic, clock):
    clock_in(technician=mechanic)
    with pytest.raises(ClockingRefused, match="already clocked in"):
        clock_in(technician=mechanic)


def test_signing_off_the_last_job_sends_the_order_to_the_quality_check(job, mechanic, in_workshop, clock):
    clock_in(technician=mechanic)
    clock_on_job(job=job, technician=mechanic)

    done = sign_off_job(job=job, technician=mechanic, correction="Pads and oil replaced")

    assert (done.status, done.done_by, done.correction) == (JobStatus.DONE, mechanic, "Pads and oil replaced")
    assert not JobClocking.objects.filter(ended_at__isnull=True).exists()
    in_workshop.refresh_from_db()
    assert in_workshop.status == WorkOrder.Status.QUALITY_CHECK
    assert WorkOrderEvent.objects.filter(work_order=in_workshop, to_status="quality_check", actor=mechanic).exists()


# --- the three ratios on a hand-built day ----------------------------------------------


@pytest.fixture
def hand_built_day(job, mechanic, in_workshop, site):
    """08:00-17:00 at work with a 12:00-13:00 break; on jobs 08:15-10:15 and 13:00-16:00; jobs of 1.5 h and 4.5 h signed off."""
    second = add_job(
        work_order=in_workshop, actor=in_workshop.advisor, concern="Timing belt", flat_rate_hours=Decimal("4.5"), skill="mechanics"
    )
    AttendanceSpan.objects.create(technician=mechanic, site=site, kind="day", started_at=at(8), ended_at=at(17))
    AttendanceSpan.objects.create(technician=mechanic, site=site, kind="break", started_at=at(12), ended_at=at(13))
    JobClocking.objects.create(technician=mechanic, job=job, started_at=at(8, 15), ended_at=at(10, 15))
    JobClocking.objects.create(technician=mechanic, job=second, started_at=at(13), ended_at=at(16))
    for line, done_at in ((job, at(10, 15)), (second, at(16))):
        type(line).objects.filter(pk=line.pk).update(status=JobStatus.DONE, done_by=mechanic, done_at=done_at)
    return mechanic


def test_the_three_ratios_of_a_hand_built_day(hand_built_day, site):
    hours = technician_hours(site=site, start=at(0), end=at(0) + timedelta(days=1), now=at(20))[hand_built_day.pk]

    assert (hours.sold, hours.clocked, hours.attended) == (Decimal("6.00"), Decimal("5.00"), Decimal("8.00"))
    assert hours.efficiency == Decimal("1.200")
    assert hours.productivity == Decimal("0.625")
    assert hours.proficiency == Decimal("0.750")
    assert site_hours(site=site, start=at(0), end=at(0) + timedelta(days=1), now=at(20)).efficiency == Decimal("1.200")


def test_the_ratios_count_only_the_part_of_each_clock_inside_the_period(hand_built_day, site):
    hours = technician_hours(site=site, start=at(10), end=at(13), now=at(20))[hand_built_day.pk]

    assert (hours.sold, hours.clocked, hours.attended) == (Decimal("1.50"), Decimal("0.25"), Decimal("2.00"))


def test_open_clocks_count_up_to_now(job, mechanic, site):
    AttendanceSpan.objects.create(technician=mechanic, site=site, kind="day", started_at=at(8))
    JobClocking.objects.create(technician=mechanic, job=job, started_at=at(9))

    hours = technician_hours(site=site, start=at(0), end=at(0) + timedelta(days=1), now=at(10, 30))[mechanic.pk]

    assert (hours.clocked, hours.attended, hours.efficiency) == (Decimal("1.50"), Decimal("2.50"), Decimal("0.000"))


# --- extra work: spending limit, price changes, decisions, deferred work --------------


@pytest.fixture
def proposal(in_workshop, mechanic):
    """A finding by the technician: 1 h of labour (98 € at the site's rate) and a 20 € part, waiting for approval."""
    job = add_job(work_order=in_workshop, actor=mechanic, concern="Front wiper blades", flat_rate_hours=Decimal("1"), skill="mechanics")
    add_part(
        work_order=in_workshop,
        actor=mechanic,
        part=PartFactory(number="WIPER", unit_price=Decimal("20.00")),
        quantity=Decimal("1"),
        job=job,
    )
    job.refresh_from_db()
    return job


def test_a_finding_is_an_addition_on_hold_for_approval_assigned_to_its_finder(proposal, mechanic):
    assert (proposal.approval, proposal.status, proposal.hold_reason) == (Approval.PENDING, JobStatus.ON_HOLD, "approval")
    assert proposal.technician == mechanic


def test_the_advisor_approves_within_the_spending_limit_on_the_customers_behalf(proposal, advisor, in_workshop):
    net, gross = proposal_amounts(proposal, in_workshop.vat_rate)
    assert net <= in_workshop.spending_limit

    decision = decide_proposal(job=proposal, approved=True, method=Method.WITHIN_LIMIT, actor=advisor)

    assert (decision.method, decision.decided_by, decision.recorded_by, decision.net_amount) == (
        Method.WITHIN_LIMIT,
        str(advisor),
        advisor,
        net,
    )
    proposal.refresh_from_db()
    assert (proposal.approval, proposal.status) == (Approval.APPROVED, JobStatus.ASSIGNED)
    assert set(proposal.parts.values_list("approval", flat=True)) == {Approval.APPROVED}


def test_above_the_spending_limit_the_advisor_must_ask_the_customer(proposal, advisor, in_workshop):
    WorkOrder.objects.filter(pk=in_workshop.pk).update(spending_limit=Decimal("50"))

    with pytest.raises(SpendingLimitExceeded) as refused:
        decide_proposal(job=proposal, approved=True, method=Method.WITHIN_LIMIT, actor=advisor)

    assert refused.value.field == "method"
    proposal.refresh_from_db()
    assert proposal.approval == Approval.PENDING and not ApprovalDecision.objects.exists()
    decision = decide_proposal(job=proposal, approved=True, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    assert (decision.decided_by, decision.method) == ("Claire Durand", Method.PHONE)


def test_the_spending_limit_counts_the_extras_already_approved(in_workshop, advisor, mechanic):
    first = add_job(work_order=in_workshop, actor=mechanic, concern="Bulb", flat_rate_hours=Decimal("1"), skill="mechanics")
    second = add_job(work_order=in_workshop, actor=mechanic, concern="Wipers", flat_rate_hours=Decimal("0.6"), skill="mechanics")
    WorkOrder.objects.filter(pk=in_workshop.pk).update(spending_limit=first.labour_price + Decimal("10"))
    decide_proposal(job=first, approved=True, method=Method.WITHIN_LIMIT, actor=advisor)
    with pytest.raises(SpendingLimitExceeded):
        decide_proposal(job=second, approved=True, method=Method.WITHIN_LIMIT, actor=advisor)


def test_a_phone_decision_needs_who_decided(proposal, advisor):
    with pytest.raises(ApprovalRefused) as refused:
        decide_proposal(job=proposal, approved=True, method=Method.PHONE, actor=advisor)
    assert refused.value.field == "decided_by"


def test_a_decision_on_a_price_the_customer_did_not_see_is_refused(proposal, in_workshop, advisor):
    shown = proposal_amounts(proposal, in_workshop.vat_rate)[1]
    reprice_proposal(job=proposal, actor=advisor, labour_price=Decimal("120.00"), part_prices={})

    with pytest.raises(PriceChanged) as refused:
        decide_proposal(job=proposal, approved=True, method=Method.SIGNED_LINK, shown_gross=shown)

    assert refused.value.field == "amount"
    proposal.refresh_from_db()
    assert proposal.approval == Approval.PENDING


def test_a_price_change_after_approval_needs_a_new_approval(proposal, in_workshop, advisor):
    decide_proposal(job=proposal, approved=True, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    part = proposal.parts.get()

    reprice_proposal(job=proposal, actor=advisor, labour_price=proposal.labour_price, part_prices={part.pk: Decimal("25.00")})

    proposal.refresh_from_db()
    assert (proposal.approval, proposal.status, proposal.hold_reason) == (Approval.PENDING, JobStatus.ON_HOLD, "approval")
    assert set(proposal.parts.values_list("approval", flat=True)) == {Approval.PENDING}
    new_price = proposal_amounts(proposal, in_workshop.vat_rate)[1]
    decision = decide_proposal(job=proposal, approved=True, method=Method.SIGNED_LINK, shown_gross=new_price)
    assert decision.gross_amount == new_price and proposal.decisions.count() == 2


def test_a_declined_item_becomes_deferred_work_on_the_vehicle(proposal, in_workshop, advisor, appointment):
    gross = proposal_amounts(proposal, in_workshop.vat_rate)[1]

    decide_proposal(job=proposal, approved=False, method=Method.SIGNED_LINK, shown_gross=gross, reason="Next month")

    deferred = DeferredWork.objects.get()
    assert (deferred.vehicle, deferred.description, deferred.reason, deferred.gross_price) == (
        in_workshop.vehicle,
        "Front wiper blades",
        "Next month",
        gross,
    )
    assert open_deferred_work(vehicle=in_workshop.vehicle) == [deferred]
    assert open_deferred_work(customer=in_workshop.customer) == [deferred]


def test_the_booking_desk_shows_the_declined_work_at_the_next_booking(client, proposal, in_workshop, advisor):
    decide_proposal(job=proposal, approved=False, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    client.force_login(advisor)

    response = client.get(reverse("appointments:desk_live"), {"vehicle": in_workshop.vehicle.pk})

    assert "Recommendations left open last time" in response.text
    assert "Front wiper blades" in response.text


def test_deferred_work_sold_on_a_later_order_leaves_the_open_list(proposal, in_workshop, advisor):
    decide_proposal(job=proposal, approved=False, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    deferred = DeferredWork.objects.get()

    job = sell_deferred_work(deferred=deferred, work_order=in_workshop, actor=advisor)

    deferred.refresh_from_db()
    assert deferred.sold_job == job and open_deferred_work(vehicle=in_workshop.vehicle) == []


def test_the_advisor_cannot_decline_within_the_limit(proposal, advisor):
    with pytest.raises(SpendingLimitExceeded):
        decide_proposal(job=proposal, approved=False, method=Method.WITHIN_LIMIT, actor=advisor)


# --- inspection -----------------------------------------------------------------------


def test_amber_and_red_points_become_priced_proposals(in_workshop, mechanic, clock):
    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    results = list(inspection.results.select_related("item"))
    ratings = {row.pk: {"rating": Rating.GREEN, "measurement": None, "notes": ""} for row in results}
    ratings[results[0].pk] = {"rating": Rating.AMBER, "measurement": Decimal("3.0"), "notes": "Worn inside"}
    ratings[results[4].pk] = {"rating": Rating.RED, "measurement": Decimal("2.0"), "notes": ""}

    save_inspection(inspection=inspection, actor=mechanic, results=ratings, complete=True)

    proposals = list(in_workshop.jobs.filter(approval=Approval.PENDING).order_by("pk"))
    assert [job.inspection_result_id for job in proposals] == [results[0].pk, results[4].pk]
    assert proposals[0].concern == f"{results[0].item.localized('label', in_workshop.customer.language)}: Worn inside"
    assert all(job.labour_price > 0 for job in proposals)


def test_completing_an_inspection_needs_every_point_rated(in_workshop, mechanic):
    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    with pytest.raises(InspectionRefused) as refused:
        save_inspection(inspection=inspection, actor=mechanic, results={}, complete=True)
    assert refused.value.field == "rating"
    assert not in_workshop.jobs.filter(approval=Approval.PENDING).exists()


def test_an_inspection_point_with_an_operation_proposes_it_with_its_parts_kit(in_workshop, mechanic):
    operation = LabourOperationFactory(code="PADS-F", description="Front pads", flat_rate_hours=Decimal("1.2"), skill="mechanics")
    from appointments.tests.factories import add_kit_line

    add_kit_line(operation, PartFactory(number="PADS", unit_price=Decimal("60.00")), "1")
    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    row = inspection.results.select_related("item").get(item__label="Front brake pads")
    type(row.item).objects.filter(pk=row.item_id).update(operation=operation)
    ratings = {result.pk: {"rating": Rating.GREEN} for result in inspection.results.all()}
    ratings[row.pk] = {"rating": Rating.RED, "measurement": Decimal("2")}

    save_inspection(inspection=inspection, actor=mechanic, results=ratings, complete=True)

    job = in_workshop.jobs.get(inspection_result=row)
    assert job.operation == operation and job.parts.get().part.number == "PADS"


# --- quality check, invoicing readiness ----------------------------------------------------


@pytest.fixture
def at_quality_check(job, mechanic, in_workshop, clock):
    clock_in(technician=mechanic)
    sign_off_job(job=job, technician=mechanic)
    in_workshop.refresh_from_db()
    return in_workshop


def test_a_failed_check_sends_the_job_back_and_counts_as_rework(at_quality_check, quality_controller, job, site, mechanic):
    check = record_quality_check(
        work_order=at_quality_check, inspector=quality_controller, passed=False, fail_reason="Squeak still there", redo_jobs=[job]
    )

    assert not check.passed
    at_quality_check.refresh_from_db()
    job.refresh_from_db()
    assert at_quality_check.status == WorkOrder.Status.IN_WORKSHOP
    assert (job.status, job.rework_count, job.done_by) == (JobStatus.ASSIGNED, 1, None)
    assert rework_count(site=site, start=at(0), end=at(23)) == 1
    sign_off_job(job=job, technician=mechanic)
    at_quality_check.refresh_from_db()
    assert at_quality_check.status == WorkOrder.Status.QUALITY_CHECK


def test_a_failed_check_needs_a_reason_and_the_jobs_to_redo(at_quality_check, quality_controller, job):
    with pytest.raises(QualityCheckRefused) as refused:
        record_quality_check(work_order=at_quality_check, inspector=quality_controller, passed=False, redo_jobs=[job])
    assert refused.value.field == "fail_reason"
    with pytest.raises(QualityCheckRefused) as refused:
        record_quality_check(work_order=at_quality_check, inspector=quality_controller, passed=False, fail_reason="x")
    assert refused.value.field == "redo_jobs"
    assert not QualityCheck.objects.exists()


def test_a_pass_needs_the_road_test_and_the_parking_place(at_quality_check, quality_controller):
    with pytest.raises(QualityCheckRefused) as refused:
        record_quality_check(work_order=at_quality_check, inspector=quality_controller, passed=True, **{**QC_OK, "road_test_done": False})
    assert refused.value.field == "road_test_done"
    with pytest.raises(QualityCheckRefused) as refused:
        record_quality_check(work_order=at_quality_check, inspector=quality_controller, passed=True, **{**QC_OK, "parking_place": ""})
    assert refused.value.field == "parking_place"


def test_a_pass_makes_the_order_ready_and_tells_the_advisor(
    at_quality_check, quality_controller, advisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record_quality_check(work_order=at_quality_check, inspector=quality_controller, passed=True, **QC_OK)

    at_quality_check.refresh_from_db()
    assert at_quality_check.status == WorkOrder.Status.READY
    notification = AdvisorNotification.objects.get(advisor=advisor)
    assert at_quality_check.number in str(notification.text_display)
    assert [message.to for message in mail.outbox] == [[advisor.email]]


def test_a_ready_order_handed_over_becomes_delivered_with_its_status_event(at_quality_check, quality_controller, advisor):
    record_quality_check(work_order=at_quality_check, inspector=quality_controller, passed=True, **QC_OK)

    delivered = mark_delivered(work_order=at_quality_check, actor=advisor)

    assert delivered.status == WorkOrder.Status.DELIVERED
    assert WorkOrderEvent.objects.filter(work_order=delivered, from_status="ready", to_status="delivered", actor=advisor).exists()
    assert delivered not in list_open_work_orders(user=advisor)
    with pytest.raises(TransitionNotAllowed):
        mark_delivered(work_order=delivered, actor=advisor)


def test_an_order_not_ready_for_invoicing_cannot_be_handed_over(at_quality_check, advisor):
    with pytest.raises(TransitionNotAllowed):
        mark_delivered(work_order=at_quality_check, actor=advisor)

    at_quality_check.refresh_from_db()
    assert at_quality_check.status == WorkOrder.Status.QUALITY_CHECK
    assert not WorkOrderEvent.objects.filter(work_order=at_quality_check, to_status="delivered").exists()


def test_nothing_unapproved_can_be_made_ready_for_invoicing(at_quality_check, quality_controller, mechanic):
    WorkOrder.objects.filter(pk=at_quality_check.pk).update(status=WorkOrder.Status.QUALITY_CHECK)
    add_job(work_order=at_quality_check, actor=mechanic, concern="Battery", flat_rate_hours=Decimal("0.3"), skill="mechanics")

    with pytest.raises(NotInvoiceable) as refused:
        mark_ready_for_invoicing(work_order=at_quality_check, actor=quality_controller)

    assert refused.value.field == "jobs" and "Battery" in refused.value.message
    at_quality_check.refresh_from_db()
    assert at_quality_check.status == WorkOrder.Status.QUALITY_CHECK


def test_time_in_each_status_is_averaged_from_the_status_events(in_workshop, site):
    events = list(in_workshop.events.order_by("at", "pk"))
    base = at(8)
    for index, event in enumerate(events):
        WorkOrderEvent.objects.filter(pk=event.pk).update(at=base + timedelta(minutes=10 * index * index))

    averages = average_time_in_status(site=site, start=at(0), end=at(23))

    assert averages["draft"] == timedelta(minutes=10)
    assert averages["checked_in"] == timedelta(minutes=30)
    assert "in_workshop" not in averages


# --- promised time --------------------------------------------------------------------------


def test_a_new_promised_time_is_sent_to_the_customer_at_once(in_workshop, advisor, clock):
    new_time = at(18, 30)

    change_promised_time(work_order=in_workshop, promised_at=new_time, actor=advisor, reason="Part arrives at 15:00")

    message = OutboxMessage.objects.get(template_key="promised_time_changed")
    assert message.customer == in_workshop.customer and "18:30" in message.body


# --- dispatch board query count ----------------------------------------------------------


def _more_orders(count, site, advisor, customer, vehicle):
    from workshop.testing import order_in_workshop
    from workshop.tests.factories import make_appointment

    for index in range(count):
        appointment = make_appointment(
            site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=at(9) + timedelta(minutes=index + 1)
        )
        order_in_workshop(appointment, advisor)


def test_the_dispatch_board_query_count_stays_flat_as_orders_grow(
    job, site, advisor, customer, vehicle, clock, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        small = dispatch_board(site=site)
        [len(column.jobs) for column in small.columns]
    _more_orders(6, site, advisor, customer, vehicle)
    with django_assert_max_num_queries(4):
        large = dispatch_board(site=site)
        [str(job.work_order.customer) + str(job.technician) for column in large.columns for job in column.jobs]
    assert sum(len(column.jobs) for column in large.columns) == 7


def test_a_long_column_shows_its_first_jobs_and_the_rest_on_demand(
    client, foreman, job, site, advisor, customer, vehicle, clock, monkeypatch
):
    monkeypatch.setattr(selectors, "COLUMN_SHOWN", 3)
    _more_orders(5, site, advisor, customer, vehicle)
    waiting = {column.key: column for column in dispatch_board(site=site).columns}["waiting"]
    assert (len(waiting.jobs), waiting.total, waiting.hidden) == (3, 5, 2)
    first = [job.work_order.promised_at for job in waiting.jobs]
    assert first == sorted(first)
    client.force_login(foreman)
    page = client.get(reverse("workshop:dispatch"), {"site": site.pk}).content.decode()
    assert page.count('class="card mb-2 dispatch-job"') == 4 and "Show 2 more jobs" in page  # 3 waiting, 1 assigned
    expanded = client.get(reverse("workshop:dispatch"), {"site": site.pk, "column": "waiting"}).content.decode()
    assert expanded.count('class="card mb-2 dispatch-job"') == 6 and "Show fewer" in expanded
    refreshed = client.get(reverse("workshop:dispatch"), {"site": site.pk, "column": "nonsense"})
    assert refreshed.status_code == 200


def test_handing_the_order_to_the_workshop_converts_its_appointment(in_workshop):
    assert in_workshop.appointment.status == "converted"


def audit_events(record):
    from django.contrib.contenttypes.models import ContentType

    return list(AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)))


def test_deciding_a_proposal_audits_the_approval_of_its_parts_lines(proposal, advisor):
    part = proposal.parts.get()

    decide_proposal(job=proposal, approved=True, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)

    [event] = audit_events(part)
    assert (event.actor, event.changes) == (advisor, {"approval": [Approval.PENDING, Approval.APPROVED]})


def test_a_price_change_after_approval_audits_its_parts_lines_back_to_pending(proposal, advisor):
    decide_proposal(job=proposal, approved=True, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    part = proposal.parts.get()

    reprice_proposal(job=proposal, actor=advisor, labour_price=proposal.labour_price, part_prices={part.pk: Decimal("25.00")})

    assert [event.changes["approval"] for event in audit_events(part)] == [
        [Approval.APPROVED, Approval.PENDING],
        [Approval.PENDING, Approval.APPROVED],
    ]


def test_the_first_view_of_an_approval_link_is_audited_once_with_no_staff_user(in_workshop, advisor):
    from django.contrib.auth.models import AnonymousUser

    from workshop.models import ApprovalRequest
    from workshop.services import mark_request_viewed

    request = ApprovalRequest.objects.create(work_order=in_workshop, sent_by=advisor)

    mark_request_viewed(request=request, viewer=AnonymousUser())
    mark_request_viewed(request=request, viewer=AnonymousUser())

    request.refresh_from_db()
    [event] = audit_events(request)
    assert event.actor is None
    assert event.changes["first_viewed_at"][0] is None and event.changes["first_viewed_at"][1] is not None


def test_a_staff_user_opening_the_approval_link_is_named_in_the_audit_trail(in_workshop, advisor):
    from workshop.models import ApprovalRequest
    from workshop.services import mark_request_viewed

    request = ApprovalRequest.objects.create(work_order=in_workshop, sent_by=advisor)

    mark_request_viewed(request=request, viewer=advisor)

    assert [event.actor for event in audit_events(request)] == [advisor]


def test_reading_a_notification_is_audited_once(in_workshop, advisor):
    from workshop.services import mark_notification_read

    note = AdvisorNotification.objects.create(advisor=advisor, work_order=in_workshop, text="Ready for invoicing")

    mark_notification_read(notification=note, actor=advisor)
    mark_notification_read(notification=note, actor=advisor)

    note.refresh_from_db()
    [event] = audit_events(note)
    assert event.actor == advisor and note.read_at is not None
