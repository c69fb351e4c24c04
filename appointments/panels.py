"""The Visits card on the customer 360 page and the last visits on the vehicle page (registered in AppointmentsConfig.ready)."""

from django.template.loader import render_to_string

from aftersales.customers.panels import CustomerPanel

from .selectors import customer_visits
from .vehicle_history import last_visits


def render_visits_card(request, customer) -> str:
    return render_to_string(
        "appointments/_customer_visits.html", {"customer": customer, "visits": customer_visits(customer=customer)}, request=request
    )


VISITS_PANEL = CustomerPanel(name="visits", order=10, render=render_visits_card)


def render_vehicle_visits_card(request, vehicle) -> str:
    return render_to_string("appointments/_vehicle_visits.html", {"visits": last_visits(vehicle=vehicle)}, request=request)


VEHICLE_VISITS_PANEL = CustomerPanel(name="last_visits", order=10, render=render_vehicle_visits_card)
