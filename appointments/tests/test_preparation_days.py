"""The preparation list covers the site's next working days: Monday on a Friday, the day after a public holiday,
Saturday where the site opens on Saturdays; a closed day keeps the bookings made for it before it was closed."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from aftersales.accounts.models import OpeningHours, SiteClosure
from appointments.preparation import preparation_days

from .factories import make_advisor, make_technician

PARIS = ZoneInfo("Europe/Paris")
FRIDAY = datetime(2026, 3, 6, 7, 0, tzinfo=PARIS)
SATURDAY = OpeningHours.Weekday.SATURDAY
pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """The moment the test runs at (a test parametrizes ``now`` for another day); rows are written just before."""
    return FRIDAY


@pytest.fixture
def suite_start(now):
    return now - timedelta(minutes=30)


@pytest.fixture
def clock(now):
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def diary_advisor(site):
    """Works Monday to Saturday: on a Saturday the site's opening hours (8:00-12:00) bound the diary."""
    return make_advisor(site, username="diary-advisor", first_name="Marc", weekdays=range(6))


@pytest.fixture
def technicians(site):
    return [make_technician(site, weekdays=range(6)), make_technician(site, weekdays=range(6))]


@pytest.fixture
def closed_on_saturdays(site):
    site.opening_hours.filter(weekday=SATURDAY).delete()
    return site


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=PARIS)


def day_ids(client, user) -> list[str]:
    client.force_login(user)
    page = client.get(reverse("appointments:preparation"))
    return [day.isoformat() for day, _closed, _items in page.context["days"]]


def test_on_a_friday_the_list_prepares_monday_and_tuesday(client, advisor, closed_on_saturdays, booking):
    monday, tuesday, wednesday = booking(at("2026-03-09")), booking(at("2026-03-10")), booking(at("2026-03-11"))
    client.force_login(advisor)

    page = client.get(reverse("appointments:preparation"))

    assert [day.isoformat() for day, _closed, _items in page.context["days"]] == ["2026-03-09", "2026-03-10"]
    assert f'id="appointment-{monday.pk}"' in page.text and f'id="appointment-{tuesday.pk}"' in page.text
    assert f'id="appointment-{wednesday.pk}"' not in page.text
    assert 'id="day-2026-03-07"' not in page.text and 'id="day-2026-03-08"' not in page.text


def test_on_a_friday_a_site_open_on_saturday_prepares_saturday_then_monday(client, advisor, booking):
    saturday, monday = booking(at("2026-03-07", "10:00")), booking(at("2026-03-09"))

    assert day_ids(client, advisor) == ["2026-03-07", "2026-03-09"]
    page = client.get(reverse("appointments:preparation"))
    assert f'id="appointment-{saturday.pk}"' in page.text and f'id="appointment-{monday.pk}"' in page.text


@pytest.mark.parametrize("now", [datetime(2026, 11, 10, 7, 0, tzinfo=PARIS)])
def test_the_day_before_a_public_holiday_the_list_prepares_the_days_after_it(client, advisor, closed_on_saturdays, booking):
    thursday = booking(at("2026-11-12"))

    assert day_ids(client, advisor) == ["2026-11-12", "2026-11-13"]  # Wednesday 11 November, Armistice Day, is skipped
    page = client.get(reverse("appointments:preparation"))
    assert f'id="appointment-{thursday.pk}"' in page.text and "prep-closed" not in page.text


@pytest.mark.parametrize(
    ("saturday_open", "expected"),
    [(False, [date(2026, 12, 28), date(2026, 12, 29)]), (True, [date(2026, 12, 26), date(2026, 12, 28)])],
)
def test_on_christmas_eve_the_list_skips_christmas_day(site, saturday_open, expected):
    if not saturday_open:
        site.opening_hours.filter(weekday=SATURDAY).delete()

    days = preparation_days(site=site, today=date(2026, 12, 24))

    assert list(days.working) == expected
    assert date(2026, 12, 25) in days.closed


def test_an_extra_closure_is_skipped_like_a_holiday(site):
    SiteClosure.objects.create(site=site, day=date(2026, 3, 9), reason="Inventory")

    days = preparation_days(site=site, today=date(2026, 3, 8))

    assert list(days.working) == [date(2026, 3, 10), date(2026, 3, 11)]
    assert "Inventory" in str(days.closed[date(2026, 3, 9)])


def test_a_closure_entered_after_the_booking_keeps_the_booking_on_the_list_with_a_warning(client, advisor, closed_on_saturdays, booking):
    monday = booking(at("2026-03-09"))
    SiteClosure.objects.create(site=closed_on_saturdays, day=date(2026, 3, 9), reason="Inventory")
    client.force_login(advisor)

    page = client.get(reverse("appointments:preparation"))

    assert [day.isoformat() for day, _closed, _items in page.context["days"]] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert f'id="appointment-{monday.pk}"' in page.text
    assert page.text.count("prep-closed") == 1 and "Inventory" in page.text


def test_a_site_without_opening_hours_lists_nothing_and_says_so(client, advisor, site):
    site.opening_hours.all().delete()
    client.force_login(advisor)

    page = client.get(reverse("appointments:preparation"))

    assert page.status_code == 200 and page.context["days"] == []
    assert "no opening hours" in page.text


def test_the_calendar_is_read_once_whatever_the_number_of_days(site, django_assert_num_queries):
    SiteClosure.objects.create(site=site, day=date(2026, 3, 9), reason="Inventory")
    site.opening_hours.filter(weekday=SATURDAY).delete()

    with django_assert_num_queries(2):  # the opening weekdays, the closures (the holidays are computed)
        days = preparation_days(site=site, today=date(2026, 3, 6), count=10)

    assert len(days.working) == 10


def test_the_list_over_a_weekend_runs_a_fixed_number_of_queries(
    client, advisor, closed_on_saturdays, booking, service_operation, django_assert_max_num_queries
):
    from appointments.slots import JobRequest

    client.force_login(advisor)
    booking(at("2026-03-09"), jobs=[JobRequest.of(service_operation)])
    client.get(reverse("appointments:preparation"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("appointments:preparation"))
    for day, moment in (("2026-03-09", "10:00"), ("2026-03-10", "09:00"), ("2026-03-10", "14:00")):
        booking(at(day, moment), jobs=[JobRequest.of(service_operation)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("appointments:preparation"))
