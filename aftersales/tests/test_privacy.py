"""A demo customer's data across the stages: the export lists it, the erasure anonymises it but issued invoices."""

import json

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.customers.privacy import REDACTED, erase_customer, export_customer
from aftersales.messaging.models import OutboxMessage
from followup.models import Concern
from invoicing.models import Invoice
from workshop.models import WorkOrderPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoiced_customer(demo_data):
    """A demo customer whose car went through the workshop and was invoiced (issued invoice)."""
    return Invoice.objects.filter(status=Invoice.Status.ISSUED).select_related("customer").first().customer


def test_a_demo_customer_export_lists_their_visits_work_orders_and_invoices(invoiced_customer):
    sections = export_customer(customer=invoiced_customer)["sections"]

    assert sections["appointments"] and sections["work_orders"] and sections["invoices"]
    assert any(row.get("number") for row in sections["invoices"])


def test_erasure_anonymises_the_customer_and_keeps_issued_invoices_untouched(invoiced_customer, manager):
    customer = invoiced_customer
    invoices_before = list(Invoice.objects.filter(customer=customer).values("pk", "bill_to", "content", "number", "gross_total"))
    Concern.objects.filter(customer=customer).update(description="Noise from the left wheel, call me on 0612345678")
    old_name = customer.last_name

    kept = erase_customer(customer=customer, actor=manager, reason="Written request of 12 May")

    customer.refresh_from_db()
    assert customer.last_name == f"{REDACTED} #{customer.pk}"
    assert (customer.first_name, customer.mobile, customer.phone_other, customer.email, customer.address, customer.city) == ("",) * 6
    assert list(Invoice.objects.filter(customer=customer).values("pk", "bill_to", "content", "number", "gross_total")) == invoices_before
    assert any("Invoice" in note for note in kept)
    assert not OutboxMessage.objects.filter(customer=customer).exclude(body=REDACTED).exists()
    assert not OutboxMessage.objects.filter(customer=customer, status=OutboxMessage.Status.QUEUED).exists()
    assert not Concern.objects.filter(customer=customer).exclude(description=REDACTED).exists()
    assert not WorkOrderPhoto.objects.filter(work_order__customer=customer).exists()
    assert old_name not in json.dumps(list(AuditEvent.objects.filter(object_id=str(customer.pk)).values_list("changes", flat=True)))
