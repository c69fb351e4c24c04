"""Follow-up reads: call list, concerns, escalations, monthly review, reminders, target lists.

Lists return querysets with their joins inside, so views paginate them with a
flat number of queries.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.permissions import get_for_user, visible_to
from aftersales.customers.models import Campaign, ConsentRecord, Ownership, Vehicle
from aftersales.customers.selectors import current_consents
from appointments.models import Appointment, AppointmentJob
from invoicing.models import Handover, Invoice
from workshop.models import DeferredWork, QualityCheck, WorkOrderJob, job_text_sources

from .models import CallAttempt, CallTask, Concern, ConcernEvent, Escalation, MaintenanceReminder, MileageCheck, SatisfactionAnswer
from .services import CALLBACK_DAY, CONVERSION_WINDOW

INACTIVE_AFTER = timedelta(days=548)  # 18 months
HYBRID_CHECK_EVERY = timedelta(days=365)
HYBRID_CHECK_CODE_PREFIX = "HYBRID-CHECK"
SERVICE_DUE_AHEAD = timedelta(days=60)
SERVICE_OVERDUE_KEPT = timedelta(days=90)


# --- Call list -------------------------------------------------------------


def list_due_calls(*, user, site=None, agent=None, now: datetime) -> QuerySet:
    """Open call tasks due by the end of today (site time is close enough at day granularity), oldest first."""
    end_of_day = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    tasks = visible_to(CallTask.objects.filter(status=CallTask.Status.OPEN, due_at__lt=end_of_day), user)
    if site is not None:
        tasks = tasks.filter(site=site)
    if agent is not None:
        tasks = tasks.filter(assigned_to=agent)
    return tasks.select_related("site", "customer", "vehicle", "assigned_to").order_by("due_at", "pk")


def get_call_task_for_user(*, user, pk) -> CallTask:
    queryset = CallTask.objects.select_related("site", "customer__site", "vehicle", "assigned_to", "fallback_message").prefetch_related(
        Prefetch("attempts", queryset=CallAttempt.objects.select_related("agent")),
        Prefetch("customer__consents", queryset=ConsentRecord.objects.order_by("-recorded_at", "-pk")),
    )
    task = get_for_user(queryset, user, pk=pk)
    task.current_consents = current_consents(task.customer.consents.all())
    return task


# --- Concerns ----------------------------------------------------------------


def list_concerns(*, user, status: str = "", kind: str = "", site=None) -> QuerySet:
    concerns = visible_to(Concern.objects.all(), user)
    if status:
        concerns = concerns.filter(status=status)
    if kind:
        concerns = concerns.filter(kind=kind)
    if site is not None:
        concerns = concerns.filter(site=site)
    return concerns.select_related("site", "customer", "vehicle", "owner").order_by("-received_at", "-pk")


def get_concern_for_user(*, user, pk) -> Concern:
    queryset = Concern.objects.select_related("site", "customer", "vehicle", "appointment", "owner", "created_by").prefetch_related(
        Prefetch("events", queryset=ConcernEvent.objects.select_related("actor")),
        "satisfaction_answers",
    )
    return get_for_user(queryset, user, pk=pk)


def customer_concerns(*, customer) -> list[Concern]:
    """A customer's concerns for their 360 page (they belong to the customer's file)."""
    return list(customer.concerns.select_related("vehicle", "owner").order_by("-received_at", "-pk"))


def list_escalations(*, user, open_only: bool = True) -> QuerySet:
    escalations = visible_to(Escalation.objects.all(), user)
    if open_only:
        escalations = escalations.filter(handled_at__isnull=True)
    return escalations.select_related("site", "concern__customer", "concern__owner", "handled_by")


@dataclass
class SiteReview:
    site: object
    total: int
    answered_in_time: int
    answered_late: int
    unanswered: int
    closed: int
    agreed: int


def monthly_complaint_review(*, user, month: date) -> tuple[list[SiteReview], QuerySet]:
    """The complaints received in a month, counted per site, and the complaints themselves."""
    starts = datetime.combine(month.replace(day=1), time(0), tzinfo=timezone.get_current_timezone())
    ends = datetime.combine((month.replace(day=1) + timedelta(days=32)).replace(day=1), time(0), tzinfo=starts.tzinfo)
    complaints = visible_to(Concern.objects.filter(kind=Concern.Kind.COMPLAINT, received_at__gte=starts, received_at__lt=ends), user)
    in_time = Q(answered_at__isnull=False, answered_at__lte=F("answer_due_at"))
    rows = (
        complaints.values("site", "site__name")
        .order_by("site__name")
        .annotate(
            total=Count("pk"),
            answered_in_time=Count("pk", filter=in_time),
            answered_late=Count("pk", filter=Q(answered_at__isnull=False) & ~in_time),
            unanswered=Count("pk", filter=Q(answered_at__isnull=True)),
            closed=Count("pk", filter=Q(status=Concern.Status.CLOSED)),
            agreed=Count("pk", filter=Q(customer_agreed=True)),
        )
    )
    reviews = [
        SiteReview(
            site=row["site__name"],
            total=row["total"],
            answered_in_time=row["answered_in_time"],
            answered_late=row["answered_late"],
            unanswered=row["unanswered"],
            closed=row["closed"],
            agreed=row["agreed"],
        )
        for row in rows
    ]
    return reviews, complaints.select_related("site", "customer", "owner").order_by("site__name", "received_at", "pk")


# --- Reminders ------------------------------------------------------------------


def with_conversion(reminders: QuerySet) -> QuerySet:
    """``converted``: an appointment for the vehicle booked (not cancelled) within 30 days after the reminder."""
    window_end = ExpressionWrapper(OuterRef("sent_at") + CONVERSION_WINDOW, output_field=DateTimeField())
    booked = Appointment.objects.filter(
        vehicle_id=OuterRef("vehicle_id"),
        created_at__gte=OuterRef("sent_at"),
        created_at__lt=window_end,
    ).exclude(status=Appointment.Status.CANCELLED)
    return reminders.annotate(converted=Exists(booked))


def list_reminders(*, user, site=None) -> QuerySet:
    reminders = visible_to(MaintenanceReminder.objects.all(), user)
    if site is not None:
        reminders = reminders.filter(site=site)
    return with_conversion(reminders).select_related("site", "customer", "vehicle", "message").order_by("-sent_at", "-pk")


def reminder_conversion(reminders: QuerySet) -> tuple[int, int]:
    """(reminders, converted) over a queryset of reminders."""
    return reminders.count(), with_conversion(reminders).filter(converted=True).count()


def list_mileage_checks(*, user) -> QuerySet:
    return visible_to(MileageCheck.objects.filter(status=MileageCheck.Status.FLAGGED), user, "vehicle__owner__site").select_related(
        "reading__recorded_by", "vehicle__owner"
    )


def get_mileage_check_for_user(*, user, pk) -> MileageCheck:
    return get_for_user(MileageCheck.objects.select_related("vehicle__owner"), user, "vehicle__owner__site", pk=pk)


# --- Target lists -------------------------------------------------------------------


@dataclass(frozen=True)
class TargetList:
    key: str
    label: str | Promise
    script: str | Promise
    build: object  # (queryset of vehicles, now) -> queryset


def _service_due(vehicles: QuerySet, now: datetime) -> QuerySet:
    """Due by date within 60 days (or up to 90 days overdue), or by the mileage the reminder run projected."""
    today = now.date()
    by_mileage = MaintenanceReminder.objects.filter(
        vehicle_id=OuterRef("pk"),
        basis=MaintenanceReminder.Basis.MILEAGE,
        due_on__gte=today - SERVICE_OVERDUE_KEPT,
        due_on__lte=today + SERVICE_DUE_AHEAD,
    )
    return vehicles.filter(
        Q(next_service_due_date__gte=today - SERVICE_OVERDUE_KEPT, next_service_due_date__lte=today + SERVICE_DUE_AHEAD)
        | Exists(by_mileage)
    )


def vin_regex(pattern: str) -> str:
    """A campaign VIN pattern (``*`` any characters, ``?`` one) as a database regular expression."""
    return "^" + "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern.strip().upper()) + "$"


def _open_recalls(vehicles: QuerySet, now: datetime) -> QuerySet:
    """Vehicles matched by an active recall. There is no completion record yet, so every match counts as open."""
    today = now.date()
    recalls = Campaign.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        kind=Campaign.Kind.RECALL,
        active=True,
        starts_on__lte=today,
    )
    condition = Q(pk__in=[])
    for campaign in recalls:
        for pattern in campaign.vin_patterns.splitlines():
            if pattern.strip():
                condition |= Q(vin__regex=vin_regex(pattern))
    return vehicles.filter(condition)


def _hybrid_check_due(vehicles: QuerySet, now: datetime) -> QuerySet:
    """Hybrids and plug-ins without a hybrid health check (operation code HYBRID-CHECK…) attended in 12 months."""
    checked = AppointmentJob.objects.filter(
        appointment__vehicle_id=OuterRef("pk"),
        operation__code__startswith=HYBRID_CHECK_CODE_PREFIX,
        appointment__status__in=(Appointment.Status.ARRIVED, Appointment.Status.CONVERTED),
        appointment__starts_at__gte=now - HYBRID_CHECK_EVERY,
    )
    return vehicles.filter(energy__in=(Vehicle.Energy.HYBRID, Vehicle.Energy.PLUG_IN)).exclude(Exists(checked))


def _inactive(vehicles: QuerySet, now: datetime) -> QuerySet:
    """Customers on file for 18 months with no appointment (attended or planned) in 18 months."""
    recent = Appointment.objects.filter(
        customer_id=OuterRef("owner_id"),
        starts_at__gte=now - INACTIVE_AFTER,
    ).exclude(status__in=(Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW, Appointment.Status.RESCHEDULED))
    return vehicles.filter(owner__created_at__lte=now - INACTIVE_AFTER).exclude(Exists(recent))


def _anniversaries(vehicles: QuerySet, now: datetime) -> QuerySet:
    """Vehicles whose current owner bought them in this month of an earlier year."""
    bought = Ownership.objects.filter(
        vehicle_id=OuterRef("pk"),
        customer_id=OuterRef("owner_id"),
        ended_on__isnull=True,
        started_on__month=now.month,
        started_on__year__lt=now.year,
    )
    return vehicles.filter(Exists(bought)).annotate(bought_on=Subquery(bought.values("started_on")[:1]))


def _declined_recommendations(vehicles: QuerySet, now: datetime) -> QuerySet:
    """Vehicles with work the customer declined (deferred by the workshop) that no later job has sold;
    ``open_deferred`` holds that work (one query for the page)."""
    still_open = DeferredWork.objects.filter(sold_job__isnull=True)
    return vehicles.filter(Exists(still_open.filter(vehicle_id=OuterRef("pk")))).prefetch_related(
        Prefetch(
            "deferred_work",
            queryset=still_open.select_related(*job_text_sources("declined_job__")).order_by("due_on", "pk"),
            to_attr="open_deferred",
        )
    )


TARGET_LISTS = {
    "service_due": TargetList(
        "service_due",
        _("Service due"),
        _("Your vehicle's service is due soon. May I offer you an appointment? We have a courtesy car or a shuttle for you."),
        _service_due,
    ),
    "open_recalls": TargetList(
        "open_recalls",
        _("Open recalls"),
        _("The manufacturer has a free recall for your vehicle. It takes little time; may I book it, with a courtesy car if needed?"),
        _open_recalls,
    ),
    "hybrid_check": TargetList(
        "hybrid_check",
        _("Hybrid health check due"),
        _("Your hybrid's yearly health check keeps its battery warranty up to date. May I book it with your next visit?"),
        _hybrid_check_due,
    ),
    "inactive": TargetList(
        "inactive",
        _("Inactive customers"),
        _("We have not seen you for a while. How is your vehicle? May I check what service it needs and offer an appointment?"),
        _inactive,
    ),
    "anniversaries": TargetList(
        "anniversaries",
        _("Purchase anniversaries"),
        _("Today is your vehicle's anniversary with you. We would like to offer you a free walk-around check."),
        _anniversaries,
    ),
    "declined_recommendations": TargetList(
        "declined_recommendations",
        _("Declined recommendations still open"),
        _(
            "At your last visit our technician recommended some work you preferred to postpone. May I book it now, "
            "with a courtesy car if needed?"
        ),
        _declined_recommendations,
    ),
}


CALL_SCRIPTS = {
    CallTask.Kind.REMINDER_CALL: _(
        "Your vehicle's service is due soon. May I offer you two dates, one of them within three days? We can lend you "
        "a courtesy car or drive you with our shuttle, and this month's offer applies."
    ),
    CallTask.Kind.REMINDER_RECONTACT: _(
        "We wrote to you a week ago: your vehicle's service is due soon. May I offer you two dates, one of them within "
        "three days? We can lend you a courtesy car or drive you with our shuttle."
    ),
    CallTask.Kind.COMPLAINT_CALLBACK: _(
        "I am calling about the concern you told us about. I have read your file; can you tell me where things stand "
        "and what would settle it for you?"
    ),
    CallTask.Kind.CALLBACK: _(
        "You visited us last week. Are you satisfied with the work and with how we looked after you? Is there anything else we can do?"
    ),
}


def call_script(task: CallTask) -> str:
    """The script of the task's target list, else of its kind."""
    if task.kind == CallTask.Kind.TARGET_LIST:
        target_list = TARGET_LISTS.get(task.key.split(":")[1])
        return target_list.script if target_list else ""
    return CALL_SCRIPTS.get(task.kind, "")


def target_list_vehicles(*, user, target_list: TargetList, now: datetime, site=None) -> QuerySet:
    """The vehicles of one list at the user's sites, with their owner's consents prefetched."""
    vehicles = visible_to(Vehicle.objects.filter(owner__isnull=False), user, "owner__site")
    if site is not None:
        vehicles = vehicles.filter(owner__site=site)
    return (
        target_list.build(vehicles, now)
        .select_related("owner__site")
        .prefetch_related(Prefetch("owner__consents", queryset=ConsentRecord.objects.order_by("-recorded_at", "-pk")))
        .order_by("owner__last_name", "owner__first_name", "pk")
    )


def attach_consents(vehicles) -> None:
    for vehicle in vehicles:
        vehicle.owner_consents = current_consents(vehicle.owner.consents.all())


# --- Satisfaction follow-up --------------------------------------------------------------


@dataclass
class Visit:
    """What the 7-day callback's screen shows of the visit."""

    handover: Handover
    jobs: list
    invoices: list
    open_deferred: list
    unfixed_findings: str
    answers: list


def callback_visit(task: CallTask) -> Visit | None:
    """The visit a callback is about (its handover): jobs, issued invoices, advisor, open declined work, unfixed findings."""
    if task.kind != CallTask.Kind.CALLBACK or task.source_type_id != ContentType.objects.get_for_model(Handover).pk:
        return None
    handover = (
        Handover.objects.select_related("advisor", "work_order__advisor")
        .prefetch_related(
            Prefetch("work_order__jobs", queryset=WorkOrderJob.objects.select_related(*job_text_sources())),
            "satisfaction_answers__answered_by",
        )
        .filter(pk=task.source_id)
        .first()
    )
    if handover is None:
        return None
    order = handover.work_order
    last_check = QualityCheck.objects.filter(work_order=order, passed=True).order_by("-checked_at", "-pk").first()
    return Visit(
        handover=handover,
        jobs=list(order.jobs.all()),
        invoices=list(Invoice.objects.filter(work_order=order, status=Invoice.Status.ISSUED).order_by("pk")),
        open_deferred=list(
            DeferredWork.objects.filter(vehicle_id=order.vehicle_id, sold_job__isnull=True)
            .select_related(*job_text_sources("declined_job__"))
            .order_by("due_on", "pk")
        ),
        unfixed_findings=last_check.unfixed_findings if last_check else "",
        answers=list(handover.satisfaction_answers.all()),
    )


@dataclass
class SatisfactionFigures:
    handovers: int
    called_within_7_days: int
    answers: int
    satisfied: int
    average_score: float | None
    nps_answers: int
    promoters: int
    detractors: int

    @property
    def callback_rate(self) -> float | None:
        return round(100 * self.called_within_7_days / self.handovers, 1) if self.handovers else None

    @property
    def csat(self) -> float | None:
        """Share of satisfied answers (4 or 5 of 5)."""
        return round(100 * self.satisfied / self.answers, 1) if self.answers else None

    @property
    def nps(self) -> float | None:
        """Promoters (9-10) less detractors (0-6), in points."""
        return round(100 * (self.promoters - self.detractors) / self.nps_answers, 1) if self.nps_answers else None


def satisfaction_figures(*, user, since: datetime, until: datetime, site=None) -> SatisfactionFigures:
    """The 7-day callback rate of the handovers closed in [since, until) (a callback or survey answer within 7 days),
    and CSAT and NPS of the callback and survey answers given in that period; counted in SQL."""
    after_visit = (SatisfactionAnswer.Source.CALLBACK, SatisfactionAnswer.Source.SURVEY)
    handovers = visible_to(Handover.objects.filter(closed_at__gte=since, closed_at__lt=until), user)
    answers = visible_to(SatisfactionAnswer.objects.filter(answered_at__gte=since, answered_at__lt=until, source__in=after_visit), user)
    if site is not None:
        handovers, answers = handovers.filter(site=site), answers.filter(site=site)
    within = ExpressionWrapper(OuterRef("closed_at") + timedelta(days=CALLBACK_DAY), output_field=DateTimeField())
    answered = SatisfactionAnswer.objects.filter(handover_id=OuterRef("pk"), source__in=after_visit, answered_at__lte=within)
    calls = handovers.annotate(answered=Exists(answered)).aggregate(total=Count("pk"), called=Count("pk", filter=Q(answered=True)))
    scores = answers.aggregate(
        total=Count("pk"),
        satisfied=Count("pk", filter=Q(score__gte=4)),
        average=Avg("score"),
        nps_total=Count("pk", filter=Q(nps__isnull=False)),
        promoters=Count("pk", filter=Q(nps__gte=9)),
        detractors=Count("pk", filter=Q(nps__lte=SatisfactionAnswer.DETRACTOR_UP_TO)),
    )
    return SatisfactionFigures(
        handovers=calls["total"],
        called_within_7_days=calls["called"],
        answers=scores["total"],
        satisfied=scores["satisfied"],
        average_score=float(scores["average"]) if scores["average"] is not None else None,
        nps_answers=scores["nps_total"],
        promoters=scores["promoters"],
        detractors=scores["detractors"],
    )
