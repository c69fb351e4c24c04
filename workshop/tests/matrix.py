"""Records the role x URL matrix (aftersales/tests/test_role_url_matrix.py) builds for the reception URLs.

The matrix's own "appointment" record (booked tomorrow) serves the board's appointment URLs."""

from datetime import timedelta
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from workshop.models import (
    AdvisorNotification,
    ClockingReview,
    DeferredWork,
    Inspection,
    InspectionItem,
    InspectionResult,
    InspectionTemplate,
    WorkOrderPhoto,
)
from workshop.services import add_job, open_work_order

from .factories import make_appointment
from .helpers import image_bytes


def _work_order(site, made):
    customer = made["customer"]
    advisor = made["appointment"].advisor
    second = make_appointment(
        site=site, customer=customer, vehicle=made["vehicle"], advisor=advisor, starts_at=timezone.now() + timedelta(hours=2)
    )
    return open_work_order(appointment=second, actor=advisor)


def _photo(site, made):
    order = made["work_order"]
    photo = WorkOrderPhoto(work_order=order, content_type="image/png", extension="png", size=1, uploaded_by=order.advisor)
    photo.image.save("matrix.png", ContentFile(image_bytes("PNG")), save=True)
    return photo


def _inspection_result(site, made):
    order = made["work_order"]
    template, _created = InspectionTemplate.objects.get_or_create(name="Matrix checklist")
    item = InspectionItem.objects.create(template=template, section="Tyres", label="Tyre front left")
    inspection = Inspection.objects.create(work_order=order, template=template, started_by=order.advisor)
    return InspectionResult.objects.create(inspection=inspection, item=item)


def _deferred_work(site, made):
    order = made["work_order"]
    declined = add_job(work_order=order, actor=order.advisor, concern="Declined wipers", flat_rate_hours=1)
    return DeferredWork.objects.create(
        vehicle=order.vehicle,
        site=site,
        description="Wipers",
        due_on=timezone.localdate(),
        gross_price=30,
        currency=site.currency,
        declined_job=declined,
    )


# name -> (build(site, made), site_scoped)
WORKSHOP_RECORDS = {
    "work_order": (_work_order, True),
    "work_order_job": (
        lambda site, made: add_job(
            work_order=made["work_order"], actor=made["work_order"].advisor, concern="Matrix job", flat_rate_hours=1
        ),
        True,
    ),
    "work_order_photo": (_photo, True),
    "check_in_step": (lambda site, made: SimpleNamespace(pk="prepare"), False),
    "inspection_result": (_inspection_result, True),
    "deferred_work": (_deferred_work, True),
    "advisor_notification": (
        lambda site, made: AdvisorNotification.objects.create(
            advisor=made["work_order"].advisor, work_order=made["work_order"], text="Ready for invoicing"
        ),
        True,
    ),
    "clocking_review": (
        lambda site, made: ClockingReview.objects.create(
            job=made["work_order_job"],
            technician=made["work_order"].advisor,
            flagged_at=timezone.now(),
            sold_hours=1,
            clocked=timedelta(seconds=5),
        ),
        True,
    ),
}
WORKSHOP_URL_KWARG_RECORDS = {
    "appointment_pk": "appointment",
    "job_pk": "work_order_job",
    "photo_pk": "work_order_photo",
    "step": "check_in_step",
    "result_pk": "inspection_result",
    "notification_pk": "advisor_notification",
    "deferred_pk": "deferred_work",
    "review_pk": "clocking_review",
}
WORKSHOP_PK_RECORDS = {
    name: "work_order"
    for name in (
        "workshop:detail",
        "workshop:step",
        "workshop:job_add",
        "workshop:job_remove",
        "workshop:photo_add",
        "workshop:photo",
        "workshop:sign",
        "workshop:request_code",
        "workshop:to_workshop",
        "workshop:pdf",
        "workshop:progress",
        "workshop:proposal_decide",
        "workshop:proposal_reprice",
        "workshop:proposal_part_add",
        "workshop:approval_send",
        "workshop:promised_time",
        "workshop:inspection",
        "workshop:inspection_photo",
        "workshop:finding_add",
        "workshop:qc_check",
        "workshop:deferred_add",
    )
}
