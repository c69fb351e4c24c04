"""Issue 22: no TRUNCATE of what was issued; the chain's tail cut, a closure's head gone, and the daily head e-mail."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.jobs.registry import run_job
from invoicing.chain import chain_seal, verify_site_chain
from invoicing.models import ChainHead, Closure, Invoice, InvoiceLine, InvoicePdf, Payment
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


def _as_owner(trigger: str, table: str, sql: str, params: list) -> None:
    """What the database owner can do: disable a trigger, write, enable it again."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check of the test's transaction
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


PROTECTED = (
    "invoicing_invoice",
    "invoicing_invoiceline",
    "invoicing_invoicepdf",
    "invoicing_payment",
    "invoicing_closure",
    "invoicing_chainhead",
)


@pytest.mark.parametrize(
    "statement",
    [
        *(f"TRUNCATE {table}" for table in PROTECTED),
        *(f"TRUNCATE {table} CASCADE" for table in PROTECTED),
        "TRUNCATE workshop_workorder CASCADE",
    ],
)
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the TRUNCATE triggers are PostgreSQL's")
def test_postgresql_refuses_a_truncate_of_every_protected_table(statement, order, cashier, manager, issued):
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    close_period(site=order.site, period=Closure.Period.DAY, day=timezone.localtime(timezone.now(), order.site.tz).date(), actor=manager)
    models = (Invoice, InvoiceLine, InvoicePdf, Payment, Closure, ChainHead)
    before = [model.objects.count() for model in models]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred check of the test's transaction

    refused = r"TRUNCATE of invoicing_\w+ is refused|referenced in a foreign key"  # the invoice without its lines: by the key
    with pytest.raises(DatabaseError, match=refused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert [model.objects.count() for model in models] == before
    assert all(count for model, count in zip(models, before, strict=True) if model is not InvoicePdf)  # the PDF comes at commit


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ALTER TABLE ... DISABLE TRIGGER is PostgreSQL's")
def test_the_tail_cut_by_the_database_owner_is_detected(order, cashier, issued):
    first = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    newest = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("20"))
    assert _verify() == (0, f"{order.site.code}: 3 links, chain intact\n")

    _as_owner("invoicing_payment_frozen", "invoicing_payment", "DELETE FROM invoicing_payment WHERE id = %s", [newest.pk])
    _as_owner(
        "invoicing_chainhead_forward",
        "invoicing_chainhead",
        "UPDATE invoicing_chainhead SET position = position - 1, hash = %s WHERE site_id = %s",
        [first.hash, order.site.pk],
    )

    code, output = _verify("--site", order.site.code)
    assert code == 1
    assert "the chain head (#2): its seal does not match" in output


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ALTER TABLE ... DISABLE TRIGGER is PostgreSQL's")
def test_a_tail_cut_with_the_head_left_in_place_or_put_back_with_an_older_seal_is_detected(order, cashier, issued):
    first = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    older = ChainHead.objects.get(site=order.site)
    newest = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("20"))
    copy = f"{newest.chain_position}:{newest.hash}"  # the daily e-mail's copy

    _as_owner("invoicing_payment_frozen", "invoicing_payment", "DELETE FROM invoicing_payment WHERE id = %s", [newest.pk])
    assert "the chain head is at #3 but the last link is #2: links are missing at the end" in verify_site_chain(order.site)[1]

    # The head put back as it was before the newest payment, with its seal of then: only the copy outside tells.
    _as_owner(
        "invoicing_chainhead_forward",
        "invoicing_chainhead",
        "UPDATE invoicing_chainhead SET position = %s, hash = %s, seal = %s WHERE id = %s",
        [older.position, first.hash, older.seal, older.pk],
    )
    assert verify_site_chain(order.site) == (2, None)
    code, output = _verify("--site", order.site.code, "--head", copy)
    assert code == 1
    assert "the head copy: the head it saw (#3) is missing from the chain" in output


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ALTER TABLE ... DISABLE TRIGGER is PostgreSQL's")
def test_a_closure_whose_head_is_gone_from_the_chain_is_detected(order, cashier, manager, issued):
    """Even when the links after a removed one are chained again with the key, the closure's head names the cut."""
    payment = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    closure = close_period(
        site=order.site, period=Closure.Period.DAY, day=timezone.localtime(timezone.now(), order.site.tz).date(), actor=manager
    )
    assert (closure.head_position, closure.head_hash) == (2, payment.hash)
    assert verify_site_chain(order.site) == (3, None)

    from invoicing.chain import chain_hash, closure_content, head_seal

    rechained = chain_hash(issued.hash, closure_content(closure))
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM invoicing_payment WHERE id = %s", [payment.pk])
        cursor.execute(
            "UPDATE invoicing_closure SET chain_position = 2, previous_hash = %s, hash = %s, seal = %s WHERE id = %s",
            [issued.hash, rechained, chain_seal(rechained), closure.pk],
        )
        cursor.execute(
            "UPDATE invoicing_chainhead SET position = 2, hash = %s, seal = %s WHERE site_id = %s",
            [rechained, head_seal(site_code=order.site.code, position=2, digest=rechained), order.site.pk],
        )
        cursor.execute("SET session_replication_role = DEFAULT")

    assert verify_site_chain(order.site)[1] == f"#2 closure {closure}: the head it saw (#2) is missing from the chain"


def test_the_head_only_moves_forward_one_link_at_a_time(order, cashier, issued):
    head = ChainHead.objects.get(site=order.site)
    with pytest.raises(DatabaseError), transaction.atomic():
        ChainHead.objects.filter(pk=head.pk).update(position=head.position - 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        ChainHead.objects.filter(pk=head.pk).update(hash="0" * 64)
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    assert verify_site_chain(order.site) == (2, None)


def test_a_head_moved_back_without_the_key_breaks_its_seal(order, cashier, issued):
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    head = ChainHead.objects.get(site=order.site)
    head.seal = "f" * 64
    head.save(update_fields=["seal"])  # same position and hash: the trigger lets it through, the seal does not
    assert verify_site_chain(order.site)[1] == "the chain head (#2): its seal does not match (moved or rewritten without the server's key)"


def test_each_day_the_head_is_emailed_to_the_sites_managers_in_their_language(order, cashier, issued, django_capture_on_commit_callbacks):
    UserFactory(roles=[Role.MANAGER], site_list=[order.site], username="manager.ru", language="ru", email="ru@example.test")
    payment = record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("10"))
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert run_job("chain_head_copies", now=now) == 1
        assert run_job("chain_head_copies", now=now + timedelta(minutes=30)) == 0  # once a day

    [message] = [each for each in mail.outbox if each.to == ["ru@example.test"]]
    assert message.subject.startswith("Цепочка счетов")
    assert f"Последнее звено: № 2, хеш {payment.hash}." in message.body
    assert ChainHead.objects.get(site=order.site).reported_on == timezone.localtime(now, order.site.tz).date()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job("chain_head_copies", now=now + timedelta(days=1)) == 1
    assert [each.to for each in mail.outbox] == [["ru@example.test"]]
    assert verify_site_chain(order.site) == (2, None)
