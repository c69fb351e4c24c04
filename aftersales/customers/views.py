from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.permissions import staff_view
from aftersales.lib.domain import add_domain_error
from aftersales.lib.pdf import render_pdf

from .exceptions import CustomerError
from .forms import CustomerForm, ErasureForm, MileageForm, VehicleForm
from .models import ConsentRecord, Customer
from .panels import render_customer_panels, render_vehicle_panels
from .privacy import erase_customer, export_customer
from .selectors import get_customer_360, get_customer_for_user, get_vehicle_for_user, get_vehicle_page, search_customers
from .services import create_customer, create_vehicle, record_consent, record_mileage, update_customer, update_vehicle


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A form page: 400 when a posted form was refused, so clients and tests see it."""
    return render(request, template, context, status=400 if context["form"].is_bound else 200)


def _record_consents(*, customer: Customer, form: CustomerForm, user) -> None:
    for channel, granted in form.consent_choices().items():
        record_consent(customer=customer, channel=channel, granted=granted, source=ConsentRecord.Source.FORM, recorded_by=user)


@staff_view("customers.view_customer")
def search(request: HttpRequest) -> HttpResponse:
    result = search_customers(user=request.user, query=request.GET.get("q", ""))
    partial = request.htmx and not request.htmx.history_restore_request
    template = "customers/search.html#results" if partial else "customers/search.html"
    response = render(request, template, {"search": result})
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_view("customers.view_customer")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_360(user=request.user, pk=pk)
    return render(request, "customers/detail.html", {"customer": customer, "panels": render_customer_panels(request, customer)})


@staff_view("customers.view_customer", "customers.add_customer")
def create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(_posted(request), user=request.user)
    if form.is_bound and form.is_valid():
        customer = create_customer(site=form.cleaned_data["site"], **form.customer_data(), created_by=request.user)
        _record_consents(customer=customer, form=form, user=request.user)
        messages.success(request, _("Customer created."))
        return redirect(customer)
    return _form_page(request, "customers/customer_form.html", {"form": form})


@staff_view("customers.view_customer", "customers.change_customer")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(user=request.user, pk=pk)
    form = CustomerForm(_posted(request), instance=customer, user=request.user)
    if form.is_bound and form.is_valid():
        update_customer(customer=customer, **form.customer_data(), updated_by=request.user)
        _record_consents(customer=customer, form=form, user=request.user)
        messages.success(request, _("Customer saved."))
        return redirect(customer)
    customer.refresh_from_db()
    return _form_page(request, "customers/customer_form.html", {"form": form, "customer": customer})


@staff_view("customers.view_customer", "customers.add_vehicle")
def vehicle_create(request: HttpRequest, pk: int) -> HttpResponse:
    owner = get_customer_for_user(user=request.user, pk=pk)
    form = VehicleForm(_posted(request), user=request.user)
    if form.is_bound and form.is_valid():
        try:
            vehicle = create_vehicle(owner=owner, **form.vehicle_data(), created_by=request.user)
        except CustomerError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Vehicle added."))
            return redirect(vehicle)
    return _form_page(request, "customers/vehicle_form.html", {"form": form, "customer": owner})


@staff_view("customers.view_vehicle")
def vehicle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = get_vehicle_page(user=request.user, pk=pk)
    return render(request, "customers/vehicle_detail.html", _vehicle_page(request, vehicle, MileageForm()))


def _vehicle_page(request: HttpRequest, vehicle, mileage_form: MileageForm) -> dict:
    """The vehicle page's context: the vehicle, the mileage form and the cards the later stages add (visits, open work)."""
    return {"vehicle": vehicle, "mileage_form": mileage_form, "panels": render_vehicle_panels(request, vehicle)}


@staff_view("customers.view_vehicle", "customers.change_vehicle")
def vehicle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = get_vehicle_for_user(user=request.user, pk=pk)
    form = VehicleForm(_posted(request), instance=vehicle, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            vehicle = update_vehicle(vehicle=vehicle, **form.vehicle_data(), updated_by=request.user)
        except CustomerError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Vehicle saved."))
            return redirect(vehicle)
    vehicle.refresh_from_db()
    return _form_page(request, "customers/vehicle_form.html", {"form": form, "vehicle": vehicle, "customer": vehicle.owner})


@require_POST
@staff_view("customers.view_vehicle", "customers.change_vehicle")
def mileage_add(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = get_vehicle_for_user(user=request.user, pk=pk)
    form = MileageForm(request.POST)
    if form.is_valid():
        try:
            record_mileage(vehicle=vehicle, recorded_by=request.user, **form.cleaned_data)
        except CustomerError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Mileage recorded."))
            return redirect(vehicle)
    page = get_vehicle_page(user=request.user, pk=vehicle.pk)
    return render(request, "customers/vehicle_detail.html", _vehicle_page(request, page, form), status=400)


@staff_view("customers.view_customer", "customers.export_customer")
def privacy_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about the customer (GDPR access), as JSON or PDF (?format=json|pdf)."""
    customer = get_customer_for_user(user=request.user, pk=pk)
    kind = request.GET.get("format", "json")
    if kind not in ("json", "pdf"):
        raise Http404
    export = export_customer(customer=customer)
    if kind == "json":
        response = JsonResponse(export, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2, "ensure_ascii": False})
    else:
        pdf = render_pdf(
            "customers/privacy_export_pdf.html",
            {"customer": customer, "export": export},
            customer.language or customer.site.language,
            customer.site.tz,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.{kind}"'
    return response


@staff_view("customers.view_customer", "customers.erase_customer")
def privacy_erase(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(user=request.user, pk=pk)
    form = ErasureForm(_posted(request))
    if form.is_bound and form.is_valid():
        kept = erase_customer(customer=customer, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The customer's personal data was erased."))
        for note in kept:
            messages.info(request, note)
        return redirect(customer)
    return _form_page(request, "customers/privacy_erase.html", {"form": form, "customer": customer})
