"""Customers and vehicles as the services would file them (search columns filled in)."""

from datetime import date

import factory
from django.utils import timezone

from aftersales.accounts.tests.factories import SiteFactory
from aftersales.customers.models import Campaign, Customer, MileageReading, Ownership, Vehicle
from aftersales.customers.services import customer_search_name, customer_search_phones
from aftersales.lib.text import plate_key
from aftersales.lib.vin import check_digit

# A North American VIN (first character 1-5): its ninth character is a check digit.
NORTH_AMERICAN_VIN = "1HGCM82633A004352"


def with_check_digit(vin: str) -> str:
    return vin[:8] + check_digit(vin) + vin[9:]


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    site = factory.SubFactory(SiteFactory)
    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    mobile = factory.Sequence(lambda n: f"+33612{n % 1000000:06d}")
    email = factory.LazyAttribute(lambda o: f"{o.last_name.lower()}@example.test")
    language = "fr"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        customer = model_class(*args, **kwargs)
        customer.search_name = customer_search_name(customer)
        customer.search_phones = customer_search_phones(customer)
        customer.save()
        return customer


class VehicleFactory(factory.django.DjangoModelFactory):
    """European VINs (WAU…, VF…) carry no check digit."""

    class Meta:
        model = Vehicle

    vin = factory.Sequence(lambda n: f"WAUZZZ8V5KA{n % 1000000:06d}")
    plate = factory.Sequence(lambda n: f"GH-{n % 1000:03d}-JK")
    make = "Audi"
    model = "A3 Sportback"
    year = 2019
    energy = Vehicle.Energy.PETROL
    owner = factory.SubFactory(CustomerFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        vehicle = model_class(*args, **kwargs)
        vehicle.plate_key = plate_key(vehicle.plate)
        vehicle.save()
        if vehicle.owner_id:
            Ownership.objects.create(vehicle=vehicle, customer=vehicle.owner, started_on=date(2020, 1, 15))
        return vehicle


class MileageReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MileageReading

    vehicle = factory.SubFactory(VehicleFactory)
    km = 42000
    source = MileageReading.Source.RECEPTION
    read_at = factory.LazyFunction(timezone.now)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"RC-{n:04d}")
    kind = Campaign.Kind.RECALL
    title = "Airbag inflator replacement"
    vin_patterns = "WAUZZZ8V*"
    starts_on = date(2020, 1, 1)
