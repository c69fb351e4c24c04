"""Browser journey: a manager's first login sets up the authenticator, under the strict CSP."""

import pyotp
from django.urls import reverse
from playwright.sync_api import expect


def test_a_manager_enrols_an_authenticator_at_the_first_login_and_keeps_the_recovery_codes(page, live_server, manager):
    page.goto(live_server.url + reverse("kpis:dashboard"))
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill("pass-for-tests-123")
    page.locator("form#login-form button[type=submit]").click()

    expect(page.get_by_role("heading", name="Set up two-factor login")).to_be_visible()
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text().strip()
    page.get_by_label("Code").fill("000000")
    page.locator("form#two-factor-form button[type=submit]").click()
    expect(page.get_by_text("This code is not valid")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.locator("form#two-factor-form button[type=submit]").click()

    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(live_server.url + reverse("kpis:dashboard"))
