"""The loan contract of a loaner: the terms (the loaner's own, else its site's), the customer's car and work order, and
the loaner's mileage and fuel when it was handed over.

Booking is the first stage and imports none of the later ones: the workshop, which opens the work order and hands the
loaner over at reception, registers a reader with ``register_loan_handover`` in its ``AppConfig.ready()``. Before the
visit the contract is pre-filled with what booking knows, and the mileage and fuel out are left to write by hand.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from .models import Appointment, Loaner, LoanTerms


@dataclass(frozen=True)
class Terms:
    daily_price: Decimal
    insurance_excess: Decimal
    daily_km_allowance: int | None  # None: no limit


def terms_of(loaner: Loaner) -> Terms:
    """The loaner's own terms, each one it leaves empty taken from its site's (free, no excess, no limit without any)."""
    site_terms = LoanTerms.objects.filter(site_id=loaner.site_id).first() or LoanTerms()
    return Terms(
        daily_price=site_terms.daily_price if loaner.daily_price is None else loaner.daily_price,
        insurance_excess=site_terms.insurance_excess if loaner.insurance_excess is None else loaner.insurance_excess,
        daily_km_allowance=site_terms.daily_km_allowance if loaner.daily_km_allowance is None else loaner.daily_km_allowance,
    )


@dataclass(frozen=True)
class LoanHandover:
    """What a later stage knows of the visit: its work order, and the loaner handed over (None until then)."""

    work_order: str
    loaner: Loaner | None = None
    handed_over_at: datetime | None = None
    mileage_out: int | None = None
    fuel_out: str = ""  # as the contract shows it, e.g. "6/8"


_readers: list[Callable[[Appointment], LoanHandover | None]] = []


def register_loan_handover(reader: Callable[[Appointment], LoanHandover | None]) -> None:
    if reader not in _readers:
        _readers.append(reader)


def loan_handover(appointment: Appointment) -> LoanHandover | None:
    return next((found for reader in _readers if (found := reader(appointment)) is not None), None)


def loan_days(starts_at: datetime, ends_at: datetime, tz) -> int:
    """The calendar days of the site the loan touches (a loan within one day is one day)."""
    return max(1, (timezone.localtime(ends_at, tz).date() - timezone.localtime(starts_at, tz).date()).days + 1)


def contract_context(appointment: Appointment) -> dict | None:
    """What the contract shows, or None when no loaner is reserved for the visit nor handed over at it."""
    reservation = next(iter(appointment.loaner_reservations.all()), None)
    handover = loan_handover(appointment)
    lent = handover.loaner if handover and handover.loaner else reservation.loaner if reservation else None
    if lent is None:
        return None
    starts_at = handover.handed_over_at if handover and handover.handed_over_at else reservation.starts_at
    ends_at = reservation.ends_at if reservation else appointment.handover_at
    days = loan_days(starts_at, ends_at, appointment.site.tz)
    terms = terms_of(lent)
    return {
        "appointment": appointment,
        "loaner": lent,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "handover": handover,
        "terms": terms,
        "days": days,
        "price": terms.daily_price * days,
        "km_allowance": terms.daily_km_allowance * days if terms.daily_km_allowance is not None else None,
    }
