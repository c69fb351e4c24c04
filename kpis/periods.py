"""The period a dashboard shows, the periods before it (its trend) and the same period last year.

Edges are local midnights of the current time zone (the staff user's site, set by SiteTimeZoneMiddleware).
Bucket ``CURRENT`` is the chosen period, the ``HISTORY - 1`` buckets before it are the trend (``TREND_MONTHS`` for a
month, so that a month's trend covers the same month last year), and ``LAST_YEAR`` is the same period one year earlier.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

HISTORY = 6
TREND_MONTHS = 13
LAST_YEAR = -1


class PeriodKind:
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    CUSTOM = "custom"
    CHOICES = [(DAY, _("Day")), (WEEK, _("Week")), (MONTH, _("Month")), (CUSTOM, _("Custom"))]


@dataclass(frozen=True)
class Bucket:
    index: int
    start: date
    end: date  # excluded

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        if self.days == 1:
            return date_format(self.start, "SHORT_DATE_FORMAT")
        if self.start.day == 1 and self.end == self.start + relativedelta(months=1):
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        return f"{date_format(self.start, 'SHORT_DATE_FORMAT')}–{date_format(self.end - timedelta(days=1), 'SHORT_DATE_FORMAT')}"

    @property
    def short_label(self) -> str:
        """The period on a chart's axis: its month ("Mar 26") or its first day."""
        return date_format(self.start, "M y" if self.start.day == 1 and self.days >= 28 else "SHORT_DATE_FORMAT")


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class Window:
    kind: str
    buckets: tuple[Bucket, ...]  # oldest first; the last one is the chosen period
    last_year: Bucket

    @property
    def current(self) -> Bucket:
        return self.buckets[-1]

    @property
    def previous(self) -> Bucket:
        return self.buckets[-2]

    @property
    def all(self) -> tuple[Bucket, ...]:
        return (*self.buckets, self.last_year)

    @staticmethod
    def edge(day: date) -> datetime:
        return _aware(day)


def period_window(kind: str, anchor: date, end: date | None = None) -> Window:
    """The buckets for a period of ``kind`` containing ``anchor`` (custom: ``anchor`` to ``end``, both included)."""
    if kind == PeriodKind.MONTH:
        first = anchor.replace(day=1)
        starts = [first - relativedelta(months=back) for back in range(TREND_MONTHS - 1, -1, -1)]
        buckets = tuple(Bucket(i, start, start + relativedelta(months=1)) for i, start in enumerate(starts))
        last_year = Bucket(LAST_YEAR, first - relativedelta(years=1), first - relativedelta(years=1) + relativedelta(months=1))
        return Window(kind, buckets, last_year)
    if kind == PeriodKind.WEEK:
        start, length = anchor - timedelta(days=anchor.weekday()), 7
    elif kind == PeriodKind.DAY:
        start, length = anchor, 1
    else:
        start, length = anchor, ((end or anchor) - anchor).days + 1
    step = timedelta(days=length)
    buckets = tuple(Bucket(i, start - step * (HISTORY - 1 - i), start - step * (HISTORY - 2 - i)) for i in range(HISTORY))
    # the same weekdays one year back for days and weeks (52 weeks), the same dates for custom periods
    year_back = timedelta(weeks=52) if kind in (PeriodKind.DAY, PeriodKind.WEEK) else None
    ly_start = start - year_back if year_back else start - relativedelta(years=1)
    return Window(kind, buckets, Bucket(LAST_YEAR, ly_start, ly_start + step))
