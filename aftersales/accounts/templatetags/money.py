from django import template

from aftersales.lib.formatting import format_money

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """{{ line.price|money:site.currency }} in the active language's format."""
    return format_money(amount, currency)
