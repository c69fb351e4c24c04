# The assistance, towing and insurer contacts a site's agents call during a breakdown or accident call (issue 18).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssistanceContact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("assistance", "Assistance and towing partner"), ("insurer", "Insurer")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("phone", models.CharField(max_length=20, verbose_name="phone")),
                (
                    "hours",
                    models.CharField(blank=True, help_text="e.g. 24/7, or Mon–Fri 8:00–18:00", max_length=80, verbose_name="when to call"),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note for the agent")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position in the list")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "brand",
                    models.ForeignKey(
                        blank=True,
                        help_text="Only for this brand's vehicles; empty: for every vehicle.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.brand",
                        verbose_name="brand",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assistance_contacts",
                        to="accounts.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "assistance or insurer contact",
                "verbose_name_plural": "assistance and insurer contacts",
                "ordering": ["site", "kind", "position", "name"],
                "constraints": [models.UniqueConstraint(fields=("site", "kind", "name"), name="unique_assistance_contact")],
            },
        ),
    ]
