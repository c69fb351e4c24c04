"""Simplified Chinese: year, month, day, then the weekday: "2026年12月4日 星期五 14:30"; thousands grouped by
three with a comma ("60,000 公里"), as the amounts are ("€1,234.50")."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

LONG_DATE_FORMAT = "Y年n月j日 l"
LONG_DATETIME_FORMAT = "Y年n月j日 l H:i"
LONG_MONTH_DAY_FORMAT = "n月j日 l"
LONG_MONTH_DAY_TIME_FORMAT = "n月j日 l H:i"
WEEKDAY_MONTH_DAY_FORMAT = "n月j日 D"
WEEKDAY_MONTH_DAY_TIME_FORMAT = "n月j日 D H:i"
MEDIUM_DATE_FORMAT = "Y年n月j日"
MEDIUM_DATETIME_FORMAT = "Y年n月j日 H:i"
MEDIUM_MONTH_DAY_FORMAT = "n月j日"
MEDIUM_MONTH_DAY_TIME_FORMAT = "n月j日 H:i"
