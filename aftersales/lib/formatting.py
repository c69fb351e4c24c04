"""Money in the reader's locale: '1 234,50 €' in French, '€1,234.50' in English."""

from decimal import Decimal

from babel.numbers import format_currency
from django.utils.translation import get_language, to_locale


def format_money(amount: Decimal | int | None, currency: str, language: str | None = None) -> str:
    if amount is None:
        return ""
    locale = to_locale(language or get_language() or "en")
    return format_currency(Decimal(amount), currency, locale=locale)
