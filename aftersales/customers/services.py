"""Every change to customers and vehicles goes through here.

Each service runs in one transaction, locks the row it changes, keeps the
search columns (``search_name``, ``search_phones``, ``plate_key``) current and
writes an audit event with the fields that changed.
"""

import copy
from datetime import date, datetime
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from aftersales.accounts.models import Site
from aftersales.audit.services import model_changes, record_bulk_change, record_change
from aftersales.lib.text import fold, plate_key
from aftersales.lib.vin import validate_vin

from .exceptions import InvalidVin, MileageNeedsCorrectionReason, SameOwner, VinAlreadyOnFile
from .models import Channel, ConsentRecord, Customer, MileageReading, Ownership, Vehicle


class CustomerFields(TypedDict, total=False):
    """What staff edit on a customer (the customer form's fields, validated by it)."""

    kind: str
    first_name: str
    last_name: str
    company_name: str
    mobile: str
    phone_other: str
    email: str
    language: str
    preferred_channel: str
    address: str
    postcode: str
    city: str
    country: str


class VehicleFields(TypedDict, total=False):
    """What staff edit on a vehicle (the vehicle form's fields, validated by it)."""

    vin: str
    plate: str
    make: str
    model: str
    year: int | None
    energy: str
    first_registration: date | None
    warranty_end: date | None
    connected_services: bool
    next_service_due_date: date | None
    next_service_due_km: int | None


CUSTOMER_FIELDS = tuple(CustomerFields.__annotations__)
VEHICLE_FIELDS = tuple(VehicleFields.__annotations__)


def _checked(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Refuse a field the service does not edit (the search columns, the site...), which ``**fields`` would let through."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Fields not editable through this service: {sorted(unknown)}")
    return fields


def _creation_changes(obj: Model, fields: list[str]) -> dict[str, list]:
    return {name: change for name, change in model_changes(None, obj, fields).items() if change[1] not in ("", None)}


def customer_search_name(customer: Customer) -> str:
    parts = (customer.last_name, customer.first_name, customer.company_name, customer.email)
    return fold(" ".join(part for part in parts if part))[: Customer._meta.get_field("search_name").max_length]


def customer_search_phones(customer: Customer) -> str:
    return " ".join("".join(ch for ch in number if ch.isdigit()) for number in (customer.mobile, customer.phone_other) if number)


def _refresh_customer_search(customer: Customer) -> None:
    customer.search_name = customer_search_name(customer)
    customer.search_phones = customer_search_phones(customer)


@transaction.atomic
def create_customer(*, site: Site, created_by, **fields: Unpack[CustomerFields]) -> Customer:
    customer = Customer(site=site, **_checked(fields, CUSTOMER_FIELDS))
    _refresh_customer_search(customer)
    customer.save()
    record_change(actor=created_by, obj=customer, action="create", changes=_creation_changes(customer, ["site", *CUSTOMER_FIELDS]))
    return customer


@transaction.atomic
def update_customer(*, customer: Customer, updated_by, **fields: Unpack[CustomerFields]) -> Customer:
    data = _checked(fields, CUSTOMER_FIELDS)
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    before = copy.copy(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    changes = model_changes(before, locked, list(data))
    if changes:
        _refresh_customer_search(locked)
        locked.save()
        record_change(actor=updated_by, obj=locked, action="update", changes=changes)
    return locked


@transaction.atomic
def record_consent(*, customer: Customer, channel: str, granted: bool, source: str, recorded_by) -> ConsentRecord | None:
    """Append a consent record when it changes the customer's current choice (none on file counts as refused)."""
    channel = Channel(channel)
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    current = locked.consents.filter(channel=channel).first()
    was_granted = current.granted if current is not None else False
    if was_granted == granted:
        return None
    record = ConsentRecord.objects.create(
        customer=locked,
        channel=channel,
        granted=granted,
        source=ConsentRecord.Source(source),
        recorded_by=recorded_by,
    )
    record_change(actor=recorded_by, obj=locked, action="update", changes={f"consent_{channel.value}": [was_granted, granted]})
    return record


def _valid_vin(raw: str) -> str:
    try:
        return validate_vin(raw)
    except ValidationError as error:
        raise InvalidVin(error.messages[0]) from None


def _refuse_vin_on_file(vin: str, *, exclude_pk: int | None = None) -> None:
    existing = Vehicle.objects.select_related("owner").exclude(pk=exclude_pk).filter(vin=vin).first()
    if existing is not None:
        raise VinAlreadyOnFile(existing)


@transaction.atomic
def create_vehicle(*, owner: Customer | None, created_by, acquired_on: date | None = None, **fields: Unpack[VehicleFields]) -> Vehicle:
    data = _checked(fields, VEHICLE_FIELDS)
    data["vin"] = _valid_vin(data.get("vin", ""))
    _refuse_vin_on_file(data["vin"])
    vehicle = Vehicle(owner=owner, **data)
    vehicle.plate_key = plate_key(vehicle.plate)
    try:
        with transaction.atomic():
            vehicle.save()
    except IntegrityError:
        _refuse_vin_on_file(data["vin"])  # a concurrent request filed it first
        raise
    if owner is not None:
        Ownership.objects.create(vehicle=vehicle, customer=owner, started_on=acquired_on or timezone.localdate())
    record_change(actor=created_by, obj=vehicle, action="create", changes=_creation_changes(vehicle, ["owner", *VEHICLE_FIELDS]))
    return vehicle


@transaction.atomic
def update_vehicle(*, vehicle: Vehicle, updated_by, **fields: Unpack[VehicleFields]) -> Vehicle:
    data = _checked(fields, VEHICLE_FIELDS)
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    if "vin" in data:
        data["vin"] = _valid_vin(data["vin"])
        if data["vin"] != locked.vin:
            _refuse_vin_on_file(data["vin"], exclude_pk=locked.pk)
    before = copy.copy(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    changes = model_changes(before, locked, list(data))
    if changes:
        locked.plate_key = plate_key(locked.plate)
        locked.save()
        record_change(actor=updated_by, obj=locked, action="update", changes=changes)
    return locked


def check_mileage(*, vehicle: Vehicle, km: int, correction_reason: str = "") -> MileageReading | None:
    """The vehicle's last reading; MileageNeedsCorrectionReason when ``km`` is below it and no correction reason is given.

    The vehicle page and the booking desk check a reading the customer gives before it is recorded."""
    last = vehicle.mileage_readings.first()
    if last is not None and km < last.km and not correction_reason.strip():
        raise MileageNeedsCorrectionReason(
            _("The last reading was %(km)s km: give a correction reason to record a lower one.")
            % {"km": number_format(last.km, force_grouping=True)}
        )
    return last


@transaction.atomic
def record_mileage(
    *,
    vehicle: Vehicle,
    km: int,
    source: str,
    recorded_by,
    correction_reason: str = "",
    read_at: datetime | None = None,
) -> MileageReading:
    """A reading below the last one is a correction and must say why (``check_mileage``)."""
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    correction_reason = correction_reason.strip()
    last = check_mileage(vehicle=locked, km=km, correction_reason=correction_reason)
    reading = MileageReading.objects.create(
        vehicle=locked,
        km=km,
        source=MileageReading.Source(source),
        correction_reason=correction_reason,
        read_at=read_at or timezone.now(),
        recorded_by=recorded_by,
    )
    changes = {"mileage_km": [last.km if last is not None else None, km]}
    if correction_reason:
        changes["correction_reason"] = ["", correction_reason]
    record_change(actor=recorded_by, obj=locked, action="update", changes=changes)
    return reading


@transaction.atomic
def transfer_vehicle(*, vehicle: Vehicle, new_owner: Customer, transferred_by, on: date | None = None) -> Ownership:
    """End the current ownership and start the new owner's on the same day."""
    locked = Vehicle.objects.select_for_update(of=("self",)).select_related("owner").get(pk=vehicle.pk)
    if locked.owner_id == new_owner.pk:
        raise SameOwner(_("This customer already owns the vehicle."))
    day = on or timezone.localdate()
    before = copy.copy(locked)
    record_bulk_change(
        actor=transferred_by, queryset=Ownership.objects.filter(vehicle=locked, ended_on__isnull=True), changes={"ended_on": day}
    )
    ownership = Ownership.objects.create(vehicle=locked, customer=new_owner, started_on=day)
    locked.owner = new_owner
    locked.save(update_fields=["owner"])
    record_change(actor=transferred_by, obj=locked, action="update", changes=model_changes(before, locked, ["owner"]))
    return ownership
