"""The ``invoice_email`` message (the invoice PDF sent by e-mail) in the four languages."""

from django.db import migrations


def seed(apps, schema_editor):
    from invoicing.message_texts import seed_message_texts

    seed_message_texts(apps.get_model("messaging", "MessageTemplate"))


def unseed(apps, schema_editor):
    from invoicing.message_texts import INVOICE_EMAIL_TEMPLATE

    apps.get_model("messaging", "MessageTemplate").objects.filter(key=INVOICE_EMAIL_TEMPLATE, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0002_refuse_changes_to_issued_documents"),
        ("messaging", "0002_seed_default_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
