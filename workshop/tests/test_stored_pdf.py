"""The work-order PDF is rendered once per printed content and language, then served from the stored copy."""

import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.customers.models import Customer
from aftersales.lib.signing import make_token
from workshop import order_pdf
from workshop.models import WorkOrderPdf
from workshop.services import add_job, sign_on_tablet
from workshop.signed_content import content_hash

from .helpers import signature_data_url


@pytest.fixture
def renders(monkeypatch):
    """Counts the WeasyPrint renderings (the real renderer still runs)."""
    calls = []
    real = order_pdf.render_pdf

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(order_pdf, "render_pdf", counted)
    return calls


def pdftotext(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def get_pdf(client, order):
    response = client.get(reverse("workshop:pdf", args=[order.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_the_second_request_serves_the_stored_copy_without_rendering(client, advisor, checked_in, renders, django_assert_max_num_queries):
    client.force_login(advisor)
    first = get_pdf(client, checked_in)
    stored = WorkOrderPdf.objects.get(work_order=checked_in)

    with django_assert_max_num_queries(15):
        second = get_pdf(client, checked_in)

    assert renders == ["pdf/workshop_order.html"]
    assert second == first == bytes(stored.content)
    assert WorkOrderPdf.objects.get(work_order=checked_in).rendered_at == stored.rendered_at
    assert checked_in.number in pdftotext(second)


def test_a_new_job_renders_the_pdf_again(client, advisor, checked_in, renders):
    client.force_login(advisor)
    before = get_pdf(client, checked_in)

    add_job(work_order=checked_in, actor=advisor, concern="Rattle in the dashboard", flat_rate_hours=Decimal("0.50"))
    after = get_pdf(client, checked_in)

    assert len(renders) == 2 and after != before
    assert "Rattle in the dashboard" in pdftotext(after)
    assert WorkOrderPdf.objects.filter(work_order=checked_in).count() == 1


def test_the_signature_renders_the_pdf_again(client, advisor, checked_in, renders):
    client.force_login(advisor)
    get_pdf(client, checked_in)

    sign_on_tablet(work_order=checked_in, image_data_url=signature_data_url(), shown_hash=content_hash(checked_in), actor=advisor)
    text = pdftotext(get_pdf(client, checked_in))

    assert len(renders) == 2
    assert checked_in.signature.content_hash in text.replace("\n", "")


def test_the_customers_address_as_printed_renders_the_pdf_again(client, advisor, checked_in, renders):
    client.force_login(advisor)
    get_pdf(client, checked_in)

    Customer.objects.filter(pk=checked_in.customer_id).update(address="12 rue des Tilleuls")
    text = pdftotext(get_pdf(client, checked_in))

    assert len(renders) == 2 and "12 rue des Tilleuls" in text


def test_one_copy_is_kept_per_language(client, advisor, checked_in, renders):
    client.force_login(advisor)
    assert "novembre 2026" in pdftotext(get_pdf(client, checked_in))

    Customer.objects.filter(pk=checked_in.customer_id).update(language="en")
    assert "Nov. 24, 2026" in pdftotext(get_pdf(client, checked_in))
    Customer.objects.filter(pk=checked_in.customer_id).update(language="fr")
    assert "novembre 2026" in pdftotext(get_pdf(client, checked_in))

    assert len(renders) == 2
    assert sorted(WorkOrderPdf.objects.filter(work_order=checked_in).values_list("language", flat=True)) == ["en", "fr"]


def test_the_customer_link_serves_the_same_stored_copy(client, advisor, checked_in, renders):
    client.force_login(advisor)
    staff_copy = get_pdf(client, checked_in)
    client.logout()

    token = make_token(purpose="work-order-signature", pk=checked_in.pk)
    response = client.get(reverse("workshop:customer_pdf", args=[token]))

    assert response.content == staff_copy and len(renders) == 1
