from django.db import migrations


def seed(apps, schema_editor):
    from aftersales.messaging.catalogue import seed_default_templates

    seed_default_templates(apps.get_model("messaging", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
