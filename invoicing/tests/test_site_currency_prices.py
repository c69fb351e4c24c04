"""A Moscow invoice prices its parts in roubles, from the catalogue's rouble prices, and prints them as such."""

import pytest

from aftersales.customers.models import PartPrice
from aftersales.lib.formatting import format_money
from aftersales.tests.documents import pdf_text, spaced
from invoicing.models import Invoice, InvoiceLine
from invoicing.services import invoice_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(demo_data):
    """The demo dealer group: invoices issued at each site by the cashier's services."""


def test_a_moscow_invoice_prices_its_parts_in_roubles_and_prints_them():
    invoice = Invoice.objects.filter(site__code="citroen-moscow", status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE).first()
    parts = list(invoice.lines.filter(kind=InvoiceLine.Kind.PART).select_related("work_order_part"))
    roubles = dict(PartPrice.objects.filter(currency="RUB").values_list("part_id", "amount"))
    euros = dict(PartPrice.objects.filter(currency="EUR").values_list("part_id", "amount"))

    assert invoice.currency == "RUB" and parts
    for line in parts:
        part_id = line.work_order_part.part_id
        assert line.unit_price == roubles[part_id] != euros[part_id]
    text = spaced(pdf_text(bytes(invoice_pdf(invoice).content)))
    for line in parts:
        assert spaced(format_money(line.unit_price, "RUB", "ru")) in text
    assert "120,00 ₽" not in text and "24,50 ₽" not in text  # the euro figures of the refrigerant and cabin filter
