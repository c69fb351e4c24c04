"""Brute-force lockout, session time-outs, password rules and the log of logins and refusals."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from aftersales.accounts.models import AuthEvent

PASSWORD = "pass-for-tests-123"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def post_login(client, username, password, ip="10.1.1.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client, username, ip="10.1.1.1"):
    for _attempt in range(5):
        post_login(client, username, "wrong-password", ip)


def test_five_wrong_passwords_lock_the_username_from_that_address_even_with_the_right_password(client, advisor):
    fail_five_times(client, advisor.username)

    response = post_login(client, advisor.username, PASSWORD)

    assert response.status_code == 429
    assert "Login locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_spares_colleagues_on_the_same_address_and_the_user_elsewhere(client, advisor, crc_agent):
    fail_five_times(client, advisor.username)

    assert post_login(client, crc_agent.username, PASSWORD).status_code == 302
    client.logout()
    assert post_login(client, advisor.username, PASSWORD, ip="10.9.9.9").status_code == 302


def test_the_lock_lifts_after_a_thirty_minute_cool_off(client, advisor):
    with time_machine.travel(START, tick=False) as traveller:
        fail_five_times(client, advisor.username)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("accounts:login")).status_code == 200
        traveller.shift(timedelta(minutes=2))
        assert post_login(client, advisor.username, PASSWORD).status_code == 302


def test_an_administrator_unlocks_a_locked_login(client, admin_client, advisor):
    fail_five_times(client, advisor.username)

    admin_client.post(reverse("admin:accounts_user_changelist"), {"action": "unlock_login", "_selected_action": [advisor.pk]})

    assert post_login(client, advisor.username, PASSWORD).status_code == 302


def test_an_idle_session_ends_after_thirty_minutes(client, advisor):
    with time_machine.travel(START, tick=False) as traveller:
        post_login(client, advisor.username, PASSWORD)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("home"))

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert AuthEvent.objects.filter(user=advisor, kind=AuthEvent.Kind.SESSION_EXPIRED).count() == 1


def test_a_board_refreshing_itself_does_not_keep_an_idle_session_alive(client, advisor):
    with time_machine.travel(START, tick=False) as traveller:
        post_login(client, advisor.username, PASSWORD)
        for _poll in range(30):
            traveller.shift(timedelta(minutes=1))
            assert client.get(reverse("home"), headers={"HX-Request": "true", "X-Background-Refresh": "1"}).status_code == 200
        traveller.shift(timedelta(minutes=1))
        response = client.get(reverse("home"))

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_an_active_session_still_ends_twelve_hours_after_the_login(client, advisor):
    with time_machine.travel(START, tick=False) as traveller:
        post_login(client, advisor.username, PASSWORD)
        for _visit in range(35):  # every 20 minutes for 11 h 40
            traveller.shift(timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=21))
        response = client.get(reverse("home"))

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_time_outs_come_from_the_settings(client, advisor, settings):
    settings.SESSION_IDLE_TIMEOUT = 60
    with time_machine.travel(START, tick=False) as traveller:
        post_login(client, advisor.username, PASSWORD)
        traveller.shift(timedelta(seconds=61))
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("password", ["short-pass1", "12345678901234", "password1234"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_twelve_character_password_is_accepted():
    validate_password("Garage-Lyon7")


def test_logins_failed_logins_and_logouts_are_logged_with_user_ip_and_time(client, advisor):
    post_login(client, advisor.username, "wrong-password", ip="10.2.3.4")
    post_login(client, advisor.username, PASSWORD, ip="10.2.3.4")
    client.post(reverse("accounts:logout"), REMOTE_ADDR="10.2.3.4")
    post_login(client, "nobody", "wrong-password", ip="10.2.3.5")

    events = list(AuthEvent.objects.order_by("pk").values_list("kind", "user", "username", "ip_address"))
    assert events == [
        ("login_failed", advisor.pk, advisor.username, "10.2.3.4"),
        ("login", advisor.pk, advisor.username, "10.2.3.4"),
        ("logout", advisor.pk, advisor.username, "10.2.3.4"),
        ("login_failed", None, "nobody", "10.2.3.5"),
    ]
    assert all(event.at for event in AuthEvent.objects.all())


def test_a_refused_page_is_logged_and_explained(client, technician):
    client.force_login(technician)

    response = client.get("/kpis/", REMOTE_ADDR="10.7.7.7")

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    event = AuthEvent.objects.get(kind=AuthEvent.Kind.PERMISSION_DENIED)
    assert (event.user, event.ip_address, event.path) == (technician, "10.7.7.7", "/kpis/")


def test_the_log_is_read_only_in_the_admin(admin_client, advisor):
    event = AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN, user=advisor, username=advisor.username)

    assert admin_client.get(reverse("admin:accounts_authevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_authevent_add")).status_code == 403
    assert admin_client.post(reverse("admin:accounts_authevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuthEvent.objects.filter(pk=event.pk).exists()
