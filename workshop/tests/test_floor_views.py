"""Workshop screens: dispatch, the technician's screen, the inspection, extra work, the customer's link, the quality check."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.lib.signing import make_token
from aftersales.messaging.models import OutboxMessage
from workshop.floor_views import APPROVAL_PURPOSE
from workshop.models import Approval, ApprovalRequest, Bay, JobStatus, Rating, WorkOrder
from workshop.services import (
    add_job,
    assign_job,
    clock_in,
    clock_on_job,
    proposal_amounts,
    save_inspection,
    start_inspection,
)

from .helpers import image_bytes, photo_upload


@pytest.fixture
def bay(site):
    return Bay.objects.create(site=site, name="Lift 1")


@pytest.fixture
def job(in_workshop, mechanic, foreman, bay):
    return assign_job(job=in_workshop.jobs.get(), technician=mechanic, bay=bay, actor=foreman)


@pytest.fixture
def proposal(in_workshop, mechanic):
    return add_job(work_order=in_workshop, actor=mechanic, concern="Wiper blades", flat_rate_hours=Decimal("0.5"), skill="mechanics")


@pytest.fixture
def approval_link(proposal, in_workshop, advisor):
    request = ApprovalRequest.objects.create(work_order=in_workshop, sent_by=advisor)
    return request, reverse("workshop:customer_approval", kwargs={"token": make_token(purpose=APPROVAL_PURPOSE, pk=request.pk)})


def test_the_foreman_dispatches_a_waiting_job_from_the_board(client, foreman, in_workshop, mechanic, bay):
    client.force_login(foreman)
    booked = in_workshop.jobs.get()
    page = client.get(reverse("workshop:dispatch"))
    assert page.status_code == 200 and booked.concern in page.text

    response = client.post(reverse("workshop:dispatch_assign", args=[booked.pk]), {"technician": mechanic.pk, "bay": bay.pk})

    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.technician, booked.bay, booked.status) == (mechanic, bay, JobStatus.ASSIGNED)


def test_the_board_refuses_a_technician_without_the_skill_naming_the_field(client, foreman, in_workshop, mechanic, site):
    from .helpers import technician_of

    technician_of(mechanic, site, skills=["bodywork"])
    client.force_login(foreman)

    response = client.post(reverse("workshop:dispatch_assign", args=[in_workshop.jobs.get().pk]), {"technician": mechanic.pk})

    assert response.status_code == 400 and "Technician: " in response.text and "skill" in response.text


def test_the_dispatch_board_refreshes_as_a_fragment_for_htmx(client, foreman, in_workshop):
    client.force_login(foreman)
    response = client.get(reverse("workshop:dispatch"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="dispatch-board"' in response.text and "<html" not in response.text


def test_the_technician_clocks_in_and_on_from_their_screen(client, mechanic, job, clock):
    client.force_login(mechanic)
    assert client.post(reverse("workshop:attendance"), {"action": "in"}).status_code == 302
    assert client.post(reverse("workshop:clock_on", args=[job.pk])).status_code == 302

    page = client.get(reverse("workshop:my_jobs"))

    assert "Clock off" in page.text and "At work since" in page.text


def test_clocking_on_a_second_job_is_refused_with_a_message(client, mechanic, job, proposal, advisor, clock):
    from workshop.models import ApprovalDecision
    from workshop.services import decide_proposal

    decide_proposal(job=proposal, approved=True, method=ApprovalDecision.Method.PHONE, decided_by="Claire", actor=advisor)
    clock_in(technician=mechanic)
    clock_on_job(job=job, technician=mechanic)
    client.force_login(mechanic)

    response = client.post(reverse("workshop:clock_on", args=[proposal.pk]))

    assert response.status_code == 400 and "Job: " in response.text and "clock off it first" in response.text


def test_a_bad_attendance_action_is_a_400(client, mechanic):
    client.force_login(mechanic)
    assert client.post(reverse("workshop:attendance"), {"action": "nap"}).status_code == 400


def test_the_technician_reports_a_finding(client, mechanic, job):
    client.force_login(mechanic)
    response = client.post(
        reverse("workshop:finding_add", args=[job.work_order_id]),
        {"concern": "Oil leak at the sump", "flat_rate_hours": "1", "skill": "mechanics"},
    )
    assert response.status_code == 302
    finding = job.work_order.jobs.get(concern="Oil leak at the sump")
    assert finding.approval == Approval.PENDING


def test_an_inspection_photo_that_is_not_an_image_is_refused(client, mechanic, in_workshop):
    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    result = inspection.results.first()
    client.force_login(mechanic)

    response = client.post(
        reverse("workshop:inspection_photo", args=[in_workshop.pk, result.pk]), {"photo": photo_upload(content=b"%PDF-1.4 not a photo")}
    )

    assert response.status_code == 400 and "Photo: " in response.text and not result.photos.exists()


def test_the_inspection_form_saves_and_completes(client, mechanic, in_workshop):
    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    rows = list(inspection.results.all())
    data = {f"rating_{row.pk}": "green" for row in rows}
    data[f"rating_{rows[0].pk}"] = "red"
    data[f"measurement_{rows[0].pk}"] = "1.5"
    client.force_login(mechanic)

    response = client.post(reverse("workshop:inspection", args=[in_workshop.pk]), {**data, "complete": "1"})

    assert response.status_code == 302
    assert in_workshop.jobs.filter(approval=Approval.PENDING, inspection_result=rows[0]).exists()


def test_completing_with_unrated_points_is_a_400(client, mechanic, in_workshop):
    start_inspection(work_order=in_workshop, actor=mechanic)
    client.force_login(mechanic)
    response = client.post(reverse("workshop:inspection", args=[in_workshop.pk]), {"complete": "1"})
    assert response.status_code == 400 and "Rate every point" in response.text


def test_the_customer_page_records_the_first_view_and_serves_photos_only_by_the_link(client, approval_link, in_workshop, mechanic):
    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    row = inspection.results.first()
    from workshop.services import add_photo

    photo = add_photo(work_order=in_workshop, upload=photo_upload(), actor=mechanic, inspection_result=row)
    request, url = approval_link

    assert client.get(url).status_code == 200
    request.refresh_from_db()
    first = request.first_viewed_at
    assert first is not None
    client.get(url)
    request.refresh_from_db()
    assert request.first_viewed_at == first
    token = url.rstrip("/").split("/")[-1]
    assert client.get(reverse("workshop:customer_photo", args=[token, photo.pk])).status_code == 200
    assert client.get(reverse("workshop:customer_photo", args=[token + "x", photo.pk])).status_code == 404


def test_a_tampered_or_expired_link_shows_the_invalid_link_page(client, approval_link, time_machine):
    _request, url = approval_link
    assert client.get(url[:-3] + "xyz/").status_code == 404
    time_machine.shift(timedelta(days=4))
    response = client.get(url)
    assert response.status_code == 404 and "not valid any more" in response.text


def test_the_customer_approves_at_the_price_shown(client, approval_link, proposal, in_workshop):
    _request, url = approval_link
    gross = proposal_amounts(proposal, in_workshop.vat_rate)[1]

    response = client.post(url, {"job": proposal.pk, "decision": "approve", "shown_gross": str(gross)})

    assert response.status_code == 302
    proposal.refresh_from_db()
    decision = proposal.decisions.get()
    assert proposal.approval == Approval.APPROVED and decision.method == "signed_link" and decision.request_id == _request.pk


def test_the_customer_cannot_approve_a_line_whose_price_changed(client, approval_link, proposal, in_workshop):
    _request, url = approval_link
    response = client.post(url, {"job": proposal.pk, "decision": "approve", "shown_gross": "1.00"})
    assert response.status_code == 400 and "Le prix de ces travaux a changé" in response.text  # a French customer, in French
    proposal.refresh_from_db()
    assert proposal.approval == Approval.PENDING


def test_the_customer_cannot_decide_a_line_of_another_order(client, approval_link):
    _request, url = approval_link
    response = client.post(url, {"job": 999999, "decision": "approve", "shown_gross": "1.00"})
    assert response.status_code == 400


def test_the_advisor_sends_the_approval_link_and_sees_viewed(client, advisor, proposal, in_workshop):
    client.force_login(advisor)
    assert client.post(reverse("workshop:approval_send", args=[in_workshop.pk])).status_code == 302
    message = OutboxMessage.objects.get(template_key="approval_request")
    assert "/workshop/x/" in message.body or "/x/" in message.body
    request = ApprovalRequest.objects.get()
    ApprovalRequest.objects.filter(pk=request.pk).update(first_viewed_at=request.sent_at)

    page = client.get(reverse("workshop:progress", args=[in_workshop.pk]))

    assert "Viewed" in page.text


def test_the_advisor_records_a_phone_approval_and_a_missing_name_is_refused(client, advisor, proposal, in_workshop):
    client.force_login(advisor)
    url = reverse("workshop:proposal_decide", args=[in_workshop.pk, proposal.pk])
    refused = client.post(url, {"decision": "approve", "method": "phone", "decided_by": ""})
    assert refused.status_code == 400 and "Write who decided" in refused.text
    assert client.post(url, {"decision": "approve", "method": "phone", "decided_by": "Claire Durand"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.approval == Approval.APPROVED


def test_a_new_promised_time_from_the_order_page_reaches_the_customer(client, advisor, in_workshop, clock):
    client.force_login(advisor)
    response = client.post(reverse("workshop:promised_time", args=[in_workshop.pk]), {"promised_at": "2026-11-24T18:00", "reason": ""})
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(template_key="promised_time_changed").exists()
    assert client.post(reverse("workshop:promised_time", args=[in_workshop.pk]), {"promised_at": "yesterday"}).status_code == 400


def test_the_quality_check_page_refuses_a_pass_without_parking_place(client, quality_controller, job, mechanic, clock):
    from workshop.services import sign_off_job

    clock_in(technician=mechanic)
    sign_off_job(job=job, technician=mechanic)
    client.force_login(quality_controller)
    assert job.work_order.number in client.get(reverse("workshop:qc_queue")).text
    data = {"outcome": "pass", "order_complete": "on", "road_test_done": "on", "all_jobs_done": "on", "cleaned": "on"}

    refused = client.post(reverse("workshop:qc_check", args=[job.work_order_id]), data)
    passed = client.post(reverse("workshop:qc_check", args=[job.work_order_id]), {**data, "parking_place": "P7"})

    assert refused.status_code == 400 and "Write where the car is parked" in refused.text
    assert passed.status_code == 302
    assert WorkOrder.objects.get(pk=job.work_order_id).status == WorkOrder.Status.READY


def test_the_advisor_board_shows_the_ready_notification(client, advisor, in_workshop):
    from workshop.models import AdvisorNotification

    note = AdvisorNotification.objects.create(advisor=advisor, work_order=in_workshop, text="Ready for invoicing")
    client.force_login(advisor)
    assert "Ready for invoicing" in client.get(reverse("workshop:board")).text
    client.post(reverse("workshop:notification_read", args=[note.pk]))
    assert "Ready for invoicing" not in client.get(reverse("workshop:board")).text


def test_the_deferred_work_card_shows_on_the_customer_page(client, advisor, proposal, in_workshop):
    from workshop.models import ApprovalDecision
    from workshop.services import decide_proposal

    decide_proposal(job=proposal, approved=False, method=ApprovalDecision.Method.PHONE, decided_by="Claire", actor=advisor)
    client.force_login(advisor)
    page = client.get(reverse("customers:detail", args=[in_workshop.customer_id]))
    assert 'id="deferred-work"' in page.text and "Wiper blades" in page.text


def test_inspection_ratings_must_be_known_values(mechanic, in_workshop):
    from workshop.exceptions import InspectionRefused

    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    row = inspection.results.first()
    with pytest.raises(InspectionRefused):
        save_inspection(inspection=inspection, actor=mechanic, results={row.pk: {"rating": "purple"}})
    save_inspection(inspection=inspection, actor=mechanic, results={row.pk: {"rating": Rating.AMBER, "notes": "x"}})


def test_an_inspection_photo_too_big_is_refused(client, mechanic, in_workshop, monkeypatch):
    from workshop.services import reception

    inspection = start_inspection(work_order=in_workshop, actor=mechanic)
    result = inspection.results.first()
    client.force_login(mechanic)
    monkeypatch.setattr(reception, "MAX_PHOTO_BYTES", 100)

    response = client.post(
        reverse("workshop:inspection_photo", args=[in_workshop.pk, result.pk]),
        {"photo": photo_upload(content=image_bytes("JPEG", (200, 200)))},
    )

    assert response.status_code == 400 and "too big" in response.text


def test_deferred_work_from_an_earlier_order_is_added_to_the_new_order(
    client, advisor, proposal, in_workshop, site, customer, vehicle, clock
):
    from workshop.models import ApprovalDecision, DeferredWork
    from workshop.services import decide_proposal, open_walk_in

    decide_proposal(job=proposal, approved=False, method=ApprovalDecision.Method.PHONE, decided_by="Claire", actor=advisor)
    later = open_walk_in(site=site, customer=customer, vehicle=vehicle, actor=advisor)
    deferred = DeferredWork.objects.get()
    client.force_login(advisor)
    assert "Wiper blades" in client.get(reverse("workshop:detail", args=[later.pk])).text

    response = client.post(reverse("workshop:deferred_add", args=[later.pk, deferred.pk]))

    assert response.status_code == 302
    deferred.refresh_from_db()
    assert deferred.sold_job.work_order == later
    again = client.post(reverse("workshop:deferred_add", args=[later.pk, deferred.pk]))
    assert again.status_code == 400 and "already on an order" in again.text


def test_deciding_a_line_agreed_at_reception_is_refused_with_a_message(client, advisor, in_workshop):
    client.force_login(advisor)
    agreed = in_workshop.jobs.get()
    response = client.post(
        reverse("workshop:proposal_decide", args=[in_workshop.pk, agreed.pk]),
        {"decision": "approve", "method": "phone", "decided_by": "Claire"},
    )
    assert response.status_code == 400 and "Job: " in response.text and "already decided" in response.text
