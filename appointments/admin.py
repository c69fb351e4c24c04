"""Back-office set-up of diaries and capacity; appointments are read-only here (they change through services)."""

from django.contrib import admin

from aftersales.customers.translations import TranslatedAdmin
from aftersales.lib.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Absence,
    AdvisorSchedule,
    Appointment,
    AppointmentEvent,
    AppointmentJob,
    BreakdownCall,
    CapacityOverride,
    Loaner,
    LoanerReservation,
    LoanTerms,
    PartsDelayWarning,
    SiteCapacityRule,
    SlotReservation,
    TechnicianAttendance,
    TechnicianProfile,
)


@admin.register(AdvisorSchedule)
class AdvisorScheduleAdmin(admin.ModelAdmin):
    list_display = ["advisor", "site", "weekday", "starts", "ends", "break_starts", "break_ends"]
    list_filter = ["site", "weekday"]
    autocomplete_fields = ["advisor"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["person", "site", "starts_on", "ends_on", "reason"]
    list_filter = ["site", "reason"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["person"]


class TechnicianAttendanceInline(admin.TabularInline):
    model = TechnicianAttendance
    extra = 0


@admin.register(TechnicianProfile)
class TechnicianProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "site", "skills", "active"]
    list_filter = ["site", "active"]
    inlines = [TechnicianAttendanceInline]
    autocomplete_fields = ["user"]


@admin.register(SiteCapacityRule)
class SiteCapacityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "site",
        "slot_minutes",
        "appointments_per_advisor_hour",
        "workshop_buffer_percent",
        "waiters_per_interval",
        "loaner_online_reserve_percent",
        "min_lead_minutes",
    ]


@admin.register(CapacityOverride)
class CapacityOverrideAdmin(admin.ModelAdmin):
    list_display = ["site", "day", "axis", "skill", "value", "reason", "created_by"]
    list_filter = ["site", "axis"]
    date_hierarchy = "day"
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Loaner)
class LoanerAdmin(TranslatedAdmin):
    list_display = ["plate", "description", "category", "site", "active", "daily_price", "insurance_excess", "daily_km_allowance"]
    list_filter = ["site", "category", "active"]
    search_fields = ["plate", "description"]


@admin.register(LoanTerms)
class LoanTermsAdmin(admin.ModelAdmin):
    """A site's loan contract terms; a loaner's own terms (on the loaner) come first."""

    list_display = ["site", "daily_price", "insurance_excess", "daily_km_allowance"]


class JobInline(ReadOnlyInline):
    model = AppointmentJob


class EventInline(ReadOnlyInline):
    model = AppointmentEvent


class SlotInline(ReadOnlyInline):
    model = SlotReservation


class LoanerReservationInline(ReadOnlyInline):
    model = LoanerReservation


class PartsWarningInline(ReadOnlyInline):
    model = PartsDelayWarning


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "site", "advisor", "customer", "vehicle", "status", "confirmation_status", "channel", "origin"]
    list_filter = ["site", "status", "confirmation_status", "channel", "origin"]
    date_hierarchy = "starts_at"
    search_fields = ["customer__search_name", "vehicle__vin", "vehicle__plate_key"]
    list_select_related = ["site", "advisor", "customer", "vehicle"]
    inlines = [JobInline, SlotInline, LoanerReservationInline, PartsWarningInline, EventInline]


@admin.register(BreakdownCall)
class BreakdownCallAdmin(ReadOnlyAdmin):
    list_display = ["taken_at", "site", "kind", "customer", "vehicle", "anyone_injured", "towing_needed", "courtesy_car_needed", "taken_by"]
    list_filter = ["site", "kind", "anyone_injured", "towing_needed", "courtesy_car_needed"]
    date_hierarchy = "taken_at"
    search_fields = ["customer__search_name", "vehicle__vin", "vehicle__plate_key", "policy_number", "assistance_file_number"]
    list_select_related = ["site", "customer", "vehicle", "taken_by"]
