from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.urls import reverse

from appointments.selectors import free_loaners, get_appointment_for_user, list_advisors, list_appointments, list_arrivals
from appointments.services import cancel_appointment

from .factories import LoanerFactory, VehicleFactory

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=PARIS)


def test_day_list_costs_the_same_queries_for_one_or_many_appointments(booking, site, customer, django_assert_num_queries):
    booking(at("2026-03-03", "09:00"))
    with django_assert_num_queries(3):
        assert [a.customer.last_name for a in list_appointments(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 3))]
    for clock in ("09:15", "13:30", "14:00", "15:30"):
        booking(at("2026-03-03", clock), vehicle=VehicleFactory(owner=customer))
    with django_assert_num_queries(3):
        rows = list(list_appointments(site=site, first_day=date(2026, 3, 3), last_day=date(2026, 3, 3)))
        assert [(a.advisor.username, len(a.jobs.all()), len(a.mobility.all())) for a in rows]
    assert len(rows) == 5


def test_arrivals_leave_out_cancelled_visits(booking, crc_agent, site, customer):
    kept = booking(at("2026-03-03", "09:00"))
    gone = booking(at("2026-03-03", "11:00"), vehicle=VehicleFactory(owner=customer))
    cancel_appointment(appointment=gone, actor=crc_agent, reason="Not needed")
    assert list(list_arrivals(site=site, day=date(2026, 3, 3))) == [kept]


def test_an_appointment_of_another_site_is_not_found(booking, other_site_advisor, crc_agent):
    appointment = booking(at("2026-03-03", "09:00"))
    assert get_appointment_for_user(user=crc_agent, pk=appointment.pk) == appointment
    with pytest.raises(Http404):
        get_appointment_for_user(user=other_site_advisor, pk=appointment.pk)


def test_free_loaners_leave_out_those_out_during_the_period(booking, site):
    taken, free = LoanerFactory(site=site, category="a"), LoanerFactory(site=site, category="b")
    LoanerFactory(site=site, active=False)
    appointment = booking(at("2026-03-03", "09:00"), loaner=taken)
    assert list(free_loaners(site=site, starts_at=appointment.starts_at, ends_at=appointment.handover_at)) == [free]
    later = appointment.handover_at + timedelta(hours=1)
    assert set(free_loaners(site=site, starts_at=later, ends_at=later + timedelta(hours=2))) == {taken, free}


def test_advisors_are_the_site_service_advisors(site, diary_advisor, advisor, crc_agent, other_site_advisor):
    assert set(list_advisors(site=site)) == {diary_advisor, advisor}


def test_appointments_are_read_only_in_the_admin(booking, admin_client):
    appointment = booking(at("2026-03-03", "09:00"))
    assert admin_client.get(reverse("admin:appointments_appointment_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:appointments_appointment_change", args=[appointment.pk])).status_code == 200
    assert admin_client.get(reverse("admin:appointments_appointment_add")).status_code == 403
