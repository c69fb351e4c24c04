"""The vehicle's last visits for the booking desk and the vehicle page (registered in InvoicingConfig.ready).

A visit is a work order that was not cancelled: the day it was opened (in the
site's time zone), its jobs (the declined ones left out: the desk lists them
as declined work), what was invoiced to the customer (credit notes deducted;
the order's total while nothing is invoiced yet) and whether it was a comeback:
the same concern (``appointments.concerns.same_concern``) as a visit of the
same vehicle less than 30 days before it.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from appointments.concerns import Concern, same_concern
from appointments.vehicle_history import PastVisit
from workshop.models import Approval, Payer, WorkOrder, WorkOrderJob, job_text_sources

from .models import Invoice

COMEBACK_WINDOW = timedelta(days=30)


def _jobs() -> Prefetch:
    return Prefetch("jobs", queryset=WorkOrderJob.objects.exclude(approval=Approval.DECLINED).select_related(*job_text_sources()))


def _concern(order: WorkOrder) -> Concern:
    jobs = order.jobs.all()
    return Concern.of(
        operations=[job.operation for job in jobs if job.operation_id],
        texts=[order.customer_words, *(job.concern for job in jobs)],
    )


def _customer_amount(order: WorkOrder) -> Decimal | None:
    invoices = order.invoices.all()
    if not invoices:
        return None
    return sum((invoice.sign * invoice.gross_total for invoice in invoices), Decimal("0"))


def past_visits(*, vehicle, limit: int) -> list[PastVisit]:
    """The vehicle's last ``limit`` work orders as visits: five queries whatever their number."""
    visits = WorkOrder.objects.filter(vehicle=vehicle).exclude(status=WorkOrder.Status.CANCELLED)
    shown = list(
        visits.select_related("site")
        .prefetch_related(
            _jobs(),
            Prefetch(
                "invoices",
                queryset=Invoice.objects.filter(status=Invoice.Status.ISSUED, payer=Payer.CUSTOMER).order_by("pk"),
            ),
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    if not shown:
        return []
    oldest = shown[-1]
    before = visits.filter(created_at__gte=oldest.created_at - COMEBACK_WINDOW, created_at__lt=oldest.created_at)
    earlier = list(before.select_related("site").prefetch_related(_jobs()).order_by("-created_at", "-pk"))
    timeline = [*shown, *earlier]  # newest first
    concerns = {order.pk: _concern(order) for order in timeline}
    result = []
    for index, order in enumerate(shown):
        comeback_of, reasons = None, []
        for previous in timeline[index + 1 :]:
            if order.created_at - previous.created_at > COMEBACK_WINDOW:
                break
            shared = same_concern(concerns[order.pk], concerns[previous.pk])
            if shared:
                comeback_of = timezone.localdate(previous.created_at, previous.site.tz)
                same_jobs = [job.localized_concern() for job in order.jobs.all() if job.operation_id in shared.operation_ids]
                reasons = shared.reasons() + same_jobs
                break
        amount = _customer_amount(order)
        result.append(
            PastVisit(
                day=timezone.localdate(order.created_at, order.site.tz),
                reference=order.number,
                url=order.get_absolute_url(),
                jobs=[job.localized_concern() for job in order.jobs.all()],
                amount=order.gross_total if amount is None else amount,
                currency=order.currency,
                invoiced=amount is not None,
                comeback_of=comeback_of,
                comeback_reasons=reasons,
            )
        )
    return result
