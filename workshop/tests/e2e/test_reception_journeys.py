"""Reception on a tablet: a booked customer, a walk-in, and a customer who signs later by SMS code."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from aftersales.messaging import gateways
from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.models import WorkOrder
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import image_bytes

pytestmark = pytest.mark.e2e
TABLET = {"width": 1180, "height": 820}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": TABLET, "has_touch": True}


@pytest.fixture
def booked(site, advisor, templates, service_operation):
    customer = CustomerFactory(site=site, first_name="Claire", last_name="Durand", mobile="+33612345678", language="fr")
    vehicle = VehicleFactory(owner=customer, plate="FG-123-HJ")
    return make_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=timezone.now() + timedelta(minutes=5),
        operation=service_operation,
    )


def save(page):
    """Save the step; htmx swaps the next one in place (the page is not reloaded, so wait for its heading)."""
    shown = page.locator("#step-title").text_content()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#step-title")).not_to_have_text(shown)


def walk_through_check_in(page, tmp_path, *, photo: bool = True):
    """Steps 1 to 8 on the tablet, with damage marks, a photo, documents and a spending limit."""
    for label in ("Seat cover fitted", "Steering-wheel cover fitted", "Floor mat fitted"):
        page.get_by_label(label).check()
    save(page)
    page.get_by_label("Requested work confirmed with the customer").check()
    save(page)

    page.get_by_label("Dent").check()
    page.locator("#mark-note").fill("rear door")
    page.locator("svg[data-view=left]").tap(position={"x": 120, "y": 60})
    page.get_by_label("Chip").check()
    page.locator("svg[data-view=front]").click(position={"x": 150, "y": 110})
    expect(page.locator("#marks-list li")).to_have_count(2)
    page.get_by_label("Mileage in (km)").fill("43210")
    page.get_by_label("5/8", exact=True).check()
    page.get_by_label("Valuables left in the car").fill("Sunglasses")
    save(page)

    if photo:
        page.get_by_role("link", name="Back").click()
        expect(page.locator("svg[data-view=left] g.mark")).to_have_count(1)
        expect(page.get_by_label("Mileage in (km)")).to_have_value("43210")
        picture = tmp_path / "scratch.jpg"
        picture.write_bytes(image_bytes("JPEG", (320, 240)))
        page.locator("#photo-form input[type=file]").set_input_files(str(picture))
        page.get_by_role("button", name="Add the photo").click()
        expect(page.locator("#photos img")).to_have_count(1)
        save(page)

    page.locator("#job-form").get_by_label("Concern").fill("Replace the wiper blades")
    page.locator("#job-form").get_by_label("Flat-rate hours").fill("0.3")
    page.get_by_role("button", name="Add the job").click()
    expect(page.locator("#jobs-table")).to_contain_text("Replace the wiper blades")
    page.get_by_label("Findings confirmed with the customer").fill("Front pads worn")
    save(page)

    promised = timezone.localtime(timezone.now() + timedelta(hours=6))
    page.get_by_label("Promised return").fill(promised.strftime("%Y-%m-%dT%H:%M"))
    save(page)
    for label in ("Radio code", "Wheel-lock key", "Service book", "Registration papers"):
        page.get_by_label(label, exact=True).check()
    save(page)
    page.get_by_label("Spending limit for extra work without asking").fill("150")
    page.get_by_label("Payment method").select_option("card")
    page.get_by_label("Contact phone for the day").fill("06 12 34 56 78")
    save(page)
    page.get_by_label("Leaves and comes back").check()
    save(page)
    expect(page.get_by_role("heading", name="Signature and handover to the workshop")).to_be_visible()


def draw_signature(page):
    page.locator("#signature-pad").scroll_into_view_if_needed()
    pad = page.locator("#signature-pad").bounding_box()
    page.mouse.move(pad["x"] + 40, pad["y"] + 120)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 40 + step * 30, pad["y"] + 120 + (35 if step % 2 else -35))
    page.mouse.up()


def pdf_text(page, order) -> str:
    response = page.request.get(page.url.split("/workshop/")[0] + reverse("workshop:pdf", args=[order.pk]))
    assert response.headers["content-type"] == "application/pdf"
    return " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(response.body())).pages)


def french_date(order) -> str:
    """The order's creation date as the French PDF prints it: in the site's time zone, not the server's."""
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(order.created_at, order.site.tz), "DATE_FORMAT")


def test_an_advisor_checks_in_a_booked_customer_and_the_signed_order_prints_in_french(page, live_server, login, advisor, booked, tmp_path):
    login(page, live_server, advisor)
    page.goto(live_server.url + reverse("workshop:board"))
    row = page.locator("tr.board-row", has_text="Durand")
    expect(row).to_contain_text("Expected")
    row.get_by_role("button", name="Check in").click()

    walk_through_check_in(page, tmp_path)
    expect(page.locator("#spending-limit")).to_contain_text("150")
    draw_signature(page)
    page.get_by_role("button", name="Sign the work order").click()

    expect(page.locator("#order-status")).to_have_text("Signed by the customer")
    expect(page.locator("#signature-info")).to_contain_text("Signed on the tablet")
    order = WorkOrder.objects.get(appointment=booked)
    assert order.damage_marks.count() == 2 and order.photos.count() == 1 and order.findings == "Front pads worn"
    assert order.signature.image and order.signature.content["documents"] == [True, True, True, False, True]
    text = pdf_text(page, order)
    assert order.number in text and french_date(order) in text and "150,00" in text

    page.get_by_role("button", name="Hand to the workshop").click()
    expect(page.locator("#order-status")).to_have_text("In the workshop")
    page.goto(live_server.url + reverse("workshop:board"))
    expect(page.locator("tr.board-row", has_text="Durand")).to_have_count(0)  # handled: collapsed out of the way
    page.get_by_role("link", name="Show every arrival of the day").click()
    expect(page.locator("tr.board-row", has_text="Durand")).to_contain_text("Arrived")


def test_a_walk_in_goes_through_the_same_check_in(page, live_server, login, advisor, site, templates, tmp_path):
    login(page, live_server, advisor)
    page.goto(live_server.url + reverse("workshop:board"))
    page.get_by_role("link", name="Walk-in customer").click()
    page.get_by_label("VIN").fill("WAUZZZ8V5KA777777")
    page.get_by_label("Registration plate").fill("JK-777-LM")
    page.get_by_label("Make").fill("Audi")
    page.get_by_label("Model").fill("A6")
    page.get_by_label("Energy").select_option("diesel")
    page.get_by_label("First name").fill("Paul")
    page.get_by_label("Last name").fill("Bernard")
    page.get_by_label("Mobile phone").fill("06 98 76 54 32")
    page.get_by_label("Language").select_option("fr")
    page.get_by_label("Requested work, in the customer's words").fill("Warning light on the dashboard")
    page.get_by_role("button", name="Start the check-in").click()

    walk_through_check_in(page, tmp_path, photo=False)
    draw_signature(page)
    page.get_by_role("button", name="Sign the work order").click()

    expect(page.locator("#order-status")).to_have_text("Signed by the customer")
    order = WorkOrder.objects.get(customer__last_name="Bernard")
    assert order.appointment is None and order.jobs.get().concern == "Replace the wiper blades"
    assert french_date(order) in pdf_text(page, order)
    page.goto(live_server.url + reverse("workshop:board"))
    expect(page.locator("tr.board-row", has_text="Bernard")).to_contain_text("Walk-in")


def test_a_customer_absent_at_drop_off_signs_by_one_time_code(page, live_server, login, advisor, booked, tmp_path):
    login(page, live_server, advisor)
    page.goto(live_server.url + reverse("workshop:board"))
    page.locator("tr.board-row", has_text="Durand").get_by_role("button", name="Check in").click()
    walk_through_check_in(page, tmp_path, photo=False)
    page.get_by_role("button", name="Send for signature by SMS code").click()
    expect(page.locator(".alert-success")).to_contain_text("a code to sign it by SMS")

    texts = " ".join(sms["body"] for sms in gateways.sms_outbox)
    link = re.search(r"https?://\S+/workshop/s/\S+/", texts).group(0)
    code = re.search(r"\b(\d{6})\b", gateways.sms_outbox[-1]["body"]).group(1)
    page.context.clear_cookies()

    page.goto(link)
    expect(page.locator("#jobs-table")).to_contain_text("Replace the wiper blades")
    page.locator("input[name=code]").fill("000000" if code != "000000" else "111111")
    page.locator("#code-form button[type=submit]").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    page.locator("input[name=code]").fill(code)
    page.locator("#code-form button[type=submit]").click()

    expect(page.locator("#signed-info")).to_be_visible()
    order = WorkOrder.objects.get(appointment=booked)
    assert order.status == WorkOrder.Status.SIGNED and order.signature.method == "otp"
