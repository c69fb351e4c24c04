"""Trigram indexes for the one-box customer search (PostgreSQL only).

The search filters with ``LIKE '%…%'`` on folded columns; GIN trigram
indexes let PostgreSQL answer that without reading every row. Other
databases (SQLite in development) skip this migration's SQL.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TRIGRAM_INDEXES = [
    ("customer_search_name_trgm", "customers_customer", "search_name"),
    ("customer_search_phones_trgm", "customers_customer", "search_phones"),
    ("vehicle_plate_key_trgm", "customers_vehicle", "plate_key"),
    ("vehicle_vin_trgm", "customers_vehicle", "vin"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
