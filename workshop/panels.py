"""The deferred-work card on the customer 360 page (registered in WorkshopConfig.ready)."""

from django.template.loader import render_to_string

from aftersales.customers.panels import CustomerPanel

from .selectors import open_deferred_work


def render_deferred_work_card(request, customer) -> str:
    return render_to_string(
        "workshop/_customer_deferred_work.html",
        {"customer": customer, "items": open_deferred_work(customer=customer)},
        request=request,
    )


DEFERRED_WORK_PANEL = CustomerPanel(name="deferred_work", order=15, render=render_deferred_work_card)
