"""TOTP secrets are encrypted at rest with keys from the environment, and the keys can be rotated."""

from io import StringIO

import pyotp
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from aftersales.accounts.models import TwoFactorDevice
from aftersales.lib.encryption import UndecryptableValue

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored_secret(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {TwoFactorDevice._meta.db_table} WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_secret_is_stored_encrypted_and_read_clear(settings, manager):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    secret = pyotp.random_base32()
    device = TwoFactorDevice.objects.create(user=manager, secret=secret)

    assert secret not in stored_secret(device)
    assert Fernet(OLD_KEY).decrypt(stored_secret(device).encode()).decode() == secret
    assert TwoFactorDevice.objects.get(pk=device.pk).secret == secret


def test_a_new_key_in_front_reads_the_old_secrets_and_the_command_moves_them_to_it(settings, manager):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    secret = pyotp.random_base32()
    device = TwoFactorDevice.objects.create(user=manager, secret=secret)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert TwoFactorDevice.objects.get(pk=device.pk).secret == secret
    output = StringIO()
    call_command("reencrypt_secrets", stdout=output)
    assert "1 secret(s)" in output.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert TwoFactorDevice.objects.get(pk=device.pk).secret == secret
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    with pytest.raises(UndecryptableValue):
        TwoFactorDevice.objects.get(pk=device.pk)
