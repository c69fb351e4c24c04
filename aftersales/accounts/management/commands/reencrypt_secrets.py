"""Encrypt every secret at rest again with the first of FIELD_ENCRYPTION_KEYS (the key rotation's middle step)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from aftersales.accounts.models import TwoFactorDevice


class Command(BaseCommand):
    help = "Encrypt the TOTP secrets again with the newest FIELD_ENCRYPTION_KEYS key; then the old key can be removed."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for device in TwoFactorDevice.objects.select_for_update().order_by("pk"):
                device.save(update_fields=["secret"])  # read with any listed key, written with the first
                count += 1
        self.stdout.write(f"{count} secret(s) encrypted with the newest key.")
