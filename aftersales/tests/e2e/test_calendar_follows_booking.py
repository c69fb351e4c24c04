"""The customer's calendar follows the booking: the advisor moves it, the customer cancels it on their page, and the
calendar files of the three e-mails are one event that two independent parsers read alike, in Paris and in Moscow."""

from datetime import time
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest
import vobject
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.accounts.tests.factories import SiteFactory
from aftersales.customers.models import Channel
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging import gateways
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from appointments import slots
from appointments.forms import encode_slot
from appointments.models import Appointment
from appointments.services import book_appointment, customer_link
from appointments.tests.factories import LabourOperationFactory, make_advisor, make_technician

ZONES = {
    "Europe/Paris": dict(name="Audi Lyon", city="Lyon", country="FR", language="fr", currency="EUR"),
    "Europe/Moscow": dict(name="Audi Москва", city="Москва", country="RU", language="ru", currency="RUB"),
}
NOTICES = ["booking_confirmation", "booking_rescheduled", "booking_cancelled"]


@pytest.fixture(params=list(ZONES))
def site(request, db):
    return SiteFactory(time_zone=request.param, email="service@example.test", **ZONES[request.param])


@pytest.fixture
def booked(site, crc_agent):
    """A phone booking on the first free weekday morning from tomorrow, and a free afternoon on a later weekday to move it to."""
    seed_default_templates(MessageTemplate)
    diary = make_advisor(
        site, username="calendar-advisor", weekdays=range(5), starts=time(8), ends=time(18), break_starts=None, break_ends=None
    )
    for _ in range(2):
        make_technician(site)
    customer = CustomerFactory(site=site, preferred_channel=Channel.EMAIL, email="client@example.test", language=site.language)
    vehicle = VehicleFactory(owner=customer, plate="EF-482-KL", make="Audi", model="Q3")
    now = timezone.now()
    grid = slots.week_grid(site=site, week_start=timezone.localdate(now, site.tz), now=now)
    free = [
        cell.starts_at
        for day, advisors in grid.items()
        if day.weekday() < 5 and day > timezone.localdate(now, site.tz)
        for cell in advisors[diary.pk]
        if cell.state == "free"
    ]
    mornings = [moment for moment in free if timezone.localtime(moment, site.tz).hour == 9]
    start = mornings[0]
    target = next(
        moment
        for moment in free
        if timezone.localdate(moment, site.tz) > timezone.localdate(start, site.tz) and timezone.localtime(moment, site.tz).hour == 14
    )
    operation = LabourOperationFactory(code="SERVICE-A", description="Annual service", flat_rate_hours=Decimal("1.50"))
    appointment = book_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=diary,
        starts_at=start,
        jobs=[slots.JobRequest.of(operation)],
        channel="phone_in",
        booked_by=crc_agent,
    )
    return appointment, target


def read(content: str) -> list[dict]:
    """The event as icalendar and as vobject read it."""
    calendar = icalendar.Calendar.from_ical(content)
    event = calendar.walk("VEVENT")[0]
    other = vobject.readOne(content)
    return [
        {
            "method": str(calendar["METHOD"]),
            "uid": str(event["UID"]),
            "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]),
            "start": event["DTSTART"].dt,
        },
        {
            "method": other.method.value,
            "uid": other.vevent.uid.value,
            "sequence": int(other.vevent.sequence.value),
            "status": other.vevent.status.value,
            "start": other.vevent.dtstart.value,
        },
    ]


def test_a_move_and_a_cancellation_are_one_event_that_moves_and_is_cancelled(page, live_server, login, advisor, site, booked):
    appointment, target = booked

    login(page, live_server, advisor)
    page.goto(live_server.url + reverse("appointments:detail", args=[appointment.pk]))
    page.locator(f"label[for='move-{encode_slot(appointment.advisor_id, target)}']").click()
    page.get_by_label("Why is it moved?").fill("The customer is away that day")
    page.get_by_role("button", name="Move the appointment").click()
    expect(page.get_by_role("alert").first).to_contain_text("Appointment moved")
    moved = Appointment.objects.get(rescheduled_from=appointment)

    page.context.clear_cookies()
    page.goto(customer_link(moved).replace("http://127.0.0.1:8000", live_server.url) + "?lang=en")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar").click()
    downloaded = read(Path(download.value.path()).read_text(encoding="utf-8"))
    page.get_by_text("Cancel my appointment").click()
    page.get_by_label("Why do you cancel?").fill("I sold the car")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_role("alert").first).to_contain_text("Your appointment is cancelled")

    for message in sorted(OutboxMessage.objects.filter(template_key__in=NOTICES), key=lambda m: NOTICES.index(m.template_key)):
        gateways.send(message)  # what the outbox hands to the mail server
    files = [(mimetype, content) for sent in mail.outbox for name, content, mimetype in sent.attachments if name == "appointment.ics"]
    assert [mimetype for mimetype, _content in files] == ["text/calendar; method=REQUEST"] * 2 + ["text/calendar; method=CANCEL"]
    starts = [appointment.starts_at, target, target]
    for (_mimetype, content), sequence, method, status, start in zip(
        files, [0, 1, 2], ["REQUEST", "REQUEST", "CANCEL"], ["CONFIRMED", "CONFIRMED", "CANCELLED"], starts, strict=True
    ):
        for event in read(content):
            assert (event["uid"], event["sequence"], event["method"], event["status"]) == (
                appointment.calendar_uid,
                sequence,
                method,
                status,
            )
            local = timezone.localtime(start, site.tz)
            assert event["start"] == start and event["start"].utcoffset() == local.utcoffset()
            assert event["start"].replace(tzinfo=None) == local.replace(tzinfo=None)  # the site's wall-clock time
    for event in downloaded:
        assert (event["uid"], event["sequence"], event["method"], event["start"]) == (appointment.calendar_uid, 1, "PUBLISH", target)
