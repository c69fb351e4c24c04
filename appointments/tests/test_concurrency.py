"""Two agents booking at the same moment, on PostgreSQL with one connection per thread."""

from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from appointments.exceptions import LoanerUnavailable, SlotTaken
from appointments.models import Appointment, LoanerReservation
from appointments.slots import JobRequest

from .factories import LoanerFactory, VehicleFactory, make_advisor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: row locks and the loaner exclusion constraint"),
]
PARIS = ZoneInfo("Europe/Paris")
SLOT = datetime(2026, 3, 3, 9, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def message_texts(transactional_db):
    """A transactional test starts from flushed tables: the seeded texts are put back."""
    seed_default_templates(MessageTemplate)


def test_two_agents_booking_one_advisor_slot_end_with_one_booking_and_a_clear_error(booking, customer, run_concurrently):
    vehicles = [VehicleFactory(owner=customer), VehicleFactory(owner=customer)]
    results = run_concurrently(*(partial(booking, SLOT, vehicle=vehicle) for vehicle in vehicles))
    booked = [r for r in results if isinstance(r, Appointment)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(booked) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], SlotTaken)
    assert str(errors[0]) == "This slot was just taken by another booking; pick another."
    assert Appointment.objects.count() == 1


def test_two_agents_taking_one_loaner_for_overlapping_visits_end_with_one_reservation(booking, site, customer, run_concurrently):
    loaner = LoanerFactory(site=site)
    other_advisor = make_advisor(site)
    long_job = [JobRequest(description="Gearbox", skill="mechanics", flat_rate_hours=Decimal("2"))]
    results = run_concurrently(
        lambda: booking(SLOT, vehicle=VehicleFactory(owner=customer), loaner=loaner, jobs=long_job),
        lambda: booking(
            SLOT + timedelta(minutes=30), vehicle=VehicleFactory(owner=customer), loaner=loaner, advisor=other_advisor, jobs=long_job
        ),
    )
    assert sum(isinstance(r, Appointment) for r in results) == 1, results
    assert [type(r) for r in results if isinstance(r, Exception)] == [LoanerUnavailable]
    assert LoanerReservation.objects.count() == 1
    assert Appointment.objects.count() == 1


def test_the_database_refuses_overlapping_loaner_reservations(booking, site, customer):
    loaner = LoanerFactory(site=site)
    first = booking(SLOT, loaner=loaner)
    second = booking(SLOT + timedelta(days=1), vehicle=VehicleFactory(owner=customer))
    with pytest.raises(IntegrityError, match="loaner_reservation_no_overlap"), transaction.atomic():
        LoanerReservation.objects.create(
            loaner=loaner,
            appointment=second,
            starts_at=first.starts_at + timedelta(minutes=15),
            ends_at=first.handover_at + timedelta(hours=1),
        )
    LoanerReservation.objects.create(
        loaner=loaner,
        appointment=second,
        starts_at=first.handover_at + timedelta(minutes=15),
        ends_at=first.handover_at + timedelta(hours=1),
    )


def test_a_booking_in_progress_leaves_the_advisor_and_the_site_free_to_be_referenced(
    booking, site, diary_advisor, rows_blocked_for_references
):
    with transaction.atomic():
        booking(SLOT)
        assert rows_blocked_for_references(diary_advisor, site) == []


def test_a_cancellation_in_progress_leaves_the_site_free_to_be_referenced(booking, site, crc_agent, rows_blocked_for_references):
    from appointments.services import cancel_appointment

    appointment = booking(SLOT)
    with transaction.atomic():
        cancel_appointment(appointment=appointment, actor=crc_agent, reason="Plans changed")
        assert rows_blocked_for_references(site) == []
