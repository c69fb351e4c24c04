from aftersales.accounts.demo import load_demo_data
from aftersales.accounts.models import Site
from workshop.models import WorkOrder


def test_the_demo_has_two_of_todays_customers_checked_in_at_each_site_and_loads_once(db, templates):
    load_demo_data()

    for site in Site.objects.all():
        orders = WorkOrder.objects.filter(site=site).order_by("sequence")
        assert [order.status for order in orders] == [WorkOrder.Status.SIGNED, WorkOrder.Status.DRAFT]
        assert orders[0].signature.image and orders[0].appointment.status == "arrived"
    assert "work orders" not in load_demo_data().created
    assert WorkOrder.objects.count() == 2 * Site.objects.count()
