"""The follow-up card on the customer 360 page (registered in FollowupConfig.ready)."""

from django.template.loader import render_to_string

from aftersales.customers.panels import CustomerPanel

from .selectors import customer_concerns


def render_concerns_card(request, customer) -> str:
    return render_to_string(
        "followup/_customer_concerns.html",
        {"customer": customer, "concerns": customer_concerns(customer=customer)},
        request=request,
    )


CONCERNS_PANEL = CustomerPanel(name="concerns", order=20, render=render_concerns_card)
