"""Follow-up test data: customers who consented, vehicles with a due service, appointments filed directly."""

from datetime import timedelta

from django.utils import timezone

from aftersales.customers.models import Channel, ConsentRecord
from aftersales.customers.tests.factories import CustomerFactory, MileageReadingFactory, VehicleFactory
from appointments.models import Appointment


def consenting_customer(site, **fields):
    customer = CustomerFactory(site=site, **fields)
    for channel in (Channel.SMS, Channel.EMAIL, Channel.PHONE):
        ConsentRecord.objects.create(customer=customer, channel=channel, granted=True, source=ConsentRecord.Source.FORM)
    return customer


def due_vehicle(site, *, due_date=None, due_km=None, customer=None, **fields):
    owner = customer or consenting_customer(site)
    return VehicleFactory(owner=owner, next_service_due_date=due_date, next_service_due_km=due_km, **fields)


def readings(vehicle, points):
    """points: [(moment, km)]."""
    return [MileageReadingFactory(vehicle=vehicle, km=km, read_at=moment) for moment, km in points]


def appointment_for(vehicle, *, advisor, created_at=None, starts_at=None, status=Appointment.Status.BOOKED, origin="outbound_call", **fields):
    starts = starts_at or timezone.now() + timedelta(days=5)
    return Appointment.objects.create(
        site=vehicle.owner.site, customer=vehicle.owner, vehicle=vehicle, advisor=advisor, starts_at=starts,
        handover_at=starts + timedelta(hours=4), workshop_day=starts.date(), channel="phone_out", origin=origin,
        currency="EUR", booked_by=advisor, status=status, created_at=created_at or timezone.now(), **fields,
    )
