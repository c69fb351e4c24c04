"""A service advisor at reception: log in, find a customer by part of a plate,
open the 360 page, switch the UI to French."""

import re

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory


def french(text: str) -> str:
    with translation.override("fr"):
        return translation.gettext(text)


def test_advisor_finds_a_customer_by_part_of_a_plate_and_switches_to_french(page, live_server, login, advisor, site):
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand")
    VehicleFactory(owner=customer, plate="EF-482-KL", make="Audi", model="Q3")
    CustomerFactory(site=site, first_name="Jean", last_name="Dupont")

    login(page, live_server, advisor)
    page.goto(live_server.url + reverse("customers:search"))
    page.get_by_role("searchbox").fill("482-K")
    page.get_by_role("searchbox").press("Enter")

    hit = page.locator("#search-results a", has_text="Marchand")
    expect(hit).to_have_count(1)
    expect(page.locator("#search-results")).not_to_contain_text("Dupont")
    hit.click()

    expect(page).to_have_url(live_server.url + customer.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Élodie Marchand")
    expect(page.locator("body")).to_contain_text("EF-482-KL")

    page.locator("#language-menu").click()
    page.get_by_role("button", name="français").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(live_server.url + customer.get_absolute_url())
    expect(page.locator("#language-menu")).to_have_text(re.compile(r"^\s*français\s*$"))
    expect(page.get_by_role("navigation").get_by_role("link", name=french("Customers"))).to_be_visible()
    expect(page.get_by_role("heading", name=french("Contact"))).to_be_visible()
    advisor.refresh_from_db()
    assert advisor.language == "fr"
