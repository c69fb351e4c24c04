"""Follow-up writes, one module per sub-domain: concerns, call tasks, maintenance reminders, target lists,
satisfaction follow-up.

Every function takes the acting user (``None`` for a timed job), runs in a
transaction, locks what it changes, records an event, and leaves messages to
the messaging outbox (``queue_message`` inside the transaction, sent after
commit) and e-mails to staff to ``transaction.on_commit``.
"""

from ._common import SURVEY_PURPOSE, booking_link_for, followup_owners, reminder_message_arguments, survey_link, survey_message_arguments
from .calls import assign_call_task, create_call_task, record_call_attempt
from .concerns import (
    answer_concern,
    assign_concern,
    close_concern,
    escalate_overdue_complaints,
    handle_escalation,
    record_concern,
    record_customer_reply,
    reopen_concern,
    request_concern_info,
    site_managers,
)
from .reminders import (
    CONVERSION_WINDOW,
    Touch,
    assess_readings,
    current_touch,
    decide_mileage_check,
    km_per_day,
    projected_due,
    recent_readings,
    recontact_unanswered_reminders,
    reminder_answered,
    reminder_to_attribute,
    send_maintenance_reminders,
    touches_for,
    wants_calls,
)
from .satisfaction import (
    CALLBACK_DAY,
    QUICK_TOUCH_LINK_AGE,
    QUICK_TOUCH_PURPOSE,
    SURVEY_LINK_AGE,
    add_satisfaction_remarks,
    callback_due_at,
    complaint_owner,
    quick_touch_link,
    record_callback_outcome,
    record_satisfaction_answer,
    send_quick_touches,
    site_admins,
    start_visit_followups,
)
from .targets import call_from_list, send_outreach

__all__ = [
    # concerns
    "answer_concern",
    "assign_concern",
    "close_concern",
    "escalate_overdue_complaints",
    "handle_escalation",
    "record_concern",
    "record_customer_reply",
    "reopen_concern",
    "request_concern_info",
    "site_managers",
    # call tasks
    "assign_call_task",
    "create_call_task",
    "followup_owners",
    "record_call_attempt",
    # maintenance reminders
    "CONVERSION_WINDOW",
    "Touch",
    "assess_readings",
    "booking_link_for",
    "current_touch",
    "decide_mileage_check",
    "km_per_day",
    "projected_due",
    "recent_readings",
    "recontact_unanswered_reminders",
    "reminder_answered",
    "reminder_message_arguments",
    "reminder_to_attribute",
    "send_maintenance_reminders",
    "touches_for",
    "wants_calls",
    # target lists
    "call_from_list",
    "send_outreach",
    # satisfaction follow-up
    "CALLBACK_DAY",
    "QUICK_TOUCH_LINK_AGE",
    "QUICK_TOUCH_PURPOSE",
    "SURVEY_LINK_AGE",
    "SURVEY_PURPOSE",
    "add_satisfaction_remarks",
    "callback_due_at",
    "complaint_owner",
    "quick_touch_link",
    "record_callback_outcome",
    "record_satisfaction_answer",
    "send_quick_touches",
    "site_admins",
    "start_visit_followups",
    "survey_link",
    "survey_message_arguments",
]
