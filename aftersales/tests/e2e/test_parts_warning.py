"""The parts advisor, in French, records the order of a missing part with its supplier and date, then warns the
customer from the parts requests list; the customer's message gives that date, and the warning is not sent twice."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from appointments.message_texts import seed_message_texts
from appointments.models import PartsDelayWarning, PartStock
from appointments.parts import mark_part_ordered, warn_parts_delay
from appointments.services import request_part_order
from appointments.tests.factories import CustomerFactory, LabourOperationFactory, PartFactory, VehicleFactory, add_kit_line
from workshop.tests.factories import make_appointment

from .test_screens_fit import check_page

pytestmark = pytest.mark.e2e


def french(text: str, **values) -> str:
    with translation.override("fr"):
        return translation.gettext(text) % values if values else translation.gettext(text)


@pytest.fixture
def oil_missing(transactional_db, site, advisor, parts_advisor):
    """A service in three days whose oil is not on the shelf, asked from the parts advisor, who reads French."""
    seed_default_templates(MessageTemplate)
    seed_message_texts(MessageTemplate)
    parts_advisor.language = "fr"
    parts_advisor.save(update_fields=["language"])
    operation = LabourOperationFactory(code="SERVICE-A", description="Annual service", flat_rate_hours=Decimal("1.50"))
    oil = PartFactory(name="Engine oil 5W30", unit_price=Decimal("8.90"))
    add_kit_line(operation, oil, "4.5")
    PartStock.objects.create(site=site, part=oil, on_hand=Decimal("1"))
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", language="fr", preferred_channel="email")
    vehicle = VehicleFactory(owner=customer, plate="EF-482-KL")
    day = timezone.localdate(timezone.now(), site.tz) + timedelta(days=3)
    appointment = make_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=datetime.combine(day, time(9), tzinfo=site.tz),
        operation=operation,
    )
    request_part_order(appointment=appointment, part=oil, quantity=Decimal("4.5"), actor=advisor)
    return appointment


def test_the_parts_advisor_orders_the_part_and_warns_the_customer_in_french(page, live_server, login, parts_advisor, oil_missing):
    expected = oil_missing.workshop_day + timedelta(days=2)
    order = oil_missing.part_order_requests.get()
    login(page, live_server, parts_advisor)
    # The parts advisor's four screens are on the bar itself (a short menu has no drop-downs).
    page.get_by_role("navigation", name=french("Main menu")).get_by_role("link", name=french("Parts requests")).click()

    row = page.locator(".part-request", has_text="EF-482-KL")
    row.get_by_label(french("Supplier")).fill("Audi Parts Lyon")
    row.get_by_label(french("Expected arrival")).fill(expected.isoformat())
    row.get_by_role("button", name=french("Ordered")).click()
    expect(page.locator(".alert-success")).to_contain_text("Audi Parts Lyon")

    expect(page).to_have_url(f"{live_server.url}{reverse('appointments:part_requests')}?status=ordered#part-request-{order.pk}")
    row = page.locator(".part-request", has_text="EF-482-KL")
    expect(row).to_contain_text("Audi Parts Lyon")
    row.get_by_role("button", name=french("Warn the customer: part missing")).click()
    expect(page.locator(".alert-success")).to_have_text(french("The customer is warned that a part will be missing."))
    row = page.locator(".part-request", has_text="EF-482-KL")
    expect(row.locator(".parts-warned")).to_contain_text(parts_advisor.get_full_name())
    expect(row.get_by_role("button", name=french("Send the warning again"))).to_be_visible()
    expect(row.get_by_role("button", name=french("Warn the customer: part missing"))).to_have_count(0)

    warning = PartsDelayWarning.objects.get()
    assert (warning.sent_by, warning.expected_on) == (parts_advisor, expected)
    message = OutboxMessage.objects.get(template_key="parts_delay")
    with translation.override("fr"):
        day = date_format(expected, "DATE_FORMAT")
    assert message.language == "fr" and f"Sa livraison est prévue le {day}." in message.body


def test_the_list_with_its_forms_fits_1024_pixels_and_passes_axe(page, live_server, login, parts_advisor, oil_missing, advisor):
    """An order to place (its form open) beside one placed and warned (its form folded)."""
    order = oil_missing.part_order_requests.get()
    mark_part_ordered(order_request=order, supplier="Audi Parts Lyon", expected_on=oil_missing.workshop_day, actor=parts_advisor)
    warn_parts_delay(appointment=oil_missing, actor=parts_advisor)
    later = make_appointment(
        site=oil_missing.site,
        customer=oil_missing.customer,
        vehicle=oil_missing.vehicle,
        advisor=advisor,
        starts_at=oil_missing.starts_at + timedelta(days=1),
        operation=oil_missing.jobs.get().operation,
    )
    request_part_order(appointment=later, part=order.part, quantity=Decimal("4.5"), actor=advisor)
    page.set_viewport_size({"width": 1024, "height": 768})
    login(page, live_server, parts_advisor)

    assert check_page(page, f"{live_server.url}{reverse('appointments:part_requests')}?status=all") == []
    expect(page.locator(".part-request")).to_have_count(2)
    expect(page.locator(".part-ordered-form")).to_have_count(2)
