"""A minimal walk-in check-in on a 1024 × 768 tablet, in English, French and Russian: each step saves and the next one
is swapped in by htmx, so the whole check-in is two full page loads (the walk-in form, then the signed order), not one
per step; a mistake comes back in place; what was typed is on the work order, and Back and a reload still work."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.models import WorkOrder
from workshop.services import step_by_key

from .test_reception_journeys import draw_signature

pytestmark = pytest.mark.e2e
VIN = "WAUZZZ8V5KA123456"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1024, "height": 768}, "has_touch": True}


def heading(step: str, language: str) -> str:
    with translation.override(language):
        return str(step_by_key(step).title)


def save(page, step: str, language: str, following: str):
    """Save the step with its button; the next step's heading takes its place and the focus, its address is pushed."""
    page.locator("#step-form button[type=submit]").click()
    title = page.locator("#step-title")
    expect(title).to_have_text(heading(following, language))
    expect(title).to_be_focused()
    expect(page).to_have_url(re.compile(f"/check-in/{following}/$"))
    expect(page).to_have_title(re.compile(re.escape(heading(following, language))))


@pytest.mark.parametrize("language", ["en", "fr", "ru"])
def test_a_walk_in_check_in_swaps_its_steps_without_reloading_the_page(page, live_server, login, advisor, site, templates, language):
    customer = CustomerFactory(site=site, first_name="Paul", last_name="Bernard", language="fr")
    VehicleFactory(owner=customer, vin=VIN, plate="JK-777-LM")
    login(page, live_server, advisor)
    advisor.language = language  # as the language menu saves it, once signed in
    advisor.save(update_fields=["language"])
    page.goto(f"{live_server.url}{reverse('workshop:walk_in')}?site={site.pk}")
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    page.evaluate("window.sameDocument = true")  # gone with any full page load

    page.locator("#id_vin").fill(VIN)
    page.locator("#id_customer_words").fill("Warning light on the dashboard")
    page.locator("#walk-in-form button[type=submit]:not([name])").click()
    expect(page.locator("#step-title")).to_have_text(heading("prepare", language))
    order = WorkOrder.objects.get(vehicle__vin=VIN)

    page.locator("#step-form button[type=submit]").click()  # no cover fitted, no reason: refused in place
    expect(page.locator("#id_covers_not_fitted_reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_covers_not_fitted_reason")).to_be_focused()
    for name in ("cover_seat", "cover_steering_wheel", "cover_floor_mat"):
        page.locator(f"#id_{name}").check()
    save(page, "prepare", language, "greet")
    page.locator("#id_requested_work_confirmed").check()
    save(page, "greet", language, "walk_around")

    page.locator("svg[data-view=left]").tap(position={"x": 120, "y": 60})  # the diagram works in the swapped step
    expect(page.locator("#marks-list li")).to_have_count(1)
    violations = Axe().run(page, options=WCAG_21_AA).response["violations"]
    assert [item["id"] for item in violations if item["impact"] in ("serious", "critical")] == []
    page.locator("#id_mileage_in").fill("43210")
    page.locator("input[name=fuel_level][value='5']").check()
    page.locator("#id_valuables").fill("Sunglasses")
    save(page, "walk_around", language, "findings")

    page.locator("#job-form #id_concern").fill("Replace the wiper blades")
    page.locator("#job-form #id_flat_rate_hours").fill("0.3")
    page.locator("#id_findings").fill("Front pads worn")  # typed before the job is added: the job's answer keeps it
    page.locator("#job-form button[type=submit]").click()
    expect(page.locator("#jobs-table")).to_contain_text("Replace the wiper blades")
    expect(page.locator("#jobs-section [role=status]")).to_be_focused()
    expect(page.locator("#id_findings")).to_have_value("Front pads worn")
    save(page, "findings", language, "estimate")

    promised = timezone.localtime(timezone.now() + timedelta(hours=6))
    page.locator("#id_promised_at").fill(promised.strftime("%Y-%m-%dT%H:%M"))
    save(page, "estimate", language, "documents")
    page.locator("#id_doc_service_book").check()
    save(page, "documents", language, "agreement")
    page.locator("#id_spending_limit").fill("150")
    page.locator("#id_payment_method").select_option("card")
    page.locator("#id_contact_phone").fill("06 12 34 56 78")
    save(page, "agreement", language, "mobility")
    page.locator("input[name=departure][value=leaves]").check()
    save(page, "mobility", language, "sign")

    page.go_back()  # Back comes to the step left, from the server (htmx keeps no copy of the customer's data)
    expect(page.locator("#step-title")).to_have_text(heading("mobility", language))
    expect(page.locator("input[name=departure][value=leaves]")).to_be_checked()
    page.locator("nav .check-in-steps a").nth(2).click()
    expect(page.locator("#step-title")).to_have_text(heading("walk_around", language))
    expect(page.locator("#id_mileage_in")).to_have_value("43210")
    expect(page.locator("svg[data-view=left] g.mark")).to_have_count(1)
    assert page.evaluate("window.sameDocument === true") and loads == []

    page.reload()  # a reload shows the step of the address
    expect(page.locator("#step-title")).to_have_text(heading("walk_around", language))
    page.locator("nav .check-in-steps a").last.click()
    expect(page.locator("#step-title")).to_have_text(heading("sign", language))
    draw_signature(page)
    page.locator("#signature-form button[type=submit]").click()
    with translation.override(language):
        expect(page.locator("#order-status")).to_have_text(gettext("Signed by the customer"))
    assert len(loads) == 2, loads  # the reload asked for above, and the signed order

    order.refresh_from_db()
    assert (order.mileage_in, order.fuel_level, order.valuables, order.findings) == (43210, 5, "Sunglasses", "Front pads worn")
    assert order.spending_limit == 150 and order.contact_phone == "+33612345678" and order.departure == "leaves"
    assert order.damage_marks.count() == 1 and order.jobs.get().concern == "Replace the wiper blades"
