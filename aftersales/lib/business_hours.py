"""When a site may contact its customers: quiet hours and closed days.

Nothing non-urgent goes out between 20:00 and 08:00 in the site's time zone,
nor on a day the site is closed (``Site.is_closed_on``: public holidays, extra
closures, weekdays without opening hours). ``next_allowed_send_time`` moves a
moment forward to the first one allowed.
"""

from datetime import datetime, time, timedelta

QUIET_STARTS = time(20, 0)
QUIET_ENDS = time(8, 0)
MAX_DAYS_AHEAD = 60


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
