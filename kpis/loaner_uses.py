"""The records behind loaner utilisation: the reservations booked ahead and the loaners handed over at reception
without one, listed together, newest first.

The two kinds live in two tables, so a page is read as a union of keys ordered and sliced in SQL, then the page's
rows of each kind in one query each: a page costs the same few queries whatever the fleet's history.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet, Value
from django.db.models.fields import CharField
from django.utils.translation import gettext_lazy as _

BOOKED = "booked"
RECEPTION = "reception"
ORIGINS = {BOOKED: _("Booked ahead"), RECEPTION: _("At reception")}
EXPORT_CHUNK = 1000


@dataclass(frozen=True)
class LoanerUse:
    """One use of a loaner, with the attributes the records list names in its columns."""

    starts_at: datetime
    ends_at: datetime | None  # None while the loaner is still out
    loaner: object
    customer: object
    origin: str


class LoanerUses:
    """A sequence the paginator can count and slice: ``booked`` (loaner reservations) and ``reception`` (loaner
    handovers), both already limited to the period."""

    def __init__(self, booked: QuerySet, reception: QuerySet):
        self.booked = booked
        self.reception = reception

    def count(self) -> int:
        return self.booked.count() + self.reception.count()

    def __len__(self) -> int:
        return self.count()

    def _keys(self) -> QuerySet:
        booked = self.booked.order_by().annotate(use_at=F("starts_at"), origin=Value(BOOKED, output_field=CharField()))
        reception = self.reception.order_by().annotate(use_at=F("handed_over_at"), origin=Value(RECEPTION, output_field=CharField()))
        return booked.values_list("use_at", "pk", "origin").union(reception.values_list("use_at", "pk", "origin"), all=True)

    def __getitem__(self, index: slice) -> list[LoanerUse]:
        keys = list(self._keys().order_by("-use_at", "-pk")[index])
        ids = {origin: [pk for _at, pk, kind in keys if kind == origin] for origin in ORIGINS}
        reservations = self.booked.model.objects.select_related("loaner", "appointment__customer").in_bulk(ids[BOOKED])
        handovers = (
            self.reception.model.objects.select_related("loaner", "work_order__customer")
            .annotate(returned_at=F("loaner_return__returned_at"))
            .in_bulk(ids[RECEPTION])
        )
        return [self._use(kind, reservations, handovers, pk) for _at, pk, kind in keys]

    @staticmethod
    def _use(kind: str, reservations: dict, handovers: dict, pk: int) -> LoanerUse:
        if kind == BOOKED:
            row = reservations[pk]
            return LoanerUse(row.starts_at, row.ends_at, row.loaner, row.appointment.customer, str(ORIGINS[BOOKED]))
        row = handovers[pk]
        return LoanerUse(row.handed_over_at, row.returned_at, row.loaner, row.work_order.customer, str(ORIGINS[RECEPTION]))

    def __iter__(self) -> Iterator[LoanerUse]:
        return self.iterator()

    def iterator(self) -> Iterator[LoanerUse]:
        """Every use, read a chunk at a time (the exports)."""
        start = 0
        while chunk := self[start : start + EXPORT_CHUNK]:
            yield from chunk
            start += EXPORT_CHUNK
