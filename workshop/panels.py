"""The deferred-work card on the customer 360 page, and the declined work and open recommendations on the vehicle page
(registered in WorkshopConfig.ready)."""

from django.template.loader import render_to_string

from aftersales.customers.panels import CustomerPanel

from .recommendations import open_findings
from .selectors import open_deferred_work


def render_deferred_work_card(request, customer) -> str:
    return render_to_string(
        "workshop/_customer_deferred_work.html",
        {"customer": customer, "items": open_deferred_work(customer=customer)},
        request=request,
    )


DEFERRED_WORK_PANEL = CustomerPanel(name="deferred_work", order=15, render=render_deferred_work_card)


def render_vehicle_open_work_card(request, vehicle) -> str:
    items = open_deferred_work(vehicle=vehicle)
    context = {"items": items, "findings": open_findings(vehicle=vehicle, deferred=items)}
    return render_to_string("workshop/_vehicle_open_work.html", context, request=request)


VEHICLE_OPEN_WORK_PANEL = CustomerPanel(name="open_work", order=15, render=render_vehicle_open_work_card)
