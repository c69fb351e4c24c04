"""Customer messaging: queue inside the business transaction, send exactly once.

The contract the stages call::

    queue_message(
        *, customer, template: str, context: dict, about=None, idempotency_key: str,
        purpose: "service" | "marketing", channel: str | None = None, due_at: datetime | None = None,
        urgent: bool = False, attachments: list[tuple[str, bytes, str]] = (), ics_event: dict | None = None,
        actor=None, vehicle=None,
    ) -> OutboxMessage

Call it INSIDE your transaction. It writes the outbox row (or returns the
existing one when ``idempotency_key`` is already used: never a second row)
and, for a message due now, registers ``transaction.on_commit`` to enqueue
the ``send_message`` task. ``about`` is any model instance (kept as content
type + id). ``channel`` None means the customer's preferred channel, falling
back to the other one. ``attachments`` go with e-mails; ``ics_event``
(``lib.ics.build_event``'s arguments but the time zone: uid, start, end,
summary, optional location, description, sequence, method, organizer) adds
an .ics invitation addressed to the recipient, sent with its method.
``template`` is a key of ``catalogue.MESSAGE_TYPES``; ``context`` supplies
its variables (``customer``, ``site`` and ``brand_name`` are added).

The brand's contact point signs the message: the brand is the context's
``brand`` entry, else that of ``vehicle`` (by default the ``about`` record's
vehicle) at the customer's site. The row keeps it (``OutboxMessage.brand``):
it picks the SMS sender and the e-mail's From and Reply-To; and the texts'
``site`` is the contact point (``accounts.contact_points``), so ``site.name``,
``site.phone`` and ``site.email`` are the brand's, the site's own where the
brand has none there.

Rules:
- Channel and consent. Marketing needs the latest ConsentRecord of the
  channel to be a grant. Service messages go by any channel the customer has
  an address for, except SMS after the customer answered STOP (latest SMS
  record: a withdrawal by SMS reply). Preferred channel first, then the other;
  with none usable the row is ``suppressed`` with its reason.
- Marketing types (``catalogue.MARKETING_TYPES``) are queued as marketing
  only; a marketing e-mail offers the one-click unsubscribe, a marketing SMS
  ends with the STOP instruction (``unsubscribe``).
- Quiet hours: a non-urgent message is due no earlier than the next moment
  allowed by ``lib.business_hours`` (08:00-20:00 site time, open days).
- Language: the customer's, else the site's, else English; the row keeps the
  customer's language in ``requested_language`` so the log shows the fallback.
- Sending (``deliver_message``): claimed by a conditional update
  ``queued -> sending`` (one row or nothing to do), the provider is called
  outside any transaction, the result is recorded after. Temporary errors
  re-queue with capped exponential backoff (``retry_delay``) up to
  ``MAX_ATTEMPTS``; permanent ones end ``undeliverable`` at once.
- Nothing waits in the broker: due rows are picked by the sweeper
  (``sweep_outbox``, every minute), which also recovers rows left in
  ``sending`` by a killed worker after ``SENDING_TIMEOUT``: when the provider
  has the message (Twilio: a message with this body to this number created
  since the claim) it is recorded as sent and never sent again; when the
  provider is sure it has none, it is re-queued; when the provider cannot
  tell (SMTP, console) it is re-queued once, and a second stall ends
  ``failed`` with "uncertain" for staff to check.
- Provider callbacks only move a message forward (``OutboxMessage.PROGRESS``).
"""

from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks

from aftersales.accounts.contact_points import brand_of, contact_point_for
from aftersales.accounts.models import Brand
from aftersales.audit.services import model_changes, record_change
from aftersales.customers.models import Channel, ConsentRecord
from aftersales.lib.business_hours import next_allowed_send_time
from aftersales.lib.ics import Party, build_event
from aftersales.lib.ics import content_type as ics_content_type
from aftersales.lib.system_texts import SystemText

from . import gateways
from .catalogue import MARKETING_TYPES, SENSITIVE_TYPES
from .exceptions import InvalidMessageRequest, MissingTemplate, PermanentSendError, TemporarySendError
from .models import (
    InboundMessage,
    MessageChannel,
    MessageEvent,
    MessageTemplate,
    OutboxAttachment,
    OutboxMessage,
    Purpose,
    SmsSender,
)
from .replies import dispatch_reply
from .system_texts import NOT_SENT, NOT_SENT_AGAIN, PROVIDER_HAS_IT, QUEUED_AGAIN
from .unsubscribe import unsubscribe_url, with_stop_instruction

SECRET_BLANKED = "••••••"

Status = OutboxMessage.Status

MAX_ATTEMPTS = 6
SENDING_TIMEOUT = timedelta(minutes=10)  # well above CELERY_TASK_TIME_LIMIT
ENQUEUE_AGAIN_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 200

OPT_OUT_WORDS = {
    "stop",
    "stopall",
    "stop all",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "optout",
    "opt out",
    "revoke",
    "arret",
    "arrêt",
    "stop sms",
    "désabonner",
    "desabonner",
    "стоп",
    "отписаться",
    "отписка",
    "退订",
    "取消订阅",
    "td",
}
OPT_IN_WORDS = {"start", "unstop", "subscribe", "старт", "订阅"}


def queue_message(
    *,
    customer,
    template: str,
    context: dict,
    about=None,
    idempotency_key: str,
    purpose: str,
    channel: str | None = None,
    due_at: datetime | None = None,
    urgent: bool = False,
    attachments=(),
    ics_event: dict | None = None,
    actor=None,
    vehicle=None,
) -> OutboxMessage:
    check_message_request(idempotency_key=idempotency_key, purpose=purpose, channel=channel, template=template)
    existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing

    now = timezone.now()
    site = customer.site
    chosen_channel, recipient, failure_code = choose_channel(customer=customer, purpose=purpose, channel=channel)
    message_template, language = find_template(key=template, languages=[customer.language, site.language, settings.LANGUAGE_CODE])
    brand = message_brand(site=site, context=context, vehicle=vehicle if vehicle is not None else getattr(about, "vehicle", None))
    contact = contact_point_for(site, brand)
    marketing = purpose == Purpose.MARKETING
    subject, body, body_html = render_message(
        message_template=message_template,
        channel=chosen_channel,
        language=language,
        context={
            **context,
            "customer": customer,
            "site": contact,
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
        due = next_allowed_send_time(site, due)
    send_now = status == Status.QUEUED and due <= now
    message = OutboxMessage(
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
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return OutboxMessage.objects.get(idempotency_key=idempotency_key)
    if chosen_channel == MessageChannel.EMAIL and status == Status.QUEUED:
        _store_attachments(message, attachments, ics_event, contact)
    note = NOT_SENT(reason=failure_code) if failure_code else ""
    MessageEvent.objects.create(message=message, at=now, to_status=status, **SystemText.of(note).fields("note"), actor=message.created_by)
    if send_now:
        from .tasks import send_message

        # robust: with the broker down the row stays queued for the sweeper; the caller's commit stands.
        transaction.on_commit(lambda: send_message.delay(message.pk), robust=True)
    return message


def check_message_request(*, idempotency_key: str, purpose: str, channel: str | None, template: str) -> None:
    if not idempotency_key or len(idempotency_key) > 200:
        raise InvalidMessageRequest("idempotency_key must be 1-200 characters")
    if purpose not in Purpose.values:
        raise InvalidMessageRequest(f"purpose must be one of {Purpose.values}")
    if channel is not None and channel not in MessageChannel.values:
        raise InvalidMessageRequest(f"channel must be one of {MessageChannel.values} or None")
    if template in MARKETING_TYPES and purpose != Purpose.MARKETING:
        raise InvalidMessageRequest(f"{template} is a marketing message: its purpose must be marketing")


def message_brand(*, site, context: dict, vehicle) -> Brand | None:
    """The brand a message speaks for: the context's ``brand``, else the vehicle's brand at the site."""
    if isinstance(context.get("brand"), Brand):
        return context["brand"]
    return brand_of(site, vehicle)


def _store_attachments(message, attachments, ics_event, site) -> None:
    rows = [OutboxAttachment(message=message, filename=name, content=content, mimetype=mimetype) for name, content, mimetype in attachments]
    if ics_event:
        event = {**ics_event, "location": ics_event.get("location") or f"{site.name}, {site.address}, {site.postcode} {site.city}"}
        ics = build_event(**event, time_zone=site.tz, attendee=Party(name=str(message.customer), email=message.recipient))
        mimetype = ics_content_type(event.get("method", "PUBLISH"))
        rows.append(OutboxAttachment(message=message, filename="appointment.ics", content=ics, mimetype=mimetype))
    OutboxAttachment.objects.bulk_create(rows)


def latest_consents(customer) -> dict[str, ConsentRecord]:
    latest = {}
    for record in ConsentRecord.objects.filter(customer=customer).order_by("-recorded_at", "-pk"):
        latest.setdefault(record.channel, record)
    return latest


def choose_channel(*, customer, purpose: str, channel: str | None, consents: dict | None = None) -> tuple[str, str, str]:
    """(channel, recipient, failure code): the first usable channel, or the reason none is; ``consents``: the
    customer's ``latest_consents`` when already read."""
    if channel:
        candidates = [channel]
    elif customer.preferred_channel == Channel.EMAIL:
        candidates = [MessageChannel.EMAIL, MessageChannel.SMS]
    else:
        candidates = [MessageChannel.SMS, MessageChannel.EMAIL]
    if consents is None:
        consents = latest_consents(customer)
    reasons = set()
    for candidate in candidates:
        address = customer.mobile if candidate == MessageChannel.SMS else customer.email
        consent = consents.get(candidate)
        if not address:
            reasons.add("no_contact")
        elif purpose == Purpose.MARKETING and not (consent and consent.granted):
            reasons.add("opted_out" if consent else "no_consent")
        elif consent and not consent.granted and consent.source == ConsentRecord.Source.SMS_REPLY:
            reasons.add("opted_out")
        else:
            return candidate, address, ""
    most_telling = next(reason for reason in ("opted_out", "no_consent", "no_contact") if reason in reasons)
    return candidates[0], "", most_telling


def find_template(*, key: str, languages: list[str]) -> tuple[MessageTemplate, str]:
    found = {t.language: t for t in MessageTemplate.objects.filter(key=key, language__in=languages)}
    for language in languages:
        if language in found:
            return found[language], language
    raise MissingTemplate()


def render_message(
    *, message_template: MessageTemplate, channel: str, language: str, context: dict, marketing: bool = False
) -> tuple[str, str, str]:
    """(subject, text, HTML) in the message's language and the site's time zone; a marketing SMS ends with the
    STOP instruction, a marketing e-mail's footer links to ``context["unsubscribe_url"]``."""
    site = context["site"]
    with translation.override(language), timezone.override(site.tz):

        def plain(source: str) -> str:
            return compiled(source).render(Context(context, autoescape=False)).strip()

        if channel == MessageChannel.SMS:
            sms = plain(message_template.sms_body)
            return "", with_stop_instruction(sms) if marketing else sms, ""
        subject = " ".join(plain(message_template.subject).split())[:250]
        text = plain(message_template.body_text)
        if message_template.body_html:
            inner_html = compiled(message_template.body_html).render(Context(context))
        else:
            inner_html = linebreaks(escape(text))
        frame = {"site": site, "brand_name": context.get("brand_name", ""), "subject": subject, "text": text, "inner_html": inner_html}
        frame["unsubscribe_url"] = context.get("unsubscribe_url", "") if marketing else ""
        return subject, render_to_string("emails/message.txt", frame).strip(), render_to_string("emails/message.html", frame)


@lru_cache(maxsize=512)
def compiled(source: str) -> Template:
    """A template text compiled once per process (a compiled template renders any number of times)."""
    return Template(source)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes… capped at one hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _move(
    message_id: int, *, from_status: str, to_status: str, now: datetime, note: SystemText | str = "", actor=None, match=None, **fields
) -> bool:
    """Conditional update ``from_status -> to_status`` plus its event row; False when another process moved it first."""
    if to_status not in OutboxMessage.TRANSITIONS[from_status]:
        raise ValueError(f"{from_status} -> {to_status} is not an allowed transition")
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message_id, status=from_status, **(match or {})).update(
            status=to_status, updated_at=now, **fields
        )
        if updated:
            MessageEvent.objects.create(
                message_id=message_id,
                at=now,
                from_status=from_status,
                to_status=to_status,
                **SystemText.of(note).fields("note", max_length=500),
                actor=actor,
            )
    return bool(updated)


def deliver_message(*, message_id: int) -> OutboxMessage | None:
    """Send one due message once. Returns None when it is not (or no longer) ours to send."""
    now = timezone.now()
    claimed = _move(
        message_id,
        from_status=Status.QUEUED,
        to_status=Status.SENDING,
        now=now,
        match={"due_at__lte": now},
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    message = OutboxMessage.objects.select_related("site", "customer", "brand").get(pk=message_id)
    try:
        provider_id = gateways.send(message)
    except TemporarySendError as exc:
        _record_temporary_failure(message, exc)
    except PermanentSendError as exc:
        _record_permanent_failure(message, exc)
    else:
        _record_sent(message, provider_id, note="")
    if message.template_key in SENSITIVE_TYPES:
        _blank_secret_text(message.pk)
    message.refresh_from_db()
    return message


def _blank_secret_text(message_id: int) -> None:
    """Once a secret (a one-time code) has left, staff must not be able to read it in the log."""
    OutboxMessage.objects.filter(pk=message_id).exclude(status=Status.QUEUED).update(body=SECRET_BLANKED, body_html="")


def _record_sent(message: OutboxMessage, provider_id: str, *, note: str) -> None:
    now = timezone.now()
    if not _move(message.pk, from_status=Status.SENDING, to_status=Status.SENT, now=now, note=note, provider_id=provider_id, sent_at=now):
        # A provider callback moved it forward first: keep its status, add the id.
        OutboxMessage.objects.filter(pk=message.pk, provider_id="").update(provider_id=provider_id, sent_at=now, updated_at=now)


def _record_temporary_failure(message: OutboxMessage, exc: TemporarySendError) -> None:
    now = timezone.now()
    if message.attempts >= MAX_ATTEMPTS:
        _move(
            message.pk,
            from_status=Status.SENDING,
            to_status=Status.FAILED,
            now=now,
            note=exc.message,
            failure_code="gave_up",
            last_error=str(exc.message)[:500],
        )
        return
    due = now + retry_delay(message.attempts)
    if not message.urgent:
        due = next_allowed_send_time(message.site, due)
    _move(
        message.pk,
        from_status=Status.SENDING,
        to_status=Status.QUEUED,
        now=now,
        note=exc.message,
        last_error=str(exc.message)[:500],
        due_at=due,
        enqueued_at=None,
    )


def _record_permanent_failure(message: OutboxMessage, exc: PermanentSendError) -> None:
    now = timezone.now()
    with transaction.atomic():
        moved = _move(
            message.pk,
            from_status=Status.SENDING,
            to_status=Status.UNDELIVERABLE,
            now=now,
            note=exc.message,
            failure_code=exc.failure_code,
            last_error=str(exc.message)[:500],
        )
        if moved and exc.failure_code == "unsubscribed":
            _withdraw_sms_consent(message.customer, now=now)


def _withdraw_sms_consent(customer, *, now: datetime) -> None:
    latest = latest_consents(customer).get(Channel.SMS)
    if latest is None or latest.granted:
        ConsentRecord.objects.create(
            customer=customer, channel=Channel.SMS, granted=False, source=ConsentRecord.Source.SMS_REPLY, recorded_at=now
        )


def sweep_outbox(*, now: datetime) -> int:
    """The every-minute safety net: hand due rows to workers, recover stalled sends."""
    recovered = recover_stalled_messages(now=now)
    return recovered + enqueue_due_messages(now=now)


def enqueue_due_messages(*, now: datetime) -> int:
    from .tasks import send_message

    with transaction.atomic():
        due = (
            OutboxMessage.objects.filter(status=Status.QUEUED, due_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - ENQUEUE_AGAIN_AFTER))
            .order_by("due_at", "pk")
            .select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        )
        ids = list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
        OutboxMessage.objects.filter(pk__in=ids).update(enqueued_at=now)
        for message_id in ids:
            transaction.on_commit(lambda message_id=message_id: send_message.delay(message_id), robust=True)
    return len(ids)


def recover_stalled_messages(*, now: datetime) -> int:
    stalled = list(
        OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
        .select_related("site", "customer")
        .order_by("claimed_at")[:SWEEP_BATCH]
    )
    for message in stalled:
        found = gateways.find_sent(message)  # an outside call: no transaction open
        same_claim = {"claimed_at": message.claimed_at}
        if found:
            _move(
                message.pk,
                from_status=Status.SENDING,
                to_status=Status.SENT,
                now=now,
                match=same_claim,
                note=PROVIDER_HAS_IT(),
                provider_id=found,
                sent_at=now,
            )
        elif found == "" or message.recoveries == 0:
            _move(
                message.pk,
                from_status=Status.SENDING,
                to_status=Status.QUEUED,
                now=now,
                match=same_claim,
                note=QUEUED_AGAIN(),
                due_at=now,
                enqueued_at=None,
                recoveries=F("recoveries") + 1,
            )
        else:
            _move(
                message.pk,
                from_status=Status.SENDING,
                to_status=Status.FAILED,
                now=now,
                match=same_claim,
                note=NOT_SENT_AGAIN(),
                failure_code="uncertain",
            )
    return len(stalled)


TWILIO_CALLBACK_FAILURES = {"30006": "not_mobile", "30004": "unsubscribed", "21610": "unsubscribed", "21211": "invalid_number"}


def record_provider_status(*, message_id: int | None, provider_id: str, provider_status: str, error_code: str = "") -> OutboxMessage | None:
    """A provider's status callback: applied only when it moves the message forward."""
    target = gateways.TWILIO_STATUS.get(provider_status)
    lookup = Q(pk=message_id) if message_id else Q(provider_id=provider_id)
    now = timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(lookup).first()
        if message is None or (message.provider_id and provider_id and message.provider_id != provider_id):
            return None
        current = message.status
        if target is None or target not in OutboxMessage.TRANSITIONS[current]:
            return message
        if OutboxMessage.PROGRESS[target] <= OutboxMessage.PROGRESS[current]:
            return message
        fields = {"provider_id": message.provider_id or provider_id}
        if target == Status.DELIVERED:
            fields["delivered_at"] = now
        if target in (Status.FAILED, Status.UNDELIVERABLE):
            fields["failure_code"] = TWILIO_CALLBACK_FAILURES.get(error_code, "provider_failed")
            fields["last_error"] = f"Twilio {error_code or provider_status}"
        note = f"provider: {provider_status} {error_code}".strip()
        _move(message.pk, from_status=current, to_status=target, now=now, note=note, **fields)
        if fields.get("failure_code") == "unsubscribed":
            _withdraw_sms_consent(message.customer, now=now)
    message.refresh_from_db()
    return message


def classify_inbound(body: str) -> str:
    word = " ".join(body.strip().strip(".!。！").split()).casefold()
    if word in OPT_OUT_WORDS:
        return InboundMessage.Kind.OPT_OUT
    if word in OPT_IN_WORDS:
        return InboundMessage.Kind.OPT_IN
    return InboundMessage.Kind.REPLY


def receive_sms(*, provider_id: str, from_number: str, to_number: str, body: str) -> InboundMessage:
    """An SMS from a customer: STOP/START words change SMS consent, anything else waits in the inbox."""
    from aftersales.customers.models import Customer

    kind = classify_inbound(body)
    now = timezone.now()
    with transaction.atomic():
        existing = InboundMessage.objects.filter(provider_id=provider_id).first()
        if existing is not None:
            return existing  # providers retry webhooks
        sender = SmsSender.objects.filter(from_number=to_number).select_related("site").first() if to_number else None
        customers = Customer.objects.filter(mobile=from_number).select_related("site").order_by("pk")
        if sender is not None and customers.filter(site=sender.site).exists():
            customers = customers.filter(site=sender.site)
        customers = list(customers.select_for_update())
        customer = customers[0] if customers else None
        inbound = InboundMessage.objects.create(
            provider_id=provider_id,
            from_number=from_number,
            to_number=to_number,
            body=body[:1600],
            kind=kind,
            customer=customer,
            site=sender.site if sender else (customer.site if customer else None),
            received_at=now,
            handled_at=None if kind == InboundMessage.Kind.REPLY else now,
        )
        if kind == InboundMessage.Kind.REPLY and dispatch_reply(inbound):
            inbound.handled_at = now
            inbound.save(update_fields=["handled_at"])
        if kind != InboundMessage.Kind.REPLY:
            ConsentRecord.objects.bulk_create(
                ConsentRecord(
                    customer=c,
                    channel=Channel.SMS,
                    granted=kind == InboundMessage.Kind.OPT_IN,
                    source=ConsentRecord.Source.SMS_REPLY,
                    recorded_at=now,
                )
                for c in customers
            )
    return inbound


def mark_inbound_handled(*, inbound: InboundMessage, actor) -> InboundMessage:
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if locked.handled_at is None:
            locked.handled_at = timezone.now()
            locked.handled_by = actor
            locked.save(update_fields=["handled_at", "handled_by"])
            record_change(actor=actor, obj=locked, action="update", changes={"handled_at": [None, locked.handled_at.isoformat()]})
    return locked


TEMPLATE_FIELDS = ["subject", "body_text", "body_html", "sms_body"]


def update_message_template(*, template: MessageTemplate, data: dict, actor) -> MessageTemplate:
    with transaction.atomic():
        locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
        before = MessageTemplate(**{name: getattr(locked, name) for name in TEMPLATE_FIELDS})
        for name in TEMPLATE_FIELDS:
            setattr(locked, name, data[name])
        changes = model_changes(before, locked, TEMPLATE_FIELDS)
        if changes:
            locked.updated_at = timezone.now()
            locked.updated_by = actor
            locked.save()
            record_change(actor=actor, obj=locked, action="update", changes=changes)
    return locked
