"""The dashboard's tiles (from the daily figures) and the records behind a figure, in a fixed number of queries."""

import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone

from aftersales.accounts.models import User

from .charts import Series, series_chart
from .figures import READERS, compute, load
from .loaner_uses import LoanerUses
from .periods import LAST_YEAR, PeriodKind, Window, period_window
from .queries import KPIS, Kpi, Result, Scope
from .stages import HEADLINE_KEYS, STAGES, stage_of
from .targets import Status, Target, targets_for


@dataclass(frozen=True)
class Tile:
    kpi: Kpi
    result: Result
    window: Window
    people: dict
    history: tuple[tuple[str, Decimal | None], ...] = ()  # the 13-month trend, oldest first

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
        return series_chart(
            list(self.history) or [(bucket.short_label, self.result.values.get(bucket.index)) for bucket in self.window.buckets]
        )

    @cached_property
    def ranking(self) -> list[tuple[str, Decimal | None]]:
        """The advisors' or technicians' figures of the period, best first (those without a figure last)."""
        known = sorted(
            ((self.people.get(person, "?"), value) for person, value in self.result.by_person if value is not None),
            key=lambda row: (-row[1] if self.kpi.higher_is_better else row[1], row[0]),
        )
        return known + sorted((self.people.get(person, "?"), None) for person, value in self.result.by_person if value is None)

    @cached_property
    def median(self) -> Decimal | None:
        """The median of the people's figures of the period (the group's middle, not the site's figure)."""
        values = [value for _name, value in self.ranking if value is not None]
        return statistics.median(values) if values else None


@dataclass(frozen=True)
class HeadlineFigure:
    tile: Tile
    target: Target

    @property
    def status(self) -> str:
        return self.target.status(self.tile.current)

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])


@dataclass
class Stage:
    key: str
    label: object
    tiles: list[Tile] = field(default_factory=list)


@dataclass(frozen=True)
class Overview:
    """The dashboard as a manager reads it: the headline figures against their targets, then the rest by stage."""

    headline: list[HeadlineFigure]
    stages: list[Stage]


def _names(ids: set[int]) -> dict[int, str]:
    return {user.pk: user.get_full_name() or user.get_username() for user in User.objects.filter(pk__in=ids)}


def _trend_window(window: Window) -> Window:
    """The 13 months up to the period's: a month's own window, else the months around the period's start."""
    return window if window.kind == PeriodKind.MONTH else period_window(PeriodKind.MONTH, window.current.start)


def dashboard(*, scope: Scope, window: Window, kpis: tuple[Kpi, ...] = KPIS, now=None) -> list[Tile]:
    """Every KPI for the scope and window: the figures' few queries (again over 13 months for the trend of a period
    other than a month), plus one for the people's names."""
    now = now or timezone.now()
    figures = load(scope, window, now)
    results = [(kpi, compute(kpi, figures)) for kpi in kpis]
    trend = _trend_window(window)
    if trend is window:
        trend_values = [result.values for _kpi, result in results]
    else:
        trend_figures = load(scope, trend, now)
        trend_values = [READERS[kpi.kind](kpi, trend_figures).values for kpi in kpis]
    people = {person for _kpi, result in results for person, _value in result.by_person}
    names = _names(people) if people else {}
    labels = [(bucket.index, bucket.short_label) for bucket in trend.buckets]
    return [
        Tile(kpi, result, window, names, tuple((label, values.get(index)) for index, label in labels))
        for (kpi, result), values in zip(results, trend_values, strict=True)
    ]


def overview(tiles: list[Tile], scope: Scope, targets: dict[str, Target] | None = None) -> Overview:
    """The tiles as the dashboard shows them: the headline figures with their targets (one query unless given), the
    rest by stage."""
    by_key = {tile.kpi.key: tile for tile in tiles}
    targets = targets_for(scope.site_ids) if targets is None else targets
    headline = [HeadlineFigure(by_key[key], targets[key]) for key in HEADLINE_KEYS if key in by_key]
    stages = {key: Stage(key, label) for key, label in STAGES}
    for tile in tiles:
        if tile.kpi.key not in HEADLINE_KEYS:
            stages[stage_of(tile.kpi.key)].tiles.append(tile)
    return Overview(headline, [stage for stage in stages.values() if stage.tiles])


def kpi_records(*, kpi: Kpi, scope: Scope, window: Window) -> QuerySet | LoanerUses:
    """The records behind the figure of the current period, newest first."""
    records = kpi.drill_records(scope, window.current)
    return records if kpi.listing is not None else records.order_by(f"-{kpi.date_field}", "-pk")
