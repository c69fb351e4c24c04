"""The customer's messages in the GDPR export and erasure (registered in MessagingConfig.ready)."""

from aftersales.customers.privacy import REDACTED, rows

from .models import InboundMessage, OneTimeCode, OutboxMessage


def export_messages(customer) -> list[dict]:
    return rows(OutboxMessage.objects.filter(customer=customer).order_by("created_at", "pk"))


def export_messages_received(customer) -> list[dict]:
    return rows(InboundMessage.objects.filter(customer=customer))


def erase_messages(customer) -> list[str]:
    """Nothing queued is sent any more; texts, addresses and one-time codes go."""
    OutboxMessage.objects.filter(customer=customer, status=OutboxMessage.Status.QUEUED).update(status=OutboxMessage.Status.SUPPRESSED)
    OutboxMessage.objects.filter(customer=customer).update(body=REDACTED, body_html="", recipient="")
    InboundMessage.objects.filter(customer=customer).update(body=REDACTED, from_number="")
    OneTimeCode.objects.filter(customer=customer).delete()
    return []
