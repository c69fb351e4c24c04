"""The workshop floor: dispatch and the two clocks.

A job line moves waiting -> assigned -> in progress -> done, or on hold (for
parts, or for the customer's approval of an addition). Each move is an audit
row (who, when, from, to). The order moves in the workshop -> quality check
once every job it keeps is done, and back when the check fails.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import record_change
from appointments.models import TechnicianProfile

from ..exceptions import ClockingRefused, DispatchRefused
from ..models import Approval, AttendanceSpan, Bay, ClockingReview, HoldReason, JobClocking, JobStatus, WorkOrder, WorkOrderJob
from ..plausibility import as_duration, is_implausible
from ._common import Status, lock_job, lock_order, set_job_status, to_quality_check_when_done

# --- dispatch ---------------------------------------------------------------------


def _refuse_unapproved(job: WorkOrderJob, error=ClockingRefused) -> None:
    if job.approval == Approval.PENDING:
        raise error(_("This job waits for the customer's approval."))
    if job.approval == Approval.DECLINED:
        raise error(_("The customer declined this job."))


def assign_job(*, job: WorkOrderJob, technician: User, bay: Bay | None, actor: User) -> WorkOrderJob:
    """The foreman gives a job to a technician of the site who has the job's skill, in a bay of the site."""
    with transaction.atomic():
        order = lock_order(job.work_order)
        if order.status != Status.IN_WORKSHOP:
            raise DispatchRefused(_("Only the jobs of an order in the workshop can be dispatched."), field="job")
        locked = lock_job(job)
        _refuse_unapproved(locked, DispatchRefused)
        if locked.status == JobStatus.DONE:
            raise DispatchRefused(_("This job is already done."), field="job")
        profile = TechnicianProfile.objects.filter(user=technician, site=order.site, active=True).first()
        if profile is None:
            raise DispatchRefused(_("%(name)s is not a technician of this site.") % {"name": technician})
        if locked.skill not in profile.skills:
            raise DispatchRefused(
                _("%(name)s does not have the skill this job needs (%(skill)s).")
                % {"name": technician, "skill": locked.get_skill_display()}
            )
        if bay is not None and (bay.site_id != order.site_id or not bay.active):
            raise DispatchRefused(_("Choose a bay of this site."), field="bay")
        clocked = JobClocking.objects.filter(job=locked, ended_at__isnull=True).exclude(technician=technician).first()
        if clocked is not None:
            raise DispatchRefused(_("%(name)s is clocked on this job: they clock off first.") % {"name": clocked.technician})
        before = (locked.technician, locked.bay)
        locked.technician, locked.bay = technician, bay
        status = JobStatus.ASSIGNED if locked.status == JobStatus.WAITING else locked.status
        set_job_status(locked, status, actor=actor, hold_reason=locked.hold_reason, extra=("technician", "bay"))
        record_change(
            actor=actor,
            obj=locked,
            action="update",
            changes={"technician": [str(before[0] or ""), str(technician)], "bay": [str(before[1] or ""), str(bay or "")]},
        )
    return locked


def hold_job(*, job: WorkOrderJob, actor: User) -> WorkOrderJob:
    """The job waits for parts; whoever is clocked on it is clocked off."""
    with transaction.atomic():
        lock_order(job.work_order)
        locked = lock_job(job)
        _refuse_unapproved(locked, DispatchRefused)
        if locked.status == JobStatus.DONE:
            raise DispatchRefused(_("This job is already done."), field="job")
        _close_clockings(JobClocking.objects.filter(job=locked, ended_at__isnull=True), timezone.now())
        set_job_status(locked, JobStatus.ON_HOLD, actor=actor, hold_reason=HoldReason.PARTS)
    return locked


def resume_job(*, job: WorkOrderJob, actor: User) -> WorkOrderJob:
    with transaction.atomic():
        lock_order(job.work_order)
        locked = lock_job(job)
        if locked.status != JobStatus.ON_HOLD or locked.hold_reason != HoldReason.PARTS:
            raise DispatchRefused(_("Only a job waiting for parts can be resumed here."), field="job")
        set_job_status(locked, JobStatus.ASSIGNED if locked.technician_id else JobStatus.WAITING, actor=actor)
    return locked


# --- the two clocks ---------------------------------------------------------------
#
# Attendance (clock in / out of the day, breaks) and job clocking (on / off one
# job line) are separate tables. A technician's clocks are serialised by
# locking their user row; the partial unique constraints (one open day, one
# open break, one open job clocking per technician) hold even if a writer
# forgets to lock.


def _lock_technician(technician: User) -> TechnicianProfile:
    User.objects.select_for_update(no_key=True).filter(pk=technician.pk).first()
    profile = TechnicianProfile.objects.select_related("site").filter(user=technician, active=True).first()
    if profile is None:
        raise ClockingRefused(_("You are not registered as a technician."), field="attendance")
    return profile


def _open_span(technician: User, kind: str) -> AttendanceSpan | None:
    return AttendanceSpan.objects.filter(technician=technician, kind=kind, ended_at__isnull=True).first()


def _close_clockings(clockings, now) -> None:
    for clocking in clockings.select_for_update():
        clocking.ended_at = max(now, clocking.started_at)
        clocking.save(update_fields=["ended_at"])


def clock_in(*, technician: User, now=None) -> AttendanceSpan:
    now = now or timezone.now()
    with transaction.atomic():
        profile = _lock_technician(technician)
        day = _open_span(technician, AttendanceSpan.Kind.DAY)
        if day is not None:
            raise ClockingRefused(
                _("You are already clocked in since %(time)s.")
                % {"time": timezone.localtime(day.started_at, profile.site.tz).strftime("%H:%M")},
                field="attendance",
            )
        return AttendanceSpan.objects.create(technician=technician, site=profile.site, kind=AttendanceSpan.Kind.DAY, started_at=now)


def start_break(*, technician: User, now=None) -> AttendanceSpan:
    """A break inside the day; the job clock stops with it."""
    now = now or timezone.now()
    with transaction.atomic():
        profile = _lock_technician(technician)
        if _open_span(technician, AttendanceSpan.Kind.DAY) is None:
            raise ClockingRefused(_("Clock in for the day first."), field="attendance")
        if _open_span(technician, AttendanceSpan.Kind.BREAK) is not None:
            raise ClockingRefused(_("You are already on a break."), field="attendance")
        _close_clockings(JobClocking.objects.filter(technician=technician, ended_at__isnull=True), now)
        return AttendanceSpan.objects.create(technician=technician, site=profile.site, kind=AttendanceSpan.Kind.BREAK, started_at=now)


def end_break(*, technician: User, now=None) -> AttendanceSpan:
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        span = _open_span(technician, AttendanceSpan.Kind.BREAK)
        if span is None:
            raise ClockingRefused(_("You are not on a break."), field="attendance")
        span.ended_at = max(now, span.started_at)
        span.save(update_fields=["ended_at"])
    return span


def clock_out(*, technician: User, now=None) -> AttendanceSpan:
    """End of the day: an open break and an open job clocking end with it."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        day = _open_span(technician, AttendanceSpan.Kind.DAY)
        if day is None:
            raise ClockingRefused(_("You are not clocked in."), field="attendance")
        _close_clockings(JobClocking.objects.filter(technician=technician, ended_at__isnull=True), now)
        for span in AttendanceSpan.objects.filter(technician=technician, ended_at__isnull=True):
            span.ended_at = max(now, span.started_at)
            span.save(update_fields=["ended_at"])
    day.refresh_from_db()
    return day


def _job_of_technician(job: WorkOrderJob, technician: User) -> tuple[WorkOrder, WorkOrderJob]:
    order = lock_order(job.work_order)
    locked = lock_job(job)
    if locked.technician_id != technician.pk:
        raise ClockingRefused(_("This job is not assigned to you; ask the foreman."))
    if order.status != Status.IN_WORKSHOP:
        raise ClockingRefused(_("This order is not in the workshop (%(status)s).") % {"status": order.get_status_display()})
    _refuse_unapproved(locked)
    return order, locked


def clock_on_job(*, job: WorkOrderJob, technician: User, now=None) -> JobClocking:
    """Start the job clock on a job assigned to the technician; one job at a time, only while at work."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        if _open_span(technician, AttendanceSpan.Kind.DAY) is None:
            raise ClockingRefused(_("Clock in for the day before clocking on a job."), field="attendance")
        if _open_span(technician, AttendanceSpan.Kind.BREAK) is not None:
            raise ClockingRefused(_("End your break before clocking on a job."), field="attendance")
        order, locked = _job_of_technician(job, technician)
        if locked.status == JobStatus.DONE:
            raise ClockingRefused(_("This job is already signed off."))
        if locked.status == JobStatus.ON_HOLD:
            raise ClockingRefused(_("This job is on hold: %(reason)s.") % {"reason": locked.get_hold_reason_display()})
        current = JobClocking.objects.select_related("job__work_order").filter(technician=technician, ended_at__isnull=True).first()
        if current is not None:
            if current.job_id == locked.pk:
                return current
            raise ClockingRefused(
                _("You are still clocked on “%(job)s” (%(number)s): clock off it first.")
                % {"job": current.job.localized_concern(), "number": current.job.work_order.number}
            )
        clocking = JobClocking.objects.create(technician=technician, job=locked, started_at=now)
        set_job_status(locked, JobStatus.IN_PROGRESS, actor=technician)
    return clocking


def clock_off_job(*, job: WorkOrderJob, technician: User, now=None) -> JobClocking:
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        clocking = JobClocking.objects.select_for_update().filter(technician=technician, job=job, ended_at__isnull=True).first()
        if clocking is None:
            raise ClockingRefused(_("You are not clocked on this job."))
        clocking.ended_at = max(now, clocking.started_at)
        clocking.save(update_fields=["ended_at"])
    return clocking


def sign_off_job(*, job: WorkOrderJob, technician: User, correction: str = "", cause: str = "", now=None) -> WorkOrderJob:
    """The technician ticks the finished job (signed: who and when); its flat-rate hours count as sold to them."""
    now = now or timezone.now()
    with transaction.atomic():
        order, locked = _job_of_technician(job, technician)
        if locked.status == JobStatus.DONE:
            raise ClockingRefused(_("This job is already signed off."))
        if locked.status == JobStatus.ON_HOLD:
            raise ClockingRefused(_("This job is on hold: %(reason)s.") % {"reason": locked.get_hold_reason_display()})
        _close_clockings(JobClocking.objects.filter(job=locked, ended_at__isnull=True), now)
        locked.done_by, locked.done_at = technician, now
        locked.cause = cause.strip() or locked.cause
        locked.correction = correction.strip() or locked.correction
        set_job_status(locked, JobStatus.DONE, actor=technician, extra=("done_by", "done_at", "cause", "correction"))
        _review_clocked_time(locked, technician, now)
        to_quality_check_when_done(order, actor=technician)
    return locked


# --- the foreman's review of implausible clocked times ----------------------------------


def _review_clocked_time(job: WorkOrderJob, technician: User, now) -> None:
    """Flag the sign-off for the foreman when the job's clocked time is implausible against its sold hours; a job
    signed off again (after rework) is judged again on all its clocked time, and a previous decision no longer holds."""
    span = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    clocked = JobClocking.objects.filter(job=job).aggregate(total=Sum(span))["total"] or timedelta(0)
    previous = ClockingReview.objects.select_for_update().filter(job=job).first()
    if not is_implausible(sold_hours=job.flat_rate_hours, clocked=clocked):
        if previous is not None:
            record_change(actor=technician, obj=previous, action="delete", changes={"status": [previous.status, None]})
            previous.delete()
        return
    review, _created = ClockingReview.objects.update_or_create(
        job=job,
        defaults={
            "technician": technician,
            "flagged_at": now,
            "sold_hours": job.flat_rate_hours,
            "clocked": clocked,
            "status": ClockingReview.Status.PENDING,
            "corrected_clocked": None,
            "reason": "",
            "decided_by": None,
            "decided_at": None,
        },
    )
    record_change(
        actor=technician,
        obj=review,
        action="create" if previous is None else "update",
        changes={"status": [previous.status if previous else None, review.status], "clocked": [None, str(clocked)]},
    )


def _lock_pending_review(review: ClockingReview) -> ClockingReview:
    locked = ClockingReview.objects.select_for_update(of=("self",)).select_related("job").get(pk=review.pk)
    if locked.status != ClockingReview.Status.PENDING:
        raise ClockingRefused(_("This sign-off's clocked time was already confirmed or corrected."))
    return locked


def confirm_clocking(*, review: ClockingReview, actor: User, now=None) -> ClockingReview:
    """The foreman accepts the clocked time as it is: the job counts in the efficiency figure with it."""
    with transaction.atomic():
        locked = _lock_pending_review(review)
        locked.status, locked.decided_by, locked.decided_at = ClockingReview.Status.CONFIRMED, actor, now or timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record_change(actor=actor, obj=locked, action="update", changes={"status": [ClockingReview.Status.PENDING, locked.status]})
    return locked


def correct_clocking(*, review: ClockingReview, actor: User, clocked_hours: Decimal, reason: str, now=None) -> ClockingReview:
    """The foreman enters the real time spent on the job, with why: it replaces the job's clockings in the KPIs."""
    if clocked_hours is None or clocked_hours <= 0:
        raise ClockingRefused(_("Give the real time spent on the job, in hours, above zero."), field="clocked_hours")
    if not reason.strip():
        raise ClockingRefused(_("Say why the clocked time is corrected."), field="reason")
    with transaction.atomic():
        locked = _lock_pending_review(review)
        locked.status, locked.corrected_clocked, locked.reason = ClockingReview.Status.CORRECTED, as_duration(clocked_hours), reason.strip()
        locked.decided_by, locked.decided_at = actor, now or timezone.now()
        locked.save(update_fields=["status", "corrected_clocked", "reason", "decided_by", "decided_at"])
        record_change(
            actor=actor,
            obj=locked,
            action="update",
            changes={
                "status": [ClockingReview.Status.PENDING, locked.status],
                "clocked": [str(locked.clocked), str(locked.corrected_clocked)],
                "reason": ["", locked.reason],
            },
        )
    return locked
