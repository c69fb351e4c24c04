"""The breakdown or accident call: the script, its live panel (proposal, loaners, restatement) and the booking."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.emergency import emergency_numbers
from aftersales.accounts.models import AssistanceContact
from aftersales.accounts.permissions import staff_view
from aftersales.customers.models import Vehicle

from . import selectors, slots
from .breakdown import addressed_as, assistance_contacts, diagnosis_job, take_breakdown_call
from .breakdown_forms import BreakdownCallForm
from .exceptions import BookingError
from .forms import encode_slot
from .models import Appointment, Loaner
from .views import _desk_vehicle, _render

PERMISSIONS = ("appointments.add_appointment", "appointments.add_breakdowncall", "customers.view_customer")


def _form(vehicle: Vehicle, contacts: dict, data=None) -> BreakdownCallForm:
    site = vehicle.owner.site
    partners = contacts[AssistanceContact.Kind.ASSISTANCE]
    return BreakdownCallForm(data, site=site, partners=partners, initial={"vehicle": vehicle.pk})


def _live(form: BreakdownCallForm, now) -> dict:
    """The urgent proposal for the diagnosis, the loaners free then, and what to restate."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    site = form.site
    courtesy_car = bool(data.get("courtesy_car_needed"))
    has_loaners = Loaner.objects.filter(site=site, active=True).exists()
    result = slots.propose(
        site=site, jobs=[diagnosis_job(data.get("what_happened") or "")], now=now, urgent=True, needs_loaner=courtesy_car and has_loaners
    )
    advisors = {advisor.pk: advisor for advisor in selectors.list_advisors(site=site)}
    choices = [(encode_slot(p.advisor_id, p.starts_at), p, advisors.get(p.advisor_id)) for p in result.proposals]
    slot_value = form.data.get("slot", "") if form.is_bound else ""
    chosen = next((choice for choice in choices if choice[0] == slot_value), None)
    live = {"proposals": result, "proposal_choices": choices, "slot_value": slot_value, "chosen": chosen, "courtesy_car": courtesy_car}
    if courtesy_car and chosen is not None:
        free = selectors.free_loaners(site=site, starts_at=chosen[1].starts_at, ends_at=chosen[1].handover_at)
        form.fields["loaner"].queryset = free  # the agent picks among the loaners free for the whole visit
        live["free_loaners"] = list(free)
    return live


def _context(form: BreakdownCallForm, vehicle: Vehicle, contacts: dict, *, quiet: bool) -> dict:
    site = form.site
    form.helper.form_show_errors = not quiet
    return {
        "form": form,
        "vehicle": vehicle,
        "customer": vehicle.owner,
        "addressed_as": addressed_as(vehicle.owner),
        "site": site,
        "emergency_numbers": emergency_numbers(site.country),
        "partners": contacts[AssistanceContact.Kind.ASSISTANCE],
        "insurers": contacts[AssistanceContact.Kind.INSURER],
        "live": _live(form, timezone.now()),
        "quiet": quiet,
    }


def _vehicle_or_desk(request: HttpRequest, data) -> Vehicle | None:
    vehicle = _desk_vehicle(request, data)
    if vehicle is None or vehicle.owner is None:
        messages.error(request, _("Vehicle: find the customer and the vehicle on the booking desk first."))
        return None
    return vehicle


@staff_view(*PERMISSIONS)
def breakdown_call(request: HttpRequest) -> HttpResponse:
    """The call script: each question of the standard, then the urgent diagnosis appointment, booked with the call's record."""
    data = request.POST if request.method == "POST" else request.GET
    vehicle = _vehicle_or_desk(request, data)
    if vehicle is None:
        return redirect("appointments:desk")
    contacts = assistance_contacts(site=vehicle.owner.site, vehicle=vehicle)
    form = _form(vehicle, contacts, request.POST if request.method == "POST" else None)
    step = request.POST.get("step", "")
    if step == "confirm" and form.is_valid():
        appointment = _take(request, form, vehicle)
        if appointment is not None:
            messages.success(request, _("Breakdown call recorded and diagnosis appointment booked; the confirmation is on its way."))
            return redirect("appointments:detail", pk=appointment.pk)
    quiet = step != "confirm"
    status = 400 if step == "confirm" else 200
    context = _context(form, vehicle, contacts, quiet=quiet)
    return _render(request, "appointments/breakdown.html", context, site=form.site, status=status)


@staff_view(*PERMISSIONS)
def breakdown_live(request: HttpRequest) -> HttpResponse:
    """htmx: the proposal, the loaners and the restatement for the call as it stands."""
    vehicle = _desk_vehicle(request, request.GET)
    if vehicle is None or vehicle.owner is None:
        return HttpResponse(_("Choose the customer's vehicle first."), status=400)
    contacts = assistance_contacts(site=vehicle.owner.site, vehicle=vehicle)
    form = _form(vehicle, contacts, request.GET)
    context = _context(form, vehicle, contacts, quiet=True)
    return _render(request, "appointments/breakdown.html#live", context, site=form.site)


def _take(request: HttpRequest, form: BreakdownCallForm, vehicle: Vehicle) -> Appointment | None:
    data = form.cleaned_data
    advisor, starts_at = data["slot"]
    latitude, longitude = form.latitude_longitude()
    try:
        return take_breakdown_call(
            site=form.site,
            customer=vehicle.owner,
            vehicle=vehicle,
            advisor=advisor,
            starts_at=starts_at,
            kind=data["kind"],
            what_happened=data["what_happened"],
            location=data["location"],
            latitude=latitude,
            longitude=longitude,
            anyone_injured=data["anyone_injured"],
            emergency_services_alerted=data["emergency_services_alerted"],
            towing_needed=data["towing_needed"],
            assistance_partner=data["assistance_partner"],
            courtesy_car_needed=data["courtesy_car_needed"],
            loaner=data["loaner"],
            insurer=data["insurer"],
            policy_number=data["policy_number"],
            assistance_file_number=data["assistance_file_number"],
            documents_to_bring=data["documents_to_bring"],
            taken_by=request.user,
        )
    except BookingError as error:
        form.add_service_error(error)
        return None
