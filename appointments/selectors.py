"""Reads for the booking screens, with their joins inside (no N+1 in views)."""

from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from aftersales.accounts.models import Site, User
from aftersales.accounts.permissions import get_for_user
from aftersales.accounts.roles import Role

from .models import Appointment, AppointmentEvent, Loaner, LoanerReservation
from .slots import local_day_bounds


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("site", "customer", "vehicle", "advisor").prefetch_related("jobs", "mobility")


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
    queryset = _with_details(Appointment.objects.all()).prefetch_related(
        Prefetch("events", queryset=AppointmentEvent.objects.select_related("actor")),
        Prefetch("loaner_reservations", queryset=LoanerReservation.objects.select_related("loaner")),
    ).select_related("rescheduled_from")
    return get_for_user(queryset, user, pk=pk)


def list_advisors(*, site: Site) -> QuerySet:
    """The active service advisors of a site, for choosing one."""
    return User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR, is_active=True).order_by("last_name", "first_name")


def free_loaners(*, site: Site, starts_at: datetime, ends_at: datetime) -> QuerySet:
    """The site's loaners with no reservation overlapping the period."""
    overlapping = LoanerReservation.objects.filter(loaner=OuterRef("pk"), starts_at__lt=ends_at, ends_at__gt=starts_at)
    return Loaner.objects.filter(site=site, active=True).exclude(Exists(overlapping)).order_by("category", "plate")
