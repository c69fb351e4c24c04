"""Closures: the totals of a day, a month or a year recorded (chained) and the period frozen.

Payments count the money that came in less the money refunded (``refunds_total`` also records the refunds);
what moves through a customer's credit (an overpayment kept, then used by the next invoice) is no money.
A closure records the chain head it saw (``head_position``, ``head_hash``, bound into its content): the chain's
verification checks that this link is still there. Each day, the site's managers get the head by e-mail
(``email_chain_heads``): a copy outside the database.
"""

import calendar
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.accounts.notifications import notify_staff, site_managers
from aftersales.audit.services import record_change
from aftersales.lib.money import ZERO, to_cents

from ..chain import append_to_chain, closure_content, lock_chain_head
from ..exceptions import InvalidInvoiceInput
from ..models import ChainHead, Closure, Invoice, Payment
from ..system_texts import CHAIN_HEAD_COPY, CHAIN_HEAD_COPY_DETAILS, CHAIN_HEAD_COPY_KEEP


def period_bounds(period: str, day: date) -> tuple[date, date]:
    if period == Closure.Period.DAY:
        return day, day
    if period == Closure.Period.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if period == Closure.Period.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise InvalidInvoiceInput(_("Choose a day, a month or a year."), field="period")


def _document_totals(site: Site, **period) -> tuple[int, Decimal, Decimal, Decimal]:
    count, net, vat, gross = 0, ZERO, ZERO, ZERO
    for kind, n, v, g, c in (
        Invoice.objects.filter(site=site, status=Invoice.Status.ISSUED, **period)
        .values("kind")
        .annotate(n=Sum("net_total"), v=Sum("vat_total"), g=Sum("gross_total"), c=Count("pk"))
        .values_list("kind", "n", "v", "g", "c")
    ):
        sign = -1 if kind == Invoice.Kind.CREDIT_NOTE else 1
        count, net, vat, gross = count + c, net + sign * n, vat + sign * v, gross + sign * g
    return count, net, vat, gross


def money_moved(site: Site, *, starts_on: date, ends_on: date) -> tuple[Decimal, Decimal]:
    """(money received, money refunded) at the site in the period, customer credit left out."""
    totals = (
        Payment.objects.filter(site=site, received_on__gte=starts_on, received_on__lte=ends_on)
        .exclude(method=Payment.Method.CREDIT)
        .aggregate(
            received=Sum("amount", filter=Q(kind=Payment.Kind.PAYMENT)),
            refunded=Sum("amount", filter=Q(kind=Payment.Kind.REFUND)),
        )
    )
    return to_cents(totals["received"] or ZERO), to_cents(totals["refunded"] or ZERO)


def close_period(*, site: Site, period: str, day: date, actor: User) -> Closure:
    """Record the totals of a day, month or year and freeze it; the grand total runs from the first invoice."""
    starts_on, ends_on = period_bounds(period, day)
    today = timezone.localtime(timezone.now(), site.tz).date()
    if starts_on > today:
        raise InvalidInvoiceInput(_("A period that has not started cannot be closed."), field="day")
    if period != Closure.Period.DAY and ends_on >= today:
        raise InvalidInvoiceInput(_("A month or a year is closed once it has ended."), field="day")
    with transaction.atomic():
        head = lock_chain_head(site)
        if Closure.objects.filter(site=site, period=period, starts_on=starts_on).exists():
            raise InvalidInvoiceInput(_("This period is already closed."), field="day")
        count, net, vat, gross = _document_totals(site, issued_on__gte=starts_on, issued_on__lte=ends_on)
        grand = _document_totals(site, issued_on__lte=ends_on)[3]
        payments, refunds = money_moved(site, starts_on=starts_on, ends_on=ends_on)
        closure = Closure(
            site=site,
            period=period,
            starts_on=starts_on,
            ends_on=ends_on,
            document_count=count,
            net_total=net,
            vat_total=vat,
            gross_total=gross,
            payments_total=payments - refunds,
            refunds_total=refunds,
            grand_total=grand,
            closed_at=timezone.now(),
            closed_by=actor,
            head_position=head.position,
            head_hash=head.hash,
        )
        append_to_chain(head, closure, closure_content(closure))
        closure.save()
        record_change(actor=actor, obj=closure, action="create", changes={"grand_total": [None, str(grand)], "hash": [None, closure.hash]})
    return closure


def email_chain_heads(*, now: datetime) -> int:
    """E-mail each site's chain head to its managers, once per day of the site: how many heads were e-mailed."""
    heads = ChainHead.objects.filter(position__gt=0).order_by("pk").values_list("pk", flat=True)
    return sum(_email_chain_head(pk, now=now) for pk in heads)


def _email_chain_head(pk: int, *, now: datetime) -> int:
    with transaction.atomic():
        head = ChainHead.objects.select_for_update(of=("self",)).select_related("site").get(pk=pk)
        today = timezone.localtime(now, head.site.tz).date()
        if head.reported_on == today:
            return 0
        head.reported_on = today
        head.save(update_fields=["reported_on"])
        notify_staff(
            recipients=site_managers(head.site),
            subject=CHAIN_HEAD_COPY(site=head.site, moment=now),
            lines=[CHAIN_HEAD_COPY_DETAILS(position=head.position, hash=head.hash), CHAIN_HEAD_COPY_KEEP()],
            link=reverse("invoicing:closures"),
            site=head.site,
        )
    return 1
