"""Back-office: reminder and follow-up policies are set up here; concerns, reminders and calls change through the screens (services)."""

from django.contrib import admin

from aftersales.lib.admin import ReadOnlyAdmin, ReadOnlyInline

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
    list_display = ["site", "quick_touch", "callback"]


class ConcernEventInline(ReadOnlyInline):
    model = ConcernEvent
    fields = readonly_fields = ["at", "actor", "from_status", "to_status", "note_display"]


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


class CallAttemptInline(ReadOnlyInline):
    model = CallAttempt
    readonly_fields = ["at", "agent", "outcome", "remarks"]


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
