"""Reads for the message log, the customer page and the inbox."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .models import InboundMessage, OutboxMessage

CUSTOMER_PAGE_SIZE = 10


def list_messages(*, customer=None, site=None, status=None, channel=None, template=None) -> QuerySet[OutboxMessage]:
    """Outbox messages, newest first, optionally filtered; ready for a log table."""
    messages = OutboxMessage.objects.select_related("customer", "site", "about_type")
    filters = {"customer": customer, "site": site, "status": status, "channel": channel, "template_key": template}
    return messages.filter(**{field: value for field, value in filters.items() if value}).order_by("-created_at", "-pk")


def list_inbound(*, sites, include_handled: bool = False) -> QuerySet[InboundMessage]:
    inbound = InboundMessage.objects.filter(site__in=sites).select_related("customer", "site", "handled_by")
    if not include_handled:
        inbound = inbound.filter(handled_at__isnull=True)
    return inbound.order_by("-received_at", "-pk")


def customer_messaging_context(*, customer, page=None) -> dict:
    """What ``templates/messaging/_customer_messages.html`` needs for one customer."""
    messages_page: Page = Paginator(list_messages(customer=customer), CUSTOMER_PAGE_SIZE).get_page(page)
    return {
        "messages_page": messages_page,
        "inbound_replies": list(
            InboundMessage.objects.filter(customer=customer, kind=InboundMessage.Kind.REPLY).order_by("-received_at", "-pk")[:5]
        ),
        "messaging_customer": customer,
    }


def message_detail_queryset() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.select_related("customer", "site", "created_by").prefetch_related("events__actor", "attachments")
