"""On a phone: a customer opens the unsubscribe link of a marketing e-mail, reads it in their language, and unsubscribes
with the one button; an altered link gets a clear page. Both fit the phone's width and pass axe-core."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aftersales.customers.models import ConsentRecord
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.lib.signing import make_token
from aftersales.messaging.unsubscribe import UNSUBSCRIBE_PURPOSE

from .test_screens_fit import check_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "en-GB"}


@pytest.mark.parametrize(
    ("language", "question", "button", "done"),
    [
        ("fr", "Ne plus recevoir nos offres par e-mail ?", "Se désabonner", "Vous êtes désabonné"),
        ("zh-hans", "不再通过电子邮件接收我们的优惠信息？", "退订", "您已退订"),
    ],
)
def test_a_customer_unsubscribes_on_a_phone_in_their_own_language(page, live_server, site, language, question, button, done):
    customer = CustomerFactory(site=site, language=language)
    ConsentRecord.objects.create(customer=customer, channel="email", granted=True, source=ConsentRecord.Source.FORM)
    url = live_server.url + reverse("messaging:unsubscribe", kwargs={"token": make_token(purpose=UNSUBSCRIBE_PURPOSE, pk=customer.pk)})

    assert check_page(page, url) == []
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    assert customer.consents.filter(channel="email").first().granted  # opening the link changes nothing

    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(done)
    assert check_page(page, url) == []
    page.screenshot(path=f"/tmp/unsubscribe-{language}.png", full_page=True)
    record = customer.consents.filter(channel="email").first()
    assert (record.granted, record.source) == (False, ConsentRecord.Source.UNSUBSCRIBE_PAGE)


def test_an_altered_link_gets_a_clear_page_on_a_phone(page, live_server, site):
    customer = CustomerFactory(site=site, language="fr")
    url = live_server.url + reverse("messaging:unsubscribe", kwargs={"token": make_token(purpose=UNSUBSCRIBE_PURPOSE, pk=customer.pk)})
    response = page.goto(url[:-4] + "abc/")
    assert response.status == 400
    expect(page.locator("#link-error")).to_contain_text("incomplete or was changed")
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window
