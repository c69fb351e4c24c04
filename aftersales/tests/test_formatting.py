from datetime import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation
from django.utils.translation import to_locale

from aftersales.formats import NAMED_FORMATS
from aftersales.lib.formatting import format_money, format_number


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


# --- One money format per language --------------------------------------------


@pytest.mark.parametrize(
    ("language", "euros", "roubles"),
    [
        ("en", "€30.00", "RUB\xa01,500.00"),  # a currency in letters keeps apart from the digits (CLDR)
        ("fr", "30,00\xa0€", "1\u202f500,00\xa0RUB"),
        ("ru", "30,00\xa0€", "1\xa0500,00\xa0₽"),
        ("zh-hans", "€30.00", "RUB\xa01,500.00"),
    ],
)
def test_every_amount_reads_one_way_per_language(language, euros, roubles):
    with translation.override(language):
        shown = Template("{% load money %}{{ euros|money:'EUR' }}|{{ roubles|money:'RUB' }}").render(
            Context({"euros": Decimal("30"), "roubles": Decimal("1500")})
        )
    assert (format_money(Decimal("30.00"), "EUR", language), format_money(Decimal("1500"), "RUB", language)) == (euros, roubles)
    assert shown == f"{euros}|{roubles}"


# --- Numbers in messages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["3.5", "6.8", "60,000", "3"]),
        ("fr", ["3,5", "6,8", "60\xa0000", "3"]),
        ("ru", ["3,5", "6,8", "60\xa0000", "3"]),
        ("zh-hans", ["3.5", "6.8", "60,000", "3"]),
    ],
)
def test_numbers_in_messages_use_the_languages_separators(language, expected):
    with translation.override(language):
        shown = [format_number(Decimal("3.50")), format_number(Decimal("6.84"), 1), format_number(60000), format_number(Decimal("3.00"))]
    assert shown == expected


# --- Dates ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_defines_every_named_date_format(language):
    module = import_module(f"aftersales.formats.{to_locale(language)}.formats")
    assert [name for name in NAMED_FORMATS if not getattr(module, name, "")] == []


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("ru", "MEDIUM_DATE_FORMAT", "4 декабря 2026"),
        ("ru", "LONG_DATETIME_FORMAT", "Пятница, 4 декабря 2026, 14:53"),
        ("ru", "MONTH_DAY_FORMAT", "4 декабря"),
        ("ru", "DATE_FORMAT", "4 декабря 2026 г."),
        ("fr", "LONG_DATETIME_FORMAT", "Vendredi 4 décembre 2026, 14:53"),
        ("fr", "WEEKDAY_MONTH_DAY_FORMAT", "ven 4 déc."),
        ("en", "LONG_DATETIME_FORMAT", "Friday 4 December 2026, 14:53"),
        ("zh-hans", "LONG_DATETIME_FORMAT", "2026年12月4日 星期五 14:53"),
    ],
)
def test_dates_read_as_the_language_writes_them(language, name, expected):
    with translation.override(language):
        assert formats.date_format(datetime(2026, 12, 4, 14, 53), name) == expected


def test_russian_day_headings_never_use_the_nominative_month():
    with translation.override("ru"):
        rendered = Template('{{ day|date:"LONG_MONTH_DAY_FORMAT" }} · {{ day|date:"MEDIUM_MONTH_DAY_TIME_FORMAT" }}').render(
            Context({"day": datetime(2026, 5, 1, 9, 0)})
        )
    assert rendered == "Пятница, 1 мая · 1 мая, 09:00"
