from io import StringIO

import pytest
from django.core.management import call_command

from aftersales.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_bench_search_fills_its_site_once_and_times_every_kind_of_query():
    out = StringIO()

    call_command("bench_search", customers=40, batch=15, samples=3, stdout=out)
    call_command("bench_search", customers=40, samples=3, stdout=out)

    assert Customer.objects.filter(site__code="bench").count() == 40
    report = out.getvalue()
    assert report.count("Creating") == 1
    for kind in ["last name", "mobile, full +33", "plate, 'AB-12' part", "VIN, last 8", "no match"]:
        assert kind in report
