"""Every screen of every role's menu fits a 1024- and a 1280-pixel window, in French and in Russian, and axe-core
finds no serious or critical WCAG 2.1 A/AA violation on it; the tablet's tap targets are at least 24 pixels.

One signed-in browser context per role and width; the user's language changes between the two passes, as the
language menu would (it saves ``user.language``). Screenshots of each pass's first page go to /tmp/screens-fit/.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from appointments.tests.factories import CustomerFactory, VehicleFactory, make_advisor
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from invoicing.services import issue_invoice, prepare_invoices
from workshop.message_texts import seed_message_texts as seed_workshop_texts
from workshop.models import Bay
from workshop.services import assign_job, open_work_order
from workshop.testing import order_in_workshop, ready_work_order
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import fill_check_in, technician_of

pytestmark = pytest.mark.e2e

WIDTHS = (1024, 1280)
LANGUAGES = ("fr", "ru")
ROLES = ("crc_agent", "advisor", "foreman", "technician", "quality_controller", "cashier", "parts_advisor", "manager")
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}
SCREENSHOTS = Path("/tmp/screens-fit")
AXE = Axe()


@pytest.fixture
def busy_site(transactional_db, site, advisor, technician, quality_controller, cashier):
    """A booked appointment, a work order in the workshop with a job given to the technician, an issued invoice."""
    for seed in (seed_default_templates, seed_workshop_texts, seed_invoicing_texts):
        seed(MessageTemplate)
    make_advisor(site, first_name="Marc", last_name="Lenoir", weekdays=range(7))
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", language="fr")
    vehicle = VehicleFactory(owner=customer, plate="EF-482-KL", make="Audi", model="Q3")
    make_appointment(site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=timezone.now() + timedelta(days=1))

    arriving = CustomerFactory(site=site, first_name="Jean", last_name="Dupont", language="fr")
    car = VehicleFactory(owner=arriving, plate="GH-123-IJ", make="Audi", model="A4")
    order = order_in_workshop(
        make_appointment(site=site, customer=arriving, vehicle=car, advisor=advisor, starts_at=timezone.now() - timedelta(hours=1)), advisor
    )
    assign_job(
        job=order.jobs.first(),
        technician=technician_of(technician, site, skills=("mechanics", "diagnosis", "express")),
        bay=Bay.objects.create(site=site, name="Lift 1"),
        actor=advisor,
    )

    invoiced = ready_work_order(site=site, advisor=advisor, inspector=quality_controller)
    issue_invoice(invoice=prepare_invoices(work_order=invoiced, actor=cashier)[0], actor=cashier)
    return order


def menu_urls(page) -> list[str]:
    """The addresses of the main menu's entries, drop-down sections included."""
    return page.eval_on_selector_all(
        "#main-nav a.nav-link, #main-nav a.dropdown-item", "links => links.map(link => link.getAttribute('href'))"
    )


def check_page(page, url: str) -> list[str]:
    """What is wrong with the page at ``url``: too wide for the window, serious or critical axe violations."""
    response = page.goto(url)
    problems = [] if response.ok else [f"answered {response.status}"]
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > window:
        problems.append(f"{width} px wide in a {window} px window")
    for violation in AXE.run(page, options=WCAG_21_AA).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['id']} ({violation['impact']}) on {targets}")
    return problems


def check_menu_bar(page, width: int) -> list[str]:
    """The bar keeps one line: below 1200 px its entries fold into the menu button, above they stay on the dark bar."""
    bar = page.locator("nav.navbar").bounding_box()
    problems = [] if bar["height"] < 80 else [f"the menu bar is {bar['height']} px high: its entries wrap"]
    toggler = page.locator(".navbar-toggler")
    if width < 1200:
        if not toggler.is_visible():
            problems.append("the menu does not fold into its button")
        return problems
    for item in ("#language-menu", ".navbar-user", "form[action$='/logout/'] button"):
        box = page.locator(item).bounding_box()
        if box is None or box["x"] + box["width"] > width or box["y"] + box["height"] > bar["y"] + bar["height"]:
            problems.append(f"{item} is off the menu bar ({box})")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_screen_of_the_menu_fits_the_window_and_passes_axe(role, request, browser, live_server, login, busy_site):
    user = request.getfixturevalue(role)
    problems, signed_in = [], None
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800}, storage_state=signed_in)
        page = context.new_page()
        csp_reports = []
        page.on(
            "console",
            lambda message, reports=csp_reports: reports.append(message.text) if "Content Security Policy" in message.text else None,
        )
        if signed_in is None:
            login(page, live_server, user)
            signed_in = context.storage_state()
        for language in LANGUAGES:
            user.language = language
            user.save(update_fields=["language"])
            page.goto(live_server.url + reverse("home"))
            page.screenshot(path=SCREENSHOTS / f"{role}-{language}-{width}.png")
            problems += [f"{language} {width} px menu: {problem}" for problem in check_menu_bar(page, width)]
            urls = [reverse("home"), *menu_urls(page)]
            assert len(urls) > 1, f"{role} has no menu entry"
            for url in urls:
                problems += [f"{language} {width} px {url}: {problem}" for problem in check_page(page, live_server.url + url)]
        problems += [f"{width} px: {report}" for report in csp_reports]
        context.close()
    assert problems == [], "\n".join(problems)


def too_small(locator) -> list[str]:
    """The boxes under 24 x 24 px (WCAG 2.5.8) among the elements of ``locator``."""
    boxes = [locator.nth(index).bounding_box() for index in range(locator.count())]
    assert boxes, f"nothing matches {locator}"
    return [f"{box['width']:.0f} x {box['height']:.0f}" for box in boxes if box["width"] < 24 or box["height"] < 24]


def test_the_tablets_tap_targets_are_at_least_24_pixels(page, live_server, login, site, advisor, busy_site):
    page.set_viewport_size({"width": 1024, "height": 768})
    login(page, live_server, advisor)
    customer = CustomerFactory(site=site, first_name="Léa", last_name="Petit", language="fr")
    vehicle = VehicleFactory(owner=customer, plate="KL-456-MN", make="Audi", model="A1")
    tomorrow = timezone.localdate() + timedelta(days=1)

    # The booking desk's week: each free slot and the week's arrows.
    page.goto(f"{live_server.url}{reverse('appointments:desk')}?vehicle={vehicle.pk}&week={tomorrow.isoformat()}")
    assert too_small(page.locator(".week-grid label.btn")) == []
    assert too_small(page.locator(".week-nav a.btn")) == []

    # The reception check-in: the fuel level's radios and the damage kinds.
    order = fill_check_in(
        open_work_order(
            appointment=make_appointment(site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=timezone.now()),
            actor=advisor,
        ),
        advisor,
    )
    page.goto(live_server.url + reverse("workshop:step", args=[order.pk, "walk_around"]))
    assert too_small(page.locator("input[name=fuel_level]")) == []
    assert too_small(page.locator(".damage-kinds input[type=radio]")) == []
    assert AXE.run(page, options={"runOnly": {"type": "rule", "values": ["target-size"]}}).response["violations"] == []
