"""Catalogue names on invoices: written in the customer's language when issued, then frozen; the staff read their own."""

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import User
from aftersales.customers.models import Customer, LabourOperation, Part
from invoicing.exceptions import DocumentFrozen
from invoicing.models import InvoiceLine
from invoicing.services import issue_invoice, prepare_invoices

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(order):
    """The order's operation and part, with their names in French and Russian."""
    LabourOperation.objects.filter(description="Annual service").update(
        translations={"fr": {"description": "Révision annuelle"}, "ru": {"description": "Ежегодное ТО"}}
    )
    Part.objects.filter(name="Oil filter").update(translations={"fr": {"name": "Filtre à huile"}, "ru": {"name": "Масляный фильтр"}})
    return order


def _catalogue_lines(invoice) -> list[str]:
    return list(
        invoice.lines.filter(kind__in=[InvoiceLine.Kind.LABOUR, InvoiceLine.Kind.PART], reference__gt="").values_list(
            "description", flat=True
        )
    )


def test_a_french_customers_invoice_lines_are_written_in_french_and_stay_so(catalogue, cashier):
    with translation.override("en"):  # a cashier working in English
        invoice = issue_invoice(invoice=prepare_invoices(work_order=catalogue, actor=cashier)[0], actor=cashier)

    assert sorted(_catalogue_lines(invoice)) == ["Filtre à huile", "Révision annuelle"]
    assert any("Révision annuelle" in line[2] for line in invoice.content["lines"])  # sealed in the chained content
    line = invoice.lines.get(description="Filtre à huile")
    line.description = "Oil filter"
    with pytest.raises(DocumentFrozen):
        line.save()


def test_lines_drafted_before_the_customer_chose_french_are_issued_in_french(catalogue, cashier):
    Customer.objects.filter(pk=catalogue.customer_id).update(language="en")
    draft = prepare_invoices(work_order=catalogue, actor=cashier)[0]
    assert sorted(_catalogue_lines(draft)) == ["Annual service", "Oil filter"]
    Customer.objects.filter(pk=catalogue.customer_id).update(language="fr")

    invoice = issue_invoice(invoice=draft, actor=cashier)

    assert sorted(_catalogue_lines(invoice)) == ["Filtre à huile", "Révision annuelle"]


def test_the_staff_read_an_invoice_in_their_language_while_the_document_keeps_the_customers(client, catalogue, cashier):
    invoice = issue_invoice(invoice=prepare_invoices(work_order=catalogue, actor=cashier)[0], actor=cashier)
    User.objects.filter(pk=cashier.pk).update(language="ru")
    client.force_login(cashier)

    page = client.get(reverse("invoicing:invoice", args=[invoice.pk])).content.decode()

    assert "Ежегодное ТО" in page and "Масляный фильтр" in page
    assert "Révision annuelle" not in page and "Filtre à huile" not in page
    assert sorted(_catalogue_lines(invoice)) == ["Filtre à huile", "Révision annuelle"]
