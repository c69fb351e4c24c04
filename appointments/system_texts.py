"""What the appointment diary writes by itself (parts notes, the customer's own changes, how an answer came), kept
as codes and shown in the reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Part
from aftersales.lib.system_texts import Choice, Message, Number, Record

from .models import Appointment


def _part_numbered(text: str) -> Part | None:
    """The part an old note named as "<number> <name>"."""
    return Part.objects.filter(number=text.split(" ", 1)[0]).first()


PARTS_RESERVED = Message(
    "appointments.parts_reserved", _("Parts reserved: %(quantity)s × %(part)s"), quantity=Number(), part=Record(Part, find=_part_numbered)
)
PART_ORDER_REQUESTED = Message(
    "appointments.part_order_requested",
    _("Part order requested: %(quantity)s × %(part)s"),
    quantity=Number(),
    part=Record(Part, find=_part_numbered),
)
PARTS_DELAY_WARNED = Message(
    "appointments.parts_delay_warned",
    _("Customer warned: parts missing (%(parts)s)"),
    parts=Record(Part, label=lambda part: part.localized("name")),
)
ANSWERED_VIA = Message("appointments.answered_via", "%(via)s", via=Choice(Appointment.ConfirmedVia))
CUSTOMER_CONFIRMED = Message("appointments.customer_confirmed", _("The customer confirmed online."))
CUSTOMER_MOVED = Message("appointments.customer_moved", _("The customer moved the appointment online."))
CUSTOMER_CANCELLED = Message("appointments.customer_cancelled", _("The customer cancelled online."))
