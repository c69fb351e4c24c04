"""Two-factor login (TOTP) for managers, cashiers and administrators, through the real views."""

import re

import pyotp
import pytest
from django.urls import reverse

from aftersales.accounts.models import AuthEvent, TwoFactorDevice
from aftersales.accounts.tests.factories import enrol_two_factor, next_totp_code

PASSWORD = "pass-for-tests-123"


def log_in(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step should pass"
    return client.get(reverse("home"))


def test_a_manager_without_two_factor_is_sent_to_enrolment_before_any_page(client, manager):
    response = log_in(client, manager)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_enrol"))
    assert client.get("/customers/").url.startswith(reverse("accounts:two_factor_enrol"))


def test_enrolment_shows_the_secret_as_text_and_a_qr_code_drawn_on_the_server(client, cashier):
    log_in(client, cashier)

    response = client.get(reverse("accounts:two_factor_enrol"))

    device = TwoFactorDevice.objects.get(user=cashier)
    page = response.content.decode()
    assert device.secret in page
    assert "<svg" in page and 'class="segno"' in page
    assert device.confirmed_at is None


def test_enrolment_refuses_a_wrong_code_and_a_right_code_lets_the_manager_in(client, manager):
    log_in(client, manager)
    client.get(reverse("accounts:two_factor_enrol"))
    secret = TwoFactorDevice.objects.get(user=manager).secret

    wrong = client.post(reverse("accounts:two_factor_enrol"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "not valid" in wrong.content.decode()

    right = client.post(
        reverse("accounts:two_factor_enrol") + "?next=/customers/", {"code": pyotp.TOTP(secret).now(), "next": "/customers/"}
    )
    assert right.status_code == 302
    codes_page = client.get(right.url)
    codes = re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", codes_page.content.decode())
    assert len(codes) == 10
    assert manager.recovery_codes.count() == 10
    assert all(code not in stored.code_hash for code in codes for stored in manager.recovery_codes.all())
    assert client.get(reverse("home")).status_code == 200


def test_an_enrolled_cashier_types_the_code_after_the_password(client, cashier):
    device = enrol_two_factor(cashier)
    response = log_in(client, cashier)
    assert response.url.startswith(reverse("accounts:two_factor_verify"))

    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "123456"})
    assert wrong.status_code == 400
    assert AuthEvent.objects.filter(user=cashier, kind=AuthEvent.Kind.TWO_FACTOR_FAILED).count() == 1

    right = client.post(reverse("accounts:two_factor_verify"), {"code": next_totp_code(device), "next": "/"})
    assert right.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_code_already_used_is_refused_the_next_time(client, manager):
    device = enrol_two_factor(manager)
    code = next_totp_code(device)
    log_in(client, manager)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))

    log_in(client, manager)
    replay = client.post(reverse("accounts:two_factor_verify"), {"code": code})

    assert replay.status_code == 400


def test_a_recovery_code_lets_in_once(client, manager):
    log_in(client, manager)
    client.get(reverse("accounts:two_factor_enrol"))
    secret = TwoFactorDevice.objects.get(user=manager).secret
    client.post(reverse("accounts:two_factor_enrol"), {"code": pyotp.TOTP(secret).now()})
    code = re.findall(r"<li>([0-9a-f-]{13})</li>", client.get(reverse("accounts:two_factor_recovery_codes")).content.decode())[0]
    client.post(reverse("accounts:logout"))

    log_in(client, manager)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code.upper()}).status_code == 302
    client.post(reverse("accounts:logout"))
    log_in(client, manager)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 400


def test_five_wrong_codes_end_the_session(client, manager):
    enrol_two_factor(manager)
    log_in(client, manager)

    for _attempt in range(5):
        response = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})

    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert client.get(reverse("home")).url.startswith(reverse("accounts:login"))


def test_a_crc_agent_is_not_asked_for_a_second_factor(client, crc_agent):
    response = log_in(client, crc_agent)

    assert response.status_code == 200
    assert client.get(reverse("accounts:two_factor_enrol")).url == reverse("home")


def test_a_superuser_needs_the_second_factor_on_the_admin_too(client, site):
    from aftersales.accounts.tests.factories import UserFactory

    boss = UserFactory(username="boss", is_superuser=True, is_staff=True, site_list=[site])
    client.post(reverse("admin:login"), {"username": "boss", "password": PASSWORD})

    assert client.get(reverse("admin:index")).url.startswith(reverse("accounts:two_factor_enrol"))
    assert boss.auth_events.filter(kind=AuthEvent.Kind.LOGIN).exists()


def test_an_admin_resets_a_lost_second_factor(admin_client, manager):
    enrol_two_factor(manager)
    manager.recovery_codes.create(code_hash="x")

    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "reset_second_factor",
            "_selected_action": [manager.pk],
        },
    )

    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=manager).exists()
    assert not manager.recovery_codes.exists()


@pytest.mark.parametrize("name", ["accounts:logout"])
def test_logging_out_needs_no_second_factor(client, manager, name):
    log_in(client, manager)

    response = client.post(reverse(name))

    assert response.status_code == 302 and response.url == reverse("accounts:login")
