"""The workshop's part of a customer's export and erasure (aftersales.customers.privacy).

A signed work order is the contract for the work: its texts and its
signature (drawn image or code hash) are kept; the walk-around photos are
not needed once the car is back and are deleted, files and rows.
"""

from django.utils.translation import gettext

from aftersales.customers.privacy import rows

from .models import Signature, WorkOrder, WorkOrderJob, WorkOrderPhoto


def export_work_orders(customer) -> list[dict]:
    orders = WorkOrder.objects.filter(customer=customer).order_by("pk")
    return [
        *rows(orders),
        *rows(WorkOrderJob.objects.filter(work_order__in=orders).order_by("pk")),
        *rows(WorkOrderPhoto.objects.filter(work_order__in=orders).order_by("pk")),
        *rows(Signature.objects.filter(work_order__in=orders).order_by("pk")),
    ]


def erase_work_orders(customer) -> list[str]:
    for photo in WorkOrderPhoto.objects.filter(work_order__customer=customer):
        photo.image.delete(save=False)
        photo.delete()
    orders = WorkOrder.objects.filter(customer=customer, signature__isnull=False).values_list("number", flat=True)
    return [gettext("Work order %(number)s: signed contract kept with its signature.") % {"number": number} for number in orders]
