"""The vehicle's last visits (jobs, amount invoiced, comebacks), its declined work and its open findings, as the booking
desk and the vehicle page show them, in a fixed number of queries whatever the number of visits."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.vehicle_history import last_visits
from invoicing.services import issue_invoice, prepare_invoices
from invoicing.visit_history import past_visits


@pytest.fixture
def visits(templates, make_ready_order, cashier, suite_clock):
    """Two visits of one vehicle ten days apart: the first invoiced, the second (the same service again) not yet."""
    first = make_ready_order()
    invoice = issue_invoice(invoice=prepare_invoices(work_order=first, actor=cashier)[0], actor=cashier)
    suite_clock.move_to(timezone.now() + timedelta(days=10))
    second = make_ready_order(vehicle=first.vehicle)
    return first, second, invoice


def test_the_visits_come_newest_first_with_their_jobs_amount_and_comeback(visits):
    first, second, invoice = visits

    latest, earlier = past_visits(vehicle=first.vehicle, limit=5)

    assert (latest.reference, earlier.reference) == (second.number, first.number)
    assert earlier.jobs == ["Annual service", "Wiper blades"]  # the declined discs are listed as declined work
    assert (earlier.amount, earlier.invoiced) == (invoice.gross_total, True)
    assert (latest.amount, latest.invoiced) == (second.gross_total, False)
    assert earlier.comeback_of is None
    assert latest.comeback_of == timezone.localdate(first.created_at, first.site.tz)
    assert "service" in latest.comeback_reasons


def test_a_visit_more_than_30_days_after_the_last_is_no_comeback(templates, make_ready_order, suite_clock):
    first = make_ready_order()
    suite_clock.move_to(timezone.now() + timedelta(days=45))
    make_ready_order(vehicle=first.vehicle)

    assert [visit.comeback_of for visit in last_visits(vehicle=first.vehicle)] == [None, None]


def test_the_desk_shows_the_last_visits_the_declined_work_and_the_open_findings(client, crc_agent, visits):
    first, _second, _invoice = visits
    client.force_login(crc_agent)

    page = client.get(reverse("appointments:desk"), {"vehicle": first.vehicle.pk}).text

    assert page.count('class="past-visit"') == 2 and first.number in page
    assert "Comeback of the visit of" in page
    assert "Front brake discs" in page and "Rear tyres at 3 mm" in page and "not fixed" in page


def test_the_vehicle_page_shows_the_last_visits_the_declined_work_and_the_open_findings(client, advisor, visits):
    first, _second, _invoice = visits
    client.force_login(advisor)

    page = client.get(reverse("customers:vehicle_detail", args=[first.vehicle.pk])).text

    assert 'id="last-visits"' in page and page.count('class="past-visit"') == 2
    assert 'id="open-work"' in page and "Front brake discs" in page and "Rear tyres at 3 mm" in page


def _queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data).status_code == 200
    return len(captured)


def test_the_desk_and_the_vehicle_page_keep_their_query_count_as_visits_add_up(
    client, advisor, templates, make_ready_order, suite_clock, django_assert_max_num_queries
):
    vehicle = make_ready_order().vehicle
    client.force_login(advisor)
    desk, page = reverse("appointments:desk"), reverse("customers:vehicle_detail", args=[vehicle.pk])
    with_one = _queries(client, desk, {"vehicle": vehicle.pk}), _queries(client, page)
    for _ in range(3):
        suite_clock.move_to(timezone.now() + timedelta(days=5))
        make_ready_order(vehicle=vehicle)

    with django_assert_max_num_queries(with_one[0]):
        client.get(desk, {"vehicle": vehicle.pk})
    with django_assert_max_num_queries(with_one[1]):
        client.get(page)
