"""The quick touch after a handover (message type quick_touch) in the four languages."""

from django.db import migrations


def seed(apps, schema_editor):
    from followup.message_texts import QUICK_TOUCH_TEMPLATES
    from aftersales.messaging.catalogue import seed_default_templates

    seed_default_templates(apps.get_model("messaging", "MessageTemplate"), templates=QUICK_TOUCH_TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [("followup", "0004_satisfaction_followup")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
