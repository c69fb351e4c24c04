"""The loan contract names the customer's car and work order, the loaner's price, the insurance excess and the mileage
allowance, and takes the mileage and fuel out from the loaner's handover; it reads entirely in the customer's language,
with the site's local time (read back with pdftotext)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.tests.documents import labels_in, pdf_text, spaced
from appointments.models import LoanerReservation, LoanTerms
from appointments.tests.factories import LoanerFactory
from workshop.testing import order_in_workshop

pytestmark = pytest.mark.django_db

ENGLISH_LABELS = [
    "Courtesy vehicle loan contract",
    "Borrower",
    "Vehicle lent",
    "Registration plate",
    "Work order",
    "From",
    "Until",
    "Mileage out",
    "Fuel out",
    "Terms of the loan",
    "Price",
    "per day",
    "VAT included",
    "Free of charge",
    "Insurance excess",
    "No excess",
    "Mileage allowance",
    "Unlimited",
    "for this loan",
    "appointment",
    "For the dealership",
]


@pytest.fixture
def loaner(site):
    return LoanerFactory(site=site, description="Audi A1 Sportback", plate="LO-042-AN", category="city car")


@pytest.fixture
def reserved(appointment, loaner):
    """The loaner reserved from the 9:00 reception until the next day at 18:00 (two days of the site)."""
    return LoanerReservation.objects.create(
        loaner=loaner, appointment=appointment, starts_at=appointment.starts_at, ends_at=appointment.starts_at + timedelta(hours=33)
    )


def contract_text(client, user, appointment) -> str:
    client.force_login(user)
    response = client.get(reverse("appointments:loan_contract", args=[appointment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return spaced(pdf_text(response.content))


def test_before_the_visit_the_contract_is_prefilled_with_the_terms_in_french(client, advisor, appointment, reserved, loaner, site):
    LoanTerms.objects.create(site=site, insurance_excess=Decimal("800"), daily_km_allowance=150)
    loaner.daily_price = Decimal("25")
    loaner.save()

    text = contract_text(client, advisor, appointment)

    vehicle = appointment.vehicle
    assert f"{vehicle.make} {vehicle.model}" in text and vehicle.plate in text and vehicle.vin in text
    assert f"Ordre de réparation à ouvrir à l'accueil (rendez-vous n° {appointment.pk})" in text
    assert "Audi A1 Sportback" in text and "LO-042-AN" in text
    assert "De Mardi 24 novembre 2026, 09:00 Jusqu'au Mercredi 25 novembre 2026, 18:00" in text
    assert "25,00 € par jour, TVA comprise · 2 jours : 50,00 €" in text
    assert "Franchise d'assurance 800,00 €" in text
    assert "150 km par jour · 300 km pour ce prêt" in text
    assert "Kilométrage au départ Carburant au départ" in text  # left to write by hand until the handover
    assert labels_in(text, ENGLISH_LABELS) == []


def test_after_the_handover_it_names_the_work_order_and_the_mileage_and_fuel_out(client, advisor, appointment, reserved, loaner):
    order = order_in_workshop(
        appointment, advisor, mobility={"departure": "loaner", "loaner": loaner, "loaner_fuel_out": 6, "loaner_mileage_out": 12_000}
    )

    text = contract_text(client, advisor, appointment)

    assert f"Ordre de réparation {order.number}" in text
    assert "Kilométrage au départ 12 000 km" in text and "Carburant au départ 6/8" in text
    assert "Prix Gratuit" in text and "Sans franchise" in text and "Kilométrage autorisé Illimité" in text


def test_a_russian_customer_reads_it_in_russian_at_the_sites_time(client, advisor, appointment, reserved, site):
    appointment.customer.language = "ru"
    appointment.customer.save()
    LoanTerms.objects.create(site=site, daily_price=Decimal("30"), insurance_excess=Decimal("500"), daily_km_allowance=100)

    text = contract_text(client, advisor, appointment)

    assert "Договор предоставления подменного автомобиля" in text
    assert "24 ноября 2026, 09:00" in text
    assert "30,00 € в день с НДС · 2 дня: 60,00 €" in text
    assert "100 км в день · 200 км за весь срок" in text
    assert labels_in(text, ENGLISH_LABELS) == []


def test_no_loaner_no_contract(client, advisor, appointment):
    client.force_login(advisor)

    assert client.get(reverse("appointments:loan_contract", args=[appointment.pk])).status_code == 404
