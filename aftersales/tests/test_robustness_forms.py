"""Hostile input posted to every form and public endpoint: never a 500, never a partial write.

The URLs come from the role × URL matrix (its walk of the URL resolver and
its records, imported). A user holding every role posts, to every staff URL,
hypothesis-generated values (very long strings, unicode, right-to-left text,
SQL-ish and markup strings, NUL bytes, negative and huge numbers, impossible
dates) under the field names its page shows (input/select/textarea names read
from the GET), or a generic set when the view only takes POST. An anonymous
visitor does the same to the public pages, whose signed tokens get hostile
values too. A refused post (any 4xx) must leave the row count of every model
unchanged.

Bounded: ROBUSTNESS_EXAMPLES examples per URL (default 3 for staff URLs,
3x that for public ones, deadline off) keeps the module around two minutes on
two cores; raise it for a deeper run, e.g. ROBUSTNESS_EXAMPLES=25.
"""

import os
from datetime import date
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory

from .test_role_url_matrix import PUBLIC, ROUTES, STAFF_ROUTES, build_records

EXAMPLES = int(os.environ.get("ROBUSTNESS_EXAMPLES", "3"))
# Logging out ends the session the walk relies on; it takes no input anyway.
NOT_POSTED = {"accounts:logout"}
# 500s found by this test in apps being changed by others, reported to them
# with the input; walked again once fixed (remove the entry).
# Rows a refused request may rightly write: the security log and the lockout counters.
LOGGING_APPS = {"axes", "sessions", "admin"}
LOGGING_MODELS = {"accounts.authevent"}
GENERIC_FIELDS = [
    "reason",
    "note",
    "text",
    "answer",
    "remarks",
    "code",
    "date",
    "start",
    "starts_at",
    "km",
    "amount",
    "quantity",
    "status",
    "slot",
    "advisor",
    "loaner",
    "decision",
    "outcome",
    "score",
    "next",
]

HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "'; DROP TABLE customers_customer; --",
    '" OR 1=1 --',
    "%' OR '%'='",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "../../../etc/passwd",
    "\u202egnp.exe",
    "مرحبا بالعالم",
    "שלום",
    "Zoë Ñandú 日本語 🚗",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "3.14159265358979323846264338327950288",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31T25:61",
    "31/13/2026",
    "2026-13-01",
    "true",
    "on",
    "null",
    "[]",
    "{}",
    "\r\n\t",
    "\ufeff",
    "\U0001f4a9" * 300,
]
hostile_value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=date(1, 1, 1)).map(str),
)


class FieldNames(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag, attrs):
        name = dict(attrs).get("name")
        if tag in {"input", "select", "textarea"} and name and name != "csrfmiddlewaretoken" and name not in self.names:
            self.names.append(name)


def field_names(response) -> list[str]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return GENERIC_FIELDS
    parser = FieldNames()
    parser.feed(response.content.decode(errors="replace"))
    return parser.names or GENERIC_FIELDS


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.managed and not model._meta.proxy and model._meta.app_label not in LOGGING_APPS and label not in LOGGING_MODELS:
            counts[label] = model._default_manager.count()
    return counts


def check_post(client, url: str, data: dict) -> None:
    before = row_counts()
    response = client.post(url, data)
    assert response.status_code < 500, f"POST {url} {data!r} answered {response.status_code}"
    if response.status_code >= 400:
        after = row_counts()
        changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
        assert not changed, f"POST {url} {data!r} was refused ({response.status_code}) but wrote rows: {changed}"


def payloads(fields: list[str]):
    return st.fixed_dictionaries({name: hostile_value for name in fields})


def bounded(examples: int):
    return settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def public_url(route, token: str) -> str:
    """The public URL with a hostile token in each argument (a number where the URL only takes digits)."""
    if not route.kwargs:
        return reverse(route.name)
    try:
        return reverse(route.name, kwargs=dict.fromkeys(route.kwargs, token))
    except NoReverseMatch:
        return reverse(route.name, kwargs=dict.fromkeys(route.kwargs, 2_147_483_647))


@pytest.fixture
def everyone(site):
    """A user holding every role at the site."""
    return UserFactory(roles=list(Role), site_list=[site])


def hostile_posts(client, url):
    """A Hypothesis test posting generated payloads of the page's own fields to url."""

    @bounded(EXAMPLES)
    @given(data=payloads(field_names(client.get(url))))
    def post(data):
        check_post(client, url, data)

    return post


@pytest.mark.django_db
def test_hostile_posts_to_every_staff_url_never_fail_nor_half_write(client, site, everyone):
    records = build_records(site)
    failures = {}
    for route in STAFF_ROUTES:
        if route.name in NOT_POSTED:
            continue
        client.force_login(everyone)
        url = route.url(records)
        try:
            hostile_posts(client, url)()
        except Exception as error:  # noqa: BLE001 - every URL is walked, all failures reported together
            failures[route.name] = f"{type(error).__name__}: {str(error)[:400]}"
    assert failures == {}


@pytest.mark.django_db
@pytest.mark.parametrize("route", [route for route in ROUTES if route.name in PUBLIC], ids=lambda route: route.name)
def test_hostile_posts_to_public_pages_never_fail_nor_half_write(route, client, site):
    fields = field_names(client.get(public_url(route, "x")))

    @bounded(EXAMPLES * 3)
    @given(token=st.sampled_from(["x", "0", "a" * 500, "bad.token:sig", "-1", "%00", "ñ", " "]), data=payloads(fields))
    def post(token, data):
        check_post(client, public_url(route, token), data)

    post()
