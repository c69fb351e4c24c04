"""The follow-up stage's message types (concern_info_request, vehicle_life_message) in the four languages."""

from django.db import migrations


def seed(apps, schema_editor):
    from followup.message_texts import seed_followup_templates

    seed_followup_templates(apps.get_model("messaging", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial"), ("messaging", "0002_seed_default_templates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
