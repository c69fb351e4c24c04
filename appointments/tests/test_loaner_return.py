"""A loaner back before its booked end is free from the moment it returned, for the slot engine and both databases."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from aftersales.audit.models import AuditEvent
from appointments.exceptions import LoanerUnavailable
from appointments.models import LoanerReservation
from appointments.selectors import free_loaners
from appointments.services import close_loaner_reservation

from .factories import CustomerFactory, VehicleFactory, appointment_for_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def reservation(site):
    customer = CustomerFactory(site=site)
    return appointment_for_matrix(site, customer, VehicleFactory(owner=customer)).loaner_reservations.get()


@pytest.fixture
def later_appointment(site):
    customer = CustomerFactory(site=site)
    appointment = appointment_for_matrix(site, customer, VehicleFactory(owner=customer))
    appointment.loaner_reservations.all().delete()
    return appointment


def test_an_early_return_ends_the_period_then_and_frees_the_loaner(reservation, advisor, site):
    booked_end, returned_at = reservation.ends_at, reservation.starts_at + timedelta(hours=1)
    later = (returned_at + timedelta(minutes=30), booked_end + timedelta(hours=1))
    assert reservation.loaner not in free_loaners(site=site, starts_at=later[0], ends_at=later[1])

    closed = close_loaner_reservation(reservation=reservation, returned_at=returned_at, actor=advisor)

    assert (closed.returned_at, closed.returned_by, closed.ends_at) == (returned_at, advisor, returned_at)
    assert reservation.loaner in free_loaners(site=site, starts_at=later[0], ends_at=later[1])
    assert reservation.loaner not in free_loaners(site=site, starts_at=reservation.starts_at, ends_at=returned_at)
    audit = AuditEvent.objects.filter(action="update").latest("pk")
    assert audit.changes["ends_at"] == [booked_end.isoformat(), returned_at.isoformat()]


def test_a_late_return_keeps_the_booked_end_so_the_next_booking_stands(reservation, advisor):
    booked_end = reservation.ends_at

    closed = close_loaner_reservation(reservation=reservation, returned_at=booked_end + timedelta(hours=2), actor=advisor)

    assert closed.ends_at == booked_end and closed.returned_at == booked_end + timedelta(hours=2)


def test_a_loaner_cannot_come_back_twice_or_before_its_reservation_starts(reservation, advisor):
    with pytest.raises(LoanerUnavailable) as refused:
        close_loaner_reservation(reservation=reservation, returned_at=reservation.starts_at, actor=advisor)
    assert refused.value.field == "returned_at"
    close_loaner_reservation(reservation=reservation, returned_at=reservation.starts_at + timedelta(hours=1), actor=advisor)

    with pytest.raises(LoanerUnavailable, match="already back"):
        close_loaner_reservation(reservation=reservation, returned_at=reservation.starts_at + timedelta(hours=2), actor=advisor)
    reservation.refresh_from_db()
    assert reservation.ends_at == reservation.starts_at + timedelta(hours=1)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: the loaner exclusion constraint")
def test_the_database_accepts_a_booking_of_a_loaner_returned_early(reservation, later_appointment, advisor):
    returned_at = reservation.starts_at + timedelta(hours=1)
    period = {
        "loaner": reservation.loaner,
        "appointment": later_appointment,
        "starts_at": returned_at + timedelta(minutes=15),
        "ends_at": reservation.ends_at + timedelta(hours=1),
    }
    with pytest.raises(IntegrityError, match="loaner_reservation_no_overlap"), transaction.atomic():
        LoanerReservation.objects.create(**period)

    close_loaner_reservation(reservation=reservation, returned_at=returned_at, actor=advisor)

    assert LoanerReservation.objects.create(**period).pk
