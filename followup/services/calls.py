"""Call tasks: the CRC's call list, each call's outcome, the retries and the message that replaces the third unanswered call."""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.audit.services import record_bulk_change
from aftersales.lib.business_hours import next_allowed_send_time
from aftersales.lib.system_texts import SystemText
from aftersales.messaging.models import OutboxMessage, Purpose
from aftersales.messaging.services import queue_message
from invoicing.models import Handover

from ..exceptions import CallRefused
from ..models import NOT_REACHED, CallAttempt, CallOutcome, CallTask, MaintenanceReminder
from ._common import _moment, booking_link_for, may_own, reminder_message_arguments, survey_message_arguments


def call_task_row(
    *,
    key: str,
    site: Site,
    customer,
    kind: str,
    reason: SystemText | str,
    due_at: datetime,
    vehicle=None,
    source=None,
    assigned_to: User | None = None,
) -> CallTask:
    """The unsaved task (``create_call_task`` saves one; a timed job writes many at once, ``key`` skipping those made)."""
    return CallTask(
        key=key,
        site=site,
        customer=customer,
        vehicle=vehicle,
        kind=kind,
        **SystemText.of(reason).fields("reason", max_length=300),
        due_at=due_at,
        assigned_to=assigned_to,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=source.pk if source is not None else None,
    )


def create_call_task(*, key: str, **fields) -> CallTask:
    """The task under ``key``, created once whatever the reruns (``fields``: those of ``call_task_row``)."""
    existing = CallTask.objects.filter(key=key).first()
    if existing is not None:
        return existing
    task = call_task_row(key=key, **fields)
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        return CallTask.objects.get(key=key)
    return task


def _cancel_open_tasks(*, key: str, actor: User | None) -> None:
    record_bulk_change(
        actor=actor,
        queryset=CallTask.objects.filter(key=key, status=CallTask.Status.OPEN),
        changes={"status": CallTask.Status.CANCELLED, "closed_at": timezone.now()},
    )


@transaction.atomic
def assign_call_task(*, task: CallTask, agent: User | None, actor: User) -> CallTask:
    locked = CallTask.objects.select_for_update().get(pk=task.pk)
    if locked.status != CallTask.Status.OPEN:
        raise CallRefused(_("This call is no longer open."), field="assigned_to")
    if agent is not None and not may_own(agent, locked.site):
        raise CallRefused(_("Give the call to a CRC agent, advisor or manager of the task's site."), field="assigned_to")
    locked.assigned_to = agent
    locked.save(update_fields=["assigned_to"])
    return locked


@transaction.atomic
def record_call_attempt(*, task: CallTask, outcome: str, remarks: str = "", agent: User, now: datetime | None = None) -> CallAttempt:
    """One call: reached closes the task; not reached plans the next try on another day, and
    after the third the customer gets the task's fallback message instead."""
    now = _moment(now)
    if outcome not in CallOutcome.values:
        raise CallRefused(_("Choose the outcome of the call from the list."), field="outcome")
    locked = CallTask.objects.select_for_update(of=("self",)).select_related("site", "customer", "vehicle").get(pk=task.pk)
    if locked.status != CallTask.Status.OPEN:
        raise CallRefused(_("This call is no longer open."), field="outcome")
    tz = locked.site.tz
    unreached_days = {
        timezone.localtime(at, tz).date() for at in locked.attempts.filter(outcome__in=NOT_REACHED).values_list("at", flat=True)
    }
    reached = outcome not in NOT_REACHED
    if not reached and timezone.localtime(now, tz).date() in unreached_days:
        raise CallRefused(_("The customer was already tried today: try again on another day."), field="outcome")
    attempt = CallAttempt.objects.create(task=locked, agent=agent, at=now, outcome=outcome, remarks=remarks.strip())
    locked.outcome = outcome
    if reached:
        locked.status, locked.closed_at = CallTask.Status.DONE, now
    elif len(unreached_days) + 1 >= CallTask.MAX_ATTEMPTS:
        locked.status, locked.closed_at = CallTask.Status.UNREACHED, now
        locked.fallback_message = _send_fallback(locked, actor=agent)
    else:
        next_day = timezone.localtime(now, tz).date() + timedelta(days=1)
        locked.due_at = next_allowed_send_time(locked.site, datetime.combine(next_day, time(0), tzinfo=tz))
    locked.save(update_fields=["outcome", "status", "closed_at", "fallback_message", "due_at"])
    return attempt


def _send_fallback(task: CallTask, *, actor) -> OutboxMessage | None:
    """After three unanswered calls: the message the task's kind falls back to, if any."""
    source = task.source
    if task.kind == CallTask.Kind.CALLBACK and isinstance(source, Handover):
        return queue_message(
            **survey_message_arguments(source.visit_followup), idempotency_key=f"call-task:{task.pk}:fallback", actor=actor
        )
    if isinstance(source, MaintenanceReminder):
        return queue_message(**reminder_message_arguments(source), idempotency_key=f"call-task:{task.pk}:fallback", actor=actor)
    if task.kind == CallTask.Kind.TARGET_LIST and task.vehicle is not None:
        return queue_message(
            customer=task.customer,
            template="vehicle_life_message",
            about=task,
            purpose=Purpose.MARKETING,
            context={
                "vehicle": str(task.vehicle),
                "title": CallTask.Kind(task.kind).label,  # lazy, like the reason: written in the message's language
                "text": task.reason_display,
                "link": booking_link_for(task.vehicle),
            },
            idempotency_key=f"call-task:{task.pk}:fallback",
            actor=actor,
        )
    return None
