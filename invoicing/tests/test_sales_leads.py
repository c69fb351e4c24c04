"""Sales leads: a test drive passed to a salesperson of the site, who is told and works it from open to won or lost."""

import pytest
from django.core import mail
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from invoicing import forms as invoicing_forms
from invoicing.exceptions import HandoverError
from invoicing.models import SalesLead
from invoicing.services import customer_arrived, move_sales_lead, record_test_drive, welcome_customer


@pytest.fixture
def salesperson(site):
    return UserFactory(roles=[Role.SALESPERSON], site_list=[site], username="sales", email="sales@example.com")


@pytest.fixture
def handover(order, advisor):
    return welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)


def pass_lead(handover, advisor, salesperson) -> SalesLead:
    return record_test_drive(
        handover=handover, actor=advisor, model_tried="Q4 e-tron", impressions="Loved the silence", salesperson=salesperson
    )


def test_the_lead_goes_to_a_salesperson_who_is_told(handover, advisor, salesperson, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = pass_lead(handover, advisor, salesperson)

    assert lead.status == SalesLead.Status.NEW
    (sent,) = mail.outbox
    assert sent.to == ["sales@example.com"] and "Q4 e-tron" in sent.subject and "Loved the silence" in sent.body
    assert reverse("invoicing:sales_leads") in sent.body


def test_only_a_salesperson_of_the_site_is_offered_and_accepted(handover, site, advisor, salesperson, technician, manager):
    assert list(invoicing_forms.TestDriveForm(site=site).fields["salesperson"].queryset) == [salesperson]
    for person in (technician, manager, None):
        with pytest.raises(HandoverError) as refused:
            pass_lead(handover, advisor, person)
        assert refused.value.field == "salesperson"


def test_a_lead_moves_from_open_to_contacted_to_won_and_no_further(handover, advisor, salesperson):
    lead = pass_lead(handover, advisor, salesperson)

    assert move_sales_lead(lead=lead, status=SalesLead.Status.CONTACTED, actor=salesperson).status == "contacted"
    won = move_sales_lead(lead=lead, status=SalesLead.Status.WON, actor=salesperson)
    assert won.status == "won" and won.status_changed_at is not None
    with pytest.raises(HandoverError) as refused:
        move_sales_lead(lead=lead, status=SalesLead.Status.LOST, actor=salesperson)
    assert refused.value.field == "status"


def test_the_salesperson_sees_their_leads_and_changes_their_status(
    client, handover, advisor, salesperson, site, manager, django_assert_max_num_queries
):
    mine = pass_lead(handover, advisor, salesperson)
    colleague = UserFactory(roles=[Role.SALESPERSON], site_list=[site], username="sales2")
    client.force_login(colleague)
    assert "Q4 e-tron" not in client.get(reverse("invoicing:sales_leads")).text
    assert client.post(reverse("invoicing:sales_lead_move", args=[mine.pk]), {"status": "won"}).status_code == 404

    client.force_login(salesperson)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("invoicing:sales_leads"))
    assert page.status_code == 200 and "Q4 e-tron" in page.text
    assert client.post(reverse("invoicing:sales_lead_move", args=[mine.pk]), {"status": "lost"}).status_code == 302
    assert client.post(reverse("invoicing:sales_lead_move", args=[mine.pk]), {"status": "won"}).status_code == 400
    mine.refresh_from_db()
    assert mine.status == SalesLead.Status.LOST

    client.force_login(manager)
    assert "Q4 e-tron" in client.get(reverse("invoicing:sales_leads"), {"status": "lost"}).text
