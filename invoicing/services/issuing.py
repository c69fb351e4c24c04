"""Issuing: a draft numbered, frozen and chained, a credit note cancelling an invoice, the stored PDF and its e-mail."""

import hashlib

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.audit.services import record_change
from aftersales.lib.counters import take_next_number
from aftersales.lib.formatting import format_money
from aftersales.lib.pdf import render_pdf
from aftersales.messaging.services import queue_message
from workshop.models import job_text_sources

from ..chain import append_to_chain, invoice_content, lock_chain_head
from ..documents import invoice_document
from ..exceptions import InvalidInvoiceInput, NotInvoiceable, VarianceNotExplained
from ..message_texts import INVOICE_EMAIL_TEMPLATE
from ..models import ChainHead, Invoice, InvoiceCounter, InvoiceLine, InvoicePdf
from ._common import in_reader_language, lock_draft, refresh_totals, refuse_closed_period
from .preparing import INVOICEABLE_STATUSES, reader_language, unexplained_lines


def _next_invoice_number(site: Site, year: int) -> tuple[int, str]:
    """The next sequence of the site's invoices in the year, and the invoice number it makes (PREFIX-2026-000042)."""
    sequence = take_next_number(InvoiceCounter, site=site, year=year)
    return sequence, f"{site.invoice_prefix}-{year}-{sequence:06d}"


def issue_invoice(*, invoice: Invoice, actor: User, delivery: str = Invoice.Delivery.PAPER) -> Invoice:
    """Number, freeze and chain a draft; its PDF is stored (and e-mailed if chosen) once committed."""
    if delivery not in Invoice.Delivery.values:
        raise InvalidInvoiceInput(_("Choose an e-mailed or a paper invoice."), field="delivery")
    with transaction.atomic():
        head = lock_chain_head(invoice.site)
        draft = lock_draft(invoice)
        if not draft.lines.exists():
            raise InvalidInvoiceInput(_("An invoice needs at least one line."), field="lines")
        unexplained = unexplained_lines(draft)
        if unexplained:
            raise VarianceNotExplained(
                _("“%(line)s” differs from the signed estimate and approved extras: explain the difference or correct the line.")
                % {"line": unexplained[0].localized_description()},
                field="variance_reason",
            )
        if draft.kind == Invoice.Kind.INVOICE and draft.work_order.status not in INVOICEABLE_STATUSES:
            raise NotInvoiceable(_("This work order has not passed the quality check yet: it cannot be invoiced."), field="work_order")
        if delivery == Invoice.Delivery.EMAIL and not draft.customer.email:
            raise InvalidInvoiceInput(_("The customer has no e-mail address: hand over a paper invoice."), field="delivery")
        _write_in_reader_language(draft)
        _issue(draft, head, actor=actor, delivery=delivery)
    return draft


def _write_in_reader_language(draft: Invoice) -> None:
    """The lines copied from the catalogue, in the customer's language as it is now: issued, they never change again."""
    language = reader_language(draft)
    lines = draft.lines.select_related(*job_text_sources("job__"), "work_order_part__part")
    InvoiceLine.objects.bulk_update([line for line in lines if in_reader_language(line, language)], ["description"])


def _issue(draft: Invoice, head: ChainHead, *, actor: User, delivery: str) -> None:
    now = timezone.now()
    day = timezone.localtime(now, draft.site.tz).date()
    refuse_closed_period(draft.site, day)
    refresh_totals(draft)
    draft.year = day.year
    draft.sequence, draft.number = _next_invoice_number(draft.site, day.year)
    draft.issued_at, draft.issued_on, draft.issued_by, draft.delivery = now, day, actor, delivery
    draft.content = invoice_content(draft)
    append_to_chain(head, draft, draft.content)
    draft.status = Invoice.Status.ISSUED
    draft.save()
    record_change(
        actor=actor,
        obj=draft,
        action="update",
        changes={"status": [Invoice.Status.DRAFT, Invoice.Status.ISSUED], "number": [None, draft.number], "hash": [None, draft.hash]},
    )
    transaction.on_commit(lambda: _deliver_after_commit(draft.pk))


def _deliver_after_commit(invoice_pk: int) -> None:
    from ..tasks import deliver_invoice

    deliver_invoice.delay(invoice_pk)


def issue_credit_note(*, invoice: Invoice, actor: User, reason: str) -> Invoice:
    """Cancel an issued invoice by a credit note of the same lines; its work can then be invoiced again."""
    if not reason.strip():
        raise InvalidInvoiceInput(_("Say why the invoice is credited."), field="reason")
    with transaction.atomic():
        head = lock_chain_head(invoice.site)
        original = Invoice.objects.select_for_update(of=("self",)).select_related("site", "work_order").get(pk=invoice.pk)
        if not original.is_issued or original.kind != Invoice.Kind.INVOICE:
            raise InvalidInvoiceInput(_("Only an issued invoice can be credited."), field="invoice")
        if original.credit_notes.exists():
            raise InvalidInvoiceInput(_("This invoice is already credited."), field="invoice")
        credit = Invoice.objects.create(
            site=original.site,
            work_order=original.work_order,
            kind=Invoice.Kind.CREDIT_NOTE,
            payer=original.payer,
            bill_to=original.bill_to,
            customer=original.customer,
            vehicle=original.vehicle,
            mileage=original.mileage,
            credited=original,
            reason=reason.strip()[:300],
            currency=original.currency,
            payment_terms=original.payment_terms,
            created_by=actor,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=credit,
                position=line.position,
                kind=line.kind,
                job=line.job,
                work_order_part=line.work_order_part,
                description=line.description,
                reference=line.reference,
                quantity=line.quantity,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                net=line.net,
                vat=line.vat,
                expected_net=line.net,
            )
            for line in original.lines.all()
        )
        _issue(credit, head, actor=actor, delivery=original.delivery)
    return credit


def invoice_pdf(invoice: Invoice) -> InvoicePdf:
    """The stored PDF of an issued invoice, rendered and kept the first time it is asked for."""
    if not invoice.is_issued:
        raise InvalidInvoiceInput(_("A draft has no PDF: issue it first."), field="invoice")
    stored = InvoicePdf.objects.filter(invoice=invoice).first()
    if stored is not None:
        return stored
    language = reader_language(invoice)
    content = render_pdf("pdf/invoicing_invoice.html", invoice_document(invoice), language, invoice.site.tz)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        stored = InvoicePdf.objects.filter(invoice=locked).first()
        if stored is None:
            stored = InvoicePdf.objects.create(
                invoice=locked, content=content, sha256=hashlib.sha256(content).hexdigest(), language=language
            )
    return stored


def deliver_invoice(*, invoice: Invoice) -> None:
    """Store the PDF; an e-mailed invoice goes to the customer with it attached (once: idempotency key)."""
    pdf = invoice_pdf(invoice)
    if invoice.delivery != Invoice.Delivery.EMAIL:
        return
    with transaction.atomic(), translation.override(reader_language(invoice)):
        queue_message(
            customer=invoice.customer,
            template=INVOICE_EMAIL_TEMPLATE,
            about=invoice,
            purpose="service",
            channel="email",
            idempotency_key=f"invoice-email:{invoice.pk}",
            urgent=True,
            attachments=[(f"{invoice.number}.pdf", bytes(pdf.content), "application/pdf")],
            context={
                "number": invoice.number,
                "vehicle": str(invoice.vehicle),
                "kind": invoice.get_kind_display(),
                "total": format_money(invoice.gross_total, invoice.currency),
            },
        )
