"""Plausible figures: efficiency leaves out the sign-offs awaiting the foreman until he confirms or corrects them, and
loaner utilisation counts the loaners handed over at reception as well as those booked ahead, each use once."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from appointments.models import Loaner, LoanerReservation
from invoicing.models import Handover, LoanerReturn
from kpis.figures import compute, load
from kpis.periods import PeriodKind, period_window
from kpis.queries import KPIS, Result, Scope
from kpis.rollup import rebuild
from workshop.models import ClockingReview, LoanerHandover, WorkOrder
from workshop.services import assign_job, clock_in, clock_on_job, confirm_clocking, correct_clocking, sign_off_job
from workshop.testing import order_in_workshop
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import technician_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 11, 23)


def at(hour, minute=0, second=0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=PARIS)


@dataclass(frozen=True)
class Figure:
    current: Decimal | None
    result: Result


def tiles(site) -> dict[str, Figure]:
    """Each KPI's figure of November 2026 and its result, as the dashboard reads them."""
    rebuild(sites=[site], start=DAY, end=DAY + timedelta(days=1), now=at(23))
    with timezone.override(PARIS):
        window = period_window(PeriodKind.MONTH, DAY)
    figures = load(Scope((site.pk,)), window, at(23))
    results = {kpi.key: compute(kpi, figures) for kpi in KPIS}
    return {key: Figure(result.values[window.current.index], result) for key, result in results.items()}


def booked(site, advisor, jobs):
    vehicle = VehicleFactory(owner=CustomerFactory(site=site))
    return make_appointment(site=site, customer=vehicle.owner, vehicle=vehicle, advisor=advisor, starts_at=at(10, 30), jobs=jobs)


@pytest.fixture
def signed_off(site, advisor, foreman):
    """A technician's day: a 1-hour job clocked an hour, then a 3.5-hour job signed off 5 seconds after clocking on."""
    mechanic = technician_of(UserFactory(roles=[Role.TECHNICIAN], site_list=[site]), site)
    order = order_in_workshop(
        booked(site, advisor, (("Brake pads", Decimal("1.00"), Decimal("100.00")), ("Timing belt", Decimal("3.50"), Decimal("350.00")))),
        advisor,
    )
    pads, belt = (assign_job(job=job, technician=mechanic, bay=None, actor=foreman) for job in order.jobs.order_by("pk"))
    clock_in(technician=mechanic, now=at(11))
    clock_on_job(job=pads, technician=mechanic, now=at(11))
    sign_off_job(job=pads, technician=mechanic, now=at(12))
    clock_on_job(job=belt, technician=mechanic, now=at(12))
    sign_off_job(job=belt, technician=mechanic, now=at(12, 0, 5))
    return mechanic, ClockingReview.objects.get(job=belt)


def test_an_implausible_sign_off_is_left_out_of_efficiency_and_counted_apart(site, signed_off):
    mechanic, _review = signed_off
    efficiency = tiles(site)["efficiency"]
    assert efficiency.current == Decimal("100.0")  # 1 h sold / 1 h clocked; not 4.5 h / 1 h 0 min 5 s
    assert efficiency.result.awaiting == 1
    assert efficiency.result.by_person == [(mechanic.pk, Decimal("100.0"))]
    assert tiles(site)["productivity"].result.awaiting == 0  # shown apart on efficiency only


def test_a_confirmed_sign_off_counts_as_clocked(site, signed_off, foreman):
    confirm_clocking(review=signed_off[1], actor=foreman)
    efficiency = tiles(site)["efficiency"]
    assert efficiency.current == Decimal("449.4")  # 4.5 h / 1.0014 h
    assert efficiency.result.awaiting == 0


def test_a_corrected_sign_off_counts_with_the_real_time(site, signed_off, foreman):
    correct_clocking(review=signed_off[1], actor=foreman, clocked_hours=Decimal("3"), reason="Clocked on the wrong job")
    found = tiles(site)
    assert found["efficiency"].current == Decimal("112.5")  # 4.5 h / (1 h + 3 h)
    assert found["efficiency"].result.awaiting == 0
    assert found["unapplied_time"].current == Decimal("8.0")  # 12 h at work (11:00 to 23:00) less 4 h clocked


def test_the_tile_says_how_many_sign_offs_await_the_foreman(client, site, signed_off, manager):
    client.force_login(manager)
    rebuild(sites=[site], start=DAY, end=DAY + timedelta(days=1), now=at(23))
    page = client.get("/kpis/", {"site": site.pk, "period": "month", "day": DAY.isoformat()}).content.decode()
    assert "1 sign-off awaiting the foreman's confirmation, left out" in page


@pytest.fixture
def lent_loaners(site, advisor):
    """A loaner handed over at check-in (10:00) and returned at handover (16:00); another booked ahead 09:00-17:00 and
    handed over at reception too; a third handover on an order cancelled since."""
    walk_in_car, booked_car = (
        Loaner.objects.create(site=site, description="Clio", plate=plate, category="city car") for plate in ("AA-001-AA", "AA-002-AA")
    )
    lent = order_in_workshop(booked(site, advisor, (("Service", Decimal("1"), Decimal("90")),)), advisor)
    LoanerHandover.objects.create(work_order=lent, loaner=walk_in_car, fuel_out=8, mileage_out=1000, handed_over_by=advisor)
    LoanerHandover.objects.filter(work_order=lent).update(handed_over_at=at(10))
    LoanerReturn.objects.create(
        handover=Handover.objects.create(work_order=lent, site=site),
        loaner_handover=lent.loaner_handover,
        fuel_in=8,
        mileage_in=1040,
        satisfaction=LoanerReturn.Satisfaction.HAPPY,
        received_by=advisor,
        returned_at=at(16),
    )
    reserved = order_in_workshop(booked(site, advisor, (("Service", Decimal("1"), Decimal("90")),)), advisor)
    LoanerReservation.objects.create(loaner=booked_car, appointment=reserved.appointment, starts_at=at(9), ends_at=at(17))
    LoanerHandover.objects.create(work_order=reserved, loaner=booked_car, fuel_out=8, mileage_out=500, handed_over_by=advisor)
    cancelled = order_in_workshop(booked(site, advisor, (("Service", Decimal("1"), Decimal("90")),)), advisor)
    LoanerHandover.objects.create(work_order=cancelled, loaner=walk_in_car, fuel_out=8, mileage_out=1040, handed_over_by=advisor)
    WorkOrder.objects.filter(pk=cancelled.pk).update(status=WorkOrder.Status.CANCELLED)
    return lent, reserved


def test_loaner_utilisation_counts_a_check_in_loaner_and_a_booked_one_once(site, lent_loaners):
    # 6 h out from check-in to handover, 8 h booked (its handover at reception not counted again), over 2 loaners × 30 days
    expected = (Decimal(6 + 8) * 100 / (2 * 30 * 24)).quantize(Decimal("0.1"))
    assert tiles(site)["loaner_utilisation"].current == expected == Decimal("1.0")


def test_the_loaner_records_list_the_reception_handovers_with_the_bookings(
    client, site, manager, lent_loaners, django_assert_max_num_queries
):
    lent, reserved = lent_loaners
    client.force_login(manager)
    params = {"kpi": "loaner_utilisation", "site": site.pk, "period": "month", "day": DAY.isoformat()}
    with django_assert_max_num_queries(12):
        response = client.get("/kpis/records/", params)
    assert response.context["page"].paginator.count == 2  # the booked loaner's handover is its reservation, listed once
    assert response.context["header"] == ["From", "Until", "Loaner", "Customer", "Lent"]
    reception_row, booked_row = response.context["rows"]  # newest first: handed over at 10:00, booked from 09:00
    assert reception_row[1] is not None and reception_row[2:] == [str(lent.loaner_handover.loaner), str(lent.customer), "At reception"]
    assert booked_row[2:] == [str(reserved.loaner_handover.loaner), str(reserved.customer), "Booked ahead"]
    csv_lines = client.get("/kpis/export/", {**params, "format": "csv"}).content.decode().splitlines()
    assert len(csv_lines) == 3 and csv_lines[1].endswith(",At reception") and csv_lines[2].endswith(",Booked ahead")
