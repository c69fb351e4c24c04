"""Catalogue prices per currency: each site reads the price in its own currency, in one query per kind; an item
without one there has no price (never 0, never another currency's figure); the admin edits them as inlines."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from aftersales.accounts.tests.factories import SiteFactory
from aftersales.customers.models import LabourOperation, Part, SeasonalOffer
from aftersales.customers.prices import labour_prices, missing_price_message, part_prices, with_offer_prices
from aftersales.tests.html_forms import page_form_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def moscow():
    return SiteFactory(code="moscow", currency="RUB", labour_rate=Decimal("4200.00"))


@pytest.fixture
def filter_part():
    part = Part.objects.create(number="FLT-CABIN", name="Cabin filter")
    part.prices.create(currency="EUR", amount=Decimal("24.50"))
    part.prices.create(currency="RUB", amount=Decimal("2350.00"))
    return part


def test_a_part_is_priced_in_the_sites_currency_and_missing_elsewhere(filter_part, django_assert_num_queries):
    euro_only = Part.objects.create(number="R1234YF", name="Refrigerant")
    euro_only.prices.create(currency="EUR", amount=Decimal("120.00"))

    with django_assert_num_queries(1):
        roubles = part_prices([filter_part, euro_only], "RUB")

    assert roubles == {filter_part.pk: Decimal("2350.00")}
    assert part_prices([filter_part, euro_only], "EUR") == {filter_part.pk: Decimal("24.50"), euro_only.pk: Decimal("120.00")}
    assert "RUB" in missing_price_message([euro_only], "RUB") and "R1234YF" in missing_price_message([euro_only], "RUB")


def test_one_price_per_item_and_currency(filter_part):
    with pytest.raises(IntegrityError):
        filter_part.prices.create(currency="RUB", amount=Decimal("1"))


def test_an_operation_has_its_fixed_price_in_the_currency_else_hours_times_the_sites_rate(moscow, django_assert_num_queries):
    lyon = SiteFactory(code="lyon", currency="EUR", labour_rate=Decimal("118.00"))
    by_hours = LabourOperation.objects.create(code="PADS", description="Pads", flat_rate_hours=Decimal("1.50"), skill="mechanics")
    fixed = LabourOperation.objects.create(code="HYB", description="Hybrid check", flat_rate_hours=Decimal("0.50"), skill="diagnosis")
    fixed.prices.create(currency="EUR", amount=Decimal("49.00"))

    with django_assert_num_queries(1):
        at_moscow = labour_prices([by_hours, fixed], moscow)

    assert at_moscow == {by_hours.pk: Decimal("6300.00")}  # the euro fixed price is not Moscow's
    assert labour_prices([by_hours, fixed], lyon) == {by_hours.pk: Decimal("177.00"), fixed.pk: Decimal("49.00")}


def test_an_offer_is_told_at_its_price_in_the_currency_or_without_one():
    dates = {"starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    tyres = SeasonalOffer.objects.create(title="Winter tyres", **dates)
    tyres.prices.create(currency="RUB", amount=Decimal("5900.00"))
    unpriced = SeasonalOffer.objects.create(title="Free check", **dates)

    in_euros = [(offer.local_price, offer.price_missing) for offer in with_offer_prices([tyres, unpriced], "EUR")]
    in_roubles = [(offer.local_price, offer.price_missing) for offer in with_offer_prices([tyres, unpriced], "RUB")]

    assert in_euros == [(None, True), (None, False)]
    assert in_roubles == [(Decimal("5900.00"), False), (None, False)]


def test_the_admin_edits_a_parts_prices_per_currency(admin_client, filter_part):
    url = f"/admin/customers/part/{filter_part.pk}/change/"
    data = page_form_entries(admin_client, url, "part_form")
    rows = {
        data[f"prices-{i}-currency"][0]: i for i in range(int(data["prices-TOTAL_FORMS"][0])) if data.get(f"prices-{i}-currency", [""])[0]
    }
    assert set(rows) == {"EUR", "RUB"}
    data[f"prices-{rows['RUB']}-amount"] = ["2400.00"]
    extra = int(data["prices-TOTAL_FORMS"][0]) - 1
    data.update({f"prices-{extra}-currency": ["CNY"], f"prices-{extra}-amount": ["190.00"]})

    assert admin_client.post(url, data).status_code == 302
    assert dict(filter_part.prices.values_list("currency", "amount")) == {
        "EUR": Decimal("24.50"),
        "RUB": Decimal("2400.00"),
        "CNY": Decimal("190.00"),
    }


def test_the_admin_refuses_a_second_price_in_one_currency_and_a_lowercase_code(admin_client, filter_part):
    url = f"/admin/customers/part/{filter_part.pk}/change/"
    data = page_form_entries(admin_client, url, "part_form")
    extra = int(data["prices-TOTAL_FORMS"][0]) - 1
    data.update({f"prices-{extra}-currency": ["RUB"], f"prices-{extra}-amount": ["1.00"]})
    assert admin_client.post(url, data).status_code == 200
    data.update({f"prices-{extra}-currency": ["usd"]})
    page = admin_client.post(url, data).text
    assert "Give the ISO 4217 code in capitals" in page
    assert filter_part.prices.count() == 2
