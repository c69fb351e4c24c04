"""Reads for reception, with their joins inside: the day board and the work-order pages."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.accounts.permissions import get_for_user, visible_to
from aftersales.customers.models import MobilityService
from appointments.models import Appointment, LoanerReservation, PartOrderRequest
from appointments.slots import local_day_bounds

from .models import WorkOrder, WorkOrderEvent, WorkOrderJob, WorkOrderPart

LATE_AFTER = timedelta(minutes=15)
BOARD_STATUSES = (
    Appointment.Status.BOOKED, Appointment.Status.CONFIRMED, Appointment.Status.ARRIVED,
    Appointment.Status.CONVERTED, Appointment.Status.NO_SHOW,
)


@dataclass(frozen=True)
class BoardRow:
    """One arrival of the day: a booked appointment or a walk-in's work order."""

    starts_at: datetime
    state: str
    state_label: object
    appointment: Appointment | None
    work_order: WorkOrder | None
    loaner: str
    loaner_ready: bool | None
    parts: str = ""
    parts_ready: bool | None = None

    @property
    def customer(self):
        return (self.appointment or self.work_order).customer

    @property
    def vehicle(self):
        return (self.appointment or self.work_order).vehicle

    @property
    def advisor(self):
        return (self.appointment or self.work_order).advisor


STATE_LABELS = {
    "expected": _("Expected"),
    "late": _("Late"),
    "arrived": _("Arrived"),
    "no_show": _("No-show"),
    "walk_in": _("Walk-in"),
}


def day_board(*, site: Site, day: date, now: datetime) -> list[BoardRow]:
    """The day's arrivals by time with their state, parts and loaner readiness, in a fixed number of queries."""
    start, end = local_day_bounds(site, day, day)
    appointments = (
        Appointment.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end, status__in=BOARD_STATUSES)
        .select_related("customer", "vehicle", "advisor", "work_order", "work_order__loaner_handover__loaner")
        .prefetch_related(
            "jobs__operation__kit_lines", "mobility", "part_reservations", "part_order_requests",
            Prefetch("loaner_reservations", queryset=LoanerReservation.objects.select_related("loaner")),
        )
        .order_by("starts_at", "pk")
    )
    walk_ins = (
        WorkOrder.objects.filter(site=site, appointment__isnull=True, created_at__gte=start, created_at__lt=end)
        .exclude(status=WorkOrder.Status.CANCELLED)
        .select_related("customer", "vehicle", "advisor", "loaner_handover__loaner")
    )
    rows = [_appointment_row(appointment, now) for appointment in appointments]
    rows += [_walk_in_row(order) for order in walk_ins]
    return sorted(rows, key=lambda row: row.starts_at)


def _appointment_row(appointment: Appointment, now: datetime) -> BoardRow:
    order = getattr(appointment, "work_order", None)
    if order is not None or appointment.status in (Appointment.Status.ARRIVED, Appointment.Status.CONVERTED):
        state = "arrived"
    elif appointment.status == Appointment.Status.NO_SHOW:
        state = "no_show"
    elif now > appointment.starts_at + LATE_AFTER:
        state = "late"
    else:
        state = "expected"
    loaner, ready = _loaner_readiness(appointment, order)
    parts, parts_ready = _parts_readiness(appointment)
    return BoardRow(appointment.starts_at, state, STATE_LABELS[state], appointment, order, loaner, ready, parts, parts_ready)


def _parts_readiness(appointment: Appointment) -> tuple[str, bool | None]:
    """Whether the parts kits of the booked jobs are set aside (None: no kit needed)."""
    needed = {line.part_id for job in appointment.jobs.all() if job.operation for line in job.operation.kit_lines.all()}
    if not needed:
        return "", None
    reserved = {reservation.part_id for reservation in appointment.part_reservations.all()}
    if needed <= reserved:
        return str(_("Parts set aside")), True
    ordered = {request.part_id for request in appointment.part_order_requests.all() if request.status != PartOrderRequest.Status.CANCELLED}
    if needed <= reserved | ordered:
        return str(_("Parts ordered")), False
    return str(_("Parts not set aside")), False


def _walk_in_row(order: WorkOrder) -> BoardRow:
    loaner, ready = _loaner_readiness(None, order)
    return BoardRow(order.created_at, "walk_in", STATE_LABELS["walk_in"], None, order, loaner, ready)


def _loaner_readiness(appointment: Appointment | None, order: WorkOrder | None) -> tuple[str, bool | None]:
    """What the board says about the loaner: handed over, reserved, or needed but missing (None: no loaner needed)."""
    handover = getattr(order, "loaner_handover", None) if order is not None else None
    if handover is not None:
        return str(_("%(loaner)s handed over") % {"loaner": handover.loaner.plate}), True
    if appointment is None:
        return "", None
    reservations = list(appointment.loaner_reservations.all())
    if reservations:
        reservation = reservations[0]
        if reservation.confirmed_at is None:
            return str(_("%(loaner)s reserved, not checked yet") % {"loaner": reservation.loaner.plate}), False
        return str(_("%(loaner)s checked and ready") % {"loaner": reservation.loaner.plate}), True
    if any(service.kind == MobilityService.Kind.LOANER for service in appointment.mobility.all()):
        return str(_("Loaner asked for, none reserved")), False
    return "", None


def board_sites(*, user: User) -> QuerySet:
    return user.visible_sites().order_by("name")


def get_work_order_for_user(*, user: User, pk: int) -> WorkOrder:
    """One work order of the user's sites with everything its pages show (404 otherwise)."""
    queryset = WorkOrder.objects.select_related(
        "site", "customer", "vehicle", "advisor", "appointment", "mobility", "signature", "loaner_handover__loaner",
    ).prefetch_related(
        Prefetch("jobs", queryset=WorkOrderJob.objects.select_related("operation")),
        Prefetch("parts", queryset=WorkOrderPart.objects.select_related("part")),
        Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
        "damage_marks", "photos",
    )
    return get_for_user(queryset, user, pk=pk)


def get_appointment_for_check_in(*, user: User, pk: int) -> Appointment:
    return get_for_user(Appointment.objects.select_related("site"), user, pk=pk)



OPEN_STATUSES = (WorkOrder.Status.DRAFT, WorkOrder.Status.CHECKED_IN, WorkOrder.Status.SIGNED, WorkOrder.Status.IN_WORKSHOP)


def list_open_work_orders(*, user: User) -> QuerySet:
    """The work orders still in progress at the user's sites, oldest first."""
    return (
        visible_to(WorkOrder.objects.filter(status__in=OPEN_STATUSES), user)
        .select_related("site", "customer", "vehicle", "advisor")
        .order_by("created_at", "pk")
    )
