"""Follow-up owners who can act, on a 1024x768 tablet in English and French: a 7-day callback given to an advisor, who
opens it from the call list and records the result; a test-drive lead passed at the handover that reaches the
salesperson's list, where the salesperson marks it contacted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.jobs.registry import run_job
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from followup import services
from followup.message_texts import seed_followup_templates
from followup.models import CallTask, SatisfactionAnswer
from followup.tests.handovers import closed_handover
from invoicing.message_texts import seed_message_texts as seed_invoicing_texts
from invoicing.models import SalesLead
from invoicing.services import customer_arrived, welcome_customer
from workshop.message_texts import seed_message_texts as seed_workshop_texts
from workshop.testing import ready_work_order

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def texts(db, settings, tmp_path):
    """The live server's database is flushed between tests: seed the message texts again."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_default_templates(MessageTemplate)
    seed_followup_templates(MessageTemplate)
    seed_workshop_texts(MessageTemplate)
    seed_invoicing_texts(MessageTemplate)


def speaking(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_advisor_opens_the_7_day_callback_given_to_them_and_records_the_result(
    page, live_server, login, language, advisor, quality_controller, cashier, manager, texts
):
    handover = closed_handover(site=advisor.sites.get(), advisor=advisor, inspector=quality_controller, cashier=cashier)
    type(handover).objects.filter(pk=handover.pk).update(closed_at=timezone.now() - timedelta(days=6, hours=23))
    run_job("visit_followups", now=timezone.now())
    task = services.assign_call_task(task=CallTask.objects.get(kind=CallTask.Kind.CALLBACK), agent=advisor, actor=manager)
    page.set_viewport_size(TABLET)

    login(page, live_server, speaking(advisor, language))
    page.goto(live_server.url + reverse("followup:call_list"))
    page.locator("#call-list a", has_text="Durand").click()
    expect(page).to_have_url(live_server.url + task.get_absolute_url())
    form = page.locator("#call-outcome-form")
    form.locator("input[name=outcome][value=informed]").check()
    form.locator("#id_satisfaction_4").check()  # 5 of 5
    form.locator("select[name=nps]").select_option("9")
    form.locator("button[type=submit]").click()

    expect(page.locator(".alert-success")).to_be_visible()
    task.refresh_from_db()
    assert task.status == CallTask.Status.DONE
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.nps, answer.answered_by) == (5, 9, advisor)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_test_drive_lead_reaches_the_salespersons_list(page, live_server, login, language, site, advisor, quality_controller, texts):
    order = ready_work_order(site=site, advisor=advisor, inspector=quality_controller)
    welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    salesperson = UserFactory(roles=[Role.SALESPERSON], site_list=[site], username="sales", first_name="Hélène", last_name="Garnier")
    page.set_viewport_size(TABLET)

    login(page, live_server, speaking(advisor, language))
    page.goto(live_server.url + reverse("invoicing:handover", args=[order.pk]))
    drive = page.locator("#test-drive form")
    drive.locator("input[name=model_tried]").fill("Audi Q4 e-tron")
    drive.locator("textarea[name=impressions]").fill("Loved the silence, wants a weekend trial")
    drive.locator("select[name=salesperson]").select_option(str(salesperson.pk))
    drive.locator("button[type=submit]").click()
    expect(page.locator("#test-drive")).to_contain_text("Audi Q4 e-tron")

    page.context.clear_cookies()
    login(page, live_server, speaking(salesperson, language))
    page.goto(live_server.url + reverse("invoicing:sales_leads"))
    lead = SalesLead.objects.get()
    row = page.locator(f"#lead-{lead.pk}")
    expect(row).to_contain_text("Audi Q4 e-tron")
    row.locator("button[value=contacted]").click()

    expect(page.locator(".alert-success")).to_be_visible()
    lead.refresh_from_db()
    assert lead.status == SalesLead.Status.CONTACTED
