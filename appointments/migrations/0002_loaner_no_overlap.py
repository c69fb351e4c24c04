"""Overlapping reservations of one loaner are refused by PostgreSQL.

The exclusion constraint is PostgreSQL-only, so it is not in the model's Meta
(SQLite could not rebuild the table with it): this migration adds it when the
database is PostgreSQL and does nothing elsewhere, where the booking
transaction checks the overlap instead.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import Func

CONSTRAINT_NAME = "loaner_reservation_no_overlap"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def loaner_no_overlap() -> ExclusionConstraint:
    return ExclusionConstraint(
        name=CONSTRAINT_NAME,
        expressions=[
            (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
            ("loaner", RangeOperators.EQUAL),
        ],
    )


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("appointments", "LoanerReservation")
        schema_editor.execute(loaner_no_overlap().create_sql(model, schema_editor))


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("appointments", "LoanerReservation")
        schema_editor.execute(loaner_no_overlap().remove_sql(model, schema_editor))


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, remove_constraint),
    ]
