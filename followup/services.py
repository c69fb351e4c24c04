"""Follow-up writes: concerns, maintenance reminders, call tasks, target-list outreach.

Every function takes the acting user (``None`` for a timed job), runs in a
transaction, locks what it changes, records an event, and leaves messages to
the messaging outbox (``queue_message`` inside the transaction, sent after
commit) and e-mails to staff to ``transaction.on_commit``.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import Role
from aftersales.audit.services import record_bulk_change
from aftersales.customers.models import Channel, MileageReading, MobilityService, SeasonalOffer, Vehicle
from aftersales.customers.selectors import active_campaigns
from aftersales.lib.business_hours import QUIET_ENDS, is_send_allowed, next_allowed_send_time
from aftersales.lib.domain import StatusFlow
from aftersales.lib.formatting import format_money, format_number
from aftersales.lib.signing import make_token
from aftersales.lib.system_texts import SystemText
from aftersales.messaging.models import MessageChannel, OutboxMessage, Purpose
from aftersales.messaging.services import queue_message
from appointments.models import Appointment
from appointments.online import online_booking_url
from invoicing.models import Handover

from .exceptions import CallRefused, ConcernRefused, MileageCheckRefused, SatisfactionRefused
from .models import (
    NOT_REACHED,
    CallAttempt,
    CallOutcome,
    CallTask,
    Concern,
    ConcernEvent,
    Escalation,
    FollowupPolicy,
    MaintenanceReminder,
    MileageCheck,
    OutreachCampaign,
    ReminderPolicy,
    SatisfactionAnswer,
    VisitFollowup,
)
from .sentiment import reads_negative
from .system_texts import (
    CONCERN_RECORDED,
    ESCALATED,
    OWNER_CHANGED,
    REMINDER_UNANSWERED,
    SERVICE_DUE,
    SURVEY_COMPLAINT,
    TARGET_LIST,
    VISIT_CALLBACK,
)

logger = logging.getLogger(__name__)

CONCERN_FLOW = StatusFlow(
    event_model=ConcernEvent,
    subject="concern",
    refused=ConcernRefused,
    refusal=_("A concern that is %(current)s cannot become %(target)s."),
)
COMPLAINT_ANSWER_WITHIN = timedelta(hours=24)
REMINDER_DAYS_BEFORE = 30
CONVERSION_WINDOW = timedelta(days=30)
PROJECTION_WINDOW_DAYS = 730
MIN_PROJECTION_SPAN_DAYS = 30
IMPLAUSIBLE_FACTOR = 3
DAYS_PER_MONTH = 30.44
CHASER_VALID_DAYS = 30

# ---------------------------------------------------------------------------
# Concerns
# ---------------------------------------------------------------------------


def record_concern(
    *,
    customer,
    kind: str,
    channel: str,
    summary: SystemText | str,
    description: str = "",
    vehicle=None,
    appointment=None,
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
    if owner is not None and not owner.visible_sites().filter(pk=customer.site_id).exists():
        raise ConcernRefused(_("The person responsible must work at the customer's site."), field="owner")
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
    if not owner.visible_sites().filter(pk=locked.site_id).exists():
        raise ConcernRefused(_("The person responsible must work at the customer's site."), field="owner")
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


def _moment(now: datetime | None) -> datetime:
    return now or timezone.now()


def site_managers(site: Site):
    """Active after-sales managers working at the site (or group-wide in its group)."""
    return User.objects.filter(
        Q(sites=site) | Q(group_wide=True, sites__group_id=site.group_id),
        groups__name=Role.MANAGER,
        is_active=True,
    ).distinct()


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
        mails = _escalation_mails(concern)
        transaction.on_commit(lambda: _send_staff_mails(mails, about=concern.reference))
    return 1


def _send_staff_mails(mails: list[tuple], *, about: str) -> None:
    """E-mail staff after commit; a mail server failure is logged, the escalation stays on the managers' list."""
    try:
        send_mass_mail(mails, fail_silently=False)
    except (OSError, SMTPException):
        logger.exception("Could not e-mail the managers about %s", about)


def _escalation_mails(concern: Concern) -> list[tuple]:
    link = settings.SITE_URL + reverse("followup:concern_detail", args=[concern.pk])
    mails = []
    for manager in site_managers(concern.site).exclude(email=""):
        with translation.override(manager.language):
            subject = gettext("Complaint %(reference)s not answered within 24 hours") % {"reference": concern.reference}
            body = gettext(
                "Customer: %(customer)s\nSite: %(site)s\nPerson responsible: %(owner)s\nReceived: %(received)s\n\n%(summary)s\n\n%(link)s"
            ) % {
                "customer": concern.customer,
                "site": concern.site,
                "owner": concern.owner or "—",
                "received": timezone.localtime(concern.received_at, concern.site.tz).strftime("%Y-%m-%d %H:%M"),
                "summary": concern.summary_display,
                "link": link,
            }
        mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [manager.email]))
    return mails


@transaction.atomic
def handle_escalation(*, escalation: Escalation, actor: User, now: datetime | None = None) -> Escalation:
    locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if locked.handled_at is not None:
        raise ConcernRefused(_("This escalation is already handled."))
    locked.handled_at = _moment(now)
    locked.handled_by = actor
    locked.save(update_fields=["handled_at", "handled_by"])
    return locked


# ---------------------------------------------------------------------------
# Call tasks
# ---------------------------------------------------------------------------


def create_call_task(
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
    """The task under ``key``, created once whatever the reruns."""
    existing = CallTask.objects.filter(key=key).first()
    if existing is not None:
        return existing
    task = CallTask(
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
    if agent is not None and not agent.visible_sites().filter(pk=locked.site_id).exists():
        raise CallRefused(_("The agent must work at the task's site."), field="assigned_to")
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


# ---------------------------------------------------------------------------
# Maintenance reminders
# ---------------------------------------------------------------------------


def booking_link_for(vehicle: Vehicle) -> str:
    """Where the customer books for this vehicle: the online booking page, pre-filled for it (a signed 45-day link)."""
    return online_booking_url(vehicle)


def reminder_to_attribute(*, vehicle: Vehicle, at: datetime | None = None) -> MaintenanceReminder | None:
    """The reminder a booking made now for this vehicle answers (the latest sent in the last 30 days), for
    ``book_appointment(origin="reminder", origin_record=...)``."""
    at = at or timezone.now()
    return (
        MaintenanceReminder.objects.filter(vehicle=vehicle, sent_at__lte=at, sent_at__gt=at - CONVERSION_WINDOW)
        .order_by("-sent_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Touch:
    code: str
    offset_days: int  # relative to the due date: negative before


def touches_for(policy: ReminderPolicy | None) -> list[Touch]:
    """The site's touches in date order: extra ones before, the standard 30-day one, the chaser."""
    before = {REMINDER_DAYS_BEFORE, *(policy.extra_days_before if policy else [])}
    touches = [Touch(f"d{days}", -days) for days in sorted(before, reverse=True) if days > 0]
    if policy and policy.chaser_days_after:
        touches.append(Touch(f"a{policy.chaser_days_after}", policy.chaser_days_after))
    return touches


def current_touch(touches: list[Touch], *, due_on: date, today: date) -> Touch | None:
    """The touch whose window today falls in: from its date to the next touch's, the last one for 30 days.

    A vehicle found late (a projection that moved, a due date entered late)
    still gets the touch it is in, never the ones it missed.
    """
    for index, touch in enumerate(touches):
        starts = due_on + timedelta(days=touch.offset_days)
        if index + 1 < len(touches):
            ends = due_on + timedelta(days=touches[index + 1].offset_days)
        else:
            ends = max(starts, due_on) + timedelta(days=CHASER_VALID_DAYS)
        if starts <= today < ends:
            return touch
    return None


def assess_readings(readings: list[MileageReading], checks: dict[int, MileageCheck]) -> tuple[list[MileageReading], list[tuple]]:
    """(readings usable for projection, [(reading, reason)] newly implausible), readings in time order.

    A reading lower than the last usable one, or implying more than 3 times the
    vehicle's usual monthly distance since it, is left out until confirmed.
    """
    accepted: list[MileageReading] = []
    flags = []
    for reading in readings:
        check = checks.get(reading.pk)
        if check is not None and check.status == MileageCheck.Status.CONFIRMED:
            accepted.append(reading)
            continue
        if check is not None:
            continue
        reason = _implausibility(reading, accepted)
        if reason:
            flags.append((reading, reason))
        else:
            accepted.append(reading)
    return accepted, flags


def _implausibility(reading: MileageReading, accepted: list[MileageReading]) -> str:
    if not accepted:
        return ""
    last = accepted[-1]
    if reading.km < last.km:
        return MileageCheck.Reason.LOWER
    rate = km_per_day(accepted)
    if rate:
        days = max((reading.read_at - last.read_at).days, DAYS_PER_MONTH)
        if (reading.km - last.km) / days > IMPLAUSIBLE_FACTOR * rate:
            return MileageCheck.Reason.TOO_FAR
    return ""


def km_per_day(readings: list[MileageReading]) -> float | None:
    """Average distance per day between the first and last reading, over at least a month."""
    if len(readings) < 2:
        return None
    first, last = readings[0], readings[-1]
    days = (last.read_at - first.read_at).total_seconds() / 86400
    if days < MIN_PROJECTION_SPAN_DAYS or last.km <= first.km:
        return None
    return (last.km - first.km) / days


def projected_due(vehicle: Vehicle, accepted: list[MileageReading], site: Site) -> tuple[date, str] | None:
    """When the next service falls due: the earlier of the due date and the day the projected mileage reaches the due km."""
    candidates = []
    if vehicle.next_service_due_date:
        candidates.append((vehicle.next_service_due_date, MaintenanceReminder.Basis.DATE))
    rate = km_per_day(accepted)
    if vehicle.next_service_due_km and rate:
        last = accepted[-1]
        days_left = max(vehicle.next_service_due_km - last.km, 0) / rate
        reach = timezone.localtime(last.read_at, site.tz).date() + timedelta(days=int(days_left))
        candidates.append((reach, MaintenanceReminder.Basis.MILEAGE))
    return min(candidates) if candidates else None


def reminder_message_arguments(reminder: MaintenanceReminder, *, channel: str | None = None) -> dict:
    """queue_message arguments of a reminder: vehicle, service, current offer with its price, mobility, campaigns, link."""
    vehicle, site, customer = reminder.vehicle, reminder.site, reminder.customer
    today = timezone.localdate(timezone=site.tz)
    with translation.override(customer.language):
        offers = SeasonalOffer.objects.filter(
            Q(sites=site) | Q(sites__isnull=True),
            Q(brand__name__iexact=vehicle.make) | Q(brand__isnull=True),
            starts_on__lte=today,
            ends_on__gte=today,
        ).distinct()
        offer_text = "; ".join(
            " ".join(filter(None, [offer.localized("title"), format_money(offer.price, site.currency, customer.language)]))
            for offer in offers
        )
        mobility = [service.localized("name") for service in MobilityService.objects.filter(site=site, active=True)]
        campaigns = [campaign.display_title for campaign in active_campaigns(on=today) if campaign.matches(vehicle.vin)]
        due_km = format_number(reminder.due_km) if reminder.due_km else ""
    return {
        "customer": customer,
        "template": "maintenance_reminder",
        "about": reminder,
        "purpose": Purpose.MARKETING,
        "channel": channel,
        "context": {
            "vehicle": str(vehicle),
            "due_date": reminder.due_on,
            "due_km": due_km,
            "offer": offer_text,
            "mobility": ", ".join(mobility),
            "campaigns": "; ".join(campaigns),
            "link": booking_link_for(vehicle),
        },
    }


def send_maintenance_reminders(*, now: datetime) -> int:
    """The daily reminder run: one message per vehicle, due service and touch, whatever the reruns."""
    policies = {policy.site_id: policy for policy in ReminderPolicy.objects.all()}
    horizon = max([REMINDER_DAYS_BEFORE, *(days for p in policies.values() for days in p.extra_days_before)])
    today = now.date()
    booked = Appointment.objects.filter(status__in=(Appointment.Status.BOOKED, Appointment.Status.CONFIRMED), starts_at__gte=now)
    vehicles = (
        Vehicle.objects.filter(owner__isnull=False)
        .filter(Q(next_service_due_date__lte=today + timedelta(days=horizon + 1)) | Q(next_service_due_km__isnull=False))
        .exclude(pk__in=booked.values("vehicle_id"))
        .select_related("owner__site")
        .prefetch_related(Prefetch("mileage_readings", queryset=recent_readings(now=now), to_attr="recent_readings"))
        .order_by("pk")
    )
    sent = 0
    for vehicle in vehicles.iterator(chunk_size=500):
        sent += _remind_vehicle(vehicle, policies.get(vehicle.owner.site_id), now=now)
    return sent


def recent_readings(*, now: datetime):
    """The readings a projection looks at (the last 24 months), oldest first, with their plausibility check."""
    return (
        MileageReading.objects.filter(read_at__gte=now - timedelta(days=PROJECTION_WINDOW_DAYS), read_at__lte=now)
        .select_related("plausibility_check")
        .order_by("read_at", "pk")
    )


def _usable_readings(vehicle: Vehicle, *, now: datetime) -> list[MileageReading]:
    readings = vehicle.recent_readings
    checks = {reading.pk: reading.plausibility_check for reading in readings if getattr(reading, "plausibility_check", None)}
    accepted, flags = assess_readings(readings, checks)
    for reading, reason in flags:
        MileageCheck.objects.get_or_create(reading=reading, defaults={"vehicle": vehicle, "reason": reason, "flagged_at": now})
    return accepted


def _remind_vehicle(vehicle: Vehicle, policy: ReminderPolicy | None, *, now: datetime) -> int:
    site = vehicle.owner.site
    accepted = _usable_readings(vehicle, now=now) if vehicle.next_service_due_km else []
    due = projected_due(vehicle, accepted, site)
    if due is None:
        return 0
    due_on, basis = due
    today = timezone.localtime(now, site.tz).date()
    touch = current_touch(touches_for(policy), due_on=due_on, today=today)
    if touch is None:
        return 0
    target = f"{vehicle.next_service_due_date or '-'}|{vehicle.next_service_due_km or '-'}"
    with transaction.atomic():
        reminder, created = MaintenanceReminder.objects.get_or_create(
            vehicle=vehicle,
            target=target,
            touch=touch.code,
            defaults={
                "customer": vehicle.owner,
                "site": site,
                "basis": basis,
                "due_on": due_on,
                "due_km": vehicle.next_service_due_km,
                "sent_at": now,
            },
        )
        if not created:
            return 0
        if wants_calls(vehicle.owner):
            create_call_task(
                key=f"reminder:{reminder.pk}:call",
                site=site,
                customer=vehicle.owner,
                vehicle=vehicle,
                kind=CallTask.Kind.REMINDER_CALL,
                source=reminder,
                due_at=next_allowed_send_time(site, now),
                reason=SERVICE_DUE(day=due_on),
            )
        else:
            reminder.message = queue_message(**reminder_message_arguments(reminder), idempotency_key=f"reminder:{reminder.pk}")
            reminder.save(update_fields=["message"])
    return 1


def wants_calls(customer) -> bool:
    """A customer who prefers the phone, has a number and agreed to be called gets reminders by a CRC call."""
    if customer.preferred_channel != Channel.PHONE or not (customer.mobile or customer.phone_other):
        return False
    latest = customer.consents.filter(channel=Channel.PHONE).order_by("-recorded_at", "-pk").first()
    return bool(latest and latest.granted)


def recontact_unanswered_reminders(*, now: datetime) -> int:
    """A week after a standard reminder with no booking and no reply: a CRC call, or the other channel per site policy."""
    policies = {policy.site_id: policy for policy in ReminderPolicy.objects.all()}
    shortest = min([7, *(p.recontact_after_days for p in policies.values())])
    candidates = (
        MaintenanceReminder.objects.filter(
            recontacted_at__isnull=True,
            touch=f"d{REMINDER_DAYS_BEFORE}",
            sent_at__lte=now - timedelta(days=shortest),
            message__isnull=False,  # a reminder made by a call retries on its own call task
        )
        .select_related("vehicle", "customer", "site", "message")
        .order_by("pk")
    )
    done = 0
    for reminder in candidates:
        policy = policies.get(reminder.site_id)
        wait = timedelta(days=policy.recontact_after_days if policy else 7)
        if reminder.sent_at > now - wait or reminder_answered(reminder, until=now):
            continue
        done += _recontact(reminder, policy, now=now)
    return done


def reminder_answered(reminder: MaintenanceReminder, *, until: datetime) -> bool:
    """A booking for the vehicle or a message from the customer since the reminder."""
    booked = Appointment.objects.filter(vehicle_id=reminder.vehicle_id, created_at__gte=reminder.sent_at, created_at__lte=until)
    replied = reminder.customer.inbound_messages.filter(received_at__gte=reminder.sent_at, received_at__lte=until)
    return booked.exists() or replied.exists()


def _recontact(reminder: MaintenanceReminder, policy: ReminderPolicy | None, *, now: datetime) -> int:
    with transaction.atomic():
        updated = MaintenanceReminder.objects.filter(pk=reminder.pk, recontacted_at__isnull=True).update(recontacted_at=now)
        if not updated:
            return 0
        if policy and policy.recontact_by == ReminderPolicy.Recontact.SECOND_CHANNEL:
            first = reminder.message.channel if reminder.message else MessageChannel.SMS
            other = MessageChannel.EMAIL if first == MessageChannel.SMS else MessageChannel.SMS
            queue_message(**reminder_message_arguments(reminder, channel=other), idempotency_key=f"reminder:{reminder.pk}:recontact")
        else:
            create_call_task(
                key=f"reminder:{reminder.pk}:recontact",
                site=reminder.site,
                customer=reminder.customer,
                vehicle=reminder.vehicle,
                kind=CallTask.Kind.REMINDER_RECONTACT,
                source=reminder,
                due_at=next_allowed_send_time(reminder.site, now),
                reason=REMINDER_UNANSWERED(day=reminder.due_on),
            )
    return 1


@transaction.atomic
def decide_mileage_check(*, check: MileageCheck, confirmed: bool, actor: User, now: datetime | None = None) -> MileageCheck:
    """Confirm an implausible reading (it counts again) or reject it (it stays out of projections)."""
    locked = MileageCheck.objects.select_for_update().get(pk=check.pk)
    if locked.status != MileageCheck.Status.FLAGGED:
        raise MileageCheckRefused(_("This reading was already checked."))
    locked.status = MileageCheck.Status.CONFIRMED if confirmed else MileageCheck.Status.REJECTED
    locked.decided_at = _moment(now)
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    return locked


# ---------------------------------------------------------------------------
# Target lists
# ---------------------------------------------------------------------------


def call_from_list(*, target_list: str, vehicle: Vehicle, actor: User, now: datetime | None = None) -> CallTask:
    """Put a vehicle of a target list on the caller's own call list (once per list, vehicle and day)."""
    now = _moment(now)
    customer = vehicle.owner
    return create_call_task(
        key=f"list:{target_list}:{vehicle.pk}:{timezone.localtime(now, customer.site.tz).date().isoformat()}",
        site=customer.site,
        customer=customer,
        vehicle=vehicle,
        kind=CallTask.Kind.TARGET_LIST,
        reason=TARGET_LIST(target_list=target_list),
        due_at=now,
        assigned_to=actor,
    )


@transaction.atomic
def send_outreach(*, site: Site, target_list: str, title: str, text: str, vehicles, actor: User) -> tuple[OutreachCampaign, int]:
    """A campaign message to every customer of the selection, once per customer; marketing consent is
    enforced by the outbox (no consent: the row is kept as suppressed)."""
    if not title.strip():
        raise CallRefused(_("Give the campaign a title."), field="title")
    if not text.strip():
        raise CallRefused(_("Write the message."), field="text")
    campaign = OutreachCampaign.objects.create(site=site, target_list=target_list, title=title.strip(), text=text.strip(), created_by=actor)
    queued = 0
    seen = set()
    for vehicle in vehicles:
        if vehicle.owner_id in seen:
            continue
        seen.add(vehicle.owner_id)
        message = queue_message(
            customer=vehicle.owner,
            template="vehicle_life_message",
            about=campaign,
            purpose=Purpose.MARKETING,
            context={"vehicle": str(vehicle), "title": campaign.title, "text": campaign.text, "link": booking_link_for(vehicle)},
            idempotency_key=f"outreach:{campaign.pk}:{vehicle.owner_id}",
            actor=actor,
        )
        queued += message.status != OutboxMessage.Status.SUPPRESSED
    return campaign, queued


# ---------------------------------------------------------------------------
# Satisfaction follow-up: the quick touch, the 7-day callback, the survey
# ---------------------------------------------------------------------------

QUICK_TOUCH_AFTER = timedelta(hours=24)
QUICK_TOUCH_UNTIL = timedelta(hours=72)
CALLBACK_DAY = 7
EARLIEST_CALLBACK_DAY = 3  # a closed day 7 moves the call earlier, but not into the quick touch's days
QUICK_TOUCH_PURPOSE = "quick-touch"
SURVEY_PURPOSE = "satisfaction-survey"
QUICK_TOUCH_LINK_AGE = timedelta(days=14)
SURVEY_LINK_AGE = timedelta(days=30)
WRITTEN_CHANNELS = (Channel.SMS, Channel.EMAIL)


def callback_due_at(site: Site, handed_over_at: datetime) -> datetime:
    """Day 7 after the handover at the site's opening time; when the site is closed that day (weekday
    without hours, public holiday, closure) the last open day before it, never before day 3.

    Customers have no preferred time of day on file, so the call is due from the opening.
    """
    handover_day = timezone.localtime(handed_over_at, site.tz).date()
    for offset in range(CALLBACK_DAY, EARLIEST_CALLBACK_DAY - 1, -1):
        day = handover_day + timedelta(days=offset)
        if not site.is_closed_on(day):
            opens = site.opening_hours.filter(weekday=day.weekday()).order_by("opens").values_list("opens", flat=True).first()
            return datetime.combine(day, opens or QUIET_ENDS, tzinfo=site.tz)
    return next_allowed_send_time(site, datetime.combine(handover_day + timedelta(days=CALLBACK_DAY), QUIET_ENDS, tzinfo=site.tz))


def quick_touch_link(followup: VisitFollowup) -> str:
    token = make_token(purpose=QUICK_TOUCH_PURPOSE, pk=followup.pk)
    return settings.SITE_URL + reverse("followup:rate", kwargs={"token": token})


def survey_link(followup: VisitFollowup) -> str:
    token = make_token(purpose=SURVEY_PURPOSE, pk=followup.pk)
    return settings.SITE_URL + reverse("followup:survey", kwargs={"token": token})


def survey_message_arguments(followup: VisitFollowup) -> dict:
    """queue_message arguments of the short survey (a service message: it is about the visit, no marketing consent needed)."""
    return {
        "customer": followup.customer,
        "template": "callback_survey",
        "about": followup,
        "purpose": Purpose.SERVICE,
        "context": {"vehicle": str(followup.vehicle), "link": survey_link(followup)},
    }


def start_visit_followups(*, now: datetime) -> int:
    """Every handover closed in the last 7 days gets its follow-up row, once, and with it the 7-day callback:
    a CRC call task, or the survey link for a customer who prefers SMS or e-mail when the site prefers that."""
    policies = {policy.site_id: policy for policy in FollowupPolicy.objects.all()}
    handovers = (
        Handover.objects.filter(
            closed_at__isnull=False,
            closed_at__lte=now,
            closed_at__gt=now - timedelta(days=CALLBACK_DAY),
            visit_followup__isnull=True,
        )
        .select_related("site", "work_order__customer", "work_order__vehicle")
        .order_by("pk")
    )
    started = 0
    for handover in handovers:
        started += _start_visit_followup(handover, policies.get(handover.site_id))
    return started


def _start_visit_followup(handover: Handover, policy: FollowupPolicy | None) -> int:
    site, order = handover.site, handover.work_order
    customer = order.customer
    due = callback_due_at(site, handover.closed_at)
    with transaction.atomic():
        try:
            with transaction.atomic():
                followup = VisitFollowup.objects.create(
                    handover=handover,
                    site=site,
                    customer=customer,
                    vehicle=order.vehicle,
                    handed_over_at=handover.closed_at,
                    callback_due_at=due,
                )
        except IntegrityError:
            return 0
        if policy is not None and policy.survey_for_written_channels and customer.preferred_channel in WRITTEN_CHANNELS:
            followup.survey_message = queue_message(
                **survey_message_arguments(followup),
                due_at=due,
                idempotency_key=f"handover:{handover.pk}:survey",
            )
            followup.save(update_fields=["survey_message"])
        else:
            day = timezone.localtime(handover.closed_at, site.tz).date()
            create_call_task(
                key=f"handover:{handover.pk}:callback",
                site=site,
                customer=customer,
                vehicle=order.vehicle,
                kind=CallTask.Kind.CALLBACK,
                due_at=due,
                source=handover,
                reason=VISIT_CALLBACK(day=day, order=order.number),
            )
    return 1


def send_quick_touches(*, now: datetime) -> int:
    """The quick touch: 24 to 72 hours after the handover, at a moment the site may write (not at night, not on a
    closed day), a one-tap rating link by the preferred channel; once per handover. A window that passes
    entirely in quiet time sends nothing: the 7-day callback still comes."""
    pending = (
        VisitFollowup.objects.filter(
            quick_touch_sent_at__isnull=True,
            handed_over_at__lte=now - QUICK_TOUCH_AFTER,
            handed_over_at__gt=now - QUICK_TOUCH_UNTIL,
        )
        .select_related("site", "customer", "vehicle")
        .order_by("pk")
    )
    sent = 0
    for followup in pending:
        if not is_send_allowed(followup.site, now):
            continue
        with transaction.atomic():
            if not VisitFollowup.objects.filter(pk=followup.pk, quick_touch_sent_at__isnull=True).update(quick_touch_sent_at=now):
                continue
            message = queue_message(
                customer=followup.customer,
                template="quick_touch",
                about=followup,
                purpose=Purpose.SERVICE,
                context={"vehicle": str(followup.vehicle), "link": quick_touch_link(followup)},
                idempotency_key=f"handover:{followup.handover_id}:quick_touch",
            )
            VisitFollowup.objects.filter(pk=followup.pk).update(quick_touch_message=message)
        sent += 1
    return sent


def _score(value, *, field: str, low: int, high: int, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise SatisfactionRefused(_("Give a score from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field)
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise SatisfactionRefused(_("Give a score from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field)
    return number


def record_satisfaction_answer(
    *,
    followup: VisitFollowup,
    source: str,
    score,
    nps=None,
    text: str = "",
    other_needs: str = "",
    answered_by: User | None = None,
    now: datetime | None = None,
) -> SatisfactionAnswer:
    """Store a customer's answer (once per visit and source); a dissatisfied one opens a complaint and tells the managers."""
    if source not in SatisfactionAnswer.Source.values:
        raise SatisfactionRefused(_("Unknown kind of answer."), field="source")
    score = _score(score, field="score", low=1, high=5, required=True)
    nps = _score(nps, field="nps", low=0, high=10, required=False)
    now = _moment(now)
    with transaction.atomic():
        locked = (
            VisitFollowup.objects.select_for_update(of=("self",))
            .select_related("site", "customer", "vehicle", "handover")
            .get(pk=followup.pk)
        )
        if SatisfactionAnswer.objects.filter(handover_id=locked.handover_id, source=source).exists():
            raise SatisfactionRefused(_("This visit was already rated this way: thank you."), field="score")
        answer = SatisfactionAnswer.objects.create(
            source=source,
            handover_id=locked.handover_id,
            customer=locked.customer,
            site=locked.site,
            score=score,
            nps=nps,
            text=text.strip()[:2000],
            other_needs=other_needs.strip()[:2000],
            answered_at=now,
            answered_by=answered_by,
        )
        if answer.dissatisfied_by_score or reads_negative(answer.text):
            _open_hot_alert(answer, locked, now=now)
    return answer


@transaction.atomic
def add_satisfaction_remarks(*, answer: SatisfactionAnswer, text: str, now: datetime | None = None) -> SatisfactionAnswer:
    """The customer adds words to their rating; negative words raise the hot alert the rating did not."""
    if not text.strip():
        raise SatisfactionRefused(_("Write your remarks."), field="text")
    locked = SatisfactionAnswer.objects.select_for_update().get(pk=answer.pk)
    locked.text = "\n".join(filter(None, [locked.text, text.strip()]))[:2000]
    locked.save(update_fields=["text"])
    if locked.concern_id is None and reads_negative(text):
        followup = VisitFollowup.objects.select_related("site", "customer", "vehicle", "handover").get(handover_id=locked.handover_id)
        _open_hot_alert(locked, followup, now=_moment(now))
    return locked


def _open_hot_alert(answer: SatisfactionAnswer, followup: VisitFollowup, *, now: datetime) -> None:
    """A complaint (channel survey) owned by a site manager, with its acknowledgment, call-back and 24 h deadline,
    and an e-mail to the site's managers after commit."""
    handover, customer = followup.handover, followup.customer
    owner = complaint_owner(followup.site, handover)
    summary = SURVEY_COMPLAINT(day=timezone.localtime(followup.handed_over_at, followup.site.tz).date(), score=answer.score)
    appointment = handover.work_order.appointment if handover.work_order.appointment_id else None
    concern = record_concern(
        customer=customer,
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.SURVEY,
        summary=summary,
        description="\n".join(filter(None, [answer.text, answer.other_needs])),
        vehicle=followup.vehicle,
        appointment=appointment if appointment is not None and appointment.customer_id == customer.pk else None,
        owner=owner,
        recorded_by=answer.answered_by,
        received_at=now,
        allow_unowned=True,
    )
    answer.concern = concern
    answer.save(update_fields=["concern"])
    mails = _hot_alert_mails(concern, answer) + (_unowned_mails(concern) if owner is None else [])
    transaction.on_commit(lambda: _send_staff_mails(mails, about=concern.reference))


def _works_at(user: User | None, site: Site) -> bool:
    return user is not None and user.is_active and user.visible_sites().filter(pk=site.pk).exists()


def complaint_owner(site: Site, handover: Handover) -> User | None:
    """Who owns a complaint the customer opened: a site manager, else the handover's advisor or the one who closed it,
    else any service advisor of the site (each still active there); None only when the site has none of them."""
    for user in (site_managers(site).order_by("pk").first(), handover.advisor, handover.closed_by):
        if _works_at(user, site):
            return user
    return User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR, is_active=True).order_by("pk").first()


def site_admins(site: Site):
    """Active administrators of the site (or group-wide in its group), and superusers."""
    at_site = Q(sites=site) | Q(group_wide=True, sites__group_id=site.group_id)
    return User.objects.filter((at_site & Q(groups__name=Role.ADMIN)) | Q(is_superuser=True), is_active=True).distinct()


def _unowned_mails(concern: Concern) -> list[tuple]:
    link = settings.SITE_URL + reverse("followup:concern_detail", args=[concern.pk])
    mails = []
    for admin in site_admins(concern.site).exclude(email=""):
        with translation.override(admin.language):
            subject = gettext("Complaint %(reference)s has nobody responsible") % {"reference": concern.reference}
            body = gettext(
                "A customer's answer opened this complaint at %(site)s, which has no after-sales manager or service advisor "
                "to own it. Assign it and call the customer back within 24 hours.\n\n%(link)s"
            ) % {"site": concern.site, "link": link}
        mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [admin.email]))
    return mails


def _hot_alert_mails(concern: Concern, answer: SatisfactionAnswer) -> list[tuple]:
    link = settings.SITE_URL + reverse("followup:concern_detail", args=[concern.pk])
    mails = []
    for manager in site_managers(concern.site).exclude(email=""):
        with translation.override(manager.language):
            subject = gettext("Dissatisfied customer: %(customer)s (%(reference)s)") % {
                "customer": concern.customer,
                "reference": concern.reference,
            }
            body = gettext(
                "%(source)s: %(score)s/5, would recommend: %(nps)s/10\n\n%(text)s\n\nCall the customer back within 24 hours. "
                "Person responsible: %(owner)s\n\n%(link)s"
            ) % {
                "source": answer.get_source_display(),
                "score": answer.score,
                "nps": "—" if answer.nps is None else answer.nps,
                "text": answer.text or "—",
                "owner": concern.owner or "—",
                "link": link,
            }
        mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [manager.email]))
    return mails


@transaction.atomic
def record_callback_outcome(
    *,
    task: CallTask,
    outcome: str,
    remarks: str = "",
    satisfaction=None,
    nps=None,
    other_needs: str = "",
    agent: User,
    now: datetime | None = None,
) -> tuple[CallAttempt, SatisfactionAnswer | None]:
    """One 7-day callback call: not reached follows the retry plan (3 days, then the survey link); reached
    needs the satisfaction score and stores the answer (with the would-recommend score, remarks, other needs)."""
    if task.kind != CallTask.Kind.CALLBACK or not isinstance(task.source, Handover):
        raise CallRefused(_("This call is not a visit callback."), field="outcome")
    reached = outcome in CallOutcome.values and outcome not in NOT_REACHED
    if reached:
        try:
            _score(satisfaction, field="satisfaction", low=1, high=5, required=True)
            _score(nps, field="nps", low=0, high=10, required=False)
        except SatisfactionRefused as error:
            raise CallRefused(error.message, field=error.field) from None
    attempt = record_call_attempt(
        task=task,
        outcome=outcome,
        agent=agent,
        now=now,
        remarks="\n".join(filter(None, [remarks.strip(), other_needs.strip()])),
    )
    if not reached:
        return attempt, None
    try:
        answer = record_satisfaction_answer(
            followup=task.source.visit_followup,
            source=SatisfactionAnswer.Source.CALLBACK,
            score=satisfaction,
            nps=nps,
            text=remarks,
            other_needs=other_needs,
            answered_by=agent,
            now=attempt.at,
        )
    except SatisfactionRefused as error:
        raise CallRefused(error.message, field="satisfaction" if error.field == "score" else error.field) from None
    return attempt, answer
