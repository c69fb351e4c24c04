"""Queue many messages at once, for a timed job's chunk: ``queue_message``'s rules and idempotency keys, in a
constant number of queries whatever the number of messages.

``MessageRun`` holds what a job's run reads once and keeps from chunk to
chunk: the sites' calendars (quiet hours and closed days without a query per
day), the templates, the brands and contact points. ``queue_messages`` takes
``queue_message``'s arguments (but attachments, invitations and actor) for
each message, skips the keys already used, writes the new rows and their
first events in bulk, and hands those due now to workers once the caller's
transaction commits.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.calendars import site_calendars
from aftersales.accounts.contact_points import brand_of, contact_point_for
from aftersales.accounts.models import Brand
from aftersales.customers.models import ConsentRecord
from aftersales.lib.business_hours import next_allowed_send_time
from aftersales.lib.system_texts import SystemText

from .catalogue import SENSITIVE_TYPES
from .exceptions import MissingTemplate
from .models import MessageEvent, MessageTemplate, OutboxMessage, Purpose
from .services import SECRET_BLANKED, check_message_request, choose_channel, render_message
from .system_texts import NOT_SENT
from .unsubscribe import unsubscribe_url

Status = OutboxMessage.Status


class MessageRun:
    """Per-site data of one job run, read on first use and kept between its chunks."""

    def __init__(self, *, now: datetime):
        self.now = now
        self._calendars = {}
        self._templates = {}
        self._brands = {}
        self._contacts = {}

    def calendar(self, site):
        if site.pk not in self._calendars:
            self._calendars.update(site_calendars(since=self.now.date() - timedelta(days=1)))
        return self._calendars[site.pk]

    def template(self, key: str, languages: list[str]) -> tuple[MessageTemplate, str]:
        if key not in self._templates:
            self._templates[key] = {template.language: template for template in MessageTemplate.objects.filter(key=key)}
        for language in languages:
            if language in self._templates[key]:
                return self._templates[key][language], language
        raise MissingTemplate()

    def brand(self, site, context: dict, vehicle) -> Brand | None:
        if isinstance(context.get("brand"), Brand):
            return context["brand"]
        make = (vehicle.make or "").lower() if vehicle is not None else ""
        if (site.pk, make) not in self._brands:
            self._brands[site.pk, make] = brand_of(site, vehicle)
        return self._brands[site.pk, make]

    def contact(self, site, brand: Brand | None):
        key = (site.pk, brand.pk if brand else None)
        if key not in self._contacts:
            self._contacts[key] = contact_point_for(site, brand)
        return self._contacts[key]


def latest_consents_of(customer_ids) -> dict[int, dict[str, ConsentRecord]]:
    """Each customer's latest consent record per channel, in one query."""
    latest = defaultdict(dict)
    for record in ConsentRecord.objects.filter(customer_id__in=set(customer_ids)).order_by("-recorded_at", "-pk"):
        latest[record.customer_id].setdefault(record.channel, record)
    return latest


def queue_messages(requests: list[dict], *, run: MessageRun) -> tuple[dict[str, int], int]:
    """(the outbox row id of each request's idempotency key, written now or before; how many rows were written).
    Call it inside the chunk's transaction; customers come with their site (``select_related``)."""
    for request in requests:
        check_message_request(
            idempotency_key=request["idempotency_key"],
            purpose=request["purpose"],
            channel=request.get("channel"),
            template=request["template"],
        )
    keys = [request["idempotency_key"] for request in requests]
    ids = dict(OutboxMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))
    fresh = {request["idempotency_key"]: request for request in requests if request["idempotency_key"] not in ids}
    if not fresh:
        return ids, 0
    now = timezone.now()
    consents = latest_consents_of(request["customer"].pk for request in fresh.values())
    rows = [_outbox_row(run, now, consents, **request) for request in fresh.values()]
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)  # a key taken meanwhile by another run stays that run's
    written = dict(OutboxMessage.objects.filter(idempotency_key__in=fresh, created_at=now).values_list("idempotency_key", "pk"))
    events = []
    for row in rows:
        if row.idempotency_key in written:
            note = NOT_SENT(reason=row.failure_code) if row.failure_code else ""
            events.append(
                MessageEvent(message_id=written[row.idempotency_key], at=now, to_status=row.status, **SystemText.of(note).fields("note"))
            )
    MessageEvent.objects.bulk_create(events)
    _send_after_commit([written[row.idempotency_key] for row in rows if row.enqueued_at and row.idempotency_key in written])
    taken_meanwhile = OutboxMessage.objects.filter(idempotency_key__in=fresh).exclude(pk__in=written.values())
    ids.update(taken_meanwhile.values_list("idempotency_key", "pk"))
    return ids | written, len(written)


def _outbox_row(
    run: MessageRun,
    now: datetime,
    consents: dict,
    *,
    customer,
    template: str,
    context: dict,
    idempotency_key: str,
    purpose: str,
    about=None,
    channel: str | None = None,
    due_at: datetime | None = None,
    urgent: bool = False,
    vehicle=None,
) -> OutboxMessage:
    site = customer.site
    chosen_channel, recipient, failure_code = choose_channel(
        customer=customer, purpose=purpose, channel=channel, consents=consents.get(customer.pk, {})
    )
    message_template, language = run.template(template, [customer.language, site.language, settings.LANGUAGE_CODE])
    brand = run.brand(site, context, vehicle if vehicle is not None else getattr(about, "vehicle", None))
    marketing = purpose == Purpose.MARKETING
    subject, body, body_html = render_message(
        message_template=message_template,
        channel=chosen_channel,
        language=language,
        context={
            **context,
            "customer": customer,
            "site": run.contact(site, brand),
            "brand_name": brand.name if brand else "",
            "unsubscribe_url": unsubscribe_url(customer) if marketing else "",
        },
        marketing=marketing,
    )
    status = Status.SUPPRESSED if failure_code else Status.QUEUED
    if status == Status.SUPPRESSED and template in SENSITIVE_TYPES:
        body, body_html = SECRET_BLANKED, ""
    due = due_at or now
    if not urgent and status == Status.QUEUED:
        due = next_allowed_send_time(run.calendar(site), due)
    send_now = status == Status.QUEUED and due <= now
    return OutboxMessage(
        idempotency_key=idempotency_key,
        customer=customer,
        site=site,
        brand=brand,
        channel=chosen_channel,
        recipient=recipient,
        purpose=purpose,
        urgent=urgent,
        template_key=template,
        language=language,
        requested_language=customer.language,
        subject=subject,
        body=body,
        body_html=body_html,
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=str(about.pk) if about is not None else "",
        about_repr=str(about)[:200] if about is not None else "",
        status=status,
        failure_code=failure_code,
        due_at=due,
        enqueued_at=now if send_now else None,
        created_at=now,
        updated_at=now,
    )


def _send_after_commit(message_ids: list[int]) -> None:
    """Hand the messages due now to workers once the chunk commits (the sweeper picks up any the broker missed)."""
    if not message_ids:
        return
    from .tasks import send_message

    def enqueue():
        for message_id in message_ids:
            send_message.delay(message_id)

    transaction.on_commit(enqueue, robust=True)
