from django.contrib import admin

from aftersales.lib.admin import ReadOnlyInline

from .models import InboundMessage, MessageEvent, MessageTemplate, OutboxMessage, SmsSender


class MessageEventInline(ReadOnlyInline):
    model = MessageEvent
    fields = readonly_fields = ["at", "from_status", "to_status", "note_display", "actor"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template_key", "channel", "recipient", "status", "attempts", "site"]
    list_filter = ["status", "channel", "template_key", "site"]
    search_fields = ["recipient", "idempotency_key", "provider_id"]
    inlines = [MessageEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SmsSender)
class SmsSenderAdmin(admin.ModelAdmin):
    list_display = ["site", "brand", "from_number", "messaging_service_sid"]
    list_filter = ["site"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "language", "subject", "updated_at"]
    list_filter = ["key", "language"]

    def has_change_permission(self, request, obj=None):
        return False  # edited in the template screen, which keeps the audit trail


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_number", "kind", "customer", "handled_at"]
    list_filter = ["kind", "site"]
    readonly_fields = ["provider_id", "from_number", "to_number", "body", "kind", "customer", "site", "received_at"]
