"""A customer's SMS reply to a question about their concern is recorded on it and reopens it."""

from .models import Concern
from .services import record_customer_reply


def concern_reply_by_sms(inbound) -> bool:
    """Registered with messaging's reply hook: True when the reply answered a concern waiting for the customer."""
    if inbound.customer_id is None or not inbound.body.strip():
        return False
    waiting = (
        Concern.objects.filter(customer_id=inbound.customer_id, status=Concern.Status.WAITING_FOR_CUSTOMER)
        .order_by("-received_at", "-pk")
        .first()
    )
    if waiting is None:
        return False
    record_customer_reply(concern=waiting, note=inbound.body, actor=None)
    return True
