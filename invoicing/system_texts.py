"""What the invoicing stage writes by itself (the salesperson's notice of a test-drive lead, the daily copy of the chain
head), kept as codes and shown in the reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site
from aftersales.customers.models import Customer
from aftersales.lib.system_texts import Message, Moment, Record, Text

SALES_LEAD_PASSED = Message(
    "invoicing.sales_lead_passed",
    _("Test-drive lead: %(customer)s tried the %(model)s"),
    customer=Record(Customer),
    model=Text(),
)
SALES_LEAD_DETAILS = Message("invoicing.sales_lead_details", _("Impressions: %(impressions)s"), impressions=Text())

# The daily copy of each site's chain head, e-mailed to its managers (invoicing.services.closures.email_chain_heads).
CHAIN_HEAD_COPY = Message(
    "invoicing.chain_head_copy", _("Invoice chain of %(site)s: its head on %(moment)s"), site=Record(Site), moment=Moment()
)
CHAIN_HEAD_COPY_DETAILS = Message(
    "invoicing.chain_head_copy_details", _("Last link: #%(position)s, hash %(hash)s."), position=Text(), hash=Text()
)
CHAIN_HEAD_COPY_KEEP = Message(
    "invoicing.chain_head_copy_keep",
    _(
        "Keep this e-mail: it is a copy of the chain outside the database. If invoices, payments or closures were ever "
        "removed from the end of the chain, this link would be missing from it (python manage.py verify_invoice_chain)."
    ),
)
