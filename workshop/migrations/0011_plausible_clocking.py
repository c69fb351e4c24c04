import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0010_checkin_and_proposals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClockingReview",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("flagged_at", models.DateTimeField(verbose_name="signed off at")),
                ("sold_hours", models.DecimalField(decimal_places=2, max_digits=6, verbose_name="sold hours")),
                (
                    "clocked",
                    models.DurationField(
                        help_text="Flagged when under a quarter or over four times the sold hours, unless the two are less than 15 minutes apart.",
                        verbose_name="clocked time",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting the foreman's confirmation"),
                            ("confirmed", "Confirmed as clocked"),
                            ("corrected", "Corrected by the foreman"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("corrected_clocked", models.DurationField(blank=True, null=True, verbose_name="real clocked time")),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clocking_review",
                        to="workshop.workorderjob",
                        verbose_name="job",
                    ),
                ),
                (
                    "technician",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="signed off by",
                    ),
                ),
            ],
            options={
                "verbose_name": "clocking review",
                "verbose_name_plural": "clocking reviews",
                "ordering": ["flagged_at", "pk"],
                "indexes": [models.Index(condition=models.Q(("status", "pending")), fields=["status"], name="clocking_review_pending_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "pending"), models.Q(("decided_at__isnull", False), ("decided_by__isnull", False)), _connector="OR"
                        ),
                        name="clocking_review_decided_is_signed",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "corrected"), _negated=True),
                            models.Q(("corrected_clocked__isnull", False), models.Q(("reason", ""), _negated=True)),
                            _connector="OR",
                        ),
                        name="clocking_review_correction_has_time_and_reason",
                    ),
                ],
            },
        ),
    ]
