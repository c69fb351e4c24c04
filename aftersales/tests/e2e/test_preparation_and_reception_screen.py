"""In the browser: the advisor prepares the next working day, opens a work order in advance and prints its bin label;
a manager makes a reception screen's link, which shows the day's arrivals in kiosk mode (first names and initials,
no menu). Both fit 1024- and 1280-pixel windows in English, French and Russian and pass axe-core."""

from datetime import datetime, time
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from appointments.kiosk import create_reception_screen
from appointments.preparation import preparation_days
from appointments.tests.factories import CustomerFactory, LabourOperationFactory, PartFactory, VehicleFactory, add_kit_line
from workshop.models import WorkOrder
from workshop.tests.factories import make_appointment

from .test_screens_fit import check_page

pytestmark = pytest.mark.e2e
WIDTHS = (1024, 1280)
LANGUAGES = ("en", "fr", "ru")
OPEN_EARLY = {"en": "Open the work order now", "fr": "Ouvrir l'ordre de réparation dès maintenant", "ru": "Открыть заказ-наряд сейчас"}
WELCOME = {"en": "Welcome to", "fr": "Bienvenue chez", "ru": "Добро пожаловать в"}


def book_two_customers(site, advisor, day, **extra) -> list:
    """Camille Moreau at 9:00 and Léon Petit at 10:00 on ``day``, each with their Audi Q5."""
    bookings = []
    for hour, (first, last, plate) in zip((9, 10), (("Camille", "Moreau", "CM-111-AA"), ("Léon", "Petit", "LP-222-BB")), strict=True):
        customer = CustomerFactory(site=site, first_name=first, last_name=last, mobile=f"+3361122{hour:04d}")
        bookings.append(
            make_appointment(
                site=site,
                customer=customer,
                vehicle=VehicleFactory(owner=customer, plate=plate, make="Audi", model="Q5"),
                advisor=advisor,
                starts_at=datetime.combine(day, time(hour), tzinfo=site.tz),
                **extra,
            )
        )
    return bookings


@pytest.fixture
def next_working_day(transactional_db, site, advisor):
    """The two customers booked on the site's next working day for a service with a parts kit."""
    operation = LabourOperationFactory(code="SERVICE-A", description="Annual service")
    add_kit_line(operation, PartFactory(number="OIL-FILTER", name="Oil filter"), "1")
    day = preparation_days(site=site, today=timezone.localdate(timezone.now(), site.tz)).working[0]
    return book_two_customers(site, advisor, day, operation=operation)


@pytest.fixture
def arrivals_today(transactional_db, site, advisor):
    """The two customers expected today."""
    return book_two_customers(site, advisor, timezone.localdate(timezone.now(), site.tz))


def test_the_advisor_opens_a_work_order_in_advance_and_prints_its_bin_label(browser, live_server, login, advisor, next_working_day):
    first = next_working_day[0]
    url = f"{live_server.url}{reverse('appointments:preparation')}"
    problems = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = login(context.new_page(), live_server, advisor)
        for language in LANGUAGES:
            advisor.language = language
            advisor.save(update_fields=["language"])
            problems += [f"{language} {width} px: {problem}" for problem in check_page(page, url)]
            if not WorkOrder.objects.exists():
                page.locator(f"#appointment-{first.pk}").get_by_role("button", name=OPEN_EARLY[language]).click()
                order = WorkOrder.objects.get(appointment=first)
                expect(page.locator(f"#appointment-{first.pk} .prep-document")).to_contain_text(order.number)
                problems += [f"{language} {width} px, order open: {problem}" for problem in check_page(page, url)]
            page.screenshot(path=f"/tmp/preparation-{language}-{width}.png", full_page=True)
        context.close()
    assert problems == [], "\n".join(problems)

    order = WorkOrder.objects.get()
    first.refresh_from_db()
    assert order.status == WorkOrder.Status.PREPARED and first.status == "booked"
    context = browser.new_context()
    page = login(context.new_page(), live_server, advisor)
    label = page.request.get(live_server.url + reverse("appointments:bin_label", args=[first.pk]))
    text = PdfReader(BytesIO(label.body())).pages[0].extract_text()
    assert order.number in text and "Moreau" in text
    context.close()


def test_a_manager_makes_a_screen_link_that_shows_the_arrivals_in_kiosk_mode(browser, live_server, login, site, manager, arrivals_today):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = login(context.new_page(), live_server, manager)
    page.goto(live_server.url + reverse("appointments:reception_screens"))
    page.get_by_label("Screen").fill("Hall")
    page.get_by_label("Language shown").select_option("fr")
    page.get_by_role("button", name="Make the link").click()
    link = page.locator("#new-link-url").input_value()
    assert check_page(page, live_server.url + reverse("appointments:reception_screens")) == []
    context.close()

    problems = []
    for language in LANGUAGES:
        url = link if language == "fr" else live_server.url + reverse("appointments:kiosk", args=[_key(site, manager, language)])
        for width in WIDTHS:
            screen = browser.new_context(viewport={"width": width, "height": 800})  # no login: the screen's own browser
            page = screen.new_page()
            problems += [f"{language} {width} px: {problem}" for problem in check_page(page, url)]
            expect(page.get_by_role("heading", level=1)).to_contain_text(WELCOME[language])
            expect(page.locator("#arrivals-table")).to_contain_text("Camille M.")
            body = page.locator("body").inner_text()
            assert "Moreau" not in body and "CM-111-AA" not in body and "+33" not in body
            assert page.locator("nav, a, form, button").count() == 0
            page.screenshot(path=f"/tmp/kiosk-{language}-{width}.png", full_page=True)
            screen.close()
    assert problems == [], "\n".join(problems)


def _key(site, manager, language) -> str:
    return create_reception_screen(site=site, name=f"Hall {language}", language=language, actor=manager)[1]


def test_a_forged_screen_link_gets_a_clear_page(page, live_server, arrivals_today):
    response = page.goto(live_server.url + reverse("appointments:kiosk", args=["not-a-screen-key"]))

    assert response.status == 404
    expect(page.locator("#kiosk-link-error")).to_contain_text("withdrawn")
    assert "Camille" not in page.locator("body").inner_text()
