from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.audit.models import AuditEvent
from aftersales.audit.services import record_bulk_change
from aftersales.customers.models import Ownership
from aftersales.customers.services import transfer_vehicle
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def ownership_events():
    return AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Ownership))


def test_record_bulk_change_writes_one_event_per_changed_row_and_updates_them(advisor):
    vehicles = VehicleFactory.create_batch(3)
    queryset = Ownership.objects.filter(vehicle__in=vehicles)

    updated = record_bulk_change(actor=advisor, queryset=queryset, changes={"ended_on": date(2026, 5, 1)})

    assert updated == 3
    assert set(queryset.values_list("ended_on", flat=True)) == {date(2026, 5, 1)}
    events = list(ownership_events())
    assert len(events) == 3
    assert {event.actor for event in events} == {advisor}
    assert all(event.changes == {"ended_on": [None, "2026-05-01"]} for event in events)


def test_record_bulk_change_skips_rows_already_holding_the_value(advisor):
    vehicle = VehicleFactory()
    Ownership.objects.filter(vehicle=vehicle).update(ended_on=date(2026, 5, 1))

    record_bulk_change(actor=advisor, queryset=Ownership.objects.filter(vehicle=vehicle), changes={"ended_on": date(2026, 5, 1)})

    assert not ownership_events().exists()


def test_record_bulk_change_on_an_empty_queryset_writes_nothing(advisor):
    assert record_bulk_change(actor=advisor, queryset=Ownership.objects.none(), changes={"ended_on": date(2026, 5, 1)}) == 0
    assert not ownership_events().exists()


def test_transferring_a_vehicle_audits_the_ended_ownership(advisor):
    vehicle = VehicleFactory()
    old = Ownership.objects.get(vehicle=vehicle)

    transfer_vehicle(vehicle=vehicle, new_owner=CustomerFactory(site=vehicle.owner.site), transferred_by=advisor, on=date(2026, 6, 1))

    event = ownership_events().get(object_id=str(old.pk))
    assert event.changes == {"ended_on": [None, "2026-06-01"]}
    assert event.actor == advisor
