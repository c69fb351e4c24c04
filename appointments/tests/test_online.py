"""Online self-booking, the customer's own changes, web requests: services and public views."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from aftersales.customers.models import Customer, MobilityService, Vehicle
from aftersales.jobs.registry import run_job
from aftersales.lib.signing import make_token
from aftersales.messaging import gateways
from aftersales.messaging.models import OutboxMessage
from appointments import online
from appointments.models import Appointment, AppointmentEvent, WebRequest
from appointments.services import customer_link

from .factories import LoanerFactory, MobilityServiceFactory

PASSWORD = "pass-for-tests-123"


@pytest.fixture(autouse=True)
def sms_and_limits(settings):
    settings.SMS_BACKEND = "locmem"
    gateways.sms_outbox.clear()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mobility(site):
    return [
        MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOUNGE, name="Waiting lounge"),
        MobilityServiceFactory(site=site, kind=MobilityService.Kind.SHUTTLE, name="Shuttle"),
        MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOANER, name="Courtesy car"),
    ]


@pytest.fixture
def ready(site, diary_advisor, technicians, mobility, service_operation, clock):
    return site


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", gateways.sms_outbox[-1]["body"]).group(1)


def ask_code(client, site, contact, vehicle_ref, capture):
    with capture(execute=True):
        return client.post(reverse("online:book", args=[site.code]), {"vehicle": vehicle_ref, "contact": contact})


def verify(client, site, code):
    return client.post(reverse("online:code", args=[site.code]), {"code": code})


def book_through_the_pages(client, site, customer, vehicle, operation, mobility_choice, capture):
    ask_code(client, site, customer.mobile, vehicle.plate, capture)
    assert verify(client, site, last_code())["Location"] == reverse("online:choose", args=[site.code])
    return book_as_verified(client, site, operation, mobility_choice, capture)


def book_as_verified(client, site, operation, mobility_choice, capture):
    response = client.post(
        reverse("online:choose", args=[site.code]),
        {"operations": [operation.pk], "mobility": mobility_choice.pk, "comment": "Squeak at the back"},
    )
    assert response.status_code == 302
    page = client.get(reverse("online:slot", args=[site.code]))
    slot = re.search(r'name="slot" id="slot-[^"]+" value="([^"]+)"', page.content.decode()).group(1)
    with capture(execute=True):
        return client.post(reverse("online:slot", args=[site.code]), {"slot": slot})


# --- Identification without enumeration ----------------------------------------------


def normalized(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_known_and_unknown_contacts_get_the_same_answer_and_a_code_each(
    client, ready, customer, vehicle, django_capture_on_commit_callbacks
):
    known = ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks)
    known_page = client.get(known["Location"])
    other = type(client)()
    unknown = ask_code(other, ready, "+33699887766", "ZZ-999-ZZ", django_capture_on_commit_callbacks)
    unknown_page = other.get(unknown["Location"])
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert normalized(known_page) == normalized(unknown_page)
    assert [sms["to"] for sms in gateways.sms_outbox] == [customer.mobile, "+33699887766"]
    assert customer.first_name not in known_page.content.decode()


def test_a_wrong_code_is_refused_and_counted(client, ready, customer, vehicle, django_capture_on_commit_callbacks):
    ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks)
    wrong = "000000" if last_code() != "000000" else "111111"
    response = verify(client, ready, wrong)
    assert response.status_code == 400 and "not valid" in response.content.decode()
    for _attempt in range(4):
        verify(client, ready, wrong)
    response = verify(client, ready, last_code())
    assert response.status_code == 400 and "Too many wrong codes" in response.content.decode()


def test_an_expired_code_is_refused(client, ready, customer, vehicle, clock, django_capture_on_commit_callbacks):
    ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks)
    clock.shift(timedelta(minutes=16))
    response = verify(client, ready, last_code())
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_a_code_works_once(client, ready, customer, vehicle, django_capture_on_commit_callbacks):
    ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks)
    code = last_code()
    assert verify(client, ready, code).status_code == 302
    other = type(client)()
    session_state = client.session[f"online:{ready.pk}"]
    session = other.session
    session[f"online:{ready.pk}"] = {"contact": session_state["contact"], "vehicle_ref": vehicle.plate}
    session.save()
    response = verify(other, ready, code)
    assert response.status_code == 400 and "already used" in response.content.decode()


def test_codes_are_rate_limited_per_contact_and_per_address(client, ready, customer, vehicle, django_capture_on_commit_callbacks):
    for _try in range(3):
        assert ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks).status_code == 302
    refused = ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks)
    assert refused.status_code == 429 and 'id="rate-limited"' in refused.content.decode()
    assert len(gateways.sms_outbox) == 3
    for number in range(6):
        ask_code(client, ready, f"+3361100{number:04d}", "AB-123-CD", django_capture_on_commit_callbacks)
    assert ask_code(client, ready, "+33611009999", "AB-123-CD", django_capture_on_commit_callbacks).status_code == 429


def test_a_bad_contact_is_named_on_its_field(client, ready):
    response = client.post(reverse("online:book", args=[ready.code]), {"vehicle": "AB-123-CD", "contact": "not a phone"})
    assert response.status_code == 400 and 'data-field="contact"' in response.content.decode()
    assert gateways.sms_outbox == []


def test_an_e_mail_contact_gets_its_code_by_e_mail(client, ready, customer, vehicle, django_capture_on_commit_callbacks):
    ask_code(client, ready, customer.email.upper(), vehicle.vin, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == [customer.email]
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert verify(client, ready, code)["Location"] == reverse("online:choose", args=[ready.code])


# --- Booking ---------------------------------------------------------------------------------


def test_an_online_booking_lands_in_the_diary_as_channel_online_with_its_confirmation(
    client,
    ready,
    customer,
    vehicle,
    service_operation,
    mobility,
    diary_advisor,
    django_capture_on_commit_callbacks,
):
    response = book_through_the_pages(client, ready, customer, vehicle, service_operation, mobility[1], django_capture_on_commit_callbacks)
    appointment = Appointment.objects.get()
    assert response["Location"] == link_path(appointment)
    assert (appointment.channel, appointment.origin, appointment.booked_by.username) == ("online", "online", "online-booking")
    assert list(appointment.mobility.all()) == [mobility[1]] and appointment.customer_words == "Squeak at the back"
    confirmation = OutboxMessage.objects.get(template_key="booking_confirmation")
    assert confirmation.customer == customer
    page = client.get(response["Location"])
    assert "Your appointment is booked" in page.content.decode()
    staff = type(client)()
    staff.login(username=diary_advisor.username, password=PASSWORD)
    diary = staff.get(reverse("appointments:diary"), {"day": appointment.workshop_day.isoformat()})
    assert reverse("appointments:detail", args=[appointment.pk]) in diary.content.decode()


def test_an_unknown_visitor_gives_details_with_a_vin_then_books(
    client, ready, service_operation, mobility, django_capture_on_commit_callbacks
):
    ask_code(client, ready, "06 99 88 77 66", "GH-456-JK", django_capture_on_commit_callbacks)
    assert verify(client, ready, last_code())["Location"] == reverse("online:details", args=[ready.code])
    data = {
        "first_name": "Léa",
        "last_name": "Roux",
        "email": "",
        "language": "fr",
        "preferred_channel": "sms",
        "vin": "",
        "plate": "GH-456-JK",
        "make": "Audi",
        "model": "Q3",
    }
    response = client.post(reverse("online:details", args=[ready.code]), data)
    assert response.status_code == 400 and 'data-field="vin"' in response.content.decode()
    response = client.post(reverse("online:details", args=[ready.code]), {**data, "vin": "WAUZZZ8U0JR012345"})
    assert response["Location"] == reverse("online:choose", args=[ready.code])
    created = Customer.objects.get(last_name="Roux")
    assert created.mobile == "+33699887766" and Vehicle.objects.get(owner=created).vin == "WAUZZZ8U0JR012345"


def test_services_show_prices_with_vat_and_the_open_campaigns(
    client, ready, customer, vehicle, service_operation, django_capture_on_commit_callbacks
):
    from aftersales.customers.models import Campaign

    Campaign.objects.create(
        code="RC-1",
        kind="recall",
        title="Airbag recall",
        vin_patterns=vehicle.vin[:8] + "*",
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks)
    verify(client, ready, last_code())
    page = client.get(reverse("online:choose", args=[ready.code]), {"lang": "fr"}).content.decode()
    # 1.5 h × 98.00 + kit (12.50 + 4.5 × 8.90) = 199.55 before VAT; 239.46 with 20 % VAT.
    assert "239,46" in page and "Airbag recall" in page


def test_the_loaner_is_offered_only_when_one_is_free_for_online_booking(
    client, ready, customer, vehicle, mobility, django_capture_on_commit_callbacks
):
    ask_code(client, ready, customer.mobile, vehicle.plate, django_capture_on_commit_callbacks)
    verify(client, ready, last_code())
    LoanerFactory(site=ready)  # one car: the 25 % kept back from online booking is that car
    page = client.get(reverse("online:choose", args=[ready.code])).content.decode()
    assert "Courtesy car" not in page and "Shuttle" in page
    for _more in range(3):
        LoanerFactory(site=ready)
    assert "Courtesy car" in client.get(reverse("online:choose", args=[ready.code])).content.decode()


def test_bookings_are_rate_limited_per_phone(
    client, ready, customer, vehicle, service_operation, mobility, django_capture_on_commit_callbacks
):
    assert (
        book_through_the_pages(
            client, ready, customer, vehicle, service_operation, mobility[1], django_capture_on_commit_callbacks
        ).status_code
        == 302
    )
    for _more in range(2):
        assert book_as_verified(client, ready, service_operation, mobility[1], django_capture_on_commit_callbacks).status_code == 302
    refused = book_as_verified(client, ready, service_operation, mobility[1], django_capture_on_commit_callbacks)
    assert refused.status_code == 429 and 'id="rate-limited"' in refused.content.decode()
    assert Appointment.objects.count() == 3


def test_a_prefilled_link_skips_typing_but_sends_the_code_to_the_contact_on_file(
    client,
    ready,
    customer,
    vehicle,
    django_capture_on_commit_callbacks,
):
    url = online.online_booking_url(vehicle)
    assert url.startswith("http") and "?p=" in url
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and customer.mobile not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/" + path.split("?")[0], {"p": unquote(path.split("?p=")[1])})
    assert gateways.sms_outbox[-1]["to"] == customer.mobile
    assert verify(client, ready, last_code())["Location"] == reverse("online:choose", args=[ready.code])
    assert response.status_code == 302


def test_a_tampered_or_old_prefilled_link_shows_a_friendly_page(client, ready, vehicle, clock):
    tampered = client.get(reverse("online:book", args=[ready.code]), {"p": online.prefill_token(vehicle)[:-2] + "xx"})
    assert tampered.status_code == 400 and 'id="link-error"' in tampered.content.decode()
    token = online.prefill_token(vehicle)
    clock.shift(timedelta(days=46))
    expired = client.get(reverse("online:book", args=[ready.code]), {"p": token})
    assert expired.status_code == 400 and 'id="link-error"' in expired.content.decode()


def test_public_pages_follow_the_language_asked(client, ready):
    page = client.get(reverse("online:book", args=[ready.code]), {"lang": "fr"})
    assert page["Content-Language"] == "fr" and 'id="language-picker"' in page.content.decode()
    assert client.get(reverse("online:book", args=[ready.code]))["Content-Language"] == "fr"


def test_unknown_site_or_brand_answers_404(client, ready):
    assert client.get(reverse("online:book", args=["nowhere"])).status_code == 404
    assert client.get(reverse("online:book_brand", args=[ready.code, "nobrand"])).status_code == 404
    brand = ready.brand_contacts.get().brand
    assert client.get(reverse("online:book_brand", args=[ready.code, brand.code])).status_code == 200


def test_steps_out_of_order_go_back_to_the_start(client, ready):
    for name in ("code", "details", "choose", "slot"):
        assert client.get(reverse(f"online:{name}", args=[ready.code]))["Location"] == reverse("online:book", args=[ready.code])


# --- Manage my booking ---------------------------------------------------------------------------


@pytest.fixture
def online_booking(ready, customer, vehicle, service_operation, mobility, diary_advisor):
    start = timezone.make_aware(datetime(2026, 3, 4, 9, 0), ready.tz)
    return online.book_online(
        site=ready,
        customer=customer,
        vehicle=vehicle,
        operations=[service_operation],
        mobility=mobility[1],
        advisor_id=diary_advisor.pk,
        starts_at=start,
    )


def link_path(appointment) -> str:
    return reverse("appointments:public", args=[customer_link(appointment).rstrip("/").rsplit("/", 1)[1]])


def test_the_customer_moves_the_booking_among_free_slots_and_the_advisor_is_told(
    client,
    online_booking,
    diary_advisor,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    page = client.get(link_path(online_booking), {"move": "1"}).content.decode()
    slots = re.findall(r'name="slot" id="slot-[^"]+" value="([^"]+)"', page)
    assert len(slots) > 5
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link_path(online_booking), {"action": "move", "slot": slots[5]})
    online_booking.refresh_from_db()
    new = online_booking.rescheduled_to
    assert online_booking.status == "rescheduled" and new.channel == "online"
    assert response["Location"] == link_path(new)
    event = AppointmentEvent.objects.get(details__customer_change="rescheduled")
    assert event.appointment == new
    assert mail.outbox[-1].to == [diary_advisor.email] and "moved" in mail.outbox[-1].subject
    staff = type(client)()
    staff.login(username=diary_advisor.username, password=PASSWORD)
    assert 'id="customer-changes"' in staff.get(reverse("appointments:diary")).content.decode()


def test_moving_to_a_taken_or_made_up_time_is_refused_politely(client, online_booking):
    response = client.post(link_path(online_booking), {"action": "move", "slot": "1@20260304T0800"})
    assert response.status_code == 400 and 'data-field="slot"' in response.content.decode()
    assert client.post(link_path(online_booking), {"action": "move", "slot": "garbage"}).status_code == 400
    online_booking.refresh_from_db()
    assert online_booking.status == "booked"


def test_the_customer_cancels_with_a_reason(client, online_booking, diary_advisor, eager_tasks, django_capture_on_commit_callbacks):
    assert client.post(link_path(online_booking), {"action": "cancel", "reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link_path(online_booking), {"action": "cancel", "reason": "Car sold"})
    online_booking.refresh_from_db()
    assert online_booking.status == "cancelled" and not online_booking.slots.exists()
    assert "Car sold" in AppointmentEvent.objects.get(details__customer_change="cancelled").note
    assert mail.outbox[-1].to == [diary_advisor.email]


def test_the_advisor_reads_the_customers_change_in_their_language_and_the_sites_time(
    online_booking, diary_advisor, eager_tasks, django_capture_on_commit_callbacks
):
    diary_advisor.language = "fr"
    diary_advisor.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        online.cancel_by_customer(appointment=online_booking, reason="Car sold")
    sent = mail.outbox[-1]
    assert sent.subject == f"{online_booking.customer} : Le client a annulé en ligne."
    assert sent.body.splitlines()[1:] == [
        f"4 mars 2026 09:00 · {online_booking.vehicle}",
        "Car sold",
        settings.SITE_URL + reverse("appointments:detail", kwargs={"pk": online_booking.pk}),
    ]


def test_a_tampered_booking_link_shows_a_friendly_page(client, online_booking):
    response = client.get(link_path(online_booking)[:-3] + "xx/")
    assert response.status_code == 400 and 'id="link-error"' in response.content.decode()


# --- Web and e-mail requests ------------------------------------------------------------------------


FRIDAY_EVENING = datetime.fromisoformat("2026-03-06T19:30:00+01:00")


def test_a_request_made_on_friday_evening_is_due_monday_two_hours_after_opening(site):
    site.opening_hours.filter(weekday=5).delete()
    from aftersales.lib.business_hours import add_working_hours

    assert add_working_hours(site, FRIDAY_EVENING, 2) == datetime.fromisoformat("2026-03-09T10:00:00+01:00")
    late_friday = datetime.fromisoformat("2026-03-06T17:30:00+01:00")
    assert add_working_hours(site, late_friday, 2) == datetime.fromisoformat("2026-03-09T09:30:00+01:00")


def test_working_hours_skip_lunch_breaks_and_public_holidays(site):
    from datetime import time

    from aftersales.lib.business_hours import add_working_hours

    site.opening_hours.all().delete()
    for weekday in range(5):
        site.opening_hours.create(weekday=weekday, opens=time(8), closes=time(12))
        site.opening_hours.create(weekday=weekday, opens=time(14), closes=time(18))
    assert add_working_hours(site, datetime.fromisoformat("2026-03-04T11:00:00+01:00"), 2) == datetime.fromisoformat(
        "2026-03-04T15:00:00+01:00"
    )
    # Good Friday is no holiday in France, Easter Monday 6 April 2026 is.
    assert add_working_hours(site, datetime.fromisoformat("2026-04-03T19:00:00+02:00"), 2) == datetime.fromisoformat(
        "2026-04-07T10:00:00+02:00"
    )


def test_the_contact_form_files_a_request_due_in_two_working_hours(client, site):
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        site.opening_hours.filter(weekday=5).delete()
        response = client.post(
            reverse("online:contact", args=[site.code]),
            {"name": "Paul Martin", "mobile": "06 12 34 56 78", "message": "Noise when braking"},
        )
    assert response["Location"] == reverse("online:contact_sent", args=[site.code])
    request = WebRequest.objects.get()
    assert (request.channel, request.mobile) == ("web", "+33612345678")
    assert request.due_at == datetime.fromisoformat("2026-03-09T10:00:00+01:00")


def test_the_contact_form_needs_a_way_to_answer(client, site):
    response = client.post(reverse("online:contact", args=[site.code]), {"name": "Paul", "message": "Hello"})
    assert response.status_code == 400 and 'data-field="mobile"' in response.content.decode()
    assert not WebRequest.objects.exists()


def test_the_escalation_flags_a_friday_evening_request_on_monday_at_ten_once(site, manager):
    site.opening_hours.filter(weekday=5).delete()
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        request = online.create_web_request(
            site=site,
            channel="web",
            name="Paul Martin",
            mobile="+33612345678",
            email="",
            language="fr",
            vehicle_text="",
            message="Noise when braking",
        )
    monday = datetime.fromisoformat("2026-03-09T09:55:00+01:00")
    assert run_job("web_request_escalations", now=monday) == 0
    with time_machine.travel(monday + timedelta(minutes=5), tick=False):
        assert run_job("web_request_escalations", now=timezone.now()) == 1
        assert run_job("web_request_escalations", now=timezone.now()) == 0
    request.refresh_from_db()
    assert request.escalated_at == datetime.fromisoformat("2026-03-09T10:00:00+01:00")


def test_the_escalation_mails_the_sites_managers(site, manager, eager_tasks, django_capture_on_commit_callbacks):
    request = online.create_web_request(
        site=site, channel="web", name="Paul Martin", mobile="+33612345678", email="", language="fr", vehicle_text="", message="Noise"
    )
    with django_capture_on_commit_callbacks(execute=True):
        online.escalate_overdue_web_requests(now=request.due_at)
    assert mail.outbox[-1].to == [manager.email] and "Paul Martin" in mail.outbox[-1].subject


def test_staff_answer_with_the_booking_link_files_the_customer_and_sends_it(client, site, advisor):
    request = online.create_web_request(
        site=site, channel="web", name="Paul Martin", mobile="+33612345678", email="", language="fr", vehicle_text="A3", message="Noise"
    )
    client.login(username=advisor.username, password=PASSWORD)
    response = client.post(
        reverse("appointments:web_request_answer", args=[request.pk]), {"answer": "We can see you on Tuesday.", "with_booking_link": "on"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    message = OutboxMessage.objects.get(template_key="web_request_answer")
    assert request.answered_by == advisor and request.customer.mobile == "+33612345678"
    assert f"/book/{site.code}/" in message.body and "Tuesday" in message.body
    again = client.post(reverse("appointments:web_request_answer", args=[request.pk]), {"answer": "Again"})
    assert again.status_code == 400 and OutboxMessage.objects.filter(template_key="web_request_answer").count() == 1


def test_staff_record_an_e_mailed_request_with_its_arrival_time(client, site, crc_agent):
    client.login(username=crc_agent.username, password=PASSWORD)
    received = timezone.localtime(timezone.now() - timedelta(minutes=20), site.tz).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("appointments:web_request_new") + f"?site={site.pk}",
        {"name": "Anne Petit", "email": "anne@example.test", "message": "Price of a service?", "language": "fr", "received_at": received},
    )
    request = WebRequest.objects.get()
    assert response["Location"] == request.get_absolute_url()
    assert (request.channel, request.recorded_by) == ("email", crc_agent)


def test_the_request_list_runs_a_fixed_number_of_queries(client, site, advisor, django_assert_max_num_queries):
    client.login(username=advisor.username, password=PASSWORD)

    def file_requests(count):
        for number in range(count):
            online.create_web_request(
                site=site,
                channel="web",
                name=f"Client {number}",
                mobile="",
                email=f"c{number}@example.test",
                language="fr",
                vehicle_text="",
                message="Hello",
            )

    file_requests(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("appointments:web_requests"), {"show": "open"}).status_code == 200
    file_requests(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("appointments:web_requests"), {"show": "open"})
    assert page.content.decode().count("Client ") == 22
    for show in ("overdue", "answered", "bogus"):
        assert client.get(reverse("appointments:web_requests"), {"show": show}).status_code == 200


# --- The customer 360 Visits card ---------------------------------------------------------------------


def test_the_customer_page_lists_the_visits_in_the_site_time(client, online_booking, advisor):
    client.login(username=advisor.username, password=PASSWORD)
    page = client.get(reverse("customers:detail", args=[online_booking.customer.pk])).content.decode()
    assert 'id="visits"' in page and reverse("appointments:detail", args=[online_booking.pk]) in page
    assert "4 Mar 2026 09:00" in page and "Online self-booking" in page


def test_a_signed_link_of_another_purpose_is_refused(client, online_booking):
    token = make_token(purpose="prefill", pk=online_booking.pk)
    assert client.get(reverse("appointments:public", args=[token])).status_code == 400
    assert Decimal(online_booking.gross_total) > 0


def test_public_posts_need_the_csrf_token(ready, online_booking):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("online:book", args=[ready.code]), {"vehicle": "AB-1", "contact": "+33612345678"}).status_code == 403
    assert (
        strict.post(reverse("online:contact", args=[ready.code]), {"name": "A", "mobile": "+33612345678", "message": "Hi"}).status_code
        == 403
    )
    assert strict.post(link_path(online_booking), {"action": "cancel", "reason": "No"}).status_code == 403
    assert gateways.sms_outbox == [] and not WebRequest.objects.exists()
