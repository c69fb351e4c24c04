"""The cashier takes the rest of a partly paid invoice: the balance is prefilled in cents and goes through as shown,
in French and in Russian, in a 1024- and a 1280-pixel window."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aftersales.accounts.models import User
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from invoicing.services import balance_of, issue_invoice, prepare_invoices, record_payment
from workshop.message_texts import seed_message_texts as seed_workshop_texts

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("in_process")]
DONE = {"fr": "Paiement enregistré.", "ru": "Платёж зарегистрирован."}
NOTHING_DUE = {"fr": "0,00\xa0€", "ru": "0,00\xa0€"}


@pytest.fixture
def partly_paid(transactional_db, make_ready_order, cashier):
    for seed in (seed_default_templates, seed_workshop_texts, seed_invoicing_texts):
        seed(MessageTemplate)
    order = make_ready_order()
    issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    record_payment(work_order=order, actor=cashier, method="card", amount=Decimal("100.00"))
    return order


@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize("language", ["fr", "ru"])
def test_the_cashier_takes_the_prefilled_balance_as_shown(page, live_server, login, partly_paid, cashier, language, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server, cashier)
    User.objects.filter(pk=cashier.pk).update(language=language)  # as the language menu saves it

    page.goto(live_server.url + reverse("invoicing:billing", args=[partly_paid.pk]))
    form = page.locator("#payment-form")
    expect(form.locator("input[name=amount]")).to_have_value("126.68")
    form.locator("select[name=method]").select_option("card")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page fits the window
    form.locator("button[type=submit]").click()

    expect(page.locator(".alert-success")).to_contain_text(DONE[language])
    expect(page.locator("#balance-due")).to_have_text(NOTHING_DUE[language])
    assert balance_of(partly_paid).due == 0
