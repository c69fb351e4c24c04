import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.models import Customer, Vehicle
from aftersales.lib.signing import make_token
from aftersales.messaging import gateways
from appointments.models import LoanerReservation, PartReservation
from appointments.tests.factories import CustomerFactory, LoanerFactory, VehicleFactory
from workshop import selectors
from workshop.models import WorkOrder
from workshop.services import add_photo, open_walk_in, open_work_order, sign_on_tablet
from workshop.signed_content import content_hash

from .conftest import TUESDAY_9AM
from .factories import make_appointment
from .helpers import image_bytes, photo_upload, signature_data_url


def book_many(count, *, site, advisor, operation):
    """Half checked in (with a walk-in each), half expected, every one with a parts kit."""
    for index in range(count):
        customer = CustomerFactory(site=site)
        vehicle = VehicleFactory(owner=customer)
        appointment = make_appointment(
            site=site,
            customer=customer,
            vehicle=vehicle,
            advisor=advisor,
            starts_at=TUESDAY_9AM + timedelta(minutes=10 * index),
            operation=operation,
        )
        if index % 2:
            open_work_order(appointment=appointment, actor=advisor)
            open_walk_in(site=site, customer=customer, vehicle=vehicle, actor=advisor)


# --- day board --------------------------------------------------------------------


def test_the_board_shows_todays_arrivals_with_their_state(client, advisor, site, appointment, clock):
    late_customer = CustomerFactory(site=site, last_name="Lateman")
    make_appointment(
        site=site,
        customer=late_customer,
        vehicle=VehicleFactory(owner=late_customer),
        advisor=advisor,
        starts_at=TUESDAY_9AM - timedelta(minutes=30),
    )
    tomorrow = CustomerFactory(site=site, last_name="Tomorrowson")
    make_appointment(
        site=site, customer=tomorrow, vehicle=VehicleFactory(owner=tomorrow), advisor=advisor, starts_at=TUESDAY_9AM + timedelta(days=1)
    )
    client.force_login(advisor)

    page = client.get(reverse("workshop:board")).text

    assert "Lateman" in page and 'data-state="late"' in page and 'data-state="expected"' in page
    assert "Tomorrowson" not in page


def test_the_board_shows_parts_and_loaner_readiness(client, advisor, site, appointment, service_operation, clock):
    client.force_login(advisor)
    assert "Parts not set aside" in client.get(reverse("workshop:board")).text

    PartReservation.objects.create(appointment=appointment, part=service_operation.kit_lines.get().part, quantity=1, reserved_by=advisor)
    LoanerReservation.objects.create(
        loaner=LoanerFactory(site=site, plate="LO-777-AN"),
        appointment=appointment,
        starts_at=appointment.starts_at,
        ends_at=appointment.handover_at,
    )
    page = client.get(reverse("workshop:board")).text
    assert "Parts set aside" in page and "LO-777-AN reserved, not checked yet" in page

    LoanerReservation.objects.update(confirmed_at=timezone.now(), confirmed_by=advisor)
    assert "LO-777-AN checked and ready" in client.get(reverse("workshop:board")).text


def test_the_board_marks_checked_in_and_walk_in_customers(client, advisor, site, order, clock):
    client.force_login(advisor)
    page = client.get(reverse("workshop:board")).text
    assert 'data-state="arrived"' in page and order.number in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_query_count_stays_flat_as_appointments_grow(
    client,
    advisor,
    site,
    clock,
    django_assert_max_num_queries,
    count,
    templates,
    service_operation,
):
    book_many(count, site=site, advisor=advisor, operation=service_operation)
    client.force_login(advisor)
    client.get(reverse("workshop:board"))

    with django_assert_max_num_queries(17):
        response = client.get(reverse("workshop:board"), {"all": "1"}, HTTP_HX_REQUEST="true")
    assert response.text.count('class="board-row') == count + count // 2


def test_the_desk_marks_an_arrival_and_a_late_customer_as_not_come(client, advisor, site, appointment, clock):
    late = make_appointment(
        site=site,
        customer=appointment.customer,
        vehicle=appointment.vehicle,
        advisor=advisor,
        starts_at=TUESDAY_9AM - timedelta(minutes=30),
    )
    client.force_login(advisor)

    client.post(reverse("workshop:arrived", args=[appointment.pk]))
    response = client.post(reverse("workshop:no_show", args=[late.pk]))

    assert response.url == f"{reverse('workshop:board')}?site={site.pk}"
    appointment.refresh_from_db()
    late.refresh_from_db()
    assert (appointment.status, late.status) == ("arrived", "no_show")
    page = client.get(reverse("workshop:board")).text
    assert page.count('data-state="arrived"') == 1 and 'data-state="no_show"' not in page  # handled: collapsed
    assert "1 arrival handed to the workshop or not coming is not shown." in page
    everything = client.get(reverse("workshop:board"), {"all": "1"}).text
    assert everything.count('data-state="arrived"') == 1 and everything.count('data-state="no_show"') == 1


def test_the_board_shows_the_first_arrivals_to_act_on_and_the_rest_on_demand(client, advisor, site, clock, service_operation, monkeypatch):
    monkeypatch.setattr(selectors, "BOARD_SHOWN", 4)
    book_many(6, site=site, advisor=advisor, operation=service_operation)
    client.force_login(advisor)
    page = client.get(reverse("workshop:board")).text
    later = 6 + 6 // 2 - 4
    assert page.count('class="board-row') == 4 and f"{later} later arrivals are not shown." in page
    polled = client.get(reverse("workshop:board"), {"all": "1"}, HTTP_HX_REQUEST="true").text
    assert polled.count('class="board-row') == 9 and "Show only what is left to do" in polled


def test_htmx_polling_gets_only_the_rows(client, advisor, appointment):
    client.force_login(advisor)
    response = client.get(reverse("workshop:board"), HTTP_HX_REQUEST="true")
    assert "<table" in response.text and "<html" not in response.text


def test_a_technician_cannot_open_the_board(client, technician):
    client.force_login(technician)
    assert client.get(reverse("workshop:board")).status_code == 403


# --- check-in ---------------------------------------------------------------------


def test_check_in_opens_the_order_at_its_first_step(client, advisor, appointment):
    client.force_login(advisor)
    response = client.post(reverse("workshop:check_in", args=[appointment.pk]))
    order = WorkOrder.objects.get()
    assert response.url == reverse("workshop:step", args=[order.pk, "prepare"])


def test_check_in_of_another_sites_appointment_answers_404(client, other_site_advisor, appointment):
    client.force_login(other_site_advisor)
    assert client.post(reverse("workshop:check_in", args=[appointment.pk])).status_code == 404
    assert not WorkOrder.objects.exists()


def test_a_step_saves_and_goes_to_the_next_one(client, advisor, order):
    client.force_login(advisor)
    response = client.post(reverse("workshop:step", args=[order.pk, "prepare"]), {"cover_seat": "on", "cover_floor_mat": "on"})
    assert response.url == reverse("workshop:step", args=[order.pk, "greet"])
    order.refresh_from_db()
    assert order.cover_seat and not order.cover_steering_wheel


def test_a_lower_mileage_without_reason_answers_400_naming_the_field_and_keeps_the_input(client, advisor, order):
    client.force_login(advisor)
    response = client.post(
        reverse("workshop:step", args=[order.pk, "walk_around"]),
        {"mileage_in": "1000", "fuel_level": "4", "valuables": "Umbrella", "marks": "[]"},
    )
    assert response.status_code == 400
    assert 'id="id_correction_reason"' in response.text and "correction reason" in response.text
    assert "is-invalid" in response.text.split('id="id_correction_reason"')[0].rsplit("<input", 1)[1]
    assert 'value="Umbrella"' in response.text
    order.refresh_from_db()
    assert order.mileage_in is None


def test_unreadable_damage_marks_answer_400(client, advisor, order):
    client.force_login(advisor)
    data = {"mileage_in": "50000", "fuel_level": "4", "marks": "{oops"}
    response = client.post(reverse("workshop:step", args=[order.pk, "walk_around"]), data)
    assert response.status_code == 400 and 'id="marks-error"' in response.text


def test_the_loaner_booked_with_the_appointment_is_offered_at_the_mobility_step(client, advisor, site, appointment):
    loaner = LoanerFactory(site=site)
    LoanerReservation.objects.create(
        loaner=loaner, appointment=appointment, starts_at=appointment.starts_at, ends_at=appointment.handover_at
    )
    order = open_work_order(appointment=appointment, actor=advisor)
    client.force_login(advisor)

    page = client.get(reverse("workshop:step", args=[order.pk, "mobility"])).text

    assert re.search(rf'<option value="{loaner.pk}"[^>]*selected', page)
    assert re.search(r'<input[^>]*value="loaner"[^>]*checked', page)


def test_an_unknown_step_answers_404(client, advisor, order):
    client.force_login(advisor)
    assert client.get(reverse("workshop:step", args=[order.pk, "nope"])).status_code == 404


def test_a_foreman_reads_the_order_but_cannot_fill_it(client, foreman, order):
    client.force_login(foreman)
    assert client.get(reverse("workshop:detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("workshop:step", args=[order.pk, "prepare"])).status_code == 403


def test_a_technician_lists_the_work_orders_in_progress_of_his_site_only(client, technician, order, site, other_site, templates):
    stranger = CustomerFactory(site=other_site)
    other = open_walk_in(
        site=other_site,
        customer=stranger,
        vehicle=VehicleFactory(owner=stranger),
        actor=UserFactory(roles=["service_advisor"], site_list=[other_site]),
    )
    client.force_login(technician)

    page = client.get(reverse("workshop:list")).text

    assert order.number in page and other.number not in page


# --- walk-in ----------------------------------------------------------------------


def test_a_walk_in_files_the_customer_and_the_vehicle_and_opens_an_order(client, advisor, site, clock, templates):
    client.force_login(advisor)
    response = client.post(
        reverse("workshop:walk_in"),
        {
            "vin": "WAUZZZ8V5KA999999",
            "plate": "GH-456-JK",
            "make": "Audi",
            "model": "Q3",
            "energy": "petrol",
            "first_name": "Luc",
            "last_name": "Martin",
            "mobile": "06 11 22 33 44",
            "language": "fr",
            "customer_words": "Warning light",
        },
    )

    order = WorkOrder.objects.get()
    assert response.url == reverse("workshop:step", args=[order.pk, "prepare"])
    assert (order.customer.last_name, order.customer.mobile, order.appointment) == ("Martin", "+33611223344", None)
    assert order.vehicle.vin == "WAUZZZ8V5KA999999"


def test_a_walk_in_with_a_known_vin_takes_its_owner(client, advisor, vehicle, customer, clock):
    client.force_login(advisor)
    client.post(reverse("workshop:walk_in"), {"vin": vehicle.vin, "customer_words": "Tyres"})
    assert WorkOrder.objects.get().customer == customer
    assert Customer.objects.count() == 1


def test_a_walk_in_with_an_unknown_vin_needs_the_customer(client, advisor, clock, templates):
    client.force_login(advisor)
    response = client.post(reverse("workshop:walk_in"), {"vin": "WAUZZZ8V5KA999999", "customer_words": "Tyres"})
    assert response.status_code == 400 and "This VIN is not on file" in response.text
    assert not Vehicle.objects.exists() and not WorkOrder.objects.exists()


# --- photos -----------------------------------------------------------------------


def test_a_non_image_upload_answers_400_naming_the_photo(client, advisor, order):
    client.force_login(advisor)
    upload = photo_upload(name="car.jpg", content=b"MZ\x90\x00 not an image")
    response = client.post(reverse("workshop:photo_add", args=[order.pk]), {"photo": upload, "step": "walk_around"})
    assert response.status_code == 400 and "not a photo" in response.text
    assert not order.photos.exists()


def test_a_request_body_over_the_cap_is_refused_with_413_before_any_view_reads_it(client, advisor, order, settings):
    from aftersales.audit.models import AuditEvent

    settings.REQUEST_BODY_MAX_BYTES = 4096
    client.force_login(advisor)
    events = AuditEvent.objects.count()

    response = client.post(
        reverse("workshop:photo_add", args=[order.pk]),
        {"photo": photo_upload(content=image_bytes("PNG") + b"\0" * 8192), "step": "walk_around"},
    )

    assert response.status_code == 413 and "too large" in response.text
    assert not order.photos.exists() and AuditEvent.objects.count() == events


def test_a_photo_of_the_largest_size_allowed_passes_the_request_body_cap(client, advisor, order):
    from workshop.services import MAX_PHOTO_BYTES

    client.force_login(advisor)
    png = image_bytes("PNG")
    largest = photo_upload(name="car.png", content=png + b"\0" * (MAX_PHOTO_BYTES - len(png)), content_type="image/png")

    response = client.post(reverse("workshop:photo_add", args=[order.pk]), {"photo": largest, "step": "walk_around"})

    assert response.status_code == 302
    photo = order.photos.get()
    assert photo.image.size == photo.size < len(png) + 100  # re-encoded: the padding after the image is dropped


def test_a_photo_is_served_to_staff_of_the_site_only(client, advisor, foreman, other_site_advisor, order):
    photo = add_photo(work_order=order, upload=photo_upload(content=image_bytes("PNG")), actor=advisor)
    url = reverse("workshop:photo", args=[order.pk, photo.pk])

    client.force_login(foreman)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(other_site_advisor)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_media_files_have_no_public_url(client, advisor, order):
    photo = add_photo(work_order=order, upload=photo_upload(), actor=advisor)
    client.force_login(advisor)
    assert client.get("/media/" + photo.image.name).status_code == 404


# --- signature --------------------------------------------------------------------


def test_signing_an_order_changed_since_it_was_shown_answers_400(client, advisor, checked_in):
    client.force_login(advisor)
    response = client.post(reverse("workshop:sign", args=[checked_in.pk]), {"signature": signature_data_url(), "shown_hash": "0" * 64})
    assert response.status_code == 400 and "changed since it was shown" in response.text
    checked_in.refresh_from_db()
    assert checked_in.status == WorkOrder.Status.CHECKED_IN


def test_an_empty_signature_answers_400(client, advisor, checked_in):
    client.force_login(advisor)
    response = client.post(reverse("workshop:sign", args=[checked_in.pk]), {"signature": "", "shown_hash": content_hash(checked_in)})
    assert response.status_code == 400 and "sign in the box" in response.text


def test_a_signed_order_goes_back_to_its_page_instead_of_the_steps(client, advisor, checked_in):
    sign_on_tablet(work_order=checked_in, image_data_url=signature_data_url(), shown_hash=content_hash(checked_in), actor=advisor)
    client.force_login(advisor)
    assert client.get(reverse("workshop:step", args=[checked_in.pk, "agreement"])).url == checked_in.get_absolute_url()


def test_the_customer_signs_on_the_signed_link_with_the_sms_code(client, advisor, checked_in, django_capture_on_commit_callbacks):
    client.force_login(advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workshop:request_code", args=[checked_in.pk]))
    link = re.search(r"https?://\S+/s/\S+/", " ".join(sms["body"] for sms in gateways.sms_outbox)).group(0)
    code = re.search(r"\b(\d{6})\b", gateways.sms_outbox[-1]["body"]).group(1)
    client.logout()

    page = client.get(link)
    assert page.status_code == 200 and checked_in.number in page.text
    wrong = client.post(link, {"code": "000000" if code != "000000" else "111111", "shown_hash": content_hash(checked_in)})
    assert wrong.status_code == 400 and "Ce code n&#x27;est pas valide" in wrong.text  # a French customer, in French
    signed = client.post(link, {"code": code, "shown_hash": content_hash(checked_in)})

    assert signed.status_code == 302
    checked_in.refresh_from_db()
    assert checked_in.status == WorkOrder.Status.SIGNED and checked_in.signature.method == "otp"


def test_a_tampered_link_shows_a_friendly_page(client, db):
    assert client.get(reverse("workshop:customer_sign", args=["forged"])).status_code == 404
    assert client.post(reverse("workshop:customer_new_code", args=["forged"])).status_code == 404


# --- PDF --------------------------------------------------------------------------


def pdf_text(response) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_pdf_is_in_the_customers_language(client, advisor, checked_in):
    client.force_login(advisor)
    response = client.get(reverse("workshop:pdf", args=[checked_in.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert checked_in.number in text and "novembre 2026" in text and "150,00" in text


def test_damage_marks_keep_dot_coordinates_in_a_french_page(client, advisor, checked_in):
    advisor.language = "fr"
    advisor.save(update_fields=["language"])
    client.force_login(advisor)
    page = client.get(reverse("workshop:detail", args=[checked_in.pk]), HTTP_ACCEPT_LANGUAGE="fr").text
    assert '<html lang="fr">' in page and 'cx="50.00" cy="50.00"' in page


def test_the_pdf_follows_an_english_customer(client, advisor, checked_in):
    Customer.objects.filter(pk=checked_in.customer_id).update(language="en")
    client.force_login(advisor)
    text = pdf_text(client.get(reverse("workshop:pdf", args=[checked_in.pk])))
    assert "Nov. 24, 2026" in text and "novembre" not in text


def test_the_customer_reads_the_pdf_through_the_signed_link(client, checked_in):
    token = make_token(purpose="work-order-signature", pk=checked_in.pk)
    assert client.get(reverse("workshop:customer_pdf", args=[token]))["Content-Type"] == "application/pdf"
