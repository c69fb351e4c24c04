"""When a site may contact its customers (quiet hours, closed days), and working-hour deadlines.

Nothing non-urgent goes out between 20:00 and 08:00 in the site's time zone,
nor on a day the site is closed (``Site.is_closed_on``: public holidays, extra
closures, weekdays without opening hours). ``next_allowed_send_time`` moves a
moment forward to the first one allowed.

A timed job going over many rows loads each site's calendar once
(``aftersales.accounts.calendars.site_calendars``) and passes the calendar where the site is expected:
it answers ``tz`` and ``is_closed_on`` without a query.
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

QUIET_STARTS = time(20, 0)
QUIET_ENDS = time(8, 0)
MAX_DAYS_AHEAD = 60


@dataclass(frozen=True)
class SiteCalendar:
    """A site's closed days, read once: public holidays, extra closures, weekdays with opening hours."""

    tz: zoneinfo.ZoneInfo
    holidays: object  # the site's ``holidays`` calendar: it adds each year on first lookup
    closures: frozenset[date]
    open_weekdays: frozenset[int]

    def is_closed_on(self, day: date) -> bool:
        return day in self.holidays or day in self.closures or day.weekday() not in self.open_weekdays


def is_quiet_time(local: datetime) -> bool:
    moment = local.time()
    return moment >= QUIET_STARTS or moment < QUIET_ENDS


def is_send_allowed(site, moment: datetime) -> bool:
    local = moment.astimezone(site.tz)
    return not is_quiet_time(local) and not site.is_closed_on(local.date())


def next_allowed_send_time(site, moment: datetime) -> datetime:
    """``moment`` itself when allowed, else 08:00 (site time) of the next open day.

    A site closed for longer than ``MAX_DAYS_AHEAD`` days (misconfigured
    opening hours) gives the first morning after the quiet hours rather than
    holding messages for ever.
    """
    local = moment.astimezone(site.tz)
    if not is_quiet_time(local) and not site.is_closed_on(local.date()):
        return moment
    day = local.date() if local.time() < QUIET_ENDS else local.date() + timedelta(days=1)
    first_morning = day
    for _offset in range(MAX_DAYS_AHEAD):
        if not site.is_closed_on(day):
            break
        day += timedelta(days=1)
    else:
        day = first_morning
    return datetime.combine(day, QUIET_ENDS, tzinfo=site.tz)


def add_working_hours(site, start: datetime, hours) -> datetime:
    """The moment ``hours`` of the site's opening time after ``start`` (a working-hours deadline).

    Only the site's opening intervals count (two intervals a day leave the
    lunch break out); public holidays, extra closures and days without
    opening hours are skipped. A start outside the opening hours counts from
    the next opening. Wall-clock times of the site's time zone.
    """
    remaining = timedelta(hours=float(hours))
    intervals = defaultdict(list)
    for weekday, opens, closes in site.opening_hours.values_list("weekday", "opens", "closes"):
        intervals[weekday].append((opens, closes))
    local = start.astimezone(site.tz)
    day = local.date()
    for _offset in range(MAX_DAYS_AHEAD):
        if intervals.get(day.weekday()) and not site.is_closed_on(day):
            for opens, closes in sorted(intervals[day.weekday()]):
                begin = max(datetime.combine(day, opens, tzinfo=site.tz), local)
                end = datetime.combine(day, closes, tzinfo=site.tz)
                if begin >= end:
                    continue
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
        day += timedelta(days=1)
    raise ValueError(f"{site} has no opening hours within {MAX_DAYS_AHEAD} days")
