"""A closed handover built through the invoicing services (the same path as the desk).

The work order comes from invoicing's own test factory (reception, a declined
extra kept as deferred work, the quality check, all through the workshop's
services); then the invoice is prepared, issued and paid, and the handover
goes through its moments to the signed delivery.
"""

from datetime import date

from invoicing.models import Handover
from invoicing.services import (
    CHECKLIST,
    close_handover,
    customer_arrived,
    issue_invoice,
    prepare_invoices,
    record_payment,
    save_explanation,
    welcome_customer,
)
from workshop.testing import MILEAGE_IN, ready_work_order
from workshop.tests.helpers import signature_data_url


def closed_handover(*, site, advisor, inspector, cashier, customer=None) -> Handover:
    order = ready_work_order(site=site, advisor=advisor, inspector=inspector, customer=customer)
    for invoice in prepare_invoices(work_order=order, actor=cashier):
        issued = issue_invoice(invoice=invoice, actor=cashier)
        if issued.payer == "customer":
            record_payment(work_order=order, actor=cashier, method="card", amount=issued.gross_total)
    handover = welcome_customer(handover=customer_arrived(work_order=order, actor=advisor), actor=advisor)
    save_explanation(
        handover=handover,
        actor=advisor,
        **dict.fromkeys(CHECKLIST, True),
        next_service_date=date(2027, 3, 1),
        next_service_km=63_000,
    )
    return close_handover(handover=handover, actor=advisor, mileage_out=MILEAGE_IN + 6, signature_data_url=signature_data_url())
