"""The edge of the system: SMS providers and the mail server.

``send(message)`` hands a stored outbox message to its channel and returns
the provider's id for it, or raises ``TemporarySendError`` /
``PermanentSendError``. ``find_sent(message)`` asks the provider whether a
message it may have received before a worker died exists: the provider id,
``""`` when the provider is sure it has none, ``None`` when it cannot tell.

SMS backends (``settings.SMS_BACKEND``): ``console`` logs and records the
message as sent (development), ``locmem`` appends to ``sms_outbox`` (tests),
``twilio`` sends through the ``twilio`` library.
"""

import logging
import smtplib
from datetime import timedelta
from email.headerregistry import Address

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db.models import Q
from django.urls import reverse
from django.utils.module_loading import import_string

from aftersales.accounts.contact_points import ContactPoint, contact_point_for
from aftersales.lib.mail import AUTOMATED_HEADERS

from .exceptions import PermanentSendError, TemporarySendError
from .models import MessageChannel, OutboxMessage, Purpose, SmsSender
from .unsubscribe import unsubscribe_headers

logger = logging.getLogger(__name__)

sms_outbox: list[dict] = []

# Twilio error codes (https://www.twilio.com/docs/api/errors) that no retry can fix.
TWILIO_PERMANENT = {21211: "invalid_number", 21614: "not_mobile", 21610: "unsubscribed"}
TWILIO_TEMPORARY = {20429, 20500, 20503, 30001}
# Twilio's statuses in a status callback or a message lookup, as outbox statuses.
TWILIO_STATUS = {
    "accepted": OutboxMessage.Status.SENT,
    "scheduled": OutboxMessage.Status.SENT,
    "queued": OutboxMessage.Status.SENT,
    "sending": OutboxMessage.Status.SENT,
    "sent": OutboxMessage.Status.SENT,
    "delivered": OutboxMessage.Status.DELIVERED,
    "read": OutboxMessage.Status.DELIVERED,
    "undelivered": OutboxMessage.Status.UNDELIVERABLE,
    "failed": OutboxMessage.Status.FAILED,
}


def send(message: OutboxMessage) -> str:
    if message.channel == MessageChannel.EMAIL:
        return send_email(message)
    return sms_backend().send(message)


def find_sent(message: OutboxMessage) -> str | None:
    if message.channel == MessageChannel.EMAIL:
        return None  # SMTP offers no way to ask
    return sms_backend().find_sent(message)


def sms_backend():
    return SMS_BACKENDS[settings.SMS_BACKEND]()


class ConsoleSmsBackend:
    def send(self, message: OutboxMessage) -> str:
        logger.info("SMS to %s: %s", message.recipient, message.body)
        return f"console-{message.pk}"

    def find_sent(self, message: OutboxMessage) -> str | None:
        return None


def sms_sender_for(message: OutboxMessage) -> SmsSender | None:
    """Who an SMS comes from: the sender of the message's brand at its site, else the site's."""
    candidates = Q(brand__isnull=True) | (Q(brand_id=message.brand_id) if message.brand_id else Q())
    senders = {s.brand_id: s for s in SmsSender.objects.filter(candidates, site_id=message.site_id)}
    return senders.get(message.brand_id) or senders.get(None)


class LocmemSmsBackend:
    def send(self, message: OutboxMessage) -> str:
        provider_id = f"locmem-{len(sms_outbox) + 1}"
        sender = sms_sender_for(message)
        sms_outbox.append(
            {
                "to": message.recipient,
                "from": (sender.from_number or sender.messaging_service_sid) if sender else "",
                "body": message.body,
                "sid": provider_id,
                "message_id": message.pk,
            }
        )
        return provider_id

    def find_sent(self, message: OutboxMessage) -> str | None:
        return next((sms["sid"] for sms in sms_outbox if sms["message_id"] == message.pk), "")


class TwilioSmsBackend:
    def client(self):
        from twilio.rest import Client

        http_client = import_string(settings.TWILIO_HTTP_CLIENT)(timeout=settings.TWILIO_TIMEOUT)
        return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)

    def sender(self, message: OutboxMessage) -> dict:
        chosen = sms_sender_for(message)
        if chosen and chosen.messaging_service_sid:
            return {"messaging_service_sid": chosen.messaging_service_sid}
        if chosen:
            return {"from_": chosen.from_number}
        if settings.TWILIO_DEFAULT_FROM:
            return {"from_": settings.TWILIO_DEFAULT_FROM}
        raise PermanentSendError("No SMS sender is configured for this site.", "rejected")

    def send(self, message: OutboxMessage) -> str:
        options = self.sender(message)
        if settings.SITE_URL.startswith("https://"):
            options["status_callback"] = f"{settings.SITE_URL}{reverse('messaging:twilio_status')}?m={message.pk}"
        try:
            created = self.client().messages.create(to=message.recipient, body=message.body, **options)
        except Exception as exc:
            raise classify_twilio_error(exc) from exc
        return created.sid

    def find_sent(self, message: OutboxMessage) -> str | None:
        """The SID Twilio gave this message, if Twilio created it after the claim.

        Messages to this number created since the claim and not already
        recorded for another outbox row are the candidates: the one with our
        body is ours; candidates whose body differs (Twilio may re-encode
        text) leave the question open (None); no candidate means Twilio never
        got it ("").
        """
        since = message.claimed_at - timedelta(minutes=1)
        try:
            recent = [m for m in self.client().messages.list(to=message.recipient, limit=50) if m.date_created and m.date_created >= since]
        except Exception:
            logger.warning("Twilio lookup for outbox message %s failed", message.pk, exc_info=True)
            return None
        known = set(OutboxMessage.objects.filter(provider_id__in=[m.sid for m in recent]).values_list("provider_id", flat=True))
        candidates = [m for m in recent if m.sid not in known]
        ours = next((m.sid for m in candidates if m.body == message.body), None)
        if ours:
            return ours
        return None if candidates else ""


def classify_twilio_error(exc: Exception) -> Exception:
    from twilio.base.exceptions import TwilioRestException

    if isinstance(exc, TwilioRestException):
        detail = f"Twilio {exc.code or exc.status}: {exc.msg}"
        if exc.code in TWILIO_PERMANENT:
            return PermanentSendError(detail, TWILIO_PERMANENT[exc.code])
        if exc.code in TWILIO_TEMPORARY or exc.status >= 500 or exc.status == 429:
            return TemporarySendError(detail)
        return PermanentSendError(detail, "rejected")
    if isinstance(exc, (requests.Timeout, requests.ConnectionError)):
        return TemporarySendError(f"Twilio unreachable: {exc}")
    return exc


SMS_BACKENDS = {"console": ConsoleSmsBackend, "locmem": LocmemSmsBackend, "twilio": TwilioSmsBackend}


def send_email(message: OutboxMessage) -> str:
    message_id = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None)
    contact = contact_point_for(message.site, message.brand)
    sender = sender_address(contact)
    headers = {"Message-ID": message_id, **AUTOMATED_HEADERS}
    if message.purpose == Purpose.MARKETING:
        headers.update(unsubscribe_headers(customer=message.customer, sender=sender))
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=sender,
        to=[message.recipient],
        reply_to=reply_to_addresses(contact),
        headers=headers,
        connection=get_connection(),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        error = PermanentSendError if all(code >= 500 for code in codes) else TemporarySendError
        raise error(f"SMTP refused the recipient: {exc.recipients}", "recipient_refused") from exc
    except smtplib.SMTPResponseException as exc:
        error = PermanentSendError if exc.smtp_code >= 500 else TemporarySendError
        raise error(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", "rejected") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporarySendError(f"SMTP: {exc}") from exc
    return message_id


def sender_address(contact: ContactPoint) -> str:
    """The From of a customer e-mail: the contact point's name and e-mail (the brand's, else the site's)."""
    return str(Address(display_name=contact.name, addr_spec=contact.email or settings.DEFAULT_FROM_EMAIL))


def reply_to_addresses(contact: ContactPoint) -> list[str] | None:
    """Where the customer's answer goes: the contact point's e-mail (None: back to the sender)."""
    return [contact.email] if contact.email else None
