"""A CRC agent works the call list (records an outcome) and records a customer's complaint (acknowledged at once);
a 7-day callback from a real handover is walked to a dissatisfied answer that opens a complaint for the manager."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.jobs.registry import run_job
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from followup import services
from followup.message_texts import seed_followup_templates
from followup.models import CallTask, Concern, SatisfactionAnswer, VisitFollowup
from followup.tests.factories import consenting_customer, due_vehicle
from followup.tests.handovers import closed_handover
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from invoicing.models import Handover
from workshop.message_texts import seed_message_texts as seed_workshop_texts

from .menu import open_from_menu


@pytest.fixture
def texts(db):
    """The live server's database is flushed between tests: seed the message texts again."""
    seed_default_templates(MessageTemplate)
    seed_followup_templates(MessageTemplate)


def test_crc_agent_works_the_call_list_and_records_a_complaint(page, live_server, login, crc_agent, advisor, site, texts):
    customer = consenting_customer(site, first_name="Élodie", last_name="Marchand")
    vehicle = due_vehicle(site, customer=customer, due_date=date.today() + timedelta(days=25))
    services.call_from_list(target_list="service_due", vehicle=vehicle, actor=crc_agent)

    login(page, live_server, crc_agent)
    open_from_menu(page, "Follow-up", "Call list")
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


def test_crc_agent_works_a_7_day_callback_from_a_handover_and_the_dissatisfied_answer_opens_a_complaint(
    page,
    live_server,
    login,
    crc_agent,
    advisor,
    quality_controller,
    cashier,
    manager,
    texts,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_workshop_texts(MessageTemplate)
    seed_invoicing_texts(MessageTemplate)
    handover = closed_handover(site=advisor.sites.get(), advisor=advisor, inspector=quality_controller, cashier=cashier)
    Handover.objects.filter(pk=handover.pk).update(closed_at=timezone.now() - timedelta(days=6, hours=23))
    assert run_job("visit_followups", now=timezone.now()) == 1  # day 7 is today (or the last open day before)
    invoice = handover.work_order.invoices.get(status="issued", payer="customer")

    login(page, live_server, crc_agent)
    open_from_menu(page, "Follow-up", "Call list")
    row = page.locator("#call-list tr", has_text="Durand")
    expect(row).to_contain_text("7-day callback")
    row.get_by_role("link").click()
    expect(page.locator("#visit-invoices")).to_contain_text(invoice.number)
    expect(page.locator("#visit-jobs")).to_contain_text("Annual service")
    expect(page.locator("#visit-deferred")).to_contain_text("Front brake discs")
    expect(page.locator("#call-script")).to_contain_text("Are you satisfied")
    desk = f"/appointments/desk/?vehicle={handover.work_order.vehicle_id}"
    expect(page.get_by_role("link", name="Book an appointment")).to_have_attribute("href", desk)

    page.get_by_label("Informed, nothing more").check()
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()  # reached: the satisfaction score is required
    page.get_by_label("Informed, nothing more").check()
    page.locator("#id_satisfaction_1").check()  # 2 of 5
    page.get_by_label("Would recommend us (0-10)").select_option("4")
    page.get_by_label("Remarks", exact=True).fill("The noise from the front is still there")
    page.get_by_label("Other needs").fill("Asks for a quote for winter tyres")
    page.get_by_role("button", name="Record", exact=True).click()

    expect(page.locator(".alert-success")).to_contain_text("Call recorded.")
    concern = Concern.objects.get()
    expect(page.locator(".alert-warning")).to_contain_text(concern.reference)
    answer = SatisfactionAnswer.objects.get()
    assert (answer.source, answer.score, answer.nps, answer.answered_by, answer.concern) == ("callback", 2, 4, crc_agent, concern)
    assert (concern.kind, concern.channel, concern.owner) == ("complaint", "survey", manager)
    assert CallTask.objects.get(kind="complaint_callback").assigned_to == manager
    assert OutboxMessage.objects.filter(template_key="concern_acknowledgment", customer=concern.customer).exists()


def test_a_customer_rates_the_visit_with_one_tap_on_a_phone(
    browser,
    live_server,
    advisor,
    quality_controller,
    cashier,
    manager,
    texts,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_workshop_texts(MessageTemplate)
    seed_invoicing_texts(MessageTemplate)
    handover = closed_handover(site=advisor.sites.get(), advisor=advisor, inspector=quality_controller, cashier=cashier)
    Handover.objects.filter(pk=handover.pk).update(closed_at=timezone.now() - timedelta(hours=30))
    run_job("visit_followups", now=timezone.now())
    followup = VisitFollowup.objects.get()
    phone = browser.new_page(viewport={"width": 390, "height": 844})

    phone.goto(live_server.url + services.quick_touch_link(followup).removeprefix(settings.SITE_URL))
    expect(phone.locator("html")).to_have_attribute("lang", "fr")  # Claire Durand reads French
    phone.get_by_role("button", name="2", exact=True).click()

    expect(phone.locator("#satisfaction-thanks")).to_contain_text("24")
    assert SatisfactionAnswer.objects.get().score == 2 and Concern.objects.get().owner == manager
    phone.close()
