"""Payments: what the customer owes, payments and deposits (chained), and a manager's release of a car with a balance due."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import record_change
from aftersales.lib.formatting import format_money
from aftersales.lib.money import ZERO, to_cents
from workshop.models import Payer, WorkOrder

from ..chain import append_to_chain, lock_chain_head, payment_content
from ..exceptions import BalanceDue, InvalidInvoiceInput
from ..models import Invoice, Payment, ReleaseAuthorization
from ._common import checked_decimal, lock_order, refuse_closed_period


@dataclass(frozen=True)
class Balance:
    invoiced: Decimal
    paid: Decimal
    deposits: Decimal

    @property
    def due(self) -> Decimal:
        return self.invoiced - self.paid


def balance_of(work_order: WorkOrder) -> Balance:
    """What the customer owes on the order: issued customer invoices less credit notes, less every payment and deposit."""
    issued = Invoice.objects.filter(work_order=work_order, status=Invoice.Status.ISSUED, payer=Payer.CUSTOMER)
    invoiced = (issued.filter(kind=Invoice.Kind.INVOICE).aggregate(total=Sum("gross_total"))["total"] or ZERO) - (
        issued.filter(kind=Invoice.Kind.CREDIT_NOTE).aggregate(total=Sum("gross_total"))["total"] or ZERO
    )
    payments = Payment.objects.filter(work_order=work_order)
    paid = payments.aggregate(total=Sum("amount"))["total"] or ZERO
    deposits = payments.filter(is_deposit=True).aggregate(total=Sum("amount"))["total"] or ZERO
    return Balance(invoiced=invoiced, paid=paid, deposits=deposits)


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
    if method not in Payment.Method.values:
        raise InvalidInvoiceInput(_("Choose a payment method from the list."), field="method")
    amount = checked_decimal(amount, "amount", minimum=Decimal("0.01"))
    if amount != to_cents(amount):
        raise InvalidInvoiceInput(_("Enter the amount in cents at most."), field="amount")
    amount = to_cents(amount)
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
        now = timezone.now()
        day = timezone.localtime(now, order.site.tz).date()
        refuse_closed_period(order.site, day)
        balance = balance_of(order)
        is_deposit = balance.invoiced == 0
        if not is_deposit and amount > balance.due:
            raise InvalidInvoiceInput(
                _("The balance due is %(due)s: the amount cannot be more.") % {"due": format_money(balance.due, order.currency)},
                field="amount",
            )
        payment = Payment(
            site=order.site,
            work_order=order,
            method=method,
            amount=amount,
            tendered=tendered,
            change_given=change,
            currency=order.currency,
            is_deposit=is_deposit,
            reference=reference.strip()[:80],
            received_at=now,
            received_on=day,
            received_by=actor,
        )
        append_to_chain(head, payment, payment_content(payment))
        payment.save()
        record_change(actor=actor, obj=order, action="update", changes={"payment": [None, f"{payment.method} {payment.amount}"]})
    return payment


def authorize_release(*, work_order: WorkOrder, actor: User, reason: str) -> ReleaseAuthorization:
    """A manager lets the car go with a balance due; who, why and how much are kept."""
    if not actor.has_perm("invoicing.authorize_release"):
        raise BalanceDue(_("Only a manager can release a car with a balance due."), field="reason")
    if not reason.strip():
        raise BalanceDue(_("Say why the car may leave with a balance due."), field="reason")
    with transaction.atomic():
        order = lock_order(work_order)
        due = balance_of(order).due
        if due <= 0:
            raise BalanceDue(_("Nothing is due on this order."), field="reason")
        release = ReleaseAuthorization.objects.create(work_order=order, balance=due, reason=reason.strip()[:300], authorized_by=actor)
        record_change(actor=actor, obj=order, action="update", changes={"released_with_balance": [None, str(due)]})
    return release


def may_release(work_order: WorkOrder) -> bool:
    due = balance_of(work_order).due
    return due <= 0 or ReleaseAuthorization.objects.filter(work_order=work_order, balance__gte=due).exists()
