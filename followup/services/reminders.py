"""Maintenance reminders: the due service projected from plausible mileage, the site's touches, the follow-up
of an unanswered reminder, and the check of implausible readings."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.calendars import site_calendars
from aftersales.accounts.models import Site, User
from aftersales.customers.models import Channel, MileageReading, Vehicle
from aftersales.jobs.chunks import by_key, run_in_chunks
from aftersales.lib.business_hours import next_allowed_send_time
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import queue_message
from appointments.models import Appointment

from ..exceptions import MileageCheckRefused
from ..models import CallTask, MaintenanceReminder, MileageCheck, ReminderPolicy
from ..system_texts import REMINDER_UNANSWERED, SERVICE_DUE, SERVICE_OVERDUE
from ._common import _moment, reminder_message_arguments
from .calls import create_call_task

REMINDER_DAYS_BEFORE = 30
CONVERSION_WINDOW = timedelta(days=30)
PROJECTION_WINDOW_DAYS = 730
MIN_PROJECTION_SPAN_DAYS = 30
IMPLAUSIBLE_FACTOR = 3
DAYS_PER_MONTH = 30.44
CHASER_VALID_DAYS = 30
REMINDER_CHUNK = 500


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


def send_maintenance_reminders(*, now: datetime) -> int:
    """The daily reminder run: one message per vehicle, due service and touch, whatever the reruns."""
    policies = {policy.site_id: policy for policy in ReminderPolicy.objects.all()}
    horizon = max([REMINDER_DAYS_BEFORE, *(days for p in policies.values() for days in p.extra_days_before)])
    latest_chaser = max([0, *(p.chaser_days_after for p in policies.values() if p.chaser_days_after)])
    today = now.date()
    booked = Appointment.objects.filter(status__in=(Appointment.Status.BOOKED, Appointment.Status.CONFIRMED), starts_at__gte=now)
    due_by_date = Q(
        next_service_due_date__lte=today + timedelta(days=horizon + 1),
        next_service_due_date__gte=today - timedelta(days=latest_chaser + CHASER_VALID_DAYS + 1),
    )
    vehicles = (
        Vehicle.objects.filter(owner__isnull=False)
        .filter(due_by_date | Q(next_service_due_km__isnull=False))
        .exclude(pk__in=booked.values("vehicle_id"))
        .select_related("owner__site")
        .prefetch_related(Prefetch("mileage_readings", queryset=recent_readings(now=now), to_attr="recent_readings"))
    )
    calendars = site_calendars(since=today - timedelta(days=1))

    def remind_chunk(chunk: list[Vehicle]) -> int:
        return sum(_remind_vehicle(vehicle, policies.get(vehicle.owner.site_id), calendars, now=now) for vehicle in chunk)

    return run_in_chunks(by_key(vehicles, REMINDER_CHUNK), remind_chunk)


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


def _remind_vehicle(vehicle: Vehicle, policy: ReminderPolicy | None, calendars: dict, *, now: datetime) -> int:
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
    with transaction.atomic():  # a savepoint of the chunk's transaction
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
                due_at=next_allowed_send_time(calendars[site.pk], now),
                reason=(SERVICE_OVERDUE if due_on < today else SERVICE_DUE)(day=due_on),
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
