from django.conf import settings
from django.urls import reverse

from aftersales.audit.models import AuditEvent


def test_signed_in_user_language_is_saved_and_used_on_the_next_page(client, advisor):
    client.force_login(advisor)

    response = client.post(reverse("accounts:language"), {"language": "fr", "next": reverse("home")})

    assert response.url == reverse("home")
    advisor.refresh_from_db()
    assert advisor.language == "fr"
    assert '<html lang="fr">' in client.get(reverse("home")).text
    assert AuditEvent.objects.filter(object_id=str(advisor.pk), changes={"language": ["en", "fr"]}).exists()


def test_saved_language_follows_the_user_to_a_new_session(client, advisor):
    advisor.language = "ru"
    advisor.save()

    client.force_login(advisor)

    assert '<html lang="ru">' in client.get(reverse("home")).text


def test_anonymous_visitor_gets_the_language_cookie(client, db):
    response = client.post(reverse("accounts:language"), {"language": "zh-hans", "next": reverse("accounts:login")})

    assert response.url == reverse("accounts:login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert '<html lang="zh-hans">' in client.get(reverse("accounts:login")).text


def test_unknown_language_changes_nothing(client, advisor):
    client.force_login(advisor)

    response = client.post(reverse("accounts:language"), {"language": "xx", "next": reverse("home")})

    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.language == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_language_switch_refuses_to_redirect_off_site(client, advisor):
    client.force_login(advisor)

    response = client.post(reverse("accounts:language"), {"language": "fr", "next": "https://evil.example/"})

    assert response.url == reverse("home")


def test_language_switch_is_post_only(client, advisor):
    client.force_login(advisor)

    assert client.get(reverse("accounts:language")).status_code == 405
