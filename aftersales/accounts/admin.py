from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersales.lib.admin import ReadOnlyAdmin

from .legal_identity import LegalIdentity
from .models import AssistanceContact, AuthEvent, Brand, DealerGroup, OpeningHours, Site, SiteBrand, SiteClosure, User
from .two_factor import reset_two_factor


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "language", "group_wide", "is_active"]
    list_filter = ["groups", "sites", "language", "group_wide", "is_active", "is_staff", "is_superuser"]
    filter_horizontal = ["groups", "sites", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "phone", "language")}),
        (_("Roles and sites"), {"fields": ("groups", "sites", "group_wide")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions"), "classes": ["collapse"]},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ["wide"], "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Roles and sites"), {"fields": ("first_name", "last_name", "email", "language", "groups", "sites")}),
    )

    actions = ["unlock_login", "reset_second_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "sites")

    @admin.action(description=_("Unlock the login (after too many wrong passwords)"), permissions=["change"])
    def unlock_login(self, request, queryset):
        cleared = sum(axes_reset(username=user.get_username()) for user in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d locked login attempt record cleared.",
                "%(count)d locked login attempt records cleared.",
                cleared,
            )
            % {"count": cleared},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reset two-factor login (new enrolment at next login)"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            reset_two_factor(user=user, reset_by=request.user)
        self.message_user(request, _("Two-factor login reset."), messages.SUCCESS)


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdmin):
    """Logins, failed logins, logouts and refused pages: read-only."""

    list_display = ["at", "kind", "username", "user", "ip_address", "path"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "ip_address", "path"]
    date_hierarchy = "at"
    list_select_related = ["user"]


@admin.register(DealerGroup)
class DealerGroupAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class SiteBrandInline(admin.TabularInline):
    model = SiteBrand
    extra = 0
    autocomplete_fields = ["brand"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class SiteClosureInline(admin.TabularInline):
    model = SiteClosure
    extra = 0


class AssistanceContactInline(admin.TabularInline):
    """The partners and insurers the breakdown or accident call names."""

    model = AssistanceContact
    extra = 0
    fields = ["kind", "name", "phone", "hours", "brand", "note", "position", "active"]


class LegalIdentityInline(admin.StackedInline):
    """The seller's identity the documents print, each number checked (see aftersales.accounts.legal_identity)."""

    model = LegalIdentity
    can_delete = False
    fieldsets = [
        (None, {"fields": ["legal_form", "share_capital"]}),
        (_("France"), {"fields": ["siren", "siret", "rcs_city"]}),
        (_("Russia"), {"fields": ["inn", "kpp", "ogrn"]}),
        (_("China"), {"fields": ["uscc"]}),
        (_("Bank details"), {"fields": ["bank_name", "bank_account", "bank_code", "correspondent_account"]}),
    ]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "city", "country", "time_zone", "currency", "vat_rate"]
    list_filter = ["group", "country"]
    search_fields = ["name", "code", "city"]
    list_select_related = ["group"]
    inlines = [SiteBrandInline, OpeningHoursInline, SiteClosureInline, AssistanceContactInline, LegalIdentityInline]


@admin.register(AssistanceContact)
class AssistanceContactAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "site", "phone", "hours", "brand", "active"]
    list_filter = ["site", "kind", "active"]
    search_fields = ["name", "phone"]
    list_select_related = ["site", "brand"]
