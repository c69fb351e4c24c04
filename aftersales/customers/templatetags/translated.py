from django import template

register = template.Library()


@register.filter
def localized(row, field: str) -> str:
    """{{ part|localized:"name" }}: a reference row's text in the active language (see customers.models.Translated)."""
    return row.localized(field) if row is not None else ""
