"""Every main staff page reads the same number of queries with 3 rows or 30 (issue 21).

Each page of PAGES names who opens it, its address and how one more row of what it lists is made (through the
project's services and factories). The test makes BASE rows, opens the page once (what a process keeps in memory is read), counts its
queries, makes ten times the rows and counts again: both counts equal the page's pin (on PostgreSQL, with
the queries only it runs).
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from appointments.models import PartOrderRequest, WebRequest
from appointments.tests.factories import LabourOperationFactory, PartFactory, add_kit_line, make_advisor, make_technician
from appointments.vehicle_history import VISITS_SHOWN
from followup.models import CallTask, Concern
from followup.services import record_concern
from invoicing.models import Handover, SalesLead
from invoicing.services import issue_invoice, prepare_invoices, record_payment
from workshop.models import Bay, JobStatus, WorkOrder, WorkOrderJob
from workshop.services import add_job, assign_job, open_work_order
from workshop.testing import order_in_workshop, ready_work_order
from workshop.tests.factories import make_appointment

BASE = 3
SCALE = 10
# VINs of their own: the booking factories' vehicles (ready_work_order) count theirs from the same start as the core's.
VINS = (f"VF1RPWN{number:010d}" for number in itertools.count())


@dataclass(frozen=True)
class Page:
    url_name: str
    role: Role
    add_row: Callable  # (world, index): one more row of what the page lists
    queries: int  # the pinned count, whatever the number of rows
    query: Callable = lambda world: {}  # (world) -> the GET parameters
    pk: Callable | None = None  # (world) -> the record in the URL
    postgresql_extra: int = 0  # queries only PostgreSQL runs (the KPI figures' SET LOCAL work_mem)

    def pinned(self) -> int:
        return self.queries + (self.postgresql_extra if connection.vendor == "postgresql" else 0)


@pytest.fixture
def world(site):
    """The site's staff (an advisor with a diary, a technician) and a customer's vehicle with a work order to fill.

    The vehicle has more visits than the desk shows, so that at 1× its history already reads the earlier ones.
    """
    advisor = make_advisor(site, username="pinned-advisor")
    customer = CustomerFactory(site=site, last_name="Pinned")
    vehicle = VehicleFactory(owner=customer, vin=next(VINS))
    orders = [
        open_work_order(
            appointment=make_appointment(site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=timezone.now()),
            actor=advisor,
        )
        for _visit in range(VISITS_SHOWN + 1)
    ]
    return SimpleNamespace(
        site=site,
        advisor=advisor,
        customer=customer,
        vehicle=vehicle,
        order=orders[-1],
        technician=make_technician(site),
        bay=Bay.objects.create(site=site, name="Lift 1"),
        staff={role: UserFactory(roles=[role], site_list=[site]) for role in Role},
    )


def _new_vehicle(world, index):
    return VehicleFactory(owner=CustomerFactory(site=world.site, last_name=f"Row{index}"), vin=next(VINS))


def _appointment(world, index, *, starts_at=None, vehicle=None, operation=None):
    vehicle = vehicle or _new_vehicle(world, index)
    return make_appointment(
        site=world.site,
        customer=vehicle.owner,
        vehicle=vehicle,
        advisor=world.advisor,
        starts_at=starts_at or timezone.now() + timedelta(minutes=10 * index),
        operation=operation,
    )


def _in_workshop(world, index):
    return order_in_workshop(_appointment(world, index), world.advisor)


def board_row(world, index):
    """An appointment of the day; every other one checked in."""
    appointment = _appointment(world, index)
    if index % 2:
        open_work_order(appointment=appointment, actor=world.advisor)


def dispatch_row(world, index):
    """An order in the workshop; every other one's job given to the technician."""
    order = _in_workshop(world, index)
    if index % 2:
        assign_job(job=order.jobs.get(), technician=world.technician, bay=world.bay, actor=world.staff[Role.FOREMAN])


def qc_row(world, index):
    order = _in_workshop(world, index)
    WorkOrderJob.objects.filter(work_order=order).update(status=JobStatus.DONE, done_by=world.technician, done_at=timezone.now())
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.QUALITY_CHECK)


def job_row(world, index):
    add_job(work_order=world.order, actor=world.advisor, concern=f"Extra job {index}", flat_rate_hours=Decimal("0.50"))


def _ready(world, index, **options):
    return ready_work_order(site=world.site, advisor=world.advisor, inspector=world.staff[Role.QUALITY_CONTROLLER], **options)


def invoicing_row(world, index):
    """A car ready for invoicing; every other one invoiced."""
    order = _ready(world, index)
    if index % 2:
        for draft in prepare_invoices(work_order=order, actor=world.staff[Role.CASHIER]):
            issue_invoice(invoice=draft, actor=world.staff[Role.CASHIER])


def visit_row(world, index):
    """Another visit of the customer's vehicle, invoiced, and a vehicle more for the customer."""
    order = _ready(world, index, vehicle=world.vehicle)
    for draft in prepare_invoices(work_order=order, actor=world.staff[Role.CASHIER]):
        issue_invoice(invoice=draft, actor=world.staff[Role.CASHIER])
    VehicleFactory(owner=world.customer, vin=next(VINS))


def payment_row(world, index):
    record_payment(work_order=world.order, actor=world.staff[Role.CASHIER], method="card", amount=Decimal("10.00"))


def handover_row(world, index):
    """A car ready for its customer; every other one's customer waiting."""
    order = _ready(world, index)
    if index % 2:
        Handover.objects.create(work_order=order, site=world.site, arrived_at=timezone.now())


def search_row(world, index):
    _new_vehicle(world, index)


def preparation_row(world, index):
    """An appointment tomorrow with a parts kit, a part to order and a loaner."""
    operation = LabourOperationFactory()
    part = PartFactory()
    add_kit_line(operation, part, "1")
    appointment = _appointment(world, index, starts_at=timezone.now() + timedelta(days=1, minutes=10 * index), operation=operation)
    PartOrderRequest.objects.create(
        site=world.site, appointment=appointment, part=part, quantity=1, needed_by=appointment.starts_at, requested_by=world.advisor
    )


def call_row(world, index):
    vehicle = _new_vehicle(world, index)
    CallTask.objects.create(
        site=world.site,
        customer=vehicle.owner,
        vehicle=vehicle,
        kind=CallTask.Kind.TARGET_LIST,
        reason="Service due",
        key=f"pinned:{index}",
        due_at=timezone.now(),
        assigned_to=world.staff[Role.CRC_AGENT] if index % 2 else None,
    )


def concern_row(world, index):
    vehicle = _new_vehicle(world, index)
    record_concern(
        customer=vehicle.owner,
        vehicle=vehicle,
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.CALL,
        summary=f"Noise {index}",
        owner=world.advisor,
        recorded_by=world.advisor,
    )


def web_request_row(world, index):
    WebRequest.objects.create(
        site=world.site,
        channel="web",
        name=f"Paul Row{index}",
        mobile="+33612345678",
        language="fr",
        message="Can you call me about a noise?",
        due_at=timezone.now(),
    )


def lead_row(world, index):
    order = open_work_order(appointment=_appointment(world, index), actor=world.advisor)
    SalesLead.objects.create(
        handover=Handover.objects.create(work_order=order, site=world.site),
        customer=order.customer,
        model_tried="Q4 e-tron",
        impressions="Quiet",
        salesperson=world.staff[Role.SALESPERSON],
        created_by=world.advisor,
    )


PAGES = [
    Page("workshop:board", Role.SERVICE_ADVISOR, board_row, 15),
    Page("workshop:dispatch", Role.FOREMAN, dispatch_row, 12),
    Page("workshop:list", Role.SERVICE_ADVISOR, board_row, 8),
    Page("workshop:detail", Role.SERVICE_ADVISOR, job_row, 16, pk=lambda world: world.order),
    Page("appointments:desk", Role.SERVICE_ADVISOR, visit_row, 38, query=lambda world: {"vehicle": world.vehicle.pk}),
    Page("customers:detail", Role.SERVICE_ADVISOR, visit_row, 16, pk=lambda world: world.customer),
    Page("customers:search", Role.SERVICE_ADVISOR, search_row, 10, query=lambda world: {"q": "Claire"}),
    Page("invoicing:desk", Role.CASHIER, invoicing_row, 8),
    Page("invoicing:billing", Role.CASHIER, payment_row, 22, pk=lambda world: world.order),
    Page("invoicing:handovers", Role.SERVICE_ADVISOR, handover_row, 9),
    Page("followup:call_list", Role.CRC_AGENT, call_row, 10),
    Page("followup:concern_list", Role.SERVICE_ADVISOR, concern_row, 8),
    Page("workshop:qc_queue", Role.QUALITY_CONTROLLER, qc_row, 7),
    Page("appointments:preparation", Role.PARTS_ADVISOR, preparation_row, 20),
    Page("kpis:dashboard", Role.MANAGER, invoicing_row, 18, postgresql_extra=1),
    Page("appointments:part_requests", Role.PARTS_ADVISOR, preparation_row, 13),
    Page("appointments:web_requests", Role.CRC_AGENT, web_request_row, 9),
    Page("invoicing:sales_leads", Role.MANAGER, lead_row, 9),
]


def add_rows(page: Page, world, total: int, made: int = 0) -> None:
    for index in range(made, total):
        page.add_row(world, index)


def count_queries(client, url: str, query: dict) -> int:
    """The page's queries with nothing in the cache (the desk's week grid and the KPI overview are built, not read)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("screen", PAGES, ids=lambda screen: screen.url_name)
def test_the_page_keeps_its_query_count_at_ten_times_the_rows(screen, client, world, eager_tasks):
    url = reverse(screen.url_name, args=[screen.pk(world).pk] if screen.pk else [])
    client.force_login(world.staff[screen.role])
    add_rows(screen, world, BASE)
    count_queries(client, url, screen.query(world))  # what the process keeps in memory (translations, content types) read once

    counts = [count_queries(client, url, screen.query(world))]
    add_rows(screen, world, BASE * SCALE, made=BASE)
    counts.append(count_queries(client, url, screen.query(world)))

    assert counts[0] == counts[1] == screen.pinned(), (
        f"{screen.url_name}: {counts[0]} queries with {BASE} rows, {counts[1]} with {BASE * SCALE}"
    )
