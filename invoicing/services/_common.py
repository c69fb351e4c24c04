"""What several of the invoicing services share: row locks, a draft's totals and language, entered numbers, closed periods,
what credit notes cancelled."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site
from aftersales.lib.formatting import format_number
from aftersales.lib.money import vat_rounding, vat_totals
from workshop.models import WorkOrder

from ..exceptions import DocumentFrozen, InvalidInvoiceInput, PeriodClosed
from ..models import Closure, Invoice, InvoiceLine


def fully_credited(invoices: QuerySet) -> QuerySet:
    """Those of the issued ``invoices`` whose credit notes add up to their whole total."""
    credited = (
        Invoice.objects.filter(credited=OuterRef("pk"), status=Invoice.Status.ISSUED)
        .values("credited")
        .annotate(total=Sum("gross_total"))
        .values("total")
    )
    return (
        invoices.filter(status=Invoice.Status.ISSUED)
        .annotate(credited_total=Subquery(credited))
        .filter(credited_total__gte=F("gross_total"))
    )


def lock_order(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("site", "customer", "vehicle").get(pk=work_order.pk)


def lock_draft(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update(of=("self",)).select_related("site", "work_order", "customer", "vehicle").get(pk=invoice.pk)
    if locked.is_issued:
        raise DocumentFrozen()
    return locked


def refresh_totals(invoice: Invoice) -> None:
    totals = vat_totals(((line.net, line.vat_rate, line.vat) for line in invoice.lines.all()), rounding=vat_rounding(invoice.site.country))
    invoice.net_total, invoice.vat_total, invoice.gross_total = totals.net, totals.vat, totals.gross
    invoice.save(update_fields=["net_total", "vat_total", "gross_total"])


def in_reader_language(line: InvoiceLine, language: str) -> bool:
    """Write a line copied from the catalogue (operation, part, inspection point) in ``language``; True when it changed."""
    text = line.localized_description(language)[:300]
    changed, line.description = text != line.description, text
    return changed


def checked_decimal(value: Any, field: str, *, minimum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInvoiceInput(_("Enter a number."), field=field) from None
    if not number.is_finite() or (minimum is not None and number < minimum):
        raise InvalidInvoiceInput(_("Enter a number of at least %(minimum)s.") % {"minimum": format_number(minimum)}, field=field)
    return number


def refuse_closed_period(site: Site, day: date) -> None:
    closure = Closure.objects.filter(site=site, starts_on__lte=day, ends_on__gte=day).first()
    if closure is not None:
        raise PeriodClosed(
            _("The %(period)s of %(day)s is closed: nothing can be recorded into it.")
            % {"period": closure.get_period_display().lower(), "day": day.isoformat()}
        )
