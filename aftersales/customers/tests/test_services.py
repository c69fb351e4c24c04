from datetime import date

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.customers.exceptions import InvalidVin, MileageNeedsCorrectionReason, SameOwner, VinAlreadyOnFile
from aftersales.customers.models import Channel, ConsentRecord, Customer, MileageReading, Ownership, Vehicle
from aftersales.customers.services import (
    create_customer,
    create_vehicle,
    record_consent,
    record_mileage,
    transfer_vehicle,
    update_customer,
    update_vehicle,
)

from .factories import NORTH_AMERICAN_VIN, CustomerFactory, MileageReadingFactory, VehicleFactory

pytestmark = pytest.mark.django_db

VEHICLE_DATA = {"vin": "wauzzz8v5ka 123456", "plate": "ab-123-cd", "make": "Audi", "model": "A3", "energy": Vehicle.Energy.DIESEL}


def events_of(obj):
    return AuditEvent.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)


def test_create_customer_fills_the_folded_search_columns_and_audits_the_creation(site, advisor):
    customer = create_customer(
        site=site,
        created_by=advisor,
        first_name="Hélène",
        last_name="Lefèvre",
        mobile="+33612345678",
        phone_other="+33478000001",
        email="Helene@Example.test",
        language="fr",
    )

    assert customer.search_name == "lefevre helene helene@example.test"
    assert customer.search_phones == "33612345678 33478000001"
    event = events_of(customer).get()
    assert event.action == "create" and event.actor == advisor
    assert event.changes["last_name"] == [None, "Lefèvre"]
    assert "company_name" not in event.changes


def test_update_customer_records_only_the_changed_fields_and_refreshes_search(advisor):
    customer = CustomerFactory(last_name="Martin")

    update_customer(customer=customer, last_name="Martín", first_name=customer.first_name, updated_by=advisor)

    customer.refresh_from_db()
    assert customer.search_name.startswith("martin claire")
    assert events_of(customer).get().changes == {"last_name": ["Martin", "Martín"]}


def test_update_customer_without_change_writes_no_audit_event(advisor):
    customer = CustomerFactory()

    update_customer(customer=customer, last_name=customer.last_name, updated_by=advisor)

    assert not events_of(customer).exists()


def test_update_customer_refuses_fields_outside_the_editable_list(advisor):
    with pytest.raises(TypeError):
        update_customer(customer=CustomerFactory(), search_name="x", updated_by=advisor)


def test_record_consent_appends_history_only_when_the_choice_changes(advisor):
    customer = CustomerFactory()

    first = record_consent(customer=customer, channel=Channel.SMS, granted=True, source="form", recorded_by=advisor)
    again = record_consent(customer=customer, channel=Channel.SMS, granted=True, source="form", recorded_by=advisor)
    refused_without_prior = record_consent(customer=customer, channel=Channel.EMAIL, granted=False, source="form", recorded_by=advisor)
    withdrawn = record_consent(customer=customer, channel=Channel.SMS, granted=False, source="phone_call", recorded_by=advisor)

    assert first.granted and again is None and refused_without_prior is None and not withdrawn.granted
    assert list(ConsentRecord.objects.filter(customer=customer).values_list("granted", flat=True)) == [False, True]
    assert events_of(customer).filter(changes__has_key="consent_sms").count() == 2


def test_create_vehicle_canonicalises_the_vin_keys_the_plate_and_starts_the_ownership(advisor):
    owner = CustomerFactory()

    vehicle = create_vehicle(owner=owner, **VEHICLE_DATA, created_by=advisor, acquired_on=date(2024, 3, 1))

    assert vehicle.vin == "WAUZZZ8V5KA123456"
    assert vehicle.plate_key == "AB123CD"
    assert Ownership.objects.get(vehicle=vehicle).customer == owner
    assert events_of(vehicle).get().changes["vin"] == [None, "WAUZZZ8V5KA123456"]


def test_create_vehicle_accepts_a_north_american_vin_with_its_check_digit(advisor):
    vehicle = create_vehicle(owner=CustomerFactory(), **{**VEHICLE_DATA, "vin": NORTH_AMERICAN_VIN}, created_by=advisor)

    assert vehicle.vin == NORTH_AMERICAN_VIN


@pytest.mark.parametrize("vin", ["WAUZZZ8V5KA12345", "WAUZZZ8V5KA12345O", "1HGCM82643A004352"])
def test_create_vehicle_refuses_an_invalid_vin(advisor, vin):
    with pytest.raises(InvalidVin) as refused:
        create_vehicle(owner=CustomerFactory(), **{**VEHICLE_DATA, "vin": vin}, created_by=advisor)

    assert refused.value.field == "vin"
    assert not Vehicle.objects.exists()


def test_create_vehicle_refuses_a_vin_already_on_file(advisor):
    existing = VehicleFactory(vin="WAUZZZ8V5KA123456")

    with pytest.raises(VinAlreadyOnFile) as refused:
        create_vehicle(owner=CustomerFactory(), **VEHICLE_DATA, created_by=advisor)

    assert refused.value.vehicle == existing
    assert Vehicle.objects.count() == 1


def test_update_vehicle_refuses_another_vehicles_vin_but_keeps_its_own(advisor):
    VehicleFactory(vin="WAUZZZ8V5KA123456")
    vehicle = VehicleFactory()
    old_plate = vehicle.plate

    update_vehicle(vehicle=vehicle, vin=vehicle.vin, plate="zz 999 zz", updated_by=advisor)
    with pytest.raises(VinAlreadyOnFile):
        update_vehicle(vehicle=vehicle, vin="WAUZZZ8V5KA123456", updated_by=advisor)

    vehicle.refresh_from_db()
    assert vehicle.plate_key == "ZZ999ZZ"
    assert events_of(vehicle).get().changes == {"plate": [old_plate, "zz 999 zz"]}


def test_record_mileage_refuses_a_lower_reading_without_a_correction_reason(advisor):
    reading = MileageReadingFactory(km=52000)

    with pytest.raises(MileageNeedsCorrectionReason):
        record_mileage(vehicle=reading.vehicle, km=51000, source="reception", recorded_by=advisor)

    assert MileageReading.objects.count() == 1


def test_record_mileage_accepts_a_lower_reading_with_a_reason_and_audits_it(advisor):
    reading = MileageReadingFactory(km=52000)

    corrected = record_mileage(
        vehicle=reading.vehicle,
        km=25200,
        source="reception",
        recorded_by=advisor,
        correction_reason="Typo: 25,200 km",
    )

    assert corrected.correction_reason == "Typo: 25,200 km"
    assert events_of(reading.vehicle).get().changes["mileage_km"] == [52000, 25200]


def test_transfer_vehicle_ends_the_current_ownership_and_starts_the_new_one(advisor):
    vehicle = VehicleFactory()
    seller = vehicle.owner
    buyer = CustomerFactory(site=seller.site)

    transfer_vehicle(vehicle=vehicle, new_owner=buyer, transferred_by=advisor, on=date(2025, 6, 30))

    vehicle.refresh_from_db()
    assert vehicle.owner == buyer
    history = list(Ownership.objects.filter(vehicle=vehicle).order_by("started_on").values_list("customer", "ended_on"))
    assert history == [(seller.pk, date(2025, 6, 30)), (buyer.pk, None)]
    assert events_of(vehicle).get().changes["owner"][1] == str(buyer)


def test_transfer_vehicle_to_its_current_owner_is_refused(advisor):
    vehicle = VehicleFactory()

    with pytest.raises(SameOwner):
        transfer_vehicle(vehicle=vehicle, new_owner=vehicle.owner, transferred_by=advisor)

    assert Customer.objects.count() == 1
