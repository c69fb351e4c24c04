"""Money rules: the cashier's prefilled balance, the cash limit of the site's country, refunds and customer credit for an
overpaid order, the handover gate either way, and partial credit notes that name the lines they credit."""

import re
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.customers.models import Customer
from invoicing.chain import verify_site_chain
from invoicing.exceptions import BalanceDue, CashLimitExceeded, InvalidInvoiceInput
from invoicing.models import Closure, InvoiceLine, Payment
from invoicing.services import (
    add_line,
    authorize_release,
    balance_of,
    close_handover,
    close_period,
    customer_arrived,
    customer_credit,
    invoiced_job_ids,
    issue_credit_note,
    issue_invoice,
    may_release,
    prepare_invoices,
    record_payment,
    refund_overpayment,
    save_explanation,
    welcome_customer,
)
from workshop.testing import MILEAGE_IN
from workshop.tests.helpers import signature_data_url

from .factories import EXPLAINED


def _issued(order, cashier):
    return issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)


def _amount_shown(page: str) -> str:
    return re.search(r'<input type="number" name="amount" value="([^"]*)"', page).group(1)


# --- the prefilled balance ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_the_prefilled_balance_is_in_cents_and_goes_through_as_shown(client, order, cashier, language):
    invoice = _issued(order, cashier)
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("100.00"))
    User.objects.filter(pk=cashier.pk).update(language=language)
    client.force_login(cashier)

    shown = _amount_shown(client.get(reverse("invoicing:billing", args=[order.pk])).text)
    posted = client.post(reverse("invoicing:payment", args=[order.pk]), {"method": "card", "amount": shown})

    assert shown == str(invoice.gross_total - Decimal("100.00")) == "126.68"
    assert posted.status_code == 302, posted.text
    assert balance_of(order).due == 0


# --- the cash limit ------------------------------------------------------------------------


@pytest.fixture
def big_invoice(order, cashier):
    """The order with 900.00 of bodywork added: 1,306.68 VAT included."""
    draft = prepare_invoices(work_order=order, actor=cashier)[0]
    add_line(
        invoice=draft,
        actor=cashier,
        kind="sundry",
        job=draft.lines.first().job,
        description="Bodywork",
        quantity=Decimal("1"),
        unit_price=Decimal("900.00"),
        variance_reason="Found at the walk-around",
    )
    return issue_invoice(invoice=draft, actor=cashier)


def test_cash_above_the_french_limit_is_refused_with_the_rule_and_the_other_ways_to_pay(big_invoice, order, cashier):
    with pytest.raises(CashLimitExceeded) as refused:
        record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("1010.20"), tendered=Decimal("1020.00"))

    assert refused.value.field == "method"
    assert refused.value.message == (
        "Cash is limited to €1,000.00 per purchase for a private customer resident in France (Monetary and Financial Code, "
        "art. L112-6): take the payment by card, bank transfer, cheque or financing."
    )
    assert not Payment.objects.filter(work_order=order).exists()
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("1010.20"))


def test_the_limit_counts_the_cash_already_paid_on_the_purchase(big_invoice, order, cashier):
    record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("600.00"))

    with pytest.raises(CashLimitExceeded, match=r"€600.00 was already paid in cash: at most €400.00 more in cash"):
        record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("500.00"))
    record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("400.00"))


@pytest.mark.parametrize(("country", "kind", "accepted"), [("DE", "private", True), ("FR", "company", False), ("", "private", False)])
def test_the_limit_depends_on_the_customers_residence_and_kind(big_invoice, order, cashier, country, kind, accepted):
    Customer.objects.filter(pk=order.customer_id).update(country=country, kind=kind)

    if accepted:  # a tourist may pay up to 15,000 € in cash
        assert record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("1306.68")).amount == Decimal("1306.68")
    else:
        with pytest.raises(CashLimitExceeded):
            record_payment(work_order=order, actor=cashier, method="cash", amount=Decimal("1306.68"))


def test_the_payment_form_shows_the_refusal_on_the_method(client, big_invoice, order, cashier):
    User.objects.filter(pk=cashier.pk).update(language="fr")
    client.force_login(cashier)

    response = client.post(reverse("invoicing:payment", args=[order.pk]), {"method": "cash", "amount": "1010.20"})

    assert response.status_code == 400
    page = " ".join(response.text.split())
    assert "Les espèces sont limitées à 1 000,00 € par achat pour un particulier résidant en France" in page.replace("\xa0", " ").replace(
        "\u202f", " "
    )
    assert 'id="error_1_id_method"' in page


# --- overpayment: refund or customer credit --------------------------------------------------


@pytest.fixture
def overpaid(order, cashier):
    """Paid in full, then the oil filter credited: 15.00 paid beyond the invoices."""
    invoice = _issued(order, cashier)
    record_payment(work_order=order, actor=cashier, method="cash", amount=invoice.gross_total)
    part = invoice.lines.get(kind=InvoiceLine.Kind.PART)
    issue_credit_note(invoice=invoice, actor=cashier, reason="Filter not fitted", line_ids=[part.pk])
    return invoice


def _explained(order, advisor):
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    return save_explanation(handover=handover, actor=advisor, **EXPLAINED)


def test_a_refund_closes_an_overpaid_order_and_appears_in_the_days_closure(overpaid, order, cashier, advisor, manager):
    assert balance_of(order).overpaid == Decimal("15.00")
    handover = _explained(order, advisor)
    with pytest.raises(BalanceDue, match="paid €15.00 beyond the invoices: refund it or keep it as their credit"):
        close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url())
    with pytest.raises(InvalidInvoiceInput, match="cannot be more"):
        refund_overpayment(work_order=order, actor=cashier, method="cash", amount=Decimal("15.01"))

    refund = refund_overpayment(work_order=order, actor=cashier, method="cash", amount=Decimal("15.00"))
    closed = close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url())
    closure = close_period(site=order.site, period=Closure.Period.DAY, day=timezone.localdate(), actor=manager)

    assert (refund.kind, refund.method, refund.chain_position) == ("refund", "cash", refund.chain_position)
    assert balance_of(order).due == 0 and closed.closed_at is not None
    assert closure.refunds_total == Decimal("15.00")
    assert closure.payments_total == overpaid.gross_total - Decimal("15.00")
    assert closure.gross_total == overpaid.gross_total - Decimal("15.00")
    assert verify_site_chain(order.site)[1] is None


def test_an_overpayment_kept_as_credit_pays_the_customers_next_invoice(overpaid, order, cashier, make_ready_order, manager):
    refund_overpayment(work_order=order, actor=cashier, method="credit", amount=Decimal("15.00"))
    assert balance_of(order).due == 0 and customer_credit(order.customer, order.site) == Decimal("15.00")

    next_order = make_ready_order(customer=order.customer)
    invoice = _issued(next_order, cashier)

    used = Payment.objects.get(work_order=next_order)
    assert (used.method, used.kind, used.amount) == ("credit", "payment", Decimal("15.00"))
    assert balance_of(next_order).due == invoice.gross_total - Decimal("15.00")
    assert customer_credit(order.customer, order.site) == 0
    closure = close_period(site=order.site, period=Closure.Period.DAY, day=timezone.localdate(), actor=manager)
    assert closure.payments_total == overpaid.gross_total and closure.refunds_total == 0  # credit moves no money
    assert verify_site_chain(order.site)[1] is None


def test_the_car_leaves_an_overpaid_order_only_with_a_managers_reason(overpaid, order, advisor, manager):
    handover = _explained(order, advisor)
    assert not may_release(order)

    authorize_release(work_order=order, actor=manager, reason="The customer will come back for the refund by transfer")

    assert may_release(order)
    assert close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url()).closed_at


def test_the_billing_page_offers_the_refund_and_records_it(client, overpaid, order, cashier):
    client.force_login(cashier)

    page = client.get(reverse("invoicing:billing", args=[order.pk])).text
    response = client.post(reverse("invoicing:refund", args=[order.pk]), {"method": "card", "amount": _amount_shown(page)})

    assert 'id="refund-form"' in page and "paid €15.00 beyond the invoices" in page
    assert response.status_code == 302
    assert Payment.objects.get(work_order=order, kind="refund").amount == Decimal("15.00")


def test_a_deposit_before_the_invoice_is_no_overpayment(client, order, cashier):
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("50.00"))
    client.force_login(cashier)

    page = client.get(reverse("invoicing:billing", args=[order.pk])).text

    assert balance_of(order).overpaid == 0
    assert 'id="payment-form"' in page and 'id="refund-form"' not in page
    with pytest.raises(InvalidInvoiceInput, match="cannot be more"):
        refund_overpayment(work_order=order, actor=cashier, method="card", amount=Decimal("50.00"))


def test_the_database_refuses_to_change_a_refund(overpaid, order, cashier):
    refund = refund_overpayment(work_order=order, actor=cashier, method="cash", amount=Decimal("15.00"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_payment SET amount = 1 WHERE id = %s", [refund.pk])


# --- partial credit notes --------------------------------------------------------------------


def test_a_credit_note_of_selected_lines_names_each_line_and_keeps_the_invoice(order, cashier):
    invoice = _issued(order, cashier)
    lines = list(invoice.lines.order_by("position"))

    note = issue_credit_note(invoice=invoice, actor=cashier, reason="Wipers not replaced", line_ids=[lines[2].pk])

    credited = list(note.lines.all())
    assert [(line.credited_line, line.net, line.quantity) for line in credited] == [(lines[2], lines[2].net, lines[2].quantity)]
    assert note.gross_total == Decimal("35.28") and note.content["credits"] == [[1, lines[2].position]]
    assert invoiced_job_ids(order) == {line.job_id for line in lines}  # partly credited: its work stays invoiced
    with pytest.raises(InvalidInvoiceInput, match="positive amount"):
        issue_credit_note(invoice=invoice, actor=cashier, reason="Again", line_ids=[lines[2].pk])


def test_a_credit_note_of_an_amount_is_spread_over_the_lines_and_names_them(order, cashier):
    invoice = _issued(order, cashier)

    note = issue_credit_note(invoice=invoice, actor=cashier, reason="Goodwill", amount=Decimal("50.00"))

    shares = {line.credited_line.position: line.net for line in note.lines.select_related("credited_line")}
    assert sum(shares.values()) == note.net_total == Decimal("50.00")
    assert shares == {1: Decimal("38.91"), 2: Decimal("3.31"), 3: Decimal("7.78")}  # 147.00, 12.50 and 29.40 out of 188.90
    assert note.vat_total == sum(line.vat for line in note.lines.all())
    with pytest.raises(InvalidInvoiceInput, match="At most €138.90 before VAT is left"):
        issue_credit_note(invoice=invoice, actor=cashier, reason="Too much", amount=Decimal("200.00"))


def test_the_rest_of_a_partly_credited_invoice_can_be_credited_and_invoiced_again(order, cashier):
    invoice = _issued(order, cashier)
    issue_credit_note(invoice=invoice, actor=cashier, reason="Goodwill", amount=Decimal("50.00"))

    rest = issue_credit_note(invoice=invoice, actor=cashier, reason="Wrong customer")

    assert rest.net_total == invoice.net_total - Decimal("50.00")
    assert invoiced_job_ids(order) == set()
    with pytest.raises(InvalidInvoiceInput, match="already credited"):
        issue_credit_note(invoice=invoice, actor=cashier, reason="Again")
    assert verify_site_chain(order.site)[1] is None


def test_the_credit_form_takes_lines_and_an_amount(client, order, cashier):
    invoice = _issued(order, cashier)
    labour = invoice.lines.get(position=1)
    client.force_login(cashier)

    page = client.get(reverse("invoicing:invoice", args=[invoice.pk])).text
    refused = client.post(reverse("invoicing:credit", args=[invoice.pk]), {"reason": "Goodwill", "lines": [labour.pk], "amount": "500"})
    done = client.post(reverse("invoicing:credit", args=[invoice.pk]), {"reason": "Goodwill", "lines": [labour.pk], "amount": "20"})

    assert 'name="lines"' in page and f'value="{labour.pk}"' in page
    assert refused.status_code == 400 and "At most €147.00 before VAT is left" in refused.text
    assert done.status_code == 302
    assert invoice.credit_notes.get().lines.get().credited_line == labour
