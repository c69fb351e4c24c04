"""iCalendar (RFC 5545) invitations for appointments, built with ``icalendar``.

``build_event(...)`` gives the bytes of a VCALENDAR with one VEVENT whose
start and end carry the site's TZID, plus the matching VTIMEZONE.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event

PRODUCT_ID = "-//After-sales//Appointments//EN"


def build_event(
    *, uid: str, start: datetime, end: datetime, summary: str, location: str, description: str = "", time_zone: ZoneInfo
) -> bytes:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be aware datetimes")
    if end <= start:
        raise ValueError("end must be after start")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start.astimezone(time_zone))
    event.add("dtend", end.astimezone(time_zone))
    event.add("summary", summary)
    event.add("location", location)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
