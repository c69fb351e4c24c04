"""The Messages card on the customer 360 page (registered in MessagingConfig.ready), after the stages' cards."""

from django.template.loader import render_to_string

from aftersales.customers.panels import CustomerPanel

from .selectors import customer_messaging_context


def render_messages_card(request, customer) -> str:
    return render_to_string(
        "messaging/_customer_messages.html",
        customer_messaging_context(customer=customer, page=request.GET.get("msg_page")),
        request=request,
    )


MESSAGES_PANEL = CustomerPanel(name="messages", order=100, render=render_messages_card)
