"""A request too large to send, told in the user's language inside the page: a photo over the limit is stopped in the
browser before it is sent; past the server's cap the answer is a page of the site with a way back, or, for an htmx
request, a message in the page's error box."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from aftersales.messaging.catalogue import seed_default_templates
from aftersales.messaging.models import MessageTemplate
from appointments.tests.factories import CustomerFactory, VehicleFactory
from workshop.models import WorkOrderPhoto
from workshop.services import MAX_PHOTO_BYTES, open_work_order
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import fill_check_in, image_bytes

pytestmark = pytest.mark.e2e


def french(text: str, **values) -> str:
    with translation.override("fr"):
        return translation.gettext(text) % values if values else translation.gettext(text)


@pytest.fixture
def walk_around(transactional_db, settings, tmp_path, site, advisor):
    """The walk-around step of a check-in, for an advisor who reads French."""
    settings.MEDIA_ROOT = tmp_path / "media"
    advisor.language = "fr"
    advisor.save(update_fields=["language"])
    customer = CustomerFactory(site=site, first_name="Élodie", last_name="Marchand", language="fr")
    vehicle = VehicleFactory(owner=customer, plate="EF-482-KL")
    appointment = make_appointment(
        site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=timezone.now() + timedelta(minutes=5)
    )
    order = fill_check_in(open_work_order(appointment=appointment, actor=advisor), advisor)
    return reverse("workshop:step", args=[order.pk, "walk_around"])


def test_a_photo_over_the_limit_is_stopped_in_the_browser_before_it_is_sent(page, live_server, login, advisor, walk_around, tmp_path):
    big = tmp_path / "big.jpg"
    big.write_bytes(image_bytes("JPEG") + b"\0" * MAX_PHOTO_BYTES)
    login(page, live_server, advisor)
    page.goto(live_server.url + walk_around)
    uploads = []
    page.on("request", lambda request: uploads.append(request.url) if request.method == "POST" else None)

    form = page.locator("#photo-form")
    form.locator("input[type=file]").set_input_files(str(big))
    message = french("This photo is too big: at most %(limit)s MB. Choose a smaller photo.", limit="10")
    expect(form.locator(".file-too-large")).to_have_text(message)
    form.get_by_role("button", name=french("Add the photo")).click()

    expect(form.locator("input[type=file]")).to_be_focused()
    assert uploads == [] and not WorkOrderPhoto.objects.exists()
    assert page.url == live_server.url + walk_around


def test_past_the_servers_cap_the_walk_around_photo_is_refused_in_the_page_keeping_the_form(
    page, live_server, login, advisor, walk_around, settings, tmp_path
):
    settings.REQUEST_BODY_MAX_BYTES = 64 * 1024
    photo = tmp_path / "car.jpg"
    photo.write_bytes(image_bytes("JPEG") + b"\0" * 100 * 1024)
    login(page, live_server, advisor)
    page.goto(live_server.url + walk_around)
    page.locator("#id_valuables").fill("Lunettes de soleil")

    page.locator("#photo-form input[type=file]").set_input_files(str(photo))
    page.locator("#photo-form").get_by_role("button", name=french("Add the photo")).click()

    expect(page.locator("#request-error #too-large")).to_contain_text("trop volumineux : 0,1\xa0Mo")
    expect(page).to_have_url(live_server.url + walk_around)
    expect(page.locator("#id_valuables")).to_have_value("Lunettes de soleil")
    assert not WorkOrderPhoto.objects.exists()


def test_past_the_servers_cap_a_page_sent_without_htmx_is_in_the_users_language_with_a_way_back(
    page, live_server, login, advisor, walk_around, settings
):
    settings.REQUEST_BODY_MAX_BYTES = 64 * 1024
    login(page, live_server, advisor)
    page.goto(live_server.url + walk_around)
    page.evaluate("document.getElementById('id_valuables').maxLength = 200000")
    page.locator("#id_valuables").fill("x" * 70 * 1024)
    page.evaluate("document.getElementById('step-form').submit()")  # as a browser without JavaScript sends it (not htmx)

    expect(page.locator("h1")).to_have_text(french("Too large to send"))
    expect(page.get_by_role("navigation", name=french("Main menu"))).to_be_visible()
    page.get_by_role("link", name=french("Back to the page")).click()
    expect(page).to_have_url(live_server.url + walk_around)


def test_an_htmx_request_past_the_cap_shows_its_message_in_the_page(page, live_server, login, manager, transactional_db, settings):
    seed_default_templates(MessageTemplate)
    manager.language = "fr"
    manager.save(update_fields=["language"])
    settings.REQUEST_BODY_MAX_BYTES = 16 * 1024
    login(page, live_server, manager)
    template = MessageTemplate.objects.filter(language="fr").first()
    page.goto(live_server.url + reverse("messaging:template_edit", args=[template.pk]))

    page.locator("textarea[name=body_text]").fill("Bonjour " * 3000)

    expect(page.locator("#request-error #too-large")).to_contain_text("trop volumineux")
    expect(page.locator("h1")).to_contain_text(template.key)
