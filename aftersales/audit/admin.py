from django.contrib import admin

from aftersales.lib.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "object_repr", "action", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "object_id"]
