"""The foreman, in French at 1280 px, confirms a job signed off seconds after clocking on against 3.5 sold hours."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.message_texts import seed_message_texts
from workshop.models import ClockingReview
from workshop.services import assign_job, clock_in, clock_on_job, sign_off_job
from workshop.testing import order_in_workshop
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import technician_of

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("in_process")]
DESKTOP = {"width": 1280, "height": 800}


def fr(message: str) -> str:
    with translation.override("fr"):
        return translation.gettext(message)


@pytest.fixture
def flagged(transactional_db, site, advisor, technician, foreman):
    seed_default_templates(MessageTemplate)
    seed_message_texts(MessageTemplate)
    foreman.language = "fr"
    foreman.save(update_fields=["language"])
    technician_of(technician, site)
    vehicle = VehicleFactory(owner=CustomerFactory(site=site, language="fr"), plate="FG-123-HJ")
    appointment = make_appointment(
        site=site,
        customer=vehicle.owner,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=timezone.now() + timedelta(minutes=5),
        jobs=(("Courroie de distribution", Decimal("3.50"), Decimal("350.00")),),
    )
    job = assign_job(job=order_in_workshop(appointment, advisor).jobs.get(), technician=technician, bay=None, actor=foreman)
    now = timezone.now()
    clock_in(technician=technician, now=now)
    clock_on_job(job=job, technician=technician, now=now)
    sign_off_job(job=job, technician=technician, now=now + timedelta(seconds=5))
    return ClockingReview.objects.get(job=job)


def test_the_foreman_confirms_a_flagged_sign_off_in_french(browser, live_server, login, flagged, foreman, site):
    context = browser.new_context(viewport=DESKTOP)
    page = login(context.new_page(), live_server, foreman)
    page.goto(f"{live_server.url}{reverse('workshop:dispatch')}?site={site.pk}")

    reviews = page.locator("#clocking-reviews")
    expect(reviews.get_by_role("heading")).to_contain_text(fr("Sign-offs to confirm: clocked time implausible against the sold hours"))
    card = reviews.locator(f"[data-review='{flagged.pk}']")
    expect(card).to_contain_text("Courroie de distribution")
    expect(card.locator("strong")).to_have_text("0 min")
    card.get_by_role("button", name=fr("Confirm as clocked")).click()

    expect(page.locator("body")).to_contain_text(fr("Clocked time confirmed: the job counts in the efficiency figure."))
    expect(page.locator("#clocking-reviews")).to_have_count(0)
    flagged.refresh_from_db()
    assert (flagged.status, flagged.decided_by) == (ClockingReview.Status.CONFIRMED, foreman)
    context.close()
