# A work order can be opened in advance from the preparation list ("prepared") and is opened with the customer at check-in.
import django.utils.timezone
from django.db import migrations, models

STATUS_CHOICES = [
    ("prepared", "Prepared in advance"),
    ("draft", "Check-in in progress"),
    ("checked_in", "Checked in"),
    ("signed", "Signed by the customer"),
    ("in_workshop", "In the workshop"),
    ("quality_check", "Waiting for the quality check"),
    ("ready", "Ready for invoicing"),
    ("delivered", "Handed over to the customer"),
    ("cancelled", "Cancelled"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0008_system_texts_as_codes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="workorder",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the customer was received: an order prepared in advance takes the moment of the check-in.",
                verbose_name="opened at",
            ),
        ),
        migrations.AlterField(
            model_name="workorder",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, default="draft", max_length=16, verbose_name="status"),
        ),
        migrations.AlterField(
            model_name="workorderevent",
            name="from_status",
            field=models.CharField(blank=True, choices=STATUS_CHOICES, max_length=16, verbose_name="from"),
        ),
        migrations.AlterField(
            model_name="workorderevent",
            name="to_status",
            field=models.CharField(choices=STATUS_CHOICES, max_length=16, verbose_name="to"),
        ),
    ]
