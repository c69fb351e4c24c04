"""The breakdown or accident call through the test client: the script, its live panel, the booking, and where it shows."""

import pytest
from django.urls import reverse

from aftersales.accounts.models import AssistanceContact
from aftersales.tests.languages import page_in
from appointments.forms import encode_slot
from appointments.models import Appointment, BreakdownCall
from appointments.slots import propose

from .conftest import MONDAY_MORNING
from .factories import make_technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def script_ready(site, diary_advisor, clock):
    """Technicians who diagnose, one assistance partner and one insurer at the site."""
    for _ in range(2):
        make_technician(site, skills=("mechanics", "diagnosis"))
    partner = AssistanceContact.objects.create(
        site=site, kind="assistance", name="Dépannage Rhône Express", phone="+33472101010", hours="24/7"
    )
    AssistanceContact.objects.create(site=site, kind="insurer", name="Mutuelle Lyonnaise Auto", phone="+33478601299")
    return partner


def urgent_slot(site) -> str:
    proposal = propose(site=site, jobs=[], now=MONDAY_MORNING, urgent=True).proposals[0]
    return encode_slot(proposal.advisor_id, proposal.starts_at)


def call_data(vehicle, slot, **extra):
    data = {
        "vehicle": vehicle.pk,
        "kind": "breakdown",
        "location": "A7 direction Marseille, sortie 12",
        "coordinates": "45.1234, 4.9876",
        "towing_needed": "on",
        "insurer": "Mutuelle Lyonnaise Auto",
        "policy_number": "POL-778899",
        "assistance_file_number": "AS-2026-0412",
        "what_happened": "Le moteur a calé, voyant rouge",
        "documents_to_bring": "Carte grise",
        "slot": slot,
        "step": "confirm",
    }
    data.update(extra)
    return data


def test_the_script_addresses_the_customer_by_name_and_shows_the_contacts_and_the_proposal(
    client, crc_agent, site, vehicle, script_ready, django_assert_max_num_queries
):
    client.force_login(crc_agent)

    with django_assert_max_num_queries(40):
        response = client.get(reverse("appointments:breakdown"), {"vehicle": vehicle.pk})

    text = response.text
    customer = vehicle.owner
    assert response.status_code == 200 and 'id="breakdown-form"' in text
    assert f"{customer.first_name} {customer.last_name}, we are here to help you" in text
    assert "Dépannage Rhône Express" in text and "tel:+33472101010" in text and "Mutuelle Lyonnaise Auto" in text
    assert 'id="emergency-numbers"' in text and ">112<" in text and ">15<" in text
    assert 'name="slot"' in text and "invalid-feedback" not in text


def test_the_live_panel_gives_the_loaners_free_once_a_courtesy_car_is_needed_and_the_time_chosen(
    client, crc_agent, site, vehicle, script_ready
):
    from .factories import LoanerFactory

    LoanerFactory(site=site, plate="LO-777-BD")
    client.force_login(crc_agent)
    slot = urgent_slot(site)

    response = client.get(
        reverse("appointments:breakdown_live"), {"vehicle": vehicle.pk, "courtesy_car_needed": "on", "slot": slot}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200 and "LO-777-BD" in response.text and 'id="restate"' in response.text
    assert "<html" not in response.text


def test_the_call_is_booked_and_shows_on_the_appointment_and_the_reception_board(
    client, crc_agent, advisor, site, vehicle, script_ready, django_capture_on_commit_callbacks
):
    client.force_login(crc_agent)

    with django_capture_on_commit_callbacks():
        response = client.post(reverse("appointments:breakdown"), call_data(vehicle, urgent_slot(site), assistance_partner=script_ready.pk))

    appointment = Appointment.objects.get()
    record = BreakdownCall.objects.get()
    assert response.status_code == 302 and response.url == reverse("appointments:detail", args=[appointment.pk])
    assert appointment.breakdown_call == record and appointment.urgent
    assert record.assistance_partner == script_ready and str(record.latitude) == "45.123400"
    page = client.get(response.url)
    assert 'id="breakdown-call"' in page.text and "POL-778899" in page.text and "A7 direction Marseille" in page.text
    client.force_login(advisor)
    board = client.get(reverse("workshop:board"), {"site": site.pk})
    assert board.status_code == 200 and "breakdown-badge" in board.text and "Breakdown" in board.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": "", "coordinates": ""}, "location"),
        ({"coordinates": "somewhere near Lyon"}, "coordinates"),
        ({"anyone_injured": "on"}, "emergency_services_alerted"),
        ({"what_happened": ""}, "what_happened"),
        ({"kind": ""}, "kind"),
        ({"slot": ""}, "slot"),
    ],
)
def test_a_call_missing_an_answer_is_refused_on_that_question(client, crc_agent, site, vehicle, script_ready, changes, field):
    client.force_login(crc_agent)

    response = client.post(reverse("appointments:breakdown"), {**call_data(vehicle, urgent_slot(site)), **changes})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not BreakdownCall.objects.exists() and not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("language", "script", "record"),
    [
        ("en", "we are here to help you", "Assistance file number"),
        ("fr", "nous sommes là pour vous aider", "Numéro de dossier d'assistance"),
        ("ru", "мы здесь, чтобы вам помочь", "Номер дела в службе помощи"),
        ("zh-hans", "我们会帮助您", "救援案件号"),
    ],
)
def test_the_script_and_its_record_read_in_each_language(client, crc_agent, site, vehicle, script_ready, language, script, record):
    client.force_login(crc_agent)
    client.post(reverse("appointments:breakdown"), call_data(vehicle, urgent_slot(site)))
    appointment = Appointment.objects.get()

    assert script in page_in(client, crc_agent, f"{reverse('appointments:breakdown')}?vehicle={vehicle.pk}", language)
    assert record in page_in(client, crc_agent, reverse("appointments:detail", args=[appointment.pk]), language)


def test_without_a_vehicle_the_agent_goes_back_to_the_desk(client, crc_agent, script_ready):
    client.force_login(crc_agent)

    response = client.get(reverse("appointments:breakdown"), {"vehicle": "999999"})

    assert response.status_code == 302 and response.url == reverse("appointments:desk")


def test_the_desk_offers_the_script_for_the_vehicle(client, crc_agent, vehicle, script_ready):
    client.force_login(crc_agent)

    response = client.get(reverse("appointments:desk"), {"vehicle": vehicle.pk})

    assert f"{reverse('appointments:breakdown')}?vehicle={vehicle.pk}" in response.text


def test_a_foreman_cannot_take_the_call(client, foreman, vehicle, script_ready):
    client.force_login(foreman)

    assert client.get(reverse("appointments:breakdown"), {"vehicle": vehicle.pk}).status_code == 403
