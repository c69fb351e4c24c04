"""Every KPI: its definition, the records it is built on, and how they are aggregated.

The figures are not computed from millions of records at each page view: ``rollup`` aggregates each KPI's
records per site, local day and person into ``DailyFigure`` rows (a numerator and a denominator, summed later),
and ``figures`` reads those rows for all the KPIs of a dashboard in a couple of queries. The records behind a
figure (``Kpi.drill_records``) are read live.

A KPI's ``kind`` says how its daily figures are built and read: a ratio of two aggregates (most KPIs), a median
over a histogram of durations, the technicians' hours, the retention snapshot or the loaner fleet's use.
``table`` names the extra table some tiles show under their figure.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from aftersales.messaging.models import OutboxMessage
from appointments.models import Appointment, LoanerReservation, WebRequest
from followup.models import Concern, MaintenanceReminder, SatisfactionAnswer
from invoicing.models import Handover, Invoice, InvoiceLine
from workshop.models import (
    ApprovalRequest,
    DeferredWork,
    JobClocking,
    LoanerHandover,
    QualityCheck,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderJob,
)
from workshop.selectors import TechnicianHours

from .loaner_uses import LoanerUses
from .periods import Bucket, Window

COMEBACK_WINDOW = timedelta(days=30)
CONFIRMATION_DELAY = timedelta(minutes=30)
COMPLAINT_DELAY = timedelta(hours=24)
CALLBACK_DELAY = timedelta(days=7)
SENT = (OutboxMessage.Status.SENT, OutboxMessage.Status.DELIVERED)
AFTER_VISIT = (SatisfactionAnswer.Source.CALLBACK, SatisfactionAnswer.Source.SURVEY)
MONEY = DecimalField(max_digits=16, decimal_places=2)


class Unit:
    PERCENT = "percent"
    COUNT = "count"
    PER_MONTH = "per_month"
    DAYS = "days"
    HOURS = "hours"
    MONEY = "money"


class Kind:
    RATIO = "ratio"  # numerator and denominator per day and person (a count alone when there is no denominator)
    MEDIAN = "median"  # the median of a duration, from a histogram per day
    HOURS = "hours"  # sold, clocked and attended hours per technician (workshop.selectors' definitions)
    RETENTION = "retention"  # a snapshot per day of the customers kept over 12 months
    LOANERS = "loaners"  # hours reserved per day, against the active fleet


class Table:
    FUNNEL = "funnel"
    PAYERS = "payers"
    ORIGINS = "origins"
    STEPS = "steps"


@dataclass(frozen=True)
class Scope:
    """Whose records: the sites, and optionally one advisor or one technician."""

    site_ids: tuple[int, ...]
    advisor_id: int | None = None
    technician_id: int | None = None


def _duration(later: str, earlier: str):
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


@dataclass(frozen=True)
class Kpi:
    key: str
    label: object
    definition: object
    built_on: object
    unit: str
    source: Callable[[Scope], QuerySet] | None = None  # the records, already limited to the scope's sites
    date_field: str = "created_at"
    numerator: Callable[[], object] | None = None  # aggregate expressions (built fresh for each query)
    denominator: Callable[[], object] | None = None
    advisor_field: str | None = None
    technician_field: str | None = None
    drill: Q | None = None  # the records behind the figure, among ``source`` in the period
    columns: tuple = ()  # (label, attribute path) of the record list
    higher_is_better: bool = True
    site_field: str = "site_id"  # the path from a record of ``source`` to its site
    kind: str = Kind.RATIO
    span: tuple[str, str] | None = None  # Kind.MEDIAN: the later and the earlier moment of the duration
    measure: Callable[[TechnicianHours], Decimal | None] | None = None  # Kind.HOURS: the figure from the hours
    shows_awaiting: bool = False  # Kind.HOURS: leaves out the sign-offs awaiting the foreman, counted apart (Result.awaiting)
    table: str | None = None
    table_header: tuple = ()
    listing: Callable[[Scope, Bucket], LoanerUses] | None = None  # records of two tables listed together, newest first

    @property
    def drillable(self) -> bool:
        """Whether the records behind the figure can be listed (a property: templates would call ``source``)."""
        return self.source is not None

    @property
    def person_field(self) -> str | None:
        return self.advisor_field or self.technician_field

    def person_filter(self, scope: Scope) -> int | None:
        """The one person the scope keeps of this KPI's figures, if any."""
        if scope.advisor_id and self.advisor_field:
            return scope.advisor_id
        if scope.technician_id and self.technician_field:
            return scope.technician_id
        return None

    def records(self, scope: Scope) -> QuerySet:
        queryset = self.source(scope)
        person = self.person_filter(scope)
        return queryset.filter(**{self.person_field: person}) if person else queryset

    def drill_records(self, scope: Scope, bucket: Bucket) -> QuerySet | LoanerUses:
        if self.listing is not None:
            return self.listing(scope, bucket)
        queryset = self.records(scope).filter(**_range(self.date_field, bucket))
        return queryset.filter(self.drill) if self.drill is not None else queryset


@dataclass
class Result:
    values: dict[int, Decimal | None]  # bucket index -> figure
    by_person: list[tuple[int, Decimal | None]] = field(default_factory=list)  # (user id, figure) for the current period
    table: list[tuple] = field(default_factory=list)  # extra rows for the tile (funnel steps, payers, origins...)
    table_header: tuple = ()
    awaiting: int = 0  # records left out of the current figure until confirmed (efficiency: sign-offs awaiting the foreman)


def _range(date_field: str, bucket: Bucket) -> dict:
    """The bucket's bounds on ``date_field``: local midnights, or days for a date field (``..._on``, e.g. issued_on)."""
    if date_field.endswith("_on"):
        return {f"{date_field}__gte": bucket.start, f"{date_field}__lt": bucket.end}
    return {f"{date_field}__gte": Window.edge(bucket.start), f"{date_field}__lt": Window.edge(bucket.end)}


def _percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"))


# --- the records each KPI is built on ----------------------------------------------


def _visits(scope: Scope) -> QuerySet:
    return (
        WorkOrder.objects.filter(site_id__in=scope.site_ids)
        .exclude(status__in=WorkOrder.NOT_A_VISIT)
        .select_related("customer", "vehicle", "advisor", "appointment")
    )


def _bookings(scope: Scope) -> QuerySet:
    """Appointments as booked (a moved appointment counts once, at its first booking)."""
    return Appointment.objects.filter(site_id__in=scope.site_ids, rescheduled_from__isnull=True).select_related(
        "customer", "vehicle", "advisor"
    )


def _due_appointments(scope: Scope) -> QuerySet:
    """Appointments that were due to happen: not cancelled nor moved."""
    return (
        Appointment.objects.filter(site_id__in=scope.site_ids)
        .exclude(status__in=(Appointment.Status.CANCELLED, Appointment.Status.RESCHEDULED))
        .select_related("customer", "vehicle", "advisor", "work_order")
    )


def _with_confirmation(scope: Scope) -> QuerySet:
    # the booking confirmation is queued under the key "booking_confirmation:<appointment pk>" (appointments.services)
    sent_at = OutboxMessage.objects.filter(
        idempotency_key=Concat(Value("booking_confirmation:"), Cast(OuterRef("pk"), CharField())),
        status__in=SENT,
    ).values("sent_at")[:1]
    return _bookings(scope).exclude(channel=Appointment.BookingChannel.WALK_IN).annotate(confirmation_sent_at=Subquery(sent_at))


def _messages(scope: Scope) -> QuerySet:
    return OutboxMessage.objects.filter(site_id__in=scope.site_ids, status__in=SENT).select_related("customer")


def _reminders(scope: Scope) -> QuerySet:
    booked = Appointment.objects.filter(
        origin=Appointment.Origin.REMINDER,
        origin_content_type__app_label="followup",
        origin_content_type__model="maintenancereminder",
        origin_object_id=OuterRef("pk"),
    )
    return (
        MaintenanceReminder.objects.filter(site_id__in=scope.site_ids).annotate(booked=Exists(booked)).select_related("customer", "vehicle")
    )


def _with_comeback(scope: Scope) -> QuerySet:
    """Visits, each marked when a later visit of the same vehicle within 30 days has a job with the same labour
    operation as one of its jobs (a comeback for the same concern)."""
    operations = WorkOrderJob.objects.filter(work_order_id=OuterRef(OuterRef("pk")), operation__isnull=False).values("operation_id")
    comeback = WorkOrderJob.objects.filter(
        work_order__vehicle_id=OuterRef("vehicle_id"),
        work_order__created_at__gt=OuterRef("created_at"),
        work_order__created_at__lte=ExpressionWrapper(OuterRef("created_at") + Value(COMEBACK_WINDOW), output_field=DurationField()),
        operation_id__in=Subquery(operations),
    ).exclude(work_order__status__in=WorkOrder.NOT_A_VISIT)
    return _visits(scope).annotate(comeback=Exists(comeback))


def _checks(scope: Scope) -> QuerySet:
    return QualityCheck.objects.filter(work_order__site_id__in=scope.site_ids).select_related("work_order", "inspector")


def _issued_lines(scope: Scope) -> QuerySet:
    return InvoiceLine.objects.filter(
        invoice__site_id__in=scope.site_ids,
        invoice__status=Invoice.Status.ISSUED,
        invoice__kind=Invoice.Kind.INVOICE,
    ).select_related("invoice__work_order")


def _issued_invoices(scope: Scope) -> QuerySet:
    return Invoice.objects.filter(site_id__in=scope.site_ids, status=Invoice.Status.ISSUED).select_related("work_order", "customer")


def _approval_requests(scope: Scope) -> QuerySet:
    return ApprovalRequest.objects.filter(work_order__site_id__in=scope.site_ids).select_related("work_order", "sent_by")


def _revived(scope: Scope) -> QuerySet:
    return DeferredWork.objects.filter(site_id__in=scope.site_ids, sold_job__isnull=False).select_related("vehicle", "sold_job__work_order")


def _ready_events(scope: Scope) -> QuerySet:
    return WorkOrderEvent.objects.filter(work_order__site_id__in=scope.site_ids, to_status=WorkOrder.Status.READY).select_related(
        "work_order"
    )


def _closed_handovers(scope: Scope) -> QuerySet:
    """Cars handed back, each marked when the customer answered the 7-day callback or the survey within 7 days
    (follow-up's own definition, followup.selectors.satisfaction_figures)."""
    answered = SatisfactionAnswer.objects.filter(
        handover_id=OuterRef("pk"),
        source__in=AFTER_VISIT,
        answered_at__lte=ExpressionWrapper(OuterRef("closed_at") + Value(CALLBACK_DELAY), output_field=DateTimeField()),
    )
    return (
        Handover.objects.filter(site_id__in=scope.site_ids, closed_at__isnull=False)
        .annotate(called=Exists(answered))
        .select_related("work_order__customer", "advisor")
    )


def _answers(scope: Scope) -> QuerySet:
    return SatisfactionAnswer.objects.filter(site_id__in=scope.site_ids, source__in=AFTER_VISIT).select_related(
        "customer", "handover__work_order"
    )


def _complaints(scope: Scope) -> QuerySet:
    return Concern.objects.filter(site_id__in=scope.site_ids, kind=Concern.Kind.COMPLAINT).select_related("customer", "owner")


def _web_requests(scope: Scope) -> QuerySet:
    return WebRequest.objects.filter(site_id__in=scope.site_ids).select_related("answered_by")


def _clockings(scope: Scope) -> QuerySet:
    return JobClocking.objects.filter(job__work_order__site_id__in=scope.site_ids).select_related("technician", "job__work_order")


def _loaner_reservations(scope: Scope) -> QuerySet:
    return LoanerReservation.objects.filter(loaner__site_id__in=scope.site_ids).select_related("loaner", "appointment__customer")


RECEPTION_LOANS = "reception"  # the part of the loaner figures handed over at reception without a reservation


def _reception_loans(scope: Scope) -> QuerySet:
    """Loaners handed over at reception that no reservation of the visit's appointment covers (a booked loaner handed
    over is counted once, by its reservation); cancelled orders left out."""
    reserved = LoanerReservation.objects.filter(appointment_id=OuterRef("work_order__appointment_id"), loaner_id=OuterRef("loaner_id"))
    return (
        LoanerHandover.objects.filter(loaner__site_id__in=scope.site_ids)
        .exclude(work_order__status=WorkOrder.Status.CANCELLED)
        .exclude(Exists(reserved))
        .select_related("loaner", "work_order__customer")
    )


def _loaner_uses(scope: Scope, bucket: Bucket) -> LoanerUses:
    """Every use of the period's loaners: booked ahead, and handed over at reception without a reservation."""
    return LoanerUses(
        _loaner_reservations(scope).filter(**_range("starts_at", bucket)),
        _reception_loans(scope).filter(**_range("handed_over_at", bucket)),
    )


# --- the catalogue -------------------------------------------------------------------

ADVISOR = _("Advisor")
CUSTOMER = _("Customer")
VEHICLE = _("Vehicle")
VISIT_COLUMNS = (
    (_("Work order"), "number"),
    (_("Opened at"), "created_at"),
    (CUSTOMER, "customer"),
    (VEHICLE, "vehicle"),
    (ADVISOR, "advisor"),
    (_("Appointment"), "appointment"),
)
APPOINTMENT_COLUMNS = (
    (_("Reception at"), "starts_at"),
    (_("Booked at"), "created_at"),
    (CUSTOMER, "customer"),
    (VEHICLE, "vehicle"),
    (ADVISOR, "advisor"),
    (_("Status"), "get_status_display"),
    (_("Booked through"), "get_channel_display"),
    (_("Origin"), "get_origin_display"),
)
HOURS_SOURCE = _("Job clockings, attendance clock (days less breaks), flat-rate hours of the jobs signed off")
HOURS_COLUMNS = (
    (_("Clocked on"), "started_at"),
    (_("Clocked off"), "ended_at"),
    (_("Technician"), "technician"),
    (_("Work order"), "job__work_order"),
    (_("Job"), "job"),
)
ANSWER_COLUMNS = (
    (_("Answered at"), "answered_at"),
    (CUSTOMER, "customer"),
    (_("Source"), "get_source_display"),
    (_("Satisfaction (1-5)"), "score"),
    (_("Would recommend (0-10)"), "nps"),
    (_("Remarks"), "text"),
)

KPIS: tuple[Kpi, ...] = (
    Kpi(
        "appointment_rate",
        _("Appointment rate"),
        _("Visits that were booked ahead, among all visits opened in the period."),
        _("Work orders (not cancelled) and their appointment"),
        Unit.PERCENT,
        _visits,
        "created_at",
        lambda: Count("pk", filter=Q(appointment__isnull=False)),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(appointment__isnull=True),
        columns=VISIT_COLUMNS,
    ),
    Kpi(
        "online_booking_rate",
        _("Online booking rate"),
        _("Appointments booked by the customer online or in the app, among all appointments booked in the period."),
        _("Appointments (booking channel), moved ones counted once"),
        Unit.PERCENT,
        _bookings,
        "created_at",
        lambda: Count("pk", filter=Q(channel__in=(Appointment.BookingChannel.ONLINE, Appointment.BookingChannel.APP))),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(channel__in=(Appointment.BookingChannel.ONLINE, Appointment.BookingChannel.APP)),
        columns=APPOINTMENT_COLUMNS,
    ),
    Kpi(
        "booking_lead_time",
        _("Appointment lead time"),
        _(
            "Median days from the booking to the reception. No record keeps the first slot offered to the caller, so "
            "this is the booking lead (reception time less booking time), not the first available slot."
        ),
        _("Appointments (created at, reception at)"),
        Unit.DAYS,
        _bookings,
        "created_at",
        kind=Kind.MEDIAN,
        span=("starts_at", "created_at"),
        columns=APPOINTMENT_COLUMNS,
        higher_is_better=False,
    ),
    Kpi(
        "confirmation_30_min",
        _("Confirmation within 30 minutes"),
        _("Appointments whose booking confirmation message was sent within 30 minutes of the booking (walk-ins left out)."),
        _("Appointments and the outbox's booking_confirmation messages (sent at)"),
        Unit.PERCENT,
        _with_confirmation,
        "created_at",
        lambda: Count("pk", filter=Q(confirmation_sent_at__lte=F("created_at") + CONFIRMATION_DELAY)),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__gt=F("created_at") + CONFIRMATION_DELAY),
        columns=(*APPOINTMENT_COLUMNS, (_("Confirmation sent at"), "confirmation_sent_at")),
    ),
    Kpi(
        "confirmations_24h",
        _("24 h confirmations sent"),
        _("Messages asking the customer to confirm the next day's appointment, sent in the period."),
        _("Outbox messages booking_reminder_24h, sent or delivered"),
        Unit.COUNT,
        lambda scope: _messages(scope).filter(template_key="booking_reminder_24h"),
        "created_at",
        lambda: Count("pk"),
        columns=((_("Queued at"), "created_at"), (_("Sent at"), "sent_at"), (CUSTOMER, "customer"), (_("About"), "about_repr")),
    ),
    Kpi(
        "no_show_rate",
        _("No-show rate"),
        _("Appointments of the period whose customer did not come, among those that were due (not cancelled nor moved)."),
        _("Appointments (status arrived, converted or no-show)"),
        Unit.PERCENT,
        lambda scope: _due_appointments(scope).filter(
            status__in=(Appointment.Status.ARRIVED, Appointment.Status.CONVERTED, Appointment.Status.NO_SHOW)
        ),
        "starts_at",
        lambda: Count("pk", filter=Q(status=Appointment.Status.NO_SHOW)),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(status=Appointment.Status.NO_SHOW),
        columns=APPOINTMENT_COLUMNS,
        higher_is_better=False,
    ),
    Kpi(
        "reminder_contacts",
        _("Reminder contacts per month"),
        _("Maintenance reminder touches sent (messages or CRC calls), per month of 30.4 days."),
        _("Maintenance reminders (sent at)"),
        Unit.PER_MONTH,
        _reminders,
        "sent_at",
        lambda: Count("pk"),
        columns=((_("Sent at"), "sent_at"), (CUSTOMER, "customer"), (VEHICLE, "vehicle"), (_("Touch"), "touch"), (_("Booked"), "booked")),
    ),
    Kpi(
        "reminder_conversion",
        _("Reminder conversion rate"),
        _("Reminders sent in the period that an appointment was booked from (appointment origin: that reminder)."),
        _("Maintenance reminders and the appointments attributed to them"),
        Unit.PERCENT,
        _reminders,
        "sent_at",
        lambda: Count("pk", filter=Q(booked=True)),
        lambda: Count("pk"),
        drill=Q(booked=True),
        columns=((_("Sent at"), "sent_at"), (CUSTOMER, "customer"), (VEHICLE, "vehicle"), (_("Touch"), "touch")),
    ),
    Kpi(
        "vehicle_life_contacts",
        _("Vehicle-life contacts per month"),
        _(
            "Messages that reached customers (confirmations, reminders, progress, invoices, campaigns), per month of 30.4 days. "
            "CRC calls are not counted here."
        ),
        _("Outbox messages, sent or delivered"),
        Unit.PER_MONTH,
        _messages,
        "created_at",
        lambda: Count("pk"),
        columns=(
            (_("Queued at"), "created_at"),
            (CUSTOMER, "customer"),
            (_("Message type"), "template_key"),
            (_("Channel"), "get_channel_display"),
        ),
    ),
    Kpi(
        "retention_rate",
        _("Retention rate"),
        _(
            "Customers with a visit in the 12 months up to the end of the period, among those with a visit in the 12 months "
            "before that; counted per site (a customer of two sites counts at each)."
        ),
        _("Work orders (customer, opened at)"),
        Unit.PERCENT,
        _visits,
        kind=Kind.RETENTION,
        columns=VISIT_COLUMNS,
    ),
    Kpi(
        "fix_it_right",
        _("Fix-It-Right"),
        _(
            "Visits with no comeback within 30 days: a comeback is a later work order of the same vehicle with a job of the "
            "same labour operation. Visits of the last 30 days can still get one."
        ),
        _("Work orders, their jobs' labour operations"),
        Unit.PERCENT,
        _with_comeback,
        "created_at",
        lambda: Count("pk", filter=Q(comeback=False)),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(comeback=True),
        columns=VISIT_COLUMNS,
    ),
    Kpi(
        "productivity",
        _("Productivity"),
        _("Clocked hours / attended hours of the technicians."),
        HOURS_SOURCE,
        Unit.PERCENT,
        _clockings,
        "started_at",
        technician_field="technician_id",
        columns=HOURS_COLUMNS,
        kind=Kind.HOURS,
        measure=lambda hours: _percent(hours.productivity),
    ),
    Kpi(
        "efficiency",
        _("Efficiency"),
        _(
            "Sold flat-rate hours / clocked hours. A sign-off whose clocked time is implausible against its sold hours "
            "is left out until the foreman confirms it; a time the foreman corrected counts as corrected."
        ),
        HOURS_SOURCE,
        Unit.PERCENT,
        _clockings,
        "started_at",
        technician_field="technician_id",
        columns=HOURS_COLUMNS,
        kind=Kind.HOURS,
        measure=lambda hours: _percent(hours.efficiency),
        shows_awaiting=True,
    ),
    Kpi(
        "proficiency",
        _("Proficiency"),
        _("Sold flat-rate hours / attended hours."),
        HOURS_SOURCE,
        Unit.PERCENT,
        _clockings,
        "started_at",
        technician_field="technician_id",
        columns=HOURS_COLUMNS,
        kind=Kind.HOURS,
        measure=lambda hours: _percent(hours.proficiency),
    ),
    Kpi(
        "unapplied_time",
        _("Unapplied time"),
        _("Attended hours not clocked on any job (attended less clocked)."),
        HOURS_SOURCE,
        Unit.HOURS,
        _clockings,
        "started_at",
        technician_field="technician_id",
        columns=HOURS_COLUMNS,
        kind=Kind.HOURS,
        measure=lambda hours: (hours.attended - hours.clocked).quantize(Decimal("0.1")),
        higher_is_better=False,
    ),
    Kpi(
        "show_rate",
        _("Show rate"),
        _("Appointments of the period that became a work order, among those due (not cancelled nor moved)."),
        _("Appointments and their work orders"),
        Unit.PERCENT,
        _due_appointments,
        "starts_at",
        lambda: Count("pk", filter=Q(work_order__isnull=False)),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(work_order__isnull=True),
        columns=APPOINTMENT_COLUMNS,
    ),
    Kpi(
        "rework_rate",
        _("Rework rate at QC"),
        _("Quality checks failed (car sent back to the workshop), among all checks."),
        _("Quality checks"),
        Unit.PERCENT,
        _checks,
        "checked_at",
        lambda: Count("pk", filter=Q(passed=False)),
        lambda: Count("pk"),
        advisor_field="work_order__advisor_id",
        drill=Q(passed=False),
        columns=(
            (_("Checked at"), "checked_at"),
            (_("Work order"), "work_order"),
            (_("Checked by"), "inspector"),
            (_("Reason"), "fail_reason"),
        ),
        higher_is_better=False,
        site_field="work_order__site_id",
    ),
    Kpi(
        "invoice_variance",
        _("Invoice vs estimate"),
        _("Invoiced amount less the signed estimate or approved extra, as a share of the estimate (issued invoices' lines)."),
        _("Invoice lines of issued invoices (amount, signed estimate)"),
        Unit.PERCENT,
        lambda scope: _issued_lines(scope).filter(expected_net__isnull=False),
        "invoice__issued_on",
        lambda: Sum(F("net") - F("expected_net")),
        lambda: Sum("expected_net"),
        advisor_field="invoice__work_order__advisor_id",
        drill=~Q(net=F("expected_net")),
        columns=(
            (_("Invoice"), "invoice"),
            (_("Line"), "description"),
            (_("Estimate"), "expected_net"),
            (_("Invoiced"), "net"),
            (_("Reason"), "variance_reason"),
        ),
        higher_is_better=False,
        site_field="invoice__site_id",
    ),
    Kpi(
        "hours_sold_per_visit",
        _("Hours sold per work order"),
        _("Labour hours invoiced / work orders invoiced."),
        _("Labour lines of issued invoices"),
        Unit.HOURS,
        _issued_lines,
        "invoice__issued_on",
        lambda: Sum("quantity", filter=Q(kind=InvoiceLine.Kind.LABOUR)),
        lambda: Count("invoice__work_order", distinct=True),
        advisor_field="invoice__work_order__advisor_id",
        drill=Q(kind=InvoiceLine.Kind.LABOUR),
        columns=((_("Invoice"), "invoice"), (_("Line"), "description"), (_("Hours"), "quantity"), (_("Amount"), "net")),
        site_field="invoice__site_id",
    ),
    Kpi(
        "effective_labour_rate",
        _("Effective labour rate"),
        _("Labour sales / labour hours sold, per payer (customer, warranty, internal)."),
        _("Labour lines of issued invoices and the invoice's payer"),
        Unit.MONEY,
        _issued_lines,
        "invoice__issued_on",
        lambda: Sum("net", filter=Q(kind=InvoiceLine.Kind.LABOUR)),
        lambda: Sum("quantity", filter=Q(kind=InvoiceLine.Kind.LABOUR)),
        advisor_field="invoice__work_order__advisor_id",
        drill=Q(kind=InvoiceLine.Kind.LABOUR),
        columns=((_("Invoice"), "invoice"), (_("Line"), "description"), (_("Hours"), "quantity"), (_("Amount"), "net")),
        site_field="invoice__site_id",
        table=Table.PAYERS,
        table_header=(_("Payer"), _("Hours"), _("Labour sales"), _("Rate")),
    ),
    Kpi(
        "inspection_funnel",
        _("Inspection funnel"),
        _("Extra work sent to customers for approval, the share they viewed; below: sent, viewed, lines approved, value approved."),
        _("Approval requests (sent, first viewed) and approval decisions"),
        Unit.PERCENT,
        _approval_requests,
        "sent_at",
        lambda: Count("pk", filter=Q(first_viewed_at__isnull=False)),
        lambda: Count("pk"),
        advisor_field="work_order__advisor_id",
        drill=Q(first_viewed_at__isnull=True),
        columns=(
            (_("Sent at"), "sent_at"),
            (_("Work order"), "work_order"),
            (_("Sent by"), "sent_by"),
            (_("First viewed at"), "first_viewed_at"),
        ),
        site_field="work_order__site_id",
        table=Table.FUNNEL,
        table_header=(_("Step"), _("Figure")),
    ),
    Kpi(
        "deferred_revived",
        _("Deferred work revived"),
        _("Declined work sold later by a new job, counted when the job that sells it is added."),
        _("Deferred work and the job that sold it"),
        Unit.COUNT,
        _revived,
        "sold_job__added_at",
        lambda: Count("pk"),
        columns=(
            (_("Sold at"), "sold_job__added_at"),
            (VEHICLE, "vehicle"),
            (_("Work"), "description"),
            (_("Price, VAT included"), "gross_price"),
            (_("Work order"), "sold_job__work_order"),
        ),
    ),
    Kpi(
        "attribution",
        _("Campaign and reminder attribution"),
        _(
            "Appointments booked in the period that came from a reminder or a campaign; below: appointments, visits and "
            "invoiced revenue per origin."
        ),
        _("Appointments (origin and origin record), their work orders and issued invoices"),
        Unit.PERCENT,
        _bookings,
        "created_at",
        lambda: Count("pk", filter=Q(origin__in=(Appointment.Origin.REMINDER, Appointment.Origin.CAMPAIGN))),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(origin__in=(Appointment.Origin.REMINDER, Appointment.Origin.CAMPAIGN)),
        columns=APPOINTMENT_COLUMNS,
        table=Table.ORIGINS,
        table_header=(_("Origin"), _("Appointments"), _("Visits"), _("Revenue before VAT")),
    ),
    Kpi(
        "cycle_time",
        _("Cycle time"),
        _("Average hours from opening the work order to ready for invoicing; below: average hours spent in each step."),
        _("Work-order status events"),
        Unit.HOURS,
        _ready_events,
        "at",
        lambda: Sum(_duration("at", "work_order__created_at")),
        lambda: Count("pk"),
        advisor_field="work_order__advisor_id",
        columns=((_("Ready at"), "at"), (_("Work order"), "work_order")),
        higher_is_better=False,
        site_field="work_order__site_id",
        table=Table.STEPS,
        table_header=(_("Step"), _("Status changes"), _("Average hours")),
    ),
    Kpi(
        "loaner_utilisation",
        _("Loaner utilisation"),
        _(
            "Hours the loaners were out / hours of the period × active loaners: reservations booked ahead, and loaners "
            "handed over at reception without one, up to their return (a use counts where it starts)."
        ),
        _("Loaner reservations, loaners handed over at reception and returned at handover, the active loaner fleet"),
        Unit.PERCENT,
        _loaner_reservations,
        "starts_at",
        site_field="loaner__site_id",
        kind=Kind.LOANERS,
        columns=(
            (_("From"), "starts_at"),
            (_("Until"), "ends_at"),
            (_("Loaner"), "loaner"),
            (CUSTOMER, "customer"),
            (_("Lent"), "origin"),
        ),
        listing=_loaner_uses,
    ),
    Kpi(
        "callback_7_days",
        _("7-day callback rate"),
        _(
            "Customers who left with their car in the period and gave their opinion within 7 days (7-day callback or survey "
            "link), among all of them."
        ),
        _("Handovers (closed at) and the satisfaction answers of the callback or survey"),
        Unit.PERCENT,
        _closed_handovers,
        "closed_at",
        lambda: Count("pk", filter=Q(called=True)),
        lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(called=False),
        columns=((_("Left at"), "closed_at"), (CUSTOMER, "work_order__customer"), (_("Work order"), "work_order"), (ADVISOR, "advisor")),
    ),
    Kpi(
        "csat",
        _("CSAT"),
        _("Answers with a satisfaction of 4 or 5 out of 5, among the answers to the 7-day callback and the survey."),
        _("Satisfaction answers (score)"),
        Unit.PERCENT,
        _answers,
        "answered_at",
        lambda: Count("pk", filter=Q(score__gte=4)),
        lambda: Count("pk"),
        advisor_field="handover__work_order__advisor_id",
        drill=Q(score__lte=3),
        columns=ANSWER_COLUMNS,
    ),
    Kpi(
        "nps",
        _("NPS"),
        _('Promoters (9-10) less detractors (0-6), as a share of the answers to "would you recommend us" (-100 to 100).'),
        _("Satisfaction answers (would recommend)"),
        Unit.PERCENT,
        _answers,
        "answered_at",
        lambda: Count("pk", filter=Q(nps__gte=9)) - Count("pk", filter=Q(nps__lte=6)),
        lambda: Count("pk", filter=Q(nps__isnull=False)),
        advisor_field="handover__work_order__advisor_id",
        drill=Q(nps__lte=6),
        columns=ANSWER_COLUMNS,
    ),
    Kpi(
        "complaints_24h",
        _("Complaints answered within 24 h"),
        _("Complaints received in the period that were answered within 24 hours."),
        _("Customer concerns of type complaint (received, answered)"),
        Unit.PERCENT,
        _complaints,
        "received_at",
        lambda: Count("pk", filter=Q(answered_at__lte=F("received_at") + COMPLAINT_DELAY)),
        lambda: Count("pk"),
        advisor_field="owner_id",
        drill=Q(answered_at__isnull=True) | Q(answered_at__gt=F("received_at") + COMPLAINT_DELAY),
        columns=(
            (_("Received at"), "received_at"),
            (CUSTOMER, "customer"),
            (_("Summary"), "summary"),
            (_("Owner"), "owner"),
            (_("Answered at"), "answered_at"),
        ),
    ),
    Kpi(
        "web_requests_2h",
        _("Requests answered within 2 working hours"),
        _("Web and e-mail requests received in the period answered by their due time (2 working hours of the site)."),
        _("Web requests (received, due, answered)"),
        Unit.PERCENT,
        _web_requests,
        "received_at",
        lambda: Count("pk", filter=Q(answered_at__lte=F("due_at"))),
        lambda: Count("pk"),
        drill=Q(answered_at__isnull=True) | Q(answered_at__gt=F("due_at")),
        columns=(
            (_("Received at"), "received_at"),
            (_("Name"), "name"),
            (_("Due"), "due_at"),
            (_("Answered at"), "answered_at"),
            (_("Answered by"), "answered_by"),
        ),
    ),
    Kpi(
        "revenue_per_visit",
        _("Average revenue per visit"),
        _("Invoiced amount before VAT (credit notes deducted) / work orders invoiced, by the invoice date."),
        _("Issued invoices and credit notes"),
        Unit.MONEY,
        _issued_invoices,
        "issued_on",
        lambda: Sum(Case(When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("net_total")), default=F("net_total"), output_field=MONEY)),
        lambda: Count("work_order", distinct=True, filter=Q(kind=Invoice.Kind.INVOICE)),
        advisor_field="work_order__advisor_id",
        columns=(
            (_("Invoice"), "number"),
            (_("Invoice date"), "issued_on"),
            (CUSTOMER, "customer"),
            (_("Payer"), "get_payer_display"),
            (_("Amount before VAT"), "net_total"),
        ),
    ),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}
