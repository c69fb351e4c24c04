"""The workshop journey in the browser: dispatch, clocks, inspection with photo, the customer's approval on a phone,
the approved job done, the declined one deferred, a quality check failed once then passed."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.checklist import seed_default_checklist
from workshop.message_texts import seed_message_texts
from workshop.models import Approval, Bay, DeferredWork, InspectionItem, InspectionTemplate, WorkOrder
from workshop.testing import order_in_workshop
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import image_bytes, technician_of

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("in_process")]
TABLET = {"width": 1180, "height": 820}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def order(site, advisor, technician, transactional_db):
    """The browser journeys run in a transactional database: the migrations' rows are seeded again."""
    seed_default_templates(MessageTemplate)
    seed_message_texts(MessageTemplate)
    seed_default_checklist(InspectionTemplate, InspectionItem)
    technician_of(technician, site)
    Bay.objects.create(site=site, name="Lift 2")
    customer = CustomerFactory(site=site, first_name="Claire", last_name="Durand", mobile="+33612345678", language="en")
    vehicle = VehicleFactory(owner=customer, plate="FG-123-HJ")
    appointment = make_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=timezone.now(),
        jobs=(("Annual service", Decimal("1.50"), Decimal("147.00")),),
    )
    return order_in_workshop(appointment, advisor)


@pytest.fixture
def staff_page(browser, live_server, login):
    """A tablet-sized page signed in as the given user (one browser context per person)."""
    contexts = []

    def open_as(user):
        context = browser.new_context(viewport=TABLET, has_touch=True)
        contexts.append(context)
        return login(context.new_page(), live_server, user)

    yield open_as
    for context in contexts:
        context.close()


def sign_off(page, concern, *, last=False):
    """Tick the job as done; the last job of the order sends the car to the quality check (it leaves the list)."""
    card = page.locator("article.my-job", has_text=concern)
    card.get_by_text("Tick as done").click()
    card.get_by_role("button", name="Done: sign off this job").click()
    if last:
        expect(page.locator("article.my-job", has_text=concern)).to_have_count(0)
    else:
        expect(page.locator("article.my-job", has_text=concern)).to_have_count(0)  # signed off: one line, no forms
        page.locator("#jobs-done summary").click()
        expect(page.locator("li.my-job-done", has_text=concern)).to_contain_text("Signed off by")


def test_workshop_journey_from_dispatch_to_quality_check(
    browser, live_server, staff_page, order, advisor, foreman, technician, quality_controller, tmp_path
):
    url = live_server.url
    # The foreman dispatches the booked job to the technician, in a bay.
    foreman_page = staff_page(foreman)
    foreman_page.goto(url + reverse("workshop:dispatch"))
    card = foreman_page.locator("#column-waiting article.dispatch-job", has_text="Annual service")
    card.get_by_label("Technician").select_option(str(technician.pk))
    card.get_by_label("Bay").select_option(label="Lift 2")
    card.get_by_role("button", name="Assign").click()
    expect(foreman_page.locator("#column-assigned")).to_contain_text("Annual service")

    # The technician clocks in for the day, clocks on the job and fills the inspection.
    tech = staff_page(technician)
    tech.goto(url + reverse("workshop:my_jobs"))
    tech.get_by_role("button", name="Clock in for the day").click()
    expect(tech.locator("#attendance-state")).to_contain_text("At work since")
    tech.locator("article.my-job", has_text="Annual service").get_by_role("button", name="Clock on").click()
    expect(tech.locator(".clocked-on")).to_be_visible()
    tech.locator("article.my-job", has_text="Annual service").get_by_role("link", name="Inspection").click()
    tech.get_by_role("button", name="Start the inspection").click()
    points = tech.locator("tr.inspection-point")
    for index in range(points.count()):
        points.nth(index).locator("label", has_text="OK").click()
    tyre = tech.locator("tr.inspection-point", has_text="Tyre front left")
    tyre.locator("label", has_text="Soon").click()
    tyre.locator("input[type=number]").fill("3.2")
    tyre.locator("input[type=text]").fill("Worn on the inside")
    pads = tech.locator("tr.inspection-point", has_text="Front brake pads")
    pads.locator("label", has_text="Now").click()
    pads.locator("input[type=number]").fill("2")
    tech.get_by_role("button", name="Save", exact=True).click()
    picture = tmp_path / "pads.jpg"
    picture.write_bytes(image_bytes("JPEG", (320, 240)))
    pads = tech.locator("tr.inspection-point", has_text="Front brake pads")
    pads.locator("input[type=file]").set_input_files(str(picture))
    pads.get_by_role("button", name="Add").click()
    expect(tech.locator("tr.inspection-point", has_text="Front brake pads").locator(".result-photos img")).to_have_count(1)
    tech.get_by_role("button", name="Complete: amber and red points become proposals").click()
    expect(tech.locator("#inspection-complete")).to_be_visible()
    assert order.jobs.filter(approval=Approval.PENDING).count() == 2

    # The advisor sends the link; the customer opens it on a phone, approves the tyre and declines the pads.
    desk = staff_page(advisor)
    desk.goto(url + reverse("workshop:detail", args=[order.pk]))
    expect(desk.locator("#extra-work .pending-job")).to_have_count(2)
    desk.get_by_role("button", name="Send the customer a link to approve or decline").click()
    expect(desk.locator(".approval-request")).to_contain_text("Not viewed yet")
    body = OutboxMessage.objects.get(template_key="approval_request").body
    link = re.search(r"https?://\S+/x/\S+/", body).group(0)

    phone_context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(link)
    expect(phone.locator("article.proposal")).to_have_count(2)
    expect(phone.locator("article.proposal", has_text="Front brake pads").locator("img.proposal-photo")).to_have_count(1)
    phone.locator("article.proposal", has_text="Tyre front left").get_by_role("button", name="Approve").click()
    expect(phone.locator("article.proposal", has_text="Tyre front left").locator(".decided")).to_contain_text("Approved")
    pads_card = phone.locator("article.proposal", has_text="Front brake pads")
    pads_card.get_by_label("Reason (optional)").fill("Next month")
    pads_card.get_by_role("button", name="Decline").click()
    expect(phone.locator("article.proposal", has_text="Front brake pads").locator(".decided")).to_contain_text("Declined")
    phone_context.close()

    desk.reload()
    expect(desk.locator(".approval-request .viewed")).to_contain_text("Viewed")
    decisions = desk.locator("#workshop-jobs")
    expect(decisions.locator("tr", has_text="Tyre front left").locator(".decisions")).to_contain_text("Approved · Signed link")
    expect(decisions.locator("tr", has_text="Front brake pads").locator(".decisions")).to_contain_text("Declined · Signed link")
    deferred = DeferredWork.objects.get(vehicle=order.vehicle)
    assert deferred.description.startswith("Front brake pads") and deferred.reason == "Next month"
    desk.goto(url + reverse("customers:detail", args=[order.customer_id]))
    expect(desk.locator("#deferred-work")).to_contain_text("Front brake pads")

    # The technician finishes the booked job and the approved one: the car goes to the quality check.
    tech.goto(url + reverse("workshop:my_jobs"))
    sign_off(tech, "Annual service")
    tech.locator("article.my-job", has_text="Tyre front left").get_by_role("button", name="Clock on").click()
    sign_off(tech, "Tyre front left", last=True)
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.QUALITY_CHECK

    # The quality check fails once (the tyre job goes back), then passes.
    qc = staff_page(quality_controller)
    qc.goto(url + reverse("workshop:qc_queue"))
    qc.locator("#qc-queue tr", has_text=order.number).get_by_role("link", name="Check").click()
    qc.get_by_label("Fail: back to the workshop").check()
    qc.get_by_label("Reason for sending back").fill("Wheel balance not done")
    qc.get_by_label("Tyre front left", exact=False).check()
    qc.get_by_role("button", name="Record the check").click()
    expect(qc.locator("#qc-queue")).not_to_contain_text(order.number)

    tech.goto(url + reverse("workshop:my_jobs"))
    expect(tech.locator("article.my-job", has_text="Tyre front left")).to_contain_text("Sent back by the quality check")
    sign_off(tech, "Tyre front left", last=True)

    qc.goto(url + reverse("workshop:qc_check", args=[order.pk]))
    qc.get_by_label("Pass: ready for invoicing").check()
    for label in ("Work order complete and signed off by the technicians", "Road test done", "Every job done", "Vehicle cleaned"):
        qc.get_by_label(label).check()
    qc.get_by_label("Road test notes").fill("No noise, brakes fine")
    qc.get_by_label("Parking place").fill("P12")
    expect(qc.get_by_label("Findings not fixed")).to_have_value(re.compile("Front brake pads"))
    qc.get_by_role("button", name="Record the check").click()
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.READY and order.quality_checks.filter(passed=False).count() == 1

    desk.goto(url + reverse("workshop:board"))
    expect(desk.locator(".advisor-notification")).to_contain_text(f"{order.number} passed the quality check")
