from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.lib.formatting import format_money

from ..queries import Unit

register = template.Library()


@register.filter
def kpi_figure(value: Decimal | None, unit_and_currency: str) -> str:
    """A KPI's figure in its unit ("12.5 %", "3.2 days"...); a dash when there is nothing to compute it from."""
    unit, _sep, currency = unit_and_currency.partition(":")
    if value is None:
        return "–"
    if unit == Unit.MONEY:
        return format_money(value, currency, get_language())
    shown = number_format(value, decimal_pos=0 if unit == Unit.COUNT else 1, use_l10n=True)
    return _pattern(get_language(), unit) % {"value": shown}


@register.filter
def kpi_number(value: Decimal | None, unit_and_currency: str) -> str:
    """A KPI's figure without its unit, for a chart's axis and points (the unit is in the figure above it)."""
    unit = unit_and_currency.partition(":")[0]
    if value is None:
        return "–"
    return number_format(value, decimal_pos=0 if unit in (Unit.COUNT, Unit.MONEY) else 1, use_l10n=True, force_grouping=True)


@lru_cache(maxsize=64)
def _pattern(language: str, unit: str) -> str:
    """The unit's pattern in ``language`` (the active one): a dashboard formats thousands of figures."""
    return {
        Unit.PERCENT: _("%(value)s %%"),
        Unit.DAYS: _("%(value)s days"),
        Unit.HOURS: _("%(value)s h"),
        Unit.PER_MONTH: _("%(value)s / month"),
    }.get(unit, "%(value)s")
