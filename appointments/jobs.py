"""Timed jobs of booking (registered with the timed-job registry, aftersales.jobs.registry)."""

from datetime import datetime

from aftersales.jobs.registry import register_job

from .online import escalate_overdue_web_requests
from .services import send_booking_reminders


@register_job("booking_reminders")
def run_booking_reminders(*, now: datetime) -> int:
    """DOMAIN §2, the 24 h confirmation: the day before (site time), ask each booked customer to confirm.

    Idempotent: one message per appointment and start time, so running it
    every hour sends each request once; a moved appointment (a new row,
    a new time) gets its own. In chunks: cut off part-way, the next run goes on.
    """
    return send_booking_reminders(now=now)


@register_job("web_request_escalations")
def run_web_request_escalations(*, now: datetime) -> int:
    """DOMAIN §1, 2 working hours for web/e-mail requests: flag each one past its due time to the site's managers.

    Idempotent: a request is flagged once (its ``escalated_at`` claimed by a
    conditional update); answering it later changes nothing here.
    """
    return escalate_overdue_web_requests(now=now)
