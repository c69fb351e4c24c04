"""The dashboard's tiles (from the daily figures) and the records behind a figure, in a fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone

from aftersales.accounts.models import User

from .charts import Bars, Series, bars_chart, series_chart
from .figures import compute, load
from .periods import LAST_YEAR, Window
from .queries import KPIS, Kpi, Result, Scope


@dataclass(frozen=True)
class Tile:
    kpi: Kpi
    result: Result
    window: Window
    people: dict

    @property
    def current(self) -> Decimal | None:
        return self.result.values.get(self.window.current.index)

    @property
    def previous(self) -> Decimal | None:
        return self.result.values.get(self.window.previous.index)

    @property
    def last_year(self) -> Decimal | None:
        return self.result.values.get(LAST_YEAR)

    @property
    def trend(self) -> str:
        """up, down or flat against the previous period; "" when either is missing."""
        if self.current is None or self.previous is None:
            return ""
        return "up" if self.current > self.previous else "down" if self.current < self.previous else "flat"

    @property
    def trend_is_good(self) -> bool | None:
        if self.trend in ("", "flat"):
            return None
        return (self.trend == "up") == self.kpi.higher_is_better

    @cached_property
    def series(self) -> Series:
        return series_chart([(bucket.label, self.result.values.get(bucket.index)) for bucket in self.window.buckets])

    @cached_property
    def bars(self) -> Bars | None:
        if not self.result.by_person:
            return None
        return bars_chart([(self.people.get(person, "?"), value) for person, value in self.result.by_person])


def _names(ids: set[int]) -> dict[int, str]:
    return {user.pk: user.get_full_name() or user.get_username() for user in User.objects.filter(pk__in=ids)}


def dashboard(*, scope: Scope, window: Window, kpis: tuple[Kpi, ...] = KPIS, now=None) -> list[Tile]:
    """Every KPI for the scope and window: the figures' three queries, plus one for the people's names."""
    figures = load(scope, window, now or timezone.now())
    results = [(kpi, compute(kpi, figures)) for kpi in kpis]
    people = {person for _kpi, result in results for person, _value in result.by_person}
    names = _names(people) if people else {}
    return [Tile(kpi, result, window, names) for kpi, result in results]


def kpi_records(*, kpi: Kpi, scope: Scope, window: Window) -> QuerySet:
    """The records behind the figure of the current period, newest first."""
    return kpi.drill_records(scope, window.current).order_by(f"-{kpi.date_field}", "-pk")
