"""The 24-48 h preparation: which days the list covers, and what later stages add to each appointment on it.

The list covers the site's next ``PREPARATION_WORKING_DAYS`` working days after
today. A working day is a day the site opens: it has opening hours that
weekday and is neither a public holiday nor an extra closure. On a Friday,
a site closed at the weekend prepares Monday and Tuesday, one open on
Saturday prepares Saturday and Monday; the day before a public holiday
prepares the days after it. A closed day before the last working day is
listed too when bookings were made for it (before the closure was entered),
so none is forgotten. The calendar is read once (opening hours, holidays,
closures), not day by day.

Booking is the first stage and imports none of the later ones: the workshop
registers a provider in its ``AppConfig.ready()`` that says, for a batch of
appointments, which work order is already open (its number goes on the bin
label) or offers to open it in advance.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site

from .slots import closed_days

PREPARATION_WORKING_DAYS = 2
HORIZON_DAYS = 31  # a site with no opening within a month (misconfigured hours) shows what it found
WEEKLY_CLOSURE = _("site closed")


@dataclass(frozen=True)
class PreparationDays:
    """The days the list covers: the working days to prepare, and why each closed day before them is closed."""

    working: tuple[date, ...]
    closed: dict[date, Promise]

    @property
    def first_day(self) -> date:
        return min((*self.working, *self.closed), default=date.max)

    @property
    def last_day(self) -> date:
        return self.working[-1] if self.working else max(self.closed, default=date.min)

    def all_days(self) -> list[date]:
        """Every day from the first to the last, open or not."""
        return [self.first_day + timedelta(days=offset) for offset in range((self.last_day - self.first_day).days + 1)]


def preparation_days(*, site: Site, today: date, count: int = PREPARATION_WORKING_DAYS) -> PreparationDays:
    """The next ``count`` days the site opens after ``today``, and the closed days between (two queries)."""
    first, horizon = today + timedelta(days=1), today + timedelta(days=HORIZON_DAYS)
    open_weekdays = set(site.opening_hours.values_list("weekday", flat=True))
    exceptions = closed_days(site=site, first_day=first, last_day=horizon)
    working: list[date] = []
    closed: dict[date, Promise] = {}
    day = first
    while day <= horizon and len(working) < count:
        if day in exceptions:
            closed[day] = exceptions[day]
        elif day.weekday() not in open_weekdays:
            closed[day] = WEEKLY_CLOSURE
        else:
            working.append(day)
        day += timedelta(days=1)
    if working:
        closed = {day: reason for day, reason in closed.items() if day < working[-1]}
    return PreparationDays(tuple(working), closed)


# --- what later stages add ---------------------------------------------------------


@dataclass(frozen=True)
class PreparationNote:
    """A later stage's part in one appointment's preparation.

    Either a document already opened (``title`` and ``reference``, printed on
    the bin label, with its page at ``url``) or an action offered (``action``,
    a button posting to ``action_url``).
    """

    title: str | Promise
    reference: str = ""
    url: str = ""
    action: str | Promise = ""
    action_url: str = ""


PreparationProvider = Callable[[Sequence[object], object], dict[int, PreparationNote]]
_providers: list[PreparationProvider] = []


def register_preparation_notes(provider: PreparationProvider) -> None:
    """``provider(appointments, user)`` answers for a batch of appointments at once: {appointment id: note}."""
    if provider not in _providers:
        _providers.append(provider)


def preparation_notes(appointments: Sequence[object], user) -> dict[int, list[PreparationNote]]:
    """Every provider's notes on the appointments, by appointment id (one read per provider, not per appointment)."""
    notes: dict[int, list[PreparationNote]] = {appointment.pk: [] for appointment in appointments}
    if not appointments:
        return notes
    for provider in _providers:
        for appointment_id, note in provider(appointments, user).items():
            notes[appointment_id].append(note)
    return notes


def preparation_url(appointment) -> str:
    """The appointment's place on its site's preparation list."""
    return reverse("appointments:preparation") + "?" + urlencode({"site": appointment.site_id}) + f"#appointment-{appointment.pk}"
