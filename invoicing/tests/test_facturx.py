"""Factur-X beside the PDF: the XML on its own for the staff, the XML e-mailed to a business customer; and what every
customer document prints: the seller's identity (invoice and work order), the service period, one unfixed fault a line."""

from decimal import Decimal

import pytest
from django.urls import reverse
from facturx import get_facturx_xml_from_pdf, xml_check_xsd

from aftersales.accounts.legal_identity import LegalIdentity
from aftersales.customers.models import Customer
from aftersales.messaging.models import OutboxAttachment, OutboxMessage
from aftersales.tests.documents import pdf_text, spaced
from invoicing.services import issue_invoice, prepare_invoices


@pytest.fixture
def identity(site):
    site.vat_number = "FR11123456782"
    site.save()
    return LegalIdentity.objects.create(
        site=site, legal_form="SAS", share_capital=Decimal("80000"), siren="123456782", siret="12345678200010", rcs_city="Lyon"
    )


def _issue(order, cashier, capture, delivery="email"):
    with capture(execute=True):
        return issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier, delivery=delivery)


def test_the_staff_download_the_xml_it_carries(client, order, cashier, advisor, identity, django_capture_on_commit_callbacks):
    invoice = _issue(order, cashier, django_capture_on_commit_callbacks)
    client.force_login(cashier)

    response = client.get(reverse("invoicing:facturx", args=[invoice.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}-factur-x.xml"'
    assert response.content == get_facturx_xml_from_pdf(bytes(invoice.pdf.content))[1]
    assert xml_check_xsd(response.content, flavor="factur-x", level="en16931")
    client.force_login(advisor)  # the advisor reads invoices too
    assert client.get(reverse("invoicing:facturx", args=[invoice.pk])).status_code == 200


def test_a_draft_has_no_xml(client, order, cashier):
    draft = prepare_invoices(work_order=order, actor=cashier)[0]
    client.force_login(cashier)

    assert client.get(reverse("invoicing:facturx", args=[draft.pk])).status_code == 404


def test_a_business_customer_gets_the_factur_x_pdf_and_its_xml_by_e_mail(order, cashier, identity, django_capture_on_commit_callbacks):
    Customer.objects.filter(pk=order.customer_id).update(kind=Customer.Kind.COMPANY, company_name="Durand Transports")
    order.customer.refresh_from_db()

    invoice = _issue(order, cashier, django_capture_on_commit_callbacks)

    message = OutboxMessage.objects.get(template_key="invoice_email")
    files = {attachment.filename: attachment for attachment in OutboxAttachment.objects.filter(message=message)}
    assert set(files) == {f"{invoice.number}.pdf", f"{invoice.number}-factur-x.xml"}
    pdf = bytes(files[f"{invoice.number}.pdf"].content)
    assert get_facturx_xml_from_pdf(pdf)[1] == bytes(files[f"{invoice.number}-factur-x.xml"].content)
    assert files[f"{invoice.number}-factur-x.xml"].mimetype == "application/xml"


def test_a_private_customer_gets_the_pdf_alone(order, cashier, django_capture_on_commit_callbacks):
    invoice = _issue(order, cashier, django_capture_on_commit_callbacks)

    files = OutboxAttachment.objects.filter(message__template_key="invoice_email").values_list("filename", flat=True)
    assert list(files) == [f"{invoice.number}.pdf"]


def test_faults_found_and_not_fixed_print_one_a_line(make_ready_order, templates, cashier, django_capture_on_commit_callbacks):
    order = make_ready_order(unfixed="Pneus arrière à 3 mm\n\nBalai d'essuie-glace arrière fendu\n  Fuite d'huile légère  ")

    invoice = _issue(order, cashier, django_capture_on_commit_callbacks, delivery="paper")

    text = pdf_text(bytes(invoice.pdf.content))
    assert "• Pneus arrière à 3 mm • Balai d'essuie-glace arrière fendu • Fuite d'huile légère" in spaced(text)


def test_the_work_order_pdf_prints_the_sellers_identity(client, order, advisor, identity):
    client.force_login(advisor)

    text = spaced(pdf_text(client.get(reverse("workshop:pdf", args=[order.pk])).content))

    for mention in ("SAS au capital de 80 000,00 €", "RCS Lyon 123 456 782", "SIRET : 123 456 782 00010", "FR11123456782"):
        assert mention in text, mention
