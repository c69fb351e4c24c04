"""Date formats per language (settings.FORMAT_MODULE_PATH), read before Django's own.

Besides Django's names (DATE_FORMAT, MONTH_DAY_FORMAT…), every language
defines the project's named formats, used as ``{{ day|date:"LONG_DATE_FORMAT" }}``
or ``formats.date_format(day, "LONG_DATE_FORMAT")``; each language orders and
inflects them its own way (Russian months in the genitive: "4 декабря 2026").

- LONG_DATE_FORMAT, LONG_DATETIME_FORMAT: weekday, day, month and year (and time).
- LONG_MONTH_DAY_FORMAT, LONG_MONTH_DAY_TIME_FORMAT: weekday, day and month (and time).
- WEEKDAY_MONTH_DAY_FORMAT, WEEKDAY_MONTH_DAY_TIME_FORMAT: the same, abbreviated.
- MEDIUM_DATE_FORMAT, MEDIUM_DATETIME_FORMAT: day, abbreviated month and year (and time).
- MEDIUM_MONTH_DAY_FORMAT, MEDIUM_MONTH_DAY_TIME_FORMAT: day and abbreviated month (and time).

A language added to settings.LANGUAGES needs its module here with every name
(aftersales/tests/test_formatting.py checks them).
"""

NAMED_FORMATS = (
    "LONG_DATE_FORMAT",
    "LONG_DATETIME_FORMAT",
    "LONG_MONTH_DAY_FORMAT",
    "LONG_MONTH_DAY_TIME_FORMAT",
    "WEEKDAY_MONTH_DAY_FORMAT",
    "WEEKDAY_MONTH_DAY_TIME_FORMAT",
    "MEDIUM_DATE_FORMAT",
    "MEDIUM_DATETIME_FORMAT",
    "MEDIUM_MONTH_DAY_FORMAT",
    "MEDIUM_MONTH_DAY_TIME_FORMAT",
)
