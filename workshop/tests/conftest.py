"""A site with a customer booked this morning, on a fixed clock (Tuesday 24 November 2026, 09:00 in Lyon)."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.customers.models import MileageReading
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from appointments.tests.factories import CustomerFactory, LabourOperationFactory, PartFactory, VehicleFactory, add_kit_line
from workshop.message_texts import seed_message_texts

from .factories import make_appointment

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _in_process(in_process):
    """Workshop tests keep tasks, SMS and photos in the test."""


@pytest.fixture
def suite_start():
    """The fixtures below write their rows half an hour before the moment the `clock` fixture stops at."""
    return TUESDAY_9AM - timedelta(minutes=30)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(TUESDAY_9AM, tick=False)
    return time_machine


@pytest.fixture
def templates(db):
    """Transactional tests (browser journeys) flush the migrations' rows: seed them again."""
    seed_default_templates(MessageTemplate)
    seed_message_texts(MessageTemplate)


@pytest.fixture
def customer(site, templates):
    return CustomerFactory(site=site, first_name="Claire", last_name="Durand", mobile="+33612345678", language="fr")


@pytest.fixture
def vehicle(customer, advisor):
    vehicle = VehicleFactory(owner=customer)
    MileageReading.objects.create(vehicle=vehicle, km=42_000, source=MileageReading.Source.CUSTOMER)
    return vehicle


@pytest.fixture
def service_operation():
    operation = LabourOperationFactory(code="SERVICE-A", description="Annual service", flat_rate_hours=Decimal("1.50"))
    add_kit_line(operation, PartFactory(number="OIL-FILTER", unit_price=Decimal("12.50")), "1")
    return operation


@pytest.fixture
def appointment(site, customer, vehicle, advisor, clock, service_operation):
    return make_appointment(
        site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=TUESDAY_9AM, operation=service_operation
    )


@pytest.fixture
def order(appointment, advisor):
    """The appointment's work order, just opened (`in_workshop`, handed to the workshop, comes from workshop/testing.py)."""
    from workshop.services import open_work_order

    return open_work_order(appointment=appointment, actor=advisor)


@pytest.fixture
def checked_in(order, advisor):
    from .helpers import fill_check_in

    return fill_check_in(order, advisor)


@pytest.fixture
def mechanic(technician, site):
    from .helpers import technician_of

    return technician_of(technician, site)
