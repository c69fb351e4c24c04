"""Opening a work order in advance from the booking stage's preparation list."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import staff_view
from appointments.preparation import preparation_url

from .exceptions import WorkOrderError
from .preparation import ADD, VIEW
from .selectors import get_appointment_for_check_in
from .services import prepare_work_order


@require_POST
@staff_view(VIEW, ADD)
def prepare(request: HttpRequest, appointment_pk: int) -> HttpResponse:
    appointment = get_appointment_for_check_in(user=request.user, pk=appointment_pk)
    try:
        order = prepare_work_order(appointment=appointment, actor=request.user)
    except WorkOrderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Work order %(number)s is open; its number is on the bin label.") % {"number": order.number})
    return redirect(preparation_url(appointment))
