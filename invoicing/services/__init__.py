"""Invoicing writes: prepare, correct, issue, credit, take payment, close periods, hand the car over.

Every service runs in one transaction, locks what it changes, refuses what
the state does not allow with an ``InvoicingError`` naming the field, and
records an audit row. Chained writes (issuing, credit notes, payments,
closures) lock the site's ``ChainHead`` first, always before anything else
(no deadlock), so they are serialised per site; the invoice counter is locked
after it. Row locks take ``of=("self",)`` so joined rows stay unlocked. The PDF and the e-mail are
deferred with ``transaction.on_commit``.

Only approved work is invoiced: a job (and its parts) counts when the
customer agreed to it at reception or approved it later
(``INVOICEABLE_APPROVALS``). Every invoice line remembers what the customer
agreed to (``expected_net``: the signed estimate's price, or the approved
addition's price); a line that differs cannot be issued without a reason.

One module per part: ``preparing`` (drafts and their lines), ``issuing``
(numbering, credit notes, the Factur-X PDF), ``payments`` (with refunds and
the customer's credit), ``closures``, ``handover`` and ``leads`` (test-drive leads for the salespeople); the chain's hashes and
contents are in ``invoicing.chain``.
"""

from .closures import close_period, email_chain_heads, period_bounds
from .handover import (
    CHECKLIST,
    HANDOVER_CODE_PURPOSE,
    checklist_needs,
    close_handover,
    customer_arrived,
    record_loaner_return,
    record_test_drive,
    save_explanation,
    send_handover_code,
    welcome_customer,
)
from .issuing import deliver_invoice, invoice_pdf, issue_credit_note, issue_invoice, stored_facturx_xml
from .leads import move_sales_lead, salespeople_of
from .payments import Balance, authorize_release, balance_of, customer_credit, may_release, record_payment, refund_overpayment
from .preparing import (
    INVOICEABLE_APPROVALS,
    INVOICEABLE_STATUSES,
    READY_FOR_INVOICING,
    add_line,
    change_line,
    invoice_job,
    invoiced_job_ids,
    prepare_invoices,
    reader_language,
    remove_line,
    unexplained_lines,
)

__all__ = [
    "move_sales_lead",
    "salespeople_of",
    "CHECKLIST",
    "HANDOVER_CODE_PURPOSE",
    "INVOICEABLE_APPROVALS",
    "INVOICEABLE_STATUSES",
    "READY_FOR_INVOICING",
    "Balance",
    "add_line",
    "authorize_release",
    "balance_of",
    "change_line",
    "checklist_needs",
    "close_handover",
    "close_period",
    "email_chain_heads",
    "customer_credit",
    "customer_arrived",
    "deliver_invoice",
    "invoice_job",
    "invoice_pdf",
    "invoiced_job_ids",
    "issue_credit_note",
    "issue_invoice",
    "may_release",
    "period_bounds",
    "prepare_invoices",
    "reader_language",
    "record_loaner_return",
    "record_payment",
    "record_test_drive",
    "refund_overpayment",
    "remove_line",
    "save_explanation",
    "send_handover_code",
    "stored_facturx_xml",
    "unexplained_lines",
    "welcome_customer",
]
