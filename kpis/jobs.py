"""Timed jobs that rebuild the KPIs' daily figures from the records (see ``rollup``)."""

from datetime import UTC, date, datetime, timedelta

from aftersales.accounts.models import Site
from aftersales.jobs.registry import register_job

from .models import FigureRefresh
from .rollup import first_record_day, rebuild

AHEAD = timedelta(days=92)  # appointments already booked for the coming weeks count on their day
RECENT = timedelta(days=45)  # records still change that long after their day: comebacks (30 days), callbacks (7 days)...


def _today(now: datetime) -> date:
    return now.astimezone(UTC).date()


def _rebuild_history(sites, now: datetime) -> int:
    """Every day since each site's first record."""
    made = 0
    for site in sites:
        first = first_record_day([site])
        if first is not None:
            made += rebuild(sites=[site], start=first, end=_today(now) + AHEAD, now=now)
    return made


@register_job("kpi_figures_today")
def run_kpi_figures_today(*, now: datetime) -> int:
    """Yesterday, today (in every time zone) and the days ahead, but the retention snapshots (nightly); the whole
    history of a site never aggregated yet."""
    today = _today(now)
    made = _rebuild_history(Site.objects.exclude(pk__in=FigureRefresh.objects.values("site_id")), now)
    return made + rebuild(sites=Site.objects.all(), start=today - timedelta(days=2), end=today + AHEAD, now=now, snapshots=False)


@register_job("kpi_figures_recent")
def run_kpi_figures_recent(*, now: datetime) -> int:
    today = _today(now)
    return rebuild(sites=Site.objects.all(), start=today - RECENT, end=today + AHEAD, now=now)


@register_job("kpi_figures_all")
def run_kpi_figures_all(*, now: datetime) -> int:
    """Picks up late changes to old records."""
    return _rebuild_history(Site.objects.all(), now)
