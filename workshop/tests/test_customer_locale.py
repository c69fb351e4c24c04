"""The customer's pages and work-order PDF: entirely in the customer's language, under the dealer's header, in the site's local time.

Whoever opens them: a signed-in advisor working in Chinese prints a French customer's
work order in French, and the customer's own links show the site's clock, not UTC.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import SiteFactory, UserFactory
from aftersales.customers.models import LabourOperation, Part
from aftersales.lib.signing import make_token
from aftersales.tests.documents import CJK, labels_in, pdf_text, spaced
from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.floor_views import APPROVAL_PURPOSE
from workshop.models import ApprovalRequest
from workshop.services import add_job, open_work_order, proposal_amounts, sign_on_tablet
from workshop.signed_content import content_hash
from workshop.views import LINK_PURPOSE

from .conftest import TUESDAY_9AM
from .factories import make_appointment
from .helpers import fill_check_in, signature_data_url, technician_of

SIGNING = datetime(2026, 11, 24, 13, 53, tzinfo=UTC)  # 14:53 in Lyon, 16:53 in Moscow

# Labels the work-order PDF prints, in the English of the source: none may be left in a French customer's copy.
WORK_ORDER_LABELS = [
    "Work order",
    "VAT number",
    "Advisor",
    "Customer",
    "Vehicle",
    "Contact phone for the day",
    "Mileage in",
    "Fuel",
    "Jobs and estimate",
    "Payer",
    "Hours",
    "Price",
    "Total before VAT",
    "Estimate, VAT included",
    "Agreed with the customer",
    "Promised return",
    "Spending limit for extra work without asking",
    "Payment method",
    "Card",
    "Documents and items received",
    "radio code",
    "wheel-lock key",
    "service book",
    "driving licence",
    "registration papers",
    "Valuables left in the car",
    "Walk-around",
    "Rear",
    "Left side",
    "Right side",
    "Top",
    "Scratch",
    "Findings",
    "Signed on the tablet",
    "yes",
    "no",
]
APPROVAL_PAGE_LABELS = [
    "Extra work on order",
    "Our technician inspected",
    "VAT included",
    "Reason (optional)",
    "Approve",
    "Decline",
    "Approved",
]


@pytest.fixture
def french_reference_rows(service_operation):
    """The catalogue rows of the order, with their French names (the reference data's own translations)."""
    LabourOperation.objects.filter(pk=service_operation.pk).update(translations={"fr": {"description": "Révision annuelle"}})
    Part.objects.filter(number="OIL-FILTER").update(translations={"fr": {"name": "Filtre à huile"}})


@pytest.fixture
def chinese_advisor(advisor):
    advisor.language = "zh-hans"
    advisor.save(update_fields=["language"])
    return advisor


def signed_at(order, advisor, clock, moment=SIGNING):
    clock.move_to(moment, tick=False)
    sign_on_tablet(work_order=order, image_data_url=signature_data_url(), shown_hash=content_hash(order), actor=advisor)
    return order


def without_language_picker(page: str) -> str:
    """The page without the picker, which names each language in itself (简体中文)."""
    return re.sub(r'<nav[^>]*id="language-picker".*?</nav>', "", page, flags=re.S)


def staff_menu_in(page: str) -> bool:
    return 'id="main-nav"' in page or reverse("accounts:logout") in page


def test_a_chinese_advisor_prints_a_french_customers_work_order_entirely_in_french(
    client, chinese_advisor, in_workshop, french_reference_rows
):
    client.force_login(chinese_advisor)

    text = pdf_text(client.get(reverse("workshop:pdf", args=[in_workshop.pk])).content)

    for french in (
        "Ordre de réparation",
        "Travaux et devis",
        "Devis TTC",
        "Révision annuelle",
        "Filtre à huile",
        "Rayure (Côté gauche)",  # the damage legend
        "Avant",
        "Arrière",
        "Signé sur la tablette",
        "24 novembre 2026",
        "43 210 km",
        "191,40 €",
    ):
        assert french in spaced(text), french
    assert not CJK.search(text), "the advisor's Chinese leaked into the customer's document"
    assert labels_in(text, WORK_ORDER_LABELS) == []


def test_the_work_order_pdf_shows_the_sites_time_not_utc(client, advisor, order, clock):
    order = signed_at(fill_check_in(order, advisor), advisor, clock)
    client.force_login(advisor)

    text = pdf_text(client.get(reverse("workshop:pdf", args=[order.pk])).content)

    assert "24 novembre 2026 14:53" in spaced(text) and "13:53" not in text


def test_the_signing_page_shows_the_signature_in_lyon_time_in_french_under_the_dealers_header(client, chinese_advisor, order, clock):
    order = signed_at(fill_check_in(order, chinese_advisor), chinese_advisor, clock)
    client.force_login(chinese_advisor)  # a signed-in advisor opening the customer's link sees the customer's page

    page = client.get(reverse("workshop:customer_sign", args=[make_token(purpose=LINK_PURPOSE, pk=order.pk)])).text

    signed = re.search(r'id="signed-info">(.*?)</div>', page, re.S).group(1)
    assert "Signé le 24 novembre 2026 14:53" in spaced(signed)
    assert '<html lang="fr">' in page and "public-header" in page and not staff_menu_in(page)
    assert "13:53" not in page and not CJK.search(without_language_picker(page))


def test_the_approval_page_is_french_in_lyon_time_under_the_dealers_header(client, advisor, in_workshop, technician, site, clock):
    mechanic = technician_of(technician, site)
    proposal = add_job(
        work_order=in_workshop, actor=mechanic, concern="Balais d'essuie-glace", flat_rate_hours=Decimal("0.5"), skill="mechanics"
    )
    request = ApprovalRequest.objects.create(work_order=in_workshop, sent_by=advisor)
    url = reverse("workshop:customer_approval", args=[make_token(purpose=APPROVAL_PURPOSE, pk=request.pk)])
    clock.move_to(SIGNING, tick=False)
    gross = proposal_amounts(proposal, in_workshop.vat_rate)[1]
    assert client.post(url, {"job": proposal.pk, "decision": "approve", "shown_gross": str(gross)}).status_code == 302

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text

    decided = re.search(r'class="[^"]*decided">(.*?)</div>', page, re.S).group(1)
    assert spaced(decided) == "Accepté · 24/11/2026 14:53"
    assert '<html lang="fr">' in page and "public-header" in page and not staff_menu_in(page)
    assert "Travaux supplémentaires" in page and "TTC" in page
    assert labels_in(page, APPROVAL_PAGE_LABELS) == []


@pytest.fixture
def moscow_order(db, clock):
    moscow = SiteFactory(name="Toyota Moscow", city="Moscow", country="RU", time_zone="Europe/Moscow", language="ru", currency="RUB")
    advisor = UserFactory(roles=[Role.SERVICE_ADVISOR], site_list=[moscow], language="ru")
    customer = CustomerFactory(site=moscow, first_name="Иван", last_name="Петров", mobile="+79161234567", language="ru")
    appointment = make_appointment(
        site=moscow, customer=customer, vehicle=VehicleFactory(owner=customer), advisor=advisor, starts_at=TUESDAY_9AM
    )
    order = fill_check_in(open_work_order(appointment=appointment, actor=advisor), advisor, agreement={"contact_phone": "+7 916 123-45-67"})
    return order, advisor


def test_a_moscow_customer_reads_moscow_time_and_a_genitive_date(client, moscow_order, clock):
    order, advisor = moscow_order
    signed_at(order, advisor, clock)

    page = client.get(reverse("workshop:customer_sign", args=[make_token(purpose=LINK_PURPOSE, pk=order.pk)])).text

    signed = spaced(re.search(r'id="signed-info">(.*?)</div>', page, re.S).group(1))
    assert "24 ноября 2026" in signed and "16:53" in signed
    assert "Ноябрь" not in signed and "13:53" not in page
    assert '<html lang="ru">' in page
