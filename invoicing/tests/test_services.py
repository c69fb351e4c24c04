"""Preparing, issuing, crediting, paying, closing: the services against the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoicing.exceptions import BalanceDue, DocumentFrozen, InvalidInvoiceInput, NotInvoiceable, PeriodClosed, VarianceNotExplained
from invoicing.models import Closure, Invoice, InvoiceLine, Payment
from invoicing.services import (
    add_line,
    authorize_release,
    balance_of,
    change_line,
    close_period,
    invoice_job,
    issue_credit_note,
    issue_invoice,
    may_release,
    prepare_invoices,
    record_payment,
)
from workshop.models import Approval, WorkOrder
from workshop.testing import ready_work_order


def _customer_draft(order, actor) -> Invoice:
    return next(draft for draft in prepare_invoices(work_order=order, actor=actor) if draft.payer == "customer")


def test_the_invoice_holds_only_the_approved_work_each_line_tied_to_its_job(order, cashier):
    draft = _customer_draft(order, cashier)

    lines = list(draft.lines.order_by("position"))
    assert [(line.kind, line.description, line.quantity, line.unit_price, line.net) for line in lines] == [
        ("labour", "Annual service", Decimal("1.50"), Decimal("98.00"), Decimal("147.00")),
        ("part", "Oil filter", Decimal("1.00"), Decimal("12.50"), Decimal("12.50")),
        ("labour", "Wiper blades", Decimal("0.30"), Decimal("98.00"), Decimal("29.40")),
    ]
    assert all(line.job_id for line in lines)
    assert "Front brake discs" not in {line.description for line in lines}
    assert (draft.net_total, draft.vat_total, draft.gross_total) == (Decimal("188.90"), Decimal("37.78"), Decimal("226.68"))
    assert lines[0].expected_net == Decimal("147.00")


def test_preparing_twice_keeps_one_draft(order, cashier):
    first = prepare_invoices(work_order=order, actor=cashier)
    second = prepare_invoices(work_order=order, actor=cashier)

    assert [draft.pk for draft in first] == [draft.pk for draft in second]
    assert InvoiceLine.objects.filter(invoice__work_order=order).count() == 3


def test_a_work_order_before_the_quality_check_cannot_be_invoiced(order, cashier):
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.QUALITY_CHECK)

    with pytest.raises(NotInvoiceable, match="quality check"):
        prepare_invoices(work_order=order, actor=cashier)


def test_an_unapproved_line_is_refused_with_a_clear_message(order, cashier):
    draft = _customer_draft(order, cashier)
    declined = order.jobs.get(approval=Approval.DECLINED)

    with pytest.raises(NotInvoiceable, match="not approved by the customer"):
        invoice_job(invoice=draft, job=declined, actor=cashier)
    assert draft.lines.count() == 3


def test_warranty_work_goes_on_a_separate_invoice_to_the_manufacturer(site, advisor, quality_controller, cashier, templates):
    order = ready_work_order(site=site, advisor=advisor, inspector=quality_controller, warranty_job=True)

    drafts = {draft.payer: draft for draft in prepare_invoices(work_order=order, actor=cashier)}

    assert set(drafts) == {"customer", "warranty"}
    assert [line.description for line in drafts["warranty"].lines.all()] == ["Recall: software update"]
    assert "Audi" in drafts["warranty"].bill_to
    assert "Recall: software update" not in {line.description for line in drafts["customer"].lines.all()}


def test_a_line_that_differs_from_the_estimate_must_be_explained_before_issuing(order, cashier):
    draft = _customer_draft(order, cashier)
    labour = draft.lines.get(description="Annual service")
    change_line(line=labour, actor=cashier, quantity=Decimal("2.00"))

    with pytest.raises(VarianceNotExplained, match="Annual service"):
        issue_invoice(invoice=draft, actor=cashier)

    change_line(line=labour, actor=cashier, variance_reason="Seized drain plug: 30 min more, agreed by phone")
    issued = issue_invoice(invoice=draft, actor=cashier)
    assert issued.gross_total == Decimal("226.68") + Decimal("58.80")


def test_sundries_and_discounts_are_lines_of_a_job_and_need_a_reason(order, cashier):
    draft = _customer_draft(order, cashier)
    job = draft.lines.first().job

    add_line(
        invoice=draft,
        actor=cashier,
        kind="sundry",
        job=job,
        description="Shop supplies",
        quantity=Decimal("1"),
        unit_price=Decimal("4.90"),
        variance_reason="Price board",
    )
    discount = add_line(
        invoice=draft,
        actor=cashier,
        kind="discount",
        job=job,
        description="Loyalty",
        quantity=Decimal("1"),
        unit_price=Decimal("10.00"),
        variance_reason="Loyalty card",
    )

    draft.refresh_from_db()
    assert discount.net == Decimal("-10.00") and discount.vat == Decimal("-2.00")
    assert draft.net_total == Decimal("188.90") + Decimal("4.90") - Decimal("10.00")
    with pytest.raises(InvalidInvoiceInput):
        add_line(invoice=draft, actor=cashier, kind="labour", job=job, description="x", quantity=1, unit_price=1)


def test_issuing_numbers_freezes_and_chains(order, cashier):
    draft = _customer_draft(order, cashier)

    issued = issue_invoice(invoice=draft, actor=cashier, delivery="paper")

    year = timezone.localtime(timezone.now(), order.site.tz).year
    assert issued.number == f"{order.site.invoice_prefix}-{year}-000001"
    assert issued.status == "issued" and issued.chain_position == 1 and issued.previous_hash == "" and len(issued.hash) == 64
    assert issued.content["number"] == issued.number
    with pytest.raises(DocumentFrozen):
        issue_invoice(invoice=issued, actor=cashier)


def test_a_credit_note_cancels_the_invoice_and_the_work_can_be_invoiced_again(order, cashier):
    issued = issue_invoice(invoice=_customer_draft(order, cashier), actor=cashier)

    credit = issue_credit_note(invoice=issued, actor=cashier, reason="Wrong customer address")

    assert credit.kind == "credit_note" and credit.credited == issued and credit.gross_total == issued.gross_total
    assert credit.sequence == issued.sequence + 1 and credit.previous_hash == issued.hash
    assert balance_of(order).invoiced == 0
    again = _customer_draft(order, cashier)
    assert again.pk != issued.pk and again.lines.count() == 3
    with pytest.raises(InvalidInvoiceInput, match="already credited"):
        issue_credit_note(invoice=issued, actor=cashier, reason="twice")


def test_nothing_is_issued_into_a_closed_day(order, cashier, manager):
    draft = _customer_draft(order, cashier)
    close_period(site=order.site, period=Closure.Period.DAY, day=timezone.localtime(timezone.now(), order.site.tz).date(), actor=manager)

    with pytest.raises(PeriodClosed):
        issue_invoice(invoice=draft, actor=cashier)
    with pytest.raises(PeriodClosed):
        record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))


def test_closures_record_period_totals_and_a_perpetual_grand_total(order, cashier, manager, site, advisor, quality_controller):
    first = issue_invoice(invoice=_customer_draft(order, cashier), actor=cashier)
    second_order = ready_work_order(site=site, advisor=advisor, inspector=quality_controller, approved_extra=False)
    second = issue_invoice(invoice=_customer_draft(second_order, cashier), actor=cashier)
    issue_credit_note(invoice=second, actor=cashier, reason="Goodwill")
    record_payment(work_order=order, actor=cashier, method="card", amount=first.gross_total)
    today = timezone.localtime(timezone.now(), site.tz).date()

    closure = close_period(site=site, period=Closure.Period.DAY, day=today, actor=manager)

    assert closure.document_count == 3
    assert closure.gross_total == first.gross_total
    assert closure.payments_total == first.gross_total
    assert closure.grand_total == first.gross_total
    with pytest.raises(InvalidInvoiceInput, match="already closed"):
        close_period(site=site, period=Closure.Period.DAY, day=today, actor=manager)
    with pytest.raises(InvalidInvoiceInput, match="ended"):
        close_period(site=site, period=Closure.Period.MONTH, day=today, actor=manager)
    with pytest.raises(InvalidInvoiceInput):
        close_period(site=site, period=Closure.Period.DAY, day=today + timedelta(days=1), actor=manager)


# --- payments ---------------------------------------------------------------------


def test_a_deposit_at_reception_is_deducted_and_the_rest_paid_in_two_parts(order, cashier):
    deposit = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("50.00"))
    issued = issue_invoice(invoice=_customer_draft(order, cashier), actor=cashier)

    assert deposit.is_deposit
    assert balance_of(order).due == issued.gross_total - Decimal("50.00")
    record_payment(work_order=order, actor=cashier, method="transfer", amount=Decimal("100.00"), reference="VIR-1")
    assert balance_of(order).due == Decimal("76.68")
    last = record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("76.68"), tendered=Decimal("80"))
    assert last.change_given == Decimal("3.32") and not last.is_deposit
    assert balance_of(order).due == 0
    assert [payment.chain_position for payment in Payment.objects.order_by("pk")] == [1, 3, 4]


def test_payments_refuse_bad_amounts(order, cashier):
    issue_invoice(invoice=_customer_draft(order, cashier), actor=cashier)

    with pytest.raises(InvalidInvoiceInput, match="balance due"):
        record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("1000"))
    with pytest.raises(InvalidInvoiceInput, match="less than"):
        record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("20"), tendered=Decimal("10"))
    with pytest.raises(InvalidInvoiceInput, match="Only cash"):
        record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("20"), tendered=Decimal("30"))
    with pytest.raises(InvalidInvoiceInput, match="method"):
        record_payment(work_order=order, actor=cashier, method="bitcoin", amount=Decimal("20"))
    with pytest.raises(InvalidInvoiceInput):
        record_payment(work_order=order, actor=cashier, method="card", amount="abc")
    assert not Payment.objects.exists()


def test_a_car_with_a_balance_due_is_released_only_by_a_manager_with_a_reason(order, cashier, manager):
    issue_invoice(invoice=_customer_draft(order, cashier), actor=cashier)
    assert not may_release(order)

    with pytest.raises(BalanceDue, match="manager"):
        authorize_release(work_order=order, actor=cashier, reason="Regular customer")
    with pytest.raises(BalanceDue):
        authorize_release(work_order=order, actor=manager, reason=" ")
    release = authorize_release(work_order=order, actor=manager, reason="Fleet account, pays monthly")

    assert release.authorized_by == manager and release.balance == Decimal("226.68")
    assert may_release(order)


def test_a_job_on_an_invoice_cannot_be_removed_from_its_work_order(order, cashier, advisor):
    from workshop.exceptions import TransitionNotAllowed
    from workshop.services import remove_job

    job = _customer_draft(order, cashier).lines.get(job__approval=Approval.APPROVED).job
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.IN_WORKSHOP)

    with pytest.raises(TransitionNotAllowed, match="already on an invoice"):
        remove_job(job=job, actor=advisor)
    assert order.jobs.filter(pk=job.pk).exists()
