"""Concerns: recording, the customer's questions and answers, closing, the person responsible, and the
escalation of complaints left unanswered for 24 hours."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.notifications import notify_staff, site_managers
from aftersales.audit.services import record_bulk_change
from aftersales.customers.models import Customer, Vehicle
from aftersales.lib.domain import StatusFlow
from aftersales.lib.system_texts import SystemText
from aftersales.messaging.models import Purpose
from aftersales.messaging.services import queue_message
from appointments.models import Appointment

from ..exceptions import ConcernRefused
from ..models import CallTask, Concern, ConcernEvent, Escalation
from ..system_texts import COMPLAINT_OVERDUE, COMPLAINT_OVERDUE_DETAILS, CONCERN_RECORDED, ESCALATED, OWNER_CHANGED
from ._common import _moment, may_own
from .calls import _cancel_open_tasks, create_call_task

logger = logging.getLogger(__name__)

CONCERN_FLOW = StatusFlow(
    event_model=ConcernEvent,
    subject="concern",
    refused=ConcernRefused,
    refusal=_("A concern that is %(current)s cannot become %(target)s."),
)
COMPLAINT_ANSWER_WITHIN = timedelta(hours=24)


def record_concern(
    *,
    customer: Customer,
    kind: str,
    channel: str,
    summary: SystemText | str,
    description: str = "",
    vehicle: Vehicle | None = None,
    appointment: Appointment | None = None,
    owner: User | None = None,
    recorded_by: User | None,
    received_at: datetime | None = None,
    allow_unowned: bool = False,
) -> Concern:
    """File a concern and acknowledge it to the customer at once (outside quiet hours), in their language.

    ``recorded_by`` is None when the customer's own survey answer opens it.

    A complaint needs a person responsible and an answer within 24 hours; it
    also puts a call-back, due at once, on that person's call list. Only a
    complaint the customer opened themselves may go without one
    (``allow_unowned``: the caller alerts the administrators instead).
    """
    if kind not in Concern.Kind.values:
        raise ConcernRefused(_("Choose the type of concern from the list."), field="kind")
    if channel not in Concern.Channel.values:
        raise ConcernRefused(_("Choose how the concern reached us from the list."), field="channel")
    summary = SystemText.of(summary)
    if not summary:
        raise ConcernRefused(_("Write what the concern is about."), field="summary")
    if vehicle is not None and vehicle.owner_id != customer.pk:
        raise ConcernRefused(_("This vehicle is not the customer's."), field="vehicle")
    if appointment is not None and appointment.customer_id != customer.pk:
        raise ConcernRefused(_("This appointment is not the customer's."), field="appointment")
    if kind == Concern.Kind.COMPLAINT and owner is None and not allow_unowned:
        raise ConcernRefused(_("A complaint needs a person responsible."), field="owner")
    if owner is not None and not may_own(owner, customer.site):
        raise ConcernRefused(_("The person responsible must be a CRC agent, advisor or manager of the customer's site."), field="owner")
    received = received_at or timezone.now()
    with transaction.atomic():
        concern = Concern.objects.create(
            site_id=customer.site_id,
            customer=customer,
            vehicle=vehicle,
            appointment=appointment,
            kind=kind,
            channel=channel,
            **summary.fields("summary", max_length=200),
            description=description.strip(),
            owner=owner,
            received_at=received,
            answer_due_at=received + COMPLAINT_ANSWER_WITHIN if kind == Concern.Kind.COMPLAINT else None,
            created_by=recorded_by,
        )
        CONCERN_FLOW.record(concern, actor=recorded_by, from_status="", note=CONCERN_RECORDED(kind=concern.kind))
        queue_message(
            customer=customer,
            template="concern_acknowledgment",
            context={"reference": concern.reference, "summary": concern.summary_display},
            about=concern,
            idempotency_key=f"concern:{concern.pk}:ack",
            purpose=Purpose.SERVICE,
            actor=recorded_by,
        )
        if kind == Concern.Kind.COMPLAINT:
            create_call_task(
                key=f"concern:{concern.pk}:callback",
                site=concern.site,
                customer=customer,
                vehicle=vehicle,
                kind=CallTask.Kind.COMPLAINT_CALLBACK,
                reason=concern.summary_display,
                due_at=received,
                source=concern,
                assigned_to=owner,
            )
    return concern


def _lock_concern(concern: Concern) -> Concern:
    return Concern.objects.select_for_update(of=("self",)).select_related("customer", "site").get(pk=concern.pk)


def _move_concern(concern: Concern, status: str, *, actor, note: str = "", **changes) -> Concern:
    locked = _lock_concern(concern)
    CONCERN_FLOW.move(locked, status, actor=actor, note=note, **changes)
    return locked


@transaction.atomic
def request_concern_info(*, concern: Concern, question: str, actor: User) -> Concern:
    """Ask the customer for what is missing; the concern waits for their answer."""
    if not question.strip():
        raise ConcernRefused(_("Write the question for the customer."), field="question")
    locked = _move_concern(concern, Concern.Status.WAITING_FOR_CUSTOMER, actor=actor, note=question.strip())
    asked = locked.events.filter(to_status=Concern.Status.WAITING_FOR_CUSTOMER).count()
    queue_message(
        customer=locked.customer,
        template="concern_info_request",
        context={"reference": locked.reference, "question": question.strip()},
        about=locked,
        idempotency_key=f"concern:{locked.pk}:info:{asked}",
        purpose=Purpose.SERVICE,
        actor=actor,
    )
    return locked


@transaction.atomic
def record_customer_reply(*, concern: Concern, note: str, actor: User | None) -> Concern:
    if not note.strip():
        raise ConcernRefused(_("Write what the customer told us."), field="note")
    return _move_concern(concern, Concern.Status.OPEN, actor=actor, note=note.strip())


@transaction.atomic
def answer_concern(*, concern: Concern, answer: str, actor: User, now: datetime | None = None) -> Concern:
    if not answer.strip():
        raise ConcernRefused(_("Write the answer given to the customer."), field="answer")
    locked = _move_concern(
        concern, Concern.Status.ANSWERED, actor=actor, note=answer.strip(), answer=answer.strip(), answered_at=_moment(now)
    )
    _cancel_open_tasks(key=f"concern:{locked.pk}:callback", actor=actor)
    return locked


@transaction.atomic
def close_concern(*, concern: Concern, resolution: str, customer_agreed: bool, actor: User, now: datetime | None = None) -> Concern:
    if not resolution.strip():
        raise ConcernRefused(_("Write the resolution."), field="resolution")
    if customer_agreed is None:
        raise ConcernRefused(_("Say whether the customer agrees with the resolution."), field="customer_agreed")
    return _move_concern(
        concern,
        Concern.Status.CLOSED,
        actor=actor,
        note=resolution.strip(),
        resolution=resolution.strip(),
        customer_agreed=customer_agreed,
        closed_at=_moment(now),
    )


@transaction.atomic
def reopen_concern(*, concern: Concern, note: str, actor: User) -> Concern:
    if not note.strip():
        raise ConcernRefused(_("Say why the concern is reopened."), field="note")
    return _move_concern(concern, Concern.Status.OPEN, actor=actor, note=note.strip())


@transaction.atomic
def assign_concern(*, concern: Concern, owner: User, actor: User) -> Concern:
    locked = _lock_concern(concern)
    if locked.status == Concern.Status.CLOSED:
        raise ConcernRefused(_("A closed concern cannot change hands."), field="owner")
    if not may_own(owner, locked.site):
        raise ConcernRefused(_("The person responsible must be a CRC agent, advisor or manager of the customer's site."), field="owner")
    before = locked.owner
    locked.owner = owner
    locked.save(update_fields=["owner"])
    CONCERN_FLOW.record(locked, actor=actor, from_status=locked.status, note=OWNER_CHANGED(before=before, after=owner))
    record_bulk_change(
        actor=actor,
        queryset=CallTask.objects.filter(key=f"concern:{locked.pk}:callback", status=CallTask.Status.OPEN),
        changes={"assigned_to": owner},
    )
    return locked


def escalate_overdue_complaints(*, now: datetime) -> int:
    """Put every complaint unanswered past its 24 hours on its site managers' list and e-mail them, once."""
    due = Concern.objects.filter(
        kind=Concern.Kind.COMPLAINT,
        status__in=Concern.UNANSWERED,
        answer_due_at__lte=now,
        escalation__isnull=True,
    ).values_list("pk", flat=True)
    created = 0
    for pk in due:
        created += _escalate(pk, now=now)
    return created


def _escalate(concern_pk: int, *, now: datetime) -> int:
    with transaction.atomic():
        concern = Concern.objects.select_for_update(of=("self",)).select_related("site", "customer", "owner").get(pk=concern_pk)
        if concern.status not in Concern.UNANSWERED or Escalation.objects.filter(concern=concern).exists():
            return 0
        Escalation.objects.create(concern=concern, site=concern.site, created_at=now)
        CONCERN_FLOW.record(concern, actor=None, from_status=concern.status, note=ESCALATED(), at=now)
        notify_staff(
            recipients=site_managers(concern.site),
            subject=COMPLAINT_OVERDUE(reference=concern.reference),
            lines=[
                COMPLAINT_OVERDUE_DETAILS(customer=concern.customer, site=concern.site, owner=concern.owner, received=concern.received_at),
                SystemText(concern.summary_code, concern.summary_params, concern.summary),
            ],
            link=reverse("followup:concern_detail", args=[concern.pk]),
            site=concern.site,
        )
    return 1


@transaction.atomic
def handle_escalation(*, escalation: Escalation, actor: User, now: datetime | None = None) -> Escalation:
    locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if locked.handled_at is not None:
        raise ConcernRefused(_("This escalation is already handled."))
    locked.handled_at = _moment(now)
    locked.handled_by = actor
    locked.save(update_fields=["handled_at", "handled_by"])
    return locked
