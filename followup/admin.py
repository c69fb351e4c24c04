"""Back-office: reminder and follow-up policies are set up here; concerns, reminders and calls change through the screens (services)."""

from django.contrib import admin

from .models import (
    CallAttempt,
    CallTask,
    Concern,
    ConcernEvent,
    Escalation,
    FollowupPolicy,
    MaintenanceReminder,
    MileageCheck,
    OutreachCampaign,
    ReminderPolicy,
    SatisfactionAnswer,
    VisitFollowup,
)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["site", "extra_days_before", "chaser_days_after", "recontact_after_days", "recontact_by"]


@admin.register(FollowupPolicy)
class FollowupPolicyAdmin(admin.ModelAdmin):
    list_display = ["site", "survey_for_written_channels"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConcernEventInline(admin.TabularInline):
    model = ConcernEvent
    extra = 0
    fields = readonly_fields = ["at", "actor", "from_status", "to_status", "note_display"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "kind", "status", "customer", "owner", "site"]
    list_filter = ["kind", "status", "site"]
    inlines = [ConcernEventInline]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "concern", "site", "handled_at"]


@admin.register(MaintenanceReminder)
class MaintenanceReminderAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "vehicle", "touch", "basis", "due_on", "site", "recontacted_at"]
    list_filter = ["site", "touch", "basis"]


@admin.register(MileageCheck)
class MileageCheckAdmin(ReadOnlyAdmin):
    list_display = ["flagged_at", "reading", "reason", "status"]


class CallAttemptInline(admin.TabularInline):
    model = CallAttempt
    extra = 0
    readonly_fields = ["at", "agent", "outcome", "remarks"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CallTask)
class CallTaskAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "kind", "customer", "assigned_to", "status", "site"]
    list_filter = ["kind", "status", "site"]
    inlines = [CallAttemptInline]


@admin.register(OutreachCampaign)
class OutreachCampaignAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "title", "target_list", "site", "created_by"]


@admin.register(VisitFollowup)
class VisitFollowupAdmin(ReadOnlyAdmin):
    list_display = ["handed_over_at", "customer", "site", "quick_touch_sent_at", "callback_due_at"]
    list_filter = ["site"]


@admin.register(SatisfactionAnswer)
class SatisfactionAnswerAdmin(ReadOnlyAdmin):
    list_display = ["answered_at", "source", "customer", "site", "score", "nps", "concern"]
    list_filter = ["site", "source"]
