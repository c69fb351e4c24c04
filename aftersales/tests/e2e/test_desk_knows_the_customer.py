"""The booking desk knows the customer: a vehicle already booked (the desk offers to move that booking, and the move
goes through), a customer with past visits and declined work (the desk and the vehicle page show them), and the live
panel's proposals reached with Tab. In English, French and Russian, in a 1024- and a 1280-pixel window."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from appointments import slots
from appointments.models import Appointment
from appointments.services import book_appointment
from appointments.tests.factories import LabourOperationFactory
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from workshop.message_texts import seed_message_texts as seed_workshop_texts
from workshop.models import WorkOrder
from workshop.testing import ready_work_order

from .test_booking_desk import bookable_site, settle  # noqa: F401 (bookable_site: the booking-ready site's fixture)

LANGUAGES = ("en", "fr", "ru")
WIDTHS = (1024, 1280)
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture(params=WIDTHS)
def width(request, page):
    page.set_viewport_size({"width": request.param, "height": 900})
    return request.param


@pytest.fixture
def message_texts(transactional_db):
    """The browser journeys' flush removed the rows the migrations seed."""
    for seed in (seed_default_templates, seed_workshop_texts, seed_invoicing_texts):
        seed(MessageTemplate)


def fits_and_passes_axe(page) -> list[str]:
    problems = []
    scroll, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > window:
        problems.append(f"{scroll} px wide in a {window} px window")
    for violation in Axe().run(page, options=WCAG_21_AA).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            problems.append(f"axe {violation['id']} on {[node['target'] for node in violation['nodes'][:3]]}")
    return problems


def speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_a_vehicle_already_booked_the_desk_offers_to_move_that_booking(request, page, live_server, login, crc_agent, site, language, width):
    diary_advisor = request.getfixturevalue("bookable_site")
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", language=language)
    vehicle = VehicleFactory(owner=customer, plate="EF-482-KL", make="Audi", model="Q3")
    operation = LabourOperationFactory(code="SERVICE-B", description="Annual service")
    jobs = [slots.JobRequest.of(operation)]
    first = slots.propose(site=site, jobs=jobs, now=timezone.now()).proposals[0]
    booked = book_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=diary_advisor,
        starts_at=first.starts_at,
        jobs=jobs,
        channel="phone_in",
        booked_by=crc_agent,
    )

    login(page, live_server, speaking(crc_agent, language))
    page.goto(f"{live_server.url}{reverse('appointments:desk')}?vehicle={vehicle.pk}")

    # The desk says the vehicle is booked; booking a second one without the agent's word is refused on that field.
    expect(page.locator("#already-booked .existing-booking")).to_have_count(1)
    page.get_by_label("SERVICE-A Annual service").check()
    settle(page)
    page.locator("#div_id_mobility_offered input[type=checkbox]").nth(0).check()
    page.locator("#div_id_mobility_offered input[type=checkbox]").nth(1).check()
    settle(page)
    page.locator("#proposal-1").check()
    settle(page)
    for box in ("#id_services_explained", "#id_prices_given", "#id_walk_around_offered"):
        page.locator(box).check()
    settle(page)
    page.locator("#review-booking").click()
    expect(page.locator("[data-field=second_booking]")).to_be_visible()
    assert fits_and_passes_axe(page) == []

    # The agent moves the booking instead: from the desk to the appointment's move, to a free time later that week.
    page.locator("#already-booked .move-booking").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('appointments:detail', args=[booked.pk])}#move")
    page.locator("#move .week-grid label", has_text="10:00").last.click()  # 10:00 on the week's last working day
    page.locator("#move button").click()
    page.wait_for_url(lambda url: f"/appointments/{booked.pk}/" not in url)

    booked.refresh_from_db()
    moved = Appointment.objects.get(rescheduled_from=booked)
    assert booked.status == Appointment.Status.RESCHEDULED and moved.status == Appointment.Status.BOOKED
    assert moved.starts_at != booked.starts_at
    page.goto(f"{live_server.url}{reverse('appointments:desk')}?vehicle={vehicle.pk}")
    expect(page.locator("#already-booked .existing-booking")).to_have_count(1)
    move_link = f"{reverse('appointments:detail', args=[moved.pk])}#move"
    expect(page.locator("#already-booked .move-booking")).to_have_attribute("href", move_link)


def test_a_customer_with_past_visits_and_declined_work_the_desk_shows_them(
    page, live_server, login, crc_agent, site, advisor, quality_controller, message_texts, language, width
):
    vehicle = VehicleFactory(owner=CustomerFactory(site=site, last_name="Marchand", language=language), plate="EF-482-KL")
    first = ready_work_order(site=site, advisor=advisor, inspector=quality_controller, vehicle=vehicle)
    WorkOrder.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=12))
    ready_work_order(site=site, advisor=advisor, inspector=quality_controller, vehicle=vehicle, unfixed="Rear tyres at 3 mm")

    login(page, live_server, speaking(crc_agent, language))
    page.goto(live_server.url + reverse("appointments:desk"))
    page.locator("#desk-search").fill("482-K")
    page.locator("#desk-search").press("Enter")
    page.locator(f"#search-results a[href='{reverse('appointments:desk')}?vehicle={vehicle.pk}']").click()

    visits = page.locator("#last-visits .past-visit")
    expect(visits).to_have_count(2)
    expect(visits.first.locator(".comeback")).to_be_visible()  # the same service again twelve days later
    expect(visits.first).to_contain_text("Annual service")
    recommendations = page.locator("#live .open-recommendations")
    expect(recommendations).to_contain_text("Front brake discs")
    expect(recommendations).to_contain_text("Rear tyres at 3 mm")
    assert fits_and_passes_axe(page) == []

    page.goto(live_server.url + reverse("customers:vehicle_detail", args=[vehicle.pk]))
    expect(page.locator("#last-visits .past-visit")).to_have_count(2)
    expect(page.locator("#open-work .deferred-item").first).to_contain_text("Front brake discs")
    expect(page.locator("#open-work .open-finding")).to_contain_text("Rear tyres at 3 mm")
    assert fits_and_passes_axe(page) == []


@pytest.mark.usefixtures("bookable_site")
def test_the_two_proposals_are_reached_with_tab(page, live_server, login, crc_agent, site):
    vehicle = VehicleFactory(owner=CustomerFactory(site=site), plate="TA-123-BB")
    login(page, live_server, crc_agent)
    page.goto(f"{live_server.url}{reverse('appointments:desk')}?vehicle={vehicle.pk}")
    page.get_by_label("SERVICE-A Annual service").check()
    settle(page)
    expect(page.locator("#proposals input[name=proposal]")).to_have_count(2)

    page.locator("button[name=step][value=refresh]").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "proposal":
            break
    assert page.evaluate("document.activeElement.id") == "proposal-1"
    page.keyboard.press("Space")
    settle(page)
    expect(page.locator("#proposal-1")).to_be_checked()

    page.locator("#proposal-1").focus()
    page.keyboard.press("ArrowDown")
    settle(page)
    expect(page.locator("#proposal-2")).to_be_checked()
    assert page.evaluate("document.activeElement.id") == "proposal-2"
    # The week's slots follow the proposal picked: the same time is checked there, or none.
    value = page.locator("#proposal-2").get_attribute("value")
    checked = page.locator("#week input[name=slot]:checked")
    assert checked.count() == 0 or checked.get_attribute("value") == value
