"""Maintenance reminders: the due service projected from plausible mileage, the site's touches, the follow-up
of an unanswered reminder, and the check of implausible readings."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.customers.models import Channel, ConsentRecord, Customer, MileageReading, Vehicle
from aftersales.jobs.chunks import by_key, run_in_chunks
from aftersales.lib.business_hours import next_allowed_send_time
from aftersales.messaging.batches import MessageRun, latest_consents_of, queue_messages
from aftersales.messaging.models import MessageChannel, OutboxMessage
from aftersales.messaging.services import queue_message
from appointments.models import Appointment

from ..exceptions import MileageCheckRefused
from ..models import CallTask, MaintenanceReminder, MileageCheck, ReminderPolicy
from ..system_texts import REMINDER_UNANSWERED, SERVICE_DUE, SERVICE_OVERDUE
from ._common import ReminderLookups, _moment, reminder_message_arguments
from .calls import call_task_row, create_call_task

REMINDER_DAYS_BEFORE = 30
CONVERSION_WINDOW = timedelta(days=30)
PROJECTION_WINDOW_DAYS = 730
MIN_PROJECTION_SPAN_DAYS = 30
IMPLAUSIBLE_FACTOR = 3
DAYS_PER_MONTH = 30.44
CHASER_VALID_DAYS = 30
REMINDER_CHUNK = 1000


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
    """The daily reminder run: one message per vehicle, due service and touch, whatever the reruns.

    Set-based per chunk of due vehicles (primary-key order): the reminders computed in Python are written by one
    insert that the unique key (vehicle, due service, touch) makes skip those already there, then their call tasks
    and outbox messages in bulk. The policies are read once; the calendars, templates, brands, offers, mobility
    services and campaigns once per run on first use. A run cut off part-way keeps its committed chunks and the next
    one goes on: what is done is skipped by the keys."""
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
        .annotate(site_id=F("owner__site_id"))
        .prefetch_related(Prefetch("mileage_readings", queryset=recent_readings(now=now), to_attr="recent_readings"))
    )
    lookups = ReminderLookups(MessageRun(now=now))
    sites = Site.objects.in_bulk()

    def remind_chunk(chunk: list[Vehicle]) -> int:
        return _remind_vehicles(chunk, sites, policies, lookups, now=now)

    return run_in_chunks(by_key(vehicles, REMINDER_CHUNK), remind_chunk)


def recent_readings(*, now: datetime):
    """The readings a projection looks at (the last 24 months), oldest first, with their plausibility check."""
    return (
        MileageReading.objects.filter(read_at__gte=now - timedelta(days=PROJECTION_WINDOW_DAYS), read_at__lte=now)
        .select_related("plausibility_check")
        .order_by("read_at", "pk")
    )


def _usable_readings(vehicle: Vehicle, flagged: list[MileageCheck], *, now: datetime) -> list[MileageReading]:
    """The vehicle's readings usable for projection; the implausible ones not checked yet go to ``flagged``."""
    readings = vehicle.recent_readings
    checks = {reading.pk: reading.plausibility_check for reading in readings if getattr(reading, "plausibility_check", None)}
    accepted, flags = assess_readings(readings, checks)
    flagged.extend(MileageCheck(reading=reading, vehicle=vehicle, reason=reason, flagged_at=now) for reading, reason in flags)
    return accepted


def _reminder_due(
    vehicle: Vehicle, site: Site, policy: ReminderPolicy | None, flagged: list[MileageCheck], *, now: datetime
) -> MaintenanceReminder | None:
    """The unsaved reminder of the touch the vehicle is in today, if any (its customer still to attach)."""
    accepted = _usable_readings(vehicle, flagged, now=now) if vehicle.next_service_due_km else []
    due = projected_due(vehicle, accepted, site)
    if due is None:
        return None
    due_on, basis = due
    touch = current_touch(touches_for(policy), due_on=due_on, today=timezone.localtime(now, site.tz).date())
    if touch is None:
        return None
    return MaintenanceReminder(
        vehicle=vehicle,
        customer_id=vehicle.owner_id,
        site=site,
        target=f"{vehicle.next_service_due_date or '-'}|{vehicle.next_service_due_km or '-'}",
        touch=touch.code,
        basis=basis,
        due_on=due_on,
        due_km=vehicle.next_service_due_km,
        sent_at=now,
    )


def _reminder_key(reminder: MaintenanceReminder) -> tuple[int, str, str]:
    return reminder.vehicle_id, reminder.target, reminder.touch


def _remind_vehicles(vehicles: list[Vehicle], sites: dict, policies: dict, lookups: ReminderLookups, *, now: datetime) -> int:
    """One chunk: the reminders due, written once each (by their unique key), then a CRC call for those who prefer
    the phone and agreed to it, a message for the others; the owners read only for the reminders written. How many
    reminders were written."""
    flagged: list[MileageCheck] = []
    due = [_reminder_due(vehicle, sites[vehicle.site_id], policies.get(vehicle.site_id), flagged, now=now) for vehicle in vehicles]
    if flagged:
        MileageCheck.objects.bulk_create(flagged, ignore_conflicts=True)  # one check per reading
    candidates = {_reminder_key(reminder): reminder for reminder in due if reminder is not None}
    if not candidates:
        return 0
    vehicle_ids = {vehicle_id for vehicle_id, _target, _touch in candidates}
    # Two runs at once (beat and a manual run_job): the second waits here until the first's chunk commits, then
    # finds its reminders made, so each run counts only what it wrote.
    list(Vehicle.objects.filter(pk__in=vehicle_ids).order_by("pk").select_for_update().values_list("pk", flat=True))
    made = set(MaintenanceReminder.objects.filter(vehicle_id__in=vehicle_ids).values_list("vehicle_id", "target", "touch"))
    fresh = {key: reminder for key, reminder in candidates.items() if key not in made}
    if not fresh:
        return 0
    MaintenanceReminder.objects.bulk_create(fresh.values(), ignore_conflicts=True)  # one taken meanwhile stays the other run's
    written = []
    rows = MaintenanceReminder.objects.filter(vehicle_id__in={key[0] for key in fresh}, sent_at=now)
    for vehicle_id, target, touch, pk in rows.values_list("vehicle_id", "target", "touch", "pk"):
        if (reminder := fresh.get((vehicle_id, target, touch))) is not None:
            reminder.pk = pk
            written.append(reminder)
    owners = Customer.objects.in_bulk({reminder.customer_id for reminder in written})
    for reminder in written:
        reminder.customer = reminder.vehicle.owner = owners[reminder.customer_id]
        reminder.customer.site = reminder.site
    consents = latest_consents_of(reminder.customer_id for reminder in written)
    by_call = [reminder for reminder in written if wants_calls(reminder.customer, consents=consents.get(reminder.customer_id, {}))]
    CallTask.objects.bulk_create([_reminder_call(reminder, lookups, now=now) for reminder in by_call], ignore_conflicts=True)
    calling = {reminder.pk for reminder in by_call}
    by_message = [reminder for reminder in written if reminder.pk not in calling]
    if by_message:
        keys = {reminder.pk: f"reminder:{reminder.pk}" for reminder in by_message}
        requests = [
            {**reminder_message_arguments(reminder, lookups=lookups), "idempotency_key": keys[reminder.pk]} for reminder in by_message
        ]
        queue_messages(requests, run=lookups.run)
        message = OutboxMessage.objects.filter(idempotency_key=Concat(Value("reminder:"), Cast(OuterRef("pk"), CharField())))
        MaintenanceReminder.objects.filter(pk__in=keys).update(message=Subquery(message.values("pk")[:1]))
    return len(written)


def _reminder_call(reminder: MaintenanceReminder, lookups: ReminderLookups, *, now: datetime) -> CallTask:
    today = timezone.localtime(now, reminder.site.tz).date()
    return call_task_row(
        key=f"reminder:{reminder.pk}:call",
        site=reminder.site,
        customer=reminder.customer,
        vehicle=reminder.vehicle,
        kind=CallTask.Kind.REMINDER_CALL,
        source=reminder,
        due_at=next_allowed_send_time(lookups.run.calendar(reminder.site), now),
        reason=(SERVICE_OVERDUE if reminder.due_on < today else SERVICE_DUE)(day=reminder.due_on),
    )


def wants_calls(customer, *, consents: dict[str, ConsentRecord]) -> bool:
    """A customer who prefers the phone, has a number and agreed to be called (``consents``: the latest record per
    channel) gets reminders by a CRC call."""
    if customer.preferred_channel != Channel.PHONE or not (customer.mobile or customer.phone_other):
        return False
    latest = consents.get(Channel.PHONE)
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
