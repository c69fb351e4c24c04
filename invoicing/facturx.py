"""Factur-X (EN 16931 profile): the invoice's CII XML, and the PDF/A-3 that carries it.

``facturx_xml(document, language)`` writes the Cross Industry Invoice of what
the PDF prints (``invoicing.documents.invoice_document``): the same number,
dates, parties, lines, VAT breakdown and totals, the texts in the customer's
language. ``facturx_pdf`` embeds it in the printed PDF/A-3 with the Factur-X
metadata, through the ``factur-x`` library, which checks the XML against the
profile's XSD first. ``embedded_xml`` reads it back from a stored PDF.

Amounts are stored positive on a credit note (type 381, referring to the
credited invoice) as on an invoice (380). A discount line (negative amount)
is written as a negative quantity at a positive price, since the net price
of an item may not be negative (BR-27).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import translation
from facturx import generate_from_binary, get_facturx_xml_from_pdf
from lxml import etree

from aftersales.accounts.legal_identity import LegalIdentity, seller_mentions
from workshop.models import Payer

from .models import Invoice, InvoiceLine

PROFILE = "urn:cen.eu:en16931:2017"
NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
TYPE_CODES = {Invoice.Kind.INVOICE: "380", Invoice.Kind.CREDIT_NOTE: "381"}
HOURS, UNITS = "HUR", "C62"  # UN/ECE recommendation 20: hour, one
SIREN_SCHEME = "0002"  # ISO 6523: the French SIREN


def _element(parent, tag: str, text=None, **attributes):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", {key: str(value) for key, value in attributes.items()})
    if text is not None:
        node.text = str(text)
    return node


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _day(parent, tag: str, day: date, data_type: str = "udt") -> None:
    _element(_element(parent, tag), f"{data_type}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _address(party, *, line: str, postcode: str, city: str, country: str) -> None:
    address = _element(party, "ram:PostalTradeAddress")
    if postcode:
        _element(address, "ram:PostcodeCode", postcode)
    if line:
        _element(address, "ram:LineOne", line)
    if city:
        _element(address, "ram:CityName", city)
    _element(address, "ram:CountryID", country.upper())


def _seller(agreement, invoice: Invoice, identity: LegalIdentity | None) -> None:
    site = invoice.site
    party = _element(agreement, "ram:SellerTradeParty")
    _element(party, "ram:Name", site.legal_name or site.name)
    mentions = seller_mentions(site, identity)
    if mentions:
        _element(party, "ram:Description", " · ".join(mentions))
    registration = _registration(site.country, identity)
    if registration:
        organization = _element(party, "ram:SpecifiedLegalOrganization")
        number, scheme = registration
        _element(organization, "ram:ID", number, **({"schemeID": scheme} if scheme else {}))
        _element(organization, "ram:TradingBusinessName", site.name)
    _address(party, line=site.address, postcode=site.postcode, city=site.city, country=site.country)
    if site.email:
        _element(_element(party, "ram:URIUniversalCommunication"), "ram:URIID", site.email, schemeID="EM")
    if site.vat_number and site.vat_number[:2].isalpha():
        _element(_element(party, "ram:SpecifiedTaxRegistration"), "ram:ID", site.vat_number, schemeID="VA")
    tax_number = _tax_number(site.country, identity)
    if tax_number:
        _element(_element(party, "ram:SpecifiedTaxRegistration"), "ram:ID", tax_number, schemeID="FC")


def _registration(country: str, identity: LegalIdentity | None) -> tuple[str, str] | None:
    """The seller's legal registration (BT-30) and its scheme."""
    if identity is None:
        return None
    if country == "FR" and identity.siren:
        return identity.siren, SIREN_SCHEME
    number = {"RU": identity.ogrn, "CN": identity.uscc}.get(country, "")
    return (number, "") if number else None


def _tax_number(country: str, identity: LegalIdentity | None) -> str:
    """The seller's national tax registration (BT-32) where the VAT number is not an EU one: ИНН, USCC."""
    if identity is None:
        return ""
    return {"RU": identity.inn, "CN": identity.uscc}.get(country, "")


def _buyer(agreement, invoice: Invoice) -> None:
    customer, site = invoice.customer, invoice.site
    party = _element(agreement, "ram:BuyerTradeParty")
    _element(party, "ram:Name", invoice.bill_to)
    if invoice.payer == Payer.CUSTOMER:
        _address(party, line=customer.address, postcode=customer.postcode, city=customer.city, country=customer.country or site.country)
        if customer.email:
            _element(_element(party, "ram:URIUniversalCommunication"), "ram:URIID", customer.email, schemeID="EM")
    else:
        _address(party, line="", postcode="", city="", country=site.country)


def _line(transaction_node, line: InvoiceLine, invoice: Invoice) -> None:
    item = _element(transaction_node, "ram:IncludedSupplyChainTradeLineItem")
    document_line = _element(item, "ram:AssociatedDocumentLineDocument")
    _element(document_line, "ram:LineID", line.position)
    notes = [line.variance_reason]
    if line.credited_line_id:
        notes.append(
            translation.gettext("Credits line %(position)s of invoice %(number)s")
            % {"position": line.credited_line.position, "number": invoice.credited.number}
        )
    for note in filter(None, notes):
        _element(_element(document_line, "ram:IncludedNote"), "ram:Content", note)
    product = _element(item, "ram:SpecifiedTradeProduct")
    if line.reference:
        _element(product, "ram:SellerAssignedID", line.reference)
    _element(
        product,
        "ram:Name",
        translation.gettext("%(kind)s: %(description)s") % {"kind": line.get_kind_display(), "description": line.description},
    )
    negative = line.unit_price < 0
    price = _element(_element(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    _element(price, "ram:ChargeAmount", _amount(abs(line.unit_price)))
    quantity = -line.quantity if negative else line.quantity
    unit = HOURS if line.kind == InvoiceLine.Kind.LABOUR else UNITS
    _element(_element(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", f"{quantity:.2f}", unitCode=unit)
    settlement = _element(item, "ram:SpecifiedLineTradeSettlement")
    tax = _element(settlement, "ram:ApplicableTradeTax")
    _element(tax, "ram:TypeCode", "VAT")
    _element(tax, "ram:CategoryCode", _category(line.vat_rate))
    _element(tax, "ram:RateApplicablePercent", _amount(line.vat_rate))
    _element(_element(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount", _amount(line.net))


def _category(rate: Decimal) -> str:
    """UNCL 5305: standard rate, or zero rated."""
    return "S" if rate > 0 else "Z"


def _settlement(transaction_node, document: dict, due_on: date) -> None:
    invoice, rules = document["invoice"], document["rules"]
    settlement = _element(transaction_node, "ram:ApplicableHeaderTradeSettlement")
    _element(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    for row in document["totals"].by_rate:
        tax = _element(settlement, "ram:ApplicableTradeTax")
        _element(tax, "ram:CalculatedAmount", _amount(row.vat))
        _element(tax, "ram:TypeCode", "VAT")
        _element(tax, "ram:BasisAmount", _amount(row.net))
        _element(tax, "ram:CategoryCode", _category(row.rate))
        _element(tax, "ram:RateApplicablePercent", _amount(row.rate))
    if invoice.service_from and rules.states_service_date:
        period = _element(settlement, "ram:BillingSpecifiedPeriod")
        _day(period, "ram:StartDateTime", invoice.service_from)
        _day(period, "ram:EndDateTime", invoice.service_to)
    terms = _element(settlement, "ram:SpecifiedTradePaymentTerms")
    if invoice.payment_terms:
        _element(terms, "ram:Description", invoice.payment_terms)
    _day(terms, "ram:DueDateDateTime", due_on)
    summation = _element(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _element(summation, "ram:LineTotalAmount", _amount(invoice.net_total))
    _element(summation, "ram:TaxBasisTotalAmount", _amount(invoice.net_total))
    _element(summation, "ram:TaxTotalAmount", _amount(invoice.vat_total), currencyID=invoice.currency)
    _element(summation, "ram:GrandTotalAmount", _amount(invoice.gross_total))
    _element(summation, "ram:DuePayableAmount", _amount(invoice.gross_total))
    if invoice.credited_id:
        referenced = _element(settlement, "ram:InvoiceReferencedDocument")
        _element(referenced, "ram:IssuerAssignedID", invoice.credited.number)
        _day(referenced, "ram:FormattedIssueDateTime", invoice.credited.issued_on, "qdt")


def facturx_xml(document: dict, language: str) -> bytes:
    """The CII XML (Factur-X EN 16931) of the document the invoice PDF prints, its texts in ``language``."""
    invoice = document["invoice"]
    identity = LegalIdentity.objects.filter(site=invoice.site).first()
    rules = document["rules"]
    with translation.override(language):
        root = etree.Element(f"{{{NAMESPACES['rsm']}}}CrossIndustryInvoice", nsmap=NAMESPACES)
        context = _element(root, "rsm:ExchangedDocumentContext")
        _element(_element(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", PROFILE)
        header = _element(root, "rsm:ExchangedDocument")
        _element(header, "ram:ID", invoice.number)
        _element(header, "ram:TypeCode", TYPE_CODES[invoice.kind])
        _day(header, "ram:IssueDateTime", invoice.issued_on)
        notes = [("", invoice.reason), ("PMD", rules.late_payment_clause())]
        for subject, text in notes:
            if text:
                note = _element(header, "ram:IncludedNote")
                _element(note, "ram:Content", text)
                if subject:
                    _element(note, "ram:SubjectCode", subject)
        transaction_node = _element(root, "rsm:SupplyChainTradeTransaction")
        for line in document["lines"]:
            _line(transaction_node, line, invoice)
        agreement = _element(transaction_node, "ram:ApplicableHeaderTradeAgreement")
        _seller(agreement, invoice, identity)
        _buyer(agreement, invoice)
        _element(_element(agreement, "ram:SellerOrderReferencedDocument"), "ram:IssuerAssignedID", invoice.work_order.number)
        delivery = _element(transaction_node, "ram:ApplicableHeaderTradeDelivery")
        if invoice.service_to:
            _day(_element(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", invoice.service_to)
        days = 0 if invoice.payer == Payer.CUSTOMER else rules.account_days
        _settlement(transaction_node, document, invoice.issued_on + timedelta(days=days))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def facturx_pdf(pdf: bytes, xml: bytes, document: dict, language: str) -> bytes:
    """The printed PDF/A-3 with the XML embedded as factur-x.xml and the Factur-X metadata (the XML checked on its XSD)."""
    invoice = document["invoice"]
    seller = invoice.site.legal_name or invoice.site.name
    with translation.override(language):
        title = f"{seller}: {invoice.get_kind_display()} {invoice.number}"
    metadata = {"author": seller, "keywords": "Factur-X", "title": title, "subject": title}
    return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True, pdf_metadata=metadata, lang=language)


def embedded_xml(pdf: bytes) -> bytes | None:
    """The Factur-X XML a PDF carries (None for a PDF without one)."""
    _filename, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    return xml or None
