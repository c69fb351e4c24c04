"""The vehicle's last visits, as later stages tell the booking desk and the vehicle page.

Booking is the first stage and imports none of the later ones: invoicing
registers a provider in its ``AppConfig.ready()`` (the work orders with their
jobs, invoiced amount and comebacks); the desk and the vehicle page show
whatever the providers return, newest first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

VISITS_SHOWN = 5


@dataclass(frozen=True)
class PastVisit:
    day: date  # in the site's time zone
    reference: str  # the work-order number
    url: str  # its page, for the staff allowed to open it
    jobs: list[str]  # in the reader's language
    amount: Decimal | None  # invoiced to the customer (credit notes deducted), else the order's total
    currency: str
    invoiced: bool  # False: the amount is the order's total, not invoiced yet
    comeback_of: date | None = None  # the day of the earlier visit for the same concern, within 30 days
    comeback_reasons: list[str] = field(default_factory=list)


VisitProvider = Callable[..., list[PastVisit]]  # provider(vehicle=..., limit=...)
_providers: list[VisitProvider] = []


def register_visit_history(provider: VisitProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def last_visits(*, vehicle, limit: int = VISITS_SHOWN) -> list[PastVisit]:
    """The vehicle's last ``limit`` visits from every provider, newest first; each provider reads in fixed queries."""
    visits = [visit for provider in _providers for visit in provider(vehicle=vehicle, limit=limit)]
    return sorted(visits, key=lambda visit: (visit.day, visit.reference), reverse=True)[:limit]
