"""Declined recommendations and faults found but not fixed, still open, shown at the vehicle's next booking."""

from django.utils import formats
from django.utils.translation import gettext as _

from aftersales.lib.formatting import format_money
from appointments.hints import VehicleHint

from .recommendations import open_findings
from .selectors import open_deferred_work


def deferred_work_hints(vehicle) -> list[VehicleHint]:
    return [
        VehicleHint(
            text=work.localized_description(),
            detail=_("declined, due %(day)s, %(price)s")
            % {
                "day": formats.date_format(work.due_on, "SHORT_DATE_FORMAT"),
                "price": format_money(work.gross_price, work.currency),
            },
        )
        for work in open_deferred_work(vehicle=vehicle)
    ]


def open_findings_hints(vehicle) -> list[VehicleHint]:
    findings = open_findings(vehicle=vehicle, deferred=open_deferred_work(vehicle=vehicle))
    if findings is None:
        return []
    detail = _("found on %(day)s, not fixed") % {"day": formats.date_format(findings.checked_on, "SHORT_DATE_FORMAT")}
    return [VehicleHint(text=line, detail=detail) for line in findings.lines]
