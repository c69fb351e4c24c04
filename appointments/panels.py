"""The Visits card on the customer 360 page (registered in AppointmentsConfig.ready)."""

from django.template.loader import render_to_string

from aftersales.customers.panels import CustomerPanel

from .selectors import customer_visits


def render_visits_card(request, customer) -> str:
    return render_to_string(
        "appointments/_customer_visits.html", {"customer": customer, "visits": customer_visits(customer=customer)}, request=request
    )


VISITS_PANEL = CustomerPanel(name="visits", order=10, render=render_visits_card)
