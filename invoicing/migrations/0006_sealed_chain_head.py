"""Issue 22: no TRUNCATE of what was issued, and a chain whose tail cannot be cut unseen.

PostgreSQL: a statement-level BEFORE TRUNCATE trigger refuses a TRUNCATE (with or
without CASCADE, which truncates the referencing tables too) of the invoices and
credit notes, their lines, the stored PDFs, the payments and refunds, the closures
and the chain heads. Nothing in the application bypasses it; the maintenance
escape is the table owner's ``ALTER TABLE ... DISABLE TRIGGER`` (or a superuser's
``session_replication_role = replica``), the path the test suite's flush takes
(conftest.py) and the one an attacker with the owner's rights would take, which
the sealed head and the daily e-mail of the head reveal.

The chain head gets a seal (HMAC of its site, position and hash, see
``invoicing.chain.head_seal``; existing heads are sealed here) and a trigger:
it only moves forward one link at a time (or keeps its position and hash), and
is never deleted. Each closure records the head it saw.

SQLite rebuilds the closure table to add its columns and the rebuilt table loses
its triggers: migration 0002's triggers are put back (both ways).
"""

import importlib

from django.db import migrations, models

REFUSE_CHANGES = importlib.import_module("invoicing.migrations.0002_refuse_changes_to_issued_documents")

PROTECTED_TABLES = (
    "invoicing_invoice",
    "invoicing_invoiceline",
    "invoicing_invoicepdf",
    "invoicing_payment",
    "invoicing_closure",
    "invoicing_chainhead",
)

HEAD_MOVES = "NEW.site_id = OLD.site_id AND (NEW.position = OLD.position + 1 OR (NEW.position = OLD.position AND NEW.hash = OLD.hash))"

POSTGRES = f"""
CREATE FUNCTION invoicing_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'invoicing: TRUNCATE of % is refused (issued documents and their chain are kept)', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE FUNCTION invoicing_chain_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {HEAD_MOVES} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'invoicing: % of a chain head is refused (it only moves forward, one link at a time)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER invoicing_chainhead_forward BEFORE UPDATE OR DELETE ON invoicing_chainhead
    FOR EACH ROW EXECUTE FUNCTION invoicing_chain_head_forward();
""" + "".join(
    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION invoicing_refuse_truncate();\n"
    for table in PROTECTED_TABLES
)

POSTGRES_REVERSE = (
    "".join(f"DROP TRIGGER {table}_no_truncate ON {table};\n" for table in PROTECTED_TABLES)
    + """
DROP TRIGGER invoicing_chainhead_forward ON invoicing_chainhead;
DROP FUNCTION invoicing_chain_head_forward();
DROP FUNCTION invoicing_refuse_truncate();
"""
)

SQLITE_HEAD_TRIGGER = (
    "CREATE TRIGGER invoicing_chainhead_forward BEFORE UPDATE ON invoicing_chainhead FOR EACH ROW "
    f"WHEN NOT ({HEAD_MOVES}) "
    "BEGIN SELECT RAISE(ABORT, 'invoicing: a chain head only moves forward, one link at a time'); END"
)
SQLITE_TRIGGERS = ("invoicing_chainhead_forward",)


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in REFUSE_CHANGES.SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    REFUSE_CHANGES.create_triggers(apps, schema_editor)


def seal_heads(apps, schema_editor):
    from invoicing.chain import head_seal

    ChainHead = apps.get_model("invoicing", "ChainHead")
    for head in ChainHead.objects.select_related("site").order_by("pk"):
        seal = head_seal(site_code=head.site.code, position=head.position, digest=head.hash)
        ChainHead.objects.filter(pk=head.pk).update(seal=seal)


def create_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        restore_sqlite_triggers(apps, schema_editor)
        schema_editor.execute(SQLITE_HEAD_TRIGGER)


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0005_sales_leads")]

    operations = [
        # Going back, the closure table is rebuilt without the columns below: its triggers are put back after.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AddField(
            model_name="chainhead",
            name="reported_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="last e-mailed for"),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="seal (HMAC of the head)"),
        ),
        migrations.AddField(
            model_name="closure",
            name="head_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="chain head seen, hash"),
        ),
        migrations.AddField(
            model_name="closure",
            name="head_position",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True, verbose_name="chain head seen, position"),
        ),
        migrations.RunPython(seal_heads, migrations.RunPython.noop),
        migrations.RunPython(create_guards, drop_guards),
    ]
