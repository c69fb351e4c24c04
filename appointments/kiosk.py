"""The reception display in the customer area: kiosk links and what the screen may show.

A reception screen opens the display by its own link, without a login, so no
staff menu and no staff session sit on a screen customers can touch. The
link's key is random; only its SHA-256 is kept, so the link is shown once,
when the manager makes it, and a lost or leaked one is revoked and replaced.

The screen shows only what anyone in the room may read: the time, the
customer's first name and the initial of the surname, the car's make and
model (no plate, no phone number, no e-mail), and the advisor to see, by first
name and initial too. The rows are plain values built here, so a template
cannot reach anything else of the customer.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Site, User
from aftersales.audit.services import record_change

from .models import Appointment, ReceptionScreen
from .selectors import list_arrivals

SEEN_EVERY = timedelta(minutes=5)  # how often a showing screen records that it is still on


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_reception_screen(*, site: Site, name: str, language: str, actor: User) -> tuple[ReceptionScreen, str]:
    """A new screen and the key of its link (returned once, never stored)."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        screen = ReceptionScreen.objects.create(site=site, name=name.strip(), language=language, key_hash=_hash(key), created_by=actor)
        record_change(actor=actor, obj=screen, action="create", changes={"name": [None, screen.name]})
    return screen, key


def revoke_reception_screen(*, screen: ReceptionScreen, actor: User) -> ReceptionScreen:
    """The screen's link stops working at once (the screen shows that it cannot be used at its next refresh)."""
    with transaction.atomic():
        locked = ReceptionScreen.objects.select_for_update().get(pk=screen.pk)
        if locked.revoked_at is None:
            locked.revoked_at, locked.revoked_by = timezone.now(), actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
            record_change(actor=actor, obj=locked, action="update", changes={"revoked_at": [None, locked.revoked_at.isoformat()]})
    return locked


def screen_for_key(key: str, *, now: datetime) -> ReceptionScreen | None:
    """The live screen the key opens (None: forged, mistyped or revoked); notes that it is showing."""
    screen = ReceptionScreen.objects.select_related("site").filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    if screen is not None and (screen.last_seen_at is None or screen.last_seen_at < now - SEEN_EVERY):
        ReceptionScreen.objects.filter(pk=screen.pk).update(last_seen_at=now)
    return screen


def list_screens(*, user: User):
    return (
        ReceptionScreen.objects.filter(site__in=user.visible_sites())
        .select_related("site", "created_by", "revoked_by")
        .order_by("revoked_at", "site__name", "name", "pk")
    )


# --- what the screen shows -----------------------------------------------------------


def first_name_and_initial(first_name: str, last_name: str) -> str:
    """ "Camille M." — or "M." when only the surname is known."""
    initial = last_name.strip()[:1].upper()
    initial = f"{initial}." if initial else ""
    return " ".join(part for part in (first_name.strip(), initial) if part)


@dataclass(frozen=True)
class Arrival:
    starts_at: datetime
    customer: str
    vehicle: str
    advisor: str
    arrived: bool


def arrivals_board(*, site: Site, day: date) -> list[Arrival]:
    """The day's expected and arrived customers, as the customer area may read them (one query)."""
    return [
        Arrival(
            starts_at=appointment.starts_at,
            customer=first_name_and_initial(appointment.customer.first_name, appointment.customer.last_name),
            vehicle=" ".join(part for part in (appointment.vehicle.make, appointment.vehicle.model) if part),
            advisor=first_name_and_initial(appointment.advisor.first_name, appointment.advisor.last_name) if appointment.advisor else "",
            arrived=appointment.status == Appointment.Status.ARRIVED,
        )
        for appointment in list_arrivals(site=site, day=day)
    ]
