"""An issued invoice never changes: not through the model, a form, the admin, nor SQL; the chain detects what gets through."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.tests.factories import UserFactory
from invoicing.chain import build_archive, verify_archive, verify_site_chain
from invoicing.exceptions import DocumentFrozen
from invoicing.forms import LineForm
from invoicing.models import Closure, Invoice, InvoiceLine, Payment
from invoicing.services import close_period, issue_invoice, prepare_invoices, record_payment


@pytest.fixture
def issued(order, cashier):
    draft = prepare_invoices(work_order=order, actor=cashier)[0]
    return issue_invoice(invoice=draft, actor=cashier)


def _verify(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_invoice_chain", *args, stdout=out)
    except CommandError:
        return 1, out.getvalue()
    return 0, out.getvalue()


def test_the_model_refuses_to_change_or_delete_an_issued_invoice_and_its_lines(issued):
    issued.gross_total = Decimal("1.00")
    with pytest.raises(DocumentFrozen):
        issued.save()
    with pytest.raises(DocumentFrozen):
        issued.delete()
    line = issued.lines.first()
    line.unit_price = Decimal("0.01")
    with pytest.raises(DocumentFrozen):
        line.save()
    with pytest.raises(DocumentFrozen):
        line.delete()
    with pytest.raises(DocumentFrozen):
        InvoiceLine(invoice=issued, kind="sundry", description="x", quantity=1, unit_price=1, vat_rate=20, net=1, vat=0).save()
    assert Invoice.objects.get(pk=issued.pk).gross_total == Decimal("226.68")


def test_payments_and_closures_never_change(order, cashier, manager, issued):
    payment = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    closure = close_period(site=order.site, period="day", day=timezone.localdate(), actor=manager)
    for row in (payment, closure):
        with pytest.raises(DocumentFrozen):
            row.save()
        with pytest.raises(DocumentFrozen):
            row.delete()


def test_the_form_refuses_an_issued_invoice_line(issued):
    line = issued.lines.first()

    form = LineForm({"quantity": "9", "unit_price": "1", "vat_rate": "20", "variance_reason": "x"}, instance=line)

    assert not form.is_valid()
    assert "credit note" in str(form.non_field_errors())


def test_the_admin_shows_an_issued_invoice_read_only_and_refuses_a_change(client, issued, site):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, site_list=[site])
    client.force_login(root)
    url = reverse("admin:invoicing_invoice_change", args=[issued.pk])

    page = client.get(url)
    posted = client.post(url, {"bill_to": "Someone else", "payment_terms": "", "delivery": "paper"})
    deleted = client.post(reverse("admin:invoicing_invoice_delete", args=[issued.pk]), {"post": "yes"})

    assert page.status_code == 200 and b'name="bill_to"' not in page.content
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert Invoice.objects.get(pk=issued.pk).bill_to == issued.bill_to


def test_the_database_refuses_an_update_of_an_issued_invoice_or_line(issued):
    with pytest.raises(DatabaseError), transaction.atomic():
        Invoice.objects.filter(pk=issued.pk).update(gross_total=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        InvoiceLine.objects.filter(invoice=issued).update(unit_price=Decimal("0.01"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_invoice SET bill_to = 'x' WHERE id = %s", [issued.pk])


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE triggers are PostgreSQL's (SQLite's flush deletes rows)")
def test_postgresql_refuses_a_delete_of_an_issued_invoice_its_lines_and_payments(order, cashier, issued):
    payment = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    rows = (("invoicing_invoiceline", issued.lines.first().pk), ("invoicing_invoice", issued.pk), ("invoicing_payment", payment.pk))
    for table, pk in rows:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed table names


def _tamper(sql: str, params: list) -> None:
    """What an attacker with database access could do: bypass the triggers, then write."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER invoicing_invoiceline_frozen")
            cursor.execute(sql, params)


def test_the_chain_command_finds_a_line_altered_directly_in_sql(order, cashier, issued):
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    assert _verify() == (0, f"{order.site.code}: 2 links, chain intact\n")

    _tamper("UPDATE invoicing_invoiceline SET unit_price = 1, net = 1 WHERE invoice_id = %s AND kind = 'part'", [issued.pk])

    code, output = _verify("--site", order.site.code)
    assert code == 1
    assert f"BROKEN at #1 invoice {issued.number}: its content was altered" in output


def test_the_chain_finds_a_hash_rewritten_without_the_key(order, cashier, issued):
    payment = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER invoicing_payment_frozen")
        else:
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE invoicing_payment SET amount = 1000 WHERE id = %s", [payment.pk])
    tampered = Payment.objects.get(pk=payment.pk)
    from invoicing.chain import chain_hash, payment_content

    forged = chain_hash(tampered.previous_hash, payment_content(tampered))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_payment SET hash = %s WHERE id = %s", [forged, payment.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")

    assert "seal does not match" in verify_site_chain(order.site)[1]


def test_a_closed_period_exports_an_archive_that_verifies_and_detects_tampering(order, cashier, manager, issued, tmp_path):
    record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("226.68"), tendered=Decimal("230"))
    closure = close_period(
        site=order.site, period=Closure.Period.DAY, day=timezone.localtime(timezone.now(), order.site.tz).date(), actor=manager
    )
    path = tmp_path / "day.zip"
    call_command("export_invoice_archive", str(closure.pk), str(path), stdout=io.StringIO())

    assert verify_archive(path.read_bytes()) == (3, None)
    assert _verify("--archive", str(path)) == (0, "day.zip: 3 links, chain intact\n")

    import zipfile

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "payments.json":
                content = content.replace(b'"226.68"', b'"26.68"')
            target.writestr(name, content)
    code, output = _verify("--archive", str(tampered))
    assert code == 1 and "payments.json was altered" in output
    assert build_archive(closure) != b""
