"""What the workshop writes by itself (status notes, the advisor's notifications), kept as codes and shown in the
reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.lib.system_texts import Choice, Message, Text
from appointments.models import Appointment

from .models import Signature

SIGNED = Message("workshop.signed", "%(method)s", method=Choice(Signature.Method))
ALL_JOBS_DONE = Message("workshop.all_jobs_done", _("Every job done"))
READY_FOR_INVOICING = Message("workshop.ready_for_invoicing", _("%(number)s passed the quality check: ready for invoicing."), number=Text())
PREPARED_ORDER_WITHDRAWN = Message(
    "workshop.prepared_order_withdrawn",
    _("The appointment it was prepared for: %(status)s"),
    status=Choice(Appointment.Status),
)
