"""Passwords are hashed with Argon2 in production; older PBKDF2 hashes are upgraded at the next login.

The suite itself hashes with MD5 for speed (conftest), so these tests put the production list back.
"""

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.urls import reverse

from aftersales.accounts.tests.factories import UserFactory

PASSWORD = "pass-for-tests-123"
PRODUCTION_HASHERS = importlib.import_module("aftersales.settings").PASSWORD_HASHERS


@pytest.fixture
def production_hashers():
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        yield


def test_production_hashes_new_passwords_with_argon2_first():
    assert PRODUCTION_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in PRODUCTION_HASHERS


def test_a_new_password_is_stored_as_argon2(production_hashers, db):
    user = UserFactory(username="fresh")
    user.set_password(PASSWORD)
    user.save()

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_the_next_login(production_hashers, client, advisor):
    user = advisor
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("accounts:login"), {"username": "advisor", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_a_wrong_password_leaves_the_old_hash_alone(production_hashers, client, advisor):
    user = advisor
    old_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.password = old_hash
    user.save(update_fields=["password"])

    client.post(reverse("accounts:login"), {"username": "advisor", "password": "not-the-password"})

    user.refresh_from_db()
    assert user.password == old_hash
