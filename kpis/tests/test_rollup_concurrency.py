"""Two rebuilds of the same days at once (the 10-minute job meeting the nightly one) both finish, one after the other."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from kpis.models import DailyFigure
from kpis.rollup import rebuild

from .dataset import PARIS, at, build_month

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two transactions racing on the figures' unique key")


def test_two_rebuilds_of_the_same_days_at_once_both_finish(site, other_site):
    with timezone.override(PARIS):
        build_month(site, other_site)
    before = DailyFigure.objects.count()
    errors = []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait(5)
            rebuild(sites=[site, other_site], start=date(2026, 3, 1), end=date(2026, 4, 1), now=at(31, 23))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert DailyFigure.objects.count() == before
