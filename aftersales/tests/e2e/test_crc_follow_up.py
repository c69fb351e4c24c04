"""A CRC agent works the call list (records an outcome) and records a customer's complaint (acknowledged at once)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from followup import services
from followup.message_texts import seed_followup_templates
from followup.models import CallTask, Concern
from followup.tests.factories import consenting_customer, due_vehicle


@pytest.fixture
def texts(db):
    """The live server's database is flushed between tests: seed the message texts again."""
    seed_default_templates(MessageTemplate)
    seed_followup_templates(MessageTemplate)


def test_crc_agent_works_the_call_list_and_records_a_complaint(page, live_server, login, crc_agent, advisor, site, texts):
    customer = consenting_customer(site, first_name="Élodie", last_name="Marchand")
    vehicle = due_vehicle(site, customer=customer, due_date=date.today() + timedelta(days=25))
    services.call_from_list(target_list="service_due", label="Service due", vehicle=vehicle, actor=crc_agent)

    login(page, live_server, crc_agent)
    page.get_by_role("navigation").get_by_role("link", name="Call list").click()
    page.locator("#call-list a", has_text="Marchand").click()
    expect(page.locator("#call-script")).to_contain_text("May I offer you an appointment?")
    page.get_by_label("Wants a call later").check()
    page.get_by_label("Remarks and other needs").fill("Call back after 6 pm; also asks about winter tyres")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Call recorded.")
    expect(page.locator("#call-list")).to_have_count(0)
    task = CallTask.objects.get()
    assert (task.status, task.outcome) == ("done", "call_later")
    assert task.attempts.get().remarks.startswith("Call back after 6 pm")

    page.goto(live_server.url + reverse("followup:concern_create", args=[customer.pk]))
    page.get_by_label("Type").select_option("complaint")
    page.get_by_label("Received by").select_option("call")
    page.get_by_label("Summary").fill("Scratch on the rear door after the car wash")
    page.get_by_label("Vehicle").select_option(str(vehicle.pk))
    page.get_by_label("Person responsible").select_option(str(advisor.pk))
    page.get_by_role("button", name="Record").click()

    concern = Concern.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(concern.reference)
    expect(page.locator("#concern-status")).to_have_text("Open")
    acknowledgment = OutboxMessage.objects.get(template_key="concern_acknowledgment")
    assert acknowledgment.customer == customer and concern.reference in acknowledgment.body
    assert CallTask.objects.get(kind="complaint_callback").assigned_to == advisor
