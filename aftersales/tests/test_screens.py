"""Screens that fit and that everyone can use: the main menu by sections, valid markup (data-hx-* attributes,
aria-describedby pointing at the page, empty rows spanning their table), and a request too large to send refused
with a page in the user's language."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from aftersales.accounts.navigation import active_url, items_for, sections_for
from aftersales.customers.tests.factories import CustomerFactory
from workshop.forms import PhotoForm

TEMPLATES = Path(settings.BASE_DIR) / "templates"
MEGABYTE = 1024 * 1024


class Page(HTMLParser):
    """The ids, the aria-describedby references and the tables (column count, colspans of each row) of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.described_by, self.tables = set(), [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "aria-describedby" in attrs:
            self.described_by += attrs["aria-describedby"].split()
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append(0)
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self.tables[-1][-1] += int(attrs.get("colspan", 1))


def oversized_post(client, **headers):
    return client.post(
        reverse("workshop:photo_add", args=[1]), data=b"x" * (MEGABYTE * 3 // 2), content_type="application/octet-stream", headers=headers
    )


# --- The main menu ----------------------------------------------------------------


def test_the_menu_groups_a_roles_entries_by_section_in_menu_order(manager):
    sections = sections_for(items_for(manager), "")

    labels = [str(section.label) for section in sections]
    assert labels == ["Customers", "Booking", "Workshop", "Invoicing", "Follow-up", "Messages", "KPIs"]
    workshop = sections[2]
    assert [item.url_name for item in workshop.items] == [
        "workshop:board",
        "workshop:list",
        "workshop:dispatch",
        "workshop:my_jobs",
        "workshop:qc_queue",
    ]
    assert not any(section.active for section in sections)


def test_the_current_screen_is_the_longest_menu_address_that_starts_the_page(manager):
    items = items_for(manager)

    current = active_url(items, reverse("messaging:inbox") + "?all=1")

    assert current == reverse("messaging:inbox")
    assert [str(section.label) for section in sections_for(items, current) if section.active] == ["Messages"]
    assert active_url(items, reverse("home")) == ""


def menu_of(page: str) -> str:
    return page.split('id="main-nav"')[1].split('class="navbar-tools')[0]


def test_a_section_of_one_entry_is_a_plain_link_and_the_others_drop_down(client, advisor):
    client.force_login(advisor)

    menu = menu_of(client.get(reverse("appointments:diary")).text)

    assert f'<a class="nav-link" href="{reverse("customers:search")}">Customers</a>' in menu
    assert re.search(r'<button class="nav-link dropdown-toggle active"[^>]*>Booking</button>', menu)
    assert f'<a class="dropdown-item active" aria-current="page" href="{reverse("appointments:diary")}">Diary</a>' in menu


def test_a_short_menu_keeps_every_entry_on_the_bar(client, technician):
    client.force_login(technician)

    menu = menu_of(client.get(reverse("workshop:my_jobs")).text)

    assert "dropdown-toggle" not in menu
    assert f'<a class="nav-link" href="{reverse("workshop:list")}">Work orders</a>' in menu
    assert f'<a class="nav-link active" aria-current="page" href="{reverse("workshop:my_jobs")}">My jobs</a>' in menu


# --- Valid markup -------------------------------------------------------------------


def test_htmx_attributes_are_written_with_the_data_prefix():
    """The HTML checker knows data-* attributes, not hx-*: htmx reads both."""
    offending = [
        f"{template.relative_to(TEMPLATES)}: {match.group(0)}"
        for template in TEMPLATES.rglob("*.html")
        for match in re.finditer(r"(?<![\w-])hx-[a-z-]+=", template.read_text())
    ]
    assert offending == []


@pytest.mark.parametrize(
    ("url_name", "args", "staff"),
    [("online:book", "site", False), ("online:contact", "site", False), ("appointments:web_request_new", None, True)],
)
def test_every_aria_describedby_points_at_an_element_of_the_page(client, site, advisor, url_name, args, staff):
    if staff:
        client.force_login(advisor)
    response = client.get(reverse(url_name, args=[site.code] if args else None))

    page = Page(response.text)
    assert response.status_code == 200 and page.described_by
    assert set(page.described_by) <= page.ids


def test_the_empty_message_row_of_the_customer_page_spans_every_column(client, advisor, site):
    customer = CustomerFactory(site=site)
    client.force_login(advisor)

    page = Page(client.get(customer.get_absolute_url()).text)

    assert page.tables
    for rows in page.tables:
        assert len(set(rows)) == 1, f"rows of different widths in a table: {rows}"


def test_a_photo_input_carries_its_size_limit_and_the_message_in_the_users_language(settings):
    from django.utils import translation

    with translation.override("fr"):
        photo = str(PhotoForm()["photo"])

    assert f'data-max-bytes="{PhotoForm.max_bytes}"' in photo
    assert 'data-too-large="Cette photo est trop volumineuse : 10\xa0Mo au plus. Choisissez une photo plus petite."' in photo


# --- A request too large to send -------------------------------------------------------


@pytest.fixture
def small_cap(settings):
    settings.REQUEST_BODY_MAX_BYTES = MEGABYTE


def test_a_request_over_the_size_cap_is_a_page_in_the_users_language_with_a_way_back(client, advisor, small_cap):
    advisor.language = "fr"
    advisor.save(update_fields=["language"])
    client.force_login(advisor)
    step = "http://testserver" + reverse("workshop:step", args=[1, "walk_around"])

    response = oversized_post(client, Referer=step)

    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")
    page = response.text
    assert '<html lang="fr">' in page and 'id="main-nav"' in page
    assert '<h1 class="h3">Trop volumineux pour être envoyé</h1>' in page
    assert "1,5\xa0Mo" in page and "1,0\xa0Mo" in page
    assert f'href="{step}">Revenir à la page</a>' in page


def test_an_htmx_request_over_the_size_cap_gets_the_message_alone_for_the_pages_error_box(client, advisor, small_cap):
    client.force_login(advisor)

    response = oversized_post(client, **{"HX-Request": "true", "HX-Current-URL": "http://testserver/workshop/orders/1/"})

    assert response.status_code == 413
    assert response["HX-Retarget"] == "#request-error" and response["HX-Reswap"] == "innerHTML"
    assert "<html" not in response.text and 'id="too-large"' in response.text and "too large" in response.text


def test_the_way_back_from_a_refused_request_never_leads_to_another_site(client, advisor, small_cap):
    client.force_login(advisor)

    response = oversized_post(client, Referer="https://elsewhere.example/phish")

    assert response.status_code == 413
    assert 'href="https://elsewhere.example' not in response.text
    assert f'href="{reverse("home")}"' in response.text


def test_the_pages_have_a_box_for_errors_of_htmx_requests(client, advisor):
    client.force_login(advisor)

    assert '<div id="request-error" aria-live="assertive"></div>' in client.get(reverse("home")).text
