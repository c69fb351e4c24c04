"""Extra work found once the order is signed: its prices, the customer's approvals (by signed link, by phone, or by
the advisor within the spending limit), declined work deferred to a later visit, and the promised return time,
told to the customer when it moves."""

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import record_bulk_change, record_change
from aftersales.customers.models import Part
from aftersales.customers.prices import missing_price_message, part_price
from aftersales.lib.formatting import format_money
from aftersales.lib.money import line_total, vat_on
from aftersales.messaging.services import queue_message
from appointments.services import request_part_order

from ..exceptions import ApprovalRefused, InvalidCheckIn, OrderSigned, PriceChanged, SpendingLimitExceeded, TransitionNotAllowed
from ..message_texts import PROMISED_TIME_TEMPLATE
from ..models import (
    Approval,
    ApprovalDecision,
    ApprovalRequest,
    DeferredWork,
    HoldReason,
    JobStatus,
    Rating,
    WorkOrder,
    WorkOrderJob,
    WorkOrderPart,
    job_text_sources,
)
from ._common import Status, lock_job, lock_order, refresh_estimate, set_job_status, to_quality_check_when_done
from .reception import add_job

# --- prices, approvals, deferred work ---------------------------------------------


def proposal_amounts(job: WorkOrderJob, vat_rate: Decimal) -> tuple[Decimal, Decimal]:
    """(before VAT, VAT included) of a job with its parts lines (read through ``job.parts.all()``)."""
    net = job.labour_price + sum((line_total(part.quantity, part.unit_price) for part in job.parts.all()), Decimal("0"))
    return net, net + vat_on(net, vat_rate)


def reprice_proposal(*, job: WorkOrderJob, actor: User, labour_price: Decimal, part_prices: Mapping[int, Decimal]) -> WorkOrderJob:
    """Adjust an addition's labour and parts prices; an approved one goes back to the customer for a new approval."""
    with transaction.atomic():
        order = lock_order(job.work_order)
        locked = lock_job(job)
        if locked.approval == Approval.AGREED:
            raise OrderSigned()
        if locked.approval == Approval.DECLINED:
            raise ApprovalRefused(_("The customer declined this job; its price no longer matters."))
        if locked.status == JobStatus.DONE:
            raise ApprovalRefused(_("This job is done; its price cannot change here."))
        if labour_price is None or labour_price < 0:
            raise ApprovalRefused(_("Give a labour price of zero or more."), field="labour_price")
        parts = {part.pk: part for part in locked.parts.select_for_update()}
        changes = {}
        for pk, price in part_prices.items():
            if pk not in parts:
                raise ApprovalRefused(_("This parts line belongs to another job."), field="parts")
            if price is None or price < 0:
                raise ApprovalRefused(_("Give a part price of zero or more."), field="parts")
            if parts[pk].unit_price != price:
                changes[f"part {parts[pk].part_id}"] = [str(parts[pk].unit_price), str(price)]
                parts[pk].unit_price = price
                parts[pk].save(update_fields=["unit_price"])
        if locked.labour_price != labour_price:
            changes["labour_price"] = [str(locked.labour_price), str(labour_price)]
            locked.labour_price = labour_price
            locked.save(update_fields=["labour_price"])
        if changes and locked.approval == Approval.APPROVED:
            _set_approval(locked, Approval.PENDING, actor=actor)
            set_job_status(locked, JobStatus.ON_HOLD, actor=actor, hold_reason=HoldReason.APPROVAL)
            changes["approval"] = [Approval.APPROVED, Approval.PENDING]
        if changes:
            record_change(actor=actor, obj=locked, action="update", changes=changes)
            refresh_estimate(order)
    return locked


def add_proposal_part(
    *,
    job: WorkOrderJob,
    actor: User,
    quantity: Decimal,
    part: Part | None = None,
    description: str = "",
    unit_price: Decimal | None = None,
) -> WorkOrderPart:
    """A part on an addition: from the catalogue (at its price in the order's currency unless ``unit_price`` is given), or described in free
    text with its price. The customer approves the job with its parts; an approved addition goes back for approval."""
    description = description.strip()[:120]
    if part is None and not description:
        raise ApprovalRefused(_("Choose a part from the catalogue or describe it."), field="part")
    if part is None and unit_price is None:
        raise ApprovalRefused(_("Give the price of a part that is not in the catalogue."), field="unit_price")
    if quantity is None or quantity <= 0:
        raise ApprovalRefused(_("Give a quantity above zero."), field="quantity")
    if unit_price is not None and unit_price < 0:
        raise ApprovalRefused(_("Give a part price of zero or more."), field="unit_price")
    with transaction.atomic():
        order = lock_order(job.work_order)
        locked = lock_job(job)
        if locked.approval not in (Approval.PENDING, Approval.APPROVED) or locked.status == JobStatus.DONE:
            raise ApprovalRefused(_("Parts are added to extra work the customer has not declined and that is not done yet."))
        if unit_price is None:
            unit_price = part_price(part, order.currency)
            if unit_price is None:
                raise ApprovalRefused(missing_price_message([part], order.currency), field="part")
        line = WorkOrderPart.objects.create(
            work_order=order,
            job=locked,
            part=part,
            description="" if part is not None else description,
            quantity=quantity,
            unit_price=unit_price,
            payer=locked.payer,
            approval=Approval.PENDING,
        )
        if locked.approval == Approval.APPROVED:
            _set_approval(locked, Approval.PENDING, actor=actor)
            set_job_status(locked, JobStatus.ON_HOLD, actor=actor, hold_reason=HoldReason.APPROVAL)
        record_change(actor=actor, obj=locked, action="update", changes={"parts": [None, f"+ {line}"]})
        refresh_estimate(order)
    return line


def _request_approved_parts(order: WorkOrder, job: WorkOrderJob, actor: User | None) -> None:
    """The parts advisor is asked to order the catalogue parts of an approved addition of a booked visit (by the
    advisor when the customer approved through the link)."""
    if order.appointment_id is None:
        return
    for line in job.parts.filter(part__isnull=False).select_related("part"):
        request_part_order(appointment=order.appointment, part=line.part, quantity=line.quantity, actor=actor or order.advisor)


def _set_approval(job: WorkOrderJob, approval: str, *, actor: User | None) -> None:
    job.approval = approval
    job.save(update_fields=["approval"])
    record_bulk_change(actor=actor, queryset=job.parts.all(), changes={"approval": approval})


def approved_extra_net(order: WorkOrder) -> Decimal:
    """What the customer already owes for approved additions, before VAT."""
    jobs = order.jobs.filter(approval=Approval.APPROVED).aggregate(total=Sum("labour_price"))["total"] or Decimal("0")
    parts = sum((line_total(part.quantity, part.unit_price) for part in order.parts.filter(approval=Approval.APPROVED)), Decimal("0"))
    return jobs + parts


def decide_proposal(
    *,
    job: WorkOrderJob,
    approved: bool,
    method: str,
    decided_by: str = "",
    actor: User | None = None,
    shown_gross: Decimal | None = None,
    reason: str = "",
    request: ApprovalRequest | None = None,
) -> ApprovalDecision:
    """Record the customer's decision on an addition: who, how, the amount and the moment.

    ``shown_gross`` is the price the deciding page showed; a different current
    price is refused. ``within_limit`` is the advisor approving on the
    customer's behalf, only while the approved additions stay within the
    spending limit agreed at reception. A declined job becomes deferred work on
    the vehicle.
    """
    if method not in ApprovalDecision.Method.values:
        raise ApprovalRefused(_("Choose how the customer decided."), field="method")
    if method != ApprovalDecision.Method.SIGNED_LINK and actor is None:
        raise ApprovalRefused(_("Only staff record a decision taken this way."), field="method")
    with transaction.atomic():
        order = lock_order(job.work_order)
        locked = lock_job(job)
        if locked.approval != Approval.PENDING:
            raise ApprovalRefused(_("This job was already decided (%(state)s).") % {"state": locked.get_approval_display()})
        if order.status not in (Status.SIGNED, Status.IN_WORKSHOP, Status.QUALITY_CHECK):
            raise ApprovalRefused(
                _("This order is %(status)s: extra work cannot be decided any more.") % {"status": order.get_status_display()},
                field="status",
            )
        net, gross = proposal_amounts(locked, order.vat_rate)
        if shown_gross is not None and shown_gross != gross:
            raise PriceChanged()
        who = decided_by.strip()[:120]
        if method == ApprovalDecision.Method.SIGNED_LINK:
            who = str(order.customer)
        elif method == ApprovalDecision.Method.WITHIN_LIMIT:
            _check_spending_limit(order, net, approved)
            who = str(actor)
        elif not who:
            raise ApprovalRefused(_("Write who decided (the name of the person on the phone, in the e-mail...)."), field="decided_by")
        decision = ApprovalDecision.objects.create(
            job=locked,
            approved=approved,
            method=method,
            decided_by=who,
            recorded_by=actor if actor and actor.is_authenticated else None,
            net_amount=net,
            gross_amount=gross,
            reason=reason.strip()[:300],
            request=request,
        )
        _set_approval(locked, Approval.APPROVED if approved else Approval.DECLINED, actor=actor)
        if approved:
            set_job_status(locked, JobStatus.ASSIGNED if locked.technician_id else JobStatus.WAITING, actor=actor)
            _request_approved_parts(order, locked, actor)
        else:
            _defer(order, locked, gross, reason)
        record_change(
            actor=actor,
            obj=locked,
            action="update",
            changes={"approval": [Approval.PENDING, locked.approval], "decided": [None, f"{decision.get_method_display()}: {who}"]},
        )
        refresh_estimate(order)
        to_quality_check_when_done(order, actor=actor)
    return decision


def _check_spending_limit(order: WorkOrder, net: Decimal, approved: bool) -> None:
    if not approved:
        raise SpendingLimitExceeded(_("Only the customer declines work; record how they said so."))
    limit = order.spending_limit or Decimal("0")
    already = approved_extra_net(order)
    if already + net > limit:
        raise SpendingLimitExceeded(
            _(
                "This work (%(amount)s) with the extras already approved (%(already)s) is above the customer's spending limit "
                "(%(limit)s, before VAT): ask the customer."
            )
            % {
                "amount": format_money(net, order.currency),
                "already": format_money(already, order.currency),
                "limit": format_money(limit, order.currency),
            }
        )


DEFERRED_DUE = {Rating.RED: timedelta(days=0), Rating.AMBER: timedelta(days=90)}
DEFERRED_DUE_DEFAULT = timedelta(days=30)


def _defer(order: WorkOrder, job: WorkOrderJob, gross: Decimal, reason: str) -> DeferredWork:
    rating = job.inspection_result.rating if job.inspection_result_id else ""
    today = timezone.localtime(timezone.now(), order.site.tz).date()
    return DeferredWork.objects.create(
        vehicle=order.vehicle,
        site=order.site,
        description=job.concern,
        reason=reason.strip()[:300],
        rating=rating,
        due_on=today + DEFERRED_DUE.get(rating, DEFERRED_DUE_DEFAULT),
        gross_price=gross,
        currency=order.currency,
        declined_job=job,
    )


def sell_deferred_work(*, deferred: DeferredWork, work_order: WorkOrder, actor: User) -> WorkOrderJob:
    """A later order takes on work the customer declined before; the deferred item points to the job that sells it."""
    with transaction.atomic():
        locked = DeferredWork.objects.select_for_update(of=("self",)).select_related("declined_job__operation").get(pk=deferred.pk)
        if locked.sold_job_id is not None:
            raise ApprovalRefused(_("This deferred work is already on an order."), field="deferred")
        if locked.vehicle_id != work_order.vehicle_id:
            raise ApprovalRefused(_("This deferred work is for another vehicle."), field="deferred")
        declined = locked.declined_job
        job = add_job(
            work_order=work_order,
            actor=actor,
            concern=locked.description,
            operation=declined.operation,
            flat_rate_hours=declined.flat_rate_hours,
            skill=declined.skill,
        )
        locked.sold_job = job
        locked.save(update_fields=["sold_job"])
    return job


def request_customer_approval(*, work_order: WorkOrder, actor: User, link_for) -> ApprovalRequest:
    """Send the pending additions to the customer by their preferred channel: a signed link to approve or decline each.

    ``link_for(request)`` builds the absolute link of the new request.
    """
    with transaction.atomic():
        order = lock_order(work_order)
        pending = list(order.jobs.filter(approval=Approval.PENDING).select_related(*job_text_sources()).prefetch_related("parts"))
        if not pending:
            raise ApprovalRefused(_("No extra work waits for the customer's approval."), field="jobs")
        request = ApprovalRequest.objects.create(work_order=order, sent_by=actor)
        total = sum((proposal_amounts(job, order.vat_rate)[1] for job in pending), Decimal("0"))
        with translation.override(order.customer.language or order.site.language):
            total_text = format_money(total, order.currency)
        queue_message(
            customer=order.customer,
            template="approval_request",
            about=order,
            purpose="service",
            urgent=True,
            idempotency_key=f"approval-request:{request.pk}",
            actor=actor,
            context={
                "vehicle": str(order.vehicle),
                "items": lazy(lambda: ", ".join(job.localized_concern() for job in pending), str)(),  # in the message's language
                "total": total_text,
                "link": link_for(request),
            },
        )
        record_change(actor=actor, obj=order, action="update", changes={"approval_requested": [None, len(pending)]})
    return request


def mark_request_viewed(*, request: ApprovalRequest, viewer: User | AnonymousUser | None = None, now=None) -> None:
    """The link was opened: keep the first time only. The customer is anonymous (audited with no user); a signed-in
    user who opens the link is named in the audit trail, so a view by staff is not taken for the customer's."""
    record_bulk_change(
        actor=viewer,
        queryset=ApprovalRequest.objects.filter(pk=request.pk, first_viewed_at__isnull=True),
        changes={"first_viewed_at": now or timezone.now()},
    )


# --- promised time ----------------------------------------------------------------


def change_promised_time(*, work_order: WorkOrder, promised_at, actor: User, reason: str = "") -> WorkOrder:
    """A new return time, told to the customer at once (message ``promised_time_changed``)."""
    if promised_at is None or timezone.is_naive(promised_at) or promised_at <= timezone.now():
        raise InvalidCheckIn(_("The promised return time must be later than now."), field="promised_at")
    with transaction.atomic():
        order = lock_order(work_order)
        if order.status in (Status.PREPARED, Status.DRAFT, Status.CHECKED_IN, Status.READY, Status.DELIVERED, Status.CANCELLED):
            raise TransitionNotAllowed(
                _("The return time of an order that is %(status)s is changed elsewhere.") % {"status": order.get_status_display()}
            )
        previous = order.promised_at
        if previous == promised_at:
            raise InvalidCheckIn(_("This is already the promised return time."), field="promised_at")
        order.promised_at = promised_at
        order.save(update_fields=["promised_at"])
        record_change(
            actor=actor,
            obj=order,
            action="update",
            changes={"promised_at": [previous, promised_at], **({"reason": [None, reason.strip()]} if reason.strip() else {})},
        )
        queue_message(
            customer=order.customer,
            template=PROMISED_TIME_TEMPLATE,
            about=order,
            purpose="service",
            urgent=True,
            idempotency_key=f"promised-time:{order.pk}:{promised_at.isoformat()}",
            actor=actor,
            context={"vehicle": str(order.vehicle), "number": order.number, "promised": promised_at, "previous": previous or promised_at},
        )
    return order
