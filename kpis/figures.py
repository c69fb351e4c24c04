"""Read the KPIs' daily figures (built by ``rollup``) for a dashboard.

All the KPIs of a window come from two grouped queries: one on ``MonthlyFigure`` for the whole months of each
bucket, one on ``DailyFigure`` for its other days. Each row gets its bucket from a CASE on its day (and a flag
when it falls in the same period last year, which may overlap the other buckets), then the numerators and
denominators are summed per KPI, part, bucket and person. The retention snapshots of the period ends and the
loaner fleet take one query each. So a dashboard runs the same few queries whatever the period
or the amount of data.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment, Loaner
from invoicing.models import Invoice
from workshop.models import WorkOrder
from workshop.selectors import TechnicianHours

from .models import DailyFigure, Figure, FigureRefresh, MonthlyFigure
from .periods import LAST_YEAR, Bucket, Window
from .queries import KPIS, Kind, Kpi, Result, Scope, Table, Unit
from .rollup import BAND_SECONDS, HOURS

DAYS_PER_MONTH = Decimal("30.4375")
ZERO = Decimal("0")
WORK_MEM = "64MB"
SNAPSHOT_AGE = timedelta(days=7)  # a period's retention is the site's latest snapshot of its last week (rebuilt nightly)


@dataclass(frozen=True)
class Row:
    kpi: str
    part: str
    person: int
    bucket: int | None
    last_year: bool
    num: Decimal
    den: Decimal

    def buckets(self) -> list[int]:
        return ([self.bucket] if self.bucket is not None else []) + ([LAST_YEAR] if self.last_year else [])


@dataclass
class Figures:
    """The summed daily figures of a scope and window, ready for each KPI's reader."""

    window: Window
    scope: Scope
    rows: dict[tuple[str, str], list[Row]]
    snapshots: dict[tuple[str, date], tuple[Decimal, Decimal]]
    fleet: int
    today: date

    def of(self, kpi: Kpi, key: str | None = None, part: str | None = "") -> list[Row]:
        """The rows of ``kpi`` (or of ``key``), of one part (None: every part), kept to the scope's person."""
        person = kpi.person_filter(self.scope)
        key = key or kpi.key
        found = (
            [row for (name, _part), rows in self.rows.items() if name == key for row in rows]
            if part is None
            else self.rows.get((key, part), [])
        )
        return [row for row in found if row.person == person] if person else found

    def snapshot_day(self, bucket: Bucket) -> date:
        """The retention snapshot of a period: its last day, or today for a period not over yet."""
        return min(bucket.end - timedelta(days=1), self.today)


DateRanges = list[tuple[date, date]]


def _split(bucket: Bucket) -> tuple[DateRanges, DateRanges]:
    """The bucket's whole months (read from the monthly figures) and its other days (from the daily ones)."""
    first = bucket.start if bucket.start.day == 1 else bucket.start.replace(day=1) + relativedelta(months=1)
    last = bucket.end.replace(day=1)
    if first >= last:
        return [], [(bucket.start, bucket.end)]
    return [(first, last)], [(start, end) for start, end in ((bucket.start, first), (last, bucket.end)) if start < end]


def _within(ranges: DateRanges) -> Q:
    found = Q(pk__in=[])
    for start, end in ranges:
        found |= Q(day__gte=start, day__lt=end)
    return found


def _summed(model: type[Figure], window: Window, scope: Scope, which: int, excluded: list[str]) -> Iterable[tuple]:
    """The figures of ``model`` summed per KPI, part, person, bucket and last-year flag, over the ranges of each bucket
    that ``_split`` gives it (``which``: 0 the months, 1 the days)."""
    ranges = {b.index: _split(b)[which] for b in window.all}
    bucket = Case(
        *(When(_within(ranges[b.index]), then=Value(b.index)) for b in window.buckets if ranges[b.index]),
        default=None,
        output_field=IntegerField(),
    )
    last_year = Case(When(_within(ranges[LAST_YEAR]), then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        model.objects.filter(_within([span for spans in ranges.values() for span in spans]), site_id__in=scope.site_ids)
        .exclude(kpi__in=excluded)
        .annotate(bucket=bucket, last_year=last_year)
        .values_list("kpi", "part", "person_id", "bucket", "last_year")
        .annotate(num=Sum("num"), den=Sum("den"))
        .order_by()
    )


def load(scope: Scope, window: Window, now: datetime) -> Figures:
    """Every figure of the window for the scope's sites: the whole months, the other days, the retention snapshots and
    the loaner fleet, a query each."""
    snapshot_kpis = [kpi.key for kpi in KPIS if kpi.kind == Kind.RETENTION]
    rows: dict[tuple[str, str], list[Row]] = defaultdict(list)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a year of a group sums ~150,000 rows: hashed in memory, not sorted on disk
                cursor.execute("SET LOCAL work_mem = %s", [WORK_MEM])
        for model, which in ((MonthlyFigure, 0), (DailyFigure, 1)):
            for kpi, part, person, index, in_last_year, num, den in _summed(model, window, scope, which, snapshot_kpis):
                rows[(kpi, part)].append(Row(kpi, part, person, index, bool(in_last_year), num, den))
    figures = Figures(window, scope, rows, {}, 0, timezone.localdate(now))
    ends = {figures.snapshot_day(b) for b in window.all}
    near = _within([(end - SNAPSHOT_AGE, end + timedelta(days=1)) for end in ends])
    latest: dict[tuple[str, int, date], tuple[date, Decimal, Decimal]] = {}
    for kpi, site, day, num, den in DailyFigure.objects.filter(near, site_id__in=scope.site_ids, kpi__in=snapshot_kpis).values_list(
        "kpi", "site_id", "day", "num", "den"
    ):
        for end in ends:
            known = latest.get((kpi, site, end))
            if end - SNAPSHOT_AGE <= day <= end and (known is None or day > known[0]):
                latest[(kpi, site, end)] = (day, num, den)
    for (kpi, _site, end), (_day, num, den) in latest.items():
        kept, base = figures.snapshots.get((kpi, end), (ZERO, ZERO))
        figures.snapshots[(kpi, end)] = (kept + num, base + den)
    if any(kpi.kind == Kind.LOANERS for kpi in KPIS):
        figures.fleet = Loaner.objects.filter(site_id__in=scope.site_ids, active=True).count()
    return figures


def refreshed_at(scope: Scope) -> datetime | None:
    """When the oldest of the scope's sites' figures were rebuilt; None while a site has none yet."""
    return oldest_refresh(scope, refresh_stamps(scope))


def refresh_stamps(scope: Scope) -> dict[int, datetime]:
    """When each of the scope's sites' figures were last rebuilt (one query): a dashboard stays true until one moves."""
    return dict(FigureRefresh.objects.filter(site_id__in=scope.site_ids).values_list("site_id", "built_at"))


def oldest_refresh(scope: Scope, stamps: dict[int, datetime]) -> datetime | None:
    """The oldest of the stamps; None while a site of the scope has none yet."""
    return min(stamps.values()) if stamps and len(stamps) == len(set(scope.site_ids)) else None


# --- the figure of a KPI --------------------------------------------------------------------


def _value(kpi: Kpi, num: Decimal, den: Decimal, days: int) -> Decimal | None:
    if kpi.unit == Unit.PER_MONTH:
        return (num * DAYS_PER_MONTH / days).quantize(Decimal("0.1"))
    if kpi.denominator is None:
        return num.quantize(Decimal("0.1") if kpi.unit == Unit.HOURS else Decimal("1"))
    if not den:
        return None
    value = num / den
    return (value * 100).quantize(Decimal("0.1")) if kpi.unit == Unit.PERCENT else value.quantize(Decimal("0.01"))


def _totals(rows: Iterable[Row]) -> dict[int, list[Decimal]]:
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rows:
        for index in row.buckets():
            totals[index][0] += row.num
            totals[index][1] += row.den
    return totals


def _per_person(rows: Iterable[Row], window: Window) -> dict[int, list[Row]]:
    people: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.bucket == window.current.index and row.person:
            people[row.person].append(row)
    return dict(sorted(people.items()))


def _ratio(kpi: Kpi, figures: Figures) -> Result:
    rows, window = figures.of(kpi), figures.window
    totals = _totals(rows)
    result = Result({b.index: _value(kpi, *totals[b.index], b.days) for b in window.all})
    if kpi.person_field:
        for person, own in _per_person(rows, window).items():
            num, den = _totals(own)[window.current.index]
            result.by_person.append((person, _value(kpi, num, den, window.current.days)))
    return result


def _median_days(histogram: Counter) -> Decimal | None:
    """The median of the histogram's values (whole days), the mean of the two middle ones for an even count."""
    count = sum(histogram.values())
    if not count:
        return None
    middle, seen, found = ((count - 1) // 2, count // 2), 0, []
    for band in sorted(histogram):
        for position in middle:
            if seen <= position < seen + histogram[band]:
                found.append(band)
        seen += histogram[band]
    return (Decimal(sum(found)) / 2 * BAND_SECONDS / 86400).quantize(Decimal("0.1"))


def _median(kpi: Kpi, figures: Figures) -> Result:
    histograms: dict[int, Counter] = defaultdict(Counter)
    for row in figures.of(kpi, part=None):
        for index in row.buckets():
            histograms[index][int(row.part)] += int(row.num)
    return Result({b.index: _median_days(histograms[b.index]) for b in figures.window.all})


def _hours_of(rows: Iterable[Row], index: int, person: int = 0) -> TechnicianHours:
    parts: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if index in row.buckets():
            parts[row.part] += row.num
    clocked = parts["clocked"] - parts["replaced_clocked"] + parts["corrected_clocked"]  # the foreman's corrections
    return TechnicianHours(
        person, parts["sold"], clocked, parts["day"] - parts["break"], parts["held_sold"], parts["held_clocked"], int(parts["held"])
    )


def _hours(kpi: Kpi, figures: Figures) -> Result:
    rows, window = figures.of(kpi, key=HOURS, part=None), figures.window
    present = {index for row in rows for index in row.buckets()}
    result = Result({b.index: kpi.measure(_hours_of(rows, b.index)) if b.index in present else None for b in window.all})
    result.by_person = [
        (person, kpi.measure(_hours_of(own, window.current.index, person))) for person, own in _per_person(rows, window).items()
    ]
    if kpi.shows_awaiting:
        result.awaiting = _hours_of(rows, window.current.index).awaiting
    return result


def _retention(kpi: Kpi, figures: Figures) -> Result:
    window, values = figures.window, {}
    for bucket in window.all:
        kept, base = figures.snapshots.get((kpi.key, figures.snapshot_day(bucket)), (ZERO, ZERO))
        values[bucket.index] = (kept * 100 / base).quantize(Decimal("0.1")) if base else None
    return Result(values)


def _loaners(kpi: Kpi, figures: Figures) -> Result:
    """Hours out (booked ahead or handed over at reception) / (active loaners × hours of the period)."""
    totals = _totals(figures.of(kpi, part=None))
    return Result(
        {
            b.index: (totals[b.index][0] * 100 / (figures.fleet * b.days * 24)).quantize(Decimal("0.1")) if figures.fleet else None
            for b in figures.window.all
        }
    )


READERS: dict[str, Callable[[Kpi, Figures], Result]] = {
    Kind.RATIO: _ratio,
    Kind.MEDIAN: _median,
    Kind.HOURS: _hours,
    Kind.RETENTION: _retention,
    Kind.LOANERS: _loaners,
}


# --- the tables under some figures (current period only) -------------------------------------


def _current_parts(kpi: Kpi, figures: Figures) -> dict[str, list[Decimal]]:
    parts: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in figures.of(kpi, part=None):
        if row.bucket == figures.window.current.index:
            parts[row.part][0] += row.num
            parts[row.part][1] += row.den
    return parts


def _funnel(kpi: Kpi, figures: Figures) -> list[tuple]:
    parts = _current_parts(kpi, figures)
    viewed, sent = parts[""]
    return [
        (_("Inspections sent"), int(sent)),
        (_("Viewed by the customer"), int(viewed)),
        (_("Lines approved"), int(parts["lines"][0])),
        (_("Value approved, before VAT"), parts["value"][0].quantize(Decimal("0.01"))),
    ]


def _payers(kpi: Kpi, figures: Figures) -> list[tuple]:
    labels = dict(Invoice._meta.get_field("payer").choices)
    return [
        (
            labels.get(payer, payer),
            hours.normalize(),
            sales.quantize(Decimal("0.01")),
            (sales / hours).quantize(Decimal("0.01")) if hours else None,
        )
        for payer, (sales, hours) in sorted(_current_parts(kpi, figures).items())
        if payer
    ]


def _origins(kpi: Kpi, figures: Figures) -> list[tuple]:
    parts, labels = _current_parts(kpi, figures), dict(Appointment.Origin.choices)
    return [
        (labels.get(origin, origin), int(appointments), int(visits), parts[f"{origin}:revenue"][0].quantize(Decimal("0.01")))
        for origin, (appointments, visits) in sorted(parts.items())
        if origin and ":" not in origin
    ]


def _steps(kpi: Kpi, figures: Figures) -> list[tuple]:
    parts = _current_parts(kpi, figures)
    return [
        (label, int(parts[status][1]), (parts[status][0] / parts[status][1]).quantize(Decimal("0.1")))
        for status, label in WorkOrder.Status.choices
        if parts.get(status, [ZERO, ZERO])[1]
    ]


TABLE_READERS: dict[str, Callable[[Kpi, Figures], list[tuple]]] = {
    Table.FUNNEL: _funnel,
    Table.PAYERS: _payers,
    Table.ORIGINS: _origins,
    Table.STEPS: _steps,
}


def compute(kpi: Kpi, figures: Figures) -> Result:
    result = READERS[kpi.kind](kpi, figures)
    if kpi.table:
        result.table, result.table_header = TABLE_READERS[kpi.table](kpi, figures), kpi.table_header
    return result
