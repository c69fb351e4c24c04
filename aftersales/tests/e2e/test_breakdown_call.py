"""A breakdown call taken in French from the first question to the booking; the script fits 1024 and 1280 px and passes axe."""

from datetime import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from aftersales.accounts.models import AssistanceContact
from aftersales.customers.models import MobilityService
from aftersales.customers.tests.factories import CustomerFactory, VehicleFactory
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from appointments.models import Appointment, BreakdownCall, LoanerReservation
from appointments.tests.factories import LoanerFactory, MobilityServiceFactory, make_advisor, make_technician

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


def settle(page):
    """Let the live panel (htmx) answer before the next step."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


@pytest.fixture
def french_agent(crc_agent):
    crc_agent.language = "fr"
    crc_agent.save(update_fields=["language"])
    return crc_agent


@pytest.fixture
def breakdown_site(site):
    """A diary open every day, technicians who diagnose, a loaner, the site's partners and the message texts."""
    seed_default_templates(MessageTemplate)
    make_advisor(
        site,
        first_name="Marc",
        last_name="Lenoir",
        weekdays=range(7),
        starts=time(0),
        ends=time(23, 45),
        break_starts=None,
        break_ends=None,
    )
    for _ in range(2):
        make_technician(site, skills=("mechanics", "diagnosis"), weekdays=range(7))
    LoanerFactory(site=site, description="Audi A1", plate="LO-001-AN")
    MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOANER, name="Véhicule de courtoisie")
    AssistanceContact.objects.create(site=site, kind="assistance", name="Dépannage Rhône Express", phone="+33472101010", hours="24/7")
    AssistanceContact.objects.create(site=site, kind="insurer", name="Mutuelle Lyonnaise Auto", phone="+33478601299")
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", email="elodie@example.test", preferred_channel="email")
    return VehicleFactory(owner=customer, plate="EF-482-KL", make="Audi", model="Q3")


def test_a_breakdown_call_taken_in_french_from_the_first_question_to_the_booking(page, live_server, login, french_agent, breakdown_site):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, french_agent)
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("button", name="Rendez-vous").click()
    menu.get_by_role("link", name="Poste de prise de rendez-vous").click()
    page.get_by_role("searchbox").fill("482-K")
    page.get_by_role("searchbox").press("Enter")
    page.locator("#search-results").get_by_role("link", name="Panne ou accident").click()

    expect(page.locator("#addressed-as")).to_have_text("Élodie Marchand")
    expect(page.locator("#safety-heading + .script-line")).to_contain_text("Élodie Marchand, nous sommes là pour vous aider")
    page.get_by_label("Accident", exact=True).check()
    expect(page.locator("#emergency")).to_be_hidden()
    page.get_by_label("Une personne est blessée").check()
    expect(page.locator("#emergency")).to_be_visible()
    expect(page.locator("#emergency-numbers")).to_contain_text("112")
    expect(page.locator("#emergency-numbers")).to_contain_text("15")
    page.get_by_label("Les secours sont prévenus").check()

    page.get_by_label("Où se trouve le véhicule", exact=True).fill("A7 direction Marseille, sortie 12")
    page.get_by_label("Coordonnées GPS").fill("45.1234, 4.9876")

    page.get_by_label("Remorquage nécessaire").check()
    expect(page.locator("#assistance-partners")).to_contain_text("Dépannage Rhône Express")
    page.get_by_label("Partenaire d'assistance appelé").select_option(label="Dépannage Rhône Express · +33 4 72 10 10 10")

    page.get_by_label("Assureur", exact=True).fill("Mutuelle Lyonnaise Auto")
    page.get_by_label("Numéro de contrat").fill("POL-778899")
    page.get_by_label("Numéro de dossier d'assistance").fill("AS-2026-0412")
    expect(page.locator("#insurer-contacts")).to_contain_text("+33 4 78 60 12 99")

    page.get_by_label("Véhicule de courtoisie nécessaire").check()
    settle(page)
    page.get_by_label("Ce qui s'est passé, avec les mots du client").fill("Choc à l'avant, le radiateur fuit")

    proposal = page.locator("#proposal .proposal input[name=slot]")
    expect(proposal).to_have_count(1)
    proposal.check()
    settle(page)
    page.get_by_label("Véhicule de courtoisie libre pendant toute la visite").select_option(label="Audi A1 LO-001-AN")
    expect(page.locator("#restate")).to_contain_text("Élodie Marchand, nous attendons votre Q3")
    expect(page.locator("#restate")).to_contain_text("La dépanneuse l'amène à notre atelier")
    page.get_by_role("button", name="Réserver le rendez-vous de diagnostic").click()

    expect(page.locator("#breakdown-call")).to_contain_text("Accident")
    expect(page.locator("#breakdown-call")).to_contain_text("POL-778899")
    expect(page.locator("#breakdown-call")).to_contain_text("Dépannage Rhône Express")
    appointment = Appointment.objects.get(customer=breakdown_site.owner)
    call = BreakdownCall.objects.get()
    assert appointment.breakdown_call == call and appointment.urgent
    assert call.kind == "accident" and call.anyone_injured and call.towing_needed and call.courtesy_car_needed
    assert (call.location, str(call.latitude), call.assistance_file_number) == (
        "A7 direction Marseille, sortie 12",
        "45.123400",
        "AS-2026-0412",
    )
    assert appointment.checklist["arrival_area"] == "bodyshop"
    assert LoanerReservation.objects.filter(appointment=appointment, loaner__plate="LO-001-AN").exists()
    assert OutboxMessage.objects.filter(template_key="booking_confirmation", about_id=str(appointment.pk)).exists()


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_call_script_fits_the_window_and_passes_axe(page, live_server, login, french_agent, breakdown_site, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server, french_agent)
    page.goto(f"{live_server.url}{reverse('appointments:breakdown')}?vehicle={breakdown_site.pk}")
    page.get_by_label("Une personne est blessée").check()
    page.get_by_label("Remorquage nécessaire").check()
    page.get_by_label("Véhicule de courtoisie nécessaire").check()
    settle(page)
    page.locator("#proposal .proposal input[name=slot]").first.check()
    settle(page)

    scroll_width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= window, f"{scroll_width} px wide in a {window} px window"
    violations = [
        (violation["id"], [node["target"] for node in violation["nodes"][:3]])
        for violation in Axe().run(page, options=WCAG_21_AA).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert violations == []
    page.screenshot(path=f"/tmp/breakdown-call-{width}.png", full_page=True)
