"""Appointments for today written straight to the table (booking rules are the booking app's tests)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from appointments.models import Appointment, AppointmentJob


def make_appointment(
    *,
    site,
    customer,
    vehicle,
    advisor,
    starts_at: datetime,
    status=Appointment.Status.BOOKED,
    jobs=(("Annual service", Decimal("1.50"), Decimal("147.00")),),
    operation=None,
) -> Appointment:
    appointment = Appointment.objects.create(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=starts_at,
        handover_at=starts_at + timedelta(hours=8),
        workshop_day=timezone.localtime(starts_at, site.tz).date(),
        status=status,
        channel=Appointment.BookingChannel.PHONE_IN,
        origin=Appointment.Origin.INBOUND_CALL,
        currency=site.currency,
        booked_by=advisor,
        customer_words="Squeak when braking",
    )
    AppointmentJob.objects.bulk_create(
        AppointmentJob(
            appointment=appointment,
            operation=operation,
            description=description,
            skill="mechanics",
            flat_rate_hours=hours,
            labour_price=price,
        )
        for description, hours, price in jobs
    )
    return appointment
