"""What several workshop services share: the order's status flow, locking the order and its job lines, the
estimate, a job line's status move, recognising an image, and the move to the quality check."""

import io
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from aftersales.audit.services import record_change
from aftersales.lib.domain import StatusFlow
from aftersales.lib.money import line_total, vat_on

from ..exceptions import OrderSigned, TransitionNotAllowed
from ..models import Approval, JobStatus, WorkOrder, WorkOrderEvent, WorkOrderJob
from ..system_texts import ALL_JOBS_DONE

Status = WorkOrder.Status
WORK_ORDER_FLOW = StatusFlow(
    event_model=WorkOrderEvent,
    subject="work_order",
    refused=TransitionNotAllowed,
    refusal=_("An order that is %(current)s cannot become %(target)s."),
)
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def lock_order(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("site", "customer", "vehicle").get(pk=work_order.pk)


def refuse_when_signed(order: WorkOrder) -> None:
    if order.is_signed:
        raise OrderSigned()
    if order.status == Status.CANCELLED:
        raise TransitionNotAllowed(_("This order is cancelled."))


def lock_job(job: WorkOrderJob) -> WorkOrderJob:
    return WorkOrderJob.objects.select_for_update(of=("self",)).select_related("operation", "technician").get(pk=job.pk)


def set_job_status(job: WorkOrderJob, status: str, *, actor, hold_reason: str = "", extra: tuple[str, ...] = ()) -> None:
    previous = job.status
    job.status, job.hold_reason = status, hold_reason
    job.save(update_fields=["status", "hold_reason", *extra])
    if previous != status:
        record_change(actor=actor, obj=job, action="update", changes={"status": [previous, status]})


def refresh_estimate(order: WorkOrder) -> None:
    """Totals of the lines the customer agreed to or approved (pending and declined additions are left out)."""
    counted = (Approval.AGREED, Approval.APPROVED)
    labour = sum((job.labour_price for job in order.jobs.filter(approval__in=counted)), Decimal("0"))
    parts = sum((line_total(part.quantity, part.unit_price) for part in order.parts.filter(approval__in=counted)), Decimal("0"))
    order.labour_total, order.parts_total, order.net_total = labour, parts, labour + parts
    order.vat_total = vat_on(order.net_total, order.vat_rate)
    order.gross_total = order.net_total + order.vat_total
    order.save(update_fields=["labour_total", "parts_total", "net_total", "vat_total", "gross_total"])


def image_kind(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG or WebP image read from its content, else None."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return PHOTO_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def to_quality_check_when_done(order: WorkOrder, *, actor) -> None:
    """Every job the order keeps is done and nothing waits for approval: the car goes to the quality check."""
    if order.status != Status.IN_WORKSHOP:
        return
    kept = order.jobs.exclude(approval=Approval.DECLINED)
    if not kept.exists() or kept.exclude(status=JobStatus.DONE).exists() or order.parts.filter(approval=Approval.PENDING).exists():
        return
    WORK_ORDER_FLOW.move(order, Status.QUALITY_CHECK, actor=actor, note=ALL_JOBS_DONE())
