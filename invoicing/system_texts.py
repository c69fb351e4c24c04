"""What the invoicing stage writes by itself (the salesperson's notice of a test-drive lead), kept as codes and shown
in the reader's language (aftersales.lib.system_texts)."""

from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Customer
from aftersales.lib.system_texts import Message, Record, Text

SALES_LEAD_PASSED = Message(
    "invoicing.sales_lead_passed",
    _("Test-drive lead: %(customer)s tried the %(model)s"),
    customer=Record(Customer),
    model=Text(),
)
SALES_LEAD_DETAILS = Message("invoicing.sales_lead_details", _("Impressions: %(impressions)s"), impressions=Text())
