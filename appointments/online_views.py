"""Public pages: online self-booking (identify → code → details → services → time) and the contact form.

No login; the progress of one visitor is kept in their session, per site.
Every answer before the code is verified is the same whoever types what
(see ``online`` for why). Mobile first, in the visitor's language: ``?lang=``
(kept in the session), else the browser's.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.contact_points import contact_point_for
from aftersales.accounts.models import Brand, Site
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import Channel, Customer, MobilityService, Vehicle
from aftersales.customers.selectors import active_campaigns, attach_open_campaigns, current_offers
from aftersales.customers.services import create_customer, create_vehicle
from aftersales.lib.client_ip import client_ip
from aftersales.lib.domain import add_domain_error
from aftersales.lib.signing import LinkError
from aftersales.messaging.exceptions import CodeRefused
from aftersales.messaging.models import MessageChannel

from . import online, services
from .exceptions import BookingError
from .forms import encode_slot
from .online_forms import ChooseForm, CodeForm, ContactForm, DetailsForm, IdentifyForm, SlotForm
from .slots import JobRequest

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def visitor_language(request: HttpRequest, default: str | None = None) -> str:
    """``?lang=`` (kept in the session), else the language chosen before, else ``default`` (the customer's, on
    the links sent to them), else the browser's: never the language of a staff member who opens the page."""
    chosen = request.GET.get("lang", "")
    if chosen in LANGUAGE_CODES:
        request.session["online_language"] = chosen
        return chosen
    return request.session.get("online_language") or default or translation.get_language_from_request(request)


@contextmanager
def visitor_locale(request: HttpRequest, *, site: Site, customer: Customer | None = None) -> Iterator[str]:
    """The visitor's language and the site's time zone, around a whole public view: its refusals, messages and page."""
    language = visitor_language(request, customer.language if customer else None)
    with translation.override(language), timezone.override(site.tz):
        yield language


def public_view(view):
    """A page without login whose every text (messages and form errors too) is in the visitor's language."""

    @login_not_required
    @wraps(view)
    def in_visitor_language(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with translation.override(visitor_language(request)):
            return view(request, *args, **kwargs)

    return in_visitor_language


def public_render(
    request: HttpRequest, template: str, context: dict, *, site: Site, customer: Customer | None = None, status: int = 200
) -> HttpResponse:
    """A public page in the visitor's language (on a customer's own link: theirs by default), in the site's
    time zone, under the dealer's header with the language picker; ``contact`` is the contact point of the
    context's ``brand`` (the vehicle's) at the site, its name heading the page and its phone and e-mail at its foot."""
    with visitor_locale(request, site=site, customer=customer) as language:
        kept = request.GET.copy()
        kept.pop("lang", None)
        context = {
            "site": site,
            "contact": contact_point_for(site, context.get("brand")),
            "language": language,
            "languages": settings.LANGUAGES,
            "path": request.path,
            "kept_query": kept.urlencode(),
            **context,
        }
        response = render(request, template, context, status=status)
    response.headers["Content-Language"] = language
    return response


def _site_and_brand(site_code: str, brand_code: str | None = None) -> tuple[Site, Brand | None]:
    site = get_object_or_404(Site, code=site_code)
    if brand_code is None:
        return site, None
    contact = site.brand_contacts.select_related("brand").filter(brand__code=brand_code).first()
    if contact is None:
        raise Http404("no such brand at this site")
    return site, contact.brand


def _state(request: HttpRequest, site: Site) -> dict:
    return request.session.get(f"online:{site.pk}", {})


def _save(request: HttpRequest, site: Site, state: dict) -> None:
    request.session[f"online:{site.pk}"] = state


def _contact(state: dict) -> online.Contact | None:
    return online.Contact(*state["contact"]) if state.get("contact") else None


def _limited(request: HttpRequest, site: Site, template: str, context: dict) -> HttpResponse:
    context["limited"] = True
    return public_render(request, template, context, site=site, status=429)


# --- 1. Identify ---------------------------------------------------------------------


@public_view
def book(request: HttpRequest, site_code: str, brand_code: str | None = None) -> HttpResponse:
    site, brand = _site_and_brand(site_code, brand_code)
    prefill = request.GET.get("p") or request.POST.get("p") or ""
    if prefill:
        return _book_prefilled(request, site, brand, prefill)
    form = IdentifyForm(request.POST or None, site=site)
    context = {"form": form, "brand": brand}
    if request.method == "POST" and form.is_valid():
        contact = form.cleaned_data["contact"]
        if not (online.allow("code_ip", client_ip(request)) and online.allow("code_contact", contact.address)):
            return _limited(request, site, "appointments/online/identify.html", context)
        online.send_access_code(site=site, contact=contact, language=visitor_language(request), brand=brand)
        _save(
            request,
            site,
            {
                "contact": [contact.channel, contact.address],
                "vehicle_ref": form.cleaned_data["vehicle"],
                "brand": brand.pk if brand else None,
            },
        )
        return redirect("online:code", site_code=site.code)
    return public_render(request, "appointments/online/identify.html", context, site=site, status=400 if form.errors else 200)


def _book_prefilled(request: HttpRequest, site: Site, brand, token: str) -> HttpResponse:
    """A link from a reminder or the car's app: the code goes to the contact on file (nothing typed, nothing shown)."""
    try:
        vehicle = online.read_prefill_token(token)
    except LinkError as error:
        return public_render(request, "appointments/public_link_error.html", {"expired": str(error) == "expired"}, site=site, status=400)
    contact = online.contact_on_file(vehicle.owner)
    if vehicle.owner.site_id != site.pk or contact is None:
        return public_render(request, "appointments/public_link_error.html", {"expired": False}, site=site, status=400)
    if request.method == "POST":
        if not (online.allow("code_ip", client_ip(request)) and online.allow("code_contact", contact.address)):
            return _limited(request, site, "appointments/online/prefilled.html", {"token": token, "brand": brand})
        online.send_access_code(site=site, contact=contact, language=visitor_language(request), customer=vehicle.owner, brand=brand)
        _save(
            request,
            site,
            {"contact": [contact.channel, contact.address], "prefill_vehicle": vehicle.pk, "brand": brand.pk if brand else None},
        )
        return redirect("online:code", site_code=site.code)
    return public_render(request, "appointments/online/prefilled.html", {"token": token, "brand": brand}, site=site)


# --- 2. The one-time code ---------------------------------------------------------------


@public_view
def code(request: HttpRequest, site_code: str) -> HttpResponse:
    site, _brand = _site_and_brand(site_code)
    state = _state(request, site)
    contact = _contact(state)
    if contact is None:
        return redirect("online:book", site_code=site.code)
    form = CodeForm(request.POST or None)
    context = {"form": form, "channel": contact.channel}
    if request.method == "POST" and form.is_valid():
        if not online.allow("verify_ip", client_ip(request)):
            return _limited(request, site, "appointments/online/code.html", context)
        try:
            online.verify_access_code(site=site, contact=contact, code=form.cleaned_data["code"].strip())
        except CodeRefused as error:
            form.add_error("code", str(error.message))
        else:
            request.session.cycle_key()
            _save(request, site, _verified_state(site, contact, state))
            return redirect(_next_step(site, _state(request, site)))
    return public_render(request, "appointments/online/code.html", context, site=site, status=400 if form.errors else 200)


def _verified_state(site: Site, contact: online.Contact, state: dict) -> dict:
    verified = {"contact": state["contact"], "brand": state.get("brand"), "verified": True}
    if state.get("prefill_vehicle"):
        vehicle = Vehicle.objects.select_related("owner").get(pk=state["prefill_vehicle"])
        return {**verified, "customer": vehicle.owner_id, "vehicle": vehicle.pk}
    identity = online.identify(site=site, contact=contact, vehicle_reference=state.get("vehicle_ref", ""))
    return {
        **verified,
        "vehicle_ref": state.get("vehicle_ref", ""),
        "customer": identity.customer.pk if identity.customer else None,
        "vehicle": identity.vehicle.pk if identity.vehicle else None,
    }


def _next_step(site: Site, state: dict) -> str:
    if not state.get("verified"):
        return reverse("online:book", kwargs={"site_code": site.code})
    if not state.get("vehicle"):
        return reverse("online:details", kwargs={"site_code": site.code})
    return reverse("online:choose", kwargs={"site_code": site.code})


def _verified(request: HttpRequest, site: Site) -> tuple[dict, Customer | None, Vehicle | None]:
    state = _state(request, site)
    if not state.get("verified"):
        return state, None, None
    customer = Customer.objects.filter(pk=state.get("customer"), site=site).first() if state.get("customer") else None
    vehicle = (
        Vehicle.objects.filter(pk=state.get("vehicle"), owner=customer).first() if customer is not None and state.get("vehicle") else None
    )
    return state, customer, vehicle


# --- 3. Details of a visitor not (fully) on file ---------------------------------------------


@public_view
def details(request: HttpRequest, site_code: str) -> HttpResponse:
    site, _brand = _site_and_brand(site_code)
    state, customer, vehicle = _verified(request, site)
    if not state.get("verified") or vehicle is not None:
        return redirect(_next_step(site, state))
    contact = _contact(state)
    verified_field = "mobile" if contact.channel == MessageChannel.SMS else "email"
    initial = {
        "vin": state.get("vehicle_ref", "") if len(state.get("vehicle_ref", "")) == 17 else "",
        "plate": state.get("vehicle_ref", "") if len(state.get("vehicle_ref", "")) != 17 else "",
        "preferred_channel": Channel.SMS if verified_field == "mobile" else Channel.EMAIL,
        "language": visitor_language(request),
    }
    form = DetailsForm(
        request.POST or None,
        site=site,
        verified_field=verified_field,
        verified_value=contact.address,
        with_customer=customer is None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.vehicle_data()
        data["vin"] = data["vin"].strip().upper()
        if online.vehicle_elsewhere(data["vin"], customer):
            form.add_error("vin", _("This vehicle is registered to another customer. Please call us to book it."))
        else:
            try:
                with transaction.atomic():
                    actor = online.online_user()
                    if customer is None:
                        customer = create_customer(site=site, **form.customer_data(), created_by=actor)
                    vehicle = create_vehicle(owner=customer, **data, created_by=actor)
            except CustomerError as error:
                add_domain_error(form, error)
            else:
                _save(request, site, {**state, "customer": customer.pk, "vehicle": vehicle.pk})
                return redirect("online:choose", site_code=site.code)
    context = {"form": form, "new_customer": customer is None}
    return public_render(request, "appointments/online/details.html", context, site=site, status=400 if form.errors else 200)


# --- 4. Services, mobility, comment ---------------------------------------------------------


def _operation_prices(site: Site, operations, language: str) -> dict[int, dict]:
    """Per operation priced in the site's currency: its name, price with labour, parts kit and VAT, and the time it
    takes (three queries)."""
    operations = list(operations)
    if not operations:
        return {}
    estimate = services.estimate_jobs(site=site, jobs=[JobRequest.of(operation) for operation in operations])
    factor = Decimal("1") + site.vat_rate / Decimal("100")
    return {
        operation.pk: {
            "price": ((line.labour_price + line.parts_price) * factor).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "hours": line.flat_rate_hours,
            "label": operation.localized("description", language),
        }
        for operation, line in zip(operations, estimate.lines, strict=True)
        if not line.missing
    }


def _brand(state: dict):
    return Brand.objects.filter(pk=state.get("brand")).first() if state.get("brand") else None


def _vehicle_brand(site: Site, state: dict, vehicle: Vehicle):
    """The brand the visit is for: the vehicle's at the site, else the one whose page the visitor came through."""
    return online.brand_of(site, vehicle) or _brand(state)


@public_view
def choose(request: HttpRequest, site_code: str) -> HttpResponse:
    site, _brand_unused = _site_and_brand(site_code)
    state, customer, vehicle = _verified(request, site)
    if vehicle is None:
        return redirect(_next_step(site, state))
    now = timezone.now()
    brand = _vehicle_brand(site, state, vehicle)
    chosen = state.get("choice", {})
    initial = {"operations": chosen.get("operations", []), "mobility": chosen.get("mobility"), "comment": chosen.get("comment", "")}
    probe = [JobRequest(description="probe", flat_rate_hours=Decimal("0"))]
    form = ChooseForm(
        request.POST or None,
        site=site,
        brand=brand,
        initial=initial,
        language=visitor_language(request),
        loaner_offered=online.loaner_offered(site=site, jobs=probe, now=now),
    )
    # Only what has a price in the site's currency is booked online.
    prices = _operation_prices(site, form.fields["operations"].queryset, visitor_language(request))
    form.fields["operations"].queryset = form.fields["operations"].queryset.filter(pk__in=prices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _save(
            request,
            site,
            {
                **state,
                "choice": {"operations": [op.pk for op in data["operations"]], "mobility": data["mobility"].pk, "comment": data["comment"]},
            },
        )
        return redirect("online:slot", site_code=site.code)
    operations = list(form.fields["operations"].queryset)
    attach_open_campaigns([vehicle], active_campaigns(on=timezone.localdate(now, site.tz)))
    context = {
        "form": form,
        "customer": customer,
        "vehicle": vehicle,
        "brand": brand,
        "operations": [(op, prices[op.pk]) for op in operations],
        "chosen_operations": [str(pk) for pk in (form.data.getlist("operations") if form.is_bound else initial["operations"])],
        "offers": current_offers(site=site, make=vehicle.make, on=timezone.localdate(now, site.tz)),
    }
    return public_render(request, "appointments/online/choose.html", context, site=site, status=400 if form.errors else 200)


# --- 5. Time and booking -----------------------------------------------------------------------


def _choice(site: Site, state: dict, brand):
    choice = state.get("choice") or {}
    mobility = MobilityService.objects.offered(site=site, brand=brand).filter(pk=choice.get("mobility")).first()
    operations = list(
        ChooseForm(site=site, brand=brand, loaner_offered=True).fields["operations"].queryset.filter(pk__in=choice.get("operations", []))
    )
    return operations, mobility, choice.get("comment", "")


@public_view
def slot(request: HttpRequest, site_code: str) -> HttpResponse:
    site, _brand_unused = _site_and_brand(site_code)
    state, customer, vehicle = _verified(request, site)
    if vehicle is None:
        return redirect(_next_step(site, state))
    brand = _vehicle_brand(site, state, vehicle)
    operations, mobility, comment = _choice(site, state, brand)
    if mobility is None or not (operations or comment.strip()):
        return redirect("online:choose", site_code=site.code)
    jobs = [JobRequest.of(operation) for operation in operations] or [JobRequest(description=comment[:200])]
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not (online.allow("book_ip", client_ip(request)) and online.allow("book_phone", customer.mobile or customer.email)):
            return _limited(request, site, "appointments/online/slot.html", _slot_context(request, site, brand, form, jobs, mobility))
        advisor_id, starts_at = form.cleaned_data["slot"]
        try:
            appointment = online.book_online(
                site=site,
                customer=customer,
                vehicle=vehicle,
                operations=operations,
                mobility=mobility,
                advisor_id=advisor_id,
                starts_at=starts_at,
                comment=comment,
            )
        except BookingError as error:
            form.add_error("slot", str(error.message))
        else:
            _save(request, site, {key: value for key, value in state.items() if key != "choice"})
            messages.success(request, _("Your appointment is booked. The confirmation is on its way to you."))
            return redirect(services.customer_link(appointment).removeprefix(settings.SITE_URL))
    context = _slot_context(request, site, brand, form, jobs, mobility)
    return public_render(request, "appointments/online/slot.html", context, site=site, status=400 if form.errors else 200)


def _slot_context(request: HttpRequest, site: Site, brand, form: SlotForm, jobs, mobility) -> dict:
    proposals = online.online_slots(
        site=site,
        jobs=jobs,
        needs_loaner=mobility.kind == MobilityService.Kind.LOANER,
        waits=mobility.kind == MobilityService.Kind.LOUNGE,
        now=timezone.now(),
    )
    language = visitor_language(request)
    return {
        "form": form,
        "brand": brand,
        "days": group_by_day(site, proposals),
        "mobility_label": mobility.localized("name", language),
        "estimate": services.estimate_jobs(site=site, jobs=jobs),
        "selected": form.data.get("slot", "") if form.is_bound else "",
    }


def group_by_day(site: Site, proposals) -> list[tuple]:
    """[(local day, [(proposal, value)])] for a list of times to pick from."""
    days: dict = {}
    for proposal in proposals:
        day = timezone.localdate(proposal.starts_at, site.tz)
        days.setdefault(day, []).append((proposal, encode_slot(proposal.advisor_id, proposal.starts_at)))
    return list(days.items())


# --- Contact form (web requests) ---------------------------------------------------------------


@public_view
def contact(request: HttpRequest, site_code: str, brand_code: str | None = None) -> HttpResponse:
    site, brand = _site_and_brand(site_code, brand_code)
    form = ContactForm(request.POST or None, site=site)
    context = {"form": form, "brand": brand}
    if request.method == "POST" and form.is_valid():
        if not online.allow("request_ip", client_ip(request)):
            return _limited(request, site, "appointments/online/contact.html", context)
        data = form.cleaned_data
        online.create_web_request(
            site=site,
            brand=brand,
            channel="web",
            name=data["name"],
            mobile=data["mobile"],
            email=data["email"],
            language=visitor_language(request),
            vehicle_text=data["vehicle_text"],
            message=data["message"],
        )
        return redirect("online:contact_sent", site_code=site.code)
    return public_render(request, "appointments/online/contact.html", context, site=site, status=400 if form.errors else 200)


@public_view
def contact_sent(request: HttpRequest, site_code: str) -> HttpResponse:
    site, _brand = _site_and_brand(site_code)
    return public_render(request, "appointments/online/contact_sent.html", {}, site=site)
