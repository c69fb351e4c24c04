"""An after-sales manager opens the dashboard, filters by advisor and clicks through to the no-shows behind the figure;
the dashboard opens on the headline figures and fits 1024 and 1280 px in English, French and Russian, axe-clean."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from kpis.targets import Status
from kpis.tests.dataset import PARIS, build_month

pytestmark = pytest.mark.e2e
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


def test_manager_filters_by_advisor_and_opens_the_no_shows_behind_the_figure(page, live_server, login, manager, site, other_site):
    with timezone.override(PARIS):
        month = build_month(site, other_site)
    no_show = month.appointments[5]

    login(page, live_server, manager)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("After-sales dashboard")
    page.get_by_label("Day in the period").fill("2026-03-15")
    page.get_by_label("Advisor").select_option(label="Anna One")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"day=2026-03-15"))
    figure = page.locator("#kpi-no_show_rate .kpi-figure")
    expect(figure).to_have_text("50.0 %")
    figure.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("No-show rate")
    expect(page.locator("#kpi-records tbody tr")).to_have_count(1)
    expect(page.locator("#kpi-records")).to_contain_text(str(no_show.customer))
    expect(page.locator("#kpi-records")).to_contain_text("No-show")


@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize("language", ["en", "fr", "ru"])
def test_the_dashboard_opens_on_the_headline_figures_fits_the_window_and_passes_axe(
    page, live_server, login, manager, site, other_site, language, width
):
    with timezone.override(PARIS):
        build_month(site, other_site)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, manager)
    manager.language = language  # as the language menu saves it, once signed in
    manager.save(update_fields=["language"])
    page.goto(f"{live_server.url}{reverse('kpis:dashboard')}?site={site.pk}&period=month&day=2026-03-15")

    headline = page.locator(".kpi-headline .card")
    expect(headline).to_have_count(6)
    with translation.override(language):
        expect(page.locator("#headline-callback_7_days .kpi-status")).to_contain_text(str(Status.LABELS[Status.ON]))
        expect(page.locator("#headline-confirmation_30_min .kpi-status")).to_contain_text(str(Status.LABELS[Status.OFF]))
    expect(page.locator("#kpi-no_show_rate svg.kpi-chart .kpi-value")).to_have_count(1)
    expect(page.locator("#stage-booking")).to_be_visible()

    scroll_width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= window, f"{scroll_width} px wide in a {window} px window"
    chart = page.locator("#kpi-no_show_rate svg.kpi-chart").bounding_box()
    assert chart["width"] >= 400  # a trend drawn large enough to read
    violations = [
        (violation["id"], [node["target"] for node in violation["nodes"][:3]])
        for violation in Axe().run(page, options=WCAG_21_AA).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert violations == []
