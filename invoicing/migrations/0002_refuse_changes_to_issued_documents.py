"""The database refuses to change what was issued, whoever asks (the admin, a script, a SQL console).

PostgreSQL: an UPDATE or DELETE of an issued invoice or credit note, of its
lines (and a line added to it), of a stored PDF, a payment or a closure
raises an error. SQLite (development and quick tests): the same for UPDATE;
a DELETE there is refused by the models only, because Django's test flush
empties SQLite tables with DELETE (PostgreSQL's flush uses TRUNCATE, which
row triggers do not see).
"""

from django.db import migrations

FROZEN_TABLES = ("invoicing_invoicepdf", "invoicing_payment", "invoicing_closure")

POSTGRES = """
CREATE FUNCTION invoicing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'invoicing: % of an issued document in % is refused (issue a credit note instead)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE FUNCTION invoicing_refuse_line_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM invoicing_invoice
               WHERE status = 'issued' AND id IN (CASE WHEN TG_OP = 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END,
                                                  CASE WHEN TG_OP = 'UPDATE' THEN NEW.invoice_id ELSE NULL END)) THEN
        RAISE EXCEPTION 'invoicing: % of a line of an issued invoice is refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER invoicing_invoice_frozen BEFORE UPDATE OR DELETE ON invoicing_invoice
    FOR EACH ROW WHEN (OLD.status = 'issued') EXECUTE FUNCTION invoicing_refuse_change();
CREATE TRIGGER invoicing_invoiceline_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoicing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_line_change();
""" + "".join(
    f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_change();\n"
    for table in FROZEN_TABLES
)

POSTGRES_REVERSE = "".join(f"DROP TRIGGER {table}_frozen ON {table};\n" for table in (
    "invoicing_invoice", "invoicing_invoiceline", *FROZEN_TABLES)) + """
DROP FUNCTION invoicing_refuse_line_change();
DROP FUNCTION invoicing_refuse_change();
"""

SQLITE = [
    "CREATE TRIGGER invoicing_invoice_frozen BEFORE UPDATE ON invoicing_invoice FOR EACH ROW WHEN OLD.status = 'issued' "
    "BEGIN SELECT RAISE(ABORT, 'invoicing: an issued invoice cannot be changed'); END",
    "CREATE TRIGGER invoicing_invoiceline_frozen BEFORE UPDATE ON invoicing_invoiceline FOR EACH ROW "
    "WHEN (SELECT status FROM invoicing_invoice WHERE id = OLD.invoice_id) = 'issued' "
    "BEGIN SELECT RAISE(ABORT, 'invoicing: a line of an issued invoice cannot be changed'); END",
    "CREATE TRIGGER invoicing_invoiceline_added BEFORE INSERT ON invoicing_invoiceline FOR EACH ROW "
    "WHEN (SELECT status FROM invoicing_invoice WHERE id = NEW.invoice_id) = 'issued' "
    "BEGIN SELECT RAISE(ABORT, 'invoicing: a line cannot be added to an issued invoice'); END",
    *(f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} FOR EACH ROW "
      f"BEGIN SELECT RAISE(ABORT, 'invoicing: an issued document cannot be changed'); END" for table in FROZEN_TABLES),
]
SQLITE_TRIGGERS = ("invoicing_invoice_frozen", "invoicing_invoiceline_frozen", "invoicing_invoiceline_added",
                   *(f"{table}_frozen" for table in FROZEN_TABLES))


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
