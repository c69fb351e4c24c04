"""The demo's invoices and credit notes read back as a French customer's accountant would: with pdftotext and the
Factur-X validator. Every legal mention of the site's country, the lines in the customer's language, the credit note
titled and dated as one, and an XML that is valid and says what the PDF prints."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from aftersales.accounts.models import Site, User
from aftersales.lib.formatting import format_money
from aftersales.tests.documents import labels_in, pdf_text, spaced
from invoicing.chain import verify_site_chain
from invoicing.country_rules import FRANCE
from invoicing.models import Invoice
from invoicing.services import invoice_pdf, issue_credit_note

from .test_customer_language import INVOICE_LABELS

pytestmark = pytest.mark.django_db
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


@pytest.fixture(autouse=True)
def _demo(demo_data):
    """The demo dealer group: two invoices issued at each site."""


def _invoice(code: str) -> Invoice:
    return Invoice.objects.filter(site__code=code, status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE).order_by("sequence").first()


def _read(invoice: Invoice) -> tuple[str, bytes]:
    content = bytes(invoice_pdf(invoice).content)
    _filename, xml = get_facturx_xml_from_pdf(content, check_xsd=False)
    return spaced(pdf_text(content)), xml


def _cashier(site: Site) -> User:
    return User.objects.filter(sites=site, groups__name__in=["cashier", "manager"]).order_by("username").first()


def test_a_french_invoice_carries_every_legal_mention_in_french():
    invoice = _invoice("audi-lyon")

    text, _xml = _read(invoice)

    for mention in (
        "Horizon Lyon Automobiles SAS",
        "SAS au capital de 500 000,00 €",
        "RCS Lyon 412 345 670",
        "SIRET : 412 345 670 00019",
        "Numéro de TVA intracommunautaire : FR96412345670",
        f"Facture {invoice.number}",
        "Date de facture : 23 novembre 2026",
        "Date de la prestation : 23 novembre 2026",
        "Main-d'œuvre : Entretien de la climatisation",
        "Pièce : Fluide frigorigène R1234yf, 1 kg",
        "Pièce : Filtre d'habitacle (pollen)",
        "Conditions de paiement",
        "Pas d'escompte pour paiement anticipé",
        "trois fois le taux d'intérêt légal",
        "indemnité forfaitaire pour frais de recouvrement de 40,00 €",
        "200,52 €",
    ):
        assert mention in text, mention
    assert labels_in(text, INVOICE_LABELS) == []


def test_a_credit_note_is_titled_and_dated_as_one_and_names_the_lines_it_credits():
    invoice = _invoice("audi-lyon")
    labour = invoice.lines.get(kind="labour")

    note = issue_credit_note(invoice=invoice, actor=_cashier(invoice.site), reason="Geste commercial", line_ids=[labour.pk])
    text, xml = _read(note)

    assert f"Avoir {note.number}" in text and "Date de l'avoir : 23 novembre 2026" in text
    assert "Date de facture" not in text and "Conditions de paiement" not in text
    assert f"Avoir sur la facture {invoice.number}" in text and "Motif: Geste commercial" in text
    assert f"Crédite la ligne {labour.position} de la facture {invoice.number}" in text
    root = etree.fromstring(xml)
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert root.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS) == invoice.number
    assert verify_site_chain(invoice.site)[1] is None


def test_a_moscow_invoice_is_in_roubles_with_russian_terms_and_identity():
    invoice = _invoice("citroen-moscow")

    text, _xml = _read(invoice)

    for mention in (
        "ИНН / КПП: 7714123459 / 771401001",
        "ОГРН: 1027700132195",
        "Р/с: 40702810600000012345",
        "Банк: АО «Банк Горизонт»",
        "БИК: 044525999",
        "К/с: 30101810600000000999",
        "Оплата в рублях при получении автомобиля.",
        "ключевой ставке Банка России",
        "4 200,00 ₽",  # labour at the site's rouble rate
        "2 940,00 ₽",
    ):
        assert mention in text, mention
    assert "€" not in text and "EUR" not in text and "SIREN" not in text
    with translation.override("ru"):
        assert spaced(FRANCE.late_payment_clause()) not in text  # the French clause, translated, is not Moscow's


@pytest.mark.parametrize("code", ["audi-lyon", "citroen-moscow"])
def test_the_factur_x_xml_is_valid_and_says_what_the_pdf_prints(code):
    invoice = _invoice(code)

    text, xml = _read(invoice)
    root = etree.fromstring(xml)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    summation = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    totals = {child.tag.split("}")[1]: Decimal(child.text) for child in summation}
    assert totals["LineTotalAmount"] == totals["TaxBasisTotalAmount"] == invoice.net_total
    assert totals["TaxTotalAmount"] == invoice.vat_total and totals["GrandTotalAmount"] == totals["DuePayableAmount"] == invoice.gross_total
    with translation.override(invoice.customer.language):
        for amount in (invoice.net_total, invoice.vat_total, invoice.gross_total):
            assert spaced(format_money(amount, invoice.currency)) in text
    breakdown = [
        (Decimal(tax.findtext("ram:RateApplicablePercent", namespaces=NS)), Decimal(tax.findtext("ram:BasisAmount", namespaces=NS)))
        for tax in root.findall(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    ]
    assert breakdown == [(Decimal("20.00"), invoice.net_total)]
    lines = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)
    assert [Decimal(line.findtext(".//ram:LineTotalAmount", namespaces=NS)) for line in lines] == [
        line.net for line in invoice.lines.order_by("position")
    ]
    assert all(line.description in text for line in invoice.lines.all())
    seller = root.find(".//ram:SellerTradeParty", NS)
    assert seller.findtext("ram:Name", namespaces=NS) == invoice.site.legal_name
    assert root.findtext(".//ram:BuyerTradeParty/ram:Name", namespaces=NS) == invoice.bill_to
    assert root.findtext(".//ram:InvoiceCurrencyCode", namespaces=NS) == invoice.currency
    assert root.findtext(".//ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString", namespaces=NS) == "20261123"


def test_the_french_seller_is_identified_by_siren_and_vat_number_in_the_xml():
    _text, xml = _read(_invoice("audi-lyon"))
    seller = etree.fromstring(xml).find(".//ram:SellerTradeParty", NS)

    organization = seller.find("ram:SpecifiedLegalOrganization/ram:ID", NS)
    assert (organization.text, organization.get("schemeID")) == ("412345670", "0002")
    assert [(tax.text, tax.get("schemeID")) for tax in seller.findall("ram:SpecifiedTaxRegistration/ram:ID", NS)] == [
        ("FR96412345670", "VA")
    ]
    assert "RCS Lyon 412 345 670" in seller.findtext("ram:Description", namespaces=NS)


def test_the_pdf_is_a_pdf_a_3_with_the_xml_attached():
    content = bytes(invoice_pdf(_invoice("audi-lyon")).content)
    catalog = PdfReader(io.BytesIO(content)).trailer["/Root"]

    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp and b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert catalog["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert get_facturx_xml_from_pdf(content)[0] == "factur-x.xml"
