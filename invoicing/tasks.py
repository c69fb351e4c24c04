"""Thin Celery tasks: take ids, call a service."""

from celery import shared_task


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_invoice(invoice_id: int) -> None:
    from .models import Invoice
    from .services import deliver_invoice as deliver

    deliver(invoice=Invoice.objects.select_related("site", "customer", "vehicle", "work_order").get(pk=invoice_id))
