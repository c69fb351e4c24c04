"""The quality check (the internal handover before invoicing), invoicing readiness, the delivery, and the advisor's
notifications."""

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.notifications import notify_staff
from aftersales.audit.services import record_bulk_change
from aftersales.customers.models import LabourOperation
from aftersales.lib.system_texts import SystemText

from ..exceptions import NotInvoiceable, QualityCheckRefused
from ..models import AdvisorNotification, Approval, JobStatus, QualityCheck, WorkOrder, WorkOrderJob
from ..system_texts import READY_FOR_INVOICING
from ._common import WORK_ORDER_FLOW, Status, lock_job, lock_order, set_job_status


def needs_road_test(order: WorkOrder) -> bool:
    return order.jobs.exclude(approval=Approval.DECLINED).filter(skill__in=ROAD_TEST_SKILLS).exists()


ROAD_TEST_SKILLS = (LabourOperation.Skill.MECHANICS, LabourOperation.Skill.DIAGNOSIS)


def record_quality_check(
    *,
    work_order: WorkOrder,
    inspector: User,
    passed: bool,
    order_complete: bool = False,
    road_test_done: bool = False,
    road_test_notes: str = "",
    all_jobs_done: bool = False,
    cleaned: bool = False,
    parking_place: str = "",
    unfixed_findings: str = "",
    fail_reason: str = "",
    redo_jobs: Sequence[WorkOrderJob] = (),
) -> QualityCheck:
    """The internal handover. Passed: every point of the checklist holds, the order becomes ready for invoicing and the
    advisor is told. Failed: the reason, the jobs to redo go back to their technician, counted as rework."""
    values = {
        "order_complete": order_complete,
        "road_test_done": road_test_done,
        "road_test_notes": road_test_notes.strip(),
        "all_jobs_done": all_jobs_done,
        "cleaned": cleaned,
        "parking_place": parking_place.strip(),
        "unfixed_findings": unfixed_findings.strip(),
        "fail_reason": fail_reason.strip(),
    }
    with transaction.atomic():
        order = lock_order(work_order)
        if order.status != Status.QUALITY_CHECK:
            raise QualityCheckRefused(
                _("This order is not waiting for the quality check (%(status)s).") % {"status": order.get_status_display()}
            )
        if passed:
            _check_pass(order, values)
            check = QualityCheck.objects.create(work_order=order, inspector=inspector, passed=True, **{**values, "fail_reason": ""})
            mark_ready_for_invoicing(work_order=order, actor=inspector)
        else:
            if not values["fail_reason"]:
                raise QualityCheckRefused(_("Write why the car goes back to the workshop."), field="fail_reason")
            if not redo_jobs:
                raise QualityCheckRefused(_("Choose the jobs to redo."), field="redo_jobs")
            check = QualityCheck.objects.create(work_order=order, inspector=inspector, passed=False, **values)
            for job in redo_jobs:
                _send_back(order, job, inspector)
            WORK_ORDER_FLOW.move(order, Status.IN_WORKSHOP, actor=inspector, note=values["fail_reason"])
    return check


def _check_pass(order: WorkOrder, values: dict) -> None:
    for name, message in (
        ("order_complete", _("Check that the order is complete and signed off by the technicians.")),
        ("all_jobs_done", _("Check that every job is done.")),
        ("cleaned", _("The car is cleaned before it is handed over.")),
    ):
        if not values[name]:
            raise QualityCheckRefused(message, field=name)
    if needs_road_test(order) and not values["road_test_done"]:
        raise QualityCheckRefused(_("These jobs call for a road test: do it and write your notes."), field="road_test_done")
    if not values["parking_place"]:
        raise QualityCheckRefused(_("Write where the car is parked."), field="parking_place")


def _send_back(order: WorkOrder, job: WorkOrderJob, inspector: User) -> None:
    locked = lock_job(job)
    if locked.work_order_id != order.pk or locked.status != JobStatus.DONE:
        raise QualityCheckRefused(_("Only done jobs of this order can be sent back."), field="redo_jobs")
    locked.rework_count += 1
    locked.done_by, locked.done_at = None, None
    set_job_status(
        locked,
        JobStatus.ASSIGNED if locked.technician_id else JobStatus.WAITING,
        actor=inspector,
        extra=("rework_count", "done_by", "done_at"),
    )


def mark_ready_for_invoicing(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    """Ready for invoicing: refused while a line waits for approval or a kept job is not done; the advisor is told."""
    with transaction.atomic():
        order = lock_order(work_order)
        pending = order.jobs.filter(approval=Approval.PENDING).first() or order.parts.filter(approval=Approval.PENDING).first()
        if pending is not None:
            raise NotInvoiceable(_("“%(line)s” waits for the customer's approval: nothing unapproved can be invoiced.") % {"line": pending})
        undone = order.jobs.exclude(approval=Approval.DECLINED).exclude(status=JobStatus.DONE).first()
        if undone is not None:
            raise NotInvoiceable(_("“%(job)s” is not done yet.") % {"job": undone.localized_concern()})
        WORK_ORDER_FLOW.move(order, Status.READY, actor=actor)
        notify_advisor(work_order=order, text=READY_FOR_INVOICING(number=order.number))
    work_order.refresh_from_db()
    return work_order


def mark_delivered(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    """The car is handed back to the customer (invoicing's handover calls it inside its own transaction)."""
    with transaction.atomic():
        order = lock_order(work_order)
        WORK_ORDER_FLOW.move(order, Status.DELIVERED, actor=actor)
    work_order.refresh_from_db(fields=["status"])
    return work_order


def notify_advisor(*, work_order: WorkOrder, text: SystemText) -> AdvisorNotification:
    """A note on the advisor's board (shown in the language they read it in), and an e-mail in their language once
    the transaction commits."""
    notification = AdvisorNotification.objects.create(
        advisor=work_order.advisor, work_order=work_order, **text.fields("text", max_length=300)
    )
    notify_staff(
        recipients=[work_order.advisor],
        subject=text,
        lines=[text],
        link=reverse("workshop:detail", args=[work_order.pk]),
        site=work_order.site,
    )
    return notification


def mark_notification_read(*, notification: AdvisorNotification, actor: User) -> None:
    record_bulk_change(
        actor=actor,
        queryset=AdvisorNotification.objects.filter(pk=notification.pk, advisor=actor, read_at__isnull=True),
        changes={"read_at": timezone.now()},
    )
