"""Work orders are read-only in the admin: they change through the reception services only."""

from django.contrib import admin

from .models import DamageMark, Signature, WorkOrder, WorkOrderEvent, WorkOrderJob, WorkOrderPart


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class JobInline(ReadOnlyInline):
    model = WorkOrderJob
    fields = ["concern", "operation", "flat_rate_hours", "labour_price", "payer", "approval"]


class PartInline(ReadOnlyInline):
    model = WorkOrderPart
    fields = ["part", "quantity", "unit_price", "payer", "approval"]


class DamageInline(ReadOnlyInline):
    model = DamageMark
    fields = ["view", "x", "y", "kind", "note"]


class EventInline(ReadOnlyInline):
    model = WorkOrderEvent
    fields = ["at", "actor", "from_status", "to_status", "note"]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "site", "status", "customer", "vehicle", "advisor", "created_at"]
    list_filter = ["site", "status"]
    search_fields = ["number", "customer__last_name", "vehicle__vin", "vehicle__plate"]
    list_select_related = ["site", "customer", "vehicle", "advisor"]
    inlines = [JobInline, PartInline, DamageInline, EventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["work_order", "method", "signed_at", "content_hash"]
    list_select_related = ["work_order"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
