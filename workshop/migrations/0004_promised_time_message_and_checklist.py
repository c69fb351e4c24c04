"""The ``promised_time_changed`` message in the four languages, and the default multi-point inspection checklist."""

from django.db import migrations


def seed(apps, schema_editor):
    from workshop.checklist import seed_default_checklist
    from workshop.message_texts import PROMISED_TIME_TEMPLATE, seed_message_texts

    seed_message_texts(apps.get_model("messaging", "MessageTemplate"), keys=[PROMISED_TIME_TEMPLATE])
    seed_default_checklist(apps.get_model("workshop", "InspectionTemplate"), apps.get_model("workshop", "InspectionItem"))


def unseed(apps, schema_editor):
    from workshop.message_texts import PROMISED_TIME_TEMPLATE

    apps.get_model("messaging", "MessageTemplate").objects.filter(key=PROMISED_TIME_TEMPLATE, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0003_workshop_floor"),
        ("messaging", "0002_seed_default_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
