import pytest
from django.urls import reverse

from aftersales.accounts.tests.factories import UserFactory


@pytest.fixture
def superuser(site):
    return UserFactory(username="root", is_staff=True, is_superuser=True, site_list=[site])


@pytest.mark.parametrize(
    "url_name",
    ["admin:accounts_user_changelist", "admin:accounts_site_changelist", "admin:accounts_brand_changelist", "admin:accounts_dealergroup_changelist"],
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
