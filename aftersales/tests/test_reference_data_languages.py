"""Reference data in the reader's language across the demo's staff pages (customers.models.Translated).

The French staff of Lyon and Marseille and the Russian staff of Moscow walk the pages that show catalogue operations
and parts, checklist points, bays, mobility services, loaner categories and campaigns; none shows the English name of
a demo reference row.
"""

import html
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Site, User
from aftersales.customers.models import Campaign, Translated, Vehicle
from appointments.models import Appointment
from followup.selectors import TARGET_LISTS
from invoicing.models import Handover, Invoice
from workshop.models import Inspection, WorkOrder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]

TRANSLATED_MODELS = [model for model in apps.get_models() if issubclass(model, Translated)]
# The site's staff, in the order their pages are tried: the first who may open a page reads it.
STAFF_ORDER = ("advisor", "foreman", "tech1", "qc", "cashier", "crc", "parts", "manager")


def english_names(language: str) -> set[str]:
    """The English texts of the reference rows whose text differs in ``language``."""
    return {
        getattr(row, field)
        for model in TRANSLATED_MODELS
        for row in model.objects.all()
        for field in model.translated_fields
        if getattr(row, field) and row.localized(field, language) != getattr(row, field)
    }


def shown_english(content: str, names: set[str]) -> list[str]:
    text = html.unescape(content)
    return sorted(name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text))


def staff_clients(site: Site) -> list[tuple[User, Client]]:
    clients = []
    for prefix in STAFF_ORDER:
        user = User.objects.filter(username__startswith=f"{prefix}.", sites=site).first()
        if user is not None:
            client = Client()
            client.force_login(user)
            clients.append((user, client))
    return clients


def site_pages(site: Site, clients: list[tuple[User, Client]]) -> Iterator[str]:
    """Every staff page of the site that shows reference data."""
    appointments = Appointment.objects.filter(site=site)
    orders = WorkOrder.objects.filter(site=site)
    yield reverse("appointments:preparation") + f"?site={site.pk}"
    yield reverse("appointments:diary") + f"?site={site.pk}"
    yield from (reverse("appointments:detail", args=[pk]) for pk in appointments.values_list("pk", flat=True))
    yield from _desk_pages(site, clients[0][1])
    yield reverse("workshop:board") + f"?site={site.pk}"
    yield reverse("workshop:dispatch") + f"?site={site.pk}"
    yield reverse("workshop:my_jobs")
    quality_checked = any(user.has_perm("workshop.check_quality") for user, _client in clients)  # no controller in Moscow
    if quality_checked:
        yield reverse("workshop:qc_queue")
    for order in orders:
        yield reverse("workshop:detail", args=[order.pk])
        yield reverse("workshop:progress", args=[order.pk])
        if order.status == WorkOrder.Status.DRAFT:
            yield from (reverse("workshop:step", args=[order.pk, step]) for step in ("greet", "findings", "estimate", "mobility"))
        if order.status == WorkOrder.Status.QUALITY_CHECK and quality_checked:
            yield reverse("workshop:qc_check", args=[order.pk])
        yield reverse("invoicing:billing", args=[order.pk])
    yield from (
        reverse("workshop:inspection", args=[pk])
        for pk in Inspection.objects.filter(work_order__site=site).values_list("work_order", flat=True)
    )
    yield reverse("invoicing:desk")
    yield from (reverse("invoicing:invoice", args=[pk]) for pk in Invoice.objects.filter(site=site).values_list("pk", flat=True))
    yield reverse("invoicing:handovers") + f"?site={site.pk}"
    yield from (reverse("invoicing:handover", args=[pk]) for pk in Handover.objects.filter(site=site).values_list("work_order", flat=True))
    vehicles = {order.vehicle_id for order in orders} | set(appointments.values_list("vehicle", flat=True)) | _campaign_vehicles(site)
    yield from (reverse("customers:vehicle_detail", args=[pk]) for pk in sorted(vehicles))
    yield from (reverse("customers:detail", args=[pk]) for pk in sorted(set(orders.values_list("customer", flat=True))))
    yield from (reverse(f"followup:list_{key}") + f"?site={site.pk}" for key in TARGET_LISTS)
    yield reverse("followup:call_list") + f"?site={site.pk}"


def _campaign_vehicles(site: Site) -> set[int]:
    campaigns = list(Campaign.objects.filter(active=True))
    return {
        vehicle.pk for vehicle in Vehicle.objects.filter(owner__site=site) if any(campaign.matches(vehicle.vin) for campaign in campaigns)
    }


def _desk_pages(site: Site, advisor_client: Client) -> Iterator[str]:
    """The booking desk for a customer of the site: every catalogue operation and mobility service ticked, then with
    the first free slot of the week taken (the free loaners appear)."""
    vehicle = Vehicle.objects.filter(owner__site=site, work_orders__isnull=False).first()
    mobility = "&".join(f"mobility_offered={pk}&mobility={pk}" for pk in site.mobility_services.values_list("pk", flat=True))
    operations = "&".join(f"operations={pk}" for pk in _site_operations(site))
    desk = f"{reverse('appointments:desk')}?vehicle={vehicle.pk}&{operations}&{mobility}"
    yield desk
    free = re.search(r'name="slot" id="slot-[^"]+" value="([^"]+)"', advisor_client.get(desk).content.decode())
    assert free, "the desk offers a free slot"
    yield f"{desk}&slot={free.group(1)}"


def _site_operations(site: Site) -> list[int]:
    from appointments.forms import BookingForm

    form = BookingForm(
        user=User.objects.filter(sites=site, username__startswith="advisor.").first(), site=site, vehicles=Vehicle.objects.all()
    )
    return list(form.fields["operations"].queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("site_code, language", [("audi-lyon", "fr"), ("lexus-marseille", "fr"), ("citroen-moscow", "ru")])
def test_the_staff_read_every_demo_reference_name_in_their_language(site_code, language):
    site = Site.objects.get(code=site_code)
    clients = staff_clients(site)
    assert {user.language for user, _client in clients} == {language}
    names = english_names(language)
    assert {"Air-conditioning service", "Oil filter", "Tyre front left", "Wiper blades", "Lift 1"} <= names
    read, leaks = [], {}
    for url in site_pages(site, clients):
        response = next((response for _user, client in clients if (response := client.get(url)).status_code == 200), None)
        assert response is not None, f"no member of staff of {site_code} may open {url}"
        read.append(url)
        if found := shown_english(response.content.decode(), names):
            leaks[url] = found
    assert leaks == {}
    assert len(read) > 40


def test_every_demo_reference_row_has_its_texts_in_french_russian_and_chinese():
    missing = [
        f"{model.__name__} {row.pk} {field} [{language}]"
        for model in TRANSLATED_MODELS
        for row in model.objects.all()
        for field in model.translated_fields
        for language in ("fr", "ru", "zh-hans")
        if getattr(row, field) and not row.translations.get(language, {}).get(field)
    ]
    assert missing == []
