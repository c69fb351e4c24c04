"""iCalendar (RFC 5545, RFC 5546) invitations for appointments, built with ``icalendar``.

``build_event(...)`` gives the bytes of a VCALENDAR with one VEVENT whose
start and end carry the site's TZID, plus the matching VTIMEZONE. A booking
is one event for its whole life: the same ``uid`` in every file, a
``sequence`` raised at each change, ``REQUEST`` while it stands and
``CANCEL`` once it is cancelled (``PUBLISH`` for a file the customer
downloads).

The VTIMEZONE holds only the zone's rules from a year before the event to a
year after it. A zone's whole history (Moscow's +04:00 of 2011-2014, its
earlier summer times) is read differently by different parsers; the rules
around the event are read the same by all.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//After-sales//Appointments//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
RULES_AROUND_EVENT = timedelta(days=366)


@dataclass(frozen=True)
class Party:
    """The organiser or an attendee of an event: a name and an e-mail address."""

    name: str
    email: str

    def address(self, **params: str) -> vCalAddress:
        address = vCalAddress(f"mailto:{self.email}")
        address.params["CN"] = vText(self.name)
        address.params.update(params)
        return address


def content_type(method: str) -> str:
    """The MIME type of a calendar file sent with ``method`` (mail clients read the method from it)."""
    return f"text/calendar; method={method}"


def build_event(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    description: str = "",
    time_zone: ZoneInfo,
    sequence: int = 0,
    method: str = "PUBLISH",
    organizer: Party | None = None,
    attendee: Party | None = None,
) -> bytes:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be aware datetimes")
    if end <= start:
        raise ValueError("end must be after start")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start.astimezone(time_zone))
    event.add("dtend", end.astimezone(time_zone))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("summary", summary)
    event.add("location", location)
    if description:
        event.add("description", description)
    if organizer is not None:
        event.add("organizer", organizer.address())
    if attendee is not None and method != "PUBLISH":  # RFC 5546: a published event names no attendee
        event.add("attendee", attendee.address(ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", RSVP="FALSE"))
    calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=start.astimezone(time_zone).date() - RULES_AROUND_EVENT,
        last_date=end.astimezone(time_zone).date() + RULES_AROUND_EVENT,
    )
    return calendar.to_ical()
