"""The breakdown or accident call: its record and its urgent diagnosis appointment, booked in one transaction."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aftersales.accounts.emergency import emergency_numbers
from aftersales.accounts.models import AssistanceContact, Brand, SiteBrand
from aftersales.accounts.tests.factories import SiteFactory
from aftersales.customers.models import MobilityService
from aftersales.customers.privacy import REDACTED
from aftersales.messaging.models import OutboxMessage
from appointments.breakdown import addressed_as, assistance_contacts, take_breakdown_call
from appointments.breakdown_forms import parse_coordinates
from appointments.exceptions import BookingError, SlotTaken
from appointments.models import Appointment, BreakdownCall, LoanerReservation
from appointments.privacy import erase_appointments
from appointments.services import reschedule_appointment
from appointments.slots import propose

from .conftest import MONDAY_MORNING
from .factories import CustomerFactory, LoanerFactory, MobilityServiceFactory, VehicleFactory, make_technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def diagnosticians(site):
    return [make_technician(site, skills=("mechanics", "diagnosis")) for _ in range(2)]


@pytest.fixture
def call(site, customer, vehicle, diary_advisor, diagnosticians, crc_agent, clock):
    """call(**overrides): take_breakdown_call at the urgent proposal, with the answers of a breakdown on the motorway."""

    def take(**overrides):
        proposal = propose(site=site, jobs=[], now=MONDAY_MORNING, urgent=True).proposals[0]
        arguments = dict(
            site=site,
            customer=customer,
            vehicle=vehicle,
            advisor=diary_advisor,
            starts_at=proposal.starts_at,
            kind=BreakdownCall.Kind.BREAKDOWN,
            what_happened="Le moteur a calé sur l'A7, voyant rouge",
            location="A7 direction Marseille, sortie 12",
            taken_by=crc_agent,
        )
        arguments.update(overrides)
        return take_breakdown_call(**arguments)

    return take


def test_the_call_is_recorded_with_its_urgent_diagnosis_appointment(call, site, customer, crc_agent):
    appointment = call(
        kind=BreakdownCall.Kind.ACCIDENT,
        latitude=Decimal("45.123456"),
        longitude=Decimal("4.987654"),
        anyone_injured=True,
        emergency_services_alerted=True,
        towing_needed=True,
        insurer="Mutuelle Lyonnaise",
        policy_number="POL-778899",
        assistance_file_number="AS-2026-0412",
        documents_to_bring="Constat amiable, carte grise",
    )

    record = appointment.breakdown_call
    assert appointment.urgent and appointment.channel == Appointment.BookingChannel.PHONE_IN
    assert appointment.starts_at - MONDAY_MORNING <= timedelta(hours=24)
    assert appointment.customer_words == "Le moteur a calé sur l'A7, voyant rouge"
    assert [(job.skill, job.description) for job in appointment.jobs.all()] == [("diagnosis", "Le moteur a calé sur l'A7, voyant rouge")]
    assert appointment.checklist["arrival_area"] == Appointment.ArrivalArea.BODYSHOP
    assert appointment.checklist["documents_to_bring"] == "Constat amiable, carte grise"
    assert (record.site, record.customer, record.taken_by, record.kind) == (site, customer, crc_agent, "accident")
    assert (record.latitude, record.longitude) == (Decimal("45.123456"), Decimal("4.987654"))
    assert (record.insurer, record.policy_number, record.assistance_file_number) == ("Mutuelle Lyonnaise", "POL-778899", "AS-2026-0412")
    assert record.anyone_injured and record.towing_needed and not record.courtesy_car_needed
    assert OutboxMessage.objects.filter(template_key="booking_confirmation", about_id=str(appointment.pk)).exists()


def test_a_breakdown_goes_to_the_mechanical_workshop(call):
    assert call().checklist["arrival_area"] == Appointment.ArrivalArea.MECHANICAL


def test_a_refused_booking_leaves_no_call_behind(call):
    first = call()

    with pytest.raises(SlotTaken):
        call(starts_at=first.starts_at)

    assert BreakdownCall.objects.count() == 1 and Appointment.objects.count() == 1


def test_a_courtesy_car_reserves_a_free_loaner_and_the_loaner_service(call, site):
    loaner = LoanerFactory(site=site)
    service = MobilityServiceFactory(site=site, kind=MobilityService.Kind.LOANER, name="Véhicule de courtoisie")

    appointment = call(courtesy_car_needed=True, loaner=loaner)

    assert LoanerReservation.objects.filter(appointment=appointment, loaner=loaner).exists()
    assert list(appointment.mobility.all()) == [service]
    assert appointment.breakdown_call.courtesy_car_needed


def test_a_moved_appointment_keeps_its_call(call, crc_agent):
    appointment = call()

    moved = reschedule_appointment(appointment=appointment, starts_at=appointment.starts_at + timedelta(days=1), actor=crc_agent)

    assert moved.breakdown_call == appointment.breakdown_call
    assert list(appointment.breakdown_call.appointments.order_by("pk")) == [appointment, moved]


@pytest.mark.parametrize(
    ("overrides", "field", "named"),
    [
        ({"kind": "flat_tyre"}, "kind", "Breakdown or accident:"),
        ({"anyone_injured": True}, "emergency_services_alerted", "Emergency services:"),
        ({"location": "  "}, "location", "Where the vehicle is:"),
        ({"latitude": Decimal("43.3")}, "coordinates", "Coordinates:"),
        ({"latitude": Decimal("95"), "longitude": Decimal("5")}, "coordinates", "Coordinates:"),
        ({"what_happened": " "}, "what_happened", "What happened:"),
        ({"courtesy_car_needed": False, "with_loaner": True}, "loaner", "Loaner:"),
        ({"courtesy_car_needed": True}, "loaner", "Loaner:"),
    ],
)
def test_a_refusal_names_the_field_it_is_about_and_writes_nothing(call, site, overrides, field, named):
    loaner = LoanerFactory(site=site)
    if overrides.pop("with_loaner", False):
        overrides["loaner"] = loaner

    with pytest.raises(BookingError) as refused:
        call(**overrides)

    assert refused.value.field == field and str(refused.value.message).startswith(named)
    assert not BreakdownCall.objects.exists() and not Appointment.objects.exists()


def test_an_assistance_partner_of_another_site_is_refused(call, site):
    elsewhere = SiteFactory(group=site.group)
    partner = AssistanceContact.objects.create(site=elsewhere, kind="assistance", name="Dépannage Nord", phone="+33320000000")

    with pytest.raises(BookingError) as refused:
        call(towing_needed=True, assistance_partner=partner)

    assert refused.value.field == "assistance_partner"


def test_an_insurer_is_not_an_assistance_partner(call, site):
    insurer = AssistanceContact.objects.create(site=site, kind="insurer", name="Assurances du Rhône", phone="+33478000001")

    with pytest.raises(BookingError) as refused:
        call(towing_needed=True, assistance_partner=insurer)

    assert refused.value.field == "assistance_partner"


def test_the_partner_called_is_recorded(call, site):
    partner = AssistanceContact.objects.create(site=site, kind="assistance", name="Dépannage Rhône", phone="+33472101010")

    assert call(towing_needed=True, assistance_partner=partner).breakdown_call.assistance_partner == partner


@pytest.mark.parametrize(
    ("country", "first", "also"),
    [("FR", "112", {"15", "17", "18"}), ("RU", "112", {"101", "102", "103"}), ("CN", "120", {"110", "119", "122"}), ("US", "911", set())],
)
def test_the_emergency_numbers_are_those_of_the_sites_country(country, first, also):
    numbers = [emergency.number for emergency in emergency_numbers(country)]

    assert numbers[0] == first and also <= set(numbers)


def test_a_country_not_in_the_table_gets_the_mobile_emergency_number():
    assert [emergency.number for emergency in emergency_numbers("zz")] == ["112"]
    assert emergency_numbers("fr") == emergency_numbers("FR")


def test_the_contacts_shown_are_the_sites_for_every_brand_and_the_vehicles_brand(site):
    lexus, toyota = Brand.objects.create(code="lexus", name="Lexus"), Brand.objects.create(code="toyota", name="Toyota")
    for brand in (lexus, toyota):
        SiteBrand.objects.create(site=site, brand=brand, greeting=f"{brand.name}, bonjour")
    for name, kind, brand in [
        ("Lexus Assistance 24", "assistance", lexus),
        ("Toyota Assistance", "assistance", toyota),
        ("Dépannage Phocéen", "assistance", None),
        ("Assurances du Midi", "insurer", None),
    ]:
        AssistanceContact.objects.create(site=site, kind=kind, name=name, phone="+33491808080", brand=brand)
    AssistanceContact.objects.create(site=site, kind="assistance", name="Old partner", phone="+33491808081", active=False)
    toyota_car = VehicleFactory(owner=CustomerFactory(site=site), make="Toyota", model="Yaris Cross")

    contacts = assistance_contacts(site=site, vehicle=toyota_car)

    assert [contact.name for contact in contacts["assistance"]] == ["Dépannage Phocéen", "Toyota Assistance"]
    assert [contact.name for contact in contacts["insurer"]] == ["Assurances du Midi"]


def test_a_contacts_phone_is_stored_in_the_international_format(site):
    contact = AssistanceContact(site=site, kind="assistance", name="Dépannage", phone="04 72 10 10 10")

    contact.full_clean()

    assert contact.phone == "+33472101010" and contact.phone_display == "+33 4 72 10 10 10"
    with pytest.raises(ValidationError) as refused:
        AssistanceContact(site=site, kind="assistance", name="Faux", phone="12").full_clean()
    assert "phone" in refused.value.message_dict


def test_the_customer_is_addressed_by_the_persons_name(site):
    person = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", company_name="Transports Marchand")

    assert addressed_as(person) == "Élodie Marchand"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("43.2965, 5.3698", ("43.296500", "5.369800")),
        ("43.2965,5.3698", ("43.296500", "5.369800")),
        ("43,2965; 5,3698", ("43.296500", "5.369800")),
        ("-33.8688 151.2093", ("-33.868800", "151.209300")),
    ],
)
def test_coordinates_are_read_as_a_phone_shows_them(typed, expected):
    assert parse_coordinates(typed) == tuple(Decimal(value) for value in expected)


@pytest.mark.parametrize("typed", ["Marseille", "43.2", "95.0, 5.0", "43.1 5.2 6.3"])
def test_coordinates_that_cannot_be_read_are_refused_with_the_field_named(typed):
    with pytest.raises(ValidationError) as refused:
        parse_coordinates(typed)

    assert refused.value.messages[0].startswith("Coordinates:")


def test_the_erasure_of_a_customer_removes_where_and_how_they_are_insured(call, customer):
    call(latitude=Decimal("43.3"), longitude=Decimal("5.4"), policy_number="POL-1", insurer="Assurances du Midi")

    erase_appointments(customer)

    record = BreakdownCall.objects.get()
    assert (record.location, record.latitude, record.policy_number, record.insurer) == (REDACTED, None, "", "")
