"""Reception screens: the day board, the check-in steps, signature, PDF; and the customer's signing page."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from aftersales.accounts.permissions import get_for_user, staff_view
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import Vehicle
from aftersales.customers.services import create_customer, create_vehicle
from aftersales.lib.domain import add_domain_error
from aftersales.lib.signing import LinkError, make_token, read_token
from appointments.exceptions import BookingError
from appointments.online import brand_of
from appointments.online_views import public_render, visitor_locale
from appointments.services import mark_arrived, mark_no_show

from .diagram import diagram_views, kind_choices, legend
from .exceptions import WorkOrderError
from .forms import STEP_FORMS, CodeForm, JobForm, SignatureForm, WalkAroundPhotoForm, WalkInForm
from .models import WorkOrder, WorkOrderJob, WorkOrderPhoto
from .order_pdf import printed_orders, work_order_pdf
from .selectors import (
    board_sites,
    collapsed_board,
    day_board,
    get_appointment_for_check_in,
    get_work_order_for_user,
    list_open_work_orders,
    unread_notifications,
    vehicle_by_plate,
)
from .services import (
    STEP_KEYS,
    STEP_SERVICES,
    STEPS,
    add_job,
    add_photo,
    hand_to_workshop,
    open_walk_in,
    open_work_order,
    remove_job,
    request_code_signature,
    send_signature_code,
    sign_by_code,
    sign_on_tablet,
    step_by_key,
)
from .signed_content import content_hash

VIEW = "workshop.view_workorder"
ADD = "workshop.add_workorder"
CHANGE = "workshop.change_workorder"
LINK_PURPOSE = "work-order-signature"
LINK_MAX_AGE = timedelta(days=2)


# --- day board --------------------------------------------------------------------


@staff_view(VIEW, ADD)
def board(request: HttpRequest) -> HttpResponse:
    sites = list(board_sites(user=request.user))
    if not sites:
        raise Http404
    chosen = request.GET.get("site", "")
    site = next((site for site in sites if str(site.pk) == chosen), sites[0])
    now = timezone.now()
    today = timezone.localtime(now, site.tz).date()
    everything = request.GET.get("all") == "1"
    context = {
        "site": site,
        "sites": sites,
        "today": today,
        "board": collapsed_board(day_board(site=site, day=today, now=now), everything=everything),
        "everything": everything,
        "now": now,
        "notifications": unread_notifications(user=request.user),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "workshop/board.html#rows" if partial else "workshop/board.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _back_to_board(appointment) -> HttpResponse:
    return redirect(f"{reverse('workshop:board')}?site={appointment.site_id}")


@require_POST
@staff_view(VIEW, ADD, "appointments.change_appointment")
def arrived(request: HttpRequest, appointment_pk: int) -> HttpResponse:
    appointment = get_appointment_for_check_in(user=request.user, pk=appointment_pk)
    try:
        mark_arrived(appointment=appointment, actor=request.user)
    except BookingError as error:
        messages.error(request, error.message)
    return _back_to_board(appointment)


@require_POST
@staff_view(VIEW, ADD, "appointments.change_appointment")
def no_show(request: HttpRequest, appointment_pk: int) -> HttpResponse:
    appointment = get_appointment_for_check_in(user=request.user, pk=appointment_pk)
    try:
        mark_no_show(appointment=appointment, actor=request.user)
    except BookingError as error:
        messages.error(request, error.message)
    return _back_to_board(appointment)


@require_POST
@staff_view(VIEW, ADD)
def check_in(request: HttpRequest, appointment_pk: int) -> HttpResponse:
    appointment = get_appointment_for_check_in(user=request.user, pk=appointment_pk)
    try:
        order = open_work_order(appointment=appointment, actor=request.user)
    except WorkOrderError as error:
        messages.error(request, error.message)
        return _back_to_board(appointment)
    return redirect(_next_step_url(order))


@staff_view(VIEW, ADD, "customers.add_customer", "customers.add_vehicle")
def walk_in(request: HttpRequest) -> HttpResponse:
    sites = list(board_sites(user=request.user))
    if not sites:
        raise Http404
    site = next((site for site in sites if str(site.pk) == request.GET.get("site", "")), sites[0])
    if "lookup" in request.POST:
        return _walk_in_lookup(request, site, sites)
    form = WalkInForm(request.POST if request.method == "POST" else None, site=site)
    if form.is_bound and form.is_valid():
        try:
            order = _open_walk_in(request, form, site)
        except (WorkOrderError, CustomerError) as error:
            add_domain_error(form, error)
        else:
            if order is not None:
                return redirect(_next_step_url(order))
    # htmx gets the form back in place, with its errors (app.js shows a 400 of a form marked data-swap-invalid)
    template = "workshop/walk_in.html#walk-in" if request.htmx else "workshop/walk_in.html"
    return render(request, template, {"form": form, "site": site, "sites": sites}, status=400 if form.is_bound else 200)


def _walk_in_lookup(request: HttpRequest, site, sites) -> HttpResponse:
    """The vehicle of the plate typed, when on file at the site: its VIN fills the form (nothing else typed is lost)."""
    found = vehicle_by_plate(site=site, plate=request.POST.get("plate", ""))
    initial = {name: request.POST.get(name, "") for name in WalkInForm.base_fields}
    if found is not None:
        initial["vin"] = found.vin
    context = {"form": WalkInForm(initial=initial, site=site), "site": site, "sites": sites, "found": found, "looked_up": True}
    return render(request, "workshop/walk_in.html", context)


def _open_walk_in(request: HttpRequest, form: WalkInForm, site) -> WorkOrder | None:
    """Find the vehicle by VIN (its owner comes with it), else by plate at the site, or file both; None when the form
    needs more."""
    vin = form.cleaned_data["vin"].strip().upper()
    if vin:
        vehicle = Vehicle.objects.select_related("owner").filter(vin=vin).first()
    else:
        vehicle = vehicle_by_plate(site=site, plate=form.cleaned_data["plate"])
        if vehicle is None:
            form.add_error("vin", _("No vehicle with this plate is on file here: type the VIN."))
            return None
    if vehicle is not None and vehicle.owner is not None and vehicle.owner.site_id == site.pk:
        customer = vehicle.owner
    else:
        if not form.require_new_customer_fields():
            return None
        customer = create_customer(site=site, **form.customer_data(), created_by=request.user)
        if vehicle is None:
            vehicle = create_vehicle(owner=customer, **form.vehicle_data(), created_by=request.user)
    return open_walk_in(
        site=site, customer=customer, vehicle=vehicle, actor=request.user, customer_words=form.cleaned_data["customer_words"]
    )


# --- work order and check-in steps ------------------------------------------------


@staff_view(VIEW)
def work_orders(request: HttpRequest) -> HttpResponse:
    context = {"orders": list_open_work_orders(user=request.user), "many_sites": request.user.visible_sites().count() > 1}
    return render(request, "workshop/list.html", context)


def _next_step_url(order: WorkOrder) -> str:
    step = STEP_KEYS[min(order.check_in_step, len(STEP_KEYS) - 1)]
    return reverse("workshop:step", kwargs={"pk": order.pk, "step": step})


def order_context(order: WorkOrder) -> dict:
    marks = list(order.damage_marks.all())
    return {"views": diagram_views(marks), "legend": legend(marks), "steps": STEPS}


def _check_in_screen(request: HttpRequest, area: str, context: dict, status: int = 200) -> HttpResponse:
    """A check-in screen: the whole page, or for htmx only its area with the page's title. A step shown by a GET (also
    the one a saved step redirects to) has its address pushed, so Back and a reload come to the same step."""
    partial = request.htmx and not request.htmx.history_restore_request
    template = "workshop/_check_in_swap.html" if partial else "workshop/check_in.html"
    response = render(request, template, {**context, "area": area}, status=status)
    if partial and request.method == "GET":
        response["HX-Push-Url"] = request.get_full_path()
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view(VIEW, CHANGE)
def step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """A check-in step: a valid form saves and redirects to the next step (htmx follows the redirect and swaps that
    step in); an invalid one comes back with its errors and 400."""
    order = get_work_order_for_user(user=request.user, pk=pk)
    definition = step_by_key(step)
    if definition is None:
        raise Http404
    if order.is_signed or order.status == WorkOrder.Status.CANCELLED:
        return HttpResponseClientRedirect(order.get_absolute_url()) if request.htmx else redirect(order)
    if step == "sign":
        return _sign_page(request, order, SignatureForm(initial={"shown_hash": content_hash(order)}))
    form = STEP_FORMS[step](request.POST if request.method == "POST" else None, instance=order)
    if form.is_bound and form.is_valid():
        try:
            order = STEP_SERVICES[step](work_order=order, actor=request.user, **form.step_data())
        except WorkOrderError as error:
            add_domain_error(form, error)
        else:
            following = STEP_KEYS[STEP_KEYS.index(step) + 1]
            return redirect("workshop:step", pk=order.pk, step=following)
        order = get_work_order_for_user(user=request.user, pk=pk)
    return _step_page(request, order, step, form=form, status=400 if form.is_bound else 200)


def _step_page(request: HttpRequest, order: WorkOrder, step: str, *, form=None, job_form=None, photo_form=None, status=200) -> HttpResponse:
    index = STEP_KEYS.index(step)
    context = {
        "order": order,
        "step": STEPS[index],
        "previous_step": STEP_KEYS[index - 1] if index else "",
        "form": form or STEP_FORMS[step](instance=order),
        "job_form": job_form or JobForm(),
        "kinds": kind_choices(),
        **order_context(order),
        **(_photos_context(order, photo_form) if step == "walk_around" else {}),
    }
    return _check_in_screen(request, "workshop/_step.html", context, status)


def _photos_context(order: WorkOrder, photo_form: WalkAroundPhotoForm | None = None) -> dict:
    """The walk-around photos, each with the number of the damage mark it shows (as on the diagram), and their form."""
    marks = list(order.damage_marks.all())
    numbers = {mark.pk: number for number, mark in enumerate(marks, start=1)}
    photos = list(order.photos.filter(inspection_result__isnull=True))
    for item in photos:
        item.mark_number = numbers.get(item.damage_mark_id)
    return {"order": order, "photos": photos, "photo_form": photo_form or WalkAroundPhotoForm(marks=marks)}


@require_POST
@staff_view(VIEW, CHANGE)
def job_add(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    form = JobForm(request.POST)
    if form.is_valid():
        try:
            add_job(work_order=order, actor=request.user, **form.cleaned_data)
        except WorkOrderError as error:
            add_domain_error(form, error)
    if request.htmx:
        return _jobs_section(request, pk, job_form=form if form.errors else None, done="" if form.errors else _("Job added."))
    if form.errors:
        return _step_page(request, order, "findings", job_form=form, status=400)
    messages.success(request, _("Job added."))
    return redirect(_return_url(request, order, "findings"))


@require_POST
@staff_view(VIEW, CHANGE)
def job_remove(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    job = get_object_or_404(WorkOrderJob, work_order=order, pk=job_pk)
    refused = ""
    try:
        remove_job(job=job, actor=request.user)
    except WorkOrderError as error:
        refused = error.message
    if request.htmx:
        return _jobs_section(request, pk, done="" if refused else _("Job removed."), refused=refused)
    if refused:
        messages.error(request, refused)
    return redirect(_return_url(request, order, "findings"))


def _jobs_section(request: HttpRequest, pk: int, *, job_form: JobForm | None = None, done: str = "", refused: str = "") -> HttpResponse:
    """The jobs of the findings step and their form, for htmx: what the advisor typed in the step's form stays as it is."""
    order = get_work_order_for_user(user=request.user, pk=pk)  # read again: the totals have changed
    context = {"order": order, "step": step_by_key("findings"), "job_form": job_form or JobForm(), "done": done, "refused": refused}
    return render(request, "workshop/_findings_jobs.html", context, status=400 if job_form is not None else 200)


def _return_url(request: HttpRequest, order: WorkOrder, default_step: str) -> str:
    chosen = request.POST.get("step", default_step)
    if order.is_signed or chosen not in STEP_KEYS:
        return order.get_absolute_url()
    return reverse("workshop:step", kwargs={"pk": order.pk, "step": chosen})


@require_POST
@staff_view(VIEW, CHANGE)
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a walk-around photo; from the step page (htmx) only the photos' section is answered, so what the advisor
    typed in the step's form stays as it is."""
    order = get_work_order_for_user(user=request.user, pk=pk)
    form = WalkAroundPhotoForm(request.POST, request.FILES, marks=list(order.damage_marks.all()))
    if form.is_valid():
        try:
            add_photo(
                work_order=order,
                upload=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
                damage_mark=form.cleaned_data["damage_mark"],
                actor=request.user,
            )
        except WorkOrderError as error:
            add_domain_error(form, error)
    if request.htmx:
        context = _photos_context(order, form if form.errors else None) | {"added": not form.errors}
        return render(request, "workshop/_walk_around_photos.html", context, status=400 if form.errors else 200)
    if form.errors:
        return _step_page(request, order, "walk_around", photo_form=form, status=400)
    messages.success(request, _("Photo added."))
    return redirect(_return_url(request, order, "walk_around"))


@staff_view(VIEW)
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A walk-around photo, only to staff of the order's site (the media folder is never served directly)."""
    order = get_work_order_for_user(user=request.user, pk=pk)
    return photo_response(get_object_or_404(WorkOrderPhoto, work_order=order, pk=photo_pk))


def photo_response(item: WorkOrderPhoto) -> FileResponse:
    """A stored photo as a download-safe response (the customer's approval page serves inspection photos with it too)."""
    if not item.image.storage.exists(item.image.name):
        raise Http404
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- signature --------------------------------------------------------------------


def _sign_page(request: HttpRequest, order: WorkOrder, form: SignatureForm, status: int = 200) -> HttpResponse:
    context = {"order": order, "step": step_by_key("sign"), "form": form, "shown_hash": content_hash(order), **order_context(order)}
    return _check_in_screen(request, "workshop/_sign.html", context, status)


@require_POST
@staff_view(VIEW, CHANGE)
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    form = SignatureForm(request.POST)
    if form.is_valid():
        try:
            sign_on_tablet(
                work_order=order,
                image_data_url=form.cleaned_data["signature"],
                shown_hash=form.cleaned_data["shown_hash"],
                actor=request.user,
            )
        except WorkOrderError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Signed. Hand the car to the workshop when it is ready."))
            return redirect(order)
    order = get_work_order_for_user(user=request.user, pk=pk)
    return _sign_page(request, order, form, status=400)


@require_POST
@staff_view(VIEW, CHANGE)
def request_code(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    link = request.build_absolute_uri(reverse("workshop:customer_sign", kwargs={"token": make_token(purpose=LINK_PURPOSE, pk=order.pk)}))
    try:
        request_code_signature(work_order=order, link=link, actor=request.user)
    except WorkOrderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The customer received the link to the order and a code to sign it by SMS."))
    return redirect(order)


@require_POST
@staff_view(VIEW, CHANGE)
def to_workshop(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_work_order_for_user(user=request.user, pk=pk)
    try:
        hand_to_workshop(work_order=order, actor=request.user)
    except WorkOrderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Handed to the workshop."))
    return redirect(order)


# --- PDF --------------------------------------------------------------------------


def _pdf_response(order: WorkOrder) -> HttpResponse:
    response = HttpResponse(work_order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@staff_view(VIEW)
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(get_for_user(printed_orders(), request.user, pk=pk))


# --- the customer's page (signed link, no login) ---------------------------------


def _order_from_token(token: str) -> WorkOrder | None:
    try:
        pk = read_token(token, purpose=LINK_PURPOSE, max_age=LINK_MAX_AGE)
    except LinkError:
        return None
    return WorkOrder.objects.select_related("site", "customer", "vehicle", "signature").filter(pk=pk).first()


def invalid_link_page(request: HttpRequest) -> HttpResponse:
    return render(request, "workshop/customer_link_invalid.html", status=404)


def _customer_page(request: HttpRequest, order: WorkOrder, form: CodeForm | None = None, status: int = 200) -> HttpResponse:
    form = form or CodeForm(initial={"shown_hash": content_hash(order)})
    context = {
        "order": order,
        "form": form,
        "token": request.resolver_match.kwargs["token"],
        "brand": brand_of(order.site, order.vehicle),
    }
    return public_render(request, "workshop/customer_sign.html", context, site=order.site, customer=order.customer, status=status)


@login_not_required
def customer_sign(request: HttpRequest, token: str) -> HttpResponse:
    """The customer reads the order and signs it with the code sent to them: in their language and their site's time."""
    order = _order_from_token(token)
    if order is None:
        return invalid_link_page(request)
    with visitor_locale(request, site=order.site, customer=order.customer):
        if request.method != "POST":
            return _customer_page(request, order)
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                sign_by_code(work_order=order, code=form.cleaned_data["code"], shown_hash=form.cleaned_data["shown_hash"])
            except WorkOrderError as error:
                add_domain_error(form, error)
            else:
                return redirect("workshop:customer_sign", token=token)
        order.refresh_from_db()
        return _customer_page(request, order, form, status=400)


@require_POST
@login_not_required
def customer_new_code(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_from_token(token)
    if order is None:
        return invalid_link_page(request)
    if order.status == WorkOrder.Status.CHECKED_IN:
        send_signature_code(work_order=order)
    return redirect("workshop:customer_sign", token=token)


@login_not_required
def customer_pdf(request: HttpRequest, token: str) -> HttpResponse:
    order = _order_from_token(token)
    if order is None:
        return invalid_link_page(request)
    return _pdf_response(printed_orders().get(pk=order.pk))
