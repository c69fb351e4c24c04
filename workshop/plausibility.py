"""When a job's clocked time is implausible against its sold (flat-rate) hours.

A sign-off is flagged for the foreman when the time clocked on the job is under ``CLOCKED_SHARE_MIN`` or over
``CLOCKED_SHARE_MAX`` of its sold hours, unless clocked and sold hours are less than ``CLOCKING_TOLERANCE`` apart
(a short job clocked a few minutes off is not worth the foreman's time). A job sold 0 hours is never flagged: it
adds nothing to the sold hours the efficiency figure would inflate. A job of 3.5 sold hours is thus flagged when
clocked under 52.5 minutes or over 14 hours; a job of 0.3 hours (18 minutes) only when clocked over 1 h 12.
"""

from datetime import timedelta
from decimal import Decimal

CLOCKED_SHARE_MIN = Decimal("0.25")  # clocked under a quarter of the sold hours: signed off without clocking the work
CLOCKED_SHARE_MAX = Decimal("4")  # clocked over four times the sold hours: a clock left running
CLOCKING_TOLERANCE = timedelta(minutes=15)  # never flagged when clocked and sold hours are this close


def as_duration(hours: Decimal) -> timedelta:
    return timedelta(seconds=float(hours * 3600))


def is_implausible(*, sold_hours: Decimal, clocked: timedelta) -> bool:
    """Whether ``clocked`` is too far from ``sold_hours`` to count in the efficiency figure unconfirmed."""
    sold = as_duration(sold_hours)
    if sold <= timedelta(0) or abs(clocked - sold) < CLOCKING_TOLERANCE:
        return False
    return clocked < sold * float(CLOCKED_SHARE_MIN) or clocked > sold * float(CLOCKED_SHARE_MAX)
