"""Every KPI computed on the hand-built March 2026 (dataset.py), with the expected figure worked out here."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.periods import PeriodKind, period_window
from kpis.queries import BY_KEY, KPIS, Scope
from kpis.selectors import dashboard, kpi_records

from .dataset import PARIS, at, build_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(site, other_site):
    with timezone.override(PARIS):
        yield build_month(site, other_site)


@pytest.fixture
def march():
    with timezone.override(PARIS):
        yield period_window(PeriodKind.MONTH, date(2026, 3, 15))


def figures(site, window, **scope) -> dict:
    tiles = dashboard(scope=Scope((site.pk,), **scope), window=window, now=at(31, 23))
    return {tile.kpi.key: tile for tile in tiles}


def d(value: str) -> Decimal:
    return Decimal(value)


def test_every_kpi_of_the_month_matches_the_figures_worked_out_by_hand(site, month, march):
    tiles = figures(site, march)
    expected = {
        "appointment_rate": d("66.7"),  # wo1 and wo3 booked, wo2 walk-in; wo4 cancelled is no visit
        "online_booking_rate": d("25.0"),  # 1 online (ap3) of 4 bookings
        "booking_lead_time": d("13.5"),  # leads 4, 18, 9, 21 days: median (9 + 18) / 2
        "confirmation_30_min": d("50.0"),  # ap1 (10 min) and ap6 (5 min) of 4; ap3 after 1 h; ap5 none
        "confirmations_24h": d("1"),  # one booking_reminder_24h delivered
        "no_show_rate": d("33.3"),  # ap5 of ap1, ap3, ap5 (ap6 cancelled)
        "reminder_contacts": d("2.0"),  # 2 reminders in 31 days: 2 × 30.4375 / 31 = 1.96
        "reminder_conversion": d("50.0"),  # r1 booked (ap1's origin record), r2 not
        "vehicle_life_contacts": d("3.9"),  # 4 messages sent or delivered (the failed one not): 4 × 30.4375 / 31
        "retention_rate": d("50.0"),  # c1 and c3 came in 2024-25, only c1 since
        "fix_it_right": d("66.7"),  # wo1 has a comeback (wo3: same vehicle, oil service, 15 days later)
        "productivity": d("53.3"),  # 4 h clocked / 7.5 h attended
        "efficiency": d("125.0"),  # 5 h sold / 4 h clocked
        "proficiency": d("66.7"),  # 5 h sold / 7.5 h attended
        "unapplied_time": d("3.5"),  # 7.5 - 4
        "show_rate": d("66.7"),  # ap1 and ap3 became work orders, ap5 did not
        "rework_rate": d("33.3"),  # 1 failed of 3 checks
        "invoice_variance": d("11.1"),  # (300 - 250) / (250 + 160 + 40)
        "hours_sold_per_visit": d("2.50"),  # (3 + 2) h / 2 work orders invoiced
        "effective_labour_rate": d("92.00"),  # (300 + 160) / 5 h
        "inspection_funnel": d("50.0"),  # 2 requests sent, 1 viewed
        "deferred_revived": d("1"),  # the declined brake pads sold on wo3
        "attribution": d("50.0"),  # ap1 (reminder) and ap5 (campaign) of 4 bookings
        "cycle_time": d("5.0"),  # (7 h + 3 h) / 2 from opening to ready
        "loaner_utilisation": d("3.2"),  # 24 h of 1 active loaner × 31 days × 24 h
        "callback_7_days": d("100.0"),  # the 3 cars handed back, each customer answered the callback on day 7
        "csat": d("66.7"),  # scores 5 and 4 of 5, 2 not
        "nps": d("33.3"),  # promoters 10 and 9, detractor 3: (2 - 1) / 3
        "complaints_24h": d("50.0"),  # answered in 10 h, and in 48 h
        "web_requests_2h": d("50.0"),  # answered before its due time, and never
        "revenue_per_visit": d("225.00"),  # (300 + 200 - 50 credit note) / 2 work orders
    }
    assert {key: tiles[key].current for key in expected} == expected
    assert [key for key, tile in tiles.items() if tile.result is None] == []
    assert set(tiles) == {kpi.key for kpi in KPIS}


def test_the_tables_under_the_figures(site, month, march):
    tiles = figures(site, march)

    assert [(str(step), value) for step, value in tiles["inspection_funnel"].result.table] == [
        ("Inspections sent", 2),
        ("Viewed by the customer", 1),
        ("Lines approved", 1),
        ("Value approved, before VAT", d("120")),
    ]
    assert [(str(payer), hours, sales, rate) for payer, hours, sales, rate in tiles["effective_labour_rate"].result.table] == [
        ("Customer", d("3"), d("300"), d("100.00")),
        ("Warranty", d("2"), d("160"), d("80.00")),
    ]
    origins = {str(origin): rest for origin, *rest in tiles["attribution"].result.table}
    assert origins["Reminder"] == [1, 1, d("300")]
    assert origins["Campaign"] == [1, 0, d("0")]
    assert [(str(step), count, hours) for step, count, hours in tiles["cycle_time"].result.table] == [
        ("Checked in", 1, d("1.0")),
        ("In the workshop", 2, d("4.5")),
    ]


def test_figures_per_advisor_and_for_one_advisor(site, month, march):
    tiles = figures(site, march)
    assert tiles["appointment_rate"].result.by_person == [
        (month.advisor_one.pk, d("50.0")),
        (month.advisor_two.pk, d("100.0")),
    ]
    assert tiles["appointment_rate"].ranking == [("Bruno Two", d("100.0")), ("Anna One", d("50.0"))]  # best first
    assert tiles["appointment_rate"].median == d("75.0")

    only_one = figures(site, march, advisor_id=month.advisor_one.pk)
    assert only_one["appointment_rate"].current == d("50.0")
    assert only_one["no_show_rate"].current == d("50.0")  # ap1 came, ap5 did not


def test_last_year_and_previous_periods_are_empty_and_the_trend_unknown(site, month, march):
    tile = figures(site, march)["no_show_rate"]
    assert tile.last_year is None and tile.previous is None and tile.trend == ""
    assert [point.value for point in tile.series.points] == [None] * 12 + [d("33.3")]


def test_another_sites_records_never_count(other_site, month, march):
    tiles = figures(other_site, march)
    assert tiles["no_show_rate"].current == d("100.0")
    assert tiles["appointment_rate"].current == d("0.0")
    assert tiles["revenue_per_visit"].current is None


def test_the_records_behind_a_figure_are_the_ones_it_counts(site, month, march):
    scope = Scope((site.pk,))
    with timezone.override(PARIS):
        assert list(kpi_records(kpi=BY_KEY["no_show_rate"], scope=scope, window=march)) == [month.appointments[5]]
        assert list(kpi_records(kpi=BY_KEY["fix_it_right"], scope=scope, window=march)) == [month.work_orders[1]]
        assert list(kpi_records(kpi=BY_KEY["show_rate"], scope=scope, window=march)) == [month.appointments[5]]


def test_a_week_and_a_custom_period_have_their_own_buckets(site, month):
    with timezone.override(PARIS):
        week = period_window(PeriodKind.WEEK, date(2026, 3, 5))
        custom = period_window(PeriodKind.CUSTOM, date(2026, 3, 1), date(2026, 3, 10))
    assert (week.current.start, week.current.end, week.last_year.start) == (date(2026, 3, 2), date(2026, 3, 9), date(2025, 3, 3))
    assert (custom.current.days, custom.previous.start, custom.last_year.start) == (10, date(2026, 2, 19), date(2025, 3, 1))
    assert figures(site, week)["no_show_rate"].current == d("0.0")  # ap1 came on the 5th; ap5 is on the 12th
    assert figures(site, week)["appointment_rate"].current == d("100.0")  # wo1 only


def test_workshop_ratios_per_technician_and_for_one_technician(site, month, march):
    tiles = figures(site, march)
    assert tiles["efficiency"].result.by_person == [(month.technician.pk, d("125.0"))]

    alone = figures(site, march, technician_id=month.technician.pk)
    assert (alone["productivity"].current, alone["unapplied_time"].current) == (d("53.3"), d("3.5"))
    assert figures(site, march, technician_id=month.advisor_one.pk)["efficiency"].current is None
