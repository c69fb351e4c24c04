"""The accounting export: a FEC in the format of article A47 A-1 of the LPF and a CSV journal, each balanced and adding up
to the closures of the period; the page that checks and downloads them, with clear refusals."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.demo import Report
from aftersales.accounts.legal_identity import LegalIdentity
from aftersales.accounts.tests.factories import SiteFactory
from invoicing.accounting import FEC_COLUMNS, prepare_export
from invoicing.demo import load_accounting_mappings
from invoicing.exceptions import InvalidInvoiceInput
from invoicing.models import AccountingMapping, Closure, InvoiceLine, SalesAccount
from invoicing.services import (
    close_period,
    issue_credit_note,
    issue_invoice,
    prepare_invoices,
    record_payment,
    refund_overpayment,
)

TREASURY = {"530000", "511500", "512000"}


@pytest.fixture
def mapped(order):
    load_accounting_mappings(Report())
    LegalIdentity.objects.create(site=order.site, legal_form="SAS", share_capital=Decimal("10000"), siren="123456782", rcs_city="Lyon")
    return order


@pytest.fixture
def closed_day(mapped, cashier, manager):
    """An invoice paid by a deposit, a card and cash, its oil filter credited and refunded by card, the day closed."""
    order = mapped
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("50.00"))
    invoice = issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("100.00"))
    record_payment(work_order=order, actor=cashier, method="cash", amount=invoice.gross_total - Decimal("150.00"))
    part = invoice.lines.get(kind=InvoiceLine.Kind.PART)
    issue_credit_note(invoice=invoice, actor=cashier, reason="Filtre non posé", line_ids=[part.pk])
    refund_overpayment(work_order=order, actor=cashier, method="card", amount=Decimal("15.00"))
    return close_period(site=order.site, period=Closure.Period.DAY, day=timezone.localdate(), actor=manager)


def _download(client, user, site, file_format: str):
    client.force_login(user)
    day = timezone.localdate().isoformat()
    query = {"site": site.pk, "starts_on": day, "ends_on": day, "file_format": file_format, "download": "1"}
    return client.get(reverse("invoicing:accounting"), query)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def test_the_fec_has_the_18_columns_and_the_format_of_article_a47_a1(client, mapped, closed_day, cashier):
    response = _download(client, cashier, closed_day.site, "fec")

    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="123456782FEC{timezone.localdate():%Y%m%d}.txt"'
    rows = [line.split("\t") for line in b"".join(response.streaming_content).decode("iso-8859-15").split("\r\n") if line]
    assert rows[0] == list(FEC_COLUMNS) and all(len(row) == 18 for row in rows)
    entries = [dict(zip(FEC_COLUMNS, row, strict=True)) for row in rows[1:]]
    day = f"{timezone.localdate():%Y%m%d}"
    assert (
        {entry["EcritureDate"] for entry in entries}
        == {entry["PieceDate"] for entry in entries}
        == {entry["ValidDate"] for entry in entries}
        == {day}
    )
    assert all(entry["Debit"].count(",") == 1 and "." not in entry["Debit"] + entry["Credit"] for entry in entries)
    assert {entry["JournalCode"] for entry in entries} == {"VE", "BQ"}
    for journal, count in (("VE", 2), ("BQ", 4)):  # the invoice and the credit note; three payments and the refund
        assert sorted({int(entry["EcritureNum"]) for entry in entries if entry["JournalCode"] == journal}) == list(range(1, count + 1))
    assert [entry["EcritureLib"].split()[0] for entry in entries if entry["JournalCode"] == "VE"][::3] == ["Facture", "Avoir"]
    customer = [entry for entry in entries if entry["CompteNum"] == "411000"]
    assert {(entry["CompAuxNum"], entry["CompAuxLib"]) for entry in customer} == {(f"C{mapped.customer_id:06d}", "Claire Durand")}
    assert {entry["CompteLib"] for entry in entries if entry["CompteNum"] == "445710"} == {"TVA collectée 20 %"}


def test_the_fec_balances_and_matches_the_days_closure(client, closed_day, cashier):
    rows = b"".join(_download(client, cashier, closed_day.site, "fec").streaming_content).decode("iso-8859-15").split("\r\n")
    entries = [dict(zip(FEC_COLUMNS, line.split("\t"), strict=True)) for line in rows[1:] if line]

    def total(column, accounts=None):
        return sum((_amount(entry[column]) for entry in entries if accounts is None or entry["CompteNum"] in accounts), Decimal("0"))

    assert total("Debit") == total("Credit")
    for number in {(entry["JournalCode"], entry["EcritureNum"]) for entry in entries}:
        lines = [entry for entry in entries if (entry["JournalCode"], entry["EcritureNum"]) == number]
        assert sum(_amount(line["Debit"]) for line in lines) == sum(_amount(line["Credit"]) for line in lines), number
    sales_and_vat = {"706000", "445710"}
    assert total("Credit", sales_and_vat) - total("Debit", sales_and_vat) == closed_day.gross_total
    assert total("Credit", {"445710"}) - total("Debit", {"445710"}) == closed_day.vat_total
    assert total("Debit", TREASURY) - total("Credit", TREASURY) == closed_day.payments_total
    assert closed_day.refunds_total == Decimal("15.00")


def test_the_csv_journal_holds_the_same_balanced_entries(client, closed_day, cashier):
    response = _download(client, cashier, closed_day.site, "csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert sum(Decimal(row["debit"]) for row in rows) == sum(Decimal(row["credit"]) for row in rows)
    sales = [row for row in rows if row["account"] in {"706000", "445710"}]
    assert sum(Decimal(row["credit"]) - Decimal(row["debit"]) for row in sales) == closed_day.gross_total
    assert {row["currency"] for row in rows} == {"EUR"}
    refund = next(row for row in rows if row["label"].startswith("Remboursement"))
    assert (refund["account"], refund["credit"]) == ("511500", "15.00")


def test_the_page_checks_the_export_against_the_closures(client, closed_day, cashier, django_assert_max_num_queries):
    client.force_login(cashier)
    day = timezone.localdate().isoformat()
    query = {"site": closed_day.site.pk, "starts_on": day, "ends_on": day, "file_format": "fec", "check": "1"}

    with django_assert_max_num_queries(20):
        page = client.get(reverse("invoicing:accounting"), query)

    assert page.status_code == 200 and 'id="totals-match"' in page.text


def test_a_period_not_closed_yet_is_said_to_differ(client, mapped, cashier):
    issue_invoice(invoice=prepare_invoices(work_order=mapped, actor=cashier)[0], actor=cashier)
    client.force_login(cashier)
    day = timezone.localdate().isoformat()

    page = client.get(
        reverse("invoicing:accounting"), {"site": mapped.site.pk, "starts_on": day, "ends_on": day, "file_format": "csv", "check": "1"}
    )

    assert 'id="totals-differ"' in page.text


def test_the_form_names_the_field_to_correct(client, mapped, cashier):
    client.force_login(cashier)
    url = reverse("invoicing:accounting")

    backwards = client.get(
        url, {"site": mapped.site.pk, "starts_on": "2026-11-30", "ends_on": "2026-11-01", "file_format": "fec", "check": "1"}
    )
    no_mapping_site = SiteFactory(group=mapped.site.group)
    cashier.sites.add(no_mapping_site)
    no_mapping = client.get(url, {"site": no_mapping_site.pk, "starts_on": "2026-11-01", "ends_on": "2026-11-30", "file_format": "fec"})

    assert backwards.status_code == 400 and "The end of the period comes before its start." in backwards.text
    assert 'id="error_1_id_ends_on"' in backwards.text
    assert no_mapping.status_code == 400 and 'id="error_1_id_site"' in no_mapping.text and "no accounting mapping" in no_mapping.text


def test_the_fec_is_only_for_a_french_site_and_every_vat_rate_needs_its_account(mapped, cashier):
    moscow = SiteFactory(group=mapped.site.group, country="RU", currency="RUB", language="ru", time_zone="Europe/Moscow")
    day = timezone.localdate()

    with pytest.raises(InvalidInvoiceInput) as refused:
        prepare_export(site=moscow, starts_on=day, ends_on=day, file_format="fec")
    assert refused.value.field == "file_format"
    issue_invoice(invoice=prepare_invoices(work_order=mapped, actor=cashier)[0], actor=cashier)
    SalesAccount.objects.filter(mapping=AccountingMapping.objects.get(site=mapped.site)).delete()
    with pytest.raises(InvalidInvoiceInput, match="No sales account for VAT at 20 %"):
        prepare_export(site=mapped.site, starts_on=day, ends_on=day, file_format="csv")


def test_a_french_mapping_is_checked_against_the_chart_of_accounts(mapped):
    mapping = AccountingMapping.objects.get(site=mapped.site)
    mapping.cash_account = "411000"

    with pytest.raises(ValidationError) as refused:
        mapping.full_clean()
    assert refused.value.message_dict == {"cash_account": ["In the French chart of accounts this account starts with 53."]}
