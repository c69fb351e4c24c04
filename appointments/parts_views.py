"""The parts desk's screens: the parts to order for appointments, an order placed, the customer warned of a missing part."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import get_for_user, staff_view
from aftersales.lib.domain import add_domain_error

from . import parts, selectors
from .exceptions import BookingError
from .models import Appointment, PartOrderRequest
from .parts_forms import PartOrderedForm, PartsWarningForm


def _shown_status(request: HttpRequest) -> str | None:
    """The list's filter: a request status, or None for all."""
    show = request.GET.get("status", PartOrderRequest.Status.OPEN)
    return show if show in PartOrderRequest.Status.values else None


def _order_form(order_request: PartOrderRequest, data=None) -> PartOrderedForm:
    initial = {"supplier": order_request.supplier, "expected_on": order_request.expected_on}
    return PartOrderedForm(data, prefix=f"order-{order_request.pk}", initial=initial)


def _requests_page(request: HttpRequest, *, refused: PartOrderedForm | None = None, refused_pk: int | None = None) -> HttpResponse:
    status = _shown_status(request)
    requests = list(selectors.list_part_order_requests(user=request.user, status=status))
    upcoming = {row.appointment_id: row.appointment for row in requests if row.appointment.status in selectors.PREPARATION_STATUSES}
    kits = selectors.kits_of(appointments=list(upcoming.values()))
    rows = [(row, kits.get(row.appointment_id), refused if row.pk == refused_pk else _order_form(row)) for row in requests]
    context = {"rows": rows, "status": status or "all", "statuses": PartOrderRequest.Status.choices}
    return render(request, "appointments/part_requests.html", context, status=400 if refused is not None else 200)


@staff_view("appointments.view_partorderrequest")
def part_requests(request: HttpRequest) -> HttpResponse:
    return _requests_page(request)


@require_POST
@staff_view("appointments.view_partorderrequest", "appointments.change_partorderrequest")
def part_request_ordered(request: HttpRequest, pk: int) -> HttpResponse:
    order_request = get_for_user(PartOrderRequest.objects.select_related("part"), request.user, pk=pk)
    form = _order_form(order_request, request.POST)
    if form.is_valid():
        try:
            parts.mark_part_ordered(order_request=order_request, actor=request.user, **form.cleaned_data)
        except BookingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Order recorded: %(part)s from %(supplier)s.") % {"part": order_request.part, **form.cleaned_data})
            shown = "all" if _shown_status(request) is None else PartOrderRequest.Status.ORDERED  # where the row still shows
            return redirect(f"{reverse('appointments:part_requests')}?{urlencode({'status': shown})}#part-request-{order_request.pk}")
    return _requests_page(request, refused=form, refused_pk=order_request.pk)


@require_POST
@staff_view("appointments.add_partsdelaywarning")
def warn_parts_delay(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_for_user(Appointment.objects.all(), request.user, pk=pk)
    form = PartsWarningForm(request.POST)
    try:
        resend_of = form.cleaned_data["resend_of"] if form.is_valid() else None
        parts.warn_parts_delay(appointment=appointment, actor=request.user, resend_of=resend_of)
    except BookingError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The customer is warned that a part will be missing."))
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("appointments:preparation") + "?" + urlencode({"site": appointment.site_id})
    return redirect(back)
