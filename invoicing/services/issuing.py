"""Issuing: a draft numbered, frozen and chained, a credit note cancelling an invoice in whole or in part, the stored
PDF (a Factur-X document: PDF/A-3 with its CII XML) and its e-mail."""

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.audit.services import record_change
from aftersales.customers.models import Customer
from aftersales.lib.counters import take_next_number
from aftersales.lib.formatting import format_money
from aftersales.lib.money import CENT, to_cents, vat_on
from aftersales.lib.pdf import render_pdf
from aftersales.messaging.services import queue_message
from workshop.models import Payer, QualityCheck, WorkOrder, job_text_sources

from ..chain import append_to_chain, invoice_content, lock_chain_head
from ..documents import invoice_document
from ..exceptions import InvalidInvoiceInput, NotInvoiceable, VarianceNotExplained
from ..facturx import embedded_xml, facturx_pdf, facturx_xml
from ..message_texts import INVOICE_EMAIL_TEMPLATE
from ..models import ChainHead, Invoice, InvoiceCounter, InvoiceLine, InvoicePdf
from ._common import checked_decimal, in_reader_language, lock_draft, refresh_totals, refuse_closed_period
from .payments import use_customer_credit
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
        if draft.kind == Invoice.Kind.INVOICE:
            draft.service_from, draft.service_to = _service_period(draft.work_order)
        _issue(draft, head, actor=actor, delivery=delivery)
        if draft.kind == Invoice.Kind.INVOICE and draft.payer == Payer.CUSTOMER:
            use_customer_credit(head=head, work_order=draft.work_order, actor=actor)
    return draft


def _service_period(order: WorkOrder) -> tuple[date, date]:
    """The days of the service, in the site's time zone: from the reception to the quality check that passed."""
    start = timezone.localtime(order.created_at, order.site.tz).date()
    check = QualityCheck.objects.filter(work_order=order, passed=True).order_by("-checked_at", "-pk").first()
    end = timezone.localtime(check.checked_at if check else timezone.now(), order.site.tz).date()
    return start, max(start, end)


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


def issue_credit_note(
    *, invoice: Invoice, actor: User, reason: str, line_ids: Sequence[int] = (), amount: Decimal | None = None
) -> Invoice:
    """Cancel an issued invoice, in whole or in part, by a credit note naming the invoice and each line it credits.

    Nothing chosen: all that is not credited yet (its work can then be invoiced again). ``line_ids``: those lines,
    what is left of each. ``amount`` (before VAT): that much, spread over the chosen lines (every line when none is
    chosen) in proportion to what is left of each; each line keeps its VAT rate.
    """
    if not reason.strip():
        raise InvalidInvoiceInput(_("Say why the invoice is credited."), field="reason")
    if amount is not None:
        amount = checked_decimal(amount, "amount", minimum=Decimal("0.01"))
        if amount != to_cents(amount):
            raise InvalidInvoiceInput(_("Enter the amount in cents at most."), field="amount")
    with transaction.atomic():
        head = lock_chain_head(invoice.site)
        original = Invoice.objects.select_for_update(of=("self",)).select_related("site", "work_order").get(pk=invoice.pk)
        if not original.is_issued or original.kind != Invoice.Kind.INVOICE:
            raise InvalidInvoiceInput(_("Only an issued invoice can be credited."), field="invoice")
        left = _left_to_credit(original)
        if not any(left.values()):
            raise InvalidInvoiceInput(_("This invoice is already credited."), field="invoice")
        wanted = set(line_ids)
        chosen = [line for line in left if line.pk in wanted] if wanted else list(left)
        if wanted and len(chosen) != len(wanted):
            raise InvalidInvoiceInput(_("Choose lines of this invoice."), field="lines")
        shares = _credited_shares(chosen, left, amount, original.currency)
        if sum(net for _line, net in shares) <= 0:
            raise InvalidInvoiceInput(_("A credit note credits a positive amount: choose other lines."), field="lines")
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
            service_from=original.service_from,
            service_to=original.service_to,
            created_by=actor,
        )
        InvoiceLine.objects.bulk_create(_credit_line(credit, position, line, net) for position, (line, net) in enumerate(shares, start=1))
        _issue(credit, head, actor=actor, delivery=original.delivery)
    return credit


def _left_to_credit(original: Invoice) -> dict[InvoiceLine, Decimal]:
    """Each line of the invoice and what of it no credit note credited yet (before VAT)."""
    lines = list(original.lines.order_by("position", "pk"))
    notes = InvoiceLine.objects.filter(invoice__credited=original, invoice__status=Invoice.Status.ISSUED)
    if notes.filter(credited_line__isnull=True).exists():  # a credit note from before partial credits: it credited everything
        return dict.fromkeys(lines, Decimal("0.00"))
    credited = dict(notes.values("credited_line").annotate(total=Sum("net")).values_list("credited_line", "total"))
    return {line: line.net - to_cents(credited.get(line.pk) or 0) for line in lines}


def _credited_shares(chosen: list[InvoiceLine], left: dict, amount: Decimal | None, currency: str) -> list[tuple[InvoiceLine, Decimal]]:
    """(line, net credited) for each line credited: what is left of it, or its share of ``amount``, cent by cent."""
    if amount is None:
        return [(line, left[line]) for line in chosen if left[line]]
    open_lines = [line for line in chosen if left[line] > 0]
    room = sum((left[line] for line in open_lines), Decimal("0.00"))
    if amount > room:
        raise InvalidInvoiceInput(
            _("At most %(room)s before VAT is left to credit on these lines.") % {"room": format_money(room, currency)}, field="amount"
        )
    exact = [amount * left[line] / room for line in open_lines]
    shares = [share.quantize(CENT, ROUND_DOWN) for share in exact]
    cents_left = int((amount - sum(shares, Decimal("0"))) / CENT)
    for index in sorted(range(len(shares)), key=lambda i: exact[i] - shares[i], reverse=True)[:cents_left]:
        shares[index] += CENT
    return [(line, share) for line, share in zip(open_lines, shares, strict=True) if share]


def _credit_line(credit: Invoice, position: int, line: InvoiceLine, net: Decimal) -> InvoiceLine:
    whole = net == line.net
    return InvoiceLine(
        invoice=credit,
        position=position,
        kind=line.kind,
        job=line.job,
        work_order_part=line.work_order_part,
        description=line.description,
        reference=line.reference,
        quantity=line.quantity if whole else Decimal("1"),
        unit_price=line.unit_price if whole else net,
        vat_rate=line.vat_rate,
        net=net,
        vat=line.vat if whole else vat_on(net, line.vat_rate),
        expected_net=net,
        credited_line=line,
    )


def invoice_pdf(invoice: Invoice) -> InvoicePdf:
    """The stored PDF of an issued invoice, rendered and kept the first time it is asked for."""
    if not invoice.is_issued:
        raise InvalidInvoiceInput(_("A draft has no PDF: issue it first."), field="invoice")
    stored = InvoicePdf.objects.filter(invoice=invoice).first()
    if stored is not None:
        return stored
    language = reader_language(invoice)
    document = invoice_document(invoice)
    printed = render_pdf("pdf/invoicing_invoice.html", document, language, invoice.site.tz, variant="pdf/a-3b")
    content = facturx_pdf(printed, facturx_xml(document, language), document, language)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        stored = InvoicePdf.objects.filter(invoice=locked).first()
        if stored is None:
            stored = InvoicePdf.objects.create(
                invoice=locked, content=content, sha256=hashlib.sha256(content).hexdigest(), language=language
            )
    return stored


def deliver_invoice(*, invoice: Invoice) -> None:
    """Store the PDF; an e-mailed invoice goes to the customer with it attached (once: idempotency key).

    The PDF is a Factur-X invoice; a business customer also gets its XML as a file of its own, for their accounts.
    """
    pdf = invoice_pdf(invoice)
    if invoice.delivery != Invoice.Delivery.EMAIL:
        return
    attachments = [(f"{invoice.number}.pdf", bytes(pdf.content), "application/pdf")]
    if invoice.customer.kind != Customer.Kind.PRIVATE:
        attachments.append((f"{invoice.number}-factur-x.xml", stored_facturx_xml(invoice), "application/xml"))
    with transaction.atomic(), translation.override(reader_language(invoice)):
        queue_message(
            customer=invoice.customer,
            template=INVOICE_EMAIL_TEMPLATE,
            about=invoice,
            purpose="service",
            channel="email",
            idempotency_key=f"invoice-email:{invoice.pk}",
            urgent=True,
            attachments=attachments,
            context={
                "number": invoice.number,
                "vehicle": str(invoice.vehicle),
                "kind": invoice.get_kind_display(),
                "total": format_money(invoice.gross_total, invoice.currency),
            },
        )


def stored_facturx_xml(invoice: Invoice) -> bytes:
    """The CII XML embedded in the invoice's stored PDF; for a PDF stored before Factur-X, built from the frozen invoice."""
    pdf = invoice_pdf(invoice)
    return embedded_xml(bytes(pdf.content)) or facturx_xml(invoice_document(invoice), pdf.language)
