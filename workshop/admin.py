"""Work orders are read-only in the admin (they change through the services only); checklists and bays are set up here,
with their texts per language."""

from django.contrib import admin

from aftersales.customers.translations import TranslatedAdmin, TranslatedInline
from aftersales.lib.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Bay,
    ClockingReview,
    DamageMark,
    DeferredWork,
    InspectionItem,
    InspectionTemplate,
    Signature,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderJob,
    WorkOrderPart,
)


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
    fields = ["at", "actor", "from_status", "to_status", "note_display"]
    readonly_fields = ["note_display"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "site", "status", "customer", "vehicle", "advisor", "created_at"]
    list_filter = ["site", "status"]
    search_fields = ["number", "customer__last_name", "vehicle__vin", "vehicle__plate"]
    list_select_related = ["site", "customer", "vehicle", "advisor"]
    inlines = [JobInline, PartInline, DamageInline, EventInline]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["work_order", "method", "signed_at", "content_hash"]
    list_select_related = ["work_order"]


@admin.register(ClockingReview)
class ClockingReviewAdmin(ReadOnlyAdmin):
    """Sign-offs flagged for an implausible clocked time, and the foreman's decisions (made on the dispatch page)."""

    list_display = ["job", "technician", "flagged_at", "sold_hours", "clocked", "status", "corrected_clocked", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["job", "technician", "decided_by"]


class InspectionItemInline(TranslatedInline):
    model = InspectionItem
    extra = 1
    fields = [("position", "section"), ("label", "measurement_label"), ("operation", "hours")]
    autocomplete_fields = ["operation"]


@admin.register(InspectionTemplate)
class InspectionTemplateAdmin(TranslatedAdmin):
    """Checklists are edited here: points, measurements and the work each amber or red point proposes."""

    list_display = ["name", "brand", "service_type", "active"]
    list_filter = ["active", "brand"]
    inlines = [InspectionItemInline]


@admin.register(Bay)
class BayAdmin(TranslatedAdmin):
    list_display = ["name", "site", "active"]
    list_filter = ["site", "active"]


@admin.register(DeferredWork)
class DeferredWorkAdmin(admin.ModelAdmin):
    list_display = ["description", "vehicle", "due_on", "gross_price", "sold_job"]
    list_select_related = ["vehicle", "sold_job"]
    search_fields = ["description", "vehicle__vin", "vehicle__plate"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
