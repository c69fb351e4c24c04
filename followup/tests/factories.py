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


def appointment_for(
    vehicle,
    *,
    advisor,
    created_at=None,
    starts_at=None,
    status=Appointment.Status.BOOKED,
    origin="outbound_call",
    **fields,
):
    starts = starts_at or timezone.now() + timedelta(days=5)
    return Appointment.objects.create(
        site=vehicle.owner.site,
        customer=vehicle.owner,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=starts,
        handover_at=starts + timedelta(hours=4),
        workshop_day=starts.date(),
        channel="phone_out",
        origin=origin,
        currency="EUR",
        booked_by=advisor,
        status=status,
        created_at=created_at or timezone.now(),
        **fields,
    )


def matrix_records(site, customer, vehicle) -> dict:
    """One of each follow-up record at the site, for the role x URL matrix."""
    from aftersales.accounts.tests.factories import UserFactory
    from followup.models import CallTask, Concern, Escalation, MileageCheck

    author = UserFactory(site_list=[site])
    concern = Concern.objects.create(
        site=site,
        customer=customer,
        vehicle=vehicle,
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.CALL,
        summary="Noise",
        owner=author,
        created_by=author,
        answer_due_at=timezone.now(),
    )
    reading = MileageReadingFactory(vehicle=vehicle, km=100)
    return {
        "concern": concern,
        "call_task": CallTask.objects.create(
            site=site,
            customer=customer,
            vehicle=vehicle,
            kind=CallTask.Kind.TARGET_LIST,
            reason="Service due",
            key=f"matrix:{site.pk}",
            due_at=timezone.now(),
        ),
        "escalation": Escalation.objects.create(concern=concern, site=site),
        "mileage_check": MileageCheck.objects.create(reading=reading, vehicle=vehicle, reason=MileageCheck.Reason.LOWER),
    }
