"""Invoicing writes: prepare, correct, issue, credit, take payment, close periods, hand the car over.

Every service runs in one transaction, locks what it changes, refuses what
the state does not allow with an ``InvoicingError`` naming the field, and
records an audit row. Chained writes (issuing, credit notes, payments,
closures) lock the site's ``ChainHead`` first, always before anything else
(no deadlock), so they are serialised per site; the invoice counter is locked
after it. Row locks take ``of=("self",)`` so joined rows stay unlocked. The PDF and the e-mail are
deferred with ``transaction.on_commit``.

Only approved work is invoiced: a job (and its parts) counts when the
customer agreed to it at reception or approved it later
(``INVOICEABLE_APPROVALS``). Every invoice line remembers what the customer
agreed to (``expected_net``: the signed estimate's price, or the approved
addition's price); a line that differs cannot be issued without a reason.
"""

import calendar
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.audit.services import model_changes, record_change
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import MileageReading
from aftersales.customers.services import record_mileage, update_vehicle
from aftersales.lib.counters import take_next_number
from aftersales.lib.formatting import format_money, format_number
from aftersales.lib.money import ZERO, line_total, to_cents, vat_on, vat_rounding, vat_totals
from aftersales.lib.pdf import render_pdf
from aftersales.messaging.codes import issue_code, verify_code
from aftersales.messaging.exceptions import CodeRefused
from aftersales.messaging.services import queue_message
from appointments.models import LoanerReservation
from appointments.services import close_loaner_reservation
from workshop.exceptions import SignatureRefused
from workshop.models import Approval, DeferredWork, Payer, QualityCheck, WorkOrder, WorkOrderJob, job_text_sources
from workshop.services import canonical_json, mark_delivered, signature_png

from .documents import invoice_document
from .exceptions import (
    BalanceDue,
    DocumentFrozen,
    HandoverError,
    InvalidInvoiceInput,
    NotInvoiceable,
    PeriodClosed,
    VarianceNotExplained,
)
from .message_texts import INVOICE_EMAIL_TEMPLATE
from .models import (
    ChainHead,
    Closure,
    Handover,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoicePdf,
    LoanerReturn,
    Payment,
    ReleaseAuthorization,
    SalesLead,
)

# The workshop status a work order reaches when its quality check passed: the only one invoiced.
READY_FOR_INVOICING = WorkOrder.Status.READY
# A handed-over car can still get the invoices left to issue (a warranty claim settled later, say).
INVOICEABLE_STATUSES = (WorkOrder.Status.READY, WorkOrder.Status.DELIVERED)
INVOICEABLE_APPROVALS = (Approval.AGREED, Approval.APPROVED)
HANDOVER_CODE_PURPOSE = "handover_signature"
CHAIN_SALT = "invoicing.chain-seal"


# --- the hash chain ---------------------------------------------------------------


def chain_hash(previous_hash: str, content: dict) -> str:
    return hashlib.sha256((previous_hash + canonical_json(content)).encode()).hexdigest()


def chain_seal(digest: str) -> str:
    """A keyed signature of a hash: rewriting the chain needs the server's secret, not only database access."""
    return salted_hmac(CHAIN_SALT, digest, secret=settings.INVOICING_CHAIN_KEY, algorithm="sha256").hexdigest()


def _lock_chain(site: Site) -> ChainHead:
    head, _created = ChainHead.objects.get_or_create(site=site)
    return ChainHead.objects.select_for_update().get(pk=head.pk)


def _chain(head: ChainHead, row, content: dict) -> None:
    """Give ``row`` the next position of its site's chain and its hashes; the caller saves both."""
    head.position += 1
    row.chain_position = head.position
    row.previous_hash = head.hash
    row.hash = chain_hash(head.hash, content)
    row.seal = chain_seal(row.hash)
    head.hash = row.hash
    head.save(update_fields=["position", "hash"])


def _fixed(value: Decimal) -> str:
    """A decimal as stored (two places), whether read from the database or still in memory."""
    return f"{Decimal(value):.2f}"


def invoice_content(invoice: Invoice) -> dict:
    """What an issued invoice or credit note says, as plain data (its hash binds to it)."""
    lines = invoice.lines.order_by("position", "pk")
    return {
        "type": "invoice",
        "kind": invoice.kind,
        "site": invoice.site.code,
        "seller": [invoice.site.legal_name, invoice.site.vat_number],
        "number": invoice.number,
        "issued_at": invoice.issued_at.isoformat() if invoice.issued_at else None,
        "issued_on": invoice.issued_on.isoformat() if invoice.issued_on else None,
        "work_order": invoice.work_order.number,
        "payer": invoice.payer,
        "bill_to": invoice.bill_to,
        "customer": invoice.customer_id,
        "vehicle": [invoice.vehicle.vin, invoice.vehicle.plate, invoice.mileage],
        "credited": invoice.credited.number if invoice.credited_id else None,
        "reason": invoice.reason,
        "currency": invoice.currency,
        "lines": [
            [
                line.kind,
                line.job_id,
                line.description,
                line.reference,
                *map(_fixed, (line.quantity, line.unit_price, line.vat_rate, line.net, line.vat)),
                line.variance_reason,
            ]
            for line in lines
        ],
        "totals": [_fixed(invoice.net_total), _fixed(invoice.vat_total), _fixed(invoice.gross_total)],
        "payment_terms": invoice.payment_terms,
    }


def payment_content(payment: Payment) -> dict:
    return {
        "type": "payment",
        "site": payment.site.code,
        "work_order": payment.work_order.number,
        "method": payment.method,
        "amount": _fixed(payment.amount),
        "tendered": _fixed(payment.tendered) if payment.tendered is not None else None,
        "change": _fixed(payment.change_given),
        "currency": payment.currency,
        "deposit": payment.is_deposit,
        "reference": payment.reference,
        "received_at": payment.received_at.isoformat(),
        "received_on": payment.received_on.isoformat(),
        "received_by": payment.received_by_id,
    }


def closure_content(closure: Closure) -> dict:
    return {
        "type": "closure",
        "site": closure.site.code,
        "period": closure.period,
        "starts_on": closure.starts_on.isoformat(),
        "ends_on": closure.ends_on.isoformat(),
        "documents": closure.document_count,
        "totals": [_fixed(closure.net_total), _fixed(closure.vat_total), _fixed(closure.gross_total)],
        "payments": _fixed(closure.payments_total),
        "grand_total": _fixed(closure.grand_total),
        "closed_at": closure.closed_at.isoformat(),
        "closed_by": closure.closed_by_id,
    }


# --- preparing --------------------------------------------------------------------


def _bill_to(work_order: WorkOrder, payer: str) -> str:
    if payer == Payer.WARRANTY:
        return str(_("Manufacturer warranty: %(make)s") % {"make": work_order.vehicle.make})
    if payer == Payer.INTERNAL:
        return str(_("Internal account: %(site)s") % {"site": work_order.site.name})
    return str(work_order.customer)


def _payment_terms(payer: str) -> str:
    if payer == Payer.CUSTOMER:
        return str(_("Payable on receipt, at the handover of the vehicle. No discount for early payment."))
    return str(_("Payable within 30 days of the invoice date by bank transfer."))


def _signed_prices(work_order: WorkOrder) -> tuple[dict, dict]:
    """Net prices the customer signed for, by job and by parts line id."""
    signature = getattr(work_order, "signature", None)
    if signature is None:
        return {}, {}
    jobs = {row[0]: Decimal(row[4]) for row in signature.content.get("jobs", [])}
    parts = {row[0]: line_total(Decimal(row[2]), Decimal(row[3])) for row in signature.content.get("parts", [])}
    return jobs, parts


def _labour_line(job: WorkOrderJob, expected: Decimal | None, rate: Decimal) -> InvoiceLine:
    hours = job.flat_rate_hours
    hourly = to_cents(job.labour_price / hours) if hours > 0 else job.labour_price
    exact = hours > 0 and line_total(hours, hourly) == job.labour_price
    quantity, unit_price = (hours, hourly) if exact else (Decimal("1"), job.labour_price)
    return InvoiceLine(
        kind=InvoiceLine.Kind.LABOUR,
        job=job,
        description=job.concern,
        reference=job.operation.code if job.operation else "",
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=rate,
        expected_net=expected,
    )


def _job_lines(job: WorkOrderJob, rate: Decimal, signed_jobs: dict, signed_parts: dict) -> list[InvoiceLine]:
    lines = [_labour_line(job, signed_jobs.get(job.pk, job.labour_price if job.approval == Approval.APPROVED else None), rate)]
    for part in job.parts.all():
        if part.approval not in INVOICEABLE_APPROVALS:
            continue
        approved = line_total(part.quantity, part.unit_price) if part.approval == Approval.APPROVED else None
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.PART,
                job=job,
                work_order_part=part,
                description=part.part.name,
                reference=part.part.number,
                quantity=part.quantity,
                unit_price=part.unit_price,
                vat_rate=rate,
                expected_net=signed_parts.get(part.pk, approved),
            )
        )
    return lines


def _price(line: InvoiceLine) -> None:
    line.net = line_total(line.quantity, line.unit_price)
    line.vat = vat_on(line.net, line.vat_rate)


def _refresh_totals(invoice: Invoice) -> None:
    totals = vat_totals(((line.net, line.vat_rate, line.vat) for line in invoice.lines.all()), rounding=vat_rounding(invoice.site.country))
    invoice.net_total, invoice.vat_total, invoice.gross_total = totals.net, totals.vat, totals.gross
    invoice.save(update_fields=["net_total", "vat_total", "gross_total"])


def _lock_order(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("site", "customer", "vehicle").get(pk=work_order.pk)


def invoiced_job_ids(work_order: WorkOrder) -> set[int]:
    """Jobs on a draft, or on an issued invoice that no credit note cancelled."""
    return set(
        InvoiceLine.objects.filter(invoice__work_order=work_order, invoice__kind=Invoice.Kind.INVOICE, job__isnull=False)
        .exclude(invoice__credit_notes__status=Invoice.Status.ISSUED)
        .values_list("job_id", flat=True)
    )


def prepare_invoices(*, work_order: WorkOrder, actor: User) -> list[Invoice]:
    """Draft invoices of the approved work not invoiced yet, one per payer (customer, warranty, internal)."""
    with transaction.atomic():
        order = _lock_order(work_order)
        if order.status not in INVOICEABLE_STATUSES:
            raise NotInvoiceable(_("This work order has not passed the quality check yet: it cannot be invoiced."), field="work_order")
        invoiced = invoiced_job_ids(order)
        signed_jobs, signed_parts = _signed_prices(order)
        drafts: dict[str, Invoice] = {
            draft.payer: draft for draft in order.invoices.filter(status=Invoice.Status.DRAFT, kind=Invoice.Kind.INVOICE)
        }
        jobs = order.jobs.filter(approval__in=INVOICEABLE_APPROVALS).select_related(*job_text_sources()).prefetch_related("parts__part")
        for job in jobs.order_by("pk"):
            if job.pk in invoiced:
                continue
            draft = drafts.get(job.payer) or _new_draft(order, job.payer, actor)
            drafts[job.payer] = draft
            _append(draft, _job_lines(job, order.vat_rate, signed_jobs, signed_parts))
        for draft in drafts.values():
            _refresh_totals(draft)
        record_change(actor=actor, obj=order, action="update", changes={"invoices_prepared": [None, len(drafts)]})
    return sorted(drafts.values(), key=lambda invoice: invoice.pk)


def reader_language(document: Invoice | WorkOrder) -> str:
    """The language the customer reads their invoices in."""
    return document.customer.language or document.site.language


def _in_reader_language(line: InvoiceLine, language: str) -> bool:
    """Write a line copied from the catalogue (operation, part, inspection point) in ``language``; True when it changed."""
    text = line.localized_description(language)[:300]
    changed, line.description = text != line.description, text
    return changed


def _new_draft(order: WorkOrder, payer: str, actor: User) -> Invoice:
    with translation.override(reader_language(order)):
        bill_to, terms = _bill_to(order, payer), _payment_terms(payer)
    return Invoice.objects.create(
        site=order.site,
        work_order=order,
        payer=payer,
        bill_to=bill_to[:200],
        customer=order.customer,
        vehicle=order.vehicle,
        mileage=order.mileage_out or order.mileage_in,
        currency=order.currency,
        payment_terms=terms,
        created_by=actor,
    )


def _append(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    position = invoice.lines.count()
    language = reader_language(invoice)
    for offset, line in enumerate(lines, start=1):
        line.invoice = invoice
        line.position = position + offset
        _in_reader_language(line, language)
        _price(line)
    InvoiceLine.objects.bulk_create(lines)


def _lock_draft(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update(of=("self",)).select_related("site", "work_order", "customer", "vehicle").get(pk=invoice.pk)
    if locked.is_issued:
        raise DocumentFrozen()
    return locked


def invoice_job(*, invoice: Invoice, job: WorkOrderJob, actor: User) -> list[InvoiceLine]:
    """Put a work-order job on a draft: refused unless the customer agreed to it or approved it."""
    if job.work_order_id != invoice.work_order_id:
        raise NotInvoiceable(_("This job belongs to another work order."), field="job")
    with transaction.atomic():
        draft = _lock_draft(invoice)
        job = WorkOrderJob.objects.select_related(*job_text_sources()).prefetch_related("parts__part").get(pk=job.pk)
        if job.approval not in INVOICEABLE_APPROVALS:
            raise NotInvoiceable(
                _(
                    "“%(job)s” is not approved by the customer (%(approval)s): it cannot be invoiced. "
                    "Ask for the customer's approval in the workshop first."
                )
                % {"job": job.localized_concern(), "approval": job.get_approval_display()},
                field="job",
            )
        if job.pk in invoiced_job_ids(draft.work_order):
            raise NotInvoiceable(_("“%(job)s” is already invoiced.") % {"job": job.localized_concern()}, field="job")
        if job.payer != draft.payer:
            raise NotInvoiceable(
                _("“%(job)s” is charged to another payer: it goes on that payer's invoice.") % {"job": job.localized_concern()}, field="job"
            )
        signed_jobs, signed_parts = _signed_prices(draft.work_order)
        lines = _job_lines(job, draft.work_order.vat_rate, signed_jobs, signed_parts)
        _append(draft, lines)
        _refresh_totals(draft)
        record_change(actor=actor, obj=draft, action="update", changes={"lines": [None, f"+ {job.concern}"]})
    return lines


def _decimal(value: Any, field: str, *, minimum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInvoiceInput(_("Enter a number."), field=field) from None
    if not number.is_finite() or (minimum is not None and number < minimum):
        raise InvalidInvoiceInput(_("Enter a number of at least %(minimum)s.") % {"minimum": format_number(minimum)}, field=field)
    return number


def add_line(
    *,
    invoice: Invoice,
    actor: User,
    kind: str,
    job: WorkOrderJob,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    variance_reason: str = "",
    vat_rate: Decimal | None = None,
) -> InvoiceLine:
    """A sundries or discount line of a job (a discount is entered positive and stored negative)."""
    if kind not in (InvoiceLine.Kind.SUNDRY, InvoiceLine.Kind.DISCOUNT):
        raise InvalidInvoiceInput(_("Only sundries and discounts are added by hand."), field="kind")
    if job is None or job.work_order_id != invoice.work_order_id:
        raise InvalidInvoiceInput(_("Choose the job this line belongs to."), field="job")
    if not description.strip():
        raise InvalidInvoiceInput(_("Describe the line."), field="description")
    quantity = _decimal(quantity, "quantity", minimum=Decimal("0.01"))
    unit_price = abs(_decimal(unit_price, "unit_price", minimum=Decimal("0")))
    with transaction.atomic():
        draft = _lock_draft(invoice)
        if job.pk not in set(draft.lines.values_list("job_id", flat=True)):
            raise InvalidInvoiceInput(_("This job is not on this invoice."), field="job")
        line = InvoiceLine(
            kind=kind,
            job=job,
            description=description.strip()[:300],
            quantity=quantity,
            unit_price=-unit_price if kind == InvoiceLine.Kind.DISCOUNT else unit_price,
            vat_rate=draft.work_order.vat_rate if vat_rate is None else _decimal(vat_rate, "vat_rate", minimum=Decimal("0")),
            variance_reason=variance_reason.strip()[:300],
        )
        _append(draft, [line])
        _refresh_totals(draft)
        record_change(actor=actor, obj=draft, action="update", changes={"lines": [None, f"+ {line.description} {line.net}"]})
    return line


def change_line(*, line: InvoiceLine, actor: User, data: Mapping[str, Any]) -> InvoiceLine:
    """Correct a draft line (quantity or hours, unit price, VAT rate) or explain its difference from the estimate."""
    allowed = {"quantity", "unit_price", "vat_rate", "variance_reason"}
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInvoiceInput(_("This part of a line cannot be changed."), field=sorted(unknown)[0])
    with transaction.atomic():
        draft = _lock_draft(line.invoice)
        locked = InvoiceLine.objects.select_for_update().get(pk=line.pk, invoice=draft)
        before = InvoiceLine.objects.get(pk=locked.pk)
        if "quantity" in data:
            locked.quantity = _decimal(data["quantity"], "quantity", minimum=Decimal("0.01"))
        if "unit_price" in data:
            price = _decimal(data["unit_price"], "unit_price", minimum=Decimal("0"))
            locked.unit_price = -price if locked.kind == InvoiceLine.Kind.DISCOUNT else price
        if "vat_rate" in data:
            locked.vat_rate = _decimal(data["vat_rate"], "vat_rate", minimum=Decimal("0"))
        if "variance_reason" in data:
            locked.variance_reason = str(data["variance_reason"]).strip()[:300]
        _price(locked)
        locked.save()
        _refresh_totals(draft)
        changes = model_changes(before, locked, ["quantity", "unit_price", "vat_rate", "net", "variance_reason"])
        if changes:
            record_change(actor=actor, obj=draft, action="update", changes=changes)
    return locked


def remove_line(*, line: InvoiceLine, actor: User) -> None:
    """Take a line off a draft (its job can be put back with ``invoice_job``)."""
    with transaction.atomic():
        draft = _lock_draft(line.invoice)
        locked = InvoiceLine.objects.get(pk=line.pk, invoice=draft)
        if locked.kind == InvoiceLine.Kind.LABOUR:
            draft.lines.filter(job_id=locked.job_id).delete()
        else:
            locked.delete()
        _refresh_totals(draft)
        record_change(actor=actor, obj=draft, action="update", changes={"lines": [locked.description, None]})


def unexplained_lines(invoice: Invoice) -> list[InvoiceLine]:
    return [line for line in invoice.lines.all() if line.variance != 0 and not line.variance_reason.strip()]


# --- issuing ----------------------------------------------------------------------


def _refuse_closed_period(site: Site, day: date) -> None:
    closure = Closure.objects.filter(site=site, starts_on__lte=day, ends_on__gte=day).first()
    if closure is not None:
        raise PeriodClosed(
            _("The %(period)s of %(day)s is closed: nothing can be recorded into it.")
            % {"period": closure.get_period_display().lower(), "day": day.isoformat()}
        )


def _take_number(site: Site, year: int) -> tuple[int, str]:
    sequence = take_next_number(InvoiceCounter, site=site, year=year)
    return sequence, f"{site.invoice_prefix}-{year}-{sequence:06d}"


def issue_invoice(*, invoice: Invoice, actor: User, delivery: str = Invoice.Delivery.PAPER) -> Invoice:
    """Number, freeze and chain a draft; its PDF is stored (and e-mailed if chosen) once committed."""
    if delivery not in Invoice.Delivery.values:
        raise InvalidInvoiceInput(_("Choose an e-mailed or a paper invoice."), field="delivery")
    with transaction.atomic():
        head = _lock_chain(invoice.site)
        draft = _lock_draft(invoice)
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
    InvoiceLine.objects.bulk_update([line for line in lines if _in_reader_language(line, language)], ["description"])


def _issue(draft: Invoice, head: ChainHead, *, actor: User, delivery: str) -> None:
    now = timezone.now()
    day = timezone.localtime(now, draft.site.tz).date()
    _refuse_closed_period(draft.site, day)
    _refresh_totals(draft)
    draft.year = day.year
    draft.sequence, draft.number = _take_number(draft.site, day.year)
    draft.issued_at, draft.issued_on, draft.issued_by, draft.delivery = now, day, actor, delivery
    draft.content = invoice_content(draft)
    _chain(head, draft, draft.content)
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
    from .tasks import deliver_invoice

    deliver_invoice.delay(invoice_pk)


def issue_credit_note(*, invoice: Invoice, actor: User, reason: str) -> Invoice:
    """Cancel an issued invoice by a credit note of the same lines; its work can then be invoiced again."""
    if not reason.strip():
        raise InvalidInvoiceInput(_("Say why the invoice is credited."), field="reason")
    with transaction.atomic():
        head = _lock_chain(invoice.site)
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


# --- payments ---------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    invoiced: Decimal
    paid: Decimal
    deposits: Decimal

    @property
    def due(self) -> Decimal:
        return self.invoiced - self.paid


def balance_of(work_order: WorkOrder) -> Balance:
    """What the customer owes on the order: issued customer invoices less credit notes, less every payment and deposit."""
    issued = Invoice.objects.filter(work_order=work_order, status=Invoice.Status.ISSUED, payer=Payer.CUSTOMER)
    invoiced = (issued.filter(kind=Invoice.Kind.INVOICE).aggregate(total=Sum("gross_total"))["total"] or ZERO) - (
        issued.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(total=Sum("gross_total"))["total"] or ZERO
    )
    payments = Payment.objects.filter(work_order=work_order)
    paid = payments.aggregate(total=Sum("amount"))["total"] or ZERO
    deposits = payments.filter(is_deposit=True).aggregate(total=Sum("amount"))["total"] or ZERO
    return Balance(invoiced=invoiced, paid=paid, deposits=deposits)


def record_payment(
    *,
    work_order: WorkOrder,
    actor: User,
    method: str,
    amount: Decimal,
    tendered: Decimal | None = None,
    reference: str = "",
) -> Payment:
    """A payment (or, before the invoice, a deposit); for cash, what was handed over and the change given back."""
    if method not in Payment.Method.values:
        raise InvalidInvoiceInput(_("Choose a payment method from the list."), field="method")
    amount = _decimal(amount, "amount", minimum=Decimal("0.01"))
    if amount != to_cents(amount):
        raise InvalidInvoiceInput(_("Enter the amount in cents at most."), field="amount")
    amount = to_cents(amount)
    change = ZERO
    if tendered is not None and tendered != "":
        if method != Payment.Method.CASH:
            raise InvalidInvoiceInput(_("Only cash is handed over with change."), field="tendered")
        tendered = to_cents(_decimal(tendered, "tendered", minimum=Decimal("0")))
        if tendered < amount:
            raise InvalidInvoiceInput(_("The cash handed over is less than the amount paid."), field="tendered")
        change = tendered - amount
    else:
        tendered = None
    with transaction.atomic():
        head = _lock_chain(work_order.site)
        order = _lock_order(work_order)
        if order.status == WorkOrder.Status.CANCELLED:
            raise InvalidInvoiceInput(_("This work order is cancelled."), field="work_order")
        now = timezone.now()
        day = timezone.localtime(now, order.site.tz).date()
        _refuse_closed_period(order.site, day)
        balance = balance_of(order)
        is_deposit = balance.invoiced == 0
        if not is_deposit and amount > balance.due:
            raise InvalidInvoiceInput(
                _("The balance due is %(due)s: the amount cannot be more.") % {"due": format_money(balance.due, order.currency)},
                field="amount",
            )
        payment = Payment(
            site=order.site,
            work_order=order,
            method=method,
            amount=amount,
            tendered=tendered,
            change_given=change,
            currency=order.currency,
            is_deposit=is_deposit,
            reference=reference.strip()[:80],
            received_at=now,
            received_on=day,
            received_by=actor,
        )
        _chain(head, payment, payment_content(payment))
        payment.save()
        record_change(actor=actor, obj=order, action="update", changes={"payment": [None, f"{payment.method} {payment.amount}"]})
    return payment


def authorize_release(*, work_order: WorkOrder, actor: User, reason: str) -> ReleaseAuthorization:
    """A manager lets the car go with a balance due; who, why and how much are kept."""
    if not actor.has_perm("invoicing.authorize_release"):
        raise BalanceDue(_("Only a manager can release a car with a balance due."), field="reason")
    if not reason.strip():
        raise BalanceDue(_("Say why the car may leave with a balance due."), field="reason")
    with transaction.atomic():
        order = _lock_order(work_order)
        due = balance_of(order).due
        if due <= 0:
            raise BalanceDue(_("Nothing is due on this order."), field="reason")
        release = ReleaseAuthorization.objects.create(work_order=order, balance=due, reason=reason.strip()[:300], authorized_by=actor)
        record_change(actor=actor, obj=order, action="update", changes={"released_with_balance": [None, str(due)]})
    return release


def may_release(work_order: WorkOrder) -> bool:
    due = balance_of(work_order).due
    return due <= 0 or ReleaseAuthorization.objects.filter(work_order=work_order, balance__gte=due).exists()


# --- closures ---------------------------------------------------------------------


def period_bounds(period: str, day: date) -> tuple[date, date]:
    if period == Closure.Period.DAY:
        return day, day
    if period == Closure.Period.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if period == Closure.Period.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise InvalidInvoiceInput(_("Choose a day, a month or a year."), field="period")


def _document_totals(site: Site, **period) -> tuple[int, Decimal, Decimal, Decimal]:
    count, net, vat, gross = 0, ZERO, ZERO, ZERO
    for kind, n, v, g, c in (
        Invoice.objects.filter(site=site, status=Invoice.Status.ISSUED, **period)
        .values("kind")
        .annotate(n=Sum("net_total"), v=Sum("vat_total"), g=Sum("gross_total"), c=Count("pk"))
        .values_list("kind", "n", "v", "g", "c")
    ):
        sign = -1 if kind == Invoice.Kind.CREDIT_NOTE else 1
        count, net, vat, gross = count + c, net + sign * n, vat + sign * v, gross + sign * g
    return count, net, vat, gross


def close_period(*, site: Site, period: str, day: date, actor: User) -> Closure:
    """Record the totals of a day, month or year and freeze it; the grand total runs from the first invoice."""
    starts_on, ends_on = period_bounds(period, day)
    today = timezone.localtime(timezone.now(), site.tz).date()
    if starts_on > today:
        raise InvalidInvoiceInput(_("A period that has not started cannot be closed."), field="day")
    if period != Closure.Period.DAY and ends_on >= today:
        raise InvalidInvoiceInput(_("A month or a year is closed once it has ended."), field="day")
    with transaction.atomic():
        head = _lock_chain(site)
        if Closure.objects.filter(site=site, period=period, starts_on=starts_on).exists():
            raise InvalidInvoiceInput(_("This period is already closed."), field="day")
        count, net, vat, gross = _document_totals(site, issued_on__gte=starts_on, issued_on__lte=ends_on)
        grand = _document_totals(site, issued_on__lte=ends_on)[3]
        payments = (
            Payment.objects.filter(site=site, received_on__gte=starts_on, received_on__lte=ends_on).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        closure = Closure(
            site=site,
            period=period,
            starts_on=starts_on,
            ends_on=ends_on,
            document_count=count,
            net_total=net,
            vat_total=vat,
            gross_total=gross,
            payments_total=payments,
            grand_total=grand,
            closed_at=timezone.now(),
            closed_by=actor,
        )
        _chain(head, closure, closure_content(closure))
        closure.save()
        record_change(actor=actor, obj=closure, action="create", changes={"grand_total": [None, str(grand)], "hash": [None, closure.hash]})
    return closure


# --- handover ---------------------------------------------------------------------


def customer_arrived(*, work_order: WorkOrder, actor: User, waiting_note: str = "") -> Handover:
    """The customer is here for the car: acknowledged and put in the waiting queue until an advisor welcomes them."""
    with transaction.atomic():
        order = _lock_order(work_order)
        existing = Handover.objects.filter(work_order=order).first()
        if existing is not None:
            return existing
        if order.status != READY_FOR_INVOICING:
            raise HandoverError(_("This car has not passed the quality check yet."), field="work_order")
        handover = Handover.objects.create(
            work_order=order, site=order.site, acknowledged_by=actor, waiting_note=waiting_note.strip()[:200]
        )
        record_change(actor=actor, obj=handover, action="create", changes={"moment": [None, handover.moment]})
    return handover


def _lock_handover(handover: Handover) -> Handover:
    locked = (
        Handover.objects.select_for_update(of=("self", "work_order"))
        .select_related("work_order__site", "work_order__customer", "work_order__vehicle")
        .get(pk=handover.pk)
    )
    if locked.closed_at is not None:
        raise HandoverError(_("This handover is closed."), field="moment")
    return locked


def _move(handover: Handover, moment: str, actor: User) -> None:
    before = handover.moment
    handover.moment = moment
    handover.save()
    record_change(actor=actor, obj=handover, action="update", changes={"moment": [before, moment]})


def welcome_customer(*, handover: Handover, actor: User) -> Handover:
    with transaction.atomic():
        locked = _lock_handover(handover)
        if locked.started_at is None:
            locked.started_at, locked.advisor = timezone.now(), actor
        _move(locked, Handover.Moment.WELCOME, actor)
    return locked


def record_loaner_return(*, handover: Handover, actor: User, data: Mapping[str, Any]) -> LoanerReturn:
    """The loaner comes back: keys, papers, fuel, mileage, new damage, satisfaction."""
    with transaction.atomic():
        locked = _lock_handover(handover)
        lent = getattr(locked.work_order, "loaner_handover", None)
        if lent is None:
            raise HandoverError(_("No loaner was handed over with this work order."), field="loaner")
        if LoanerReturn.objects.filter(loaner_handover=lent).exists():
            raise HandoverError(_("The loaner is already back."), field="loaner")
        fuel, km, satisfaction = data.get("fuel_in"), data.get("mileage_in"), data.get("satisfaction")
        if fuel is None or not 0 <= int(fuel) <= 8:
            raise HandoverError(_("Give the loaner's fuel level in eighths, from 0 to 8."), field="fuel_in")
        if km is None or int(km) < lent.mileage_out:
            raise HandoverError(
                _("The loaner left with %(km)s km: its mileage cannot be lower.") % {"km": format_number(lent.mileage_out)},
                field="mileage_in",
            )
        if satisfaction not in LoanerReturn.Satisfaction.values:
            raise HandoverError(_("Ask whether the customer was satisfied with the loaner."), field="satisfaction")
        returned = LoanerReturn.objects.create(
            handover=locked,
            loaner_handover=lent,
            keys_returned=bool(data.get("keys_returned")),
            papers_returned=bool(data.get("papers_returned")),
            fuel_in=int(fuel),
            mileage_in=int(km),
            new_damage=str(data.get("new_damage", "")).strip()[:300],
            satisfaction=satisfaction,
            remarks=str(data.get("remarks", "")).strip()[:300],
            received_by=actor,
        )
        record_change(actor=actor, obj=locked, action="update", changes={"loaner_returned": [None, f"{returned.mileage_in} km"]})
        reservation = LoanerReservation.objects.filter(
            appointment_id=locked.work_order.appointment_id, loaner=lent.loaner, returned_at__isnull=True
        ).first()
        if reservation is not None:
            close_loaner_reservation(reservation=reservation, returned_at=returned.returned_at, actor=actor)
    return returned


def record_test_drive(*, handover: Handover, actor: User, model_tried: str, impressions: str, salesperson: User) -> SalesLead:
    """The customer tried a new model during the visit: their impressions become a lead for a salesperson."""
    if not model_tried.strip():
        raise HandoverError(_("Which model did the customer try?"), field="model_tried")
    if not impressions.strip():
        raise HandoverError(_("Note the customer's impressions."), field="impressions")
    if salesperson is None or not salesperson.is_active:
        raise HandoverError(_("Choose the salesperson who takes the lead."), field="salesperson")
    with transaction.atomic():
        locked = _lock_handover(handover)
        lead = SalesLead.objects.create(
            handover=locked,
            customer=locked.work_order.customer,
            model_tried=model_tried.strip()[:120],
            impressions=impressions.strip(),
            salesperson=salesperson,
            created_by=actor,
        )
        record_change(actor=actor, obj=lead, action="create", changes={"salesperson": [None, str(salesperson)]})
    return lead


CHECKLIST = ("jobs_explained", "deferred_explained", "unfixed_explained", "parts_shown", "price_matches", "followup_announced")


def checklist_needs(work_order: WorkOrder) -> set[str]:
    """The checklist points this order calls for (declined work and unfixed faults only when there are some)."""
    needed = {"jobs_explained", "parts_shown", "price_matches", "followup_announced"}
    if DeferredWork.objects.filter(declined_job__work_order=work_order).exists():
        needed.add("deferred_explained")
    last_check = QualityCheck.objects.filter(work_order=work_order, passed=True).order_by("-checked_at", "-pk").first()
    if last_check is not None and last_check.unfixed_findings.strip():
        needed.add("unfixed_explained")
    return needed


def save_explanation(*, handover: Handover, actor: User, data: Mapping[str, Any]) -> Handover:
    """The explain moment: the checklist and the next service; the next service goes onto the vehicle (reminders read it)."""
    with transaction.atomic():
        locked = _lock_handover(handover)
        if locked.started_at is None:
            raise HandoverError(_("Welcome the customer first."), field="moment")
        before = Handover.objects.get(pk=locked.pk)
        for name in CHECKLIST:
            setattr(locked, name, bool(data.get(name)))
        locked.next_service_date, locked.next_service_km = data.get("next_service_date"), data.get("next_service_km")
        if locked.next_service_date is None and locked.next_service_km is None:
            raise HandoverError(_("Set the next service: a date, a mileage or both."), field="next_service_date")
        missing = [name for name in sorted(checklist_needs(locked.work_order)) if not getattr(locked, name)]
        if missing:
            raise HandoverError(_("Tick every point once explained to the customer."), field=missing[0])
        update_vehicle(
            vehicle=locked.work_order.vehicle,
            updated_by=actor,
            data={"next_service_due_date": locked.next_service_date, "next_service_due_km": locked.next_service_km},
        )
        _move(locked, Handover.Moment.PAYMENT, actor)
        changes = model_changes(before, locked, [*CHECKLIST, "next_service_date", "next_service_km"])
        if changes:
            record_change(actor=actor, obj=locked, action="update", changes=changes)
    return locked


def send_handover_code(*, handover: Handover, actor: User):
    """A one-time code by SMS for the customer to sign the delivery."""
    if not handover.work_order.customer.mobile:
        raise HandoverError(_("The customer has no mobile number to receive a code."), field="code")
    return issue_code(purpose=HANDOVER_CODE_PURPOSE, customer=handover.work_order.customer, subject=handover, actor=actor)


def _refuse_leaving(handover: Handover, mileage_out: int | None) -> None:
    """Why the car cannot leave yet (checked before a one-time code is used, and again under the lock)."""
    order = handover.work_order
    if handover.moment not in (Handover.Moment.PAYMENT, Handover.Moment.SEE_OFF):
        raise HandoverError(_("Explain the invoice and the work before seeing the customer off."), field="moment")
    if (
        not order.invoices.filter(status=Invoice.Status.ISSUED, payer=Payer.CUSTOMER, kind=Invoice.Kind.INVOICE).exists()
        and order.jobs.filter(payer=Payer.CUSTOMER, approval__in=INVOICEABLE_APPROVALS).exists()
    ):
        raise HandoverError(_("Issue the customer's invoice before the car leaves."), field="moment")
    if not may_release(order):
        raise BalanceDue(
            _("%(due)s is still due: take the payment or ask a manager to release the car.")
            % {"due": format_money(balance_of(order).due, order.currency)},
            field="moment",
        )
    if getattr(order, "loaner_handover", None) is not None and not LoanerReturn.objects.filter(handover=handover).exists():
        raise HandoverError(_("Take the loaner back before the customer leaves."), field="loaner")
    if mileage_out is None or (order.mileage_in is not None and mileage_out < order.mileage_in):
        raise HandoverError(
            _("The car came in with %(km)s km: read the mileage out on the dashboard.") % {"km": format_number(order.mileage_in or 0)},
            field="mileage_out",
        )


def close_handover(
    *,
    handover: Handover,
    actor: User,
    mileage_out: int | None,
    signature_data_url: str = "",
    code: str = "",
    correction_reason: str = "",
) -> Handover:
    """See off: the delivery signed (drawn or by code), mileage out read, nothing due unless a manager allowed it.

    Closing records ``closed_at``: the follow-up stage schedules its satisfaction call from it.
    """
    handover = Handover.objects.select_related("work_order__site", "work_order__vehicle").get(pk=handover.pk)
    if handover.closed_at is not None:
        raise HandoverError(_("This handover is closed."), field="moment")
    _refuse_leaving(handover, mileage_out)
    if code.strip():
        try:
            verify_code(purpose=HANDOVER_CODE_PURPOSE, subject=handover, code=code)
        except CodeRefused as error:
            raise HandoverError(error.message, field="code") from None
        method, image = Handover.SignatureMethod.OTP, None
    else:
        try:
            image = signature_png(signature_data_url)
        except SignatureRefused as error:
            raise HandoverError(error.message, field="signature") from None
        method = Handover.SignatureMethod.DRAWN
    with transaction.atomic():
        locked = _lock_handover(handover)
        order = locked.work_order
        _refuse_leaving(locked, mileage_out)
        try:
            record_mileage(
                vehicle=order.vehicle,
                km=mileage_out,
                source=MileageReading.Source.HANDOVER,
                recorded_by=actor,
                correction_reason=correction_reason,
            )
        except CustomerError as error:
            raise HandoverError(error.message, field="mileage_out") from None
        now = timezone.now()
        locked.mileage_out, locked.signature_method, locked.signed_at = mileage_out, method, now
        if image is not None:
            locked.signature_image.save(f"{order.number}.png", ContentFile(image), save=False)
        locked.closed_at, locked.closed_by = now, actor
        _move(locked, Handover.Moment.CLOSED, actor)
        mark_delivered(work_order=order, actor=actor)
    return locked
