"""One calendar event per booking: a UID kept across moves and a version (SEQUENCE) raised at each change.

A booking made before keeps the UID its calendar file already carried ("appointment-<id>@<site code>"), so the
next move or cancellation updates the event the customer has instead of adding another one.
"""

from django.db import migrations, models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

import appointments.models


def keep_sent_uids(apps, schema_editor):
    Appointment = apps.get_model("appointments", "Appointment")
    for site_id, code in apps.get_model("accounts", "Site").objects.values_list("pk", "code"):
        Appointment.objects.filter(site_id=site_id).update(
            calendar_uid=Concat(Value("appointment-"), Cast("pk", output_field=CharField()), Value(f"@{code}"))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0011_breakdown_call"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="calendar_uid",
            field=models.CharField(default="", editable=False, max_length=255, verbose_name="calendar event"),
            preserve_default=False,
        ),
        migrations.RunPython(keep_sent_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appointment",
            name="calendar_uid",
            field=models.CharField(
                default=appointments.models.new_calendar_uid, editable=False, max_length=255, verbose_name="calendar event"
            ),
        ),
        migrations.AddField(
            model_name="appointment",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="calendar event version"),
        ),
    ]
