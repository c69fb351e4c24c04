import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_encrypted_secrets"),
        ("kpis", "0002_daily_figures"),
    ]

    operations = [
        migrations.CreateModel(
            name="HeadlineTarget",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kpi",
                    models.CharField(
                        choices=[
                            ("confirmation_30_min", "Confirmation within 30 minutes"),
                            ("callback_7_days", "7-day callback rate"),
                            ("fix_it_right", "Fix-It-Right"),
                            ("show_rate", "Show rate"),
                            ("complaints_24h", "Complaints answered within 24 h"),
                            ("web_requests_2h", "Requests answered within 2 working hours"),
                        ],
                        max_length=40,
                        verbose_name="figure",
                    ),
                ),
                (
                    "target",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)],
                        verbose_name="target (%)",
                    ),
                ),
                (
                    "close_margin",
                    models.DecimalField(
                        decimal_places=1,
                        default=5,
                        help_text="A figure at most this many points below the target counts as close to it.",
                        max_digits=4,
                        validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)],
                        verbose_name="close margin (points)",
                    ),
                ),
                (
                    "brand",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.brand",
                        verbose_name="brand",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.site",
                        verbose_name="site",
                    ),
                ),
            ],
            options={
                "verbose_name": "headline figure target",
                "verbose_name_plural": "headline figure targets",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("brand__isnull", True), ("site__isnull", False)),
                            models.Q(("brand__isnull", False), ("site__isnull", True)),
                            _connector="OR",
                        ),
                        name="kpi_target_brand_or_site",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("site__isnull", True)), fields=("kpi", "brand"), name="kpi_target_unique_brand"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("brand__isnull", True)), fields=("kpi", "site"), name="kpi_target_unique_site"
                    ),
                ],
            },
        ),
    ]
