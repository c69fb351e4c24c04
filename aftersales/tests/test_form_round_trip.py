"""Every edit form survives its own page: what the page shows, posted back untouched, changes nothing stored.

A value written into an HTML5 input in the reader's format (``value="3,10"`` in
an ``<input type="number">``, ``value="04/12/2027"`` in an ``<input type="date">``)
is shown empty by the browser and posted empty, and the next save erases it.
Here each edit page (ROUND_TRIPS) is rendered for a record holding decimals,
dates and times, in every language of the UI; its form is read as a browser
reads it (aftersales/tests/html_forms.py: invalid values dropped, checked boxes,
selected options, controls tied to the form by ``form="..."``) and posted back
unchanged; the save must be accepted and every stored value watched must be
the same afterwards.

Discovery: every staff page of the URL conf (the role x URL matrix's records),
every check-in step and every page of ROUND_TRIPS is rendered in each
language; a POST form with a number, date or time input must be in
ROUND_TRIPS or in NOT_EDIT_FORMS (with the reason), and no such input on any
page may hold a value the browser would drop. Forms not reached by a page
(public pages, fields added in __init__) are held by
``test_every_project_form_renders_numbers_and_dates_in_the_machine_format``.
"""

import importlib
import inspect
import itertools
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.models import Channel, ConsentRecord
from aftersales.customers.services import record_consent
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.lib import html5_inputs
from aftersales.messaging.models import MessageTemplate
from appointments.tests.factories import LabourOperationFactory, LoanerFactory, PartFactory, add_kit_line
from followup.models import CallTask, Concern
from invoicing.models import Handover, Invoice, InvoiceLine
from invoicing.services import customer_arrived, issue_invoice, prepare_invoices, save_explanation, welcome_customer
from invoicing.tests.factories import EXPLAINED
from workshop.models import Inspection, InspectionItem, InspectionResult, InspectionTemplate, LoanerHandover, Rating, WorkOrder
from workshop.services import STEP_KEYS, STEP_SERVICES, add_job, assign_job, open_work_order
from workshop.testing import order_in_workshop, ready_work_order
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import technician_of

from .html_forms import Form, machine_format_problem, parse_forms
from .test_role_url_matrix import STAFF_ROUTES, build_records

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PARIS = ZoneInfo("Europe/Paris")
# A date whose day and month read differently in each locale (04/12/2027, 12/4/2027, 04.12.2027, 2027/12/4).
NEXT_SERVICE = date(2027, 12, 4)


@dataclass
class Edit:
    """An edit page built on records holding stored values, and the stored values its form must leave as they are."""

    page: str
    watched: Callable[[], dict]


@dataclass(frozen=True)
class RoundTrip:
    page: str  # URL name of the page showing the form
    action: str  # URL name the form posts to
    build: Callable  # (made) -> Edit, where made holds the site and the user
    label: str = ""

    @property
    def id(self) -> str:
        return self.label or self.page


def stored(*objects, ignore=()) -> dict:
    """The stored values of these rows, read again from the database (the ignored fields left out)."""
    values = {}
    for obj in objects:
        row = type(obj)._default_manager.get(pk=obj.pk)
        values[f"{obj._meta.label} {obj.pk}"] = {
            field.attname: getattr(row, field.attname) for field in obj._meta.concrete_fields if field.attname not in ignore
        }
    return values


def rows(queryset, ignore=()) -> dict:
    """The stored values of a set of rows by position (a save may delete and write them again: ids left out)."""
    return {
        str(index): {
            field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields if field.attname not in {"id", *ignore}
        }
        for index, row in enumerate(queryset.order_by("pk"))
    }


# --- the records behind each edit page --------------------------------------------------


_vins = itertools.count(1)


def _vehicle_for(customer, **fields):
    """A vehicle with a VIN of its own (the apps' factories share a VIN pattern, each with its own sequence)."""
    return VehicleFactory(owner=customer, vin=f"VF1RT000{next(_vins):09d}", **fields)


def _customer_with_vehicle(made):
    customer = CustomerFactory(site=made["site"])
    _vehicle_for(customer)
    return customer


def _vehicle(made) -> Edit:
    vehicle = _vehicle_for(
        CustomerFactory(site=made["site"]),
        year=2019,
        first_registration=date(2019, 3, 28),
        warranty_end=date(2027, 3, 27),
        next_service_due_date=NEXT_SERVICE,
        next_service_due_km=63_500,
    )
    return Edit(reverse("customers:vehicle_edit", args=[vehicle.pk]), lambda: stored(vehicle))


def _customer(made) -> Edit:
    customer = CustomerFactory(site=made["site"], address="3 rue de la République", postcode="69002", city="Lyon", country="FR")
    record_consent(customer=customer, channel=Channel.SMS, granted=True, source=ConsentRecord.Source.FORM, recorded_by=made["user"])

    def watched():
        consents = {
            channel: customer.consents.filter(channel=channel).order_by("-pk").values_list("granted", flat=True).first()
            for channel in Channel
        }
        return {**stored(customer), "consents": consents}

    return Edit(reverse("customers:edit", args=[customer.pk]), watched)


def _message_template(made) -> Edit:
    template, _created = MessageTemplate.objects.get_or_create(
        key="round-trip", language="fr", defaults={"subject": "Votre rendez-vous", "body_text": "Bonjour,\n\nÀ bientôt.", "sms_body": "RDV"}
    )
    return Edit(reverse("messaging:template_edit", args=[template.pk]), lambda: stored(template, ignore={"updated_at"}))


def _checked_in_order(made) -> WorkOrder:
    """A work order through every check-in step (not signed), with decimals, a date and time, a loaner."""
    site, user = made["site"], made["user"]
    customer = CustomerFactory(site=site)
    appointment = make_appointment(
        site=site, customer=customer, vehicle=_vehicle_for(customer), advisor=user, starts_at=timezone.now() + timedelta(hours=1)
    )
    order = open_work_order(appointment=appointment, actor=user)
    promised_at = datetime.combine(timezone.localdate(timezone.now(), PARIS) + timedelta(days=1), time(17, 30), PARIS)
    steps = {
        "prepare": {"cover_seat": True, "cover_steering_wheel": False, "cover_floor_mat": True},
        "greet": {"customer_words": "Squeak when braking,\nsometimes at night", "requested_work_confirmed": True},
        "walk_around": {
            "mileage_in": 43_210,
            "fuel_level": 5,
            "valuables": "Sunglasses",
            "marks": [{"view": "left", "x": 0.3125, "y": 0.5, "kind": "scratch", "note": "rear door"}],
        },
        "findings": {"findings": "Front pads worn"},
        "estimate": {"promised_at": promised_at},
        "documents": {
            "doc_radio_code": True,
            "doc_wheel_lock_key": False,
            "doc_service_book": True,
            "doc_driving_licence": False,
            "doc_registration_papers": True,
        },
        "agreement": {"spending_limit": Decimal("149.90"), "payment_method": "card", "contact_phone": "06 12 34 56 78"},
        "mobility": {
            "departure": "loaner",
            "mobility": None,
            "loaner": LoanerFactory(site=site),
            "loaner_fuel_out": 6,
            "loaner_mileage_out": 12_345,
        },
    }
    for step, data in steps.items():
        order = STEP_SERVICES[step](work_order=order, actor=user, **data)
    return order


def _check_in_step(step: str):
    def build(made) -> Edit:
        order = _checked_in_order(made)

        def watched():
            return {
                **stored(order, ignore={"check_in_step", "status"}),
                "marks": rows(order.damage_marks.all()),
                "loaner": rows(LoanerHandover.objects.filter(work_order=order), ignore={"handed_over_at"}),
                "readings": rows(order.vehicle.mileage_readings.all()),
            }

        return Edit(reverse("workshop:step", args=[order.pk, step]), watched)

    return build


def _inspection(made) -> Edit:
    order = _checked_in_order(made)
    template = InspectionTemplate.objects.create(name="Round-trip checklist")
    tread = InspectionItem.objects.create(
        template=template, position=1, section="Tyres", label="Tyre front left", measurement_label="Tread depth (mm)"
    )
    wipers = InspectionItem.objects.create(template=template, position=2, section="Visibility", label="Wiper blades")
    inspection = Inspection.objects.create(work_order=order, template=template, started_by=made["user"])
    InspectionResult.objects.create(
        inspection=inspection, item=tread, rating=Rating.AMBER, measurement=Decimal("3.10"), notes="Worn inside edge"
    )
    InspectionResult.objects.create(inspection=inspection, item=wipers, rating=Rating.GREEN)
    return Edit(reverse("workshop:inspection", args=[order.pk]), lambda: {"results": rows(inspection.results.all())})


def _pending_extra_work(made) -> Edit:
    site, user = made["site"], made["user"]
    customer = CustomerFactory(site=site)
    appointment = make_appointment(
        site=site, customer=customer, vehicle=_vehicle_for(customer), advisor=user, starts_at=timezone.now() + timedelta(hours=1)
    )
    order = order_in_workshop(appointment, user)
    operation = LabourOperationFactory(description="Front brake pads", flat_rate_hours=Decimal("1.30"))
    add_kit_line(operation, PartFactory(name="Brake pads", unit_price=Decimal("64.35")), "1")
    job = add_job(work_order=order, actor=user, concern="Front brake pads", operation=operation)

    def watched():
        return {**stored(job), "parts": rows(job.parts.all())}

    return Edit(reverse("workshop:detail", args=[order.pk]), watched)


def _invoice(made) -> Edit:
    order = ready_work_order(site=made["site"], advisor=made["user"], inspector=made["user"])
    invoice = prepare_invoices(work_order=order, actor=made["user"])[0]
    InvoiceLine.objects.filter(invoice=invoice).update(variance_reason="Agreed by phone")
    return Edit(
        reverse("invoicing:invoice", args=[invoice.pk]),
        lambda: {"lines": rows(invoice.lines.all()), **stored(Invoice.objects.get(pk=invoice.pk))},
    )


def _handover(made) -> Edit:
    """At the payment moment, explained once, a loaner to take back and the invoice issued but not paid."""
    order = ready_work_order(site=made["site"], advisor=made["user"], inspector=made["user"], loaner=True)
    issue_invoice(invoice=prepare_invoices(work_order=order, actor=made["user"])[0], actor=made["user"])
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=made["user"]), actor=made["user"])
    save_explanation(handover=handover, actor=made["user"], **{**EXPLAINED, "next_service_date": NEXT_SERVICE, "next_service_km": 63_500})
    return Edit(
        reverse("invoicing:handover", args=[order.pk]),
        lambda: stored(Handover.objects.get(pk=handover.pk), order.vehicle, ignore={"moment"}),
    )


def _call_task(made) -> Edit:
    site, customer = made["site"], _customer_with_vehicle(made)
    task = CallTask.objects.create(
        site=site,
        customer=customer,
        vehicle=customer.vehicles.get(),
        kind=CallTask.Kind.TARGET_LIST,
        reason="Service due",
        key=f"round-trip:{customer.pk}",
        due_at=datetime(2026, 11, 24, 9, 30, tzinfo=PARIS),
        assigned_to=made["user"],
    )
    return Edit(reverse("followup:call", args=[task.pk]), lambda: stored(task))


def _concern(made) -> Edit:
    customer = _customer_with_vehicle(made)
    concern = Concern.objects.create(
        site=made["site"],
        customer=customer,
        vehicle=customer.vehicles.get(),
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.CALL,
        summary="Noise after the service",
        owner=made["user"],
        created_by=made["user"],
        answer_due_at=datetime(2026, 11, 25, 18, 0, tzinfo=PARIS),
    )
    return Edit(reverse("followup:concern_detail", args=[concern.pk]), lambda: stored(concern))


def _assigned_job(made) -> str:
    """The technician's screen with a job to do (its finding form has hours)."""
    site, user = made["site"], made["user"]
    customer = _customer_with_vehicle(made)
    appointment = make_appointment(site=site, customer=customer, vehicle=customer.vehicles.get(), advisor=user, starts_at=timezone.now())
    order = order_in_workshop(appointment, user)
    assign_job(job=order.jobs.first(), technician=technician_of(user, site), bay=None, actor=user)
    return reverse("workshop:my_jobs")


CHECK_IN_STEPS = [step for step in STEP_KEYS if step != "sign"]
ROUND_TRIPS = [
    RoundTrip("customers:edit", "customers:edit", _customer),
    RoundTrip("customers:vehicle_edit", "customers:vehicle_edit", _vehicle),
    RoundTrip("messaging:template_edit", "messaging:template_edit", _message_template),
    *(RoundTrip("workshop:step", "workshop:step", _check_in_step(step), label=f"workshop:step:{step}") for step in CHECK_IN_STEPS),
    RoundTrip("workshop:inspection", "workshop:inspection", _inspection),
    RoundTrip("workshop:detail", "workshop:proposal_reprice", _pending_extra_work),
    RoundTrip("invoicing:invoice", "invoicing:line_change", _invoice),
    RoundTrip("invoicing:handover", "invoicing:explain", _handover),
    RoundTrip("followup:call", "followup:call_assign", _call_task),
    RoundTrip("followup:concern_detail", "followup:concern_assign", _concern),
]

# Pages whose forms show only in a state the matrix's records do not reach, walked by the discovery.
EXTRA_PAGES = [("workshop:my_jobs", _assigned_job)]

# POST forms with number or date inputs that edit no stored value (they create a record or trigger an action):
# posting them back would rightly change something. Their rendered values are still checked in every language.
NOT_EDIT_FORMS = {
    ("customers:vehicle_create", "customers:vehicle_create"): "files a new vehicle",
    ("customers:vehicle_detail", "customers:mileage_add"): "adds a new mileage reading (empty)",
    ("appointments:web_request_new", "appointments:web_request_new"): "records a new request",
    ("appointments:part_requests", "appointments:part_request_ordered"): "records an order with its supplier and date",
    ("invoicing:billing", "invoicing:payment"): "takes a payment",
    ("invoicing:handover", "invoicing:payment"): "takes a payment",
    ("invoicing:invoice", "invoicing:line_add"): "adds a line",
    ("workshop:detail", "workshop:proposal_part_add"): "adds a part to extra work",
    ("workshop:dispatch", "workshop:clocking_correct"): "records the corrected time once (empty)",
    ("invoicing:closures", "invoicing:closures"): "closes a period (the day proposed is today)",
    ("invoicing:handover", "invoicing:loaner_return"): "records the loaner's return once",
    ("invoicing:handover", "invoicing:see_off"): "closes the handover (the mileage out proposed is the mileage in)",
    ("workshop:step", "workshop:job_add"): "adds a job",
    ("workshop:detail", "workshop:promised_time"): "sets a new promised time (empty)",
    ("workshop:my_jobs", "workshop:finding_add"): "reports a finding",
}


@pytest.fixture
def made(site):
    """The site and a user holding every role there (each test sets the user's language)."""
    return {"site": site, "user": UserFactory(roles=list(Role), site_list=[site], username="everyone")}


def view_name(action: str, page_url: str) -> str:
    try:
        return resolve(urlsplit(urljoin(page_url, action)).path).view_name
    except Resolver404:
        return action


def forms_posting_to(html: str, page_url: str, action: str) -> list[tuple[str, Form]]:
    found = []
    for form in parse_forms(html):
        url = urlsplit(urljoin(page_url, form.action)).path
        if form.method == "post" and view_name(url, page_url) == action:
            found.append((url, form))
    return found


def dropped_values(html: str) -> list[str]:
    return [
        problem
        for form in parse_forms(html)
        for control in form.controls
        if (problem := machine_format_problem(control.type, control.attrs.get("value", ""))) and control.tag == "input"
    ]


def flatten(values, prefix="") -> dict:
    if not isinstance(values, dict):
        return {prefix: values}
    flat = {}
    for name, value in values.items():
        flat.update(flatten(value, f"{prefix}.{name}" if prefix else str(name)))
    return flat


def diff(before: dict, after: dict) -> dict:
    """{stored value: (before, after)} for each value that changed."""
    before, after = flatten(before), flatten(after)
    return {
        name: (before.get(name), after.get(name)) for name in sorted(before.keys() | after.keys()) if before.get(name) != after.get(name)
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("trip", ROUND_TRIPS, ids=lambda trip: trip.id)
def test_an_edit_form_posted_back_unchanged_changes_nothing_stored(trip, language, client, made):
    edit = trip.build(made)
    made["user"].language = language
    made["user"].save(update_fields=["language"])
    client.force_login(made["user"])
    page = client.get(edit.page)
    assert page.status_code == 200, f"GET {edit.page} answered {page.status_code}"
    html = page.content.decode()
    posted = forms_posting_to(html, edit.page, trip.action)
    assert posted, f"{edit.page} shows no form posting to {trip.action}"
    before = edit.watched()

    for url, form in posted:
        data = form.entries()
        response = client.post(url, data)
        assert response.status_code == 302, (
            f"[{language}] {trip.action}: the page's own values were refused ({response.status_code}).\n"
            f"Posted: {data}\nValues the browser dropped: {dropped_values(html)}"
        )

    changed = diff(before, edit.watched())
    assert changed == {}, (
        f"[{language}] posting {trip.action} back unchanged changed stored values (before, after): {changed}\n"
        f"Values the browser dropped: {dropped_values(html)}"
    )


# --- discovery ---------------------------------------------------------------------------


def page_groups(made):
    """Lists of (URL name, URL) of staff pages, each built on its own records.

    The matrix's records give every staff page; every check-in step is added,
    then each round-trip page with its records. Each group is built and walked
    in a savepoint rolled back afterwards, so that the groups' records never meet.
    """

    def matrix():
        records = build_records(made["site"])
        order = records["work_order"]
        return [(route.name, route.url(records)) for route in STAFF_ROUTES] + [
            ("workshop:step", reverse("workshop:step", args=[order.pk, step])) for step in CHECK_IN_STEPS
        ]

    yield matrix
    for trip in ROUND_TRIPS:
        yield lambda trip=trip: [(trip.page, trip.build(made).page)]
    for name, build in EXTRA_PAGES:
        yield lambda name=name, build=build: [(name, build(made))]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_form_with_number_or_date_inputs_is_round_tripped_and_shows_machine_values(language, client, made):
    made["user"].language = language
    made["user"].save(update_fields=["language"])
    client.force_login(made["user"])
    covered = {(trip.page, trip.action) for trip in ROUND_TRIPS}
    missing, dropped, seen = {}, {}, set()
    for group in page_groups(made):
        with transaction.atomic():
            for name, url in group():
                response = client.get(url)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                html = response.content.decode()
                if problems := dropped_values(html):
                    dropped[f"{name} {url}"] = problems
                for form in parse_forms(html):
                    if form.method == "post" and form.machine_format_inputs():
                        key = (name, view_name(form.action or url, url))
                        seen.add(key)
                        if key not in covered and key not in NOT_EDIT_FORMS:
                            missing[key] = [control.name for control in form.machine_format_inputs()]
            transaction.set_rollback(True)

    assert missing == {}, (
        "Forms with number or date inputs that no round trip covers: add each to ROUND_TRIPS (an edit form) "
        f"or to NOT_EDIT_FORMS with the reason (a form that creates or acts): {missing}"
    )
    assert NOT_EDIT_FORMS.keys() <= seen, f"NOT_EDIT_FORMS lists forms no page shows any more: {NOT_EDIT_FORMS.keys() - seen}"
    assert dropped == {}, f"[{language}] values a browser drops from HTML5 inputs: {dropped}"


# --- every form class of the project -----------------------------------------------------

PROJECT_PACKAGES = ("aftersales", "appointments", "workshop", "invoicing", "followup")
MACHINE_FIELDS = (forms.DateField, forms.TimeField, forms.DateTimeField, forms.DecimalField, forms.IntegerField, forms.FloatField)
NOT_INPUTS = (forms.HiddenInput, forms.MultipleHiddenInput, forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple)


def project_form_classes() -> list[type]:
    for app in apps.get_app_configs():
        if not app.name.startswith(PROJECT_PACKAGES):
            continue
        for info in pkgutil.walk_packages(app.module.__path__, prefix=f"{app.name}."):
            if ".tests" not in info.name and ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)
    found, queue = [], [forms.BaseForm]
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith(PROJECT_PACKAGES) and ".tests" not in cls.__module__ and not inspect.isabstract(cls):
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_every_project_form_renders_numbers_and_dates_in_the_machine_format():
    wrong = {}
    for form_class in project_form_classes():
        for name, field in form_class.base_fields.items():
            if not isinstance(field, MACHINE_FIELDS) or isinstance(field.widget, NOT_INPUTS):
                continue
            if not isinstance(field.widget, html5_inputs.MACHINE_FORMAT_WIDGETS) or field.localize:
                wrong[f"{form_class.__module__}.{form_class.__qualname__}.{name}"] = type(field.widget).__name__
    assert wrong == {}, (
        "Number, date and time fields must use the widgets of aftersales/lib/html5_inputs.py (not localized), "
        f"which write the machine format whatever the language: {wrong}"
    )
