from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from aftersales.lib.formatting import format_money


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,234.50"), ("fr", "1\u202f234,50\xa0€"), ("ru", "1\xa0234,50\xa0€"), ("zh-hans", "€1,234.50")],
)
def test_money_follows_the_language_format(language, expected):
    assert format_money(Decimal("1234.5"), "EUR", language) == expected


def test_roubles_show_their_sign_in_russian():
    assert format_money(Decimal("990"), "RUB", "ru") == "990,00\xa0₽"


def test_the_template_filter_uses_the_active_language():
    with translation.override("fr"):
        rendered = Template("{% load money %}{{ amount|money:'EUR' }}").render(Context({"amount": Decimal("12")}))
    assert rendered == "12,00\xa0€"


def test_no_amount_renders_nothing():
    assert format_money(None, "EUR", "en") == ""
