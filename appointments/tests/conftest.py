"""A booking-ready site: one advisor on a weekday diary, two technicians, a customer."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from .factories import CustomerFactory, LabourOperationFactory, PartFactory, VehicleFactory, add_kit_line, make_advisor, make_technician

# Monday 2 March 2026, 07:00 in Lyon: no public holiday in the next two weeks.
MONDAY_MORNING = datetime.fromisoformat("2026-03-02T07:00:00+01:00")


@pytest.fixture
def suite_start():
    """The fixtures below write their rows half an hour before the moment the `clock` fixture stops at."""
    return MONDAY_MORNING - timedelta(minutes=30)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def diary_advisor(site):
    return make_advisor(site, username="diary-advisor", first_name="Marc")


@pytest.fixture
def technicians(site):
    return [make_technician(site), make_technician(site)]


@pytest.fixture
def customer(site):
    return CustomerFactory(site=site)


@pytest.fixture
def vehicle(customer):
    return VehicleFactory(owner=customer)


@pytest.fixture
def service_operation():
    operation = LabourOperationFactory(code="SERVICE-A", description="Annual service", flat_rate_hours=Decimal("1.50"))
    add_kit_line(operation, PartFactory(unit_price=Decimal("12.50")), "1")
    add_kit_line(operation, PartFactory(name="Engine oil 5W30", unit_price=Decimal("8.90")), "4.5")
    return operation


@pytest.fixture
def booking(site, diary_advisor, technicians, customer, vehicle, crc_agent, clock):
    """book(starts_at, **overrides): book_appointment with sensible defaults."""
    from appointments.services import book_appointment
    from appointments.slots import JobRequest

    def book(starts_at, **overrides):
        arguments = dict(
            site=site,
            customer=customer,
            vehicle=vehicle,
            advisor=diary_advisor,
            starts_at=starts_at,
            jobs=[JobRequest(description="Noise at the front", skill="mechanics", flat_rate_hours=Decimal("0.5"))],
            channel="phone_in",
            booked_by=crc_agent,
        )
        arguments.update(overrides)
        return book_appointment(**arguments)

    return book
