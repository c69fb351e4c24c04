from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.messaging.models import InboundMessage, MessageTemplate, OutboxMessage
from aftersales.messaging.services import queue_message


@pytest.fixture
def logged(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def make_message(customer, key, **overrides):
    arguments = {
        "customer": customer,
        "template": "callback_survey",
        "context": {"vehicle": "A3", "link": "l"},
        "idempotency_key": key,
        "purpose": "service",
        "urgent": True,
    }
    return queue_message(**(arguments | overrides))


@pytest.fixture
def outbox(customer, other_site):
    mine = make_message(customer, "mine")
    stranger = CustomerFactory(site=other_site, mobile="", email="")
    theirs = make_message(stranger, "theirs")
    return mine, theirs


@pytest.mark.parametrize(
    ("persona", "name", "expected"),
    [
        ("crc_agent", "messaging:log", 200),
        ("advisor", "messaging:log", 200),
        ("manager", "messaging:log", 200),
        ("technician", "messaging:log", 403),
        ("cashier", "messaging:log", 403),
        ("advisor", "messaging:inbox", 200),
        ("technician", "messaging:inbox", 403),
        ("manager", "messaging:templates", 200),
        ("advisor", "messaging:templates", 403),
        ("crc_agent", "messaging:templates", 403),
    ],
)
def test_screens_answer_by_role(request, logged, templates, persona, name, expected):
    assert logged(request.getfixturevalue(persona)).get(reverse(name)).status_code == expected


def test_the_log_shows_only_the_users_sites_with_the_failure_reason(logged, advisor, outbox):
    mine, theirs = outbox
    OutboxMessage.objects.filter(pk=mine.pk).update(status="undeliverable", failure_code="invalid_number")
    page = logged(advisor).get(reverse("messaging:log")).content.decode()
    assert reverse("messaging:message_detail", args=[mine.pk]) in page
    assert reverse("messaging:message_detail", args=[theirs.pk]) not in page
    assert "The mobile number is not valid." in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("status=queued", True),
        ("status=sent", False),
        ("channel=email", False),
        ("template=callback_survey", True),
        ("template=one_time_code", False),
    ],
)
def test_the_log_filters(logged, advisor, outbox, query, shown):
    mine, _theirs = outbox
    page = logged(advisor).get(reverse("messaging:log") + "?" + query).content.decode()
    assert (reverse("messaging:message_detail", args=[mine.pk]) in page) is shown


@pytest.mark.parametrize("query", ["status=nonsense", "site=999999", "site=abc", "page=-3", "page=zzz", "channel=%00"])
def test_bad_query_strings_never_break_the_log(logged, advisor, outbox, query):
    assert logged(advisor).get(reverse("messaging:log") + "?" + query).status_code in (200, 400)


def test_the_site_filter_offers_only_the_users_sites(logged, advisor, outbox, other_site):
    assert logged(advisor).get(reverse("messaging:log") + f"?site={other_site.pk}").status_code == 400


def test_the_log_query_count_does_not_grow_with_messages(logged, advisor, customer, django_assert_max_num_queries):
    client = logged(advisor)
    for index in range(3):
        make_message(customer, f"small-{index}")
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("messaging:log"))
    for index in range(30):
        make_message(customer, f"large-{index}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("messaging:log"))


def test_a_customer_log_of_another_site_is_404(logged, advisor, other_site, templates):
    stranger = CustomerFactory(site=other_site)
    assert logged(advisor).get(reverse("messaging:customer_log", args=[stranger.pk])).status_code == 404
    assert logged(advisor).get(reverse("messaging:customer_log", args=[987654])).status_code == 404


def test_the_customer_log_and_detail_show_the_history(logged, advisor, outbox):
    mine, theirs = outbox
    client = logged(advisor)
    assert client.get(reverse("messaging:customer_log", args=[mine.customer_id])).status_code == 200
    detail = client.get(reverse("messaging:message_detail", args=[mine.pk]))
    assert detail.status_code == 200 and "merci de votre visite" in detail.content.decode()
    assert client.get(reverse("messaging:message_detail", args=[theirs.pk])).status_code == 404


def test_the_customer_page_include_renders_from_the_selector(rf, advisor, customer, time_machine):
    from django.template.loader import render_to_string

    from aftersales.messaging.selectors import customer_messaging_context

    time_machine.move_to(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    MessageTemplate.objects.filter(key="callback_survey", language="fr").delete()
    make_message(customer, "x")
    InboundMessage.objects.create(
        provider_id="SM9", from_number=customer.mobile, body="Merci !", kind="reply", customer=customer, site=customer.site
    )
    request = rf.get("/")
    request.user = advisor
    html = render_to_string("messaging/_customer_messages.html", customer_messaging_context(customer=customer), request=request)
    assert "callback_survey" in html and "fr missing, sent in en" in html and "Merci !" in html


def test_the_customer_page_shows_the_messages_card_after_the_stages_cards(logged, advisor, customer):
    make_message(customer, "x")

    page = logged(advisor).get(customer.get_absolute_url(), {"msg_page": "1"}).content.decode()

    assert page.index('id="visits-title"') < page.index('<div id="messages">') < page.index('id="customer-messages-title"')
    assert "callback_survey" in page and reverse("messaging:customer_log", args=[customer.pk]) in page


def test_an_advisor_marks_a_reply_handled(logged, advisor, customer):
    reply = InboundMessage.objects.create(
        provider_id="SM1", from_number=customer.mobile, body="Call me", kind="reply", customer=customer, site=customer.site
    )
    client = logged(advisor)
    assert "Call me" in client.get(reverse("messaging:inbox")).content.decode()
    response = client.post(reverse("messaging:inbox_handle", args=[reply.pk]))
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.handled_by == advisor and reply.handled_at is not None
    assert "Call me" not in client.get(reverse("messaging:inbox")).content.decode()
    assert "Call me" in client.get(reverse("messaging:inbox") + "?all=1").content.decode()


def test_replies_of_another_site_cannot_be_handled(logged, advisor, other_site):
    reply = InboundMessage.objects.create(provider_id="SM1", from_number="+33600000001", body="x", kind="reply", site=other_site)
    assert logged(advisor).post(reverse("messaging:inbox_handle", args=[reply.pk])).status_code == 404


def test_a_manager_edits_a_template_and_the_change_is_audited(logged, manager, templates):
    template = MessageTemplate.objects.get(key="one_time_code", language="en")
    url = reverse("messaging:template_edit", args=[template.pk])
    client = logged(manager)
    assert client.get(url).status_code == 200
    data = {"subject": "Code {{ code }}", "body_text": "Your code: {{ code }}", "body_html": "", "sms_body": "Code {{ code }}"}
    assert client.post(url, data).status_code == 302
    template.refresh_from_db()
    assert template.sms_body == "Code {{ code }}" and template.updated_by == manager
    assert AuditEvent.objects.filter(object_id=str(template.pk), action="update").exists()


def test_a_broken_template_is_refused_naming_the_field(logged, manager, templates):
    template = MessageTemplate.objects.get(key="one_time_code", language="en")
    data = {"subject": "ok", "body_text": "{% if %}", "body_html": "", "sms_body": "x"}
    response = logged(manager).post(reverse("messaging:template_edit", args=[template.pk]), data)
    assert response.status_code == 400
    assert "template error" in response.content.decode()
    template.refresh_from_db()
    assert template.body_text != "{% if %}"


def test_the_preview_renders_sample_data_without_saving(logged, manager, templates):
    template = MessageTemplate.objects.get(key="booking_confirmation", language="fr")
    data = {"subject": "Sujet {{ vehicle }}", "body_text": "Bonjour {{ customer }}", "body_html": "", "sms_body": "SMS {{ code }}"}
    response = logged(manager).post(reverse("messaging:template_preview", args=[template.pk]), data, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "Bonjour Marie Dupont" in body and "SMS 482913" in body
    assert MessageTemplate.objects.get(pk=template.pk).body_text != "Bonjour {{ customer }}"


def test_unknown_template_ids_are_404(logged, manager, templates):
    assert logged(manager).get(reverse("messaging:template_edit", args=[999999])).status_code == 404


def test_the_preview_shows_template_errors_in_place(logged, manager, templates):
    template = MessageTemplate.objects.get(key="one_time_code", language="en")
    data = {"subject": "ok", "body_text": "{% if %}", "body_html": "", "sms_body": "x"}
    response = logged(manager).post(reverse("messaging:template_preview", args=[template.pk]), data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "template error" in response.content.decode()


def test_the_preview_is_post_only(logged, manager, templates):
    template = MessageTemplate.objects.get(key="one_time_code", language="en")
    assert logged(manager).get(reverse("messaging:template_preview", args=[template.pk])).status_code == 405
