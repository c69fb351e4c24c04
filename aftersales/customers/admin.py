"""Reference data (campaigns, catalogue, parts, offers, mobility) is edited here, with its texts per language.

Customers and vehicles are shown read-only: their changes go through the
services (search columns, ownership and audit trail), i.e. the staff screens.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.lib.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Campaign,
    ConsentRecord,
    Customer,
    LabourOperation,
    MileageReading,
    MobilityService,
    OfferPrice,
    OperationPart,
    OperationPrice,
    Ownership,
    Part,
    PartPrice,
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


class PriceInline(admin.TabularInline):
    """The item's prices, one per currency: a site quotes the one in its own currency."""

    fields = ["currency", "amount"]
    extra = 1


class PricedAdmin(TranslatedAdmin):
    """An item priced per currency: the list shows every currency's price, read in one query."""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prices")

    @admin.display(description=_("prices"))
    def prices_shown(self, obj) -> str:
        return " · ".join(str(price) for price in obj.prices.all())


class PartPriceInline(PriceInline):
    model = PartPrice


@admin.register(Part)
class PartAdmin(PricedAdmin):
    list_display = ["number", "name", "prices_shown"]
    search_fields = ["number", "name"]
    inlines = [PartPriceInline]


class OperationPartInline(admin.TabularInline):
    model = OperationPart
    autocomplete_fields = ["part"]
    extra = 1


class OperationPriceInline(PriceInline):
    model = OperationPrice
    verbose_name_plural = _("fixed labour prices, before VAT (none: flat-rate hours × the site's labour rate)")


@admin.register(LabourOperation)
class LabourOperationAdmin(PricedAdmin):
    list_display = ["code", "description", "brand", "skill", "flat_rate_hours", "prices_shown", "active"]
    list_filter = ["skill", "brand", "active"]
    search_fields = ["code", "description"]
    inlines = [OperationPriceInline, OperationPartInline]


class OfferPriceInline(PriceInline):
    model = OfferPrice
    verbose_name_plural = _("prices, VAT included (none: told without a price)")


@admin.register(SeasonalOffer)
class SeasonalOfferAdmin(PricedAdmin):
    list_display = ["title", "kind", "brand", "prices_shown", "starts_on", "ends_on"]
    list_filter = ["kind", "brand"]
    filter_horizontal = ["sites"]
    inlines = [OfferPriceInline]


@admin.register(MobilityService)
class MobilityServiceAdmin(TranslatedAdmin):
    list_display = ["name", "site", "kind", "price", "active"]
    list_filter = ["site", "kind", "active", "brands"]
    filter_horizontal = ["brands"]
