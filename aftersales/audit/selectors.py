from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def list_history(*, objects: list[models.Model], limit: int = 50):
    """The latest audit events of the given records, newest first, in one query."""
    ids_by_type = defaultdict(list)
    for obj in objects:
        ids_by_type[ContentType.objects.get_for_model(obj)].append(str(obj.pk))
    condition = models.Q(pk__in=[])
    for content_type, ids in ids_by_type.items():
        condition |= models.Q(content_type=content_type, object_id__in=ids)
    return AuditEvent.objects.filter(condition).select_related("actor", "content_type")[:limit]
