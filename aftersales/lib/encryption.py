"""Secrets encrypted at rest (TOTP seeds): Fernet, with the keys from the environment, rotation included.

``FIELD_ENCRYPTION_KEYS`` lists Fernet keys, newest first: the first encrypts,
every one of them decrypts (``MultiFernet``). To rotate, put a new key in
front, run ``manage.py reencrypt_secrets`` (every value is encrypted again with
the new key), then remove the old key. Without the setting the key is derived
from SECRET_KEY (development); production sets its own keys.

A database dump alone then gives no usable secret: the key lives elsewhere.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class UndecryptableValue(ValueError):
    """The value was encrypted with a key that FIELD_ENCRYPTION_KEYS no longer lists."""


def derived_key(secret_key: str) -> str:
    digest = hashlib.sha256(f"aftersales.field-encryption:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS) or (derived_key(settings.SECRET_KEY),)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_text(value: str) -> str:
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue("an encrypted value matches none of FIELD_ENCRYPTION_KEYS") from None


class EncryptedCharField(models.CharField):
    """Text kept encrypted in the database and clear in Python; never filtered on (each encryption differs)."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt_text(value)
