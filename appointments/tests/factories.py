from datetime import time
from decimal import Decimal

import factory

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.models import Customer, LabourOperation, MobilityService, OperationPart, OperationPrice, Part, PartPrice, Vehicle
from appointments.models import AdvisorSchedule, Loaner, TechnicianAttendance, TechnicianProfile


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Dupont{n}")
    mobile = factory.Sequence(lambda n: f"+3361234{n:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.last_name.lower()}@example.test")
    language = "fr"


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    vin = factory.Sequence(lambda n: f"WAUZZZ8V5KA{n:06d}")
    plate = factory.Sequence(lambda n: f"AB-{n:03d}-CD")
    make = "Audi"
    model = "A3"
    energy = Vehicle.Energy.PETROL
    owner = factory.SubFactory(CustomerFactory)


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"P-{n:05d}")
    name = "Oil filter"

    @factory.post_generation
    def unit_price(obj, create, extracted, currency="EUR", **kwargs):
        """Its price in ``currency`` (``unit_price__currency="RUB"``), 12.50 unless given."""
        PartPrice.objects.create(part=obj, currency=currency, amount=Decimal("12.50") if extracted is None else extracted)


class LabourOperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabourOperation
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"OP{n:04d}")
    description = "Annual service"
    flat_rate_hours = Decimal("1.00")
    skill = LabourOperation.Skill.MECHANICS

    @factory.post_generation
    def price(obj, create, extracted, currency="EUR", **kwargs):
        """A fixed labour price in ``currency`` when given (none: flat-rate hours × the site's labour rate)."""
        if extracted is not None:
            OperationPrice.objects.create(operation=obj, currency=currency, amount=extracted)


def add_kit_line(operation, part, quantity) -> OperationPart:
    return OperationPart.objects.create(operation=operation, part=part, quantity=Decimal(quantity))


class MobilityServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MobilityService

    kind = MobilityService.Kind.SHUTTLE
    name = factory.LazyAttribute(lambda o: o.kind.label if hasattr(o.kind, "label") else str(o.kind))


class LoanerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loaner

    description = "Audi A1 Sportback"
    plate = factory.Sequence(lambda n: f"LO-{n:03d}-AN")
    category = "city car"


def make_advisor(site, *, weekdays=range(5), starts=time(8), ends=time(17), break_starts=time(12), break_ends=time(13), **user):
    advisor = UserFactory(roles=[Role.SERVICE_ADVISOR], site_list=[site], **user)
    AdvisorSchedule.objects.bulk_create(
        AdvisorSchedule(
            site=site, advisor=advisor, weekday=weekday, starts=starts, ends=ends, break_starts=break_starts, break_ends=break_ends
        )
        for weekday in weekdays
    )
    return advisor


def make_technician(site, *, skills=("mechanics", "express"), hours="8", weekdays=range(5)):
    user = UserFactory(roles=[Role.TECHNICIAN], site_list=[site])
    profile = TechnicianProfile.objects.create(user=user, site=site, skills=list(skills))
    TechnicianAttendance.objects.bulk_create(
        TechnicianAttendance(profile=profile, weekday=weekday, hours=Decimal(hours)) for weekday in weekdays
    )
    return user


def appointment_for_matrix(site, customer, vehicle):
    """A booked appointment tomorrow with a loaner and a part order request, written directly (no diary needed)."""
    from datetime import timedelta

    from django.utils import timezone

    from appointments.models import Appointment, LoanerReservation, PartOrderRequest

    advisor = UserFactory(roles=[Role.SERVICE_ADVISOR], site_list=[site])
    starts_at = timezone.now() + timedelta(days=1)
    appointment = Appointment.objects.create(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=starts_at,
        handover_at=starts_at + timedelta(hours=2),
        workshop_day=timezone.localtime(starts_at, site.tz).date(),
        channel="phone_in",
        origin="inbound_call",
        currency=site.currency,
        booked_by=advisor,
    )
    LoanerReservation.objects.create(
        loaner=LoanerFactory(site=site), appointment=appointment, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)
    )
    PartOrderRequest.objects.create(
        site=site, appointment=appointment, part=PartFactory(), quantity=1, needed_by=starts_at, requested_by=advisor
    )
    return appointment


def web_request_for_matrix(site):
    from django.utils import timezone

    from appointments.models import WebRequest

    return WebRequest.objects.create(
        site=site,
        channel="web",
        name="Paul Martin",
        mobile="+33612345678",
        language="fr",
        message="Can you call me about a noise?",
        due_at=timezone.now(),
    )


def reception_screen_for_matrix(site, actor):
    from appointments.kiosk import create_reception_screen

    return create_reception_screen(site=site, name="Reception", language="fr", actor=actor)[0]
