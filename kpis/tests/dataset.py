"""A small hand-built month (March 2026, Europe/Paris) whose KPIs are worked out in test_queries.py.

Every record is created directly (the stage apps' services are tested in their own apps); issued invoice lines
are added while the invoice is a draft, then it is marked issued (an issued invoice refuses new lines).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging.models import OutboxMessage
from appointments.models import Appointment, Loaner, LoanerReservation, WebRequest
from appointments.tests.factories import LabourOperationFactory
from followup.models import CallTask, Concern, MaintenanceReminder, SatisfactionAnswer
from invoicing.models import Handover, Invoice, InvoiceLine
from kpis.rollup import rebuild
from workshop.models import (
    Approval,
    ApprovalDecision,
    ApprovalRequest,
    AttendanceSpan,
    DeferredWork,
    JobClocking,
    JobStatus,
    Payer,
    QualityCheck,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderJob,
)

PARIS = ZoneInfo("Europe/Paris")
MARCH = date(2026, 3, 1)


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@dataclass
class Month:
    advisor_one: object
    advisor_two: object
    technician: object
    work_orders: dict
    appointments: dict


def appointment(site, customer, vehicle, advisor, *, created, starts, status, channel, origin, origin_record=None):
    origin_fields = {}
    if origin_record is not None:
        origin_fields = {"origin_content_type": ContentType.objects.get_for_model(origin_record), "origin_object_id": origin_record.pk}
    return Appointment.objects.create(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=starts,
        handover_at=starts + timedelta(hours=8),
        workshop_day=starts.date(),
        status=status,
        channel=channel,
        origin=origin,
        currency="EUR",
        booked_by=advisor,
        created_at=created,
        **origin_fields,
    )


def work_order(site, number, customer, vehicle, advisor, *, created, appointment_=None, status=WorkOrder.Status.READY):
    return WorkOrder.objects.create(
        site=site,
        year=2026,
        sequence=number,
        number=f"{site.code}-{number}",
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        created_at=created,
        appointment=appointment_,
        status=status,
        currency="EUR",
    )


def job(order, operation, *, hours, technician=None, done_at=None, approval=Approval.AGREED, added_at=None):
    return WorkOrderJob.objects.create(
        work_order=order,
        operation=operation,
        concern=operation.description,
        skill=operation.skill,
        flat_rate_hours=Decimal(hours),
        labour_price=Decimal(hours) * 100,
        payer=Payer.CUSTOMER,
        approval=approval,
        added_at=added_at or order.created_at,
        status=JobStatus.DONE if done_at else JobStatus.WAITING,
        done_by=technician if done_at else None,
        done_at=done_at,
        technician=technician,
    )


def message(site, customer, key, template, *, created, status=OutboxMessage.Status.SENT, sent=None):
    return OutboxMessage.objects.create(
        idempotency_key=key,
        customer=customer,
        site=site,
        channel="sms",
        purpose="service",
        template_key=template,
        language="fr",
        due_at=created,
        created_at=created,
        status=status,
        sent_at=sent,
    )


def invoice(site, order, number, *, payer, issued, net, kind=Invoice.Kind.INVOICE, credited=None, lines=()):
    document = Invoice.objects.create(
        site=site,
        work_order=order,
        kind=kind,
        status=Invoice.Status.DRAFT,
        payer=payer,
        bill_to="x",
        customer=order.customer,
        vehicle=order.vehicle,
        currency="EUR",
        net_total=Decimal(net),
        gross_total=Decimal(net) * Decimal("1.2"),
        created_by=order.advisor,
        year=2026,
        sequence=number,
        number=f"{site.invoice_prefix}-{number}",
        issued_at=issued,
        issued_on=issued.date(),
        hash=f"{number:064d}",
        credited=credited,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=document,
                kind=line_kind,
                description=line_kind,
                quantity=Decimal(quantity),
                unit_price=Decimal("1"),
                vat_rate=Decimal("20"),
                net=Decimal(line_net),
                vat=Decimal("0"),
                expected_net=Decimal(expected),
            )
            for line_kind, quantity, line_net, expected in lines
        ]
    )
    Invoice.objects.filter(pk=document.pk).update(status=Invoice.Status.ISSUED)  # lines go in before it is issued
    return document


def build_month(site, other_site) -> Month:
    """The March 2026 data of ``site`` (see test_queries.py for the figures), plus noise at ``other_site``; their daily
    figures rebuilt as the timed jobs would."""
    advisor_one = UserFactory(
        roles=[Role.SERVICE_ADVISOR], site_list=[site], username="kpi-advisor-one", first_name="Anna", last_name="One"
    )
    advisor_two = UserFactory(
        roles=[Role.SERVICE_ADVISOR], site_list=[site], username="kpi-advisor-two", first_name="Bruno", last_name="Two"
    )
    technician = UserFactory(roles=[Role.TECHNICIAN], site_list=[site], username="kpi-technician")
    c1, c2, c3 = (CustomerFactory(site=site) for _ in range(3))
    v1, v2, v3 = VehicleFactory(owner=c1), VehicleFactory(owner=c2), VehicleFactory(owner=c3)
    oil, brake = LabourOperationFactory(description="Oil service"), LabourOperationFactory(description="Brake pads")

    # reminders: one booked (ap1 comes from it), one not
    r1 = MaintenanceReminder.objects.create(
        vehicle=v1, customer=c1, site=site, target="2026-03", touch="d30", basis="date", due_on=date(2026, 3, 30), sent_at=at(1, 8)
    )
    MaintenanceReminder.objects.create(
        vehicle=v2, customer=c2, site=site, target="2026-04", touch="d30", basis="date", due_on=date(2026, 4, 14), sent_at=at(15, 8)
    )
    S, C = Appointment.Status, Appointment.BookingChannel
    ap1 = appointment(
        site,
        c1,
        v1,
        advisor_one,
        created=at(1, 9),
        starts=at(5, 9),
        status=S.CONVERTED,
        channel=C.PHONE_IN,
        origin=Appointment.Origin.REMINDER,
        origin_record=r1,
    )
    ap3 = appointment(
        site,
        c1,
        v1,
        advisor_two,
        created=at(2, 9),
        starts=at(20, 9),
        status=S.CONVERTED,
        channel=C.ONLINE,
        origin=Appointment.Origin.ONLINE,
    )
    ap5 = appointment(
        site,
        c2,
        v2,
        advisor_one,
        created=at(3, 9),
        starts=at(12, 9),
        status=S.NO_SHOW,
        channel=C.PHONE_IN,
        origin=Appointment.Origin.CAMPAIGN,
    )
    ap6 = appointment(
        site,
        c3,
        v3,
        advisor_two,
        created=at(4, 9),
        starts=at(25, 9),
        status=S.CANCELLED,
        channel=C.DESK,
        origin=Appointment.Origin.INBOUND_CALL,
    )
    message(site, c1, f"booking_confirmation:{ap1.pk}", "booking_confirmation", created=at(1, 9), sent=at(1, 9, 10))
    message(site, c1, f"booking_confirmation:{ap3.pk}", "booking_confirmation", created=at(2, 9), sent=at(2, 10))
    message(site, c3, f"booking_confirmation:{ap6.pk}", "booking_confirmation", created=at(4, 9), sent=at(4, 9, 5))
    message(site, c1, "reminder-24h", "booking_reminder_24h", created=at(19, 9), status=OutboxMessage.Status.DELIVERED, sent=at(19, 9))
    message(site, c2, "failed", "booking_confirmation", created=at(10, 9), status=OutboxMessage.Status.FAILED)

    wo1 = work_order(site, 1, c1, v1, advisor_one, created=at(5, 10), appointment_=ap1)
    wo2 = work_order(site, 2, c2, v2, advisor_one, created=at(10, 10))
    wo3 = work_order(site, 3, c1, v1, advisor_two, created=at(20, 10), appointment_=ap3)
    work_order(site, 4, c3, v3, advisor_two, created=at(21, 10), status=WorkOrder.Status.CANCELLED)
    work_order(site, 5, c1, v1, advisor_one, created=at(10, 10, month=6, year=2024))  # retention: c1 came back
    work_order(site, 6, c3, v3, advisor_one, created=at(11, 10, month=6, year=2024))  # retention: c3 did not

    j1 = job(wo1, oil, hours="3", technician=technician, done_at=at(5, 14))
    job(wo2, brake, hours="2", technician=technician, done_at=at(10, 12))
    sold = job(wo3, oil, hours="1", added_at=at(20, 10))  # a comeback of wo1 (same vehicle, same operation, 15 days later)
    extra = job(wo1, brake, hours="1", approval=Approval.APPROVED)
    declined = job(wo1, brake, hours="1", approval=Approval.DECLINED)

    # technician's day: 8 h at work less 0.5 h break = 7.5 h attended; 4 h clocked; 5 h sold
    AttendanceSpan.objects.create(technician=technician, site=site, kind="day", started_at=at(5, 8), ended_at=at(5, 16))
    AttendanceSpan.objects.create(technician=technician, site=site, kind="break", started_at=at(5, 12), ended_at=at(5, 12, 30))
    JobClocking.objects.create(technician=technician, job=j1, started_at=at(5, 9), ended_at=at(5, 12))
    JobClocking.objects.create(technician=technician, job=j1, started_at=at(5, 13), ended_at=at(5, 14))

    QualityCheck.objects.create(work_order=wo1, inspector=technician, checked_at=at(5, 15), passed=False, fail_reason="noise")
    QualityCheck.objects.create(work_order=wo1, inspector=technician, checked_at=at(5, 16), passed=True)
    QualityCheck.objects.create(work_order=wo2, inspector=technician, checked_at=at(10, 13), passed=True)

    first = ApprovalRequest.objects.create(work_order=wo1, sent_by=advisor_one, sent_at=at(5, 11), first_viewed_at=at(5, 11, 20))
    ApprovalRequest.objects.create(work_order=wo2, sent_by=advisor_one, sent_at=at(10, 11))
    ApprovalDecision.objects.create(
        job=extra,
        approved=True,
        method="signed_link",
        decided_by="c1",
        net_amount=Decimal("120"),
        gross_amount=Decimal("144"),
        decided_at=at(5, 11, 30),
        request=first,
    )
    ApprovalDecision.objects.create(
        job=declined,
        approved=False,
        method="signed_link",
        decided_by="c1",
        net_amount=Decimal("80"),
        gross_amount=Decimal("96"),
        decided_at=at(5, 11, 30),
        request=first,
    )
    DeferredWork.objects.create(
        vehicle=v1,
        site=site,
        description="Brake pads",
        due_on=date(2026, 4, 5),
        gross_price=Decimal("96"),
        currency="EUR",
        declined_job=declined,
        sold_job=sold,
    )

    for order, events in (
        (wo1, [("checked_in", at(5, 10)), ("in_workshop", at(5, 11)), ("ready", at(5, 17))]),
        (wo2, [("in_workshop", at(10, 10)), ("ready", at(10, 13))]),
    ):
        for status, moment in events:
            WorkOrderEvent.objects.create(work_order=order, to_status=status, at=moment)

    first_invoice = invoice(site, wo1, 1, payer=Payer.CUSTOMER, issued=at(6, 10), net="300", lines=[("labour", "3", "300", "250")])
    second = invoice(
        site, wo2, 2, payer=Payer.WARRANTY, issued=at(11, 10), net="200", lines=[("labour", "2", "160", "160"), ("part", "1", "40", "40")]
    )
    invoice(site, wo2, 3, payer=Payer.WARRANTY, issued=at(12, 10), net="50", kind=Invoice.Kind.CREDIT_NOTE, credited=second)
    assert first_invoice.pk

    loaner = Loaner.objects.create(site=site, description="A1", plate="LO-1", category="city car")
    Loaner.objects.create(site=site, description="A3", plate="LO-2", category="estate", active=False)
    LoanerReservation.objects.create(loaner=loaner, appointment=ap1, starts_at=at(5, 9), ends_at=at(6, 9))

    CallTask.objects.create(
        site=site,
        customer=c1,
        kind=CallTask.Kind.CALLBACK,
        reason="7 days",
        key="cb1",
        due_at=at(12, 9),
        created_at=at(6, 9),
        status=CallTask.Status.DONE,
        closed_at=at(8, 9),
    )
    CallTask.objects.create(
        site=site, customer=c2, kind=CallTask.Kind.CALLBACK, reason="7 days", key="cb2", due_at=at(14, 9), created_at=at(7, 9)
    )
    for summary, received, answered in (("late car", at(5, 10), at(5, 20)), ("bill", at(6, 10), at(8, 10))):
        Concern.objects.create(
            site=site,
            customer=c1,
            kind=Concern.Kind.COMPLAINT,
            channel="call",
            summary=summary,
            owner=advisor_one,
            received_at=received,
            answered_at=answered,
            created_by=advisor_one,
        )
    for order, score, nps in ((wo1, 5, 10), (wo2, 4, 9), (wo3, 2, 3)):
        handover = Handover.objects.create(
            work_order=order, site=site, advisor=order.advisor, arrived_at=order.created_at, closed_at=order.created_at + timedelta(hours=8)
        )
        SatisfactionAnswer.objects.create(
            source="callback",
            handover=handover,
            customer=order.customer,
            site=site,
            score=score,
            nps=nps,
            answered_at=order.created_at + timedelta(days=7),
        )
    WebRequest.objects.create(
        site=site,
        channel="web",
        name="Ann",
        mobile="+33612000001",
        language="fr",
        message="?",
        received_at=at(5, 9),
        due_at=at(5, 11),
        answered_at=at(5, 10),
    )
    WebRequest.objects.create(
        site=site, channel="web", name="Bob", mobile="+33612000002", language="fr", message="?", received_at=at(6, 9), due_at=at(6, 11)
    )

    # another site's month: must never show at ``site``
    other_advisor = UserFactory(roles=[Role.SERVICE_ADVISOR], site_list=[other_site], username="kpi-other-advisor")
    oc = CustomerFactory(site=other_site)
    ov = VehicleFactory(owner=oc)
    other = appointment(
        other_site,
        oc,
        ov,
        other_advisor,
        created=at(1, 9),
        starts=at(9, 9),
        status=S.NO_SHOW,
        channel=C.ONLINE,
        origin=Appointment.Origin.ONLINE,
    )
    work_order(other_site, 1, oc, ov, other_advisor, created=at(9, 10))
    assert other.pk
    rebuild(sites=[site, other_site], start=date(2024, 1, 1), end=date(2026, 7, 1), now=at(31, 23))
    return Month(advisor_one, advisor_two, technician, {1: wo1, 2: wo2, 3: wo3}, {1: ap1, 3: ap3, 5: ap5, 6: ap6})
