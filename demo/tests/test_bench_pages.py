"""bench_pages' parts that need no server: the pages and their users, the Procfile, wrk's report, the table."""

import pytest
from django.conf import settings
from django.test import override_settings

from demo.bench_pages import (
    REFERENCE,
    Page,
    Run,
    count_queries,
    demo_pages,
    on_port,
    option,
    parse_wrk,
    procfile_web_command,
    rows,
    select_pages,
    signed_in,
)

WRK_REPORT = """Running 5s test @ http://127.0.0.1:8000/kpis/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   120.00ms   20.00ms 300.00ms   90.00%
    Req/Sec    33.00      5.00    40.00     80.00%
  330 requests in 5.01s, 9.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:     65.87
Transfer/sec:      1.80MB
"""


def test_wrk_report_gives_requests_rate_and_errors():
    assert parse_wrk(WRK_REPORT) == (330, 65.87, 7)


def test_the_server_runs_the_procfiles_web_command_on_the_loopback():
    procfile = (settings.BASE_DIR / "Procfile").read_text(encoding="utf-8")

    web = procfile_web_command(procfile, {"WEB_WORKERS": "3", "WEB_BIND": "0.0.0.0:80"})
    command = on_port(web, 8123)

    assert option(web, "--workers", 1) == 3
    assert option(web, "--threads", 1) == 4
    assert command[-2:] == ["--bind", "127.0.0.1:8123"]
    assert command.count("--bind") == 1
    assert command[0].endswith("gunicorn")


def test_each_page_is_against_the_reference_runs_around_it():
    references = [Run(requests=1000, per_second=200.0, errors=0, cpu_seconds=2.0), Run(1000, 100.0, 0, 2.0), Run(1000, 300.0, 0, 2.0)]
    pages = [Page("Slow", "/slow/"), Page("Fast", "/fast/")]
    runs = [(pages[0], Run(100, 30.0, 0, 5.0)), (pages[1], Run(500, 100.0, 2, 3.0))]

    table = rows(references, runs, {REFERENCE: 1, "Slow": 20, "Fast": 4})

    assert [(row.name, row.queries) for row in table] == [(REFERENCE, 1), ("Slow", 20), ("Fast", 4)]
    assert [round(row.ratio, 2) for row in table] == [1.0, 0.2, 0.5]
    assert [row.cpu_ms for row in table] == [2.0, 50.0, 6.0]
    assert table[0].per_second == 200.0
    assert table[2].errors == 2


def test_pages_are_chosen_by_a_word_of_their_name():
    pages = [Page("KPI dashboard", "/kpis/"), Page("Dispatch board", "/workshop/dispatch/"), Page("Call list", "/followup/calls/")]

    assert select_pages(pages, ["BOARD"]) == pages[:2]
    assert select_pages(pages, []) == pages


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_data")
def test_every_page_opens_for_its_demo_user_second_factor_included():
    pages = [Page(REFERENCE, "/bench/reference/"), *demo_pages()]

    with override_settings(BENCH_REFERENCE_PAGE=True):
        queries = {page.name: count_queries(signed_in(page.username), page) for page in pages}

    assert queries[REFERENCE] == 1
    assert all(count > 1 for name, count in queries.items() if name != REFERENCE)
