"""Catalogue names and checklist points on a work order: copied in the customer's language, read by each reader in theirs."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import User
from aftersales.customers.models import Channel, Customer, LabourOperation
from aftersales.messaging.models import OutboxMessage
from workshop.models import Approval, Rating
from workshop.selectors import open_deferred_work
from workshop.services import decide_proposal, request_customer_approval, save_inspection, start_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese_customer(customer, service_operation):
    """A Chinese-speaking customer of the Lyon site, whose booked job is the translated annual service."""
    Customer.objects.filter(pk=customer.pk).update(language="zh-hans")
    LabourOperation.objects.filter(code="SERVICE-A").update(
        translations={"fr": {"description": "Révision annuelle"}, "zh-hans": {"description": "年度保养"}}
    )
    return customer


def test_a_booked_job_is_copied_in_the_customers_language_and_read_in_the_foremans(client, chinese_customer, in_workshop, foreman):
    booked = in_workshop.jobs.get()
    assert booked.concern == "年度保养"
    User.objects.filter(pk=foreman.pk).update(language="fr")
    client.force_login(foreman)

    page = client.get(reverse("workshop:dispatch")).content.decode()

    assert "Révision annuelle" in page and "年度保养" not in page and "Annual service" not in page


def test_an_inspection_point_reads_in_the_customers_language_on_their_message_and_in_the_staffs_on_screen(
    client, customer, in_workshop, mechanic, advisor, clock
):
    Customer.objects.filter(pk=customer.pk).update(preferred_channel=Channel.EMAIL, email="claire.durand@example.test")
    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    tyre = inspection.results.get(item__label="Tyre front left")
    ratings = {row.pk: {"rating": Rating.GREEN, "measurement": None, "notes": ""} for row in inspection.results.all()}
    ratings[tyre.pk] = {"rating": Rating.AMBER, "measurement": Decimal("3.0"), "notes": "usure intérieure"}
    with translation.override("ru"):  # the technician works in Russian
        save_inspection(inspection=inspection, actor=mechanic, results=ratings, complete=True)
    proposal = in_workshop.jobs.get(approval=Approval.PENDING)
    assert proposal.concern == "Pneu avant gauche: usure intérieure"

    with translation.override("en"):
        request_customer_approval(work_order=in_workshop, actor=advisor, link_for=lambda request: "https://example.test/x/")
    message = OutboxMessage.objects.get(template_key="approval_request")
    assert "Pneu avant gauche: usure intérieure" in message.body and "Tyre front left" not in message.body

    User.objects.filter(pk=advisor.pk).update(language="ru")
    client.force_login(advisor)
    page = client.get(reverse("workshop:progress", args=[in_workshop.pk])).content.decode()
    assert "Шина передняя левая: usure intérieure" in page and "Pneu avant gauche" not in page

    decide_proposal(job=proposal, approved=False, method="phone", decided_by="Claire Durand", actor=advisor, reason="Next visit")
    (deferred,) = open_deferred_work(vehicle=in_workshop.vehicle)
    assert deferred.description == "Pneu avant gauche: usure intérieure"
    assert deferred.localized_description("ru") == "Шина передняя левая: usure intérieure"
