from aftersales.accounts.demo import Report
from aftersales.accounts.models import Site
from invoicing.chain import verify_site_chain
from invoicing.demo import load_invoicing_demo
from invoicing.models import Handover, Invoice, Payment
from invoicing.services import balance_of


def test_the_demo_invoices_two_cars_per_site_one_paid_and_handed_over_and_loads_once(demo_data, db):

    for site in Site.objects.all():
        invoices = list(Invoice.objects.filter(site=site, status="issued").order_by("sequence"))
        assert len(invoices) == 2
        assert balance_of(invoices[0].work_order).due == 0 and balance_of(invoices[1].work_order).due > 0
        assert Payment.objects.filter(site=site, is_deposit=True).count() == 1
        assert Handover.objects.get(work_order=invoices[0].work_order).closed_at is not None
        assert invoices[0].work_order.status == "delivered" and invoices[1].work_order.status == "ready"
        assert Handover.objects.get(work_order=invoices[1].work_order).moment == "waiting"
        assert verify_site_chain(site)[1] is None
    again = Report()
    load_invoicing_demo(again)
    assert "invoices" not in again.created
    assert Invoice.objects.count() == 2 * Site.objects.count()
