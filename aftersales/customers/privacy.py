"""Everything held about one customer: export (GDPR access) and erasure.

Customers know nothing of the apps above them (messaging, the stages):
each registers, in its ``AppConfig.ready()``, a section of the export
(``register_export_section(name, fn)``, ``fn(customer) -> list[dict]``) and
what it anonymises (``register_erasure(name, fn)``,
``fn(customer) -> list[str]``: what it had to keep, and why). The customer
page offers both to managers and administrators.

Erasure anonymises, it does not delete: issued invoices are immutable and
keep the billing identity they were issued with (``Invoice.bill_to`` and
the issued ``content`` snapshot), as accounting law requires; the customer
row, its contacts and consents here, its messages and free texts in their
apps' erasures, lose their personal data.
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from aftersales.audit.models import AuditEvent
from aftersales.audit.services import record_change

from .models import Channel, ConsentRecord, Customer, MileageReading, Ownership, Vehicle

REDACTED = "[erased]"
PERSONAL_FIELDS = ["first_name", "company_name", "mobile", "phone_other", "email", "address", "postcode", "city"]

_export_sections: dict[str, Callable[[Customer], list[dict]]] = {}
_erasures: dict[str, Callable[[Customer], list[str]]] = {}


def register_export_section(name: str, fn: Callable[[Customer], list[dict]]) -> None:
    _export_sections[name] = fn


def register_erasure(name: str, fn: Callable[[Customer], list[str]]) -> None:
    _erasures[name] = fn


def rows(queryset: models.QuerySet, *, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Every concrete field of each row, file fields as their stored name."""
    result = []
    for obj in queryset:
        row = {}
        for field in obj._meta.concrete_fields:
            if field.name in exclude:
                continue
            value = getattr(obj, field.attname)
            row[field.name] = value.name if isinstance(field, models.FileField) else value
        result.append(row)
    return result


def _audit_events(customer: Customer) -> models.QuerySet:
    vehicles = [str(pk) for pk in Vehicle.objects.filter(ownerships__customer=customer).values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk))
        | Q(content_type=ContentType.objects.get_for_model(Vehicle), object_id__in=vehicles)
    )


def _core_sections(customer: Customer) -> dict[str, list[dict]]:
    vehicles = Vehicle.objects.filter(ownerships__customer=customer).distinct()
    return {
        "profile": rows(Customer.objects.filter(pk=customer.pk), exclude=("search_name", "search_phones")),
        "consents": rows(ConsentRecord.objects.filter(customer=customer).order_by("recorded_at", "pk")),
        "vehicles": rows(vehicles, exclude=("plate_key",)),
        "ownerships": rows(Ownership.objects.filter(customer=customer)),
        "mileage": rows(MileageReading.objects.filter(vehicle__in=vehicles).order_by("read_at", "pk")),
        "audit_events": rows(_audit_events(customer).order_by("at", "pk")),
    }


def export_customer(*, customer: Customer) -> dict:
    """Everything held about the customer, section by section (JSON-ready with DjangoJSONEncoder)."""
    sections = _core_sections(customer)
    for name, fn in sorted(_export_sections.items()):
        sections[name] = fn(customer)
    return {"customer": customer.pk, "exported_at": timezone.now(), "sections": sections}


@transaction.atomic
def erase_customer(*, customer: Customer, actor, reason: str) -> list[str]:
    """Anonymise the customer everywhere; returns what was kept, and why (from the stage sections).

    Audited: one AuditEvent naming the erased fields and the reason, without
    their old values; earlier audit events of the customer lose their values.
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    for name in PERSONAL_FIELDS:
        setattr(locked, name, "")
    locked.last_name = f"{REDACTED} #{locked.pk}"
    locked.search_name = ""
    locked.search_phones = ""
    locked.save()
    latest = {record.channel: record.granted for record in reversed(ConsentRecord.objects.filter(customer=locked))}
    ConsentRecord.objects.bulk_create(
        ConsentRecord(customer=locked, channel=channel, granted=False, source=ConsentRecord.Source.FORM, recorded_by=actor)
        for channel, granted in latest.items()
        if granted and channel in Channel.values
    )
    for event in AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Customer), object_id=str(locked.pk)):
        event.changes = {field: [REDACTED, REDACTED] for field in event.changes}
        event.object_repr = str(locked)
        event.save(update_fields=["changes", "object_repr"])
    kept = []
    for _name, fn in sorted(_erasures.items()):
        kept.extend(fn(locked))
    record_change(
        actor=actor,
        obj=locked,
        action="update",
        changes={"erased": [None, [*PERSONAL_FIELDS, "last_name"]], "erasure_reason": [None, reason]},
    )
    return kept
