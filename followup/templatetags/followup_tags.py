"""Follow-up fragments for other apps' pages, without those apps importing this one."""

from django import template

from followup.selectors import customer_concerns as list_customer_concerns

register = template.Library()


@register.inclusion_tag("followup/_customer_concerns.html", takes_context=True)
def customer_concerns(context, customer):
    """The customer's concerns card for the 360 page: ``{% load followup_tags %}{% customer_concerns customer %}``."""
    return {"customer": customer, "concerns": list_customer_concerns(customer=customer), "perms": context.get("perms")}
