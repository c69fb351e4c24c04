"""An after-sales manager opens the dashboard, filters by advisor and clicks through to the no-shows behind the figure."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from kpis.tests.dataset import PARIS, build_month


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
