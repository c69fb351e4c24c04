"""Reference data (campaigns, catalogue, parts, offers, mobility) is edited here, with its texts per language.

Customers and vehicles are shown read-only: their changes go through the
services (search columns, ownership and audit trail), i.e. the staff screens.
"""

from django.contrib import admin

from aftersales.lib.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Campaign,
    ConsentRecord,
    Customer,
    LabourOperation,
    MileageReading,
    MobilityService,
    OperationPart,
    Ownership,
    Part,
    SeasonalOffer,
    Vehicle,
)
from .translations import TranslatedAdmin


class ConsentInline(ReadOnlyInline):
    model = ConsentRecord


class OwnershipInline(ReadOnlyInline):
    model = Ownership


class MileageInline(ReadOnlyInline):
    model = MileageReading


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "site", "kind", "mobile", "email", "created_at"]
    list_filter = ["site", "kind", "language"]
    search_fields = ["search_name", "search_phones"]
    list_select_related = ["site"]
    inlines = [ConsentInline]


@admin.register(Vehicle)
class VehicleAdmin(ReadOnlyAdmin):
    list_display = ["vin", "plate", "make", "model", "energy", "owner"]
    list_filter = ["energy", "make"]
    search_fields = ["vin", "plate_key"]
    list_select_related = ["owner"]
    inlines = [OwnershipInline, MileageInline]


@admin.register(Campaign)
class CampaignAdmin(TranslatedAdmin):
    list_display = ["code", "kind", "title", "starts_on", "ends_on", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "title"]


@admin.register(Part)
class PartAdmin(TranslatedAdmin):
    list_display = ["number", "name", "unit_price"]
    search_fields = ["number", "name"]


class OperationPartInline(admin.TabularInline):
    model = OperationPart
    autocomplete_fields = ["part"]
    extra = 1


@admin.register(LabourOperation)
class LabourOperationAdmin(TranslatedAdmin):
    list_display = ["code", "description", "brand", "skill", "flat_rate_hours", "price", "active"]
    list_filter = ["skill", "brand", "active"]
    search_fields = ["code", "description"]
    inlines = [OperationPartInline]


@admin.register(SeasonalOffer)
class SeasonalOfferAdmin(TranslatedAdmin):
    list_display = ["title", "kind", "brand", "price", "starts_on", "ends_on"]
    list_filter = ["kind", "brand"]
    filter_horizontal = ["sites"]


@admin.register(MobilityService)
class MobilityServiceAdmin(TranslatedAdmin):
    list_display = ["name", "site", "kind", "price", "active"]
    list_filter = ["site", "kind", "active", "brands"]
    filter_horizontal = ["brands"]
