"""Rebuild the KPIs' daily figures of some sites and days from the stage apps' records.

``rebuild`` deletes and recomputes every KPI's ``DailyFigure`` rows of the sites for the days, in one transaction
per time zone (a dashboard sees the old figures until the new ones are complete), and notes the refresh. Each
builder aggregates in SQL, grouped by site, local day of the site and person, except the lead-time histogram and
the retention snapshots, which walk the rows once in Python.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from itertools import chain
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from aftersales.accounts.models import Site
from aftersales.jobs.chunks import run_in_chunks
from appointments.models import Appointment
from invoicing.models import Invoice, InvoiceLine
from workshop.models import (
    ApprovalDecision,
    AttendanceSpan,
    ClockingReview,
    JobClocking,
    JobStatus,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderJob,
)

from .models import DailyFigure, FigureRefresh, HistoryRebuild, MonthlyFigure
from .queries import (
    KPIS,
    RECEPTION_LOANS,
    Kind,
    Kpi,
    Scope,
    Table,
    _bookings,
    _duration,
    _issued_lines,
    _loaner_reservations,
    _reception_loans,
    _visits,
)

PLACES = Decimal("0.0001")
BAND_SECONDS = 86400  # the lead-time histogram's band: a day
HOURS = "technician_hours"  # the key of the technicians' hours, shared by productivity, efficiency, proficiency, unapplied
RETENTION_DAYS = 365  # each of the two 12-month windows of the retention snapshot
BATCH = 5000
HISTORY_MONTHS = 3  # a chunk of a whole-history rebuild: about 4 s of one site at 100,000 work orders a site


@dataclass(frozen=True)
class Days:
    """The sites (all in one time zone) and the days being rebuilt, ``start`` to ``end`` excluded."""

    site_ids: tuple[int, ...]
    start: date
    end: date
    tz: ZoneInfo
    now: datetime

    @property
    def scope(self) -> Scope:
        return Scope(self.site_ids)

    def edge(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)

    def between(self, date_field: str, start: date | None = None) -> dict:
        """The days' bounds on ``date_field``: local midnights, or days for a date field (``..._on``)."""
        first = start or self.start
        if date_field.endswith("_on"):
            return {f"{date_field}__gte": first, f"{date_field}__lt": self.end}
        return {f"{date_field}__gte": self.edge(first), f"{date_field}__lt": self.edge(self.end)}

    def day(self, date_field: str):
        return F(date_field) if date_field.endswith("_on") else TruncDate(date_field, tzinfo=self.tz)


def _number(value) -> Decimal:
    """A count, an amount or hours (a duration becomes hours), to the figure's precision."""
    if value is None:
        return Decimal("0")
    if isinstance(value, timedelta):
        value = Decimal(value.total_seconds()) / Decimal(3600)
    return Decimal(value).quantize(PLACES)


FigureRow = tuple[str, str, int, date, int, Decimal, Decimal]
COLUMNS = ("kpi", "part", "site_id", "day", "person_id", "num", "den")


def _figure(kpi: str, site: int, day: date, person: int | None, num, den=None, part: str = "") -> FigureRow:
    return kpi, part, site, day, person or 0, _number(num), _number(den)


def _grouped(queryset: QuerySet, days: Days, date_field: str, site_field: str, *extra: str, **aggregates) -> QuerySet:
    return (
        queryset.filter(**days.between(date_field))
        .annotate(kpi_day=days.day(date_field))
        .values(site_field, "kpi_day", *extra)
        .annotate(**aggregates)
        .order_by()
    )


def _ratio(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    person = (kpi.person_field,) if kpi.person_field else ()
    aggregates = {"num": kpi.numerator(), **({"den": kpi.denominator()} if kpi.denominator else {})}
    for row in _grouped(kpi.source(days.scope), days, kpi.date_field, kpi.site_field, *person, **aggregates):
        yield _figure(kpi.key, row[kpi.site_field], row["kpi_day"], row.get(kpi.person_field), row["num"], row.get("den"))


def _median(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    """A histogram of the durations per site and day, in whole days (``part``), to take the median from."""
    later, earlier = kpi.span
    rows = (
        kpi.source(days.scope)
        .filter(**days.between(kpi.date_field))
        .annotate(kpi_day=days.day(kpi.date_field))
        .values_list(kpi.site_field, "kpi_day", later, earlier)
    )
    counts = Counter((site, day, round((end - start).total_seconds() / BAND_SECONDS)) for site, day, end, start in rows.iterator(BATCH))
    for (site, day, band), count in counts.items():
        yield _figure(kpi.key, site, day, None, count, part=str(band))


def _hours(days: Days) -> Iterator[FigureRow]:
    """Sold, clocked and attended hours per technician (workshop.selectors' definitions): a clocking or span counts on
    the day it starts, with its whole length (open ones up to now)."""
    span = ExpressionWrapper(
        Coalesce(F("ended_at"), Value(days.now, output_field=DateTimeField())) - F("started_at"), output_field=DurationField()
    )
    spans = AttendanceSpan.objects.filter(site_id__in=days.site_ids)
    jobs = WorkOrderJob.objects.filter(work_order__site_id__in=days.site_ids, status=JobStatus.DONE)
    clockings = JobClocking.objects.filter(job__work_order__site_id__in=days.site_ids)
    done, clocked = ("done_at", "work_order__site_id", "done_by_id"), ("started_at", "job__work_order__site_id", "technician_id")
    pending, corrected = ClockingReview.Status.PENDING, ClockingReview.Status.CORRECTED
    parts = (
        ("sold", jobs, *done, Sum("flat_rate_hours")),
        ("clocked", clockings, *clocked, Sum(span)),
        ("day", spans.filter(kind=AttendanceSpan.Kind.DAY), "started_at", "site_id", "technician_id", Sum(span)),
        ("break", spans.filter(kind=AttendanceSpan.Kind.BREAK), "started_at", "site_id", "technician_id", Sum(span)),
        # sign-offs whose clocked time is implausible (workshop.plausibility), out of efficiency until the foreman confirms
        ("held", jobs.filter(clocking_review__status=pending), *done, Count("pk")),
        ("held_sold", jobs.filter(clocking_review__status=pending), *done, Sum("flat_rate_hours")),
        ("held_clocked", clockings.filter(job__clocking_review__status=pending), *clocked, Sum(span)),
        # the real time the foreman entered replaces the job's clockings
        ("replaced_clocked", clockings.filter(job__clocking_review__status=corrected), *clocked, Sum(span)),
        ("corrected_clocked", jobs.filter(clocking_review__status=corrected), *done, Sum("clocking_review__corrected_clocked")),
    )
    for part, queryset, date_field, site_field, person, total in parts:
        for row in _grouped(queryset, days, date_field, site_field, person, num=total):
            yield _figure(HOURS, row[site_field], row["kpi_day"], row[person], row["num"], part=part)


def _kept_intervals(visits: list[date]) -> tuple[list[tuple[date, date]], list[tuple[date, date]]]:
    """For one customer's visit days (sorted): the snapshot days on which he is in the base (a visit 12 to 24 months
    back) and those on which he is kept too (also a visit in the last 12 months), as inclusive intervals."""
    window = timedelta(days=RETENTION_DAYS)

    def merged(offset: timedelta) -> list[tuple[date, date]]:
        intervals: list[tuple[date, date]] = []
        for visit in visits:
            first, last = visit + offset, visit + offset + window - timedelta(days=1)
            if intervals and first <= intervals[-1][1] + timedelta(days=1):
                intervals[-1] = (intervals[-1][0], last)
            else:
                intervals.append((first, last))
        return intervals

    base, recent = merged(window), merged(timedelta(0))
    kept, j = [], 0
    for first, last in base:
        while j < len(recent) and recent[j][1] < first:
            j += 1
        k = j
        while k < len(recent) and recent[k][0] <= last:
            kept.append((max(first, recent[k][0]), min(last, recent[k][1])))
            k += 1
    return base, kept


def _retention(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    """A snapshot per site and day D: customers with a visit in the 12 months before D's 12 months (``den``) and those
    of them with a visit in the 12 months up to and including D (``num``); up to today, the days ahead have none."""
    length = (min(days.end, days.now.astimezone(days.tz).date() + timedelta(days=1)) - days.start).days
    if length <= 0:
        return
    visits: dict[tuple[int, int], list[date]] = defaultdict(list)
    rows = (
        _visits(days.scope)
        .filter(**days.between("created_at", days.start - 2 * timedelta(days=RETENTION_DAYS)))
        .annotate(kpi_day=days.day("created_at"))
        .values_list("site_id", "customer_id", "kpi_day")
        .distinct()
        .order_by("site_id", "customer_id", "kpi_day")
    )
    for site, customer, day in rows.iterator(BATCH):
        visits[(site, customer)].append(day)
    changes: dict[int, list[list[int]]] = defaultdict(lambda: [[0] * (length + 1), [0] * (length + 1)])
    for (site, _customer), dates in visits.items():
        for column, intervals in zip((0, 1), _kept_intervals(dates), strict=True):
            for first, last in intervals:
                start, stop = max((first - days.start).days, 0), min((last - days.start).days + 1, length)
                if start < stop:
                    changes[site][column][start] += 1
                    changes[site][column][stop] -= 1
    for site, (base, kept) in changes.items():
        in_base = in_kept = 0
        for offset in range(length):
            in_base, in_kept = in_base + base[offset], in_kept + kept[offset]
            if in_base:
                yield _figure(kpi.key, site, days.start + timedelta(days=offset), None, in_kept, in_base)


def _loaners(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    """Hours out per site and day: the reservations booked ahead (part ""), and the loaners handed over at reception
    without a reservation of their appointment (part "reception"), up to their return at handover or now."""
    for row in _grouped(_loaner_reservations(days.scope), days, kpi.date_field, kpi.site_field, num=Sum(_duration("ends_at", "starts_at"))):
        yield _figure(kpi.key, row[kpi.site_field], row["kpi_day"], None, row["num"])
    out = ExpressionWrapper(
        Coalesce(F("loaner_return__returned_at"), Value(days.now, output_field=DateTimeField())) - F("handed_over_at"),
        output_field=DurationField(),
    )
    for row in _grouped(_reception_loans(days.scope), days, "handed_over_at", "loaner__site_id", num=Sum(out)):
        yield _figure(kpi.key, row["loaner__site_id"], row["kpi_day"], None, row["num"], part=RECEPTION_LOANS)


def _funnel(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    """Approved lines and their value, on the day their request was sent (sent and viewed are the ratio's own)."""
    decisions = ApprovalDecision.objects.filter(request__work_order__site_id__in=days.site_ids, approved=True)
    person = "request__work_order__advisor_id"
    for row in _grouped(
        decisions, days, "request__sent_at", "request__work_order__site_id", person, lines=Count("pk"), value=Sum("net_amount")
    ):
        site, day = row["request__work_order__site_id"], row["kpi_day"]
        yield _figure(kpi.key, site, day, row[person], row["lines"], part="lines")
        yield _figure(kpi.key, site, day, row[person], row["value"], part="value")


def _payers(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    """Labour sales (``num``) and hours (``den``) per payer."""
    lines = _issued_lines(days.scope).filter(kind=InvoiceLine.Kind.LABOUR)
    for row in _grouped(
        lines, days, kpi.date_field, kpi.site_field, kpi.advisor_field, "invoice__payer", sales=Sum("net"), hours=Sum("quantity")
    ):
        yield _figure(
            kpi.key, row[kpi.site_field], row["kpi_day"], row[kpi.advisor_field], row["sales"], row["hours"], part=row["invoice__payer"]
        )


def _origins(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    """Appointments (``num``) and visits (``den``) per origin, and the revenue of their issued invoices."""
    revenue = Sum(
        "work_order__invoices__net_total",
        filter=Q(work_order__invoices__status=Invoice.Status.ISSUED, work_order__invoices__kind=Invoice.Kind.INVOICE),
    )
    for row in _grouped(
        _bookings(days.scope),
        days,
        kpi.date_field,
        "site_id",
        kpi.advisor_field,
        "origin",
        appointments=Count("pk", distinct=True),
        visits=Count("work_order", distinct=True),
        revenue=revenue,
    ):
        site, day, person = row["site_id"], row["kpi_day"], row[kpi.advisor_field]
        yield _figure(kpi.key, site, day, person, row["appointments"], row["visits"], part=row["origin"])
        yield _figure(kpi.key, site, day, person, row["revenue"], part=f"{row['origin']}:revenue")


def _steps(kpi: Kpi, days: Days) -> Iterator[FigureRow]:
    """Hours spent in each status (``num``) and the status changes (``den``), for the changes followed by another one."""
    following = (
        WorkOrderEvent.objects.filter(work_order_id=OuterRef("work_order_id"))
        .filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
        .order_by("at", "pk")
        .values("at")[:1]
    )
    events = (
        WorkOrderEvent.objects.filter(work_order__site_id__in=days.site_ids)
        .annotate(left_at=Subquery(following))
        .filter(left_at__isnull=False)
    )
    for row in _grouped(events, days, "at", "work_order__site_id", "to_status", hours=Sum(_duration("left_at", "at")), count=Count("pk")):
        yield _figure(kpi.key, row["work_order__site_id"], row["kpi_day"], None, row["hours"], row["count"], part=row["to_status"])


BUILDERS = {Kind.RATIO: _ratio, Kind.MEDIAN: _median, Kind.RETENTION: _retention, Kind.LOANERS: _loaners}
TABLE_BUILDERS = {Table.FUNNEL: _funnel, Table.PAYERS: _payers, Table.ORIGINS: _origins, Table.STEPS: _steps}


SNAPSHOTS = tuple(kpi.key for kpi in KPIS if kpi.kind == Kind.RETENTION)  # a figure per day that does not add up


def builders(*, snapshots: bool = True) -> list[Callable[[Days], Iterable[FigureRow]]]:
    """One builder per KPI and per table; the technicians' hours once for the four KPIs that read them."""
    found: dict[str, Callable[[Days], Iterable[FigureRow]]] = {}
    for kpi in KPIS:
        if kpi.key in SNAPSHOTS and not snapshots:
            continue
        found[HOURS if kpi.kind == Kind.HOURS else kpi.key] = _hours if kpi.kind == Kind.HOURS else partial(BUILDERS[kpi.kind], kpi)
        if kpi.table:
            found[f"{kpi.key}:table"] = partial(TABLE_BUILDERS[kpi.table], kpi)
    return list(found.values())


def _save(rows: Iterable[FigureRow]) -> int:
    """Insert the daily figures by multi-row INSERTs (model instances would cost more than the aggregation)."""
    size = connection.ops.bulk_batch_size(COLUMNS, [None] * BATCH)
    table, names = DailyFigure._meta.db_table, ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    made, batch = 0, []
    with connection.cursor() as cursor:
        for row in chain(rows, [None]):
            if row is not None:
                batch.append(row)
            if batch and (row is None or len(batch) == size):
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholders] * len(batch))}",
                    [
                        value
                        for kpi, part, site, day, person, num, den in batch
                        for value in (kpi, part, site, connection.ops.adapt_datefield_value(day), person, num, den)
                    ],
                )
                made, batch = made + len(batch), []
    return made


def rebuild(*, sites: Iterable[Site], start: date, end: date, now: datetime, snapshots: bool = True) -> int:
    """Recompute the daily figures of ``sites`` for ``start`` to ``end`` (excluded), local days of each site.

    ``snapshots=False`` leaves the retention snapshots as they are: each reads two years of visits, and a 12-month
    ratio does not move within a day. Returns how many figures were written. Safe to run at any time and twice: it
    replaces what it rebuilds."""
    zones: dict[str, list[int]] = defaultdict(list)
    for site in sites:
        zones[site.time_zone].append(site.pk)
    made = 0
    for zone, site_ids in zones.items():
        days = Days(tuple(site_ids), start, end, ZoneInfo(zone), now)
        with transaction.atomic():
            # one rebuild of a site at a time (the 10-minute job may meet the nightly one): the second waits here
            list(Site.objects.select_for_update(no_key=True).filter(pk__in=site_ids).order_by("pk").values_list("pk", flat=True))
            stale = DailyFigure.objects.filter(site_id__in=site_ids, day__gte=start, day__lt=end)
            (stale if snapshots else stale.exclude(kpi__in=SNAPSHOTS)).delete()
            made += sum(_save(build(days)) for build in builders(snapshots=snapshots))
            _sum_months(site_ids, start, end)
            _note_refresh(site_ids, start, end)
    return made


def _sum_months(site_ids: list[int], start: date, end: date) -> None:
    """Rebuild the monthly figures of the months that ``start`` to ``end`` touch, from all their daily figures, by one
    INSERT ... SELECT."""
    first, stop = start.replace(day=1), (end - timedelta(days=1)).replace(day=1) + relativedelta(months=1)
    MonthlyFigure.objects.filter(site_id__in=site_ids, day__gte=first, day__lt=stop).delete()
    sums = (
        DailyFigure.objects.filter(site_id__in=site_ids, day__gte=first, day__lt=stop)
        .exclude(kpi__in=SNAPSHOTS)
        .annotate(month=TruncMonth("day"))
        .values_list("kpi", "part", "site_id", "month", "person_id")
        .annotate(total_num=Sum("num"), total_den=Sum("den"))
        .order_by()
    )
    select, params = sums.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {MonthlyFigure._meta.db_table} ({names}) {select}", params)


def _note_refresh(site_ids: list[int], start: date, end: date) -> None:
    known = {refresh.site_id: refresh for refresh in FigureRefresh.objects.select_for_update().filter(site_id__in=site_ids)}
    moment, last = timezone.now(), end - timedelta(days=1)
    for site_id in site_ids:
        refresh = known.get(site_id) or FigureRefresh(site_id=site_id, first_day=start, last_day=last)
        refresh.built_at, refresh.first_day, refresh.last_day = moment, min(refresh.first_day, start), max(refresh.last_day, last)
        refresh.save()


def start_history_rebuilds(*, sites: Iterable[Site], end: date, now: datetime) -> None:
    """Put the whole history of ``sites`` (from their first record to ``end``, excluded) up for rebuilding, those
    already under way left where they are."""
    under_way = set(HistoryRebuild.objects.values_list("site_id", flat=True))
    passes = []
    for site in sites:
        first = None if site.pk in under_way else first_record_day([site])
        if first is not None:
            passes.append(HistoryRebuild(site=site, next_day=first, end=end, started_at=now))
    HistoryRebuild.objects.bulk_create(passes, ignore_conflicts=True)


def continue_history_rebuilds(*, now: datetime) -> int:
    """Rebuild the whole histories under way, ``HISTORY_MONTHS`` of one site per chunk (``run_in_chunks``: each chunk
    commits with its cursor moved on, so a run stopped part-way goes on where it stopped). How many figures were
    written."""

    def under_way() -> Iterator[int]:
        for site_id in HistoryRebuild.objects.order_by("site_id").values_list("site_id", flat=True):
            while HistoryRebuild.objects.filter(site_id=site_id).exists():
                yield site_id

    return run_in_chunks(under_way(), partial(_rebuild_history_chunk, now=now))


def _rebuild_history_chunk(site_id: int, *, now: datetime) -> int:
    """The next months of the site's history (a concurrent run waits on the cursor, then takes the months after)."""
    cursor = HistoryRebuild.objects.select_for_update().select_related("site").filter(site_id=site_id).first()
    if cursor is None:
        return 0
    stop = min(cursor.next_day.replace(day=1) + relativedelta(months=HISTORY_MONTHS), cursor.end)
    made = rebuild(sites=[cursor.site], start=cursor.next_day, end=stop, now=now)
    if stop >= cursor.end:
        cursor.delete()
    else:
        cursor.next_day = stop
        cursor.save(update_fields=["next_day"])
    return made


def first_record_day(sites: Iterable[Site]) -> date | None:
    """The day of the sites' earliest work order or booking: where a full rebuild starts."""
    site_ids = [site.pk for site in sites]
    moments = [
        WorkOrder.objects.filter(site_id__in=site_ids).aggregate(first=Min("created_at"))["first"],
        Appointment.objects.filter(site_id__in=site_ids).aggregate(first=Min("created_at"))["first"],
    ]
    known = [moment for moment in moments if moment is not None]
    return timezone.localdate(min(known)) - timedelta(days=1) if known else None
