from django.contrib.contenttypes.models import ContentType
from django.db import models

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
