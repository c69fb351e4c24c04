"""Reception and extra work on a 1024×768 tablet, in English and French: a walk-around photo added mid-step loses
nothing typed; an amber tyre becomes a proposal with a tyre and its labour, approved by the customer on a phone at
the full price, and the approved tyre reaches the parts advisor."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from aftersales.lib.formatting import format_money
from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate, OutboxMessage
from appointments.models import PartOrderRequest
from appointments.tests.factories import CustomerFactory, PartFactory, VehicleFactory
from workshop.checklist import seed_default_checklist
from workshop.message_texts import seed_message_texts
from workshop.models import InspectionItem, InspectionTemplate, WorkOrder
from workshop.services import open_work_order, proposal_amounts, save_greet_step, save_prepare_step
from workshop.testing import order_in_workshop
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import image_bytes, technician_of

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("in_process")]
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def in_language(language):
    def text(message, **values):
        with translation.override(language):
            translated = translation.gettext(message)
        return translated % values if values else translated

    return text


@pytest.fixture(params=["en", "fr"])
def language(request):
    return request.param


@pytest.fixture
def people(transactional_db, settings, tmp_path, site, advisor, technician, language):
    """The advisor, the technician and the customer all read ``language``."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_default_templates(MessageTemplate)
    seed_message_texts(MessageTemplate)
    for user in (advisor, technician):
        user.language = language
        user.save(update_fields=["language"])
    technician_of(technician, site)
    customer = CustomerFactory(site=site, first_name="Claire", last_name="Durand", mobile="+33612345678", language=language)
    vehicle = VehicleFactory(owner=customer, plate="FG-123-HJ")
    return make_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=timezone.now() + timedelta(minutes=5),
        jobs=(("Annual service", Decimal("1.50"), Decimal("147.00")),),
    )


@pytest.fixture
def tablet(browser, live_server, login):
    contexts = []

    def open_as(user):
        context = browser.new_context(viewport=TABLET, has_touch=True)
        contexts.append(context)
        return login(context.new_page(), live_server, user)

    yield open_as
    for context in contexts:
        context.close()


def test_a_photo_added_mid_step_keeps_everything_typed(tablet, live_server, people, advisor, language, tmp_path):
    t = in_language(language)
    order = open_work_order(appointment=people, actor=advisor)
    save_prepare_step(work_order=order, actor=advisor, cover_seat=True, cover_steering_wheel=True, cover_floor_mat=True)
    save_greet_step(work_order=order, actor=advisor, customer_words="Service", requested_work_confirmed=True)
    page = tablet(advisor)
    page.goto(live_server.url + reverse("workshop:step", args=[order.pk, "walk_around"]))
    loads = []
    page.on("load", lambda _page: loads.append(1))

    page.get_by_label(t("Dent")).check()
    page.locator("#mark-note").fill("rear door")
    page.locator("svg[data-view=left]").tap(position={"x": 120, "y": 60})
    page.get_by_label(t("mileage in (km)"), exact=False).fill("43210")
    page.get_by_label("5/8", exact=True).check()
    page.get_by_label(t("valuables left in the car"), exact=False).fill("Sunglasses")

    picture = tmp_path / "dent.jpg"
    picture.write_bytes(image_bytes("JPEG", (640, 480)))
    photos = page.locator("#photos-section")
    photos.locator("input[type=file]").set_input_files(str(picture))
    photos.get_by_label(t("Caption")).fill("Rear door dent")
    photos.get_by_role("button", name=t("Add the photo")).click()
    expect(page.locator("#photos img")).to_have_count(1)
    expect(page.locator("#photo-added")).to_have_text(t("Photo added."))

    assert loads == []  # no page load: what was typed is still there
    expect(page.locator("#marks-list li")).to_have_count(1)
    expect(page.locator("#id_mileage_in")).to_have_value("43210")
    expect(page.locator("#id_valuables")).to_have_value("Sunglasses")
    page.get_by_role("button", name=t("Save and continue")).click()
    page.wait_for_url("**/check-in/findings/")

    order.refresh_from_db()
    assert (order.mileage_in, order.valuables, order.damage_marks.count(), order.photos.count()) == (43210, "Sunglasses", 1, 1)

    # Back on the step, the saved dent is offered for the next photo, which then says which damage it shows.
    page.goto(live_server.url + reverse("workshop:step", args=[order.pk, "walk_around"]))
    photos = page.locator("#photos-section")
    photos.locator("input[type=file]").set_input_files(str(picture))
    photos.get_by_label(t("Damage shown")).select_option(index=1)
    photos.get_by_role("button", name=t("Add the photo")).click()
    expect(page.locator("#photos figcaption")).to_have_text(t("Damage %(number)s", number=1))
    assert order.photos.filter(damage_mark__isnull=False).count() == 1


def test_an_amber_tyre_becomes_a_tyre_with_labour_approved_on_a_phone_at_the_full_price(
    browser, tablet, live_server, people, advisor, technician, language, tmp_path
):
    t = in_language(language)
    seed_default_checklist(InspectionTemplate, InspectionItem)
    tyre_part = PartFactory(number="TYRE-205-55-16", name="Tyre 205/55 R16", unit_price=Decimal("120.00"))
    order = order_in_workshop(people, advisor)
    job = order.jobs.get()
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.IN_WORKSHOP)
    job.technician = technician
    job.status = "assigned"
    job.save(update_fields=["technician", "status"])

    # The technician rates the grid, types a note, adds a photo: the note is still there, then completes.
    tech = tablet(technician)
    tech.goto(live_server.url + reverse("workshop:inspection", args=[order.pk]))
    tech.get_by_role("button", name=t("Start the inspection")).click()
    points = tech.locator("tr.inspection-point")
    for index in range(points.count()):
        points.nth(index).locator("label", has_text=t("OK")).click()
    with translation.override(language):
        tyre_label = InspectionItem.objects.get(label="Tyre front left").localized("label")
    tyre = tech.locator("tr.inspection-point", has_text=tyre_label)
    tyre.locator("label", has_text=t("Soon")).click()
    tyre.locator("input[type=number]").fill("3.2")
    tyre.locator("input[type=text]").fill("Worn on the inside")
    picture = tmp_path / "tyre.jpg"
    picture.write_bytes(image_bytes("JPEG", (320, 240)))
    tyre.locator("input[type=file]").set_input_files(str(picture))
    tyre.get_by_role("button", name=t("Add")).click()
    expect(tyre.locator(".result-photos img")).to_have_count(1)
    expect(tyre.locator("input[type=text]")).to_have_value("Worn on the inside")
    tech.get_by_role("button", name=t("Complete: amber and red points become proposals")).click()
    expect(tech.locator("#inspection-complete")).to_be_visible()
    proposal = order.jobs.get(approval="pending")
    assert "Worn on the inside" in proposal.concern

    # The advisor puts the tyre on the proposal (labour is already there) and sends the link.
    desk = tablet(advisor)
    desk.goto(live_server.url + reverse("workshop:detail", args=[order.pk]))
    card = desk.locator("#extra-work .pending-job")
    card.get_by_text(t("Add a part")).click()
    card.get_by_label(t("Part from the catalogue")).select_option(str(tyre_part.pk))
    card.get_by_role("button", name=t("Add the part")).click()
    expect(desk.locator("#extra-work .pending-job")).to_contain_text("Tyre 205/55 R16")
    net, gross = proposal_amounts(proposal, order.vat_rate)
    assert net == proposal.labour_price + Decimal("120.00")
    desk.get_by_role("button", name=t("Send the customer a link to approve or decline")).click()
    body = OutboxMessage.objects.get(template_key="approval_request").body
    with translation.override(language):
        full_price = format_money(gross, order.currency)
    assert full_price in body

    # The customer, on a phone, sees the tyre and the full price, and approves it.
    link = next(word for word in body.split() if "/x/" in word)
    phone_context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(link)
    offer = phone.locator("article.proposal")
    expect(offer).to_contain_text("Tyre 205/55 R16")
    expect(offer.locator(".price")).to_have_text(full_price)
    offer.get_by_role("button", name=t("Approve")).click()
    expect(phone.locator("article.proposal .decided")).to_contain_text(t("Approved"))
    phone_context.close()

    decision = proposal.decisions.get()
    assert (decision.approved, decision.gross_amount) == (True, gross)
    assert PartOrderRequest.objects.filter(appointment=people, part=tyre_part, status="open").exists()
