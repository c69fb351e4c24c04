"""Marketing messages carry their way out: one click for an e-mail (RFC 8058), the STOP instruction for an SMS.

A marketing message is one queued with ``Purpose.MARKETING``; the types of
``catalogue.MARKETING_TYPES`` (maintenance reminders, offers) can only be
queued so. Its e-mail carries ``List-Unsubscribe`` (the customer's signed
unsubscribe page, and a ``mailto:`` to the address it comes from when that is
the site's or the brand's own) with ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``, and the same page as a link in its footer. Its
SMS ends with the STOP instruction in the message's language, added after the
template so that an edited text cannot drop it; the STOP reply itself is
``services.receive_sms``.

The page needs no login: a GET only asks (mail scanners open links), a POST
withdraws the customer's e-mail consent at once, be it the page's button or
the mail program's one-click POST, which carries no CSRF token of ours.
"""

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.customers.models import Channel, ConsentRecord, Customer
from aftersales.customers.services import record_consent
from aftersales.lib.signing import LinkError, make_token, read_token

UNSUBSCRIBE_PURPOSE = "unsubscribe-email"
# A reminder may be read months after it was sent; past this, the page says how to stop the e-mails anyway.
UNSUBSCRIBE_MAX_AGE = timedelta(days=400)


def unsubscribe_url(customer: Customer) -> str:
    token = make_token(purpose=UNSUBSCRIBE_PURPOSE, pk=customer.pk)
    return settings.SITE_URL + reverse("messaging:unsubscribe", kwargs={"token": token})


def unsubscribe_headers(*, customer: Customer, sender: str) -> dict[str, str]:
    """The RFC 2369 and RFC 8058 headers of a marketing e-mail from ``sender`` ("Name <address>")."""
    targets = [f"<{unsubscribe_url(customer)}>"]
    address = parseaddr(sender)[1]
    if address and address != settings.DEFAULT_FROM_EMAIL:
        targets.append(f"<mailto:{address}?subject=unsubscribe>")
    return {"List-Unsubscribe": ", ".join(targets), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def with_stop_instruction(text: str) -> str:
    """A marketing SMS ending with how to stop such messages, in the active language (never twice)."""
    instruction = _("Reply STOP to stop these messages.")
    return text if instruction in text else f"{text} {instruction}"


def linked_customer(token: str) -> Customer:
    """The customer an unsubscribe link was made for, or LinkError (altered, for something else, too old)."""
    pk = read_token(token, purpose=UNSUBSCRIBE_PURPOSE, max_age=UNSUBSCRIBE_MAX_AGE)
    customer = Customer.objects.select_related("site").filter(pk=pk).first()
    if customer is None:
        raise LinkError("invalid")
    return customer


def unsubscribe_from_marketing_email(*, customer: Customer, one_click: bool) -> ConsentRecord | None:
    """The customer's own withdrawal of their e-mail consent (no staff member: ``recorded_by`` stays empty);
    None when it was already withdrawn or never given."""
    source = ConsentRecord.Source.ONE_CLICK if one_click else ConsentRecord.Source.UNSUBSCRIBE_PAGE
    return record_consent(customer=customer, channel=Channel.EMAIL, granted=False, source=source, recorded_by=None)
