import re

from django.core import mail
from django.urls import reverse

from aftersales.accounts.tests.factories import UserFactory

PASSWORD = "pass-for-tests-123"


def _reset_link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_page_renders_the_crispy_form(client, db):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert 'id="login-form"' in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert reverse("accounts:password_reset") in response.text


def test_staff_member_logs_in_and_lands_on_home_with_their_menu(client, advisor):
    response = client.post(reverse("accounts:login"), {"username": "advisor", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Hello Julie" in response.text
    assert reverse("customers:search") in response.text


def test_wrong_password_is_refused_with_a_message(client, advisor):
    response = client.post(reverse("accounts:login"), {"username": "advisor", "password": "nope"})

    assert response.status_code == 200
    assert "correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_login_keeps_the_page_asked_for(client, advisor):
    target = reverse("customers:search")
    response = client.post(reverse("accounts:login") + f"?next={target}", {"username": "advisor", "password": PASSWORD, "next": target})

    assert response.url == target


def test_login_does_not_redirect_to_another_host(client, advisor):
    response = client.post(reverse("accounts:login"), {"username": "advisor", "password": PASSWORD, "next": "https://evil.example/"})

    assert response.url == reverse("home")


def test_logout_needs_a_post(client, advisor):
    client.force_login(advisor)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_user_without_role_is_told_to_ask_an_administrator(client, site):
    client.force_login(UserFactory(site_list=[site]))

    assert "ask an administrator" in client.get(reverse("home")).text


def test_password_reset_by_email_end_to_end(client, advisor):
    response = client.post(reverse("accounts:password_reset"), {"email": advisor.email})
    assert response.url == reverse("accounts:password_reset_done")
    assert client.get(response.url).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [advisor.email]
    assert "\n" not in message.subject
    assert message.message()["Auto-Submitted"] == "auto-generated"
    assert "Your username is advisor." in message.body
    link = _reset_link(message)

    form_page = client.get(link, follow=True)
    assert 'id="password-set-form"' in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Brake-Disc-Lyon-77", "new_password2": "Brake-Disc-Lyon-77"}, follow=True
    )

    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    advisor.refresh_from_db()
    assert advisor.check_password("Brake-Disc-Lyon-77")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})

    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_used_reset_link_is_refused_clearly(client, db):
    response = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}))

    assert response.status_code == 200
    assert "already been used or has expired" in response.text


def test_password_reset_refuses_mismatched_passwords(client, advisor):
    client.post(reverse("accounts:password_reset"), {"email": advisor.email})
    form_url = client.get(_reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]

    response = client.post(form_url, {"new_password1": "Brake-Disc-Lyon-77", "new_password2": "Something-Else-88"})

    assert response.status_code == 200
    assert "fields didn’t match" in response.text
    advisor.refresh_from_db()
    assert advisor.check_password(PASSWORD)
