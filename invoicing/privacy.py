"""Invoicing's part of a customer's export and erasure (aftersales.customers.privacy).

Issued invoices and payments are immutable (database triggers refuse any
change) and must be kept for the legal period: they keep the billing
identity they were issued with (``bill_to`` and the issued ``content``).
The handover's delivery signature is kept as proof of delivery; the
customer's test-drive impressions are erased.
"""

from django.utils.translation import gettext

from aftersales.customers.privacy import REDACTED, rows

from .models import Handover, Invoice, InvoiceLine, Payment, SalesLead


def export_invoices(customer) -> list[dict]:
    invoices = Invoice.objects.filter(customer=customer).order_by("pk")
    return [
        *rows(invoices),
        *rows(InvoiceLine.objects.filter(invoice__in=invoices).order_by("pk")),
        *rows(Payment.objects.filter(work_order__customer=customer).order_by("pk")),
        *rows(Handover.objects.filter(work_order__customer=customer).order_by("pk")),
        *rows(SalesLead.objects.filter(customer=customer).order_by("pk")),
    ]


def erase_invoices(customer) -> list[str]:
    SalesLead.objects.filter(customer=customer).update(impressions=REDACTED)
    issued = Invoice.objects.filter(customer=customer, status=Invoice.Status.ISSUED).values_list("number", flat=True)
    return [
        gettext("Invoice %(number)s: kept as issued, with its billing identity (legal retention).") % {"number": number}
        for number in issued
    ]
