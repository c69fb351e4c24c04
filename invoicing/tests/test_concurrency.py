"""Twenty cashiers issuing at the same moment, on PostgreSQL with one connection per thread: no gap, no duplicate, one chain."""

from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from invoicing.chain import verify_site_chain
from invoicing.models import Invoice, InvoiceCounter, InvoiceLine
from invoicing.services import issue_invoice, record_payment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent transactions and row locks"),
]
CASHIERS = 20


@pytest.fixture
def drafts(order, cashier, monkeypatch):
    monkeypatch.setattr("invoicing.services.issuing._deliver_after_commit", lambda invoice_pk: None)
    made = []
    for index in range(CASHIERS):
        draft = Invoice.objects.create(
            site=order.site,
            work_order=order,
            payer="customer",
            bill_to=f"Customer {index}",
            customer=order.customer,
            vehicle=order.vehicle,
            currency="EUR",
            created_by=cashier,
        )
        InvoiceLine.objects.create(
            invoice=draft,
            kind="sundry",
            job=order.jobs.first(),
            description="Shop supplies",
            quantity=1,
            unit_price=Decimal("10.00"),
            vat_rate=Decimal("20"),
            net=Decimal("10.00"),
            vat=Decimal("2.00"),
            variance_reason="Test",
        )
        made.append(draft)
    return made


def test_twenty_cashiers_issuing_at_once_get_consecutive_numbers_and_one_chain(drafts, cashier, order, run_concurrently):
    results = run_concurrently(*(partial(issue_invoice, invoice=draft, actor=cashier) for draft in drafts))

    assert [result for result in results if isinstance(result, Exception)] == []
    issued = Invoice.objects.filter(status="issued")
    assert sorted(issued.values_list("sequence", flat=True)) == list(range(1, CASHIERS + 1))
    assert len(set(issued.values_list("number", flat=True))) == CASHIERS
    assert sorted(issued.values_list("chain_position", flat=True)) == list(range(1, CASHIERS + 1))
    assert InvoiceCounter.objects.get(site=order.site).last == CASHIERS
    assert verify_site_chain(order.site) == (CASHIERS, None)


def test_payments_and_invoices_at_once_share_one_unbroken_chain(drafts, cashier, order, run_concurrently):
    results = run_concurrently(
        *(
            partial(issue_invoice, invoice=draft, actor=cashier)
            if index % 2
            else partial(record_payment, work_order=order, actor=cashier, method="card", amount=Decimal("1.00"))
            for index, draft in enumerate(drafts)
        )
    )

    assert [result for result in results if isinstance(result, Exception)] == []
    assert verify_site_chain(order.site) == (CASHIERS, None)
