from aftersales.accounts.demo import Report
from aftersales.accounts.models import Site
from workshop.demo import load_workshop_demo
from workshop.models import Approval, AttendanceSpan, Bay, Inspection, JobClocking, WorkOrder


def test_the_demo_has_the_desk_and_the_workshop_floor_at_each_site_and_loads_once(demo_data, db):
    total = WorkOrder.objects.count()

    for site in Site.objects.all():
        orders = WorkOrder.objects.filter(site=site).order_by("sequence")[:3]  # the workshop demo's; later stages add their own
        assert [order.status for order in orders] == [WorkOrder.Status.IN_WORKSHOP, WorkOrder.Status.DRAFT, WorkOrder.Status.QUALITY_CHECK]
        assert orders[0].signature.image and orders[0].appointment.status == "converted"
        inspection = Inspection.objects.get(work_order=orders[0])
        assert inspection.completed_at and orders[0].jobs.filter(approval=Approval.PENDING).count() == 1
        assert Bay.objects.filter(site=site).count() == 3
        assert JobClocking.objects.filter(job__work_order=orders[0], ended_at__isnull=True).exists()
        assert AttendanceSpan.objects.filter(site=site, kind="day", ended_at__isnull=True).exists()
    again = Report()
    load_workshop_demo(again)
    assert "work orders" not in again.created and "bays" not in again.created
    assert WorkOrder.objects.count() == total
