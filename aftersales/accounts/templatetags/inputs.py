"""``{{ bound_field|input_value }}``: a field's value as its widget writes it, for inputs a template writes by hand.

A number or a date printed with ``{{ field.value }}`` comes out in the reader's
format ("3,10", "04/12/2027"), which an HTML5 input shows as empty; the
widgets of aftersales/lib/html5_inputs.py write the machine format instead.
"""

from django import template

from aftersales.lib import html5_inputs

register = template.Library()


@register.filter
def input_value(bound_field) -> str:
    return html5_inputs.input_value(bound_field)
