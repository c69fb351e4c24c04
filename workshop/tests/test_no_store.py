"""Nothing personal stays in a shared tablet's cache: signed-in pages and customer documents are never stored."""

from django.urls import reverse

from aftersales.lib.signing import make_token


def test_a_signed_in_page_is_private_and_never_stored(client, advisor, checked_in):
    client.force_login(advisor)
    response = client.get(reverse("workshop:detail", args=[checked_in.pk]))
    assert response.status_code == 200
    assert {part.strip() for part in response["Cache-Control"].split(",")} >= {"private", "no-store"}


def test_a_pdf_is_never_stored_on_the_staff_side_nor_through_the_customers_link(client, advisor, checked_in):
    token = make_token(purpose="work-order-signature", pk=checked_in.pk)
    through_link = client.get(reverse("workshop:customer_pdf", args=[token]))
    client.force_login(advisor)
    staff = client.get(reverse("workshop:pdf", args=[checked_in.pk]))

    for response in (through_link, staff):
        assert response["Content-Type"] == "application/pdf"
        assert {part.strip() for part in response["Cache-Control"].split(",")} >= {"private", "no-store"}
