"""The customer's calendar follows the booking: one event (one UID) that moves and is then cancelled, read alike by two parsers."""

import importlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.apps import apps
from django.urls import reverse

from aftersales.accounts.tests.factories import SiteFactory
from aftersales.customers.models import Channel
from aftersales.lib.ics import build_event
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxAttachment
from appointments.models import Appointment
from appointments.services import cancel_appointment, customer_link, reschedule_appointment

pytestmark = pytest.mark.django_db

ZONES = {
    "Europe/Paris": dict(city="Lyon", country="FR", language="fr", currency="EUR"),
    "Europe/Moscow": dict(city="Москва", country="RU", language="ru", currency="RUB"),
}


@pytest.fixture(params=list(ZONES))
def site(request, db):
    """The booking fixtures of this folder, at a Paris site and at a Moscow site."""
    seed_default_templates(MessageTemplate)
    return SiteFactory(name=f"Service {request.param}", time_zone=request.param, email="service@example.test", **ZONES[request.param])


@pytest.fixture
def customer(site):
    from .factories import CustomerFactory

    return CustomerFactory(site=site, preferred_channel=Channel.EMAIL, email="client@example.test", language=site.language)


def at(site, day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=site.tz)


def parsed(content: bytes) -> dict:
    """What icalendar and vobject each read in one calendar file; the test compares them."""
    event = icalendar.Calendar.from_ical(content)
    vevent = vobject.readOne(content.decode()).vevent
    ical_event = event.walk("VEVENT")[0]
    return {
        "icalendar": {
            "method": str(event["METHOD"]),
            "uid": str(ical_event["UID"]),
            "sequence": int(ical_event["SEQUENCE"]),
            "status": str(ical_event["STATUS"]),
            "start": ical_event["DTSTART"].dt,
            "organizer": str(ical_event["ORGANIZER"]),
            "attendee": str(ical_event.get("ATTENDEE", "")),
        },
        "vobject": {
            "method": vobject.readOne(content.decode()).method.value,
            "uid": vevent.uid.value,
            "sequence": int(vevent.sequence.value),
            "status": vevent.status.value,
            "start": vevent.dtstart.value,
            "organizer": vevent.organizer.value,
            "attendee": vevent.attendee.value if hasattr(vevent, "attendee") else "",
        },
    }


def calendar_files() -> list[OutboxAttachment]:
    return list(OutboxAttachment.objects.filter(filename="appointment.ics").order_by("message__created_at", "pk"))


def test_a_move_and_a_cancellation_are_one_event_read_alike_by_two_parsers(booking, site, customer, crc_agent):
    first = booking(at(site, "2026-03-03", "09:00"))
    moved = reschedule_appointment(appointment=first, starts_at=at(site, "2026-03-30", "10:00"), actor=crc_agent)
    cancel_appointment(appointment=moved, actor=crc_agent, reason="Sold the car")

    files = calendar_files()
    reads = [parsed(bytes(attachment.content)) for attachment in files]

    assert [attachment.mimetype for attachment in files] == [f"text/calendar; method={m}" for m in ("REQUEST", "REQUEST", "CANCEL")]
    starts = [at(site, "2026-03-03", "09:00"), at(site, "2026-03-30", "10:00"), at(site, "2026-03-30", "10:00")]
    for read, method, sequence, status, start in zip(
        reads, ["REQUEST", "REQUEST", "CANCEL"], [0, 1, 2], ["CONFIRMED", "CONFIRMED", "CANCELLED"], starts, strict=True
    ):
        for parser in ("icalendar", "vobject"):
            event = read[parser]
            assert (event["method"], event["sequence"], event["status"]) == (method, sequence, status), parser
            assert event["uid"] == first.calendar_uid, parser
            assert event["start"] == start and event["start"].utcoffset() == start.utcoffset(), parser
            assert event["organizer"] == "mailto:service@example.test" and event["attendee"] == "mailto:client@example.test"
    assert len({read["icalendar"]["uid"] for read in reads}) == 1
    assert moved.calendar_uid == first.calendar_uid and Appointment.objects.get(pk=moved.pk).calendar_sequence == 2


def test_the_time_zone_carries_only_the_rules_around_the_event(booking, site):
    """Moscow kept +04:00 from 2011 to 2014: a VTIMEZONE with that history made vobject read +04:00."""
    appointment = booking(at(site, "2026-03-03", "09:00"))

    content = bytes(calendar_files()[0].content).decode()

    offsets = {line for line in content.splitlines() if line.startswith("TZOFFSET")}
    expected = {"Europe/Paris": {"+0100", "+0200"}, "Europe/Moscow": {"+0300"}}[site.time_zone]
    assert {line.split(":")[1] for line in offsets} == expected
    assert appointment.starts_at.utcoffset() is not None


@pytest.mark.parametrize("zone", ["Europe/Moscow", "Europe/Paris", "Asia/Shanghai", "America/New_York"])
def test_both_parsers_read_the_same_moment_all_year_round(zone):
    tz = ZoneInfo(zone)
    for day in range(0, 365, 7):
        start = datetime.combine(date(2026, 1, 2) + timedelta(days=day), time(9), tzinfo=tz)
        content = build_event(uid="u", start=start, end=start + timedelta(minutes=30), summary="s", location="l", time_zone=tz)
        read = parsed_start(content)
        assert read[0] == read[1] == start and read[0].utcoffset() == read[1].utcoffset() == start.utcoffset(), (zone, start)


def parsed_start(content: bytes) -> tuple[datetime, datetime]:
    return icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["DTSTART"].dt, vobject.readOne(content.decode()).vevent.dtstart.value


def test_the_link_gives_the_same_event_and_a_cancel_once_cancelled(client, booking, site, crc_agent):
    appointment = reschedule_appointment(
        appointment=booking(at(site, "2026-03-03", "09:00")), starts_at=at(site, "2026-03-04", "09:00"), actor=crc_agent
    )
    url = reverse("appointments:public_ics", args=[customer_link(appointment).rstrip("/").rsplit("/", 1)[-1]])

    standing = client.get(url)
    cancel_appointment(appointment=appointment, actor=crc_agent, reason="Sold the car")
    cancelled = client.get(url)

    assert standing["Content-Type"].startswith("text/calendar; method=PUBLISH")
    for response, method, sequence in ((standing, "PUBLISH", 1), (cancelled, "CANCEL", 2)):
        for event in parsed(response.content).values():
            assert (event["method"], event["sequence"], event["uid"]) == (method, sequence, appointment.calendar_uid)
            assert event["organizer"] == "mailto:service@example.test" and event["attendee"] == ""


def test_a_booking_made_before_keeps_the_uid_its_calendar_file_carried(booking, site):
    appointment = booking(at(site, "2026-03-03", "09:00"))
    Appointment.objects.filter(pk=appointment.pk).update(calendar_uid="")

    importlib.import_module("appointments.migrations.0012_calendar_event").keep_sent_uids(apps, None)

    appointment.refresh_from_db()
    assert appointment.calendar_uid == f"appointment-{appointment.pk}@{site.code}"
