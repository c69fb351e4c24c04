"""Extra work with parts: catalogue or free-text parts on a proposal, the full price approved, the parts request of an
approved part, declined lines left off the invoice, and the technician's running job first on "my jobs"."""

from decimal import Decimal

import pytest
from django.urls import reverse

from appointments.models import PartOrderRequest
from appointments.tests.factories import PartFactory
from workshop.exceptions import ApprovalRefused
from workshop.models import Approval, ApprovalDecision, Bay, JobStatus, WorkOrderPart
from workshop.selectors import technician_day
from workshop.services import add_job, add_proposal_part, assign_job, clock_in, clock_on_job, decide_proposal, proposal_amounts

Method = ApprovalDecision.Method


@pytest.fixture
def tyre_job(in_workshop, mechanic):
    return add_job(work_order=in_workshop, actor=mechanic, concern="Front left tyre", flat_rate_hours=Decimal("0.5"), skill="mechanics")


@pytest.fixture
def tyre():
    return PartFactory(number="TYRE-205-55-16", name="Tyre 205/55 R16", unit_price=Decimal("120.00"))


def test_a_catalogue_part_and_a_free_text_part_make_the_full_price(tyre_job, tyre, in_workshop, mechanic):
    labour = tyre_job.labour_price
    add_proposal_part(job=tyre_job, actor=mechanic, part=tyre, quantity=Decimal("1"))
    valve = add_proposal_part(job=tyre_job, actor=mechanic, description="Valve", quantity=Decimal("2"), unit_price=Decimal("4.50"))
    assert (valve.part, valve.name, valve.approval) == (None, "Valve", Approval.PENDING)
    net, gross = proposal_amounts(tyre_job, in_workshop.vat_rate)
    assert net == labour + Decimal("129.00") and gross > net


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"quantity": Decimal("1")}, "part"),
        ({"description": "Valve", "quantity": Decimal("1")}, "unit_price"),
        ({"description": "Valve", "quantity": Decimal("0"), "unit_price": Decimal("1")}, "quantity"),
    ],
)
def test_a_part_without_name_price_or_quantity_is_refused_naming_the_field(tyre_job, mechanic, values, field):
    with pytest.raises(ApprovalRefused) as refused:
        add_proposal_part(job=tyre_job, actor=mechanic, **values)
    assert refused.value.field == field and not WorkOrderPart.objects.filter(job=tyre_job).exists()


def test_a_part_added_to_approved_work_sends_it_back_for_approval(tyre_job, tyre, advisor, mechanic):
    decide_proposal(job=tyre_job, approved=True, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    add_proposal_part(job=tyre_job, actor=advisor, part=tyre, quantity=Decimal("1"))
    tyre_job.refresh_from_db()
    assert (tyre_job.approval, tyre_job.status) == (Approval.PENDING, JobStatus.ON_HOLD)


def test_no_part_on_declined_work(tyre_job, tyre, advisor):
    decide_proposal(job=tyre_job, approved=False, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    with pytest.raises(ApprovalRefused):
        add_proposal_part(job=tyre_job, actor=advisor, part=tyre, quantity=Decimal("1"))


def test_an_approved_catalogue_part_asks_the_parts_advisor_to_order_it(tyre_job, tyre, advisor, in_workshop):
    add_proposal_part(job=tyre_job, actor=advisor, part=tyre, quantity=Decimal("2"))
    add_proposal_part(job=tyre_job, actor=advisor, description="Valve", quantity=Decimal("2"), unit_price=Decimal("4.50"))
    decide_proposal(job=tyre_job, approved=True, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    request = PartOrderRequest.objects.get()
    assert (request.appointment_id, request.part, request.quantity, request.status) == (
        in_workshop.appointment_id,
        tyre,
        Decimal("2"),
        PartOrderRequest.Status.OPEN,
    )
    in_workshop.refresh_from_db()
    assert in_workshop.parts_total >= Decimal("249.00")


def test_a_declined_part_is_never_ordered(tyre_job, tyre, advisor):
    add_proposal_part(job=tyre_job, actor=advisor, part=tyre, quantity=Decimal("1"))
    decide_proposal(job=tyre_job, approved=False, method=Method.PHONE, decided_by="Claire Durand", actor=advisor)
    assert not PartOrderRequest.objects.exists()


def test_the_advisor_adds_a_free_text_part_from_the_order_page(client, advisor, tyre_job, in_workshop):
    client.force_login(advisor)
    page = client.get(reverse("workshop:detail", args=[in_workshop.pk])).text
    assert reverse("workshop:proposal_part_add", args=[in_workshop.pk, tyre_job.pk]) in page
    url = reverse("workshop:proposal_part_add", args=[in_workshop.pk, tyre_job.pk])
    refused = client.post(url, {"description": "Valve", "quantity": "1"})
    assert refused.status_code == 400 and "Give the price of a part that is not in the catalogue." in refused.text
    response = client.post(url, {"description": "Valve", "quantity": "1", "unit_price": "4.50"})
    assert response.status_code == 302 and tyre_job.parts.get().description == "Valve"
    assert "1 × Valve" in client.get(reverse("workshop:detail", args=[in_workshop.pk])).text


def test_the_running_job_is_first_on_my_jobs(in_workshop, mechanic, foreman, clock):
    bay = Bay.objects.create(site=in_workshop.site, name="Lift 1")
    booked = assign_job(job=in_workshop.jobs.get(), technician=mechanic, bay=bay, actor=foreman)
    later = add_job(work_order=in_workshop, actor=in_workshop.advisor, concern="Wipers", flat_rate_hours=Decimal("1"), skill="mechanics")
    decide_proposal(job=later, approved=True, method=Method.PHONE, decided_by="Claire Durand", actor=in_workshop.advisor)
    later = assign_job(job=later, technician=mechanic, bay=bay, actor=foreman)
    clock_in(technician=mechanic)
    clock_on_job(job=later, technician=mechanic)
    jobs = technician_day(technician=mechanic).jobs
    assert [job.pk for job in jobs][:2] == [later.pk, booked.pk]
