import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_reference_page_is_not_served_by_default(client):
    assert client.get(reverse("bench:reference")).status_code == 404


def test_the_reference_page_reads_25_rows_in_one_query(client, settings):
    settings.BENCH_REFERENCE_PAGE = True
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("bench:reference"))

    # The request's transaction (ATOMIC_REQUESTS) is a savepoint inside the test's: not a query of the page.
    statements = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]
    assert response.status_code == 200
    assert len(statements) == 1, statements
    assert response.text.count("<tr>") == 25
