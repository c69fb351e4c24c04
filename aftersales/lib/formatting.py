"""Money and numbers in the reader's locale: '1 234,50 €' in French, '€1,234.50' in English, '60 000' km.

Every amount shown anywhere (pages, PDFs, messages, form labels) goes through
``format_money`` (``{{ amount|money:currency }}`` in templates): one format per
language. Numbers put into a message go through ``format_number``, with the
same separators as the numbers of the pages.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency
from django.utils.formats import number_format
from django.utils.translation import get_language, to_locale

# CLDR's currency spacing: a currency written in letters ("RUB") is kept apart from the digits by a no-break space.
_LETTERS_TOUCHING_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def format_money(amount: Decimal | int | None, currency: str, language: str | None = None) -> str:
    if amount is None:
        return ""
    locale = to_locale(language or get_language() or "en")
    return _LETTERS_TOUCHING_DIGITS.sub("\xa0", format_currency(Decimal(amount), currency, locale=locale))


def format_number(value: Decimal | int | float, decimal_places: int | None = None) -> str:
    """A number in the active language's format, thousands grouped: '60 000', '3,5' in French.

    With ``decimal_places`` the number is rounded half up to them; without, a Decimal loses its trailing
    zeros ("2.50" reads '2,5', "3.00" '3').
    """
    if decimal_places is not None:
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimal_places), ROUND_HALF_UP)
    elif isinstance(value, Decimal):
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)
