"""Sales leads are open, contacted, won or lost (a lead closed before is counted lost: its outcome was not kept)."""

from django.db import migrations, models


def closed_to_lost(apps, schema_editor):
    apps.get_model("invoicing", "SalesLead").objects.filter(status="closed").update(status="lost")


def lost_to_closed(apps, schema_editor):
    apps.get_model("invoicing", "SalesLead").objects.filter(status__in=["won", "lost"]).update(status="closed")


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0004_legal_and_money"),
    ]

    operations = [
        migrations.AlterField(
            model_name="saleslead",
            name="status",
            field=models.CharField(
                choices=[("new", "Open"), ("contacted", "Contacted"), ("won", "Won"), ("lost", "Lost")],
                default="new",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="saleslead",
            name="status_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="status changed at"),
        ),
        migrations.RunPython(closed_to_lost, lost_to_closed),
    ]
