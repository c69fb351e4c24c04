"""The desk, invoice, payment, closure and handover pages: status codes, refusals shown, query counts."""

import base64
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.chain import verify_archive
from invoicing.models import Closure, Handover, Invoice, Payment
from invoicing.services import (
    close_handover,
    customer_arrived,
    issue_invoice,
    prepare_invoices,
    record_payment,
    save_explanation,
    welcome_customer,
)
from workshop.models import Approval
from workshop.testing import MILEAGE_IN, ready_work_order
from workshop.tests.helpers import signature_data_url

from .factories import EXPLAINED


def test_the_desk_lists_cars_ready_for_invoicing_in_a_flat_number_of_queries(
    client,
    cashier,
    order,
    site,
    advisor,
    quality_controller,
    django_assert_max_num_queries,
):
    client.force_login(cashier)
    issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    with django_assert_max_num_queries(12) as few:
        small = client.get(reverse("invoicing:desk"))
    for _index in range(3):
        extra = ready_work_order(site=site, advisor=advisor, inspector=quality_controller)
        issue_invoice(invoice=prepare_invoices(work_order=extra, actor=cashier)[0], actor=cashier)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = client.get(reverse("invoicing:desk"))

    assert small.status_code == large.status_code == 200
    assert large.text.count("Annual service") == 0 and large.text.count(order.customer.last_name) >= 4


def test_preparing_from_the_desk_opens_the_draft_with_the_comparison(client, cashier, order):
    client.force_login(cashier)

    response = client.post(reverse("invoicing:prepare", args=[order.pk]), follow=True)

    invoice = Invoice.objects.get()
    assert response.redirect_chain[-1][0] == invoice.get_absolute_url()
    assert 'id="no-variance"' in response.text
    assert "Front brake discs" in response.text  # the declined line, shown apart


def test_invoicing_an_unapproved_line_is_refused_on_the_page(client, cashier, order):
    client.force_login(cashier)
    invoice = prepare_invoices(work_order=order, actor=cashier)[0]
    declined = order.jobs.get(approval=Approval.DECLINED)

    response = client.post(reverse("invoicing:job_add", args=[invoice.pk, declined.pk]))

    assert response.status_code == 400
    assert "not approved by the customer" in response.text
    assert invoice.lines.count() == 3


def test_a_changed_line_shows_its_variance_and_issuing_waits_for_the_reason(client, cashier, order):
    client.force_login(cashier)
    invoice = prepare_invoices(work_order=order, actor=cashier)[0]
    line = invoice.lines.get(description="Wiper blades")
    prefix = f"line-{line.pk}"
    client.post(
        reverse("invoicing:line_change", args=[invoice.pk, line.pk]),
        {f"{prefix}-quantity": "0.50", f"{prefix}-unit_price": "98.00", f"{prefix}-vat_rate": "20", f"{prefix}-variance_reason": ""},
    )

    page = client.get(invoice.get_absolute_url())
    refused = client.post(reverse("invoicing:issue", args=[invoice.pk]), {"delivery": "paper"})

    assert 'id="variance-summary"' in page.text and "19.60" in page.text
    assert refused.status_code == 400 and "explain the difference" in refused.text
    assert not Invoice.objects.filter(status="issued").exists()


def test_a_line_taken_off_the_draft_can_be_put_back(client, cashier, order):
    client.force_login(cashier)
    invoice = prepare_invoices(work_order=order, actor=cashier)[0]
    wipers = invoice.lines.get(description="Wiper blades")

    client.post(reverse("invoicing:line_remove", args=[invoice.pk, wipers.pk]))
    page = client.get(invoice.get_absolute_url())
    client.post(reverse("invoicing:job_add", args=[invoice.pk, wipers.job_id]))

    assert 'id="to-add"' in page.text and "Wiper blades" in page.text
    assert invoice.lines.filter(description="Wiper blades").count() == 1


def test_issuing_from_the_page_then_the_issued_invoice_offers_no_edit(client, cashier, order):
    client.force_login(cashier)
    invoice = prepare_invoices(work_order=order, actor=cashier)[0]

    response = client.post(reverse("invoicing:issue", args=[invoice.pk]), {"delivery": "paper"}, follow=True)

    assert 'id="issued-info"' in response.text and 'id="issue-form"' not in response.text
    line = invoice.lines.first()
    edit = client.post(reverse("invoicing:line_change", args=[invoice.pk, line.pk]), {f"line-{line.pk}-quantity": "9"})
    assert edit.status_code == 400 and "credit note" in edit.text


def test_a_bad_payment_re_renders_with_400_and_nothing_saved(client, cashier, order):
    client.force_login(cashier)

    bad = client.post(reverse("invoicing:payment", args=[order.pk]), {"method": "cash", "amount": "abc"})
    short = client.post(reverse("invoicing:payment", args=[order.pk]), {"method": "cash", "amount": "50", "tendered": "20"})
    deposit = client.post(reverse("invoicing:payment", args=[order.pk]), {"method": "cash", "amount": "50", "tendered": "60"}, follow=True)

    assert bad.status_code == short.status_code == 400
    assert "less than the amount" in short.text
    assert Payment.objects.get().is_deposit and "10.00" in deposit.text


def test_a_day_is_closed_from_its_page_and_its_archive_downloads(client, cashier, order):
    client.force_login(cashier)
    issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    from django.utils import timezone

    today = timezone.localtime(timezone.now(), order.site.tz).date()

    response = client.post(reverse("invoicing:closures") + f"?site={order.site.pk}", {"period": "day", "day": today.isoformat()})
    closure = Closure.objects.get()
    archive = client.get(reverse("invoicing:archive", args=[closure.pk]))

    assert response.status_code == 302 and closure.gross_total == Decimal("226.68")
    assert archive["Content-Type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert verify_archive(archive.content) == (2, None)


def test_the_handover_page_follows_the_customer_from_the_queue(client, advisor, order):
    client.force_login(advisor)
    assert client.get(reverse("invoicing:handover", args=[order.pk])).status_code == 404

    client.post(reverse("invoicing:arrived", args=[order.pk]), {"waiting_note": "Coffee in the lounge"})
    board = client.get(reverse("invoicing:handovers"))
    client.post(reverse("invoicing:welcome", args=[order.pk]))
    page = client.get(reverse("invoicing:handover", args=[order.pk]))
    refused = client.post(reverse("invoicing:see_off", args=[order.pk]), {"mileage_out": "43210", "signature": "", "code": ""})

    assert 'id="waiting-queue"' in board.text and "Coffee in the lounge" in board.text
    assert page.status_code == 200 and 'id="explain-form"' in page.text and "Front brake discs" in page.text
    assert refused.status_code == 400
    assert Handover.objects.get().closed_at is None


def _close_with_a_drawn_signature(order, advisor, cashier) -> Handover:
    invoice = issue_invoice(invoice=prepare_invoices(work_order=order, actor=cashier)[0], actor=cashier)
    record_payment(work_order=order, actor=cashier, method="card", amount=invoice.gross_total)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(handover=handover, actor=advisor, **EXPLAINED)
    return close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN, signature_data_url=signature_data_url())


def test_a_closed_handover_shows_the_drawn_signature_inline_with_how_it_was_signed(client, advisor, cashier, order):
    closed = _close_with_a_drawn_signature(order, advisor, cashier)
    with closed.signature_image.open("rb") as stored:
        expected = "data:image/png;base64," + base64.b64encode(stored.read()).decode()
    client.force_login(advisor)

    page = client.get(reverse("invoicing:handover", args=[order.pk]))

    assert page.status_code == 200 and 'id="delivery-signature"' in page.text
    assert f'src="{expected}"' in page.text and "Signed on the tablet" in page.text


def test_the_signature_of_a_closed_handover_stays_hidden_from_another_site(client, advisor, cashier, other_site_advisor, order):
    _close_with_a_drawn_signature(order, advisor, cashier)
    client.force_login(other_site_advisor)

    page = client.get(reverse("invoicing:handover", args=[order.pk]))

    assert page.status_code == 404 and "data:image/png" not in page.text


@pytest.mark.parametrize("url_name", ["invoicing:billing", "invoicing:invoice", "invoicing:handover"])
def test_unknown_records_answer_404(client, manager, url_name, db):
    client.force_login(manager)
    assert client.get(reverse(url_name, args=[999_999])).status_code == 404
