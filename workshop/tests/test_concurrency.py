"""Advisors opening work orders at the same moment, on PostgreSQL with one connection per thread."""

from functools import partial

import pytest
from django.db import connection, transaction

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.models import WorkOrder, WorkOrderCounter
from workshop.services import open_walk_in, take_number

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent transactions and row locks"),
]
THREADS = 8


@pytest.fixture(autouse=True)
def message_texts(transactional_db):
    seed_default_templates(MessageTemplate)


def test_work_orders_opened_at_once_get_consecutive_numbers(site, advisor, run_concurrently):
    pairs = []
    for _index in range(THREADS):
        customer = CustomerFactory(site=site)
        pairs.append((customer, VehicleFactory(owner=customer)))

    results = run_concurrently(
        *(partial(open_walk_in, site=site, customer=customer, vehicle=vehicle, actor=advisor) for customer, vehicle in pairs)
    )

    assert not [result for result in results if isinstance(result, Exception)]
    assert sorted(WorkOrder.objects.values_list("sequence", flat=True)) == list(range(1, THREADS + 1))
    assert WorkOrderCounter.objects.get(site=site).last == THREADS


def test_a_number_taken_by_a_transaction_that_rolls_back_is_given_again(site, run_concurrently):
    class Abandon(Exception):
        pass

    def take(index):
        with transaction.atomic():
            sequence, _number = take_number(site=site, year=2026)
            if index % 2:
                raise Abandon
            return sequence

    results = run_concurrently(*(partial(take, index) for index in range(THREADS)))

    kept = sorted(result for result in results if isinstance(result, int))
    assert kept == list(range(1, THREADS // 2 + 1))
    assert WorkOrderCounter.objects.get(site=site, year=2026).last == THREADS // 2


def test_the_first_number_of_a_new_year_is_not_given_twice(site, run_concurrently):
    results = run_concurrently(*[lambda: _in_transaction(lambda: take_number(site=site, year=2031)[0])] * THREADS)
    assert sorted(results) == list(range(1, THREADS + 1))


def _in_transaction(call):
    with transaction.atomic():
        return call()


def test_a_technician_clocking_on_several_jobs_at_once_is_on_one_only(in_workshop, mechanic, run_concurrently):
    from decimal import Decimal

    from workshop.exceptions import ClockingRefused
    from workshop.models import Approval, JobClocking, JobStatus, WorkOrderJob
    from workshop.services import add_job, clock_in, clock_on_job

    for index in range(3):
        add_job(work_order=in_workshop, actor=mechanic, concern=f"Extra {index}", flat_rate_hours=Decimal("0.5"), skill="mechanics")
    in_workshop.jobs.update(approval=Approval.APPROVED, status=JobStatus.ASSIGNED, hold_reason="", technician=mechanic)
    WorkOrderJob.objects.filter(work_order=in_workshop, from_appointment=True).update(approval=Approval.AGREED)
    jobs = list(in_workshop.jobs.order_by("pk"))
    clock_in(technician=mechanic)

    results = run_concurrently(*(partial(clock_on_job, job=job, technician=mechanic) for job in jobs))

    assert len([result for result in results if isinstance(result, JobClocking)]) == 1
    assert all(isinstance(result, (JobClocking, ClockingRefused)) for result in results)
    assert JobClocking.objects.filter(technician=mechanic, ended_at__isnull=True).count() == 1


def test_a_check_in_in_progress_leaves_the_site_customer_and_vehicle_free_to_be_referenced(
    appointment, advisor, rows_blocked_for_references
):
    from workshop.services import open_work_order, save_prepare_step

    from .helpers import step_data

    with transaction.atomic():
        order = open_work_order(appointment=appointment, actor=advisor)
        save_prepare_step(work_order=order, actor=advisor, **step_data("prepare"))
        assert rows_blocked_for_references(appointment.site, appointment.customer, appointment.vehicle) == []


def test_a_clocking_in_progress_leaves_the_technician_free_to_be_referenced(mechanic, rows_blocked_for_references):
    from workshop.services import clock_in

    with transaction.atomic():
        clock_in(technician=mechanic)
        assert rows_blocked_for_references(mechanic) == []
