"""Records the role x URL matrix (aftersales/tests/test_role_url_matrix.py) builds for the invoicing and handover URLs.

Built straight in the tables on the matrix's work order (cheap: the matrix builds them for every URL)."""

from decimal import Decimal

from django.utils import timezone

from invoicing.models import Closure, Handover, Invoice, InvoiceLine, SalesLead


def _invoice(site, made):
    order = made["work_order"]
    return Invoice.objects.create(
        site=site,
        work_order=order,
        payer="customer",
        bill_to=str(order.customer),
        customer=order.customer,
        vehicle=order.vehicle,
        currency=site.currency,
        created_by=order.advisor,
    )


def _line(site, made):
    return InvoiceLine.objects.create(
        invoice=made["invoice"],
        kind="labour",
        job=made["work_order_job"],
        description="Matrix job",
        quantity=Decimal("1"),
        unit_price=Decimal("98"),
        vat_rate=Decimal("20"),
        net=Decimal("98"),
        vat=Decimal("19.60"),
        expected_net=Decimal("98"),
    )


def _closure(site, made):
    day = timezone.localdate()
    return Closure.objects.create(
        site=site,
        period="day",
        starts_on=day,
        ends_on=day,
        document_count=0,
        net_total=0,
        vat_total=0,
        gross_total=0,
        payments_total=0,
        grand_total=0,
        closed_by=made["work_order"].advisor,
    )


# name -> (build(site, made), site_scoped); built after the workshop's records
INVOICING_RECORDS = {
    "invoice": (_invoice, True),
    "invoice_line": (_line, True),
    "invoice_closure": (_closure, True),
    "handover": (lambda site, made: Handover.objects.create(work_order=made["work_order"], site=site), True),
    "sales_lead": (
        lambda site, made: SalesLead.objects.create(
            handover=made["handover"],
            customer=made["work_order"].customer,
            model_tried="Q4 e-tron",
            impressions="Quiet",
            salesperson=made["work_order"].advisor,
            created_by=made["work_order"].advisor,
        ),
        True,
    ),
}
INVOICING_URL_KWARG_RECORDS = {"line_pk": "invoice_line"}
INVOICING_PK_RECORDS = {
    **{
        f"invoicing:{name}": "work_order"
        for name in (
            "billing",
            "prepare",
            "payment",
            "refund",
            "release",
            "handover",
            "arrived",
            "welcome",
            "loaner_return",
            "test_drive",
            "explain",
            "send_code",
            "see_off",
        )
    },
    **{
        f"invoicing:{name}": "invoice"
        for name in ("invoice", "line_add", "line_change", "line_remove", "job_add", "issue", "credit", "pdf", "facturx")
    },
    "invoicing:archive": "invoice_closure",
    "invoicing:sales_lead_move": "sales_lead",
}
