"""Two rebuilds of the same days at once (the 10-minute job meeting the nightly one) both finish, one after the other."""

from datetime import date
from functools import partial

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


def test_two_rebuilds_of_the_same_days_at_once_both_finish(site, other_site, run_concurrently):
    with timezone.override(PARIS):
        build_month(site, other_site)
    before = DailyFigure.objects.count()

    results = run_concurrently(
        *[partial(rebuild, sites=[site, other_site], start=date(2026, 3, 1), end=date(2026, 4, 1), now=at(31, 23))] * 2
    )

    assert [result for result in results if isinstance(result, Exception)] == []
    assert DailyFigure.objects.count() == before
