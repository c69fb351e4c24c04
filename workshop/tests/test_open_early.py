"""Opening tomorrow's work order from the preparation list: the order waits, prepared, with its jobs and parts; its
number goes on the bin label; the check-in opens it with the customer; a cancelled or moved booking cancels it."""

from datetime import time, timedelta
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from appointments.models import AdvisorSchedule, Appointment
from appointments.services import cancel_appointment, mark_no_show, reschedule_appointment
from workshop.exceptions import InvalidCheckIn
from workshop.models import WorkOrder
from workshop.services import prepare_work_order, save_prepare_step

from .conftest import TUESDAY_9AM
from .factories import make_appointment

pytestmark = pytest.mark.django_db
Status = WorkOrder.Status
TOMORROW_9AM = TUESDAY_9AM + timedelta(days=1)


@pytest.fixture
def tomorrow(site, customer, vehicle, advisor, clock, service_operation):
    return make_appointment(
        site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=TOMORROW_9AM, operation=service_operation
    )


def test_the_advisor_opens_tomorrows_work_order_from_the_preparation_list(client, advisor, tomorrow, service_operation):
    client.force_login(advisor)
    prepare_url = reverse("workshop:prepare", args=[tomorrow.pk])
    assert prepare_url in client.get(reverse("appointments:preparation")).text

    listed = client.post(prepare_url, follow=True)

    order = WorkOrder.objects.get(appointment=tomorrow)
    assert (order.status, order.advisor, order.number) == (Status.PREPARED, advisor, f"{tomorrow.site.code.upper()}-2026-00001")
    assert [job.operation for job in order.jobs.all()] == [service_operation]
    assert [part.part.number for part in order.parts.all()] == ["OIL-FILTER"]
    assert order.gross_total > 0
    tomorrow.refresh_from_db()
    assert tomorrow.status == Appointment.Status.BOOKED  # the customer is not there yet
    assert listed.redirect_chain[-1][0].endswith(f"#appointment-{tomorrow.pk}")
    assert order.number in listed.text and reverse("workshop:detail", args=[order.pk]) in listed.text
    assert prepare_url not in listed.text

    client.post(prepare_url)
    assert WorkOrder.objects.count() == 1


def test_the_bin_label_carries_the_work_order_number(client, advisor, parts_advisor, tomorrow):
    order = prepare_work_order(appointment=tomorrow, actor=advisor)
    client.force_login(parts_advisor)

    listed = client.get(reverse("appointments:preparation"))
    label = client.get(reverse("appointments:bin_label", args=[tomorrow.pk]))

    assert order.number in listed.text and reverse("workshop:prepare", args=[tomorrow.pk]) not in listed.text
    text = PdfReader(BytesIO(label.content)).pages[0].extract_text()
    assert "Ordre de réparation" in text and order.number in text  # in the site's language
    assert tomorrow.customer.last_name in text


def test_the_bin_label_has_no_number_before_the_order_is_open(client, parts_advisor, tomorrow):
    client.force_login(parts_advisor)

    text = PdfReader(BytesIO(client.get(reverse("appointments:bin_label", args=[tomorrow.pk])).content)).pages[0].extract_text()

    assert "Ordre de réparation" not in text and f"#{tomorrow.pk}" in text


def test_the_parts_advisor_sees_no_button_and_may_not_open_orders(client, parts_advisor, tomorrow):
    client.force_login(parts_advisor)

    assert reverse("workshop:prepare", args=[tomorrow.pk]) not in client.get(reverse("appointments:preparation")).text
    assert client.post(reverse("workshop:prepare", args=[tomorrow.pk])).status_code == 403
    assert not WorkOrder.objects.exists()


def test_the_check_in_opens_the_prepared_order_with_the_customer(client, advisor, manager, tomorrow, clock):
    order = prepare_work_order(appointment=tomorrow, actor=advisor)
    with pytest.raises(InvalidCheckIn):
        save_prepare_step(work_order=order, actor=advisor, cover_seat=True, cover_steering_wheel=True, cover_floor_mat=True)
    clock.move_to(TOMORROW_9AM - timedelta(minutes=5))
    client.force_login(manager)

    board = client.get(reverse("workshop:board"))
    assert reverse("workshop:check_in", args=[tomorrow.pk]) in board.text and 'data-state="expected"' in board.text
    detail = client.get(reverse("workshop:detail", args=[order.pk]))
    assert 'id="prepared-order"' in detail.text and reverse("workshop:step", args=[order.pk, "prepare"]) not in detail.text

    response = client.post(reverse("workshop:check_in", args=[tomorrow.pk]))

    assert response.url == reverse("workshop:step", args=[order.pk, "prepare"])
    order.refresh_from_db()
    tomorrow.refresh_from_db()
    assert (order.status, order.advisor, order.created_at) == (Status.DRAFT, manager, timezone.now())
    assert tomorrow.status == Appointment.Status.ARRIVED
    assert list(order.events.values_list("from_status", "to_status")) == [("", "prepared"), ("prepared", "draft")]
    save_prepare_step(work_order=order, actor=manager, cover_seat=True, cover_steering_wheel=True, cover_floor_mat=True)


def _cancel(appointment, actor):
    cancel_appointment(appointment=appointment, actor=actor, reason="Customer away")


def _move(appointment, actor):
    AdvisorSchedule.objects.create(site=appointment.site, advisor=actor, weekday=3, starts=time(8), ends=time(17))
    reschedule_appointment(
        appointment=appointment, starts_at=TOMORROW_9AM + timedelta(days=1, hours=1), actor=actor, override_reason="test"
    )


def _no_show(appointment, actor):
    with time_machine.travel(TOMORROW_9AM + timedelta(hours=1), tick=False):
        mark_no_show(appointment=appointment, actor=actor)


@pytest.mark.parametrize(("withdraw", "label"), [(_cancel, "Annulé"), (_move, "Reporté"), (_no_show, "Non présenté")])
def test_a_booking_cancelled_moved_or_missed_cancels_its_prepared_order(advisor, tomorrow, withdraw, label):
    order = prepare_work_order(appointment=tomorrow, actor=advisor)

    withdraw(tomorrow, advisor)

    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    event = order.events.get(to_status=Status.CANCELLED)
    assert event.actor == advisor
    with translation.override("fr"):
        assert label.lower() in str(event.note_display).lower()


def test_only_a_booked_appointment_is_prepared(advisor, tomorrow):
    cancel_appointment(appointment=tomorrow, actor=advisor, reason="Customer away")

    with pytest.raises(InvalidCheckIn) as refused:
        prepare_work_order(appointment=tomorrow, actor=advisor)

    assert refused.value.field == "appointment" and not WorkOrder.objects.exists()


def test_another_sites_appointment_is_not_found(client, other_site_advisor, tomorrow):
    client.force_login(other_site_advisor)

    assert client.post(reverse("workshop:prepare", args=[tomorrow.pk])).status_code == 404
    with pytest.raises(InvalidCheckIn):
        prepare_work_order(appointment=tomorrow, actor=other_site_advisor)


def test_the_list_with_orders_open_runs_a_fixed_number_of_queries(
    client, advisor, site, customer, vehicle, service_operation, tomorrow, django_assert_max_num_queries
):
    client.force_login(advisor)
    prepare_work_order(appointment=tomorrow, actor=advisor)
    client.get(reverse("appointments:preparation"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("appointments:preparation"))
    for hours in (1, 2, 3, 26):
        more = make_appointment(
            site=site,
            customer=customer,
            vehicle=vehicle,
            advisor=advisor,
            starts_at=TOMORROW_9AM + timedelta(hours=hours),
            operation=service_operation,
        )
        if hours % 2:
            prepare_work_order(appointment=more, actor=advisor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("appointments:preparation"))
    assert page.text.count("prep-document") == 3 and page.text.count("prep-action") == 2
