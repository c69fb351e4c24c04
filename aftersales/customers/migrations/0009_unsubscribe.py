from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_offers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consentrecord",
            name="source",
            field=models.CharField(
                choices=[
                    ("form", "Staff form"),
                    ("phone_call", "Phone call"),
                    ("online", "Online"),
                    ("sms_reply", "SMS reply"),
                    ("import", "Import"),
                    ("unsubscribe", "Unsubscribe link in an e-mail"),
                    ("one_click", "One-click unsubscribe from the mail program"),
                ],
                max_length=12,
                verbose_name="source",
            ),
        ),
    ]
