from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.customers.models import ConsentRecord, MileageReading

from .factories import CampaignFactory, CustomerFactory, MileageReadingFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(site):
    return CustomerFactory(site=site, first_name="Hélène", last_name="Lefèvre", mobile="+33612345678")


@pytest.fixture
def vehicle(customer):
    return VehicleFactory(owner=customer, vin="WAUZZZ8V5KA654321", plate="AB-123-CD", next_service_due_km=60000)


def test_customer_360_shows_contact_consent_vehicles_campaigns_and_empty_visit_and_message_sections(client, advisor, customer, vehicle):
    MileageReadingFactory(vehicle=vehicle, km=41000, read_at=timezone.now() - timedelta(days=300))
    MileageReadingFactory(vehicle=vehicle, km=48250)
    ConsentRecord.objects.create(customer=customer, channel="sms", granted=True, source="online")
    CampaignFactory(code="RC-OPEN", vin_patterns="WAUZZZ8V5KA*")
    CampaignFactory(code="RC-OTHER", vin_patterns="VF1*")
    CampaignFactory(code="RC-OVER", vin_patterns="WAUZZZ*", ends_on=date(2021, 1, 1))
    client.force_login(advisor)

    response = client.get(customer.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    for section in ["Contact", "Consent", "Vehicles", "Visits", "Messages", "Change history"]:
        assert section in html
    assert "+33 6 12 34 56 78" in html
    assert "48,250 km" in html and "60,000 km" in html
    assert "RC-OPEN" in html and "RC-OTHER" not in html and "RC-OVER" not in html
    assert "Online" in html


@pytest.mark.parametrize("vehicles", [1, 12])
def test_customer_360_query_count_does_not_grow_with_the_vehicles(client, advisor, customer, vehicles, django_assert_max_num_queries):
    for _ in range(vehicles):
        MileageReadingFactory(vehicle=VehicleFactory(owner=customer))
    client.force_login(advisor)

    # session, user, savepoint pair, permissions x2, customer, consents, vehicles, campaigns,
    # content types (cold cache) x2, audit history, then the stage cards and the message log
    # (concerns, message count and page, SMS replies): 17 whatever the number of vehicles
    with django_assert_max_num_queries(17):
        response = client.get(customer.get_absolute_url())

    assert response.status_code == 200


def test_another_sites_customer_and_vehicle_answer_404(client, other_site_advisor, customer, vehicle):
    client.force_login(other_site_advisor)

    for name, pk in [
        ("detail", customer.pk),
        ("edit", customer.pk),
        ("vehicle_create", customer.pk),
        ("vehicle_detail", vehicle.pk),
        ("vehicle_edit", vehicle.pk),
    ]:
        assert client.get(reverse(f"customers:{name}", args=[pk])).status_code == 404
    assert client.post(reverse("customers:mileage_add", args=[vehicle.pk]), {"km": 1, "source": "reception"}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/customers/abc/",
        "/customers/-1/",
        "/customers/99999999999999999999999/",
        "/customers/vehicles/9223372036854775808/",
    ],
)
def test_odd_ids_answer_404_not_500(client, advisor, path):
    client.force_login(advisor)

    assert client.get(path).status_code == 404


def test_roles_without_customer_rights_are_refused(client, technician, customer, vehicle):
    client.force_login(technician)

    assert client.get(customer.get_absolute_url()).status_code == 403
    assert client.get(reverse("customers:search")).status_code == 403
    assert client.get(vehicle.get_absolute_url()).status_code == 200
    assert client.get(reverse("customers:vehicle_edit", args=[vehicle.pk])).status_code == 403


def test_editing_a_customer_writes_an_audit_event_shown_on_the_360_page(client, advisor, customer):
    client.force_login(advisor)
    data = {
        "kind": "private",
        "last_name": "Lefèvre-Moreau",
        "first_name": "Hélène",
        "mobile": "06 12 34 56 78",
        "language": "fr",
        "preferred_channel": "sms",
        "consent_sms": "on",
    }

    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    page = client.get(customer.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert "Lefèvre → Lefèvre-Moreau" in page
    assert "SMS consent: no → yes" in page
    assert "preferred contact channel" not in page  # unchanged fields are not listed
    assert ConsentRecord.objects.filter(customer=customer).count() == 1
    client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert ConsentRecord.objects.filter(customer=customer).count() == 1


def test_vehicle_page_shows_readings_owners_and_the_mileage_form(client, advisor, vehicle):
    MileageReadingFactory(vehicle=vehicle, km=48250)
    client.force_login(advisor)

    html = client.get(vehicle.get_absolute_url()).content.decode()

    assert "48,250" in html and str(vehicle.owner) in html
    assert reverse("customers:mileage_add", args=[vehicle.pk]) in html


def test_a_lower_mileage_without_a_reason_is_refused_on_the_reason_field(client, advisor, vehicle):
    MileageReadingFactory(vehicle=vehicle, km=48250)
    client.force_login(advisor)
    url = reverse("customers:mileage_add", args=[vehicle.pk])

    refused = client.post(url, {"km": 42850, "source": "reception"})
    accepted = client.post(url, {"km": 42850, "source": "reception", "correction_reason": "Digits swapped last time"})

    assert refused.status_code == 400
    assert "48,250" in refused.context["mileage_form"].errors["correction_reason"][0]
    assert accepted.status_code == 302
    assert list(MileageReading.objects.filter(vehicle=vehicle).values_list("km", flat=True)) == [42850, 48250]


def test_mileage_form_names_a_bad_number(client, advisor, vehicle):
    client.force_login(advisor)

    response = client.post(reverse("customers:mileage_add", args=[vehicle.pk]), {"km": "-5", "source": "reception"})

    assert response.status_code == 400 and "km" in response.context["mileage_form"].errors
    assert client.get(reverse("customers:mileage_add", args=[vehicle.pk])).status_code == 405


def test_adding_a_vehicle_redirects_to_its_page_and_lists_it_on_the_owner(client, advisor, customer):
    client.force_login(advisor)

    response = client.post(
        reverse("customers:vehicle_create", args=[customer.pk]),
        {"vin": "VF1RFB00X12345678", "plate": "FG 456 HJ", "make": "Renault", "model": "Clio", "energy": "hybrid"},
    )

    assert response.status_code == 302
    assert "FG 456 HJ" in client.get(customer.get_absolute_url()).content.decode()


def test_forms_render_for_get(client, advisor, customer, vehicle):
    client.force_login(advisor)

    for url in [
        reverse("customers:create"),
        reverse("customers:edit", args=[customer.pk]),
        reverse("customers:vehicle_create", args=[customer.pk]),
        reverse("customers:vehicle_edit", args=[vehicle.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
