"""The workshop's part in the booking stage's preparation list (``appointments.preparation``): the work order.

For each appointment on the list: the order already opened for it (its
number, printed on the bin label, and its page), else the button that opens
it in advance for whoever may open orders.
"""

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from appointments.preparation import PreparationNote

from .models import WorkOrder

VIEW = "workshop.view_workorder"
ADD = "workshop.add_workorder"
TITLE = _("Work order")


def work_order_notes(appointments: Sequence[Appointment], user) -> dict[int, PreparationNote]:
    """One query for the whole list, whatever its length."""
    opened = {
        appointment_id: (pk, number)
        for appointment_id, pk, number in WorkOrder.objects.filter(
            appointment_id__in=[appointment.pk for appointment in appointments]
        ).values_list("appointment_id", "pk", "number")
    }
    may_view, may_open = user.has_perm(VIEW), user.has_perms([VIEW, ADD])
    notes = {}
    for appointment in appointments:
        if appointment.pk in opened:
            pk, number = opened[appointment.pk]
            notes[appointment.pk] = PreparationNote(TITLE, reference=number, url=reverse("workshop:detail", args=[pk]) if may_view else "")
        elif may_open:
            notes[appointment.pk] = PreparationNote(
                TITLE, action=_("Open the work order now"), action_url=reverse("workshop:prepare", args=[appointment.pk])
            )
    return notes
