"""Signed, expiring links for the customer's public pages (no login).

A token carries a purpose and an object id; it is refused when tampered
with, when it was made for another purpose, or when it is older than its
maximum age. Views turn ``LinkError`` into a friendly page, never an error.
"""

from datetime import timedelta

from django.core import signing

_SALT = "aftersales.customer-link"


class LinkError(Exception):
    """The link was altered, made for something else, or has expired."""


def make_token(*, purpose: str, pk: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign_object({"p": purpose, "id": pk}, compress=True)


def read_token(token: str, *, purpose: str, max_age: timedelta) -> int:
    """The object id the token was made for, or LinkError."""
    try:
        payload = signing.TimestampSigner(salt=_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkError("expired") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkError("invalid") from error
    if not isinstance(payload, dict) or payload.get("p") != purpose or not isinstance(payload.get("id"), int):
        raise LinkError("invalid")
    return payload["id"]
