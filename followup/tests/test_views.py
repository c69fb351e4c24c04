"""Follow-up screens: what each role sees, refusals with their field, other sites' records, flat query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.messaging.models import OutboxMessage
from followup import services
from followup.models import CallTask, Concern, Escalation

from .factories import consenting_customer, due_vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(site):
    return consenting_customer(site)


def record_complaint(customer, owner):
    return services.record_concern(
        customer=customer,
        kind=Concern.Kind.COMPLAINT,
        channel=Concern.Channel.CALL,
        summary="Scratch on the door",
        owner=owner,
        recorded_by=owner,
    )


def test_an_advisor_records_a_concern_and_the_customer_is_acknowledged(client, advisor, customer):
    vehicle = due_vehicle(customer.site, customer=customer)
    client.force_login(advisor)
    response = client.post(
        reverse("followup:concern_create", args=[customer.pk]),
        {
            "kind": "complaint",
            "channel": "desk",
            "summary": "Scratch on the door",
            "vehicle": vehicle.pk,
            "owner": advisor.pk,
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == concern.get_absolute_url()
    assert OutboxMessage.objects.filter(template_key="concern_acknowledgment", customer=customer).exists()
    page = client.get(concern.get_absolute_url())
    assert concern.reference in page.text and "Scratch on the door" in page.text


def test_a_complaint_without_owner_is_refused_on_its_field(client, advisor, customer):
    client.force_login(advisor)
    response = client.post(
        reverse("followup:concern_create", args=[customer.pk]),
        {
            "kind": "complaint",
            "channel": "desk",
            "summary": "Scratch",
            "owner": "",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["owner"]
    assert not Concern.objects.exists()


def test_bad_input_answers_400_naming_the_field_never_500(client, advisor, customer):
    client.force_login(advisor)
    response = client.post(
        reverse("followup:concern_create", args=[customer.pk]),
        {
            "kind": "nonsense",
            "channel": "desk",
            "summary": "x",
            "vehicle": "abc",
            "appointment": "999999",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"kind", "vehicle", "appointment"}
    concern = record_complaint(customer, advisor)
    response = client.post(reverse("followup:concern_close", args=[concern.pk]), {"resolution": "x", "customer_agreed": "yes"})
    assert response.status_code == 400 and "cannot become" in response.text
    response = client.post(reverse("followup:concern_answer", args=[concern.pk]), {"answer": ""})
    assert response.status_code == 400 and response.context["answer_form"].errors["answer"]


def test_the_concern_workflow_through_the_screens(client, advisor, customer):
    concern = record_complaint(customer, advisor)
    client.force_login(advisor)
    assert client.post(reverse("followup:concern_request_info", args=[concern.pk]), {"question": "Which door?"}).status_code == 302
    assert client.post(reverse("followup:concern_reply", args=[concern.pk]), {"reply-note": "Front right"}).status_code == 302
    assert client.post(reverse("followup:concern_answer", args=[concern.pk]), {"answer": "We repaint it."}).status_code == 302
    closing = {"resolution": "Repainted", "customer_agreed": "yes"}
    assert client.post(reverse("followup:concern_close", args=[concern.pk]), closing).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "closed" and concern.customer_agreed is True


def test_another_sites_concern_and_call_answer_404(client, other_site_advisor, advisor, customer):
    concern = record_complaint(customer, advisor)
    task = CallTask.objects.get()
    client.force_login(other_site_advisor)
    assert client.get(concern.get_absolute_url()).status_code == 404
    assert client.post(reverse("followup:concern_answer", args=[concern.pk]), {"answer": "x"}).status_code == 404
    assert client.get(reverse("followup:concern_create", args=[customer.pk])).status_code == 404
    assert client.get(task.get_absolute_url()).status_code == 404


def test_roles_the_crc_agent_works_calls_and_lists_the_advisor_concerns_and_calls(client, crc_agent, advisor, manager):
    pages = [
        "followup:call_list",
        "followup:target_lists",
        "followup:list_service_due",
        "followup:concern_list",
        "followup:escalations",
        "followup:complaint_review",
        "followup:reminders",
        "followup:mileage_checks",
    ]
    expected = {
        crc_agent: {"followup:call_list", "followup:target_lists", "followup:list_service_due", "followup:concern_list"},
        advisor: {"followup:call_list", "followup:concern_list"},
        manager: set(pages),
    }
    for user, allowed in expected.items():
        client.force_login(user)
        for name in pages:
            code = client.get(reverse(name)).status_code
            assert (code == 200) == (name in allowed), (user, name, code)


def test_a_crc_agent_records_a_call_outcome_and_a_same_day_retry_is_refused(client, crc_agent, site):
    vehicle = due_vehicle(site, due_date=date.today() + timedelta(days=20))
    task = services.call_from_list(target_list="service_due", vehicle=vehicle, actor=crc_agent)
    client.force_login(crc_agent)
    page = client.get(task.get_absolute_url())
    assert page.status_code == 200 and "May I offer you an appointment" in page.text
    assert client.post(reverse("followup:call_record", args=[task.pk]), {"outcome": "no_answer"}).status_code == 302
    response = client.post(reverse("followup:call_record", args=[task.pk]), {"outcome": "voicemail"})
    assert response.status_code == 400 and response.context["outcome_form"].errors["outcome"]
    response = client.post(reverse("followup:call_record", args=[task.pk]), {"outcome": "teleport"})
    assert response.status_code == 400


def test_call_list_filters_and_bad_query_strings(client, crc_agent, manager, site):
    client.force_login(crc_agent)
    assert client.get(reverse("followup:call_list"), {"site": "abc", "agent": "-1"}).status_code == 400
    assert client.get(reverse("followup:call_list"), {"page": "zz"}).status_code == 200
    client.force_login(manager)
    assert client.get(reverse("followup:complaint_review"), {"month": "2026-13"}).status_code == 400
    assert client.get(reverse("followup:complaint_review"), {"month": "2026-03"}).status_code == 200


def test_sending_a_campaign_from_a_list(client, crc_agent, site):
    due_vehicle(site, due_date=date.today() + timedelta(days=20))
    client.force_login(crc_agent)
    url = reverse("followup:list_service_due_send")
    assert client.post(url, {"site": site.pk, "title": "", "text": "x"}).status_code == 400
    response = client.post(url, {"site": site.pk, "title": "Spring service", "text": "Book now"})
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(template_key="vehicle_life_message").count() == 1


def test_a_manager_handles_an_escalation(client, manager, advisor, customer):
    concern = record_complaint(customer, advisor)
    escalation = Escalation.objects.create(concern=concern, site=concern.site)
    client.force_login(manager)
    assert concern.reference in client.get(reverse("followup:escalations")).text
    client.post(reverse("followup:escalation_handle", args=[escalation.pk]))
    escalation.refresh_from_db()
    assert escalation.handled_by == manager


def _fill(site, advisor, count):
    for index in range(count):
        customer = consenting_customer(site)
        vehicle = due_vehicle(site, customer=customer, due_date=date.today() + timedelta(days=10 + index % 30))
        concern = record_complaint(customer, advisor)
        Escalation.objects.create(concern=concern, site=site)
        services.create_call_task(
            key=f"q{vehicle.pk}",
            site=site,
            customer=customer,
            vehicle=vehicle,
            kind="target_list",
            reason="x",
            due_at=timezone.now(),
            assigned_to=advisor,
        )


@pytest.mark.parametrize(
    "name",
    [
        "followup:call_list",
        "followup:concern_list",
        "followup:escalations",
        "followup:complaint_review",
        "followup:reminders",
        "followup:list_service_due",
        "followup:list_open_recalls",
        "followup:list_hybrid_check",
        "followup:list_inactive",
        "followup:list_anniversaries",
    ],
)
def test_list_query_counts_stay_flat(name, client, manager, advisor, site, django_assert_max_num_queries):
    client.force_login(manager)
    url = reverse(name)
    _fill(site, advisor, 2)
    client.get(url)  # warm caches (content types, site lists)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _fill(site, advisor, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_call_screen_books_through_the_desk_on_the_tasks_vehicle(client, crc_agent, site):
    vehicle = due_vehicle(site, due_date=date.today() + timedelta(days=20))
    task = services.call_from_list(target_list="service_due", vehicle=vehicle, actor=crc_agent)
    client.force_login(crc_agent)
    assert f"{reverse('appointments:desk')}?vehicle={vehicle.pk}" in client.get(task.get_absolute_url()).text


def test_the_customer_360_page_shows_the_concerns_card(client, advisor, customer):
    concern = record_complaint(customer, advisor)
    client.force_login(advisor)

    html = client.get(customer.get_absolute_url()).text

    assert concern.reference in html and "Scratch on the door" in html
    assert reverse("followup:concern_create", args=[customer.pk]) in html


def test_the_call_list_marks_only_tasks_from_before_today_as_overdue(client, crc_agent, customer):
    services.create_call_task(
        key="today", site=customer.site, customer=customer, kind="target_list", reason="Due today", due_at=timezone.now()
    )
    services.create_call_task(
        key="old",
        site=customer.site,
        customer=customer,
        kind="target_list",
        reason="Due last week",
        due_at=timezone.now() - timedelta(days=7),
    )
    client.force_login(crc_agent)
    rows = client.get(reverse("followup:call_list")).text.split("<tr>")[2:]
    assert ["overdue" in row for row in rows] == [True, False]
