"""Drafts: the invoices of the approved work, one per payer, and their lines corrected or explained before issuing."""

from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import model_changes, record_change
from aftersales.lib.money import line_total, to_cents, vat_on
from workshop.models import Approval, Payer, WorkOrder, WorkOrderJob, job_text_sources

from ..country_rules import rules_for
from ..exceptions import InvalidInvoiceInput, NotInvoiceable
from ..models import Invoice, InvoiceLine
from ._common import checked_decimal, fully_credited, in_reader_language, lock_draft, lock_order, refresh_totals

# The workshop status a work order reaches when its quality check passed: the only one invoiced.
READY_FOR_INVOICING = WorkOrder.Status.READY
# A handed-over car can still get the invoices left to issue (a warranty claim settled later, say).
INVOICEABLE_STATUSES = (WorkOrder.Status.READY, WorkOrder.Status.DELIVERED)
INVOICEABLE_APPROVALS = (Approval.AGREED, Approval.APPROVED)


def _bill_to(work_order: WorkOrder, payer: str) -> str:
    if payer == Payer.WARRANTY:
        return str(_("Manufacturer warranty: %(make)s") % {"make": work_order.vehicle.make})
    if payer == Payer.INTERNAL:
        return str(_("Internal account: %(site)s") % {"site": work_order.site.name})
    return str(work_order.customer)


def _payment_terms(payer: str, country: str) -> str:
    """The terms of the site's country: the customer pays at the handover, a manufacturer or an account within days."""
    rules = rules_for(country)
    return str(rules.customer_terms if payer == Payer.CUSTOMER else rules.account_terms)


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
                description=part.name,
                reference=part.number,
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


def invoiced_job_ids(work_order: WorkOrder) -> set[int]:
    """Jobs on a draft, or on an issued invoice that credit notes did not cancel in full (a partial credit keeps them)."""
    cancelled = fully_credited(Invoice.objects.filter(work_order=work_order, kind=Invoice.Kind.INVOICE))
    return set(
        InvoiceLine.objects.filter(invoice__work_order=work_order, invoice__kind=Invoice.Kind.INVOICE, job__isnull=False)
        .exclude(invoice__in=cancelled)
        .values_list("job_id", flat=True)
    )


def prepare_invoices(*, work_order: WorkOrder, actor: User) -> list[Invoice]:
    """Draft invoices of the approved work not invoiced yet, one per payer (customer, warranty, internal)."""
    with transaction.atomic():
        order = lock_order(work_order)
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
            refresh_totals(draft)
        record_change(actor=actor, obj=order, action="update", changes={"invoices_prepared": [None, len(drafts)]})
    return sorted(drafts.values(), key=lambda invoice: invoice.pk)


def reader_language(document: Invoice | WorkOrder) -> str:
    """The language the customer reads their invoices in."""
    return document.customer.language or document.site.language


def _new_draft(order: WorkOrder, payer: str, actor: User) -> Invoice:
    with translation.override(reader_language(order)):
        bill_to, terms = _bill_to(order, payer), _payment_terms(payer, order.site.country)
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
        in_reader_language(line, language)
        _price(line)
    InvoiceLine.objects.bulk_create(lines)


def invoice_job(*, invoice: Invoice, job: WorkOrderJob, actor: User) -> list[InvoiceLine]:
    """Put a work-order job on a draft: refused unless the customer agreed to it or approved it."""
    if job.work_order_id != invoice.work_order_id:
        raise NotInvoiceable(_("This job belongs to another work order."), field="job")
    with transaction.atomic():
        draft = lock_draft(invoice)
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
        refresh_totals(draft)
        record_change(actor=actor, obj=draft, action="update", changes={"lines": [None, f"+ {job.concern}"]})
    return lines


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
    quantity = checked_decimal(quantity, "quantity", minimum=Decimal("0.01"))
    unit_price = abs(checked_decimal(unit_price, "unit_price", minimum=Decimal("0")))
    with transaction.atomic():
        draft = lock_draft(invoice)
        if job.pk not in set(draft.lines.values_list("job_id", flat=True)):
            raise InvalidInvoiceInput(_("This job is not on this invoice."), field="job")
        line = InvoiceLine(
            kind=kind,
            job=job,
            description=description.strip()[:300],
            quantity=quantity,
            unit_price=-unit_price if kind == InvoiceLine.Kind.DISCOUNT else unit_price,
            vat_rate=draft.work_order.vat_rate if vat_rate is None else checked_decimal(vat_rate, "vat_rate", minimum=Decimal("0")),
            variance_reason=variance_reason.strip()[:300],
        )
        _append(draft, [line])
        refresh_totals(draft)
        record_change(actor=actor, obj=draft, action="update", changes={"lines": [None, f"+ {line.description} {line.net}"]})
    return line


def change_line(
    *,
    line: InvoiceLine,
    actor: User,
    quantity: Decimal | None = None,
    unit_price: Decimal | None = None,
    vat_rate: Decimal | None = None,
    variance_reason: str | None = None,
) -> InvoiceLine:
    """Correct a draft line (quantity or hours, unit price, VAT rate) or explain its difference from the estimate.

    Only the parts given change (None leaves a part as it is); a discount's price is entered positive and stored negative.
    """
    with transaction.atomic():
        draft = lock_draft(line.invoice)
        locked = InvoiceLine.objects.select_for_update().get(pk=line.pk, invoice=draft)
        before = InvoiceLine.objects.get(pk=locked.pk)
        if quantity is not None:
            locked.quantity = checked_decimal(quantity, "quantity", minimum=Decimal("0.01"))
        if unit_price is not None:
            price = checked_decimal(unit_price, "unit_price", minimum=Decimal("0"))
            locked.unit_price = -price if locked.kind == InvoiceLine.Kind.DISCOUNT else price
        if vat_rate is not None:
            locked.vat_rate = checked_decimal(vat_rate, "vat_rate", minimum=Decimal("0"))
        if variance_reason is not None:
            locked.variance_reason = variance_reason.strip()[:300]
        _price(locked)
        locked.save()
        refresh_totals(draft)
        changes = model_changes(before, locked, ["quantity", "unit_price", "vat_rate", "net", "variance_reason"])
        if changes:
            record_change(actor=actor, obj=draft, action="update", changes=changes)
    return locked


def remove_line(*, line: InvoiceLine, actor: User) -> None:
    """Take a line off a draft (its job can be put back with ``invoice_job``)."""
    with transaction.atomic():
        draft = lock_draft(line.invoice)
        locked = InvoiceLine.objects.get(pk=line.pk, invoice=draft)
        if locked.kind == InvoiceLine.Kind.LABOUR:
            draft.lines.filter(job_id=locked.job_id).delete()
        else:
            locked.delete()
        refresh_totals(draft)
        record_change(actor=actor, obj=draft, action="update", changes={"lines": [locked.description, None]})


def unexplained_lines(invoice: Invoice) -> list[InvoiceLine]:
    return [line for line in invoice.lines.all() if line.variance != 0 and not line.variance_reason.strip()]
