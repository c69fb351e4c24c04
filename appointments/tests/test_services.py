from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.models import Campaign, MobilityService
from aftersales.messaging.models import OutboxMessage
from appointments.exceptions import CapacityExceeded, InvalidBooking, LoanerUnavailable, SlotTaken, SlotUnavailable, TransitionNotAllowed
from appointments.models import Appointment, AppointmentEvent, CapacityOverride, LoanerReservation, SlotReservation
from appointments.services import (
    book_appointment,
    cancel_appointment,
    confirm_appointment,
    estimate_jobs,
    mark_arrived,
    mark_converted,
    mark_no_show,
    reschedule_appointment,
)
from appointments.slots import JobRequest

from .factories import CustomerFactory, LabourOperationFactory, LoanerFactory, MobilityServiceFactory, VehicleFactory

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=PARIS)


def nothing_saved():
    return not Appointment.objects.exists() and not SlotReservation.objects.exists() and not LoanerReservation.objects.exists()


def test_booking_records_the_visit_its_slots_and_an_event(booking, diary_advisor, crc_agent, service_operation):
    appointment = booking(
        at("2026-03-03", "09:00"),
        jobs=[JobRequest.of(service_operation)],
        checklist={"services_explained": True, "arrival_area": "express", "documents_to_bring": "Service book"},
        customer_words="Oil change and a squeak",
    )
    assert appointment.status == "booked" and appointment.confirmation_status == "pending"
    assert appointment.workshop_day == date(2026, 3, 3)
    assert appointment.origin == "inbound_call"
    assert appointment.checklist == {
        "services_explained": True,
        "mobility_offered": False,
        "prices_given": False,
        "walk_around_offered": False,
        "documents_to_bring": "Service book",
        "arrival_area": "express",
    }
    assert SlotReservation.objects.filter(appointment=appointment).count() == 2
    job = appointment.jobs.get()
    assert (job.skill, job.flat_rate_hours, job.operation) == ("mechanics", Decimal("1.50"), service_operation)
    event = AppointmentEvent.objects.get(appointment=appointment)
    assert (event.from_status, event.to_status, event.actor) == ("", "booked", crc_agent)


def test_estimate_adds_labour_parts_kits_and_vat_to_the_cent(site, service_operation):
    estimate = estimate_jobs(site=site, jobs=[JobRequest.of(service_operation)])
    assert estimate.labour_total == Decimal("147.00")  # 1.5 h × 98.00
    assert estimate.parts_total == Decimal("52.55")  # 12.50 + 4.5 × 8.90
    assert estimate.net_total == Decimal("199.55")
    assert estimate.vat_total == Decimal("39.91")  # 20 % of 199.55 = 39.91
    assert estimate.gross_total == Decimal("239.46")
    assert estimate.currency == "EUR"


def test_estimate_rounds_half_up_and_prefers_the_operation_price(site):
    site.labour_rate, site.vat_rate = Decimal("97.35"), Decimal("5.5")
    fixed = LabourOperationFactory(flat_rate_hours=Decimal("2"), price=Decimal("79.90"))
    estimate = estimate_jobs(
        site=site, jobs=[JobRequest(description="Squeak", skill="diagnosis", flat_rate_hours=Decimal("1.25")), JobRequest.of(fixed)]
    )
    assert [line.labour_price for line in estimate.lines] == [Decimal("121.69"), Decimal("79.90")]  # 121.6875 → 121.69
    assert estimate.net_total == Decimal("201.59")
    assert estimate.vat_total == Decimal("11.09")  # 11.08745
    assert estimate.flat_rate_hours == Decimal("3.25")


def test_appointment_keeps_the_estimate(booking, service_operation):
    appointment = booking(at("2026-03-03", "09:00"), jobs=[JobRequest.of(service_operation)])
    assert (appointment.net_total, appointment.vat_total, appointment.gross_total) == (
        Decimal("199.55"),
        Decimal("39.91"),
        Decimal("239.46"),
    )
    assert appointment.jobs.get().parts_price == Decimal("52.55")


def test_booking_refuses_a_time_in_the_past(booking):
    with pytest.raises(SlotUnavailable, match="past") as error:
        booking(at("2026-03-02", "06:45"))
    assert error.value.field == "starts_at"
    assert nothing_saved()


def test_booking_refuses_a_public_holiday_and_a_sunday(booking):
    with pytest.raises(SlotUnavailable, match="closed that day"):
        booking(at("2026-04-06", "09:00"))
    with pytest.raises(SlotUnavailable, match="does not receive"):
        booking(at("2026-03-08", "09:00"))
    with pytest.raises(SlotUnavailable, match="does not receive"):
        booking(at("2026-03-03", "09:05"))  # off the 15-minute grid
    assert nothing_saved()


def test_booking_refuses_a_slot_just_taken(booking, customer):
    booking(at("2026-03-03", "09:00"))
    with pytest.raises(SlotTaken, match="This slot was just taken by another booking; pick another."):
        booking(at("2026-03-03", "09:00"), vehicle=VehicleFactory(owner=customer))
    assert Appointment.objects.count() == 1


def test_booking_refuses_a_reception_slot_held_by_a_handover(booking):
    first = booking(at("2026-03-03", "09:00"))
    with pytest.raises(SlotTaken):
        booking(at("2026-03-03", "10:00"))
    assert first.handover_at == at("2026-03-03", "10:00")


def test_booking_refuses_an_advisor_of_another_site(booking, other_site_advisor):
    with pytest.raises(InvalidBooking, match="does not work at this site") as error:
        booking(at("2026-03-03", "09:00"), advisor=other_site_advisor)
    assert error.value.field == "advisor"
    assert nothing_saved()


def test_booking_refuses_a_staff_member_who_is_not_an_advisor(booking, crc_agent):
    with pytest.raises(InvalidBooking, match="does not work at this site"):
        booking(at("2026-03-03", "09:00"), advisor=crc_agent)


def test_booking_refuses_a_customer_without_any_contact_channel(booking, site):
    mute = CustomerFactory(site=site, mobile="", email="", phone_other="")
    with pytest.raises(InvalidBooking, match="no mobile, phone or e-mail") as error:
        booking(at("2026-03-03", "09:00"), customer=mute, vehicle=VehicleFactory(owner=mute))
    assert error.value.field == "customer"
    assert nothing_saved()


def test_booking_refuses_a_private_customer_with_someone_elses_vehicle(booking, site):
    with pytest.raises(InvalidBooking, match="belongs to another customer") as error:
        booking(at("2026-03-03", "09:00"), vehicle=VehicleFactory(owner=CustomerFactory(site=site)))
    assert error.value.field == "vehicle"


def test_override_permission_is_for_advisors_and_managers_not_crc_agents(site, crc_agent, advisor, manager, foreman):
    site_admin = UserFactory(roles=[Role.ADMIN], site_list=[site])
    assert [user.has_perm("appointments.override_capacity") for user in (crc_agent, advisor, manager, site_admin, foreman)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert crc_agent.has_perms(["appointments.add_appointment", "appointments.change_appointment"])


def test_booking_refuses_an_empty_visit_and_foreign_mobility(booking, other_site):
    with pytest.raises(InvalidBooking) as error:
        booking(at("2026-03-03", "09:00"), jobs=[])
    assert error.value.field == "jobs"
    with pytest.raises(InvalidBooking) as error:
        booking(at("2026-03-03", "09:00"), mobility=[MobilityServiceFactory(site=other_site)])
    assert error.value.field == "mobility"
    with pytest.raises(InvalidBooking) as error:
        booking(at("2026-03-03", "09:00"), checklist={"coffee": True})
    assert error.value.field == "checklist"
    with pytest.raises(InvalidBooking) as error:
        booking(at("2026-03-03", "09:00"), channel="pigeon")
    assert error.value.field == "channel"
    with pytest.raises(InvalidBooking) as error:
        booking(at("2026-03-03", "09:00"), origin="rumour")
    assert error.value.field == "origin"
    assert nothing_saved()


def test_booking_refuses_a_loaner_already_out(booking, site, customer):
    loaner = LoanerFactory(site=site)
    booking(
        at("2026-03-03", "09:00"), loaner=loaner, jobs=[JobRequest(description="Brakes", skill="mechanics", flat_rate_hours=Decimal("3"))]
    )
    with pytest.raises(LoanerUnavailable, match="already out") as error:
        booking(at("2026-03-03", "11:00"), loaner=loaner, vehicle=VehicleFactory(owner=customer))
    assert error.value.field == "loaner"
    assert Appointment.objects.count() == 1
    later = booking(at("2026-03-04", "09:00"), loaner=loaner, vehicle=VehicleFactory(owner=customer))
    reservation = LoanerReservation.objects.get(appointment=later)
    assert (reservation.starts_at, reservation.ends_at) == (later.starts_at, later.handover_at + timedelta(minutes=15))


def test_booking_refuses_a_loaner_of_another_site(booking, other_site):
    with pytest.raises(LoanerUnavailable):
        booking(at("2026-03-03", "09:00"), loaner=LoanerFactory(site=other_site))


def test_capacity_exceeded_is_refused_to_a_crc_agent(booking):
    for clock in ("09:00", "09:15", "09:30"):
        booking(at("2026-03-03", clock))
    with pytest.raises(CapacityExceeded, match="reception appointments in that hour") as error:
        booking(at("2026-03-03", "09:45"), override_reason="Customer insists")
    assert error.value.field == "starts_at"
    assert list(error.value.exceeded) == ["advisor_hour"]
    assert Appointment.objects.count() == 3


def test_override_needs_a_reason_and_is_logged_with_who_and_why(booking, diary_advisor, manager):
    for clock in ("09:00", "09:15", "09:30"):
        booking(at("2026-03-03", clock))
    with pytest.raises(CapacityExceeded, match="Give a reason") as error:
        booking(at("2026-03-03", "09:45"), booked_by=manager)
    assert error.value.field == "override_reason"
    appointment = booking(at("2026-03-03", "09:45"), booked_by=manager, override_reason="Fleet customer, VIP")
    event = appointment.events.get()
    assert event.actor == manager and event.note == "Fleet customer, VIP"
    assert event.details["override"]["axes"] == ["advisor_hour"]
    assert event.details["override"]["reason"] == "Fleet customer, VIP"


def test_advisors_may_override_the_workshop_capacity(booking, diary_advisor, site):
    CapacityOverride.objects.create(site=site, day=date(2026, 3, 3), axis="workshop_hours", value=0, reason="Training")
    with pytest.raises(CapacityExceeded, match="workshop full"):
        booking(at("2026-03-03", "09:00"))
    appointment = booking(at("2026-03-03", "09:00"), booked_by=diary_advisor, override_reason="Walk-in, quick check")
    assert appointment.events.get().details["override"]["axes"] == ["workshop_hours"]


def test_a_lounge_customer_counts_as_waiting(booking, site):
    lounge = MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOUNGE)
    shuttle = MobilityServiceFactory(site=site, kind=MobilityService.Kind.SHUTTLE)
    appointment = booking(at("2026-03-03", "09:00"), mobility=[lounge, shuttle])
    assert appointment.customer_waits
    assert set(appointment.mobility.all()) == {lounge, shuttle}


def test_origin_record_follows_a_campaign(booking):
    campaign = Campaign.objects.create(code="R-1", kind="recall", title="Airbag", vin_patterns="WAUZZZ*", starts_on=date(2026, 1, 1))
    appointment = booking(at("2026-03-03", "09:00"), channel="phone_out", origin="campaign", origin_record=campaign)
    assert appointment.origin == "campaign" and appointment.origin_record == campaign


def test_confirmation_goes_to_the_outbox_with_an_ics(booking, customer):
    customer.preferred_channel = "email"
    customer.save()
    appointment = booking(at("2026-03-03", "09:00"), checklist={"arrival_area": "mechanical"})
    message = OutboxMessage.objects.get(template_key="booking_confirmation")
    assert message.about_id == str(appointment.pk) and message.channel == "email"
    assert [a.filename for a in message.attachments.all()] == ["appointment.ics"]
    ics = bytes(message.attachments.get().content).decode()
    assert "DTSTART;TZID=Europe/Paris:20260303T090000" in ics


def test_reschedule_closes_the_old_booking_and_links_the_new_one(booking, site, crc_agent):
    loaner = LoanerFactory(site=site)
    old = booking(at("2026-03-03", "09:00"), loaner=loaner)
    new = reschedule_appointment(appointment=old, starts_at=at("2026-03-04", "14:00"), actor=crc_agent, reason="Customer away")
    old.refresh_from_db()
    assert old.status == "rescheduled" and new.status == "booked" and new.rescheduled_from == old
    assert not SlotReservation.objects.filter(appointment=old).exists()
    assert SlotReservation.objects.filter(appointment=new).count() == 2
    assert LoanerReservation.objects.get().appointment == new
    assert [(j.description, j.labour_price) for j in new.jobs.all()] == [(j.description, j.labour_price) for j in old.jobs.all()]
    assert (new.origin, new.channel, new.gross_total) == (old.origin, old.channel, old.gross_total)
    assert old.events.last().note == "Customer away"
    assert new.events.get().details["rescheduled_from"] == old.pk
    assert OutboxMessage.objects.filter(template_key="booking_rescheduled", about_id=str(new.pk)).exists()


def test_reschedule_within_the_same_hour_frees_its_own_place(booking, crc_agent):
    for clock in ("09:00", "09:15"):
        booking(at("2026-03-03", clock))
    third = booking(at("2026-03-03", "09:30"))
    moved = reschedule_appointment(appointment=third, starts_at=at("2026-03-03", "09:45"), actor=crc_agent)
    assert moved.starts_at == at("2026-03-03", "09:45")


def test_a_failed_reschedule_leaves_the_booking_untouched(booking, crc_agent):
    first = booking(at("2026-03-03", "09:00"))
    second = booking(at("2026-03-03", "11:00"))
    with pytest.raises(SlotTaken):
        reschedule_appointment(appointment=second, starts_at=first.starts_at, actor=crc_agent)
    second.refresh_from_db()
    assert second.status == "booked" and SlotReservation.objects.filter(appointment=second).count() == 2


def test_cancel_frees_the_slots_and_keeps_the_reason(booking, crc_agent):
    appointment = booking(at("2026-03-03", "09:00"))
    with pytest.raises(InvalidBooking) as error:
        cancel_appointment(appointment=appointment, actor=crc_agent, reason=" ")
    assert error.value.field == "reason"
    cancel_appointment(appointment=appointment, actor=crc_agent, reason="Sold the car")
    assert appointment.status == "cancelled"
    assert appointment.events.last().note == "Sold the car"
    assert OutboxMessage.objects.filter(template_key="booking_cancelled").exists()
    assert booking(at("2026-03-03", "09:00")).status == "booked"
    with pytest.raises(TransitionNotAllowed):
        cancel_appointment(appointment=appointment, actor=crc_agent, reason="again")


def test_customer_confirmation_is_kept_apart_and_recorded_once(booking):
    appointment = booking(at("2026-03-03", "09:00"))
    confirm_appointment(appointment=appointment, via="sms_reply")
    confirm_appointment(appointment=appointment, via="link")
    assert (appointment.status, appointment.confirmation_status, appointment.confirmed_via) == ("confirmed", "confirmed", "sms_reply")
    assert list(appointment.events.values_list("to_status", flat=True)) == ["booked", "confirmed"]


def test_a_declined_confirmation_keeps_the_booking(booking):
    appointment = booking(at("2026-03-03", "09:00"))
    confirm_appointment(appointment=appointment, via="phone", answer="declined")
    assert (appointment.status, appointment.confirmation_status) == ("booked", "declined")
    assert appointment.events.last().details == {"confirmation": "declined"}


def test_arrival_and_no_show(booking, diary_advisor, clock):
    arriving = booking(at("2026-03-03", "09:00"))
    absent = booking(at("2026-03-03", "11:00"))
    with pytest.raises(TransitionNotAllowed, match="before the appointment time"):
        mark_no_show(appointment=absent, actor=diary_advisor)
    clock.move_to(at("2026-03-03", "11:30"))
    mark_arrived(appointment=arriving, actor=diary_advisor)
    mark_no_show(appointment=absent, actor=diary_advisor)
    assert (arriving.status, absent.status) == ("arrived", "no_show")
    with pytest.raises(TransitionNotAllowed, match="cannot become"):
        mark_arrived(appointment=absent, actor=diary_advisor)


def test_only_an_arrived_customer_converts_to_a_work_order(booking, diary_advisor, clock):
    appointment = booking(at("2026-03-03", "09:00"))
    with pytest.raises(TransitionNotAllowed, match="cannot become"):
        mark_converted(appointment=appointment, actor=diary_advisor)
    clock.move_to(at("2026-03-03", "09:05"))
    mark_arrived(appointment=appointment, actor=diary_advisor)

    mark_converted(appointment=appointment, actor=diary_advisor)

    assert appointment.status == "converted"
    assert appointment.events.last().to_status == "converted"


def test_the_booking_service_can_be_called_directly(site, diary_advisor, technicians, customer, vehicle, crc_agent):
    with time_machine.travel(at("2026-03-02", "07:00"), tick=False):
        appointment = book_appointment(
            site=site,
            customer=customer,
            vehicle=vehicle,
            advisor=diary_advisor,
            starts_at=at("2026-03-02", "10:00"),
            jobs=[],
            customer_words="Warning light on",
            channel="walk_in",
            booked_by=crc_agent,
        )
    assert appointment.flat_rate_hours == 0 and appointment.handover_at == at("2026-03-02", "10:30")
    assert appointment.origin == "walk_in"


def test_the_slot_grid_refuses_a_double_booking_the_checks_missed(booking, customer, monkeypatch):
    """As if another agent's booking committed between our check and our insert: the unique grid still holds."""
    from appointments import services

    booking(at("2026-03-03", "09:00"))
    read_calendar = services.load_calendar

    def stale_calendar(**arguments):
        calendar = read_calendar(**arguments)
        calendar.taken.clear()
        calendar.reception_per_hour.clear()
        return calendar

    monkeypatch.setattr(services, "load_calendar", stale_calendar)
    with pytest.raises(SlotTaken, match="just taken"):
        booking(at("2026-03-03", "09:00"), vehicle=VehicleFactory(owner=customer))
    assert Appointment.objects.count() == 1 and SlotReservation.objects.count() == 2


def test_a_reschedule_refused_for_the_loaner_changes_nothing(booking, site, customer, crc_agent):
    loaner = LoanerFactory(site=site)
    mine = booking(at("2026-03-03", "09:00"), loaner=loaner)
    booking(at("2026-03-04", "09:00"), loaner=loaner, vehicle=VehicleFactory(owner=customer))
    with pytest.raises(LoanerUnavailable):
        reschedule_appointment(appointment=mine, starts_at=at("2026-03-04", "09:15"), actor=crc_agent)
    mine.refresh_from_db()
    assert mine.status == "booked" and LoanerReservation.objects.filter(appointment=mine).exists()
    assert Appointment.objects.count() == 2


def test_an_operation_whose_kit_has_no_price_in_the_sites_currency_is_shown_unpriced_and_not_booked(booking, site, service_operation):
    site.currency = "RUB"
    site.save(update_fields=["currency"])

    estimate = estimate_jobs(site=site, jobs=[JobRequest.of(service_operation)])
    assert estimate.lines[0].missing and estimate.parts_total == 0  # never the euro figures
    with pytest.raises(InvalidBooking, match="No price in RUB for") as error:
        booking(at("2026-03-03", "09:00"), jobs=[JobRequest.of(service_operation)])
    assert error.value.field == "operations"
    assert nothing_saved()
