# The breakdown or accident call and its link from the diagnosis appointment (issue 18).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_assistance_contacts"),
        ("appointments", "0010_system_texts_as_codes"),
        ("customers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BreakdownCall",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("breakdown", "Breakdown"), ("accident", "Accident")], max_length=10, verbose_name="breakdown or accident"
                    ),
                ),
                ("location", models.CharField(blank=True, max_length=300, verbose_name="where the vehicle is")),
                ("latitude", models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="latitude")),
                ("longitude", models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="longitude")),
                ("anyone_injured", models.BooleanField(default=False, verbose_name="someone injured")),
                ("emergency_services_alerted", models.BooleanField(default=False, verbose_name="emergency services alerted")),
                ("towing_needed", models.BooleanField(default=False, verbose_name="towing needed")),
                ("courtesy_car_needed", models.BooleanField(default=False, verbose_name="courtesy car needed")),
                ("insurer", models.CharField(blank=True, max_length=120, verbose_name="insurer")),
                ("policy_number", models.CharField(blank=True, max_length=60, verbose_name="policy number")),
                ("assistance_file_number", models.CharField(blank=True, max_length=60, verbose_name="assistance file number")),
                ("taken_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="taken at")),
                (
                    "assistance_partner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.assistancecontact",
                        verbose_name="assistance partner called",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="breakdown_calls",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="breakdown_calls", to="accounts.site", verbose_name="site"
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="taken by"
                    ),
                ),
                (
                    "vehicle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="breakdown_calls",
                        to="customers.vehicle",
                        verbose_name="vehicle",
                    ),
                ),
            ],
            options={
                "verbose_name": "breakdown or accident call",
                "verbose_name_plural": "breakdown and accident calls",
                "ordering": ["-taken_at", "-pk"],
                "indexes": [models.Index(fields=["site", "taken_at"], name="breakdown_call_site_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(models.Q(("location", ""), _negated=True), ("latitude__isnull", False), _connector="OR"),
                        name="breakdown_call_has_location",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("latitude__isnull", True), ("longitude__isnull", True)),
                            models.Q(
                                ("latitude__gte", -90),
                                ("latitude__isnull", False),
                                ("latitude__lte", 90),
                                ("longitude__gte", -180),
                                ("longitude__isnull", False),
                                ("longitude__lte", 180),
                            ),
                            _connector="OR",
                        ),
                        name="breakdown_call_coordinates_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("anyone_injured", True), ("emergency_services_alerted", False), _negated=True),
                        name="breakdown_call_injured_alerted",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="appointment",
            name="breakdown_call",
            field=models.ForeignKey(
                blank=True,
                help_text="The call this diagnosis appointment was booked in; kept when the appointment is moved.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="appointments.breakdowncall",
                verbose_name="breakdown or accident call",
            ),
        ),
    ]
