"""What the vehicle's last visit left open, for the booking desk and the vehicle page: the work the customer declined
(``DeferredWork``, kept until a later job sells it) and the faults the last quality check found and did not fix."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from aftersales.lib.text import fold

from .models import DeferredWork, QualityCheck


@dataclass(frozen=True)
class OpenFindings:
    checked_on: date  # the day of the quality check, in the site's time zone
    lines: list[str]


def open_findings(*, vehicle, deferred: list[DeferredWork]) -> OpenFindings | None:
    """The findings not fixed written at the vehicle's last passed quality check, one per line, without the ones
    already listed as declined work (``deferred``: the vehicle's open deferred work, whatever language it was copied in)."""
    check = (
        QualityCheck.objects.filter(work_order__vehicle=vehicle, passed=True)
        .select_related("work_order__site")
        .order_by("-checked_at", "-pk")
        .first()
    )
    if check is None:
        return None
    declined = {
        fold(text)
        for work in deferred
        for text in (work.description, *(work.localized_description(code) for code, _name in settings.LANGUAGES))
    }
    lines = [line.strip() for line in check.unfixed_findings.splitlines() if line.strip() and fold(line) not in declined]
    if not lines:
        return None
    return OpenFindings(checked_on=timezone.localdate(check.checked_at, check.work_order.site.tz), lines=lines)
