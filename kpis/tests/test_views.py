import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from kpis.models import DailyFigure, Headline, HeadlineTarget, MonthlyFigure
from kpis.rollup import rebuild

from .dataset import PARIS, build_month

pytestmark = pytest.mark.django_db
MARCH = {"period": "month", "day": "2026-03-15"}


@pytest.fixture
def month(site, other_site):
    with timezone.override(PARIS):
        return build_month(site, other_site)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def get(client, name, **params):
    return client.get(reverse(name), params)


def test_the_dashboard_shows_every_kpi_with_its_definition_and_figure(manager_client, site, month):
    response = get(manager_client, "kpis:dashboard", site=site.pk, **MARCH)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="kpi-no_show_rate"' in page and "33.3" in page
    assert "Built on" in page and "Satisfaction answers (score)" in page
    assert page.count("<svg") >= 20


def test_only_managers_and_administrators_see_the_dashboard(client, site):
    for role, allowed in ((Role.SERVICE_ADVISOR, False), (Role.TECHNICIAN, False), (Role.MANAGER, True), (Role.ADMIN, True)):
        client.force_login(UserFactory(roles=[role], site_list=[site]))
        assert (get(client, "kpis:dashboard").status_code == 200) is allowed


def test_a_manager_of_another_site_sees_nothing_of_this_one(client, site, other_site, month):
    client.force_login(UserFactory(roles=[Role.MANAGER], site_list=[other_site]))

    assert get(client, "kpis:dashboard", site=site.pk, **MARCH).status_code == 400
    assert get(client, "kpis:records", kpi="no_show_rate", site=site.pk, **MARCH).status_code == 400
    response = get(client, "kpis:records", kpi="no_show_rate", **MARCH)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1  # the other site's own no-show only
    assert month.appointments[5].customer.last_name not in response.content.decode()


def test_a_group_wide_manager_sees_every_site_of_the_group(client, site, other_site, month):
    client.force_login(UserFactory(roles=[Role.MANAGER], site_list=[site], group_wide=True))

    response = get(client, "kpis:records", kpi="no_show_rate", **MARCH)

    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize(
    "params",
    [
        {"day": "2026-02-30"},
        {"period": "fortnight"},
        {"advisor": "abc"},
        {"advisor": "999999"},
        {"site": "-1"},
        {"period": "custom", "day": "2026-03-10", "end": "2026-03-01"},
        {"period": "custom", "day": "2024-01-01", "end": "2026-01-01"},
    ],
)
def test_bad_filters_answer_400_naming_the_field(manager_client, params):
    response = get(manager_client, "kpis:dashboard", **params)

    assert response.status_code == 400
    assert response.context["filters"].errors


@pytest.mark.parametrize("params", [{"kpi": "nope"}, {"kpi": "productivity'"}, {}])
def test_unknown_kpis_have_no_records_page(manager_client, params):
    assert get(manager_client, "kpis:records", **params).status_code == 404


def test_the_records_behind_an_advisors_figure(manager_client, site, month):
    response = get(manager_client, "kpis:records", kpi="no_show_rate", site=site.pk, advisor=month.advisor_one.pk, **MARCH)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert str(month.appointments[5].customer) in response.content.decode()
    assert (
        get(manager_client, "kpis:records", kpi="no_show_rate", advisor=month.advisor_two.pk, **MARCH).context["page"].paginator.count == 0
    )


def test_records_pages_past_the_end_show_the_last_page(manager_client, site, month):
    response = get(manager_client, "kpis:records", kpi="appointment_rate", site=site.pk, page="99", **MARCH)
    assert response.status_code == 200 and response.context["page"].number == 1


def test_csv_export_of_a_kpis_records(manager_client, site, month):
    response = get(manager_client, "kpis:export", kpi="no_show_rate", format="csv", site=site.pk, **MARCH)

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["Reception at", "Booked at", "Customer"]
    assert len(rows) == 2 and rows[1][2] == str(month.appointments[5].customer)


def test_xlsx_export_of_every_kpi(manager_client, site, month):
    response = get(manager_client, "kpis:export", format="xlsx", site=site.pk, **MARCH)

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["No-show rate"][2] == pytest.approx(33.3)
    assert rows["NPS"][2] == pytest.approx(33.3)


def test_export_refuses_an_unknown_format(manager_client):
    assert get(manager_client, "kpis:export", format="pdf").status_code == 400


def test_monthly_pdf_report(manager_client, site, month):
    response = get(manager_client, "kpis:report", site=site.pk, day="2026-03-15", period="week")

    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "After-sales monthly report" in text and "No-show rate" in text and "33.3" in text


def test_the_dashboards_query_count_does_not_grow_with_the_data(manager_client, site, other_site, django_assert_max_num_queries):
    with django_assert_max_num_queries(21):
        assert get(manager_client, "kpis:dashboard", site=site.pk, **MARCH).status_code == 200
    with timezone.override(PARIS):
        build_month(site, other_site)
    with django_assert_max_num_queries(21):
        assert get(manager_client, "kpis:dashboard", site=site.pk, **MARCH).status_code == 200
    with django_assert_max_num_queries(26):  # the 13-month trend of a period other than a month: its own few queries
        assert get(manager_client, "kpis:dashboard", period="custom", day="2025-03-01", end="2026-02-28").status_code == 200
    with django_assert_max_num_queries(21):
        assert get(manager_client, "kpis:report", site=site.pk, **MARCH).status_code == 200


def test_the_menu_shows_the_dashboard_to_managers(manager_client):
    assert reverse("kpis:dashboard") in manager_client.get(reverse("home")).content.decode()


def _queries_and_page(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = get(client, "kpis:dashboard", **params)
    assert response.status_code == 200
    return len(queries), response.content.decode().split('id="kpi-refreshed"')[1]  # the figures, past the form's token


def test_the_figures_are_rendered_once_until_the_next_aggregation(manager_client, site, other_site, month):
    params = {"site": site.pk, **MARCH}
    first_count, first_page = _queries_and_page(manager_client, params)
    second_count, second_page = _queries_and_page(manager_client, params)
    assert second_count < first_count and second_page == first_page

    DailyFigure.objects.filter(site=site).delete()  # rows changed outside an aggregation: the page holds until the next one
    MonthlyFigure.objects.filter(site=site).delete()
    assert _queries_and_page(manager_client, params)[1] == first_page  # not aggregated yet: the figures stand
    with timezone.override(PARIS):
        rebuild(sites=[site], start=date(2026, 3, 1), end=date(2026, 4, 1), now=timezone.now())
    after_count, after_page = _queries_and_page(manager_client, params)
    assert after_count == first_count and 'id="kpi-no_show_rate"' in after_page


def test_a_new_target_shows_at_once(manager_client, site, month):
    params = {"site": site.pk, **MARCH}
    _queries_and_page(manager_client, params)
    HeadlineTarget.objects.create(kpi=Headline.SHOW_RATE, site=site, target=Decimal("12.5"))
    assert "12.5" in _queries_and_page(manager_client, params)[1]


def test_each_language_has_its_own_figures(manager_client, manager, site, month):
    params = {"site": site.pk, **MARCH}
    english = _queries_and_page(manager_client, params)[1]
    manager.language = "fr"
    manager.save(update_fields=["language"])
    french = _queries_and_page(manager_client, params)[1]
    assert "Built on" in english and "Built on" not in french
    assert 'id="kpi-no_show_rate"' in french
