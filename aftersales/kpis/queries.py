"""Every KPI: its definition, the records it is built on, and its SQL.

A KPI is computed for all the buckets of a ``Window`` (the period, the periods before it and the same period
last year) in ONE grouped query: each record gets its bucket number from a CASE on its date, then the
numerator and denominator are aggregated per bucket. KPIs split per advisor (or technician) run one more
query grouped by that person for the current period. So the dashboard runs a fixed number of queries,
whatever the period or the amount of data.
"""

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext_lazy as _

from aftersales.messaging.models import OutboxMessage
from appointments.models import Appointment, Loaner, LoanerReservation, WebRequest
from followup.models import CallTask, Concern, MaintenanceReminder, SatisfactionAnswer
from invoicing.models import Invoice, InvoiceLine
from workshop.models import (
    ApprovalDecision,
    ApprovalRequest,
    AttendanceSpan,
    DeferredWork,
    JobClocking,
    JobStatus,
    QualityCheck,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderJob,
)
from workshop.selectors import TechnicianHours

from .periods import LAST_YEAR, Bucket, Window

COMEBACK_WINDOW = timedelta(days=30)
CONFIRMATION_DELAY = timedelta(minutes=30)
COMPLAINT_DELAY = timedelta(hours=24)
CALLBACK_DELAY = timedelta(days=7)
SENT = (OutboxMessage.Status.SENT, OutboxMessage.Status.DELIVERED)
DAYS_PER_MONTH = Decimal("30.4375")
MONEY = DecimalField(max_digits=16, decimal_places=2)


class Unit:
    PERCENT = "percent"
    COUNT = "count"
    PER_MONTH = "per_month"
    DAYS = "days"
    HOURS = "hours"
    MONEY = "money"


@dataclass(frozen=True)
class Scope:
    """Whose records: the sites, and optionally one advisor or one technician."""

    site_ids: tuple[int, ...]
    advisor_id: int | None = None
    technician_id: int | None = None


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5); other databases get the median computed in Python (``_medians``)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


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
    median: Callable[[], object] | None = None  # a duration expression whose median is the figure
    advisor_field: str | None = None
    technician_field: str | None = None
    drill: Q | None = None  # the records behind the figure, among ``source`` in the period
    columns: tuple = ()  # (label, attribute path) of the record list
    compute: Callable | None = None  # (kpi, scope, window, now) -> Result, for KPIs spanning several tables
    higher_is_better: bool = True
    additive: bool = True  # numerator and denominator add up across people (counts, sums), not an average

    @property
    def drillable(self) -> bool:
        """Whether the records behind the figure can be listed (a property: templates would call ``source``)."""
        return self.source is not None

    @property
    def person_field(self) -> str | None:
        return self.advisor_field or self.technician_field

    def records(self, scope: Scope) -> QuerySet:
        queryset = self.source(scope)
        if scope.advisor_id and self.advisor_field:
            queryset = queryset.filter(**{self.advisor_field: scope.advisor_id})
        if scope.technician_id and self.technician_field:
            queryset = queryset.filter(**{self.technician_field: scope.technician_id})
        return queryset

    def drill_records(self, scope: Scope, bucket: Bucket) -> QuerySet:
        queryset = self.records(scope).filter(**_range(self.date_field, bucket))
        return queryset.filter(self.drill) if self.drill is not None else queryset

    def split_by_person(self, scope: Scope) -> bool:
        return bool(scope.advisor_id and self.advisor_field) or bool(scope.technician_id and self.technician_field)


@dataclass
class Result:
    values: dict[int, Decimal | None]  # bucket index -> figure
    by_person: list[tuple[int, Decimal | None]] = field(default_factory=list)  # (user id, figure) for the current period
    table: list[tuple] = field(default_factory=list)  # extra rows for the tile (funnel steps, payers, origins...)
    table_header: tuple = ()


def _range(date_field: str, bucket: Bucket) -> dict:
    """The bucket's bounds on ``date_field``: local midnights, or days for a date field (``..._on``, e.g. issued_on)."""
    if date_field.endswith("_on"):
        return {f"{date_field}__gte": bucket.start, f"{date_field}__lt": bucket.end}
    return {f"{date_field}__gte": Window.edge(bucket.start), f"{date_field}__lt": Window.edge(bucket.end)}


def _in_window(date_field: str, window: Window) -> Q:
    return Q(**_range(date_field, Bucket(0, window.buckets[0].start, window.current.end))) | Q(**_range(date_field, window.last_year))


def _bucket(date_field: str, window: Window) -> Case:
    return Case(*(When(Q(**_range(date_field, bucket)), then=Value(bucket.index)) for bucket in window.all),
                output_field=IntegerField())


def _figure(kpi: Kpi, numerator, denominator, days: int) -> Decimal | None:
    if numerator is None:
        numerator = Decimal("0")
    if isinstance(numerator, timedelta):
        numerator = Decimal(numerator.total_seconds()) / Decimal(3600)
    numerator = Decimal(numerator)
    if kpi.unit == Unit.PER_MONTH:
        return (numerator * DAYS_PER_MONTH / days).quantize(Decimal("0.1"))
    if kpi.denominator is None:
        return numerator.quantize(Decimal("0.1")) if kpi.unit == Unit.HOURS else numerator
    if not denominator:
        return None
    value = numerator / Decimal(denominator)
    return (value * 100).quantize(Decimal("0.1")) if kpi.unit == Unit.PERCENT else value.quantize(Decimal("0.01"))


def _aggregates(kpi: Kpi) -> dict:
    return {"num": kpi.numerator(), **({"den": kpi.denominator()} if kpi.denominator else {})}


def compute_ratio(kpi: Kpi, scope: Scope, window: Window, now) -> Result:
    """Numerator (and denominator) per bucket and person in one query: the bucket's figure adds the people up.

    A KPI whose aggregate does not add up (an average) groups by bucket, then by person in a second query."""
    person = kpi.person_field
    split = (person,) if person and kpi.additive else ()
    rows = list(
        kpi.records(scope).filter(_in_window(kpi.date_field, window)).annotate(bucket=_bucket(kpi.date_field, window))
        .values("bucket", *split).annotate(**_aggregates(kpi)).order_by()
    )
    totals: dict[int, dict] = defaultdict(lambda: {"num": None, "den": None})
    for row in rows:
        for part in ("num", "den"):
            known, value = totals[row["bucket"]][part], row.get(part)
            if value is not None:
                totals[row["bucket"]][part] = value if known is None else known + value
    result = Result({bucket.index: _figure(kpi, totals[bucket.index]["num"], totals[bucket.index]["den"], bucket.days)
                     for bucket in window.all})
    if split:
        rows = sorted((row for row in rows if row["bucket"] == window.current.index and row[person] is not None),
                      key=lambda row: row[person])
    elif person:
        rows = (kpi.records(scope).filter(**_range(kpi.date_field, window.current)).exclude(**{f"{person}__isnull": True})
                .values(person).annotate(**_aggregates(kpi)).order_by(person))
    else:
        rows = []
    result.by_person = [(row[person], _figure(kpi, row["num"], row.get("den"), window.current.days)) for row in rows]
    return result


def _days(value) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, timedelta):  # SQLite fallback hands microseconds
        value = timedelta(microseconds=value)
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))


def compute_median(kpi: Kpi, scope: Scope, window: Window, now) -> Result:
    """The median duration per bucket, in days: percentile_cont on PostgreSQL, Python's median elsewhere."""
    queryset = kpi.records(scope).filter(_in_window(kpi.date_field, window)).annotate(
        bucket=_bucket(kpi.date_field, window), span=kpi.median())
    if connection.vendor == "postgresql":
        rows = queryset.values("bucket").annotate(median=Median("span", output_field=DurationField())).order_by()
        found = {row["bucket"]: row["median"] for row in rows}
    else:
        spans = defaultdict(list)
        for bucket, span in queryset.values_list("bucket", "span"):
            spans[bucket].append(span if isinstance(span, timedelta) else timedelta(microseconds=span))
        found = {bucket: statistics.median(values) for bucket, values in spans.items()}
    return Result({bucket.index: _days(found.get(bucket.index)) for bucket in window.all})


# --- the records each KPI is built on ----------------------------------------------


def _visits(scope: Scope) -> QuerySet:
    return (WorkOrder.objects.filter(site_id__in=scope.site_ids).exclude(status=WorkOrder.Status.CANCELLED)
            .select_related("customer", "vehicle", "advisor", "appointment"))


def _bookings(scope: Scope) -> QuerySet:
    """Appointments as booked (a moved appointment counts once, at its first booking)."""
    return (Appointment.objects.filter(site_id__in=scope.site_ids, rescheduled_from__isnull=True)
            .select_related("customer", "vehicle", "advisor"))


def _due_appointments(scope: Scope) -> QuerySet:
    """Appointments that were due to happen: not cancelled nor moved."""
    return (Appointment.objects.filter(site_id__in=scope.site_ids)
            .exclude(status__in=(Appointment.Status.CANCELLED, Appointment.Status.RESCHEDULED))
            .select_related("customer", "vehicle", "advisor", "work_order"))


def _with_confirmation(scope: Scope) -> QuerySet:
    # the booking confirmation is queued under the key "booking_confirmation:<appointment pk>" (appointments.services)
    sent_at = OutboxMessage.objects.filter(
        idempotency_key=Concat(Value("booking_confirmation:"), Cast(OuterRef("pk"), CharField())), status__in=SENT,
    ).values("sent_at")[:1]
    return _bookings(scope).exclude(channel=Appointment.BookingChannel.WALK_IN).annotate(confirmation_sent_at=Subquery(sent_at))


def _messages(scope: Scope) -> QuerySet:
    return OutboxMessage.objects.filter(site_id__in=scope.site_ids, status__in=SENT).select_related("customer")


def _reminders(scope: Scope) -> QuerySet:
    booked = Appointment.objects.filter(
        origin=Appointment.Origin.REMINDER, origin_content_type__app_label="followup",
        origin_content_type__model="maintenancereminder", origin_object_id=OuterRef("pk"),
    )
    return (MaintenanceReminder.objects.filter(site_id__in=scope.site_ids).annotate(booked=Exists(booked))
            .select_related("customer", "vehicle"))


def _with_comeback(scope: Scope) -> QuerySet:
    """Visits, each marked when a later visit of the same vehicle within 30 days has a job with the same labour
    operation as one of its jobs (a comeback for the same concern)."""
    operations = WorkOrderJob.objects.filter(work_order_id=OuterRef(OuterRef("pk")), operation__isnull=False).values("operation_id")
    comeback = WorkOrderJob.objects.filter(
        work_order__vehicle_id=OuterRef("vehicle_id"), work_order__created_at__gt=OuterRef("created_at"),
        work_order__created_at__lte=ExpressionWrapper(OuterRef("created_at") + Value(COMEBACK_WINDOW), output_field=DurationField()),
        operation_id__in=Subquery(operations),
    ).exclude(work_order__status=WorkOrder.Status.CANCELLED)
    return _visits(scope).annotate(comeback=Exists(comeback))


def _checks(scope: Scope) -> QuerySet:
    return QualityCheck.objects.filter(work_order__site_id__in=scope.site_ids).select_related("work_order", "inspector")


def _issued_lines(scope: Scope) -> QuerySet:
    return InvoiceLine.objects.filter(
        invoice__site_id__in=scope.site_ids, invoice__status=Invoice.Status.ISSUED, invoice__kind=Invoice.Kind.INVOICE,
    ).select_related("invoice__work_order")


def _issued_invoices(scope: Scope) -> QuerySet:
    return Invoice.objects.filter(site_id__in=scope.site_ids, status=Invoice.Status.ISSUED).select_related("work_order", "customer")


def _approval_requests(scope: Scope) -> QuerySet:
    return ApprovalRequest.objects.filter(work_order__site_id__in=scope.site_ids).select_related("work_order", "sent_by")


def _revived(scope: Scope) -> QuerySet:
    return (DeferredWork.objects.filter(site_id__in=scope.site_ids, sold_job__isnull=False)
            .select_related("vehicle", "sold_job__work_order"))


def _ready_events(scope: Scope) -> QuerySet:
    return (WorkOrderEvent.objects.filter(work_order__site_id__in=scope.site_ids, to_status=WorkOrder.Status.READY)
            .select_related("work_order"))


def _callbacks(scope: Scope) -> QuerySet:
    return CallTask.objects.filter(site_id__in=scope.site_ids, kind=CallTask.Kind.CALLBACK).select_related("customer", "assigned_to")


def _answers(scope: Scope) -> QuerySet:
    return SatisfactionAnswer.objects.filter(site_id__in=scope.site_ids).select_related("customer", "handover__work_order")


def _complaints(scope: Scope) -> QuerySet:
    return Concern.objects.filter(site_id__in=scope.site_ids, kind=Concern.Kind.COMPLAINT).select_related("customer", "owner")


def _web_requests(scope: Scope) -> QuerySet:
    return WebRequest.objects.filter(site_id__in=scope.site_ids).select_related("answered_by")


def _clockings(scope: Scope) -> QuerySet:
    return JobClocking.objects.filter(job__work_order__site_id__in=scope.site_ids).select_related("technician", "job__work_order")


def _loaner_reservations(scope: Scope) -> QuerySet:
    return LoanerReservation.objects.filter(loaner__site_id__in=scope.site_ids).select_related("loaner", "appointment__customer")


# --- KPIs spanning several tables -------------------------------------------------


def _hours_rows(queryset: QuerySet, date_field: str, person: str, total, window: Window) -> list[dict]:
    return list(queryset.filter(_in_window(date_field, window)).annotate(bucket=_bucket(date_field, window))
                .values("bucket", person).annotate(total=total).order_by())


def _as_hours(value) -> Decimal:
    if value is None:
        return Decimal("0")
    if isinstance(value, timedelta):
        return Decimal(value.total_seconds()) / Decimal(3600)
    return Decimal(value)


def technician_hours(scope: Scope, window: Window, now) -> dict[tuple[int, int], TechnicianHours]:
    """Sold, clocked and attended hours per (bucket, technician), in 4 queries for the whole window.

    Sold: flat-rate hours of the jobs a technician signed off; clocked: job clockings; attended: days at work
    less breaks (workshop.selectors' definitions). A clocking or span counts in the bucket it starts in, with
    its whole length (open ones up to now)."""
    span = ExpressionWrapper(Coalesce(F("ended_at"), Value(now)) - F("started_at"), output_field=DurationField())
    jobs = WorkOrderJob.objects.filter(work_order__site_id__in=scope.site_ids, status=JobStatus.DONE)
    clockings = JobClocking.objects.filter(job__work_order__site_id__in=scope.site_ids)
    spans = AttendanceSpan.objects.filter(site_id__in=scope.site_ids)
    if scope.technician_id:
        jobs, clockings = jobs.filter(done_by_id=scope.technician_id), clockings.filter(technician_id=scope.technician_id)
        spans = spans.filter(technician_id=scope.technician_id)
    parts = {
        "sold": _hours_rows(jobs, "done_at", "done_by_id", Sum("flat_rate_hours"), window),
        "clocked": _hours_rows(clockings, "started_at", "technician_id", Sum(span), window),
        "day": _hours_rows(spans.filter(kind=AttendanceSpan.Kind.DAY), "started_at", "technician_id", Sum(span), window),
        "break": _hours_rows(spans.filter(kind=AttendanceSpan.Kind.BREAK), "started_at", "technician_id", Sum(span), window),
    }
    totals: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for part, rows in parts.items():
        for row in rows:
            person = row.get("done_by_id") or row.get("technician_id")
            totals[(row["bucket"], person)][part] += _as_hours(row["total"])
    return {key: TechnicianHours(key[1], hours["sold"], hours["clocked"], hours["day"] - hours["break"])
            for key, hours in totals.items()}


def _hours_kpi(measure: Callable[[TechnicianHours], Decimal | None]):
    def compute(kpi: Kpi, scope: Scope, window: Window, now, cache: dict) -> Result:
        if "hours" not in cache:
            cache["hours"] = technician_hours(scope, window, now)
        hours = cache["hours"]
        values = {}
        for bucket in window.all:
            rows = [row for (index, _person), row in hours.items() if index == bucket.index]
            total = TechnicianHours(0, sum((r.sold for r in rows), Decimal("0")), sum((r.clocked for r in rows), Decimal("0")),
                                    sum((r.attended for r in rows), Decimal("0")))
            values[bucket.index] = measure(total) if rows else None
        by_person = sorted((person, measure(row)) for (index, person), row in hours.items() if index == window.current.index)
        return Result(values, by_person)

    return compute


def _percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"))


def compute_retention(kpi: Kpi, scope: Scope, window: Window, now, cache: dict) -> Result:
    """Customers with a visit in the 12 months before the period's end, among those with one in the 12 months before
    that; one query per end date (the period, the one before it and last year)."""
    values = {}
    for bucket in (window.previous, window.current, window.last_year):
        end = Window.edge(bucket.end)
        middle, start = end - timedelta(days=365), end - timedelta(days=730)
        customers = (
            _visits(scope).filter(created_at__gte=start, created_at__lt=end).values("customer_id")
            .annotate(before=Count("pk", filter=Q(created_at__lt=middle)), after=Count("pk", filter=Q(created_at__gte=middle)))
            .filter(before__gt=0)
        )
        totals = customers.aggregate(base=Count("customer_id"), kept=Count("customer_id", filter=Q(after__gt=0)))
        values[bucket.index] = (Decimal(totals["kept"] * 100) / totals["base"]).quantize(Decimal("0.1")) if totals["base"] else None
    return Result(values)


def compute_loaner_utilisation(kpi: Kpi, scope: Scope, window: Window, now, cache: dict) -> Result:
    """Hours the site's loaners were reserved / hours the fleet was there (active loaners × hours of the period)."""
    fleet = Loaner.objects.filter(site_id__in=scope.site_ids, active=True).count()
    rows = _hours_rows(_loaner_reservations(scope), "starts_at", "loaner__site_id", Sum(_duration("ends_at", "starts_at")), window)
    booked: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        booked[row["bucket"]] += _as_hours(row["total"])
    return Result({bucket.index: (booked[bucket.index] * 100 / (fleet * bucket.days * 24)).quantize(Decimal("0.1")) if fleet else None
                   for bucket in window.all})


def _with_table(compute: Callable, table: Callable, header: tuple) -> Callable:
    def run(kpi: Kpi, scope: Scope, window: Window, now, cache: dict) -> Result:
        result = compute(kpi, scope, window, now)
        result.table, result.table_header = table(kpi, scope, window), header
        return result

    return run


def _funnel(kpi: Kpi, scope: Scope, window: Window) -> list[tuple]:
    period = _range("sent_at", window.current)
    requests = kpi.records(scope).filter(**period).aggregate(sent=Count("pk"), viewed=Count("pk", filter=Q(first_viewed_at__isnull=False)))
    decisions = ApprovalDecision.objects.filter(
        request__work_order__site_id__in=scope.site_ids, approved=True, **{f"request__{name}": value for name, value in period.items()},
    ).aggregate(lines=Count("pk"), value=Sum("net_amount"))
    return [(_("Inspections sent"), requests["sent"]), (_("Viewed by the customer"), requests["viewed"]),
            (_("Lines approved"), decisions["lines"]), (_("Value approved, before VAT"), decisions["value"] or Decimal("0"))]


def _per_payer(kpi: Kpi, scope: Scope, window: Window) -> list[tuple]:
    rows = (kpi.records(scope).filter(kind=InvoiceLine.Kind.LABOUR, **_range(kpi.date_field, window.current))
            .values("invoice__payer").annotate(hours=Sum("quantity"), sales=Sum("net")).order_by("invoice__payer"))
    labels = dict(Invoice._meta.get_field("payer").choices)
    return [(labels.get(row["invoice__payer"], row["invoice__payer"]), row["hours"], row["sales"],
             (row["sales"] / row["hours"]).quantize(Decimal("0.01")) if row["hours"] else None) for row in rows]


def _attribution(kpi: Kpi, scope: Scope, window: Window) -> list[tuple]:
    revenue = Sum("work_order__invoices__net_total", filter=Q(work_order__invoices__status=Invoice.Status.ISSUED,
                                                              work_order__invoices__kind=Invoice.Kind.INVOICE))
    rows = (kpi.records(scope).filter(**_range(kpi.date_field, window.current)).values("origin")
            .annotate(appointments=Count("pk", distinct=True), visits=Count("work_order", distinct=True), revenue=revenue)
            .order_by("origin"))
    labels = dict(Appointment.Origin.choices)
    return [(labels.get(row["origin"], row["origin"]), row["appointments"], row["visits"], row["revenue"] or Decimal("0"))
            for row in rows]


def _steps(kpi: Kpi, scope: Scope, window: Window) -> list[tuple]:
    """Average hours per status, for the status changes of the period that were followed by another one."""
    following = WorkOrderEvent.objects.filter(work_order_id=OuterRef("work_order_id")).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
    ).order_by("at", "pk").values("at")[:1]
    rows = (
        WorkOrderEvent.objects.filter(work_order__site_id__in=scope.site_ids, **_range("at", window.current))
        .annotate(left_at=Subquery(following)).filter(left_at__isnull=False).values("to_status")
        .annotate(average=Avg(_duration("left_at", "at")), count=Count("pk")).order_by()
    )
    found = {row["to_status"]: row for row in rows}
    return [(label, found[status]["count"], _as_hours(found[status]["average"]).quantize(Decimal("0.1")))
            for status, label in WorkOrder.Status.choices if status in found]


# --- the catalogue -------------------------------------------------------------------

ADVISOR = _("Advisor")
CUSTOMER = _("Customer")
VEHICLE = _("Vehicle")
VISIT_COLUMNS = ((_("Work order"), "number"), (_("Opened at"), "created_at"), (CUSTOMER, "customer"), (VEHICLE, "vehicle"),
                 (ADVISOR, "advisor"), (_("Appointment"), "appointment"))
APPOINTMENT_COLUMNS = ((_("Reception at"), "starts_at"), (_("Booked at"), "created_at"), (CUSTOMER, "customer"),
                       (VEHICLE, "vehicle"), (ADVISOR, "advisor"), (_("Status"), "get_status_display"),
                       (_("Booked through"), "get_channel_display"), (_("Origin"), "get_origin_display"))
HOURS_SOURCE = _("Job clockings, attendance clock (days less breaks), flat-rate hours of the jobs signed off")
HOURS_COLUMNS = ((_("Clocked on"), "started_at"), (_("Clocked off"), "ended_at"), (_("Technician"), "technician"),
                 (_("Work order"), "job__work_order"), (_("Job"), "job"))
ANSWER_COLUMNS = ((_("Answered at"), "answered_at"), (CUSTOMER, "customer"), (_("Source"), "get_source_display"),
                  (_("Satisfaction (1-5)"), "score"), (_("Would recommend (0-10)"), "nps"), (_("Remarks"), "text"))

KPIS: tuple[Kpi, ...] = (
    Kpi("appointment_rate", _("Appointment rate"),
        _("Visits that were booked ahead, among all visits opened in the period."),
        _("Work orders (not cancelled) and their appointment"), Unit.PERCENT, _visits, "created_at",
        lambda: Count("pk", filter=Q(appointment__isnull=False)), lambda: Count("pk"), advisor_field="advisor_id",
        drill=Q(appointment__isnull=True), columns=VISIT_COLUMNS),
    Kpi("online_booking_rate", _("Online booking rate"),
        _("Appointments booked by the customer online or in the app, among all appointments booked in the period."),
        _("Appointments (booking channel), moved ones counted once"), Unit.PERCENT, _bookings, "created_at",
        lambda: Count("pk", filter=Q(channel__in=(Appointment.BookingChannel.ONLINE, Appointment.BookingChannel.APP))),
        lambda: Count("pk"), advisor_field="advisor_id",
        drill=Q(channel__in=(Appointment.BookingChannel.ONLINE, Appointment.BookingChannel.APP)), columns=APPOINTMENT_COLUMNS),
    Kpi("booking_lead_time", _("Appointment lead time"),
        _("Median days from the booking to the reception. No record keeps the first slot offered to the caller, so "
          "this is the booking lead (reception time less booking time), not the first available slot."),
        _("Appointments (created at, reception at)"), Unit.DAYS, _bookings, "created_at",
        median=lambda: _duration("starts_at", "created_at"), columns=APPOINTMENT_COLUMNS, higher_is_better=False),
    Kpi("confirmation_30_min", _("Confirmation within 30 minutes"),
        _("Appointments whose booking confirmation message was sent within 30 minutes of the booking (walk-ins left out)."),
        _("Appointments and the outbox's booking_confirmation messages (sent at)"), Unit.PERCENT, _with_confirmation, "created_at",
        lambda: Count("pk", filter=Q(confirmation_sent_at__lte=F("created_at") + CONFIRMATION_DELAY)), lambda: Count("pk"),
        advisor_field="advisor_id",
        drill=Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__gt=F("created_at") + CONFIRMATION_DELAY),
        columns=(*APPOINTMENT_COLUMNS, (_("Confirmation sent at"), "confirmation_sent_at"))),
    Kpi("confirmations_24h", _("24 h confirmations sent"),
        _("Messages asking the customer to confirm the next day's appointment, sent in the period."),
        _("Outbox messages booking_reminder_24h, sent or delivered"), Unit.COUNT,
        lambda scope: _messages(scope).filter(template_key="booking_reminder_24h"), "created_at", lambda: Count("pk"),
        columns=((_("Queued at"), "created_at"), (_("Sent at"), "sent_at"), (CUSTOMER, "customer"), (_("About"), "about_repr"))),
    Kpi("no_show_rate", _("No-show rate"),
        _("Appointments of the period whose customer did not come, among those that were due (not cancelled nor moved)."),
        _("Appointments (status arrived, converted or no-show)"), Unit.PERCENT,
        lambda scope: _due_appointments(scope).filter(status__in=(Appointment.Status.ARRIVED, Appointment.Status.CONVERTED,
                                                                  Appointment.Status.NO_SHOW)),
        "starts_at", lambda: Count("pk", filter=Q(status=Appointment.Status.NO_SHOW)), lambda: Count("pk"),
        advisor_field="advisor_id", drill=Q(status=Appointment.Status.NO_SHOW), columns=APPOINTMENT_COLUMNS,
        higher_is_better=False),
    Kpi("reminder_contacts", _("Reminder contacts per month"),
        _("Maintenance reminder touches sent (messages or CRC calls), per month of 30.4 days."),
        _("Maintenance reminders (sent at)"), Unit.PER_MONTH, _reminders, "sent_at", lambda: Count("pk"),
        columns=((_("Sent at"), "sent_at"), (CUSTOMER, "customer"), (VEHICLE, "vehicle"), (_("Touch"), "touch"),
                 (_("Booked"), "booked"))),
    Kpi("reminder_conversion", _("Reminder conversion rate"),
        _("Reminders sent in the period that an appointment was booked from (appointment origin: that reminder)."),
        _("Maintenance reminders and the appointments attributed to them"), Unit.PERCENT, _reminders, "sent_at",
        lambda: Count("pk", filter=Q(booked=True)), lambda: Count("pk"), drill=Q(booked=True),
        columns=((_("Sent at"), "sent_at"), (CUSTOMER, "customer"), (VEHICLE, "vehicle"), (_("Touch"), "touch"))),
    Kpi("vehicle_life_contacts", _("Vehicle-life contacts per month"),
        _("Messages that reached customers (confirmations, reminders, progress, invoices, campaigns), per month of 30.4 days. "
          "CRC calls are not counted here."),
        _("Outbox messages, sent or delivered"), Unit.PER_MONTH, _messages, "created_at", lambda: Count("pk"),
        columns=((_("Queued at"), "created_at"), (CUSTOMER, "customer"), (_("Message type"), "template_key"),
                 (_("Channel"), "get_channel_display"))),
    Kpi("retention_rate", _("Retention rate"),
        _("Customers with a visit in the 12 months before the end of the period, among those with a visit in the 12 months "
          "before that."),
        _("Work orders (customer, opened at)"), Unit.PERCENT, _visits, compute=compute_retention, columns=VISIT_COLUMNS),
    Kpi("fix_it_right", _("Fix-It-Right"),
        _("Visits with no comeback within 30 days: a comeback is a later work order of the same vehicle with a job of the "
          "same labour operation. Visits of the last 30 days can still get one."),
        _("Work orders, their jobs' labour operations"), Unit.PERCENT, _with_comeback, "created_at",
        lambda: Count("pk", filter=Q(comeback=False)), lambda: Count("pk"), advisor_field="advisor_id", drill=Q(comeback=True),
        columns=VISIT_COLUMNS),
    Kpi("productivity", _("Productivity"), _("Clocked hours / attended hours of the technicians."), HOURS_SOURCE, Unit.PERCENT, _clockings, "started_at",
        technician_field="technician_id", columns=HOURS_COLUMNS, compute=_hours_kpi(lambda hours: _percent(hours.productivity))),
    Kpi("efficiency", _("Efficiency"), _("Sold flat-rate hours / clocked hours."), HOURS_SOURCE, Unit.PERCENT, _clockings, "started_at",
        technician_field="technician_id", columns=HOURS_COLUMNS, compute=_hours_kpi(lambda hours: _percent(hours.efficiency))),
    Kpi("proficiency", _("Proficiency"), _("Sold flat-rate hours / attended hours."), HOURS_SOURCE, Unit.PERCENT, _clockings, "started_at",
        technician_field="technician_id", columns=HOURS_COLUMNS, compute=_hours_kpi(lambda hours: _percent(hours.proficiency))),
    Kpi("unapplied_time", _("Unapplied time"), _("Attended hours not clocked on any job (attended less clocked)."),
        HOURS_SOURCE, Unit.HOURS, _clockings, "started_at", technician_field="technician_id", columns=HOURS_COLUMNS,
        compute=_hours_kpi(lambda hours: (hours.attended - hours.clocked).quantize(Decimal("0.1"))), higher_is_better=False),
    Kpi("show_rate", _("Show rate"),
        _("Appointments of the period that became a work order, among those due (not cancelled nor moved)."),
        _("Appointments and their work orders"), Unit.PERCENT, _due_appointments, "starts_at",
        lambda: Count("pk", filter=Q(work_order__isnull=False)), lambda: Count("pk"), advisor_field="advisor_id",
        drill=Q(work_order__isnull=True), columns=APPOINTMENT_COLUMNS),
    Kpi("rework_rate", _("Rework rate at QC"), _("Quality checks failed (car sent back to the workshop), among all checks."),
        _("Quality checks"), Unit.PERCENT, _checks, "checked_at", lambda: Count("pk", filter=Q(passed=False)), lambda: Count("pk"),
        advisor_field="work_order__advisor_id", drill=Q(passed=False),
        columns=((_("Checked at"), "checked_at"), (_("Work order"), "work_order"), (_("Checked by"), "inspector"),
                 (_("Reason"), "fail_reason")), higher_is_better=False),
    Kpi("invoice_variance", _("Invoice vs estimate"),
        _("Invoiced amount less the signed estimate or approved extra, as a share of the estimate (issued invoices' lines)."),
        _("Invoice lines of issued invoices (amount, signed estimate)"), Unit.PERCENT,
        lambda scope: _issued_lines(scope).filter(expected_net__isnull=False), "invoice__issued_on",
        lambda: Sum(F("net") - F("expected_net")), lambda: Sum("expected_net"), advisor_field="invoice__work_order__advisor_id",
        drill=~Q(net=F("expected_net")),
        columns=((_("Invoice"), "invoice"), (_("Line"), "description"), (_("Estimate"), "expected_net"), (_("Invoiced"), "net"),
                 (_("Reason"), "variance_reason")), higher_is_better=False),
    Kpi("hours_sold_per_visit", _("Hours sold per work order"), _("Labour hours invoiced / work orders invoiced."),
        _("Labour lines of issued invoices"), Unit.HOURS, _issued_lines, "invoice__issued_on",
        lambda: Sum("quantity", filter=Q(kind=InvoiceLine.Kind.LABOUR)), lambda: Count("invoice__work_order", distinct=True),
        advisor_field="invoice__work_order__advisor_id", drill=Q(kind=InvoiceLine.Kind.LABOUR),
        columns=((_("Invoice"), "invoice"), (_("Line"), "description"), (_("Hours"), "quantity"), (_("Amount"), "net"))),
    Kpi("effective_labour_rate", _("Effective labour rate"),
        _("Labour sales / labour hours sold, per payer (customer, warranty, internal)."),
        _("Labour lines of issued invoices and the invoice's payer"), Unit.MONEY, _issued_lines, "invoice__issued_on",
        lambda: Sum("net", filter=Q(kind=InvoiceLine.Kind.LABOUR)), lambda: Sum("quantity", filter=Q(kind=InvoiceLine.Kind.LABOUR)),
        advisor_field="invoice__work_order__advisor_id", drill=Q(kind=InvoiceLine.Kind.LABOUR),
        columns=((_("Invoice"), "invoice"), (_("Line"), "description"), (_("Hours"), "quantity"), (_("Amount"), "net")),
        compute=_with_table(compute_ratio, _per_payer, (_("Payer"), _("Hours"), _("Labour sales"), _("Rate")))),
    Kpi("inspection_funnel", _("Inspection funnel"),
        _("Extra work sent to customers for approval, the share they viewed; below: sent, viewed, lines approved, value approved."),
        _("Approval requests (sent, first viewed) and approval decisions"), Unit.PERCENT, _approval_requests, "sent_at",
        lambda: Count("pk", filter=Q(first_viewed_at__isnull=False)), lambda: Count("pk"),
        advisor_field="work_order__advisor_id", drill=Q(first_viewed_at__isnull=True),
        columns=((_("Sent at"), "sent_at"), (_("Work order"), "work_order"), (_("Sent by"), "sent_by"),
                 (_("First viewed at"), "first_viewed_at")),
        compute=_with_table(compute_ratio, _funnel, (_("Step"), _("Figure")))),
    Kpi("deferred_revived", _("Deferred work revived"),
        _("Declined work sold later by a new job, counted when the job that sells it is added."),
        _("Deferred work and the job that sold it"), Unit.COUNT, _revived, "sold_job__added_at", lambda: Count("pk"),
        columns=((_("Sold at"), "sold_job__added_at"), (VEHICLE, "vehicle"), (_("Work"), "description"),
                 (_("Price, VAT included"), "gross_price"), (_("Work order"), "sold_job__work_order"))),
    Kpi("attribution", _("Campaign and reminder attribution"),
        _("Appointments booked in the period that came from a reminder or a campaign; below: appointments, visits and "
          "invoiced revenue per origin."),
        _("Appointments (origin and origin record), their work orders and issued invoices"), Unit.PERCENT, _bookings, "created_at",
        lambda: Count("pk", filter=Q(origin__in=(Appointment.Origin.REMINDER, Appointment.Origin.CAMPAIGN))), lambda: Count("pk"),
        advisor_field="advisor_id", drill=Q(origin__in=(Appointment.Origin.REMINDER, Appointment.Origin.CAMPAIGN)),
        columns=APPOINTMENT_COLUMNS,
        compute=_with_table(compute_ratio, _attribution, (_("Origin"), _("Appointments"), _("Visits"), _("Revenue before VAT")))),
    Kpi("cycle_time", _("Cycle time"),
        _("Average hours from opening the work order to ready for invoicing; below: average hours spent in each step."),
        _("Work-order status events"), Unit.HOURS, _ready_events, "at",
        lambda: Avg(_duration("at", "work_order__created_at")), advisor_field="work_order__advisor_id",
        columns=((_("Ready at"), "at"), (_("Work order"), "work_order")), higher_is_better=False, additive=False,
        compute=_with_table(compute_ratio, _steps, (_("Step"), _("Status changes"), _("Average hours")))),
    Kpi("loaner_utilisation", _("Loaner utilisation"),
        _("Hours the loaners were reserved / hours of the period × active loaners (a reservation counts where it starts)."),
        _("Loaner reservations and the active loaner fleet"), Unit.PERCENT, _loaner_reservations, "starts_at",
        compute=compute_loaner_utilisation,
        columns=((_("From"), "starts_at"), (_("Until"), "ends_at"), (_("Loaner"), "loaner"), (CUSTOMER, "appointment__customer"))),
    Kpi("callback_7_days", _("7-day callback rate"),
        _("7-day callbacks done within 7 days of being created, among those created in the period."),
        _("CRC call tasks of kind callback"), Unit.PERCENT, _callbacks, "created_at",
        lambda: Count("pk", filter=Q(status=CallTask.Status.DONE, closed_at__lte=F("created_at") + CALLBACK_DELAY)), lambda: Count("pk"),
        drill=~Q(status=CallTask.Status.DONE, closed_at__lte=F("created_at") + CALLBACK_DELAY),
        columns=((_("Created"), "created_at"), (CUSTOMER, "customer"), (_("Status"), "get_status_display"),
                 (_("Outcome"), "get_outcome_display"), (_("Closed"), "closed_at"))),
    Kpi("csat", _("CSAT"), _("Answers with a satisfaction of 4 or 5 out of 5, among all answers (quick touch, 7-day callback, survey)."),
        _("Satisfaction answers (score)"), Unit.PERCENT, _answers, "answered_at", lambda: Count("pk", filter=Q(score__gte=4)),
        lambda: Count("pk"), advisor_field="handover__work_order__advisor_id", drill=Q(score__lte=3), columns=ANSWER_COLUMNS),
    Kpi("nps", _("NPS"),
        _("Promoters (9-10) less detractors (0-6), as a share of the answers to \"would you recommend us\" (-100 to 100)."),
        _("Satisfaction answers (would recommend)"), Unit.PERCENT, _answers, "answered_at",
        lambda: Count("pk", filter=Q(nps__gte=9)) - Count("pk", filter=Q(nps__lte=6)), lambda: Count("pk", filter=Q(nps__isnull=False)),
        advisor_field="handover__work_order__advisor_id", drill=Q(nps__lte=6), columns=ANSWER_COLUMNS),
    Kpi("complaints_24h", _("Complaints answered within 24 h"),
        _("Complaints received in the period that were answered within 24 hours."),
        _("Customer concerns of type complaint (received, answered)"), Unit.PERCENT, _complaints, "received_at",
        lambda: Count("pk", filter=Q(answered_at__lte=F("received_at") + COMPLAINT_DELAY)), lambda: Count("pk"),
        advisor_field="owner_id", drill=Q(answered_at__isnull=True) | Q(answered_at__gt=F("received_at") + COMPLAINT_DELAY),
        columns=((_("Received at"), "received_at"), (CUSTOMER, "customer"), (_("Summary"), "summary"), (_("Owner"), "owner"),
                 (_("Answered at"), "answered_at"))),
    Kpi("web_requests_2h", _("Requests answered within 2 working hours"),
        _("Web and e-mail requests received in the period answered by their due time (2 working hours of the site)."),
        _("Web requests (received, due, answered)"), Unit.PERCENT, _web_requests, "received_at",
        lambda: Count("pk", filter=Q(answered_at__lte=F("due_at"))), lambda: Count("pk"),
        drill=Q(answered_at__isnull=True) | Q(answered_at__gt=F("due_at")),
        columns=((_("Received at"), "received_at"), (_("Name"), "name"), (_("Due"), "due_at"), (_("Answered at"), "answered_at"),
                 (_("Answered by"), "answered_by"))),
    Kpi("revenue_per_visit", _("Average revenue per visit"),
        _("Invoiced amount before VAT (credit notes deducted) / work orders invoiced, by the invoice date."),
        _("Issued invoices and credit notes"), Unit.MONEY, _issued_invoices, "issued_on",
        lambda: Sum(Case(When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("net_total")), default=F("net_total"), output_field=MONEY)),
        lambda: Count("work_order", distinct=True, filter=Q(kind=Invoice.Kind.INVOICE)), advisor_field="work_order__advisor_id",
        columns=((_("Invoice"), "number"), (_("Invoice date"), "issued_on"), (CUSTOMER, "customer"), (_("Payer"), "get_payer_display"),
                 (_("Amount before VAT"), "net_total"))),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}


def compute(kpi: Kpi, scope: Scope, window: Window, now, cache: dict) -> Result:
    if kpi.compute is not None:
        return kpi.compute(kpi, scope, window, now, cache)
    if kpi.median is not None:
        return compute_median(kpi, scope, window, now)
    return compute_ratio(kpi, scope, window, now)


__all__ = ["BY_KEY", "KPIS", "LAST_YEAR", "Kpi", "Result", "Scope", "Unit", "compute"]
