"""Fixtures shared by the whole suite, registered in the root conftest.py: work orders at a stage, calls run at once.

A work order is built through the workshop's own services (reception, signature, handing to the workshop, the
customer's decisions, the quality check), so this module sits in the workshop's layer
(aftersales/tests/test_layers.py): the later stages import its builders, and the earlier ones (the core,
appointments) use only its fixtures, which need no import. The root conftest loads it for every folder's tests,
so the builders import the apps when they run, not when it loads.
"""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

# --- Work orders at a stage ---------------------------------------------------------------

MILEAGE_IN = 43_210  # read at reception (workshop.tests.helpers.STEP_DATA)
WARRANTY_RECALL = {"concern": "Recall: software update", "flat_rate_hours": Decimal("0.50"), "payer": "warranty"}


def order_in_workshop(appointment, advisor, *, jobs=(), **check_in):
    """The booked customer checked in, signed on the tablet and handed to the workshop.

    ``jobs``: add_job's keywords for each job the advisor adds before the check-in; ``check_in``: a step's
    fields changed (fill_check_in's ``changes``: mobility={"departure": "loaner", …}).
    """
    from workshop.services import add_job, hand_to_workshop, open_work_order, sign_on_tablet
    from workshop.signed_content import content_hash
    from workshop.tests.helpers import fill_check_in, signature_data_url

    order = open_work_order(appointment=appointment, actor=advisor)
    for job in jobs:
        add_job(work_order=order, actor=advisor, **job)
    order = fill_check_in(order, advisor, **check_in)
    sign_on_tablet(work_order=order, image_data_url=signature_data_url(), shown_hash=content_hash(order), actor=advisor)
    return hand_to_workshop(work_order=order, actor=advisor)


def ready_work_order(
    *,
    site,
    advisor,
    inspector,
    customer=None,
    vehicle=None,
    loaner: bool = False,
    approved_extra: bool = True,
    declined_extra: bool = True,
    warranty_job: bool = False,
    unfixed: str = "Rear tyres at 3 mm",
):
    """Ready for invoicing: the annual service (1.5 h at 98.00 + oil filter 12.50), an extra approved (wipers), one declined (discs).

    ``vehicle``: another visit of a vehicle on file (its owner is the customer); else a new customer's new vehicle.

    Reception (order_in_workshop), the customer's decisions on extra work (``decide_proposal``) and the quality
    check (``record_quality_check``) are the workshop's own services. Dispatch and clocking are skipped: the jobs
    are marked done and the order moved to the quality check by direct updates, which the invoicing tests do not
    depend on.
    """
    from aftersales.customers.models import MileageReading
    from appointments.tests.factories import (
        CustomerFactory,
        LabourOperationFactory,
        LoanerFactory,
        PartFactory,
        VehicleFactory,
        add_kit_line,
    )
    from workshop.models import Approval, JobStatus, WorkOrder, WorkOrderJob
    from workshop.services import add_job, decide_proposal, record_quality_check
    from workshop.tests.factories import make_appointment

    if customer is None:
        customer = (
            vehicle.owner
            if vehicle is not None
            else CustomerFactory(
                site=site, first_name="Claire", last_name="Durand", language="fr", email="claire.durand@example.test", mobile="+33612345678"
            )
        )
    if vehicle is None:
        vehicle = VehicleFactory(owner=customer)
        MileageReading.objects.create(vehicle=vehicle, km=42_000, source=MileageReading.Source.CUSTOMER)
    operation = LabourOperationFactory(description="Annual service", flat_rate_hours=Decimal("1.50"))
    add_kit_line(operation, PartFactory(name="Oil filter", unit_price=Decimal("12.50"), unit_price__currency=site.currency), "1")
    appointment = make_appointment(
        site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=timezone.now() + timedelta(hours=1), operation=operation
    )
    check_in = {}
    if loaner:
        loaner_out = {"loaner": LoanerFactory(site=site), "loaner_fuel_out": 6, "loaner_mileage_out": 12_000}
        check_in["mobility"] = {"departure": "loaner", **loaner_out}
    order = order_in_workshop(appointment, advisor, jobs=[WARRANTY_RECALL] if warranty_job else [], **check_in)
    if approved_extra:
        decide_proposal(
            job=add_job(work_order=order, actor=advisor, concern="Wiper blades", flat_rate_hours=Decimal("0.30")),
            approved=True,
            method="phone",
            decided_by="Claire Durand",
            actor=advisor,
        )
    if declined_extra:
        decide_proposal(
            job=add_job(work_order=order, actor=advisor, concern="Front brake discs", flat_rate_hours=Decimal("2.00")),
            approved=False,
            method="phone",
            decided_by="Claire Durand",
            actor=advisor,
            reason="Next visit",
        )
    now = timezone.now()
    WorkOrderJob.objects.filter(work_order=order).exclude(approval=Approval.DECLINED).update(
        status=JobStatus.DONE, done_by=advisor, done_at=now
    )
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.QUALITY_CHECK)
    record_quality_check(
        work_order=order,
        inspector=inspector,
        passed=True,
        order_complete=True,
        road_test_done=True,
        road_test_notes="OK",
        all_jobs_done=True,
        cleaned=True,
        parking_place="P12",
        unfixed_findings=unfixed,
    )
    order.refresh_from_db()
    return order


@pytest.fixture
def in_workshop(appointment, advisor):
    """The `appointment` fixture's work order in the workshop (the requesting folder's conftest books `appointment`)."""
    return order_in_workshop(appointment, advisor)


@pytest.fixture
def make_ready_order(site, advisor, quality_controller):
    """make_ready_order(**options): a work order of the site's advisor, ready for invoicing (options: ready_work_order's)."""

    def make(**options):
        return ready_work_order(site=site, advisor=advisor, inspector=quality_controller, **options)

    return make


# --- Calls run at once, each on its own database connection (PostgreSQL) ------------------


def _run_concurrently(*calls, timeout: float = 120) -> list:
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout)
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0, deadline - time.monotonic()))
    running = sum(thread.is_alive() for thread in threads)
    if running:
        pytest.fail(f"{running} of the {len(calls)} calls run at once still run after {timeout} s")
    return outcomes


@pytest.fixture
def run_concurrently():
    """run_concurrently(*calls): run the calls in threads released together, each on its own database connection.

    Returns, in the calls' order, what each call returned or the exception it raised. The threads see only what
    is committed: the test runs with ``django_db(transaction=True)``.
    """
    return _run_concurrently


@pytest.fixture
def rows_blocked_for_references(run_concurrently):
    """rows_blocked_for_references(*rows): those another transaction could not reference now (PostgreSQL).

    A new row's foreign keys lock the rows they point at FOR KEY SHARE when the
    transaction commits; a row held FOR UPDATE (rather than FOR NO KEY UPDATE)
    blocks that, and two such transactions deadlock.
    """

    def blocked(*rows) -> list:
        def probe() -> list:
            found = []
            for row in rows:
                with transaction.atomic(), connection.cursor() as cursor:
                    try:
                        cursor.execute(f'SELECT 1 FROM "{row._meta.db_table}" WHERE id = %s FOR KEY SHARE NOWAIT', [row.pk])
                    except OperationalError:
                        found.append(row)
            return found

        [outcome] = run_concurrently(probe)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return blocked
