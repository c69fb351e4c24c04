"""From a work order that passed the quality check to the customer driving away: the cashier issues the invoice (an
unapproved line refused, the comparison with the estimate shown), the customer pays in two parts, the advisor runs the
handover with a loaner return, and the invoice PDF is e-mailed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxAttachment, OutboxMessage
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from invoicing.models import Handover, Invoice, LoanerReturn, Payment
from workshop.message_texts import seed_message_texts as seed_workshop_texts
from workshop.testing import MILEAGE_IN
from workshop.tests.e2e.test_reception_journeys import draw_signature

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("in_process")]


@pytest.fixture
def order(transactional_db, make_ready_order):
    seed_default_templates(MessageTemplate)
    seed_workshop_texts(MessageTemplate)
    seed_invoicing_texts(MessageTemplate)
    return make_ready_order(loaner=True)


def test_cashier_invoices_customer_pays_twice_advisor_hands_over_with_the_loaner(page, live_server, login, order, cashier, advisor):
    # The cashier prepares the invoice from the desk.
    login(page, live_server, cashier)
    page.goto(live_server.url + reverse("invoicing:desk"))
    page.locator("#ready-orders tr", has_text=order.number).get_by_role("button", name="Prepare the invoice").click()
    expect(page.locator("#no-variance")).to_be_visible()
    expect(page.locator("#lines")).to_contain_text("Wiper blades")

    # The declined brake discs are shown, with no way to invoice them.
    declined = page.locator("#not-invoiceable li", has_text="Front brake discs")
    expect(declined).to_contain_text("declined")
    expect(declined.get_by_role("button")).to_have_count(0)
    expect(page.locator("#variances")).to_contain_text("Annual service")
    expect(page.locator("#lines")).not_to_contain_text("Front brake discs")

    # Issued, to be e-mailed.
    page.get_by_label("E-mailed").check()
    page.get_by_role("button", name="Issue", exact=True).click()
    invoice = Invoice.objects.get(status="issued")
    expect(page.locator("#issued-info")).to_contain_text("Issued on")
    expect(page.locator("h1")).to_contain_text(invoice.number)

    # The customer pays in two parts: 100 by card, the rest in cash with change.
    page.get_by_role("link", name=order.number).click()
    page.get_by_label("Method").select_option("card")
    page.get_by_label("Amount").fill("100")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator("#payments")).to_contain_text("Card")
    rest = invoice.gross_total - 100
    page.get_by_label("Method").select_option("cash")
    page.get_by_label("Amount").fill(str(rest))
    page.get_by_label("Cash handed over").fill(str(rest + 10))
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".alert-success")).to_contain_text("Give back €10.00 in change")
    expect(page.locator("#balance-due")).to_contain_text("€0.00")
    assert Payment.objects.filter(work_order=order).count() == 2

    # The advisor: the customer arrives, waits, is welcomed, brings the loaner back, hears the explanation, signs.
    page.context.clear_cookies()
    login(page, live_server, advisor)
    page.goto(live_server.url + reverse("invoicing:handovers"))
    page.locator("#ready-cars li", has_text=order.number).get_by_role("button", name="Customer is here").click()
    expect(page.locator("#waiting-queue")).to_contain_text(str(order.customer))
    page.locator("#waiting-queue").get_by_role("link", name=str(order.customer)).click()
    page.get_by_role("button", name="Welcome the customer").click()

    loaner = page.locator("#loaner-form")
    loaner.get_by_label("Keys returned").check()
    loaner.get_by_label("Papers returned").check()
    loaner.get_by_label("4/8").check()
    loaner.get_by_label("Mileage in (km)").fill("12180")
    loaner.get_by_label("New damage").fill("Small scratch, rear bumper")
    loaner.get_by_label("Satisfied", exact=True).check()
    loaner.get_by_role("button", name="Record the loaner return").click()
    expect(page.locator("#loaner-returned")).to_contain_text("12180 km")

    explain = page.locator("#explain-form")
    for label in (
        "Jobs explained, with the reason for each",
        "Declined work explained (printed on the invoice)",
        "Faults found and not fixed explained",
        "Replaced parts shown",
        "Agreed price equals invoiced price",
        "Follow-up call announced",
    ):
        explain.get_by_label(label).check()
    explain.get_by_label("Next service on").fill((timezone.localdate() + timedelta(days=335)).isoformat())
    explain.get_by_label("Next service at (km)").fill("58000")
    explain.get_by_role("button", name="Explained").click()
    expect(page.locator("#moment")).to_have_text("Take payment")

    page.get_by_label("Mileage out (km)").fill(str(MILEAGE_IN + 3))
    draw_signature(page)
    page.get_by_role("button", name="Hand the keys over and close").click()
    expect(page.locator(".alert-success")).to_contain_text("Handover closed")
    expect(page).to_have_url(re.compile(re.escape(reverse("invoicing:handovers"))))

    handover = Handover.objects.get(work_order=order)
    assert handover.closed_at is not None and handover.signature_method == "drawn"
    assert LoanerReturn.objects.get(handover=handover).mileage_in == 12180
    order.vehicle.refresh_from_db()
    assert order.vehicle.next_service_due_km == 58000

    # The invoice went by e-mail with its PDF.
    message = OutboxMessage.objects.get(template_key="invoice_email")
    attachment = OutboxAttachment.objects.get(message=message)
    assert attachment.filename == f"{invoice.number}.pdf" and bytes(attachment.content).startswith(b"%PDF")
    assert bytes(attachment.content) == bytes(invoice.pdf.content)
