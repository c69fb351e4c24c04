"""Seasonal offers and service packages: an offer says which it is, so the desk and online booking can show both."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_mobility_brands"),
    ]

    operations = [
        migrations.AddField(
            model_name="seasonaloffer",
            name="kind",
            field=models.CharField(
                choices=[("seasonal", "Seasonal offer"), ("package", "Service package")],
                default="seasonal",
                max_length=10,
                verbose_name="kind",
            ),
        ),
    ]
