"""The booking demo: diaries, capacity, loaners, stock and appointments booked through the service, once."""

import pytest

from aftersales.accounts.demo import Report
from aftersales.accounts.models import Site
from appointments.demo import load_appointments_demo
from appointments.models import AdvisorSchedule, Appointment, BreakdownCall, Loaner, PartStock, SlotReservation, TechnicianProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]


def test_the_demo_books_each_site_a_diary_and_loading_again_adds_nothing():
    counts = {model: model.objects.count() for model in (AdvisorSchedule, TechnicianProfile, Loaner, PartStock, Appointment)}

    for site in Site.objects.all():
        booked = Appointment.objects.filter(site=site, booked_by__groups__name="crc_agent")
        assert booked.count() >= 10, site
        assert SlotReservation.objects.filter(appointment__in=booked).count() == 2 * booked.count()
    assert all(counts.values())

    again = Report()
    load_appointments_demo(again)

    assert {model: model.objects.count() for model in counts} == counts
    assert "appointments" not in again.created


def test_each_demo_site_has_a_towed_breakdown_with_its_urgent_diagnosis_appointment():
    for site in Site.objects.all():
        call = BreakdownCall.objects.get(site=site)
        assert call.towing_needed and call.assistance_partner.site == site and call.insurer, site
        assert call.appointments.get().urgent
