"""Reads of the workshop, with their joins inside: the day board, the work-order pages, the dispatch board,
the technician's day, the three ratios, cycle times, the quality-check queue and deferred work."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least, RowNumber
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.accounts.permissions import get_for_user, visible_to
from aftersales.customers.models import MobilityService, Vehicle
from aftersales.lib.text import plate_key
from appointments.models import Appointment, LoanerReservation, PartOrderRequest, TechnicianProfile
from appointments.slots import local_day_bounds

from .models import (
    AdvisorNotification,
    Approval,
    ApprovalDecision,
    ApprovalRequest,
    AttendanceSpan,
    Bay,
    ClockingReview,
    DeferredWork,
    Inspection,
    InspectionResult,
    JobClocking,
    JobStatus,
    QualityCheck,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderJob,
    WorkOrderPart,
    job_text_sources,
)

LATE_AFTER = timedelta(minutes=15)
AT_RECEPTION = (*WorkOrder.EDITABLE_STATUSES, WorkOrder.Status.SIGNED, WorkOrder.Status.CANCELLED)  # orders the desk still acts on
BOARD_STATUSES = (
    Appointment.Status.BOOKED,
    Appointment.Status.CONFIRMED,
    Appointment.Status.ARRIVED,
    Appointment.Status.CONVERTED,
    Appointment.Status.NO_SHOW,
)


@dataclass(frozen=True)
class BoardRow:
    """One arrival of the day: a booked appointment or a walk-in's work order."""

    starts_at: datetime
    state: str
    state_label: object
    appointment: Appointment | None
    work_order: WorkOrder | None
    loaner: str
    loaner_ready: bool | None
    parts: str = ""
    parts_ready: bool | None = None

    @property
    def customer(self):
        return (self.appointment or self.work_order).customer

    @property
    def vehicle(self):
        return (self.appointment or self.work_order).vehicle

    @property
    def advisor(self):
        return (self.appointment or self.work_order).advisor

    @property
    def to_check_in(self) -> bool:
        """A booked customer not yet checked in: no order, or only the one prepared in advance."""
        if self.appointment is None or self.state == "no_show":
            return False
        return self.work_order is None or self.work_order.status == WorkOrder.Status.PREPARED

    @property
    def handled(self) -> bool:
        """Nothing left to do at reception: a no-show, or an order handed to the workshop or further on."""
        if self.state == "no_show":
            return True
        return self.work_order is not None and self.work_order.status not in (
            *WorkOrder.EDITABLE_STATUSES,
            WorkOrder.Status.SIGNED,
            WorkOrder.Status.CANCELLED,
        )


BOARD_SHOWN = 25  # the arrivals still to act on that the board shows before "N more"


@dataclass(frozen=True)
class DayBoard:
    rows: list[BoardRow]
    handled: int  # rows left out as handled (see BoardRow.handled)
    later: int  # rows to act on left out past the first BOARD_SHOWN

    @property
    def hidden(self) -> int:
        return self.handled + self.later


def collapsed_board(rows: list[BoardRow], *, everything: bool) -> DayBoard:
    """The arrivals still to act on, the first ``BOARD_SHOWN`` of them; or every row when asked for."""
    if everything:
        return DayBoard(rows, 0, 0)
    to_act = [row for row in rows if not row.handled]
    return DayBoard(to_act[:BOARD_SHOWN], len(rows) - len(to_act), max(0, len(to_act) - BOARD_SHOWN))


STATE_LABELS = {
    "expected": _("Expected"),
    "late": _("Late"),
    "arrived": _("Arrived"),
    "no_show": _("No-show"),
    "walk_in": _("Walk-in"),
}


def day_board(*, site: Site, day: date, now: datetime) -> list[BoardRow]:
    """The day's arrivals by time with their state, parts and loaner readiness, in a fixed number of queries."""
    start, end = local_day_bounds(site, day, day)
    appointments = (
        Appointment.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end, status__in=BOARD_STATUSES)
        .select_related("customer", "vehicle", "advisor", "breakdown_call", "work_order", "work_order__loaner_handover__loaner")
        .prefetch_related(
            "jobs__operation__kit_lines",
            "mobility",
            "part_reservations",
            "part_order_requests",
            Prefetch("loaner_reservations", queryset=LoanerReservation.objects.select_related("loaner")),
        )
        .order_by("starts_at", "pk")
    )
    walk_ins = (
        WorkOrder.objects.filter(site=site, appointment__isnull=True, created_at__gte=start, created_at__lt=end)
        .exclude(status=WorkOrder.Status.CANCELLED)
        .select_related("customer", "vehicle", "advisor", "loaner_handover__loaner")
    )
    rows = [_appointment_row(appointment, now) for appointment in appointments]
    rows += [_walk_in_row(order) for order in walk_ins]
    return sorted(rows, key=lambda row: row.starts_at)


def _appointment_row(appointment: Appointment, now: datetime) -> BoardRow:
    order = getattr(appointment, "work_order", None)
    if (order is not None and order.status not in WorkOrder.NOT_A_VISIT) or appointment.status in (
        Appointment.Status.ARRIVED,
        Appointment.Status.CONVERTED,
    ):
        state = "arrived"
    elif appointment.status == Appointment.Status.NO_SHOW:
        state = "no_show"
    elif now > appointment.starts_at + LATE_AFTER:
        state = "late"
    else:
        state = "expected"
    loaner, ready = _loaner_readiness(appointment, order)
    parts, parts_ready = _parts_readiness(appointment)
    return BoardRow(appointment.starts_at, state, STATE_LABELS[state], appointment, order, loaner, ready, parts, parts_ready)


def _parts_readiness(appointment: Appointment) -> tuple[str, bool | None]:
    """Whether the parts kits of the booked jobs are set aside (None: no kit needed)."""
    needed = {line.part_id for job in appointment.jobs.all() if job.operation for line in job.operation.kit_lines.all()}
    if not needed:
        return "", None
    reserved = {reservation.part_id for reservation in appointment.part_reservations.all()}
    if needed <= reserved:
        return str(_("Parts set aside")), True
    ordered = {request.part_id for request in appointment.part_order_requests.all() if request.status != PartOrderRequest.Status.CANCELLED}
    if needed <= reserved | ordered:
        return str(_("Parts ordered")), False
    return str(_("Parts not set aside")), False


def _walk_in_row(order: WorkOrder) -> BoardRow:
    loaner, ready = _loaner_readiness(None, order)
    return BoardRow(order.created_at, "walk_in", STATE_LABELS["walk_in"], None, order, loaner, ready)


def _loaner_readiness(appointment: Appointment | None, order: WorkOrder | None) -> tuple[str, bool | None]:
    """What the board says about the loaner: handed over, reserved, or needed but missing (None: no loaner needed)."""
    handover = getattr(order, "loaner_handover", None) if order is not None else None
    if handover is not None:
        return str(_("%(loaner)s handed over") % {"loaner": handover.loaner.plate}), True
    if appointment is None:
        return "", None
    reservations = list(appointment.loaner_reservations.all())
    if reservations:
        reservation = reservations[0]
        if reservation.confirmed_at is None:
            return str(_("%(loaner)s reserved, not checked yet") % {"loaner": reservation.loaner.plate}), False
        return str(_("%(loaner)s checked and ready") % {"loaner": reservation.loaner.plate}), True
    if any(service.kind == MobilityService.Kind.LOANER for service in appointment.mobility.all()):
        return str(_("Loaner asked for, none reserved")), False
    return "", None


def board_sites(*, user: User) -> QuerySet:
    return user.visible_sites().order_by("name")


def _work_order_queryset(*, live: bool = False) -> QuerySet:
    """A work order with everything reception's pages show; ``live`` adds the workshop panel's technicians, bays,
    customer decisions and approval requests."""
    job_related = (*job_text_sources(), "technician", "bay") if live else job_text_sources()
    job_prefetches = [Prefetch("parts", queryset=WorkOrderPart.objects.select_related("part"))]
    if live:
        job_prefetches.append(Prefetch("decisions", queryset=ApprovalDecision.objects.select_related("recorded_by")))
    queryset = WorkOrder.objects.select_related(
        "site",
        "customer",
        "vehicle",
        "advisor",
        "appointment",
        "mobility",
        "signature",
        "loaner_handover__loaner",
    ).prefetch_related(
        Prefetch("jobs", queryset=WorkOrderJob.objects.select_related(*job_related).prefetch_related(*job_prefetches)),
        Prefetch("parts", queryset=WorkOrderPart.objects.select_related("part")),
        Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
        "damage_marks",
        "photos",
    )
    return queryset.prefetch_related("approval_requests") if live else queryset


def get_work_order_for_user(*, user: User, pk: int) -> WorkOrder:
    """One work order of the user's sites with everything its pages show (404 otherwise)."""
    return get_for_user(_work_order_queryset(), user, pk=pk)


def work_order_page(*, user: User, pk: int) -> WorkOrder:
    """The work order page's order, read once for reception's summary and the live workshop panel (404 otherwise)."""
    return get_for_user(_work_order_queryset(live=True), user, pk=pk)


def get_appointment_for_check_in(*, user: User, pk: int) -> Appointment:
    return get_for_user(Appointment.objects.select_related("site"), user, pk=pk)


OPEN_STATUSES = (
    WorkOrder.Status.PREPARED,
    WorkOrder.Status.DRAFT,
    WorkOrder.Status.CHECKED_IN,
    WorkOrder.Status.SIGNED,
    WorkOrder.Status.IN_WORKSHOP,
    WorkOrder.Status.QUALITY_CHECK,
)


def list_open_work_orders(*, user: User) -> QuerySet:
    """The work orders still in progress at the user's sites, oldest first."""
    return (
        visible_to(WorkOrder.objects.filter(status__in=OPEN_STATUSES), user)
        .select_related("site", "customer", "vehicle", "advisor")
        .order_by("created_at", "pk")
    )


# --- the workshop floor -------------------------------------------------------------

BOARD_COLUMNS = (
    ("waiting", _("Waiting")),
    ("assigned", _("Assigned")),
    ("in_progress", _("In progress")),
    ("on_hold", _("On hold")),
    ("done", _("Done")),
)


@dataclass(frozen=True)
class Technician:
    user: User
    skills: list
    clocked_job: WorkOrderJob | None


COLUMN_SHOWN = 12  # the jobs a column shows before "N more": what a foreman reads at a glance


@dataclass(frozen=True)
class DispatchColumn:
    key: str
    label: str
    jobs: list  # the first COLUMN_SHOWN by promised time, or all of them in the expanded column
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.jobs)


@dataclass(frozen=True)
class DispatchBoard:
    columns: list[DispatchColumn]
    technicians: list[Technician]
    bays: list[Bay]
    shown: int  # COLUMN_SHOWN when the board was read

    def technicians_for(self, job: WorkOrderJob) -> list[Technician]:
        return [technician for technician in self.technicians if job.skill in technician.skills]


def dispatch_board(*, site: Site, expanded: str = "") -> DispatchBoard:
    """The jobs of the site's orders in the workshop or at the quality check, by state, in a fixed number of queries:
    each column its first ``COLUMN_SHOWN`` jobs by promised time and its total, the ``expanded`` column all of them."""
    order = (F("work_order__promised_at").asc(nulls_last=True), F("work_order_id").asc(), F("pk").asc())
    jobs = (
        WorkOrderJob.objects.filter(work_order__site=site, work_order__status__in=WorkOrder.WORKSHOP_STATUSES)
        .exclude(approval=Approval.DECLINED)
        .annotate(
            column_rank=Window(RowNumber(), partition_by=[F("status")], order_by=order),
            column_total=Window(Count("pk"), partition_by=[F("status")]),
            column_cap=Case(When(status=expanded, then=Value(2**31 - 1)), default=Value(COLUMN_SHOWN), output_field=IntegerField()),
        )
        .filter(column_rank__lte=F("column_cap"))
        .select_related("work_order__customer", "work_order__vehicle", "technician", "bay", *job_text_sources())
        .order_by(*order)
    )
    by_status: dict[str, list] = {key: [] for key, _label in BOARD_COLUMNS}
    totals = dict.fromkeys(by_status, 0)
    for job in jobs:
        by_status[job.status].append(job)
        totals[job.status] = job.column_total
    open_clockings = {
        clocking.technician_id: clocking.job
        for clocking in JobClocking.objects.filter(ended_at__isnull=True, technician__technician_profile__site=site).select_related(
            "job__work_order", *job_text_sources("job__")
        )
    }
    technicians = [
        Technician(profile.user, profile.skills, open_clockings.get(profile.user_id))
        for profile in TechnicianProfile.objects.filter(site=site, active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    ]
    return DispatchBoard(
        columns=[DispatchColumn(key, label, by_status[key], totals[key]) for key, label in BOARD_COLUMNS],
        shown=COLUMN_SHOWN,
        technicians=technicians,
        bays=list(Bay.objects.filter(site=site, active=True)),
    )


def clockings_to_confirm(*, site: Site) -> list[ClockingReview]:
    """The site's sign-offs whose clocked time is implausible, awaiting the foreman (``workshop.plausibility``), oldest first."""
    return list(
        ClockingReview.objects.filter(status=ClockingReview.Status.PENDING, job__work_order__site=site).select_related(
            "technician", "job__work_order__vehicle", *job_text_sources("job__")
        )
    )


def get_clocking_review_for_user(*, user: User, pk: int) -> ClockingReview:
    return get_for_user(ClockingReview.objects.select_related("job__work_order__site"), user, "job__work_order__site", pk=pk)


def get_job_for_user(*, user: User, pk: int) -> WorkOrderJob:
    return get_for_user(WorkOrderJob.objects.select_related("work_order__site", "technician"), user, "work_order__site", pk=pk)


@dataclass(frozen=True)
class TechnicianDay:
    day_span: AttendanceSpan | None
    break_span: AttendanceSpan | None
    clocking: JobClocking | None
    jobs: list  # to work on: the running job first
    done: list  # signed off, their orders still in the workshop: listed compactly, without forms


def vehicle_by_plate(*, site: Site, plate: str) -> Vehicle | None:
    """The vehicle of a customer of the site with this plate (however it is typed), when there is exactly one."""
    key = plate_key(plate)
    if not key:
        return None
    found = list(Vehicle.objects.filter(plate_key=key, owner__site=site).select_related("owner")[:2])
    return found[0] if len(found) == 1 else None


# My jobs: what is running, then what is next to start, then what waits, the finished ones last.
_JOB_STATUS_ORDER = Case(
    *(
        When(status=status, then=Value(rank))
        for rank, status in enumerate((JobStatus.IN_PROGRESS, JobStatus.ASSIGNED, JobStatus.ON_HOLD, JobStatus.WAITING))
    ),
    default=Value(9),
)


def technician_day(*, technician: User) -> TechnicianDay:
    """The technician's screen: attendance, the job they are clocked on, their jobs in the workshop."""
    spans = {span.kind: span for span in AttendanceSpan.objects.filter(technician=technician, ended_at__isnull=True)}
    clocking = JobClocking.objects.filter(technician=technician, ended_at__isnull=True).select_related("job").first()
    jobs = list(
        WorkOrderJob.objects.filter(technician=technician, work_order__status=WorkOrder.Status.IN_WORKSHOP)
        .exclude(approval=Approval.DECLINED)
        .select_related("work_order__vehicle", "work_order__customer", "work_order__inspection", "bay", *job_text_sources())
        .order_by(_JOB_STATUS_ORDER, "work_order__promised_at", "pk")
    )
    if clocking is not None:  # the running job first, even one of another order's status
        jobs.sort(key=lambda job: job.pk != clocking.job_id)
    done = [job for job in jobs if job.status == JobStatus.DONE]
    to_work_on = [job for job in jobs if job.status != JobStatus.DONE]
    return TechnicianDay(spans.get(AttendanceSpan.Kind.DAY), spans.get(AttendanceSpan.Kind.BREAK), clocking, to_work_on, done)


# --- the three ratios: sold, clocked and attended hours ---------------------------


def _overlap(start: datetime, end: datetime, now: datetime):
    """The part of [started_at, ended_at or now) inside [start, end), as a duration expression."""
    return ExpressionWrapper(
        Least(Coalesce(F("ended_at"), Value(now)), Value(end)) - Greatest(F("started_at"), Value(start)),
        output_field=DurationField(),
    )


def _overlapping(queryset: QuerySet, start: datetime, end: datetime, now: datetime) -> QuerySet:
    return queryset.filter(started_at__lt=end).filter(Q(ended_at__gt=start) | Q(ended_at__isnull=True, started_at__lt=now))


def _hours_by_technician(queryset: QuerySet, start: datetime, end: datetime, now: datetime) -> dict[int, Decimal]:
    rows = _overlapping(queryset, start, end, now).values("technician_id").annotate(total=Sum(_overlap(start, end, now))).order_by()
    return {row["technician_id"]: _hours(row["total"]) for row in rows}


def _hours(duration: timedelta | None) -> Decimal:
    if not duration:
        return Decimal("0")
    return (Decimal(duration.total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class TechnicianHours:
    technician_id: int
    sold: Decimal
    clocked: Decimal
    attended: Decimal
    # the sign-offs awaiting the foreman's confirmation of their clocked time (workshop.plausibility), left out of
    # efficiency: their sold hours, their clocked hours and how many
    held_sold: Decimal = Decimal("0")
    held_clocked: Decimal = Decimal("0")
    awaiting: int = 0

    @staticmethod
    def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
        return (numerator / denominator).quantize(Decimal("0.001")) if denominator else None

    @property
    def efficiency(self) -> Decimal | None:
        """Sold / clocked hours, the sign-offs awaiting the foreman's confirmation left out."""
        return self._ratio(self.sold - self.held_sold, self.clocked - self.held_clocked)

    @property
    def productivity(self) -> Decimal | None:
        """Clocked / attended hours."""
        return self._ratio(self.clocked, self.attended)

    @property
    def proficiency(self) -> Decimal | None:
        """Sold / attended hours."""
        return self._ratio(self.sold, self.attended)


def technician_hours(*, site: Site, start: datetime, end: datetime, now: datetime) -> dict[int, TechnicianHours]:
    """Per technician of the site, for [start, end): sold hours (flat rate of the jobs they signed off), clocked hours
    (job clockings) and attended hours (days at work less breaks), each summed in SQL; open clocks count up to ``now``."""
    sold = {
        row["done_by_id"]: row["total"] or Decimal("0")
        for row in WorkOrderJob.objects.filter(work_order__site=site, status=JobStatus.DONE, done_at__gte=start, done_at__lt=end)
        .values("done_by_id")
        .annotate(total=Sum("flat_rate_hours"))
        .order_by()
    }
    clocked = _hours_by_technician(JobClocking.objects.filter(job__work_order__site=site), start, end, now)
    spans = AttendanceSpan.objects.filter(site=site)
    days = _hours_by_technician(spans.filter(kind=AttendanceSpan.Kind.DAY), start, end, now)
    breaks = _hours_by_technician(spans.filter(kind=AttendanceSpan.Kind.BREAK), start, end, now)
    people = set(sold) | set(clocked) | set(days)
    return {
        pk: TechnicianHours(
            pk,
            Decimal(sold.get(pk, 0)).quantize(Decimal("0.01")),
            clocked.get(pk, Decimal("0")),
            days.get(pk, Decimal("0")) - breaks.get(pk, Decimal("0")),
        )
        for pk in people
    }


def site_hours(*, site: Site, start: datetime, end: datetime, now: datetime) -> TechnicianHours:
    """The whole site's sold, clocked and attended hours for the period (technician_id 0)."""
    rows = technician_hours(site=site, start=start, end=end, now=now).values()
    return TechnicianHours(
        0,
        sum((row.sold for row in rows), Decimal("0")),
        sum((row.clocked for row in rows), Decimal("0")),
        sum((row.attended for row in rows), Decimal("0")),
    )


# --- cycle time and rework -------------------------------------------------------


def average_time_in_status(*, site: Site, start: datetime, end: datetime) -> dict[str, timedelta]:
    """For the orders that entered each status in [start, end) and left it since: the average time spent in it."""
    following = (
        WorkOrderEvent.objects.filter(work_order_id=OuterRef("work_order_id"))
        .filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
        .order_by("at", "pk")
        .values("at")[:1]
    )
    rows = (
        WorkOrderEvent.objects.filter(work_order__site=site, at__gte=start, at__lt=end)
        .annotate(left_at=Subquery(following))
        .filter(left_at__isnull=False)
        .values("to_status")
        .annotate(average=Avg(ExpressionWrapper(F("left_at") - F("at"), output_field=DurationField())))
        .order_by()
    )
    return {row["to_status"]: row["average"] for row in rows}


def rework_count(*, site: Site, start: datetime, end: datetime) -> int:
    """Quality checks failed in the period (each one sends a car back to the workshop)."""
    return QualityCheck.objects.filter(work_order__site=site, passed=False, checked_at__gte=start, checked_at__lt=end).count()


# --- quality check, extra work, deferred work, notifications --------------------


def quality_queue(*, user: User) -> QuerySet:
    return (
        visible_to(WorkOrder.objects.filter(status=WorkOrder.Status.QUALITY_CHECK), user)
        .select_related("site", "customer", "vehicle", "advisor")
        .annotate(reworks=Count("quality_checks", filter=Q(quality_checks__passed=False)))
        .order_by("promised_at", "pk")
    )


def work_order_progress(*, user: User, pk: int) -> WorkOrder:
    """The order with its jobs, decisions, approval requests and inspection, for the advisor's live panel."""
    queryset = WorkOrder.objects.select_related("site", "customer", "vehicle", "advisor").prefetch_related(
        Prefetch(
            "jobs",
            queryset=WorkOrderJob.objects.select_related("technician", "bay", *job_text_sources()).prefetch_related(
                Prefetch("parts", queryset=WorkOrderPart.objects.select_related("part")),
                Prefetch("decisions", queryset=ApprovalDecision.objects.select_related("recorded_by")),
            ),
        ),
        "approval_requests",
        Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
    )
    return get_for_user(queryset, user, pk=pk)


def get_inspection(*, work_order: WorkOrder) -> Inspection | None:
    return (
        Inspection.objects.filter(work_order=work_order)
        .select_related("template", "completed_by")
        .prefetch_related(Prefetch("results", queryset=InspectionResult.objects.select_related("item").prefetch_related("photos")))
        .first()
    )


def customer_approval_page(*, request_pk: int) -> ApprovalRequest | None:
    """An approval request with its order, inspection and the pending or decided additions, for the customer's page."""
    return (
        ApprovalRequest.objects.filter(pk=request_pk)
        .select_related("work_order__site", "work_order__customer", "work_order__vehicle")
        .prefetch_related(
            Prefetch(
                "work_order__jobs",
                queryset=WorkOrderJob.objects.exclude(approval=Approval.AGREED)
                .select_related(*job_text_sources())
                .prefetch_related("parts__part", "inspection_result__photos", "decisions"),
            ),
            Prefetch(
                "work_order__inspection__results", queryset=InspectionResult.objects.select_related("item").prefetch_related("photos")
            ),
        )
        .first()
    )


def open_deferred_work(*, vehicle=None, customer=None) -> list[DeferredWork]:
    """Work declined on the vehicle (or on the customer's vehicles) that no later job has sold yet, soonest due first.

    The booking desk shows it at the next booking; the invoice lists it."""
    queryset = DeferredWork.objects.filter(sold_job__isnull=True).select_related(
        "vehicle", "declined_job__work_order", *job_text_sources("declined_job__")
    )
    if vehicle is not None:
        queryset = queryset.filter(vehicle=vehicle)
    if customer is not None:
        queryset = queryset.filter(vehicle__owner=customer)
    return list(queryset.order_by("due_on", "pk"))


def unread_notifications(*, user: User) -> list[AdvisorNotification]:
    return list(AdvisorNotification.objects.filter(advisor=user, read_at__isnull=True).select_related("work_order")[:20])
