from datetime import date

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from aftersales.accounts.demo import DEMO_PASSWORD, STAFF
from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import Role
from aftersales.customers.models import Campaign, Customer, MileageReading, MobilityService, Vehicle
from aftersales.lib.text import fold, plate_key
from aftersales.lib.vin import validate_vin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]


def test_demo_group_has_the_three_sites_and_staff_for_every_role():
    sites = {site.code: site for site in Site.objects.all()}
    assert sites["citroen-moscow"].tz.key == "Europe/Moscow"
    assert sites["citroen-moscow"].currency == "RUB"
    assert date(2026, 12, 25) not in sites["citroen-moscow"].public_holidays(2026)
    assert sites["citroen-moscow"].is_closed_on(date(2026, 1, 7))  # Orthodox Christmas
    assert sites["audi-lyon"].is_closed_on(date(2026, 7, 14))
    assert not sites["audi-lyon"].is_closed_on(date(2026, 11, 28))  # Saturday morning
    lexus, toyota = sites["lexus-marseille"].brand_contacts.order_by("brand__code")
    assert lexus.phone != toyota.phone
    assert lexus.greeting_for(User(first_name="Julie")) == "Lexus Marseille, Julie, bonjour…"
    assert toyota.public_name == "Toyota Marseille" and toyota.email != lexus.email
    lounge = sites["lexus-marseille"].mobility_services.get(kind=MobilityService.Kind.LOUNGE)
    assert [brand.code for brand in lounge.brands.all()] == ["lexus"]

    assert {role for role, *_rest in STAFF.values()} == set(Role)
    for username in STAFF:
        assert authenticate(RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD), username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_demo_customers_and_vehicles_are_valid_and_searchable():
    assert Customer.objects.count() >= 300
    for customer in Customer.objects.select_related("site"):
        number = phonenumbers.parse(customer.mobile)
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.region_code_for_number(number) == customer.site.country
        assert fold(customer.last_name) in customer.search_name
        assert customer.mobile.lstrip("+") in customer.search_phones
    for vehicle in Vehicle.objects.select_related("owner__site"):
        assert validate_vin(vehicle.vin) == vehicle.vin
        assert vehicle.plate_key == plate_key(vehicle.plate)
        assert vehicle.next_service_due_date and vehicle.next_service_due_km
        assert vehicle.ownerships.get().customer_id == vehicle.owner_id
    assert MileageReading.objects.count() >= Vehicle.objects.count()
    vins = list(Vehicle.objects.values_list("vin", flat=True))
    for campaign in Campaign.objects.all():
        assert any(campaign.matches(vin) for vin in vins), campaign.code
