"""Parts and the loaner before the visit (issue 18).

- A warning that a part will be missing is recorded on the appointment (``PartsDelayWarning``: who, when, the date
  given); the warnings sent before are read back from the appointment's history.
- An order of a part keeps its supplier and expected arrival, which the ``parts_delay`` message now gives.
- The loan contract's terms: price per day, insurance excess and mileage allowance, per loaner or per site.
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

NOT_NEGATIVE = [django.core.validators.MinValueValidator(Decimal("0"))]


def warnings_from_history(apps, schema_editor):
    event_model = apps.get_model("appointments", "AppointmentEvent")
    warning_model = apps.get_model("appointments", "PartsDelayWarning")
    message_model = apps.get_model("messaging", "OutboxMessage")
    first = {}
    for event in event_model.objects.filter(details__has_key="parts_delay_message").order_by("at", "pk"):
        first.setdefault(event.appointment_id, event)
    messages = set(
        message_model.objects.filter(pk__in=[e.details["parts_delay_message"] for e in first.values()]).values_list("pk", flat=True)
    )
    warning_model.objects.bulk_create(
        warning_model(
            appointment_id=appointment_id,
            number=1,
            sent_at=event.at,
            sent_by_id=event.actor_id,
            message_id=event.details["parts_delay_message"] if event.details["parts_delay_message"] in messages else None,
        )
        for appointment_id, event in first.items()
    )


def texts_with_the_expected_date(apps, schema_editor):
    from appointments.message_texts import refresh_message_texts

    refresh_message_texts(apps.get_model("messaging", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0012_calendar_event"),
        ("messaging", "0004_system_texts_as_codes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="loaner",
            name="daily_price",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="0 when lent free of charge; empty: the site's loan terms.",
                max_digits=10,
                null=True,
                validators=NOT_NEGATIVE,
                verbose_name="price per day, VAT included",
            ),
        ),
        migrations.AddField(
            model_name="loaner",
            name="insurance_excess",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Empty: the site's loan terms.",
                max_digits=10,
                null=True,
                validators=NOT_NEGATIVE,
                verbose_name="insurance excess",
            ),
        ),
        migrations.AddField(
            model_name="loaner",
            name="daily_km_allowance",
            field=models.PositiveIntegerField(
                blank=True, help_text="Empty: the site's loan terms.", null=True, verbose_name="mileage allowance per day (km)"
            ),
        ),
        migrations.CreateModel(
            name="LoanTerms",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "daily_price",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0"),
                        help_text="0 when loaners are lent free of charge.",
                        max_digits=10,
                        validators=NOT_NEGATIVE,
                        verbose_name="price per day, VAT included",
                    ),
                ),
                (
                    "insurance_excess",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0"), max_digits=10, validators=NOT_NEGATIVE, verbose_name="insurance excess"
                    ),
                ),
                (
                    "daily_km_allowance",
                    models.PositiveIntegerField(
                        blank=True, help_text="Empty: no limit.", null=True, verbose_name="mileage allowance per day (km)"
                    ),
                ),
                (
                    "site",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="loan_terms", to="accounts.site", verbose_name="site"
                    ),
                ),
            ],
            options={"verbose_name": "loan terms", "verbose_name_plural": "loan terms"},
        ),
        migrations.AddField(
            model_name="partorderrequest",
            name="supplier",
            field=models.CharField(blank=True, max_length=120, verbose_name="supplier"),
        ),
        migrations.AddField(
            model_name="partorderrequest",
            name="expected_on",
            field=models.DateField(blank=True, null=True, verbose_name="expected arrival"),
        ),
        migrations.CreateModel(
            name="PartsDelayWarning",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="sent at")),
                ("expected_on", models.DateField(blank=True, null=True, verbose_name="parts expected on")),
                (
                    "appointment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parts_warnings",
                        to="appointments.appointment",
                        verbose_name="appointment",
                    ),
                ),
                (
                    "message",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="messaging.outboxmessage",
                        verbose_name="message",
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="sent by",
                    ),
                ),
            ],
            options={
                "verbose_name": "parts delay warning",
                "verbose_name_plural": "parts delay warnings",
                "ordering": ["appointment", "number"],
                "constraints": [models.UniqueConstraint(fields=("appointment", "number"), name="unique_parts_warning_number")],
            },
        ),
        migrations.RunPython(warnings_from_history, migrations.RunPython.noop),
        migrations.RunPython(texts_with_the_expected_date, migrations.RunPython.noop),
    ]
