"""Reads for the booking screens, with their joins inside (no N+1 in views)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from aftersales.accounts.models import Site, User
from aftersales.accounts.permissions import get_for_user, visible_to
from aftersales.accounts.roles import Role
from aftersales.customers.models import LabourOperation, OperationPart, Vehicle

from .concerns import Concern, same_concern
from .models import (
    Appointment,
    AppointmentEvent,
    AppointmentJob,
    Loaner,
    LoanerReservation,
    PartOrderRequest,
    PartReservation,
    PartsDelayWarning,
    PartStock,
    WebRequest,
)
from .preparation import PreparationDays, PreparationNote, preparation_days, preparation_notes
from .slots import local_day_bounds


def booked_jobs() -> Prefetch:
    """An appointment's jobs with their catalogue operation, whose name each reader reads in their language."""
    return Prefetch("jobs", queryset=AppointmentJob.objects.select_related("operation"))


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("site", "customer", "vehicle", "advisor", "breakdown_call").prefetch_related(booked_jobs(), "mobility")


def list_appointments(*, site: Site, first_day: date, last_day: date, advisor: User | None = None) -> QuerySet:
    """Every appointment received between two local days (all statuses), by time."""
    start, end = local_day_bounds(site, first_day, last_day)
    queryset = Appointment.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
    if advisor is not None:
        queryset = queryset.filter(advisor=advisor)
    return _with_details(queryset).order_by("starts_at", "pk")


def list_arrivals(*, site: Site, day: date) -> QuerySet:
    """The day's expected and arrived customers, for the reception display."""
    return list_appointments(site=site, first_day=day, last_day=day).filter(
        status__in=[Appointment.Status.BOOKED, Appointment.Status.CONFIRMED, Appointment.Status.ARRIVED]
    )


def get_appointment_for_user(*, user: User, pk: int) -> Appointment:
    """One appointment of the user's sites with its jobs, mobility, events and loaner (404 otherwise)."""
    queryset = (
        _with_details(Appointment.objects.all())
        .prefetch_related(
            Prefetch("events", queryset=AppointmentEvent.objects.select_related("actor")),
            Prefetch("loaner_reservations", queryset=LoanerReservation.objects.select_related("loaner")),
        )
        .select_related("rescheduled_from", "breakdown_call__assistance_partner", "breakdown_call__taken_by")
    )
    return get_for_user(queryset, user, pk=pk)


def list_advisors(*, site: Site) -> QuerySet:
    """The active service advisors of a site, for choosing one."""
    return User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR, is_active=True).order_by("last_name", "first_name")


def free_loaners(*, site: Site, starts_at: datetime, ends_at: datetime) -> QuerySet:
    """The site's loaners with no reservation overlapping the period."""
    overlapping = LoanerReservation.objects.filter(loaner=OuterRef("pk"), starts_at__lt=ends_at, ends_at__gt=starts_at)
    return Loaner.objects.filter(site=site, active=True).exclude(Exists(overlapping)).order_by("category", "plate")


COMEBACK_DAYS = 30
VISIT_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED, Appointment.Status.ARRIVED, Appointment.Status.CONVERTED)


def comeback_warnings(*, vehicle: Vehicle, operation_ids, words: str, now: datetime) -> list[Appointment]:
    """Earlier visits of this vehicle that look like the same concern (a possible comeback).

    Rule: an appointment of the same vehicle that started in the 30 days
    before ``now`` (booked, confirmed, arrived or turned into a work order:
    cancelled, moved and no-show ones were no visit) whose concern is the same
    as this request's by ``concerns.same_concern``: a labour operation in
    common, a word of at least four letters in common (accents and case
    folded), or a concern category in common (brakes, tyres...) whatever
    language each was written in. Three queries whatever the number of visits.
    """
    operations = list(LabourOperation.objects.filter(pk__in=set(operation_ids))) if operation_ids else []
    new = Concern.of(operations=operations, texts=[words])
    if not new:
        return []
    earlier = (
        Appointment.objects.filter(
            vehicle=vehicle, status__in=VISIT_STATUSES, starts_at__gte=now - timedelta(days=COMEBACK_DAYS), starts_at__lt=now
        )
        .prefetch_related(booked_jobs())
        .order_by("-starts_at")
    )
    found = []
    for appointment in earlier:
        jobs = appointment.jobs.all()
        shared = same_concern(
            new,
            Concern.of(
                operations=[job.operation for job in jobs if job.operation_id],
                texts=[appointment.customer_words, *(job.description for job in jobs)],
            ),
        )
        if shared:
            appointment.comeback_reasons = shared.reasons() + [
                job.localized_description() for job in jobs if job.operation_id in shared.operation_ids
            ]
            found.append(appointment)
    return found


@dataclass
class KitLine:
    part: object
    quantity: Decimal
    stock: PartStock | None
    reservation: PartReservation | None
    order_request: PartOrderRequest | None

    @property
    def available(self) -> Decimal:
        return self.stock.on_hand if self.stock else Decimal("0")

    @property
    def short(self) -> bool:
        """Not set aside and not enough on the shelf: the part may be missing on the day."""
        return self.reservation is None and self.available < self.quantity


@dataclass
class PreparedAppointment:
    appointment: Appointment
    kit: list[KitLine] = field(default_factory=list)
    notes: list[PreparationNote] = field(default_factory=list)  # later stages' part (the work order), see preparation.py

    @property
    def missing_parts(self) -> list:
        return [line.part for line in self.kit if line.short]


PREPARATION_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED)


def preparation_list(*, site, today: date, user=None, days: PreparationDays | None = None) -> dict[date, list[PreparedAppointment]]:
    """The appointments of the next working days (``preparation.preparation_days``; a closed day only when it holds
    bookings) with their parts kits, stock, loaners and, for ``user``, the later stages' notes, in fixed queries."""
    days = days or preparation_days(site=site, today=today)
    if not days.working and not days.closed:
        return {}
    appointments = list(
        list_appointments(site=site, first_day=days.first_day, last_day=days.last_day)
        .filter(status__in=PREPARATION_STATUSES)
        .prefetch_related(
            Prefetch("loaner_reservations", queryset=LoanerReservation.objects.select_related("loaner", "confirmed_by")),
            Prefetch("parts_warnings", queryset=PartsDelayWarning.objects.select_related("sent_by").order_by("-number")),
        )
    )
    every_day = days.all_days()
    listed = {
        day: items for day, items in zip(every_day, _with_kits(site, appointments, every_day), strict=True) if day in days.working or items
    }
    if user is not None:
        _attach_notes([item for items in listed.values() for item in items], user)
    return listed


def prepared_appointment(*, appointment: Appointment, user) -> PreparedAppointment:
    """One appointment's kit and the later stages' notes, whatever its day (for its bin label)."""
    [[prepared]] = _with_kits(appointment.site, [appointment], [appointment.workshop_day])
    _attach_notes([prepared], user)
    return prepared


def _attach_notes(items: list[PreparedAppointment], user) -> None:
    notes = preparation_notes([item.appointment for item in items], user)
    for item in items:
        item.notes = notes[item.appointment.pk]


def _with_kits(site, appointments: list[Appointment], days: list[date]) -> list[list[PreparedAppointment]]:
    operation_ids = {job.operation_id for appointment in appointments for job in appointment.jobs.all() if job.operation_id}
    kits = defaultdict(list)
    for line in OperationPart.objects.filter(operation_id__in=operation_ids).select_related("part").order_by("part__number"):
        kits[line.operation_id].append(line)
    part_ids = {line.part_id for lines in kits.values() for line in lines}
    stock = {row.part_id: row for row in PartStock.objects.filter(site=site, part_id__in=part_ids)}
    ids = [appointment.pk for appointment in appointments]
    reservations = {(row.appointment_id, row.part_id): row for row in PartReservation.objects.filter(appointment_id__in=ids)}
    requests = {(row.appointment_id, row.part_id): row for row in PartOrderRequest.objects.filter(appointment_id__in=ids)}
    by_day = {day: [] for day in days}
    for appointment in appointments:
        needed: dict[int, tuple[object, Decimal]] = {}
        for job in appointment.jobs.all():
            for line in kits.get(job.operation_id, ()):
                part, quantity = needed.get(line.part_id, (line.part, Decimal("0")))
                needed[line.part_id] = (part, quantity + line.quantity)
        prepared = PreparedAppointment(
            appointment,
            [
                KitLine(
                    part, quantity, stock.get(part_id), reservations.get((appointment.pk, part_id)), requests.get((appointment.pk, part_id))
                )
                for part_id, (part, quantity) in needed.items()
            ],
        )
        by_day[appointment.workshop_day].append(prepared)
    return [by_day[day] for day in days]


def kit_need(*, appointment: Appointment, part_id: int) -> Decimal:
    """How many of a part the appointment's jobs need (0 when none)."""
    quantities = OperationPart.objects.filter(operation__appointmentjob__appointment=appointment, part_id=part_id).values_list(
        "quantity", flat=True
    )
    return sum(quantities, Decimal("0"))


def kits_of(*, appointments: list[Appointment]) -> dict[int, PreparedAppointment]:
    """Each appointment's parts kit against its site's stock, by appointment id, in fixed queries per site.

    The appointments come with their jobs prefetched (``booked_jobs``).
    """
    by_site: dict[Site, list[Appointment]] = defaultdict(list)
    for appointment in appointments:
        by_site[appointment.site].append(appointment)
    found = {}
    for site, listed in by_site.items():
        for items in _with_kits(site, listed, sorted({appointment.workshop_day for appointment in listed})):
            found.update((item.appointment.pk, item) for item in items)
    return found


def list_part_order_requests(*, user, status: str | None = PartOrderRequest.Status.OPEN) -> QuerySet:
    """The requests with what the parts desk's list shows: the appointment's jobs (for its kit) and its warnings, last first."""
    queryset = (
        visible_to(PartOrderRequest.objects.all(), user)
        .select_related("site", "part", "appointment__site", "appointment__customer", "appointment__vehicle", "requested_by", "handled_by")
        .prefetch_related(
            Prefetch("appointment__jobs", queryset=AppointmentJob.objects.select_related("operation")),
            Prefetch("appointment__parts_warnings", queryset=PartsDelayWarning.objects.select_related("sent_by").order_by("-number")),
        )
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("needed_by", "pk")


def reminders_due(*, now: datetime) -> QuerySet:
    """Booked (not yet confirmed) appointments of the next day in each site's own time zone (by the site, day and
    status index)."""
    tomorrow = Q(pk__in=[])
    for site in Site.objects.only("pk", "time_zone"):
        tomorrow |= Q(site_id=site.pk, workshop_day=now.astimezone(site.tz).date() + timedelta(days=1))
    return (
        Appointment.objects.filter(tomorrow, status=Appointment.Status.BOOKED, starts_at__gt=now)
        .select_related("site", "customer__site", "vehicle")
        .order_by("starts_at", "pk")
    )


def upcoming_for_customer(*, customer) -> Appointment | None:
    """The customer's next appointment still waiting for an answer (for an SMS reply)."""
    return (
        Appointment.objects.filter(customer=customer, status=Appointment.Status.BOOKED, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )


CUSTOMER_CHANGE_DAYS = 7


def customer_changes(*, site: Site, now: datetime) -> QuerySet:
    """What customers changed themselves (confirmed, moved, cancelled online) in the last 7 days, newest first."""
    return (
        AppointmentEvent.objects.filter(
            appointment__site=site, details__has_key="customer_change", at__gte=now - timedelta(days=CUSTOMER_CHANGE_DAYS)
        )
        .select_related("appointment__customer", "appointment__advisor", "appointment__vehicle")
        .order_by("-at", "-pk")
    )


VISITS_SHOWN = 30


def customer_visits(*, customer) -> list[Appointment]:
    """The customer's latest appointments (every status), newest first, for the 360 page's Visits card."""
    return list(
        Appointment.objects.filter(customer=customer)
        .select_related("site", "advisor", "vehicle")
        .order_by("-starts_at", "-pk")[:VISITS_SHOWN]
    )


WEB_REQUEST_VIEWS = ("open", "overdue", "answered")


def list_web_requests(*, user, site: Site, show: str, now: datetime) -> QuerySet:
    """A site's requests: open (unanswered, by due time), overdue (past due, unanswered) or answered (latest first)."""
    queryset = visible_to(WebRequest.objects.filter(site=site), user).select_related("site", "brand", "answered_by", "customer")
    if show == "answered":
        return queryset.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")
    queryset = queryset.filter(answered_at__isnull=True)
    if show == "overdue":
        queryset = queryset.filter(due_at__lte=now)
    return queryset.order_by("due_at", "pk")
