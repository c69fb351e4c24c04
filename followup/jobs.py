"""The follow-up stage's timed jobs (see aftersales.jobs.registry for the contract)."""

from datetime import datetime

from aftersales.jobs.registry import register_job

from . import services


@register_job("maintenance_reminders")
def run_maintenance_reminders(*, now: datetime) -> int:
    """The 1-month maintenance reminder and the site's extra touches (DOMAIN §7)."""
    return services.send_maintenance_reminders(now=now)


@register_job("reminder_recontacts")
def run_reminder_recontacts(*, now: datetime) -> int:
    """No booking and no answer a week after a reminder: contact again (DOMAIN §1, §7)."""
    return services.recontact_unanswered_reminders(now=now)


@register_job("complaint_escalations")
def run_complaint_escalations(*, now: datetime) -> int:
    """Complaints not answered within 24 hours go to the site's managers (DOMAIN §7)."""
    return services.escalate_overdue_complaints(now=now)


@register_job("visit_followups")
def run_visit_followups(*, now: datetime) -> int:
    """After each handover: the 7-day callback scheduled once, then the quick touch 24 to 72 h after (DOMAIN §7)."""
    return services.start_visit_followups(now=now) + services.send_quick_touches(now=now)
