"""An htmx request without a session is sent to the login as a whole page, not swapped into its fragment."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import time_machine
from django.urls import reverse

PASSWORD = "pass-for-tests-123"
HTMX = {"HX-Request": "true"}
FRAGMENT = reverse("invoicing:handovers") + "?site=1"


def login_url_for(path: str) -> str:
    return f"{reverse('accounts:login')}?next={quote(path)}"


def test_an_htmx_request_without_a_session_gets_an_hx_redirect_to_the_login(client, db):
    response = client.get(FRAGMENT, headers=HTMX)

    assert response.status_code == 200 and response["HX-Redirect"] == login_url_for(FRAGMENT)
    assert not response.has_header("Location") and response.content == b""


def test_an_htmx_request_whose_session_expired_gets_an_hx_redirect_to_the_login(client, advisor):
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False) as traveller:
        client.post(reverse("accounts:login"), {"username": advisor.username, "password": PASSWORD})
        traveller.shift(timedelta(minutes=31))
        response = client.get(FRAGMENT, headers=HTMX)

    assert response.status_code == 200 and response["HX-Redirect"] == login_url_for(FRAGMENT)


def test_a_plain_request_without_a_session_is_still_redirected_to_the_login(client, db):
    response = client.get(FRAGMENT)

    assert response.status_code == 302 and response["Location"] == login_url_for(FRAGMENT)
    assert not response.has_header("HX-Redirect")


def test_a_signed_in_htmx_request_is_left_alone(client, advisor):
    client.force_login(advisor)

    response = client.get(reverse("home"), headers=HTMX)

    assert response.status_code == 200 and not response.has_header("HX-Redirect") and response.content


def test_after_the_login_the_user_comes_back_to_the_page_not_to_the_fragment(client, db):
    page = reverse("invoicing:handovers") + "?site=2"
    response = client.get(FRAGMENT, headers={**HTMX, "HX-Current-URL": f"http://testserver{page}"})

    assert response["HX-Redirect"] == login_url_for(page)


def test_a_current_url_of_another_host_is_not_followed(client, db):
    response = client.get(FRAGMENT, headers={**HTMX, "HX-Current-URL": "https://elsewhere.example/phish"})

    assert response["HX-Redirect"] == login_url_for(FRAGMENT)


def test_an_htmx_request_owing_the_second_factor_goes_to_it_as_a_whole_page(client, manager):
    client.post(reverse("accounts:login"), {"username": manager.username, "password": PASSWORD})
    response = client.get(FRAGMENT, headers=HTMX)

    assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("accounts:two_factor_enrol"))
