"""A work order that passed the quality check, built through the workshop's services.

Reception (open, check-in, signature, hand to the workshop), the customer's
decisions on extra work (``decide_proposal``) and the quality check
(``record_quality_check``) are the workshop's own services. Dispatch and
clocking are skipped: the jobs are marked done and the order moved to the
quality check by direct updates, which the invoicing tests do not depend on.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from aftersales.customers.models import MileageReading
from appointments.tests.factories import CustomerFactory, LabourOperationFactory, LoanerFactory, PartFactory, VehicleFactory, add_kit_line
from workshop.models import Approval, JobStatus, WorkOrder, WorkOrderJob
from workshop.services import (
    add_job,
    content_hash,
    decide_proposal,
    hand_to_workshop,
    open_work_order,
    record_quality_check,
    save_check_in_step,
    sign_on_tablet,
)
from workshop.tests.factories import make_appointment
from workshop.tests.helpers import fill_check_in, signature_data_url

MILEAGE_IN = 43_210
EXPLAINED = {
    "jobs_explained": True,
    "deferred_explained": True,
    "unfixed_explained": True,
    "parts_shown": True,
    "price_matches": True,
    "followup_announced": True,
    "next_service_date": date(2027, 11, 1),
    "next_service_km": 63_000,
}


def ready_work_order(
    *,
    site,
    advisor,
    inspector,
    customer=None,
    loaner: bool = False,
    approved_extra: bool = True,
    declined_extra: bool = True,
    warranty_job: bool = False,
    unfixed: str = "Rear tyres at 3 mm",
) -> WorkOrder:
    """Annual service (1.5 h at 98.00 + oil filter 12.50), an approved extra (wipers), a declined one (brake discs)."""
    customer = customer or CustomerFactory(
        site=site, first_name="Claire", last_name="Durand", language="fr", email="claire.durand@example.test", mobile="+33612345678"
    )
    vehicle = VehicleFactory(owner=customer)
    MileageReading.objects.create(vehicle=vehicle, km=42_000, source=MileageReading.Source.CUSTOMER)
    operation = LabourOperationFactory(description="Annual service", flat_rate_hours=Decimal("1.50"))
    add_kit_line(operation, PartFactory(name="Oil filter", unit_price=Decimal("12.50")), "1")
    appointment = make_appointment(
        site=site, customer=customer, vehicle=vehicle, advisor=advisor, starts_at=timezone.now() + timedelta(hours=1), operation=operation
    )
    order = open_work_order(appointment=appointment, actor=advisor)
    if warranty_job:
        add_job(work_order=order, actor=advisor, concern="Recall: software update", flat_rate_hours=Decimal("0.50"), payer="warranty")
    order = fill_check_in(order, advisor)
    if loaner:
        save_check_in_step(
            work_order=order,
            step="mobility",
            actor=advisor,
            data={
                "departure": "loaner",
                "mobility": None,
                "loaner": LoanerFactory(site=site),
                "loaner_fuel_out": 6,
                "loaner_mileage_out": 12_000,
            },
        )
    sign_on_tablet(work_order=order, image_data_url=signature_data_url(), shown_hash=content_hash(order), actor=advisor)
    hand_to_workshop(work_order=order, actor=advisor)
    if approved_extra:
        decide_proposal(
            job=add_job(work_order=order, actor=advisor, concern="Wiper blades", flat_rate_hours=Decimal("0.30")),
            approved=True,
            method="phone",
            decided_by="Claire Durand",
            actor=advisor,
        )
    if declined_extra:
        decide_proposal(
            job=add_job(work_order=order, actor=advisor, concern="Front brake discs", flat_rate_hours=Decimal("2.00")),
            approved=False,
            method="phone",
            decided_by="Claire Durand",
            actor=advisor,
            reason="Next visit",
        )
    now = timezone.now()
    WorkOrderJob.objects.filter(work_order=order).exclude(approval=Approval.DECLINED).update(
        status=JobStatus.DONE, done_by=advisor, done_at=now
    )
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrder.Status.QUALITY_CHECK)
    record_quality_check(
        work_order=order,
        inspector=inspector,
        passed=True,
        data={
            "order_complete": True,
            "road_test_done": True,
            "road_test_notes": "OK",
            "all_jobs_done": True,
            "cleaned": True,
            "parking_place": "P12",
            "unfixed_findings": unfixed,
        },
    )
    order.refresh_from_db()
    return order
