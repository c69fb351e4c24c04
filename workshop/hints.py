"""Declined recommendations and faults found but not fixed, still open, shown at the vehicle's next booking."""

from django.utils import formats
from django.utils.translation import gettext as _

from aftersales.lib.formatting import format_money
from appointments.hints import VehicleHint

from .recommendations import open_findings
from .selectors import open_deferred_work


def workshop_hints(vehicle) -> list[VehicleHint]:
    """The declined work still open, then the faults found at the last inspection and not fixed (the open
    deferred work read once for both)."""
    deferred = list(open_deferred_work(vehicle=vehicle))
    return _deferred_work_hints(deferred) + _open_findings_hints(vehicle, deferred)


def _deferred_work_hints(deferred) -> list[VehicleHint]:
    return [
        VehicleHint(
            text=work.localized_description(),
            detail=_("declined, due %(day)s, %(price)s")
            % {
                "day": formats.date_format(work.due_on, "SHORT_DATE_FORMAT"),
                "price": format_money(work.gross_price, work.currency),
            },
        )
        for work in deferred
    ]


def _open_findings_hints(vehicle, deferred) -> list[VehicleHint]:
    findings = open_findings(vehicle=vehicle, deferred=deferred)
    if findings is None:
        return []
    detail = _("found on %(day)s, not fixed") % {"day": formats.date_format(findings.checked_on, "SHORT_DATE_FORMAT")}
    return [VehicleHint(text=line, detail=detail) for line in findings.lines]
