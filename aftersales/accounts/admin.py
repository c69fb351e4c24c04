from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Brand, DealerGroup, OpeningHours, Site, SiteBrand, SiteClosure, User


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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "sites")


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


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "city", "country", "time_zone", "currency", "vat_rate"]
    list_filter = ["group", "country"]
    search_fields = ["name", "code", "city"]
    list_select_related = ["group"]
    inlines = [SiteBrandInline, OpeningHoursInline, SiteClosureInline]
