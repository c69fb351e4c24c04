"""Reads for the booking screens, with their joins inside (no N+1 in views)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from aftersales.accounts.models import Site, User
from aftersales.accounts.permissions import get_for_user, visible_to
from aftersales.accounts.roles import Role
from aftersales.customers.models import OperationPart, Vehicle
from aftersales.lib.text import fold

from .models import (
    Appointment,
    AppointmentEvent,
    AppointmentJob,
    Loaner,
    LoanerReservation,
    PartOrderRequest,
    PartReservation,
    PartStock,
    WebRequest,
)
from .slots import local_day_bounds


def booked_jobs() -> Prefetch:
    """An appointment's jobs with their catalogue operation, whose name each reader reads in their language."""
    return Prefetch("jobs", queryset=AppointmentJob.objects.select_related("operation"))


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("site", "customer", "vehicle", "advisor").prefetch_related(booked_jobs(), "mobility")


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
        .select_related("rescheduled_from")
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
COMEBACK_MIN_WORD = 4
VISIT_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED, Appointment.Status.ARRIVED, Appointment.Status.CONVERTED)


def _concern_words(text: str) -> set[str]:
    return {word for word in fold(text).split() if len(word) >= COMEBACK_MIN_WORD}


def comeback_warnings(*, vehicle: Vehicle, operation_ids, words: str, now: datetime) -> list[Appointment]:
    """Earlier visits of this vehicle that look like the same concern (a possible comeback).

    Rule: an appointment of the same vehicle that started in the 30 days
    before ``now`` (booked, confirmed, arrived or turned into a work order:
    cancelled, moved and no-show ones were no visit), sharing a labour
    operation with this request, or whose customer's words share a word of
    at least four letters (accents and case folded) with this request's.
    """
    operation_ids = set(operation_ids)
    new_words = _concern_words(words)
    if not operation_ids and not new_words:
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
        same_jobs = operation_ids & {job.operation_id for job in appointment.jobs.all()}
        jobs = appointment.jobs.all()
        same_words = new_words & _concern_words(" ".join([appointment.customer_words, *(job.description for job in jobs)]))
        if same_jobs or same_words:
            appointment.comeback_reasons = sorted(same_words) + [
                job.localized_description() for job in jobs if job.operation_id in same_jobs
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

    @property
    def missing_parts(self) -> list:
        return [line.part for line in self.kit if line.short]


PREPARATION_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED)


def preparation_list(*, site, today: date) -> dict[date, list[PreparedAppointment]]:
    """Tomorrow's and the day after's appointments with their parts kits, stock and loaners, in fixed queries."""
    days = [today + timedelta(days=1), today + timedelta(days=2)]
    appointments = list(
        list_appointments(site=site, first_day=days[0], last_day=days[1])
        .filter(status__in=PREPARATION_STATUSES)
        .prefetch_related(Prefetch("loaner_reservations", queryset=LoanerReservation.objects.select_related("loaner", "confirmed_by")))
    )
    return {day: items for day, items in zip(days, _with_kits(site, appointments, days), strict=True)}


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


def list_part_order_requests(*, user, status: str | None = PartOrderRequest.Status.OPEN) -> QuerySet:
    queryset = visible_to(PartOrderRequest.objects.all(), user).select_related(
        "site", "part", "appointment__customer", "appointment__vehicle", "requested_by"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("needed_by", "pk")


def reminders_due(*, now: datetime) -> list[Appointment]:
    """Booked (not yet confirmed) appointments of the next day in each site's own time zone."""
    candidates = (
        Appointment.objects.filter(status=Appointment.Status.BOOKED, starts_at__gt=now, starts_at__lt=now + timedelta(hours=50))
        .select_related("site", "customer", "vehicle")
        .order_by("starts_at", "pk")
    )
    return [
        appointment
        for appointment in candidates
        if appointment.workshop_day == now.astimezone(appointment.site.tz).date() + timedelta(days=1)
    ]


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
