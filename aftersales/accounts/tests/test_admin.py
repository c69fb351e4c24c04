import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.accounts.tests.factories import UserFactory


@pytest.fixture
def superuser(site):
    return UserFactory(username="root", is_staff=True, is_superuser=True, site_list=[site])


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:accounts_user_changelist",
        "admin:accounts_site_changelist",
        "admin:accounts_brand_changelist",
        "admin:accounts_dealergroup_changelist",
    ],
)
def test_admin_lists_staff_and_sites(client, superuser, url_name):
    client.force_login(superuser)

    assert client.get(reverse(url_name)).status_code == 200


def test_admin_site_page_edits_brands_hours_and_closures_inline(client, superuser, site):
    client.force_login(superuser)

    response = client.get(reverse("admin:accounts_site_change", args=[site.pk]))

    assert response.status_code == 200
    for prefix in ("brand_contacts", "opening_hours", "closures"):
        assert f'name="{prefix}-TOTAL_FORMS"' in response.text


def test_admin_user_page_shows_roles_sites_and_language(client, superuser, advisor):
    client.force_login(superuser)

    response = client.get(reverse("admin:accounts_user_change", args=[advisor.pk]))

    for field in ("groups", "sites", "language", "group_wide"):
        assert f'name="{field}"' in response.text


def test_admin_creates_a_staff_member_with_role_and_site(client, superuser, site):
    client.force_login(superuser)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.advisor",
            "usable_password": "true",
            "password1": "Brake-Disc-Lyon-77",
            "password2": "Brake-Disc-Lyon-77",
            "first_name": "Léa",
            "last_name": "Roux",
            "email": "lea@example.test",
            "language": "fr",
            "groups": [Group.objects.get(name="service_advisor").pk],
            "sites": [site.pk],
        },
    )

    assert response.status_code == 302
    created = User.objects.get(username="new.advisor")
    assert created.role_names() == {"service_advisor"}
    assert list(created.sites.all()) == [site]
    assert created.language == "fr"
