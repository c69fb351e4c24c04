"""Timed jobs that rebuild the KPIs' daily figures from the records (see ``rollup``)."""

from datetime import UTC, date, datetime, timedelta

from aftersales.accounts.models import Site
from aftersales.jobs.registry import register_job

from .models import FigureRefresh, HistoryRebuild
from .rollup import continue_history_rebuilds, rebuild, start_history_rebuilds

AHEAD = timedelta(days=92)  # appointments already booked for the coming weeks count on their day
RECENT = timedelta(days=45)  # records still change that long after their day: comebacks (30 days), callbacks (7 days)...


def _today(now: datetime) -> date:
    return now.astimezone(UTC).date()


@register_job("kpi_figures_today")
def run_kpi_figures_today(*, now: datetime) -> int:
    """Yesterday, today (in every time zone) and the days ahead, but the retention snapshots (nightly); then the whole
    history of a site never aggregated yet, and any whole-history rebuild under way (a few months per chunk)."""
    today = _today(now)
    start_history_rebuilds(sites=Site.objects.exclude(pk__in=FigureRefresh.objects.values("site_id")), end=today + AHEAD, now=now)
    made = rebuild(sites=Site.objects.all(), start=today - timedelta(days=2), end=today + AHEAD, now=now, snapshots=False)
    return made + continue_history_rebuilds(now=now)


@register_job("kpi_figures_recent")
def run_kpi_figures_recent(*, now: datetime) -> int:
    today = _today(now)
    return rebuild(sites=Site.objects.all(), start=today - RECENT, end=today + AHEAD, now=now)


@register_job("kpi_figures_all")
def run_kpi_figures_all(*, now: datetime) -> int:
    """Picks up late changes to old records: every site's whole history, a few months per chunk; a run stopped
    part-way (queued again by ``run_timed_job``) goes on with the rebuild under way rather than starting another."""
    if not HistoryRebuild.objects.exists():
        start_history_rebuilds(sites=Site.objects.all(), end=_today(now) + AHEAD, now=now)
    return continue_history_rebuilds(now=now)
