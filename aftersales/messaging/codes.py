"""One-time codes: prove that the customer holds the mobile on file.

``issue_code(...)`` sends a fresh code by SMS at once (urgent: a customer
waiting for a code cannot wait for quiet hours) and retires the subject's
older codes; ``verify_code(...)`` accepts it once, before it expires, within
``MAX_CODE_ATTEMPTS`` wrong tries. Only a keyed hash of the code is stored.
A wrong try is counted in its own transaction block and the refusal raised
after it, so a caller that catches ``CodeRefused`` keeps the count.
"""

import secrets
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from .exceptions import CodeAttemptsExhausted, CodeExpired, CodeRefused, InvalidMessageRequest
from .models import MessageChannel, OneTimeCode, Purpose
from .services import queue_message

CODE_TTL = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
CODE_DIGITS = 6


def _code_lookup(*, purpose: str, subject, key: str) -> dict:
    if (subject is None) == (not key):
        raise InvalidMessageRequest("a one-time code is for a subject record or a free key, exactly one")
    if subject is not None:
        return {"purpose": purpose, "subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk, "key": ""}
    return {"purpose": purpose, "subject_type": None, "subject_id": None, "key": key}


def _hash_code(row: OneTimeCode, code: str) -> str:
    value = f"{row.purpose}:{row.subject_type_id}:{row.subject_id}:{row.key}:{row.expires_at.timestamp():.0f}:{code}"
    return salted_hmac("aftersales.one-time-code", value, algorithm="sha256").hexdigest()


def issue_code(
    *,
    purpose: str,
    customer,
    subject=None,
    key: str = "",
    actor=None,
    ttl: timedelta = CODE_TTL,
) -> OneTimeCode:
    """Create a code for the subject, queue it to the customer's mobile, retire the older ones."""
    lookup = _code_lookup(purpose=purpose, subject=subject, key=key)
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(**lookup, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        row = OneTimeCode(
            **lookup, customer=customer, created_at=now, max_attempts=MAX_CODE_ATTEMPTS, expires_at=(now + ttl).replace(microsecond=0)
        )
        row.code_hash = _hash_code(row, code)
        row.save()
        row.message = queue_message(
            customer=customer,
            template="one_time_code",
            context={"code": code, "minutes": int(ttl.total_seconds() // 60)},
            about=subject,
            idempotency_key=f"one-time-code:{row.pk}",
            purpose=Purpose.SERVICE,
            channel=MessageChannel.SMS,
            urgent=True,
            actor=actor,
        )
        row.save(update_fields=["message"])
    return row


def verify_code(*, purpose: str, code: str, subject=None, key: str = "") -> OneTimeCode:
    """The subject's latest code if ``code`` matches it; else CodeRefused (a wrong try is counted and kept)."""
    lookup = _code_lookup(purpose=purpose, subject=subject, key=key)
    now = timezone.now()
    with transaction.atomic():
        row = OneTimeCode.objects.select_for_update().filter(**lookup).order_by("-created_at", "-pk").first()
        refusal = _code_refusal(row, code.strip(), now)
        if refusal is None:
            row.used_at = now
            row.save(update_fields=["used_at"])
        elif isinstance(refusal, CodeRefused) and type(refusal) is CodeRefused and row is not None and row.used_at is None:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            if row.attempts >= row.max_attempts:
                refusal = CodeAttemptsExhausted()
    if refusal is not None:
        raise refusal
    return row


def _code_refusal(row: OneTimeCode | None, code: str, now: datetime) -> CodeRefused | None:
    if row is None:
        return CodeRefused(_("No code was sent for this. Ask for a code first."))
    if row.used_at is not None:
        return CodeExpired(_("This code was already used. Ask for a new one."))
    if row.expires_at <= now:
        return CodeExpired()
    if row.attempts >= row.max_attempts:
        return CodeAttemptsExhausted()
    if not constant_time_compare(row.code_hash, _hash_code(row, code)):
        return CodeRefused()
    return None
