"""The handover: waiting queue, welcome, loaner return, test-drive lead, explanation, payment gate, signed delivery."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.models import MileageReading
from aftersales.messaging.models import OneTimeCode
from appointments.models import LoanerReservation
from appointments.selectors import free_loaners
from invoicing.exceptions import BalanceDue, HandoverError
from invoicing.models import Handover, SalesLead
from invoicing.selectors import desk_work_orders, handover_board
from invoicing.services import (
    authorize_release,
    close_handover,
    customer_arrived,
    issue_invoice,
    prepare_invoices,
    record_loaner_return,
    record_payment,
    record_test_drive,
    save_explanation,
    send_handover_code,
    welcome_customer,
)
from workshop.models import WorkOrder
from workshop.testing import MILEAGE_IN, ready_work_order
from workshop.tests.helpers import signature_data_url

from .factories import EXPLAINED


@pytest.fixture
def loaner_order(templates, make_ready_order):
    return make_ready_order(loaner=True)


def _invoice_and_pay(order, cashier):
    invoice = issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    record_payment(work_order=order, actor=cashier, method="card", amount=invoice.gross_total)
    return invoice


def test_a_customer_arriving_while_advisors_are_busy_waits_in_a_visible_queue(order, advisor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    handover = customer_arrived(work_order=order, actor=advisor, waiting_note="Lounge, coffee")

    later = timezone.now() + timedelta(minutes=7)
    board = handover_board(site=order.site, now=later)

    assert [(row.handover, row.waited_minutes) for row in board["waiting"]] == [(handover, 7)]
    assert board["ready"] == []
    welcome_customer(handover=handover, actor=advisor)
    board = handover_board(site=order.site, now=later)
    assert board["waiting"] == [] and board["in_progress"] == [Handover.objects.get(pk=handover.pk)]


def test_the_whole_handover_with_a_loaner_return_and_a_test_drive(loaner_order, advisor, cashier, site):
    order = loaner_order
    _invoice_and_pay(order, cashier)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    salesperson = UserFactory(roles=[Role.SALESPERSON], site_list=[site], username="sales")

    returned = record_loaner_return(
        handover=handover,
        actor=advisor,
        keys_returned=True,
        papers_returned=True,
        fuel_in=4,
        mileage_in=12_180,
        new_damage="Scratch on the rear bumper",
        satisfaction=3,
    )
    lead = record_test_drive(
        handover=handover, actor=advisor, model_tried="Audi Q4 e-tron", impressions="Loved the silence", salesperson=salesperson
    )
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)
    closed = close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN + 4, signature_data_url=signature_data_url())

    assert returned.loaner_handover == order.loaner_handover and returned.satisfaction == 3
    assert SalesLead.objects.get() == lead and lead.salesperson == salesperson and lead.customer == order.customer
    assert closed.closed_at is not None and closed.moment == Handover.Moment.CLOSED and closed.signature_image.name
    assert Handover.objects.filter(closed_at__isnull=False).count() == 1
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.DELIVERED
    assert order.events.filter(from_status="ready", to_status="delivered", actor=advisor).exists()
    order.vehicle.refresh_from_db()
    assert (order.vehicle.next_service_due_date, order.vehicle.next_service_due_km) == (date(2027, 11, 1), 63_000)
    reading = MileageReading.objects.filter(vehicle=order.vehicle).first()
    assert (reading.km, reading.source) == (MILEAGE_IN + 4, MileageReading.Source.HANDOVER)


def test_the_loaner_back_early_ends_its_reservation_and_is_free_for_the_next_customer(loaner_order, advisor, site):
    order, now = loaner_order, timezone.now()
    loaner = order.loaner_handover.loaner
    reservation = LoanerReservation.objects.create(
        loaner=loaner, appointment=order.appointment, starts_at=now - timedelta(hours=3), ends_at=now + timedelta(days=1)
    )
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)

    returned = record_loaner_return(
        handover=handover,
        actor=advisor,
        keys_returned=True,
        papers_returned=True,
        fuel_in=6,
        mileage_in=12_050,
        satisfaction=3,
    )

    reservation.refresh_from_db()
    assert (reservation.returned_at, reservation.returned_by, reservation.ends_at) == (returned.returned_at, advisor, returned.returned_at)
    assert loaner in free_loaners(site=site, starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=5))


def test_the_car_does_not_leave_with_the_loaner_still_out(loaner_order, advisor, cashier):
    _invoice_and_pay(loaner_order, cashier)
    handover = welcome_customer(handover=customer_arrived(work_order=loaner_order, actor=advisor), actor=advisor)
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)

    with pytest.raises(HandoverError, match="loaner"):
        close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url())
    with pytest.raises(HandoverError, match="12,000 km"):  # the number in the reader's format
        record_loaner_return(handover=handover, actor=advisor, fuel_in=4, mileage_in=100, satisfaction=3)


def test_declined_work_and_unfixed_faults_must_be_explained(order, advisor):
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)

    with pytest.raises(HandoverError) as refused:
        save_explanation(handover=handover, actor=advisor, **{**EXPLAINED, "deferred_explained": False})
    assert refused.value.field == "deferred_explained"
    with pytest.raises(HandoverError) as refused:
        save_explanation(handover=handover, actor=advisor, **{**EXPLAINED, "next_service_date": None, "next_service_km": None})
    assert refused.value.field == "next_service_date"


def test_a_warranty_invoice_left_to_issue_keeps_a_handed_over_car_on_the_desk(site, advisor, cashier, quality_controller, templates):
    order = ready_work_order(site=site, advisor=advisor, inspector=quality_controller, warranty_job=True)
    drafts = {draft.payer: draft for draft in prepare_invoices(work_order=order, actor=cashier)}
    invoice = issue_invoice(invoice=drafts["customer"], actor=cashier)
    record_payment(work_order=order, actor=cashier, method="card", amount=invoice.gross_total)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)
    close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url())

    assert list(desk_work_orders(user=cashier)) == [order]
    warranty = issue_invoice(invoice=drafts["warranty"], actor=cashier)

    assert warranty.number and not desk_work_orders(user=cashier).exists()
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.DELIVERED


def test_a_balance_due_keeps_the_car_until_paid_or_released_by_a_manager(order, advisor, cashier, manager):
    issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)
    record_payment(work_order=order, actor=advisor, method="card", amount=Decimal("100.00"))

    with pytest.raises(BalanceDue, match="still due"):
        close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url())
    authorize_release(work_order=order, actor=manager, reason="Company car, invoice sent to the fleet manager")
    closed = close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url())
    assert closed.closed_at is not None


def test_the_customer_signs_the_delivery_with_a_one_time_code(order, advisor, cashier, monkeypatch):
    _invoice_and_pay(order, cashier)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)
    monkeypatch.setattr("aftersales.messaging.codes.secrets.randbelow", lambda limit: 123456)
    send_handover_code(handover=handover, actor=advisor)

    with pytest.raises(HandoverError) as refused:
        close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, code="000000")
    assert refused.value.field == "code"
    closed = close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, code="123456")
    assert closed.signature_method == Handover.SignatureMethod.OTP
    assert OneTimeCode.objects.get().used_at is not None


def test_a_refusal_to_let_the_car_go_does_not_use_up_the_customers_code(order, advisor, cashier, monkeypatch):
    issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)
    monkeypatch.setattr("aftersales.messaging.codes.secrets.randbelow", lambda limit: 654321)
    send_handover_code(handover=handover, actor=advisor)

    with pytest.raises(BalanceDue):
        close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, code="654321")
    assert OneTimeCode.objects.get().used_at is None


def test_mileage_out_below_mileage_in_and_a_missing_signature_are_refused(order, advisor, cashier):
    _invoice_and_pay(order, cashier)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)

    with pytest.raises(HandoverError) as refused:
        close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN - 1, signature_data_url=signature_data_url())
    assert refused.value.field == "mileage_out"
    with pytest.raises(HandoverError) as refused:
        close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url="")
    assert refused.value.field == "signature"
    assert Handover.objects.get(pk=handover.pk).closed_at is None
