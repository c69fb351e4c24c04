"""One client address for the login lockout, the public rate limits and the log, behind the proxy or not."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from aftersales.accounts.models import AuthEvent
from aftersales.lib.client_ip import client_ip

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"
COLLEAGUE = "198.51.100.9"


def via_proxy(forwarded_for: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, via_proxy(CLIENT), PROXY),
        (0, {"REMOTE_ADDR": CLIENT}, CLIENT),
        (1, via_proxy(CLIENT), CLIENT),
        (1, via_proxy(f"6.6.6.6, {CLIENT}"), CLIENT),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"6.6.6.6, {CLIENT}, 10.0.0.1"}, CLIENT),
        (2, via_proxy(CLIENT), PROXY),
        (1, via_proxy("not-an-address"), PROXY),
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(settings, proxies, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def post_login(client, username, **meta):
    return client.post(reverse("accounts:login"), {"username": username, "password": "wrong-password"}, **meta)


def test_behind_one_proxy_the_lock_keys_on_the_forwarded_client(client, settings, advisor):
    settings.TRUSTED_PROXY_COUNT = 1
    for _attempt in range(5):
        post_login(client, advisor.username, **via_proxy(CLIENT))

    assert post_login(client, advisor.username, **via_proxy(f"{COLLEAGUE}, {CLIENT}")).status_code == 429
    colleague = post_login(client, advisor.username, **via_proxy(COLLEAGUE))
    assert colleague.status_code == 200 and "Login locked" not in colleague.content.decode()
    logged = set(AuthEvent.objects.filter(kind=AuthEvent.Kind.LOGIN_FAILED).values_list("ip_address", flat=True))
    assert logged == {CLIENT, COLLEAGUE}


def test_reached_directly_a_spoofed_forwarded_for_changes_nothing(client, settings, advisor):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        post_login(client, advisor.username, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")

    assert post_login(client, advisor.username, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    assert set(AuthEvent.objects.values_list("ip_address", flat=True)) == {CLIENT}


def send_contact_request(client, site, **meta):
    data = {"name": "Jo", "mobile": "", "email": "jo@example.com", "vehicle_text": "", "message": "Call me"}
    return client.post(reverse("online:contact", args=[site.code]), data, **meta)


def test_the_public_rate_limit_keys_on_the_forwarded_client_behind_the_proxy(client, settings, site):
    settings.TRUSTED_PROXY_COUNT = 1
    for _request in range(5):
        assert send_contact_request(client, site, **via_proxy(CLIENT)).status_code == 302

    assert send_contact_request(client, site, **via_proxy(CLIENT)).status_code == 429
    assert send_contact_request(client, site, **via_proxy(COLLEAGUE)).status_code == 302


def test_the_public_rate_limit_ignores_a_spoofed_forwarded_for_without_a_proxy(client, settings, site):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(5):
        assert send_contact_request(client, site, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}").status_code == 302

    assert send_contact_request(client, site, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
