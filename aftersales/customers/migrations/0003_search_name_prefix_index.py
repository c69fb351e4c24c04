"""A prefix index for two-character name searches (PostgreSQL only).

Trigram indexes need three characters; ``LIKE 'ma%'`` on the folded name
is served by a B-tree with the pattern operator class instead.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_search_name_prefix ON customers_customer (search_name varchar_pattern_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_search_name_prefix")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search_trigram_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
