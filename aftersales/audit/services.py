from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import AuditEvent


def model_changes(before: models.Model | None, after: models.Model, fields: list[str]) -> dict[str, list]:
    """{field: [old, new]} for the given fields whose value differs."""
    changes = {}
    for name in fields:
        old = getattr(before, name, None) if before is not None else None
        new = getattr(after, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    return value


def record_change(*, actor, obj: models.Model, action: str, changes: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        changes=changes or {},
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def record_bulk_change(*, actor, queryset: models.QuerySet, changes: dict, action: str = "update") -> int:
    """Apply ``queryset.update(**changes)`` and write one AuditEvent per row it changes.

    ``QuerySet.update()`` bypasses ``save()``, so it is recorded here: the rows
    are locked, their old values read, the events written with ``bulk_create``
    and the update made, all in one transaction. Returns the number of rows
    updated. The lock is FOR NO KEY UPDATE on the rows themselves (not on rows
    joined by the filter), like an UPDATE's own: rows that reference them stay free.
    """
    fields = list(changes)
    with transaction.atomic():
        rows = list(queryset.select_for_update(of=("self",), no_key=True).order_by("pk"))
        content_type = ContentType.objects.get_for_model(queryset.model, for_concrete_model=True)
        by = actor if actor is not None and actor.is_authenticated else None
        events = []
        for row in rows:
            differences = {
                name: [_plain(getattr(row, name)), _plain(changes[name])] for name in fields if getattr(row, name) != changes[name]
            }
            if differences:
                events.append(
                    AuditEvent(
                        content_type=content_type,
                        object_id=str(row.pk),
                        object_repr=str(row)[:200],
                        action=action,
                        changes=differences,
                        actor=by,
                    )
                )
        AuditEvent.objects.bulk_create(events)
        return queryset.model._default_manager.filter(pk__in=[row.pk for row in rows]).update(**changes)
