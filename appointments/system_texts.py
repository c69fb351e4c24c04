"""What the appointment diary writes by itself (parts notes, the customer's own changes, how an answer came), kept
as codes and shown in the reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Customer, Part, Vehicle
from aftersales.lib.system_texts import Choice, Day, Message, Moment, Number, Record, Text

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
# Staff e-mails (aftersales.accounts.notifications): a customer's own change to its advisor, an overdue request to managers.
CUSTOMER_CHANGE_MAIL = Message(
    "appointments.customer_change_mail",
    _("%(customer)s: %(change)s"),
    customer=Record(Customer),
    change=Choice(
        {"confirmed": CUSTOMER_CONFIRMED.template, "rescheduled": CUSTOMER_MOVED.template, "cancelled": CUSTOMER_CANCELLED.template}
    ),
)
APPOINTMENT_AT = Message("appointments.appointment_at", "%(starts_at)s · %(vehicle)s", starts_at=Moment(), vehicle=Record(Vehicle))
WEB_REQUEST_OVERDUE = Message(
    "appointments.web_request_overdue", _("Web request not answered within 2 working hours: %(name)s"), name=Text()
)
# The parts desk (appointments.parts): an order placed with its supplier, a warning that gives the expected date.
PART_ORDERED = Message(
    "appointments.part_ordered",
    _("Part ordered from %(supplier)s: %(part)s, expected on %(expected)s"),
    supplier=Text(),
    part=Record(Part, find=_part_numbered),
    expected=Day(),
)
PARTS_DELAY_WARNED_EXPECTED = Message(
    "appointments.parts_delay_warned_expected",
    _("Customer warned: parts missing (%(parts)s), expected on %(expected)s"),
    parts=Record(Part, label=lambda part: part.localized("name")),
    expected=Day(),
)
