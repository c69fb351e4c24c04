"""Reads for the invoicing desk, the invoice pages, the PDF and the handover, with their joins inside."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from aftersales.accounts.models import Site, User
from aftersales.accounts.permissions import get_for_user, visible_to
from aftersales.accounts.roles import Role
from workshop.models import Approval, DeferredWork, QualityCheck, WorkOrder, WorkOrderJob, WorkOrderPart, job_text_sources

from .models import Closure, Handover, Invoice, InvoiceLine, Payment, SalesLead
from .services import INVOICEABLE_APPROVALS, INVOICEABLE_STATUSES, READY_FOR_INVOICING, balance_of, checklist_needs, invoiced_job_ids

ORDER_JOINS = ("site", "customer", "vehicle", "advisor")


def desk_work_orders(*, user: User) -> QuerySet:
    """Work orders ready for invoicing at the user's sites (and handed-over ones with a draft left), with how many invoices they have."""
    issued = Invoice.objects.filter(work_order=OuterRef("pk"), status=Invoice.Status.ISSUED, kind=Invoice.Kind.INVOICE)
    draft_left = Invoice.objects.filter(work_order=OuterRef("pk"), status=Invoice.Status.DRAFT)
    return (
        visible_to(WorkOrder.objects.filter(Q(status=READY_FOR_INVOICING) | Q(Exists(draft_left), status__in=INVOICEABLE_STATUSES)), user)
        .select_related(*ORDER_JOINS)
        .annotate(draft_count=Count("invoices", filter=Q(invoices__status=Invoice.Status.DRAFT)), invoiced=Exists(issued))
        .order_by("invoiced", "created_at", "pk")
    )


def recent_invoices(*, user: User, limit: int = 50) -> QuerySet:
    return (
        visible_to(Invoice.objects.filter(status=Invoice.Status.ISSUED), user)
        .select_related("site", "customer", "work_order", "credited")
        .order_by("-issued_at", "-pk")[:limit]
    )


def get_billing_order(*, user: User, pk: int) -> WorkOrder:
    queryset = WorkOrder.objects.select_related(*ORDER_JOINS, "signature", "loaner_handover__loaner").prefetch_related(
        Prefetch("jobs", queryset=WorkOrderJob.objects.select_related(*job_text_sources()).order_by("pk")),
        Prefetch("invoices", queryset=Invoice.objects.select_related("credited").order_by("pk")),
        Prefetch("payments", queryset=Payment.objects.select_related("received_by").order_by("received_at", "pk")),
        "release_authorizations__authorized_by",
    )
    return get_for_user(queryset, user, pk=pk)


def get_invoice_for_user(*, user: User, pk: int) -> Invoice:
    queryset = Invoice.objects.select_related("site", "work_order", "customer", "vehicle", "credited", "issued_by").prefetch_related(
        Prefetch(
            "lines",
            queryset=InvoiceLine.objects.select_related(*job_text_sources("job__"), "work_order_part__part", "credited_line").order_by(
                "position", "pk"
            ),
        ),
        Prefetch("work_order__jobs", queryset=WorkOrderJob.objects.select_related(*job_text_sources()).order_by("pk")),
        "credit_notes",
    )
    return get_for_user(queryset, user, pk=pk)


def jobs_to_add(invoice: Invoice) -> list[WorkOrderJob]:
    """Approved work of this invoice's payer that no invoice holds (taken off a draft, or credited)."""
    taken = invoiced_job_ids(invoice.work_order)
    return [
        job
        for job in invoice.work_order.jobs.filter(approval__in=INVOICEABLE_APPROVALS, payer=invoice.payer)
        .select_related(*job_text_sources())
        .order_by("pk")
        if job.pk not in taken
    ]


def not_invoiceable_jobs(work_order: WorkOrder) -> list[WorkOrderJob]:
    """Lines of the order the customer has not approved (pending or declined): shown, never invoiced."""
    return [job for job in work_order.jobs.all() if job.approval not in INVOICEABLE_APPROVALS]


@dataclass(frozen=True)
class VarianceRow:
    line: InvoiceLine
    expected: Decimal | None
    actual: Decimal
    difference: Decimal


def variance_rows(invoice: Invoice) -> list[VarianceRow]:
    """Each line against what the customer signed or approved."""
    return [VarianceRow(line=line, expected=line.expected_net, actual=line.net, difference=line.variance) for line in invoice.lines.all()]


# --- handover ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    handover: Handover
    waited_minutes: int


def handover_board(*, site: Site, now: datetime) -> dict:
    """The waiting queue (with the time waited), handovers in progress, and cars ready without a handover."""
    open_handovers = list(
        Handover.objects.filter(site=site, closed_at__isnull=True)
        .select_related("work_order__customer", "work_order__vehicle", "advisor", "acknowledged_by")
        .order_by("arrived_at", "pk")
    )
    waiting = [
        QueueRow(handover, int((now - handover.arrived_at).total_seconds() // 60))
        for handover in open_handovers
        if handover.moment == Handover.Moment.WAITING
    ]
    in_progress = [handover for handover in open_handovers if handover.moment != Handover.Moment.WAITING]
    ready = list(
        WorkOrder.objects.filter(site=site, status=READY_FOR_INVOICING, handover__isnull=True)
        .select_related("customer", "vehicle", "advisor")
        .order_by("promised_at", "pk")
    )
    return {"waiting": waiting, "in_progress": in_progress, "ready": ready}


def get_handover_order(*, user: User, pk: int) -> WorkOrder:
    joins = (*ORDER_JOINS, "signature", "loaner_handover__loaner", "handover__loaner_return")
    queryset = WorkOrder.objects.select_related(*joins).prefetch_related(
        Prefetch(
            "jobs",
            queryset=WorkOrderJob.objects.filter(approval__in=INVOICEABLE_APPROVALS).select_related(*job_text_sources()).order_by("pk"),
        ),
        Prefetch("parts", queryset=WorkOrderPart.objects.filter(approval__in=INVOICEABLE_APPROVALS).select_related("part")),
        Prefetch("invoices", queryset=Invoice.objects.filter(status=Invoice.Status.ISSUED).order_by("pk")),
    )
    return get_for_user(queryset, user, pk=pk)


def handover_context(order: WorkOrder) -> dict:
    """What the advisor explains: invoices, agreed vs invoiced price, declined work, unfixed faults, replaced parts, balance."""
    signature = getattr(order, "signature", None)
    agreed = Decimal(signature.content["totals"][5]) if signature is not None else None
    approved_extras = sum(
        (
            decision.gross_amount
            for job in order.jobs.all()
            if job.approval == Approval.APPROVED
            for decision in job.decisions.filter(approved=True).order_by("-decided_at", "-pk")[:1]
        ),
        Decimal("0"),
    )
    invoiced = sum((invoice.sign * invoice.gross_total for invoice in order.invoices.all() if invoice.payer == "customer"), Decimal("0"))
    check = QualityCheck.objects.filter(work_order=order, passed=True).order_by("-checked_at", "-pk").first()
    return {
        "agreed": agreed + approved_extras if agreed is not None else None,
        "invoiced": invoiced,
        "deferred": list(
            DeferredWork.objects.filter(declined_job__work_order=order)
            .select_related(*job_text_sources("declined_job__"))
            .order_by("due_on", "pk")
        ),
        "unfixed": check.unfixed_findings if check else "",
        "replaced_parts": list(order.parts.all()),
        "balance": balance_of(order),
        "needs": checklist_needs(order),
    }


def closures_for(*, site: Site) -> QuerySet:
    return Closure.objects.filter(site=site).select_related("closed_by").order_by("-closed_at", "-pk")


# --- sales leads -----------------------------------------------------------------------

LEAD_OVERSEERS = {Role.MANAGER, Role.ADMIN}


def list_sales_leads(*, user: User, status: str = "") -> QuerySet:
    """The leads of the user's sites: a salesperson sees those passed to them, managers and administrators all."""
    leads = visible_to(SalesLead.objects.all(), user, "handover__site")
    if not (user.is_superuser or user.role_names() & LEAD_OVERSEERS):
        leads = leads.filter(salesperson=user)
    if status:
        leads = leads.filter(status=status)
    return leads.select_related("customer", "salesperson", "handover__work_order__vehicle").order_by("-created_at", "-pk")


def get_sales_lead_for_user(*, user: User, pk: int) -> SalesLead:
    return get_for_user(list_sales_leads(user=user), user, "handover__site", pk=pk)
