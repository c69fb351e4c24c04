"""Read-only admin pages for rows that change through the services only (events, issued documents, history)."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Shows everything, adds, changes and deletes nothing; for a model admin and an inline alike."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
