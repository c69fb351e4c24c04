"""Booking screens: the booking desk, appointment page, diaries, reception display, preparation, customer page."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.contact_points import contact_point_for_vehicle
from aftersales.accounts.permissions import get_for_user, staff_view, visible_to
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import MobilityService, Part, Vehicle
from aftersales.customers.selectors import active_campaigns, attach_open_campaigns, search_customers
from aftersales.customers.services import create_customer, create_vehicle
from aftersales.lib.domain import add_domain_error
from aftersales.lib.ics import build_event
from aftersales.lib.ics import content_type as ics_content_type
from aftersales.lib.pdf import render_pdf
from aftersales.lib.signing import LinkError, read_token

from . import online, selectors, services, slots
from .desk_knowledge import upcoming_bookings, vehicle_knowledge
from .exceptions import BookingError
from .forms import CHECKLIST_LABELS, BookingForm, CancelForm, CustomerVehicleForm, RescheduleForm, encode_slot, parse_day
from .hints import vehicle_hints
from .kiosk_views import board_response
from .loan_contract import contract_context
from .models import Appointment, LoanerReservation
from .online_forms import CustomerCancelForm, SlotForm
from .online_views import group_by_day, public_render, visitor_locale
from .preparation import preparation_days, preparation_url

LINK_MAX_AGE = timedelta(days=400)  # the real limit is the day after the appointment, checked below


def _site(request: HttpRequest):
    """The site chosen with ?site= among the user's sites, else their first one."""
    sites = request.user.visible_sites().order_by("name")
    chosen = request.GET.get("site", "")
    site = sites.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    site = site or sites.first()
    if site is None:
        raise Http404(_("You are not attached to any site."))
    return site, sites


def _render(request: HttpRequest, template: str, context: dict, *, site, status: int = 200) -> HttpResponse:
    """A page with its times shown in the site's time zone."""
    with timezone.override(site.tz):
        return render(request, template, context, status=status)


def _partial(request: HttpRequest, template: str, partial: str, context: dict, *, site, status: int = 200) -> HttpResponse:
    """The whole page, or only one partial for an htmx request."""
    name = f"{template}#{partial}" if request.htmx and not request.htmx.history_restore_request else template
    response = _render(request, name, context, site=site, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Booking desk ------------------------------------------------------------


def _desk_vehicle(request: HttpRequest, data) -> Vehicle | None:
    raw = str(data.get("vehicle", ""))
    if not raw.isdigit():
        return None
    return visible_to(Vehicle.objects.select_related("owner__site"), request.user, "owner__site").filter(pk=int(raw)).first()


def _greetings(site, agent, vehicle=None) -> list[str]:
    contacts = list(site.brand_contacts.select_related("brand").order_by("brand__name"))
    if vehicle is not None:
        matching = [contact for contact in contacts if contact.brand.name.lower() == vehicle.make.lower()]
        contacts = matching or contacts
    return [contact.greeting_for(agent) for contact in contacts if contact.greeting]


def _booking_form(request: HttpRequest, vehicle: Vehicle, data=None) -> BookingForm:
    site = vehicle.owner.site
    vehicles = visible_to(Vehicle.objects.all(), request.user, "owner__site")
    brand = online.brand_of(site, vehicle)
    return BookingForm(
        data,
        user=request.user,
        site=site,
        vehicles=vehicles,
        brand=brand,
        initial={"vehicle": vehicle.pk},
        existing_bookings=upcoming_bookings(vehicle=vehicle, now=timezone.now()),
    )


def _live(form: BookingForm, vehicle: Vehicle, now) -> dict:
    """What the call shows alongside the form: estimate, warnings, proposals, loaners for the chosen time."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    site = form.site
    jobs = form.job_requests()
    chosen = list(data.get("mobility") or ())
    loaner_kind = any(service.kind == MobilityService.Kind.LOANER for service in chosen)
    waits = any(service.kind == MobilityService.Kind.LOUNGE for service in chosen)
    attach_open_campaigns([vehicle], active_campaigns(on=timezone.localdate(now, site.tz)))
    live = {
        "estimate": services.estimate_jobs(site=site, jobs=jobs) if jobs else None,
        "hints": vehicle_hints(vehicle),
        "comebacks": selectors.comeback_warnings(
            vehicle=vehicle, operation_ids=[op.pk for op in data.get("operations") or ()], words=data.get("customer_words") or "", now=now
        ),
        "proposals": None,
        "slot": data.get("slot"),
        "slot_value": (form.data.get("slot") or form.data.get("proposal", "")) if form.is_bound else "",
    }
    if jobs:
        result = slots.propose(
            site=site,
            jobs=jobs,
            now=now,
            urgent=bool(data.get("urgent")),
            needs_loaner=loaner_kind or data.get("loaner") is not None,
            waits=waits,
        )
        live["proposals"] = result
    advisors = {advisor.pk: advisor for advisor in selectors.list_advisors(site=site)}
    live["advisors"] = advisors
    if live["proposals"]:
        live["proposal_choices"] = [
            (encode_slot(p.advisor_id, p.starts_at), p, advisors.get(p.advisor_id)) for p in live["proposals"].proposals
        ]
    if live["slot"]:
        starts_at = live["slot"][1]
        handover = next(
            (
                p.handover_at
                for p in (live["proposals"].proposals if live["proposals"] else ())
                if (p.advisor_id, p.starts_at) == live["slot"]
            ),
            None,
        )
        ends_at = handover or timezone.localtime(starts_at, site.tz).replace(hour=23, minute=59)
        live["free_loaners"] = list(selectors.free_loaners(site=site, starts_at=starts_at, ends_at=ends_at))
        live["slot_advisor"] = advisors.get(live["slot"][0])
    return live


def _week(site, request_data, now, advisors) -> dict:
    week_start = parse_day(request_data.get("week"), timezone.localdate(now, site.tz))
    grid = slots.week_grid(site=site, week_start=week_start, now=now)
    days = [
        (
            day,
            [
                (advisors.get(advisor_id), [(cell, encode_slot(advisor_id, cell.starts_at)) for cell in cells if cell.state == "free"])
                for advisor_id, cells in per_advisor.items()
            ],
        )
        for day, per_advisor in grid.items()
    ]
    return {
        "week_start": week_start,
        "week_days": days,
        "previous_week": week_start - timedelta(days=7),
        "next_week": week_start + timedelta(days=7),
    }


@staff_view("appointments.add_appointment", "customers.view_customer")
def desk(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    vehicle = _desk_vehicle(request, data)
    now = timezone.now()
    if vehicle is None or vehicle.owner is None:
        site, _sites = _site(request)
        search = search_customers(user=request.user, query=request.GET.get("q", ""))
        context = {
            "search": search,
            "greetings": _greetings(site, request.user),
            "site": site,
            "customer_form": CustomerVehicleForm(site=site),
            "unknown_vehicle": "vehicle" in data,
        }
        status = 400 if request.method == "POST" else 200
        return _partial(request, "appointments/desk.html", "search_results", context, site=site, status=status)
    step = request.POST.get("step", "")
    form = _booking_form(request, vehicle, request.POST if request.method == "POST" else None)
    if request.method == "POST" and step == "confirm" and form.is_valid():
        appointment = _book(request, form, vehicle)
        if appointment is not None:
            messages.success(request, _("Appointment booked; the confirmation is on its way to the customer."))
            return redirect("appointments:detail", pk=appointment.pk)
    live = _live(form, vehicle, now)
    quiet = step == "refresh" or request.method == "GET"
    form.helper.form_show_errors = not quiet
    context = {
        "form": form,
        "vehicle": vehicle,
        "customer": vehicle.owner,
        "site": form.site,
        "live": live,
        "greetings": _greetings(form.site, request.user, vehicle),
        "review": step in ("review", "confirm") and form.is_valid(),
        "quiet": quiet,
        "knowledge": vehicle_knowledge(vehicle=vehicle, site=form.site, now=now),
        **_week(form.site, data, now, live["advisors"]),
    }
    status = 400 if request.method == "POST" and step in ("review", "confirm") and form.errors else 200
    return _render(request, "appointments/desk.html", context, site=form.site, status=status)


def _book(request: HttpRequest, form: BookingForm, vehicle: Vehicle) -> Appointment | None:
    data = form.cleaned_data
    advisor_id, starts_at = data["slot"]
    advisor = selectors.list_advisors(site=form.site).filter(pk=advisor_id).first()
    if advisor is None:
        form.add_error("slot", _("This advisor does not work at this site."))
        return None
    try:
        return services.book_appointment(
            site=form.site,
            customer=vehicle.owner,
            vehicle=vehicle,
            advisor=advisor,
            starts_at=starts_at,
            jobs=form.job_requests(),
            channel=data["channel"],
            origin=data["origin"],
            booked_by=request.user,
            mobility=data["mobility"],
            loaner=data["loaner"],
            checklist=form.checklist(),
            customer_words=data["customer_words"],
            urgent=data["urgent"],
            override_reason=data.get("override_reason") or None,
            origin_record=data.get("campaign"),
            mileage_km=data.get("mileage_km"),
            mileage_correction_reason=data.get("mileage_correction_reason") or "",
        )
    except BookingError as error:
        form.add_service_error(error)
        return None


@staff_view("appointments.add_appointment", "customers.view_customer")
def desk_live(request: HttpRequest) -> HttpResponse:
    """htmx: the estimate, warnings, proposals and loaners for the form as it stands."""
    vehicle = _desk_vehicle(request, request.GET)
    if vehicle is None or vehicle.owner is None:
        return HttpResponse(_("Choose the customer's vehicle first."), status=400)
    form = _booking_form(request, vehicle, request.GET)
    context = {"form": form, "vehicle": vehicle, "site": form.site, "live": _live(form, vehicle, timezone.now()), "quiet": True}
    return _render(request, "appointments/desk.html#live", context, site=form.site)


@staff_view("appointments.add_appointment", "customers.view_customer")
def desk_week(request: HttpRequest) -> HttpResponse:
    """htmx: one week of free slots to pick from (plain link: the desk page at that week)."""
    vehicle = _desk_vehicle(request, request.GET)
    if vehicle is None or vehicle.owner is None:
        return HttpResponse(_("Choose the customer's vehicle first."), status=400)
    if not request.htmx:
        return redirect(reverse("appointments:desk") + "?" + urlencode({"vehicle": vehicle.pk, "week": request.GET.get("week", "")}))
    site = vehicle.owner.site
    advisors = {advisor.pk: advisor for advisor in selectors.list_advisors(site=site)}
    context = {
        "vehicle": vehicle,
        "site": site,
        "live": {"slot_value": request.GET.get("slot", "")},
        **_week(site, request.GET, timezone.now(), advisors),
    }
    return _render(request, "appointments/desk.html#week", context, site=site)


@staff_view("appointments.add_appointment", "customers.add_customer", "customers.add_vehicle")
def desk_new_customer(request: HttpRequest) -> HttpResponse:
    """A caller not on file: create the customer and the vehicle together, then book."""
    site, _sites = _site(request)
    form = CustomerVehicleForm(request.POST if request.method == "POST" else None, site=site)
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                customer = create_customer(site=site, **form.customer_data(), created_by=request.user)
                vehicle = create_vehicle(owner=customer, **form.vehicle_data(), created_by=request.user)
        except CustomerError as error:
            add_domain_error(form, error)
        else:
            return redirect(reverse("appointments:desk") + "?" + urlencode({"vehicle": vehicle.pk}))
    context = {"customer_form": form, "site": site, "greetings": _greetings(site, request.user)}
    return _render(request, "appointments/desk_new_customer.html", context, site=site, status=400 if form.is_bound else 200)


# --- One appointment ---------------------------------------------------------


def _detail_context(request: HttpRequest, appointment: Appointment, **forms) -> dict:
    now = timezone.now()
    advisors = {advisor.pk: advisor for advisor in selectors.list_advisors(site=appointment.site)}
    return {
        "appointment": appointment,
        "history": appointment.events.all(),
        "loaner": next(iter(appointment.loaner_reservations.all()), None),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "reschedule_form": forms.get("reschedule_form") or RescheduleForm(),
        "checklist_items": _checklist_items(appointment),
        "live": {"slot_value": request.POST.get("slot", "")},
        **_week(appointment.site, request.GET, now, advisors),
    }


def _checklist_items(appointment: Appointment) -> list[tuple[str, object]]:
    labels = {**CHECKLIST_LABELS, "mobility_offered": _("At least two mobility options offered")}
    return [(labels[key], appointment.checklist.get(key)) for key in services.CHECKLIST_FLAGS]


@staff_view("appointments.view_appointment")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    return _render(request, "appointments/detail.html", _detail_context(request, appointment), site=appointment.site)


def _action(request: HttpRequest, pk: int, act) -> HttpResponse:
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    try:
        act(appointment)
    except BookingError as error:
        messages.error(request, str(error.message))
    return redirect("appointments:detail", pk=appointment.pk)


@require_POST
@staff_view("appointments.change_appointment")
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda a: services.confirm_appointment(appointment=a, via="phone", actor=request.user))


@require_POST
@staff_view("appointments.change_appointment")
def arrived(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda a: services.mark_arrived(appointment=a, actor=request.user))


@require_POST
@staff_view("appointments.change_appointment")
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda a: services.mark_no_show(appointment=a, actor=request.user))


@require_POST
@staff_view("appointments.change_appointment")
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_appointment(appointment=appointment, actor=request.user, reason=form.cleaned_data["reason"])
        except BookingError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Appointment cancelled; the customer is told."))
            return redirect("appointments:detail", pk=appointment.pk)
    return _render(
        request, "appointments/detail.html", _detail_context(request, appointment, cancel_form=form), site=appointment.site, status=400
    )


@require_POST
@staff_view("appointments.change_appointment")
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        advisor_id, starts_at = form.cleaned_data["slot"]
        advisor = selectors.list_advisors(site=appointment.site).filter(pk=advisor_id).first()
        try:
            if advisor is None:
                raise BookingError(_("This advisor does not work at this site."), field="slot")
            new = services.reschedule_appointment(
                appointment=appointment,
                starts_at=starts_at,
                advisor=advisor,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data["override_reason"] or None,
            )
        except BookingError as error:
            add_domain_error(form, error, fields={"starts_at": "slot", "advisor": "slot"})
        else:
            messages.success(request, _("Appointment moved; the customer is told."))
            return redirect("appointments:detail", pk=new.pk)
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    return _render(
        request, "appointments/detail.html", _detail_context(request, appointment, reschedule_form=form), site=appointment.site, status=400
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _customer_language(appointment: Appointment) -> str:
    return appointment.customer.language or appointment.site.language


def _contact_point(appointment: Appointment):
    """The vehicle's brand's contact point at the site, heading the appointment's documents."""
    return contact_point_for_vehicle(appointment.site, appointment.vehicle)


@staff_view("appointments.view_appointment")
def booking_card(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    content = render_pdf(
        "pdf/appointments_booking_card.html",
        {"appointment": appointment, "contact": _contact_point(appointment), "link": services.customer_link(appointment)},
        _customer_language(appointment),
        appointment.site.tz,
    )
    return _pdf_response(content, f"appointment-{appointment.pk}.pdf")


@staff_view("appointments.view_appointment")
def loan_contract(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    contract = contract_context(appointment)
    if contract is None:
        raise Http404(_("No loaner is reserved for this appointment."))
    content = render_pdf(
        "pdf/appointments_loan_contract.html",
        {**contract, "contact": _contact_point(appointment)},
        _customer_language(appointment),
        appointment.site.tz,
    )
    return _pdf_response(content, f"loan-contract-{appointment.pk}.pdf")


# --- Diaries and reception display --------------------------------------------


@staff_view("appointments.view_appointment")
def diary(request: HttpRequest) -> HttpResponse:
    """Each advisor's 15-minute grid for a day, or the week from that day."""
    site, sites = _site(request)
    now = timezone.now()
    day = parse_day(request.GET.get("day"), timezone.localdate(now, site.tz))
    week = request.GET.get("view") == "week"
    grid = slots.week_grid(site=site, week_start=day, now=now)
    last_day = day + timedelta(days=6 if week else 0)
    appointments = {a.pk: a for a in selectors.list_appointments(site=site, first_day=day, last_day=last_day)}
    advisors = {advisor.pk: advisor for advisor in selectors.list_advisors(site=site)}
    days = [
        (
            current,
            [
                (advisors.get(advisor_id), [(cell, appointments.get(cell.appointment_id)) for cell in cells])
                for advisor_id, cells in per_advisor.items()
            ],
        )
        for current, per_advisor in grid.items()
        if current <= last_day
    ]
    context = {
        "site": site,
        "sites": sites,
        "day": day,
        "week": week,
        "days": days,
        "previous": day - timedelta(days=7 if week else 1),
        "next": day + timedelta(days=7 if week else 1),
        "listed": [a for a in appointments.values() if a.status in Appointment.ACTIVE_STATUSES],
        "customer_changes": selectors.customer_changes(site=site, now=now)[:20],
    }
    return _render(request, "appointments/diary.html", context, site=site)


@staff_view("appointments.view_appointment")
def reception_display(request: HttpRequest) -> HttpResponse:
    """The staff's preview of the reception display (what the screens in the customer area show: kiosk_views)."""
    site, sites = _site(request)
    return board_response(request, "appointments/reception.html", {"sites": sites}, site=site)


# --- Preparation 24-48 h ---------------------------------------------------------


@staff_view("appointments.view_partstock")
def preparation(request: HttpRequest) -> HttpResponse:
    site, sites = _site(request)
    today = timezone.localdate(timezone.now(), site.tz)
    days = preparation_days(site=site, today=today)
    listed = selectors.preparation_list(site=site, today=today, user=request.user, days=days)
    context = {"site": site, "sites": sites, "days": [(day, days.closed.get(day), items) for day, items in listed.items()]}
    return _render(request, "appointments/preparation.html", context, site=site)


def _prep_redirect(appointment: Appointment) -> HttpResponse:
    return redirect(preparation_url(appointment))


def _posted_part(request: HttpRequest, appointment: Appointment) -> tuple[Part, Decimal]:
    raw = request.POST.get("part", "")
    part = Part.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    need = selectors.kit_need(appointment=appointment, part_id=part.pk) if part else Decimal("0")
    if part is None or not need:
        return None, Decimal("0")
    return part, need


def _part_action(request: HttpRequest, pk: int, act) -> HttpResponse:
    appointment = get_for_user(Appointment.objects.select_related("site", "customer", "vehicle"), request.user, pk=pk)
    part, need = _posted_part(request, appointment)
    if part is None:
        messages.error(request, _("Part: choose a part of this appointment's kits."))
        return _prep_redirect(appointment) if not request.htmx else HttpResponse(status=400)
    try:
        act(appointment, part, need)
    except BookingError as error:
        messages.error(request, str(error.message))
    return _prep_redirect(appointment)


@require_POST
@staff_view("appointments.view_partstock", "appointments.change_partstock")
def reserve_part(request: HttpRequest, pk: int) -> HttpResponse:
    return _part_action(
        request, pk, lambda a, part, need: services.reserve_part(appointment=a, part=part, quantity=need, actor=request.user)
    )


@require_POST
@staff_view("appointments.view_partstock", "appointments.add_partorderrequest")
def request_part(request: HttpRequest, pk: int) -> HttpResponse:
    return _part_action(
        request, pk, lambda a, part, need: services.request_part_order(appointment=a, part=part, quantity=need, actor=request.user)
    )


@staff_view("appointments.view_partstock")
def bin_label(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.get_appointment_for_user(user=request.user, pk=pk)
    prepared = selectors.prepared_appointment(appointment=appointment, user=request.user)
    context = {"appointment": appointment, "kit": prepared.kit, "documents": [note for note in prepared.notes if note.reference]}
    content = render_pdf("pdf/appointments_bin_label.html", context, appointment.site.language, appointment.site.tz)
    return _pdf_response(content, f"bin-label-{appointment.pk}.pdf")


@require_POST
@staff_view("appointments.view_partstock", "appointments.change_loanerreservation")
def confirm_loaner(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = get_for_user(LoanerReservation.objects.select_related("appointment"), request.user, "appointment__site", pk=pk)
    services.confirm_loaner(reservation=reservation, actor=request.user)
    messages.success(request, _("Loaner confirmed."))
    return _prep_redirect(reservation.appointment)


# --- The customer's page (signed link, no login) -----------------------------------


def _linked_appointment(token: str) -> Appointment:
    """The appointment a link is for, or LinkError (tampered, another purpose, or past the day after it)."""
    pk = read_token(token, purpose=services.LINK_PURPOSE, max_age=LINK_MAX_AGE)
    appointment = (
        Appointment.objects.select_related("site", "customer", "vehicle", "rescheduled_to")
        .prefetch_related(selectors.booked_jobs(), "mobility")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise LinkError("invalid")
    if timezone.localdate(timezone.now(), appointment.site.tz) > appointment.workshop_day + timedelta(days=1):
        raise LinkError("expired")
    return appointment


def _link_error(request: HttpRequest, error: LinkError) -> HttpResponse:
    return render(request, "appointments/public_link_error.html", {"expired": str(error) == "expired"}, status=400)


@login_not_required
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    """Mobile-first page of the customer's appointment: confirm, move or cancel it, add it to a calendar."""
    try:
        appointment = _linked_appointment(token)
    except LinkError as error:
        return _link_error(request, error)
    with visitor_locale(request, site=appointment.site, customer=appointment.customer):
        return _manage_appointment(request, token, appointment)


def _manage_appointment(request: HttpRequest, token: str, appointment: Appointment) -> HttpResponse:
    cancel_form, move_form = CustomerCancelForm(), SlotForm()
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "confirm":
            online.confirm_by_customer(appointment=appointment)
            return redirect("appointments:public", token=token)
        if action == "cancel":
            cancel_form = CustomerCancelForm(request.POST)
            if cancel_form.is_valid():
                online.cancel_by_customer(appointment=appointment, reason=cancel_form.cleaned_data["reason"])
                messages.success(request, _("Your appointment is cancelled. We have told your advisor."))
                return redirect("appointments:public", token=token)
        if action == "move":
            move_form = SlotForm(request.POST)
            if move_form.is_valid():
                advisor_id, starts_at = move_form.cleaned_data["slot"]
                new = online.reschedule_by_customer(appointment=appointment, advisor_id=advisor_id, starts_at=starts_at)
                messages.success(request, _("Your appointment is moved. The new confirmation is on its way to you."))
                return redirect(services.customer_link(new).removeprefix(settings.SITE_URL))
    except BookingError as error:
        form = move_form if action == "move" else cancel_form
        form.add_error("slot" if action == "move" else "reason", str(error.message))
    active = appointment.status in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED)
    moving = active and (action == "move" or request.GET.get("move") == "1")
    days = []
    if moving:
        days = group_by_day(appointment.site, online.slots_to_move(appointment=appointment, now=timezone.now()))
    context = {
        "appointment": appointment,
        "token": token,
        "can_confirm": appointment.status == Appointment.Status.BOOKED,
        "brand": online.brand_of(appointment.site, appointment.vehicle),
        "active": active,
        "moving": moving,
        "days": days,
        "move_form": move_form,
        "cancel_form": cancel_form,
        "selected": request.POST.get("slot", ""),
    }
    return public_render(
        request,
        "appointments/public.html",
        context,
        site=appointment.site,
        customer=appointment.customer,
        status=400 if action and (move_form.errors or cancel_form.errors) else 200,
    )


@login_not_required
def public_ics(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = _linked_appointment(token)
    except LinkError as error:
        return _link_error(request, error)
    method = "CANCEL" if appointment.status == Appointment.Status.CANCELLED else "PUBLISH"
    event = services.ics_event_for(appointment, until=services.reception_end(appointment), method=method)
    content = build_event(**event, time_zone=appointment.site.tz)
    response = HttpResponse(content, content_type=f"{ics_content_type(method)}; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response
