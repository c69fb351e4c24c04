import pytest
from django.urls import reverse

from aftersales.customers.models import Customer, Vehicle

from .factories import NORTH_AMERICAN_VIN, CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db

CUSTOMER_POST = {
    "kind": "private",
    "last_name": "Lefèvre",
    "first_name": "Hélène",
    "mobile": "06 12 34 56 78",
    "email": "helene@example.test",
    "language": "fr",
    "preferred_channel": "sms",
    "consent_sms": "on",
}
VEHICLE_POST = {"vin": "WAUZZZ8V5KA123456", "plate": "AB-123-CD", "make": "Audi", "model": "A3", "energy": "petrol"}


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def test_creating_a_customer_stores_the_phone_in_e164_with_the_site_country_and_the_consent(client, advisor, site):
    client.force_login(advisor)

    response = client.post(reverse("customers:create"), {**CUSTOMER_POST, "site": site.pk})

    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    assert customer.mobile == "+33612345678"
    assert list(customer.consents.values_list("channel", "granted", "source")) == [("sms", True, "form")]


def test_customer_form_cannot_file_a_customer_at_another_site(client, advisor, other_site):
    client.force_login(advisor)

    response = client.post(reverse("customers:create"), {**CUSTOMER_POST, "site": other_site.pk})

    assert response.status_code == 400
    assert field_errors(response, "site")
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mobile", "12"),
        ("mobile", "not a number"),
        ("phone_other", "+33 1"),
        ("email", "helene@"),
        ("email", "helene.example.test"),
    ],
)
def test_an_invalid_phone_or_email_names_its_field_and_saves_nothing(client, advisor, site, field, value):
    client.force_login(advisor)

    response = client.post(reverse("customers:create"), {**CUSTOMER_POST, "site": site.pk, field: value})

    assert response.status_code == 400
    assert field_errors(response, field)
    assert set(response.context["form"].errors) == {field}
    assert not Customer.objects.exists()


def test_preferred_channel_without_the_contact_detail_is_refused(client, advisor, site):
    client.force_login(advisor)

    response = client.post(reverse("customers:create"), {**CUSTOMER_POST, "site": site.pk, "preferred_channel": "email", "email": ""})

    assert response.status_code == 400
    assert field_errors(response, "preferred_channel")


def test_a_company_customer_needs_the_company_name(client, advisor, site):
    client.force_login(advisor)

    response = client.post(reverse("customers:create"), {**CUSTOMER_POST, "site": site.pk, "kind": "fleet"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"company_name"}


def test_editing_a_customer_with_an_invalid_phone_changes_nothing(client, advisor, site):
    customer = CustomerFactory(site=site)
    client.force_login(advisor)

    response = client.post(reverse("customers:edit", args=[customer.pk]), {**CUSTOMER_POST, "mobile": "0000"})

    assert response.status_code == 400 and field_errors(response, "mobile")
    customer.refresh_from_db()
    assert customer.last_name != "Lefèvre"


@pytest.mark.parametrize(
    ("vin", "reason"),
    [
        ("WAUZZZ8V5KA12345", "17 characters"),
        ("WAUZZZ8V5KA1234567", "17 characters"),
        ("WAUZZZ8V5KA12345I", "other than I, O and Q"),
        ("WAUZZZ8V5KA1234#6", "other than I, O and Q"),
        ("1HGCM82643A004352", "check digit"),
    ],
)
def test_an_invalid_vin_says_why_on_the_vin_field_and_saves_nothing(client, advisor, site, vin, reason):
    owner = CustomerFactory(site=site)
    client.force_login(advisor)

    response = client.post(reverse("customers:vehicle_create", args=[owner.pk]), {**VEHICLE_POST, "vin": vin})

    assert response.status_code == 400
    assert any(reason in error for error in field_errors(response, "vin"))
    assert set(response.context["form"].errors) == {"vin"}
    assert not Vehicle.objects.exists()


def test_a_north_american_vin_with_a_good_check_digit_is_accepted(client, advisor, site):
    owner = CustomerFactory(site=site)
    client.force_login(advisor)

    response = client.post(reverse("customers:vehicle_create", args=[owner.pk]), {**VEHICLE_POST, "vin": NORTH_AMERICAN_VIN.lower()})

    vehicle = Vehicle.objects.get()
    assert response.status_code == 302 and response.url == vehicle.get_absolute_url()
    assert vehicle.vin == NORTH_AMERICAN_VIN and vehicle.owner == owner


def test_a_vin_already_on_file_is_refused_with_a_link_to_that_vehicle(client, advisor, site):
    existing = VehicleFactory(vin="WAUZZZ8V5KA123456", owner=CustomerFactory(site=site), plate="<b>XX</b>")
    owner = CustomerFactory(site=site)
    client.force_login(advisor)

    response = client.post(reverse("customers:vehicle_create", args=[owner.pk]), {**VEHICLE_POST, "vin": "wauzzz8v5ka123456"})

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="{existing.get_absolute_url()}">' in html
    assert "&lt;b&gt;XX&lt;/b&gt;" in html and "<b>XX</b>" not in html
    assert Vehicle.objects.count() == 1


def test_a_vin_on_file_at_another_site_is_refused_without_revealing_the_vehicle(client, advisor, other_site):
    existing = VehicleFactory(vin="WAUZZZ8V5KA123456", owner=CustomerFactory(site=other_site))
    owner = CustomerFactory(site=advisor.sites.get())
    client.force_login(advisor)

    response = client.post(reverse("customers:vehicle_create", args=[owner.pk]), VEHICLE_POST)

    assert response.status_code == 400
    assert field_errors(response, "vin")
    assert existing.get_absolute_url() not in response.content.decode()


def test_editing_a_vehicle_to_another_vehicles_vin_is_refused(client, advisor, site):
    VehicleFactory(vin="WAUZZZ8V5KA123456", owner=CustomerFactory(site=site))
    vehicle = VehicleFactory(owner=CustomerFactory(site=site))
    client.force_login(advisor)

    response = client.post(reverse("customers:vehicle_edit", args=[vehicle.pk]), VEHICLE_POST)

    assert response.status_code == 400 and field_errors(response, "vin")
    vehicle.refresh_from_db()
    assert vehicle.vin != "WAUZZZ8V5KA123456"
