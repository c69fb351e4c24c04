from django.test import RequestFactory
from django.utils import timezone

from aftersales.accounts.middleware import SESSION_TIME_ZONE_KEY, SiteTimeZoneMiddleware
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import SiteFactory, UserFactory


def _time_zone_seen_by_a_view(session) -> str:
    request = RequestFactory().get("/")
    request.session = session
    return SiteTimeZoneMiddleware(lambda request: timezone.get_current_timezone_name())(request)


def test_login_remembers_the_time_zone_of_the_users_site(client, db):
    moscow = SiteFactory(name="Citroën Moscow", country="RU", time_zone="Europe/Moscow", currency="RUB", language="ru")
    client.force_login(UserFactory(roles=[Role.SERVICE_ADVISOR], site_list=[moscow]))

    assert client.session[SESSION_TIME_ZONE_KEY] == "Europe/Moscow"


def test_views_run_in_the_sites_time_zone_and_the_server_zone_comes_back_after():
    assert _time_zone_seen_by_a_view({SESSION_TIME_ZONE_KEY: "Europe/Moscow"}) == "Europe/Moscow"
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_user_without_site_reads_the_server_time_zone(client, db):
    client.force_login(UserFactory())

    assert SESSION_TIME_ZONE_KEY not in client.session
    assert _time_zone_seen_by_a_view({}) == "UTC"
