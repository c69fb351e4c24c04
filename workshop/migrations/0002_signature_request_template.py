"""The ``work_order_signature`` message (the signed link to a work order to sign by SMS code) in the four languages."""

from django.db import migrations


def seed(apps, schema_editor):
    from workshop.message_texts import SIGNATURE_TEMPLATE, seed_message_texts

    seed_message_texts(apps.get_model("messaging", "MessageTemplate"), keys=[SIGNATURE_TEMPLATE])


def unseed(apps, schema_editor):
    from workshop.message_texts import SIGNATURE_TEMPLATE

    apps.get_model("messaging", "MessageTemplate").objects.filter(key=SIGNATURE_TEMPLATE, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0001_initial"),
        ("messaging", "0002_seed_default_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
