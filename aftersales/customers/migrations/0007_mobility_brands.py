"""A mobility service may be offered for some brands of its site only (the Lexus Lounge for a Lexus)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_part_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="mobilityservice",
            name="brands",
            field=models.ManyToManyField(
                blank=True,
                help_text="Offered only for vehicles of these brands. Empty: for every vehicle.",
                related_name="mobility_services",
                to="accounts.brand",
                verbose_name="brands",
            ),
        ),
    ]
