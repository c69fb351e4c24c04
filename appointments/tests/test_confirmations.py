"""The customer confirms: the 24 h job, the signed link page, a yes by SMS."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from aftersales.jobs.registry import run_job
from aftersales.lib.signing import make_token
from aftersales.messaging.models import OutboxMessage
from aftersales.messaging.services import receive_sms
from appointments.models import Appointment
from appointments.services import customer_link, reschedule_appointment

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
pytestmark = pytest.mark.django_db


def at(day: str, clock: str, tz=PARIS) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=tz)


def reminders():
    return OutboxMessage.objects.filter(template_key="booking_reminder_24h")


def token_of(appointment) -> str:
    return customer_link(appointment).rstrip("/").rsplit("/", 1)[-1]


# --- The 24 h job -------------------------------------------------------------


def test_the_job_run_twice_sends_each_reminder_once_with_the_link(booking, clock):
    tomorrow = booking(at("2026-03-03", "09:00"))
    booking(at("2026-03-04", "09:00"))  # the day after: not yet

    first = run_job("booking_reminders", now=at("2026-03-02", "10:00"))
    second = run_job("booking_reminders", now=at("2026-03-02", "11:00"))

    assert (first, second) == (1, 0)
    message = reminders().get()
    assert message.about_id == str(tomorrow.pk)
    assert "/appointments/b/" in message.body


def test_the_next_day_is_the_sites_not_utcs(booking, clock):
    """23:30 UTC on the 2nd is already the 3rd in Lyon: the 4th is tomorrow there, the 3rd is today."""
    booking(at("2026-03-03", "15:00"))
    on_the_4th = booking(at("2026-03-04", "09:00"))

    sent = run_job("booking_reminders", now=at("2026-03-02", "23:30", UTC))

    assert sent == 1 and reminders().get().about_id == str(on_the_4th.pk)


def test_a_day_after_the_spring_clock_change_is_found(booking, clock):
    """Sunday 29 March 2026 the clocks go forward: Monday's 08:00 is reminded from Sunday."""
    clock.move_to(at("2026-03-27", "12:00"))
    monday = booking(at("2026-03-30", "08:00"))

    assert run_job("booking_reminders", now=at("2026-03-29", "00:30")) == 1
    assert reminders().get().about_id == str(monday.pk)


def test_a_moved_appointment_gets_its_own_reminder_and_confirmed_ones_none(booking, diary_advisor, crc_agent, clock):
    appointment = booking(at("2026-03-03", "09:00"))
    run_job("booking_reminders", now=at("2026-03-02", "10:00"))
    moved = reschedule_appointment(appointment=appointment, starts_at=at("2026-03-03", "14:00"), actor=crc_agent)
    confirmed = booking(at("2026-03-03", "10:00"))
    Appointment.objects.filter(pk=confirmed.pk).update(status="confirmed")

    assert run_job("booking_reminders", now=at("2026-03-02", "11:00")) == 1

    assert sorted(reminders().values_list("about_id", flat=True)) == sorted([str(appointment.pk), str(moved.pk)])


# --- The signed link page -------------------------------------------------------


def test_the_link_page_confirms_the_appointment(client, booking, clock):
    appointment = booking(at("2026-03-03", "09:00"))
    url = reverse("appointments:public", args=[token_of(appointment)])

    page = client.get(url)
    response = client.post(url, {"action": "confirm"})

    assert page.status_code == 200 and page["Content-Language"] == "fr"
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.confirmation_status, appointment.confirmed_via) == ("confirmed", "confirmed", "link")
    assert 'id="public-status"' in client.get(url).text


def test_the_link_page_offers_the_calendar_file(client, booking, clock):
    appointment = booking(at("2026-03-03", "09:00"))

    response = client.get(reverse("appointments:public_ics", args=[token_of(appointment)]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content and b"TZID=Europe/Paris" in response.content


@pytest.mark.parametrize("name", ["appointments:public", "appointments:public_ics"])
def test_a_tampered_link_shows_a_friendly_page(client, booking, clock, name):
    appointment = booking(at("2026-03-03", "09:00"))
    token = token_of(appointment)

    other_purpose, unknown = make_token(purpose="survey", pk=appointment.pk), make_token(purpose="appointment", pk=10**9)
    for bad in (token[:-2] + "xx", "nonsense", other_purpose, unknown):
        response = client.get(reverse(name, args=[bad]))
        assert response.status_code == 400
        assert 'id="link-error"' in response.text and "Traceback" not in response.text


def test_a_link_expires_after_the_day_following_the_appointment(client, booking, clock):
    appointment = booking(at("2026-03-03", "09:00"))
    url = reverse("appointments:public", args=[token_of(appointment)])

    clock.move_to(at("2026-03-04", "23:00"))
    assert client.get(url).status_code == 200
    clock.move_to(at("2026-03-05", "08:00"))
    response = client.get(url)

    assert response.status_code == 400 and "expired" in response.text
    assert client.post(url, {"action": "confirm"}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.confirmation_status == "pending"


# --- A yes by SMS ---------------------------------------------------------------------


@pytest.mark.parametrize("word", ["YES", "oui", "Да", "是", "1"])
def test_a_yes_reply_confirms_the_next_appointment(booking, customer, clock, word):
    appointment = booking(at("2026-03-03", "09:00"))

    inbound = receive_sms(provider_id=f"SM-yes-{word}", from_number=customer.mobile, to_number="", body=word)

    appointment.refresh_from_db()
    assert (appointment.confirmation_status, appointment.confirmed_via) == ("confirmed", "sms_reply")
    assert inbound.handled_at is not None


def test_another_reply_waits_in_the_inbox(booking, customer, clock):
    appointment = booking(at("2026-03-03", "09:00"))

    inbound = receive_sms(provider_id="SM-other", from_number=customer.mobile, to_number="", body="Can I come at 10?")

    appointment.refresh_from_db()
    assert appointment.confirmation_status == "pending" and inbound.handled_at is None
