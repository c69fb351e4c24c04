"""The daily figures: rebuilt from the records by the timed jobs, read back whatever the period."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from aftersales.jobs.registry import run_job
from appointments.models import Appointment
from followup.models import SatisfactionAnswer
from kpis.figures import _median_days
from kpis.models import DailyFigure, FigureRefresh
from kpis.periods import PeriodKind, period_window
from kpis.queries import Scope
from kpis.rollup import rebuild
from kpis.selectors import dashboard

from .dataset import PARIS, appointment, at, build_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(site, other_site):
    with timezone.override(PARIS):
        yield build_month(site, other_site)


def march_figures(site, **scope) -> dict:
    with timezone.override(PARIS):
        window = period_window(PeriodKind.MONTH, date(2026, 3, 15))
        return {tile.kpi.key: tile for tile in dashboard(scope=Scope((site.pk,), **scope), window=window, now=at(31, 23))}


def stored(site) -> list[tuple]:
    return list(
        DailyFigure.objects.filter(site=site)
        .order_by("day", "kpi", "part", "person_id")
        .values_list("kpi", "part", "day", "person_id", "num", "den")
    )


def test_rebuilding_again_writes_the_same_figures(site, other_site, month):
    before = stored(site)
    assert before

    rebuild(sites=[site, other_site], start=date(2024, 1, 1), end=date(2026, 7, 1), now=at(31, 23))

    assert stored(site) == before


def test_a_record_changed_later_counts_once_its_days_are_rebuilt(site, month):
    no_show = month.appointments[5]
    Appointment.objects.filter(pk=no_show.pk).update(status=Appointment.Status.ARRIVED)
    assert march_figures(site)["no_show_rate"].current == Decimal("33.3")  # the figures of before, until the job runs

    with timezone.override(PARIS):
        run_job("kpi_figures_all", now=at(31, 23))

    assert march_figures(site)["no_show_rate"].current == Decimal("0.0")


def test_the_ten_minute_job_brings_in_todays_records(site, month):
    first = FigureRefresh.objects.get(site=site).built_at
    customer, vehicle = month.appointments[1].customer, month.appointments[1].vehicle
    appointment(
        site,
        customer,
        vehicle,
        month.advisor_two,
        created=at(19, 9),
        starts=at(20, 9),
        status=Appointment.Status.NO_SHOW,
        channel=Appointment.BookingChannel.PHONE_IN,
        origin=Appointment.Origin.INBOUND_CALL,
    )

    run_job("kpi_figures_today", now=at(20, 18))

    assert march_figures(site)["no_show_rate"].current == Decimal("50.0")  # ap5 and the new one, of 4 due
    assert FigureRefresh.objects.get(site=site).built_at > first
    assert FigureRefresh.objects.get(site=site).first_day == date(2024, 1, 1)


def test_the_timed_jobs_are_scheduled():
    scheduled = {entry["args"][0] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"kpi_figures_today", "kpi_figures_recent", "kpi_figures_all"} <= scheduled


def test_the_same_period_last_year_counts_even_where_it_overlaps_the_previous_period(site, month):
    with timezone.override(PARIS):
        year = period_window(PeriodKind.CUSTOM, date(2025, 3, 20), date(2026, 3, 19))
        tiles = {tile.kpi.key: tile for tile in dashboard(scope=Scope((site.pk,)), window=year, now=at(31, 23))}
    assert year.last_year.start == year.previous.start
    # the two visits of June 2024 (wo5 and wo6), neither booked
    assert tiles["appointment_rate"].previous == tiles["appointment_rate"].last_year == Decimal("0.0")


@pytest.mark.parametrize(
    ("bands", "median"),
    [
        ({4: 1, 9: 1, 18: 1, 21: 1}, Decimal("13.5")),
        ({4: 1, 9: 2}, Decimal("9.0")),
        ({15: 3}, Decimal("15.0")),
        ({}, None),
    ],
)
def test_the_median_of_a_histogram_of_days(bands, median):
    assert _median_days(Counter(bands)) == median


def test_the_dashboard_says_when_the_figures_were_aggregated(client, manager, site):
    client.force_login(manager)
    page = client.get(reverse("kpis:dashboard"), {"site": site.pk}).content.decode()
    assert "have not been aggregated from the records yet" in page

    rebuild(sites=[site], start=date(2026, 3, 1), end=date(2026, 4, 1), now=at(31, 23))

    assert "Figures aggregated from the records at" in client.get(reverse("kpis:dashboard"), {"site": site.pk}).content.decode()


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 2, 20), date(2026, 4, 10)),  # March from the monthly figures, the loose days from the daily ones
        (date(2026, 3, 2), date(2026, 5, 31)),  # March 2 to 31 from the daily figures, April and May from the monthly ones
    ],
)
def test_a_period_of_whole_months_and_loose_days_adds_both_up(site, month, first, last):
    with timezone.override(PARIS):
        window = period_window(PeriodKind.CUSTOM, first, last)
        tiles = {tile.kpi.key: tile for tile in dashboard(scope=Scope((site.pk,)), window=window, now=at(31, 23))}
    march = march_figures(site)
    for key in ("appointment_rate", "no_show_rate", "efficiency", "revenue_per_visit", "cycle_time", "fix_it_right"):
        assert tiles[key].current == march[key].current, key
    assert tiles["cycle_time"].result.table == march["cycle_time"].result.table


def test_an_answer_later_than_7_days_after_the_handover_is_no_7_day_callback(site, month):
    late = SatisfactionAnswer.objects.get(handover__work_order=month.work_orders[3])
    SatisfactionAnswer.objects.filter(pk=late.pk).update(answered_at=late.handover.closed_at + timedelta(days=8))
    rebuild(sites=[site], start=date(2026, 3, 1), end=date(2026, 5, 1), now=at(31, 23))

    assert march_figures(site)["callback_7_days"].current == Decimal("66.7")


def test_the_retention_of_a_period_is_the_latest_snapshot_of_its_last_week(site, month):
    DailyFigure.objects.filter(site=site, kpi="retention_rate", day__gte=date(2026, 3, 29)).delete()
    assert march_figures(site)["retention_rate"].current == Decimal("50.0")  # the snapshot of March 28

    run_job("kpi_figures_today", now=at(31, 18))  # leaves the snapshots to the nightly job

    assert not DailyFigure.objects.filter(site=site, kpi="retention_rate", day__gte=date(2026, 3, 29)).exists()
    DailyFigure.objects.filter(site=site, kpi="retention_rate", day__gte=date(2026, 3, 24)).delete()
    assert march_figures(site)["retention_rate"].current is None
