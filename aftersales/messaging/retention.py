"""Retention: message texts are kept for ``settings.MESSAGE_RETENTION_DAYS`` days, then blanked.

The outbox row itself stays (who was told what kind of message, when, its
delivery status); only the text, and the text of SMS the customers sent,
go. Messages still queued or being sent are left alone.
"""

from datetime import datetime, timedelta

from django.conf import settings

from .models import InboundMessage, OutboxMessage

PURGED = ""
FINAL = [status for status in OutboxMessage.Status.values if status not in (OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING)]


def purge_message_bodies(*, now: datetime) -> int:
    """Blank the texts older than the retention period; returns how many rows changed (0 on a rerun)."""
    cutoff = now - timedelta(days=settings.MESSAGE_RETENTION_DAYS)
    sent = (
        OutboxMessage.objects.filter(created_at__lt=cutoff, status__in=FINAL)
        .exclude(body=PURGED, body_html=PURGED)
        .update(body=PURGED, body_html=PURGED)
    )
    received = InboundMessage.objects.filter(received_at__lt=cutoff).exclude(body=PURGED).update(body=PURGED)
    return sent + received
