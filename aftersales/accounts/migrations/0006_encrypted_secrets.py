# TOTP secrets encrypted at rest (issue 22): widen the column, encrypt what is there, then read it through the field.
from django.db import migrations, models

import aftersales.lib.encryption
from aftersales.lib.encryption import decrypt_text, encrypt_text


def encrypt_secrets(apps, schema_editor):
    TwoFactorDevice = apps.get_model("accounts", "TwoFactorDevice")
    for device in TwoFactorDevice.objects.only("pk", "secret").iterator():
        TwoFactorDevice.objects.filter(pk=device.pk).update(secret=encrypt_text(device.secret))


def decrypt_secrets(apps, schema_editor):
    TwoFactorDevice = apps.get_model("accounts", "TwoFactorDevice")
    for device in TwoFactorDevice.objects.only("pk", "secret").iterator():
        TwoFactorDevice.objects.filter(pk=device.pk).update(secret=decrypt_text(device.secret))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_legal_identity"),
    ]

    operations = [
        migrations.AlterField(
            model_name="twofactordevice",
            name="secret",
            field=models.CharField(max_length=255, verbose_name="secret"),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.AlterField(
            model_name="twofactordevice",
            name="secret",
            field=aftersales.lib.encryption.EncryptedCharField(max_length=255, verbose_name="secret"),
        ),
    ]
