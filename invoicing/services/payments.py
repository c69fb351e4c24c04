"""Payments: what the customer owes, payments, deposits and refunds (chained), the customer's credit, and a manager's
release of a car with money owed either way.

Cash follows the site's country (``invoicing.country_rules``): above its limit a cash payment (or refund) is refused
with the rule and the other ways to pay. Money paid beyond the invoices is given back by a refund, whose method is
recorded, or kept as the customer's credit (a refund of method ``credit``): the customer's next invoice at the site
is paid from it when issued (``use_customer_credit``).
"""

from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.audit.services import record_change
from aftersales.customers.models import Customer
from aftersales.lib.formatting import format_money
from aftersales.lib.money import ZERO, to_cents
from workshop.models import Payer, WorkOrder

from ..chain import append_to_chain, lock_chain_head, payment_content
from ..country_rules import rules_for
from ..exceptions import BalanceDue, CashLimitExceeded, InvalidInvoiceInput
from ..models import ChainHead, Invoice, Payment, ReleaseAuthorization
from ._common import checked_decimal, lock_order, refuse_closed_period

REFUND = Payment.Kind.REFUND
CREDIT = Payment.Method.CREDIT


@dataclass(frozen=True)
class Balance:
    invoiced: Decimal
    paid: Decimal
    deposits: Decimal
    documents: int = 0  # issued customer invoices and credit notes

    @property
    def due(self) -> Decimal:
        """What the customer still owes; negative when they paid more than the invoices (money owed to them)."""
        return self.invoiced - self.paid

    @property
    def overpaid(self) -> Decimal:
        """Paid beyond the issued invoices (a deposit taken before any invoice is not)."""
        return max(-self.due, ZERO) if self.documents else ZERO


def _total(rows, **filters) -> Decimal:
    # On SQLite a sum comes back through a float: rounded to cents, it is what was stored.
    return to_cents(rows.filter(**filters).aggregate(total=Sum("amount"))["total"] or ZERO)


def balance_of(work_order: WorkOrder) -> Balance:
    """The customer's account on the order: issued customer invoices less credit notes, less payments net of refunds."""
    issued = Invoice.objects.filter(work_order=work_order, status=Invoice.Status.ISSUED, payer=Payer.CUSTOMER)
    totals = issued.aggregate(
        documents=Count("pk"),
        invoiced=Sum("gross_total", filter=Q(kind=Invoice.Kind.INVOICE)),
        credited=Sum("gross_total", filter=Q(kind=Invoice.Kind.CREDIT_NOTE)),
    )
    invoiced = to_cents(totals["invoiced"] or ZERO) - to_cents(totals["credited"] or ZERO)
    payments = Payment.objects.filter(work_order=work_order)
    paid = _total(payments, kind=Payment.Kind.PAYMENT) - _total(payments, kind=REFUND)
    deposits = _total(payments, kind=Payment.Kind.PAYMENT, is_deposit=True)
    return Balance(invoiced=invoiced, paid=paid, deposits=deposits, documents=totals["documents"])


def customer_credit(customer: Customer, site: Site) -> Decimal:
    """What the customer has in credit at the site: overpayments kept for them, less what their invoices used."""
    movements = Payment.objects.filter(work_order__customer=customer, site=site, method=CREDIT)
    return _total(movements, kind=REFUND) - _total(movements, kind=Payment.Kind.PAYMENT)


def _cash_limit_refusal(order: WorkOrder, amount: Decimal, already: Decimal):
    """The refusal of ``amount`` more cash on the order, or None when the site's country allows it."""
    limit = rules_for(order.site.country).cash_limit
    if limit is None:
        return None
    customer = order.customer
    resident = (customer.country or order.site.country).upper() == order.site.country.upper()
    if customer.kind != Customer.Kind.PRIVATE:
        cap, whom = limit.business, _("a business customer")
    elif resident:
        cap, whom = limit.resident, _("a private customer resident in %(country)s")
    else:
        cap, whom = limit.non_resident, _("a private customer not resident in %(country)s")
    if cap is None or already + amount <= cap:
        return None
    country = Locale.parse(translation.to_locale(translation.get_language() or "en")).territories.get(order.site.country.upper(), "")
    values = {
        "limit": format_money(cap, limit.currency),
        "whom": str(whom) % {"country": country},
        "rule": limit.rule,
        "paid": format_money(already, order.currency),
        "left": format_money(max(cap - already, ZERO), order.currency),
        "others": _("card, bank transfer, cheque or financing"),
    }
    if already:
        message = _(
            "Cash is limited to %(limit)s per purchase for %(whom)s (%(rule)s) and %(paid)s was already paid in cash: "
            "at most %(left)s more in cash, the rest by %(others)s."
        )
    else:
        message = _("Cash is limited to %(limit)s per purchase for %(whom)s (%(rule)s): take the payment by %(others)s.")
    return CashLimitExceeded(message % values, field="method")


def _chained_payment(head: ChainHead, order: WorkOrder, actor: User, **fields) -> Payment:
    now = timezone.now()
    payment = Payment(
        site=order.site,
        work_order=order,
        currency=order.currency,
        received_at=now,
        received_on=timezone.localtime(now, order.site.tz).date(),
        received_by=actor,
        **fields,
    )
    append_to_chain(head, payment, payment_content(payment))
    payment.save()
    return payment


def record_payment(
    *,
    work_order: WorkOrder,
    actor: User,
    method: str,
    amount: Decimal,
    tendered: Decimal | None = None,
    reference: str = "",
) -> Payment:
    """A payment (or, before the invoice, a deposit); for cash, what was handed over and the change given back."""
    if method not in Payment.Method.values or method == CREDIT:
        raise InvalidInvoiceInput(_("Choose a payment method from the list."), field="method")
    amount = _checked_amount(amount)
    change = ZERO
    if tendered is not None and tendered != "":
        if method != Payment.Method.CASH:
            raise InvalidInvoiceInput(_("Only cash is handed over with change."), field="tendered")
        tendered = to_cents(checked_decimal(tendered, "tendered", minimum=Decimal("0")))
        if tendered < amount:
            raise InvalidInvoiceInput(_("The cash handed over is less than the amount paid."), field="tendered")
        change = tendered - amount
    else:
        tendered = None
    with transaction.atomic():
        head = lock_chain_head(work_order.site)
        order = lock_order(work_order)
        if order.status == WorkOrder.Status.CANCELLED:
            raise InvalidInvoiceInput(_("This work order is cancelled."), field="work_order")
        refuse_closed_period(order.site, timezone.localtime(timezone.now(), order.site.tz).date())
        balance = balance_of(order)
        is_deposit = balance.invoiced == 0
        if not is_deposit and amount > balance.due:
            raise InvalidInvoiceInput(
                _("The balance due is %(due)s: the amount cannot be more.") % {"due": format_money(balance.due, order.currency)},
                field="amount",
            )
        if method == Payment.Method.CASH:
            cash_paid = _total(order.payments.all(), kind=Payment.Kind.PAYMENT, method=Payment.Method.CASH)
            refusal = _cash_limit_refusal(order, amount, cash_paid)
            if refusal is not None:
                raise refusal
        payment = _chained_payment(
            head,
            order,
            actor,
            method=method,
            amount=amount,
            tendered=tendered,
            change_given=change,
            is_deposit=is_deposit,
            reference=reference.strip()[:80],
        )
        record_change(actor=actor, obj=order, action="update", changes={"payment": [None, f"{payment.method} {payment.amount}"]})
    return payment


def _checked_amount(amount: Decimal) -> Decimal:
    amount = checked_decimal(amount, "amount", minimum=Decimal("0.01"))
    if amount != to_cents(amount):
        raise InvalidInvoiceInput(_("Enter the amount in cents at most."), field="amount")
    return to_cents(amount)


def refund_overpayment(*, work_order: WorkOrder, actor: User, method: str, amount: Decimal, reference: str = "") -> Payment:
    """Give back money paid beyond the invoices (the method recorded), or keep it as the customer's credit (``credit``)."""
    if method not in Payment.Method.values:
        raise InvalidInvoiceInput(_("Choose how the money goes back to the customer."), field="method")
    amount = _checked_amount(amount)
    with transaction.atomic():
        head = lock_chain_head(work_order.site)
        order = lock_order(work_order)
        refuse_closed_period(order.site, timezone.localtime(timezone.now(), order.site.tz).date())
        overpaid = balance_of(order).overpaid
        if amount > overpaid:
            raise InvalidInvoiceInput(
                _("The customer paid %(over)s beyond the invoices: the refund cannot be more.")
                % {"over": format_money(overpaid, order.currency)},
                field="amount",
            )
        if method == Payment.Method.CASH:
            refusal = _cash_limit_refusal(order, amount, ZERO)
            if refusal is not None:
                raise refusal
        refund = _chained_payment(head, order, actor, kind=REFUND, method=method, amount=amount, reference=reference.strip()[:80])
        record_change(actor=actor, obj=order, action="update", changes={"refund": [None, f"{refund.method} {refund.amount}"]})
    return refund


def use_customer_credit(*, head: ChainHead, work_order: WorkOrder, actor: User) -> Payment | None:
    """Pay what the order owes from the customer's credit at the site, as far as it goes (inside the caller's chained write)."""
    credit = customer_credit(work_order.customer, work_order.site)
    due = balance_of(work_order).due
    if credit <= 0 or due <= 0:
        return None
    payment = _chained_payment(head, work_order, actor, method=CREDIT, amount=min(credit, due))
    record_change(actor=actor, obj=work_order, action="update", changes={"payment": [None, f"{payment.method} {payment.amount}"]})
    return payment


def authorize_release(*, work_order: WorkOrder, actor: User, reason: str) -> ReleaseAuthorization:
    """A manager lets the car go with money owed either way (a balance due, or an overpayment not given back); who,
    why and how much are kept."""
    if not actor.has_perm("invoicing.authorize_release"):
        raise BalanceDue(_("Only a manager can release a car with a balance due."), field="reason")
    if not reason.strip():
        raise BalanceDue(_("Say why the car may leave with a balance due."), field="reason")
    with transaction.atomic():
        order = lock_order(work_order)
        due = balance_of(order).due
        if due == 0:
            raise BalanceDue(_("Nothing is due on this order."), field="reason")
        release = ReleaseAuthorization.objects.create(work_order=order, balance=due, reason=reason.strip()[:300], authorized_by=actor)
        record_change(actor=actor, obj=order, action="update", changes={"released_with_balance": [None, str(due)]})
    return release


def may_release(work_order: WorkOrder) -> bool:
    """Nothing is owed either way, or a manager recorded why the car leaves with this balance (or a smaller debt)."""
    due = balance_of(work_order).due
    if due == 0:
        return True
    covering = Q(balance__gte=due) if due > 0 else Q(balance=due)
    return ReleaseAuthorization.objects.filter(covering, work_order=work_order).exists()
