"""Marketing messages that can be refused in one click (RFC 8058), SMS that say how to stop them, and automatic e-mails
that say they are automatic (RFC 3834)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.customers.models import ConsentRecord
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.lib.signing import make_token
from aftersales.messaging import gateways
from aftersales.messaging.catalogue import MARKETING_TYPES
from aftersales.messaging.exceptions import InvalidMessageRequest
from aftersales.messaging.models import InboundMessage, MessageTemplate, OutboxMessage
from aftersales.messaging.services import classify_inbound, deliver_message, queue_message, receive_sms
from aftersales.messaging.unsubscribe import UNSUBSCRIBE_MAX_AGE, UNSUBSCRIBE_PURPOSE, unsubscribe_url

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
Status = OutboxMessage.Status
STOP_TEXT = {
    "en": "Reply STOP to stop these messages.",
    "fr": "Répondez STOP pour ne plus recevoir ces messages.",
    "ru": "Ответьте СТОП, чтобы больше не получать такие сообщения.",
    "zh-hans": "回复退订，不再接收此类短信。",
}


@pytest.fixture
def suite_start():
    return TUESDAY_10AM


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_URL = "https://service.example.test"


def consent(customer, channel, granted=True):
    ConsentRecord.objects.create(customer=customer, channel=channel, granted=granted, source=ConsentRecord.Source.FORM)


def reminder(customer, key="reminder", channel=None):
    return queue_message(
        customer=customer,
        template="maintenance_reminder",
        idempotency_key=key,
        purpose="marketing",
        channel=channel,
        context={"vehicle": "Audi A4", "due_date": TUESDAY_10AM.date(), "due_km": "", "offer": "", "link": "https://x.test/b"},
    )


def confirmation(customer, key="confirmation", channel="email"):
    return queue_message(
        customer=customer,
        template="booking_confirmation",
        idempotency_key=key,
        purpose="service",
        channel=channel,
        context={"start": TUESDAY_10AM, "vehicle": "Audi A4", "services": "Service", "arrival_area": "Atelier", "link": "https://x.test/b"},
    )


def sent(message: OutboxMessage) -> OutboxMessage:
    return deliver_message(message_id=message.pk)


def page_of(customer) -> str:
    return unsubscribe_url(customer).removeprefix("https://service.example.test")


def email_consent(customer) -> ConsentRecord:
    return customer.consents.filter(channel="email").first()


# --- The e-mails -------------------------------------------------------------------------------


def test_a_marketing_email_offers_the_one_click_unsubscribe_in_its_headers_and_its_footer(customer):
    consent(customer, "email")
    sent(reminder(customer, channel="email"))
    (email,) = mail.outbox
    headers = email.message()
    targets = headers["List-Unsubscribe"]
    assert targets.startswith("<https://service.example.test/messaging/unsubscribe/")
    assert targets.endswith(", <mailto:service@example.test?subject=unsubscribe>")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
    link = targets[1 : targets.index(">")]
    assert Client().get(link.removeprefix("https://service.example.test")).status_code == 200
    assert "Vous recevez cet e-mail car vous avez accepté nos offres par e-mail. Pour ne plus les recevoir :" in email.body
    assert "https://service.example.test/messaging/unsubscribe/" in email.body
    html = email.alternatives[0][0]
    assert 'href="https://service.example.test/messaging/unsubscribe/' in html and "Se désabonner</a>" in html


def test_without_an_address_of_its_own_the_site_offers_no_mailto(customer):
    customer.site.email = ""
    customer.site.save()
    consent(customer, "email")
    sent(reminder(customer, channel="email"))
    assert "mailto:" not in mail.outbox[0].message()["List-Unsubscribe"]


def test_a_service_email_is_automatic_but_offers_no_unsubscribe(customer):
    sent(confirmation(customer))
    (email,) = mail.outbox
    headers = email.message()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["List-Unsubscribe"] is None and headers["List-Unsubscribe-Post"] is None
    assert "/messaging/unsubscribe/" not in email.body and "/messaging/unsubscribe/" not in email.alternatives[0][0]


def test_the_catalogue_marks_reminders_and_offers_as_marketing_and_refuses_them_as_service(customer):
    assert {"maintenance_reminder", "vehicle_life_message"} <= MARKETING_TYPES
    assert "booking_confirmation" not in MARKETING_TYPES
    with pytest.raises(InvalidMessageRequest):
        queue_message(
            customer=customer,
            template="maintenance_reminder",
            idempotency_key="as-service",
            purpose="service",
            context={"vehicle": "Audi A4", "due_date": TUESDAY_10AM.date(), "link": "l"},
        )


def test_the_template_editor_previews_what_is_added_to_a_marketing_message(client, manager, templates):
    template = MessageTemplate.objects.get(key="maintenance_reminder", language="fr")
    client.force_login(manager)
    page = client.get(reverse("messaging:template_edit", args=[template.pk])).text
    assert STOP_TEXT["fr"] in page
    assert "https://example.test/messaging/unsubscribe/abc123/" in page


# --- The SMS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "ru", "zh-hans"])
def test_a_marketing_sms_ends_with_the_stop_instruction_in_the_customers_language(site, templates, language):
    customer = CustomerFactory(site=site, language=language, preferred_channel="sms")
    consent(customer, "sms")
    sent(reminder(customer))
    assert gateways.sms_outbox[0]["body"].endswith(" " + STOP_TEXT[language])


@pytest.mark.parametrize("word", ["STOP", "СТОП", "退订"])
def test_the_word_each_language_is_told_to_reply_stops_its_marketing_sms(customer, word):
    assert any(word in text for text in STOP_TEXT.values())
    assert classify_inbound(word) == InboundMessage.Kind.OPT_OUT
    consent(customer, "sms")
    receive_sms(provider_id=f"SM-{word}", from_number=customer.mobile, to_number="", body=word)
    assert (reminder(customer, channel="sms").status, customer.consents.filter(channel="sms").first().source) == (
        Status.SUPPRESSED,
        ConsentRecord.Source.SMS_REPLY,
    )


def test_an_edited_text_cannot_drop_the_stop_instruction_nor_get_it_twice(customer):
    consent(customer, "sms")
    MessageTemplate.objects.filter(key="maintenance_reminder", language="fr").update(sms_body="Entretien bientôt : {{ link }}")
    sent(reminder(customer, key="edited"))
    MessageTemplate.objects.filter(key="maintenance_reminder", language="fr").update(sms_body=f"Entretien. {STOP_TEXT['fr']}")
    sent(reminder(customer, key="with-it"))
    assert [sms["body"] for sms in gateways.sms_outbox] == [
        f"Entretien bientôt : https://x.test/b {STOP_TEXT['fr']}",
        f"Entretien. {STOP_TEXT['fr']}",
    ]


def test_a_service_sms_carries_no_stop_instruction(customer):
    sent(confirmation(customer, channel="sms"))
    assert STOP_TEXT["fr"] not in gateways.sms_outbox[0]["body"]


# --- The unsubscribe page ----------------------------------------------------------------------


def test_the_mail_programs_one_click_post_withdraws_at_once_without_a_csrf_token(customer):
    consent(customer, "email")
    response = Client(enforce_csrf_checks=True).post(page_of(customer), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    record = email_consent(customer)
    assert (record.granted, record.source, record.recorded_by) == (False, ConsentRecord.Source.ONE_CLICK, None)
    assert record.recorded_at == pytest.approx(TUESDAY_10AM, abs=timedelta(minutes=1))
    assert AuditEvent.objects.filter(object_id=str(customer.pk), changes={"consent_email": [True, False]}).exists()
    assert (reminder(customer, channel="email").status, reminder(customer, key="again", channel="email").failure_code) == (
        Status.SUPPRESSED,
        "opted_out",
    )
    assert confirmation(customer).status == Status.QUEUED  # messages about the visits still go


def test_a_second_one_click_post_records_nothing_more(customer):
    consent(customer, "email")
    for _ in range(2):
        assert Client().post(page_of(customer), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert list(customer.consents.filter(channel="email").values_list("granted", flat=True)) == [False, True]


def test_opening_the_link_only_asks_and_the_button_withdraws(client, customer):
    consent(customer, "email")
    page = client.get(page_of(customer))
    assert page.status_code == 200
    assert "Ne plus recevoir nos offres par e-mail ?" in page.text and 'id="unsubscribe-form"' in page.text
    assert email_consent(customer).granted

    done = client.post(page_of(customer), follow=True)
    assert done.redirect_chain[-1][0] == page_of(customer)
    assert "Vous êtes désabonné" in done.text and 'id="unsubscribe-form"' not in done.text
    record = email_consent(customer)
    assert (record.granted, record.source, record.recorded_by) == (False, ConsentRecord.Source.UNSUBSCRIBE_PAGE, None)


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "Stop our offers by e-mail?"),
        ("ru", "Отказаться от наших предложений по электронной почте?"),
        ("zh-hans", "不再通过电子邮件接收"),
    ],
)
def test_the_page_is_in_the_customers_language_whatever_the_browsers(client, site, templates, language, heading):
    customer = CustomerFactory(site=site, language=language)
    consent(customer, "email")
    page = client.get(page_of(customer), headers={"Accept-Language": "fr"})
    assert heading in page.text
    assert f'<html lang="{language}">' in page.text and page.headers["Content-Language"] == language


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_altered_link_gets_a_clear_page_and_changes_nothing(client, customer, method):
    consent(customer, "email")
    url = page_of(customer)
    altered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    response = getattr(client, method)(altered, {"List-Unsubscribe": "One-Click"} if method == "post" else None)
    assert response.status_code == 400
    assert "This link is incomplete or was changed" in response.text
    assert email_consent(customer).granted


def test_a_link_made_for_something_else_or_for_a_customer_since_gone_is_refused(client, customer, site):
    other_purpose = reverse("messaging:unsubscribe", kwargs={"token": make_token(purpose="manage-booking", pk=customer.pk)})
    gone = reverse("messaging:unsubscribe", kwargs={"token": make_token(purpose=UNSUBSCRIBE_PURPOSE, pk=customer.pk + 1000)})
    for url in (other_purpose, gone, "/messaging/unsubscribe/not-a-token/"):
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400 and 'id="link-error"' in response.text


def test_an_expired_link_says_so(client, customer, time_machine):
    url = page_of(customer)
    time_machine.move_to(TUESDAY_10AM + UNSUBSCRIBE_MAX_AGE + timedelta(days=1))
    response = client.get(url)
    assert response.status_code == 400 and "This unsubscribe link has expired." in response.text
