"""The invoice PDF and its e-mail are entirely in the customer's language, whatever language the cashier works in."""

import pytest
from django.core import mail
from django.utils import translation

from aftersales.customers.models import LabourOperation, Part
from aftersales.tests.documents import CJK, labels_in, pdf_text, spaced
from invoicing.services import issue_invoice, prepare_invoices

# Labels the invoice prints, in the English of the source: none may be left in a French customer's copy.
INVOICE_LABELS = [
    "Invoice",
    "VAT number",
    "Invoice date",
    "Date of the service",
    "Work order",
    "Advisor",
    "Bill to",
    "Vehicle",
    "Registration",
    "Mileage",
    "Details",
    "Quantity",
    "Unit price, before VAT",
    "Amount before VAT",
    "VAT breakdown",
    "VAT rate",
    "Total before VAT",
    "Total VAT",
    "Total, VAT included",
    "Work advised and declined",
    "advised before",
    "Faults found and not fixed",
    "Payment terms",
    "Late payment",
    "Labour",
    "Part",
    "EUR",
]
EMAIL_LABELS = ["Hello", "Thank you for your visit", "Please find attached", "Your", "invoice", "service team", "Phone"]


@pytest.fixture
def issued_by_a_chinese_cashier(order, cashier, django_capture_on_commit_callbacks):
    """The order's catalogue rows carry their French names; the cashier issues the invoice while working in Chinese."""
    LabourOperation.objects.filter(description="Annual service").update(translations={"fr": {"description": "Révision annuelle"}})
    Part.objects.filter(name="Oil filter").update(translations={"fr": {"name": "Filtre à huile"}})
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        return issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier, delivery="email")


def test_the_invoice_pdf_of_a_french_customer_is_entirely_french(issued_by_a_chinese_cashier):
    text = pdf_text(bytes(issued_by_a_chinese_cashier.pdf.content))

    for french in (
        "Facture",
        "Numéro de TVA intracommunautaire",
        "Révision annuelle",
        "Filtre à huile",
        "Total TTC",
        "Conditions de paiement",
        "43 210 km",
        "40,00 €",  # the fixed recovery fee, formatted like every amount
        "226,68 €",
    ):
        assert french in spaced(text), french
    assert not CJK.search(text), "the cashier's Chinese leaked into the customer's invoice"
    assert labels_in(text, INVOICE_LABELS) == []


def test_the_invoice_e_mail_of_a_french_customer_is_entirely_french(issued_by_a_chinese_cashier):
    sent = mail.outbox[-1]
    text = spaced(f"{sent.subject} {sent.body}")

    assert sent.to == ["claire.durand@example.test"] and issued_by_a_chinese_cashier.number in sent.subject
    assert "Bonjour Claire Durand" in text and "Votre facture" in text and "226,68 €" in text
    assert not CJK.search(text)
    assert labels_in(text, EMAIL_LABELS) == []
