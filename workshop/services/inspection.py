"""The multi-point inspection: the checklist of the vehicle's brand, rated point by point (green, amber, red) with
measurements and notes; each amber or red point becomes a priced proposal waiting for the customer's approval."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import record_change
from aftersales.customers.models import LabourOperation

from ..exceptions import InspectionRefused
from ..models import Inspection, InspectionResult, InspectionTemplate, Rating, WorkOrder, WorkOrderJob
from ._common import Status, lock_order
from .reception import add_job


def checklist_for(work_order: WorkOrder) -> InspectionTemplate | None:
    """The active checklist of the vehicle's brand, else the one for every brand."""
    templates = InspectionTemplate.objects.filter(active=True, items__isnull=False).distinct()
    make = (work_order.vehicle.make or "").strip()
    return (templates.filter(brand__name__iexact=make).order_by("pk").first() if make else None) or (
        templates.filter(brand__isnull=True).order_by("pk").first()
    )


def start_inspection(*, work_order: WorkOrder, actor: User) -> Inspection:
    with transaction.atomic():
        order = lock_order(work_order)
        existing = Inspection.objects.filter(work_order=order).first()
        if existing is not None:
            return existing
        if order.status not in (Status.SIGNED, Status.IN_WORKSHOP):
            raise InspectionRefused(_("The inspection is done while the car is in the workshop."), field="status")
        template = checklist_for(order)
        if template is None:
            raise InspectionRefused(_("No inspection checklist is set up; ask the administrator."), field="status")
        inspection = Inspection.objects.create(work_order=order, template=template, started_by=actor)
        InspectionResult.objects.bulk_create(InspectionResult(inspection=inspection, item=item) for item in template.items.all())
        record_change(actor=actor, obj=order, action="update", changes={"inspection": [None, template.name]})
    return inspection


def save_inspection(
    *, inspection: Inspection, actor: User, results: Mapping[int, Mapping[str, Any]], complete: bool = False, now=None
) -> Inspection:
    """Save the ratings, measurements and notes ({result pk: {rating, measurement, notes}}).

    Completing needs every point rated; each amber or red point then becomes a
    priced proposal (its labour operation with the parts kit, or the point's
    hours) waiting for the customer's approval.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = lock_order(inspection.work_order)
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.completed_at is not None:
            raise InspectionRefused(_("This inspection is complete; report anything new as a finding."), field="status")
        rows = {row.pk: row for row in locked.results.select_related("item__operation")}
        for pk, values in results.items():
            row = rows.get(pk)
            if row is None:
                raise InspectionRefused(_("This point is not on the inspection."), field="rating")
            rating, measurement = values.get("rating", ""), values.get("measurement")
            if rating not in ("", *Rating.values):
                raise InspectionRefused(_("Rate “%(point)s” green, amber or red.") % {"point": row.item.localized("label")})
            if measurement is not None and measurement < 0:
                raise InspectionRefused(
                    _("A measurement cannot be negative (“%(point)s”).") % {"point": row.item.localized("label")}, field="measurement"
                )
            changed = (row.rating, row.measurement, row.notes) != (rating, measurement, values.get("notes", "").strip()[:300])
            if changed:
                row.rating, row.measurement, row.notes = rating, measurement, values.get("notes", "").strip()[:300]
                row.checked_by, row.checked_at = actor, now
                row.save(update_fields=["rating", "measurement", "notes", "checked_by", "checked_at"])
        if complete:
            unrated = [row.item.localized("label") for row in rows.values() if not row.rating]
            if unrated:
                raise InspectionRefused(_("Rate every point before completing: %(points)s.") % {"points": ", ".join(unrated[:5])})
            for row in rows.values():
                if row.rating in (Rating.AMBER, Rating.RED):
                    _propose(order, row, actor)
            locked.completed_by, locked.completed_at = actor, now
            locked.save(update_fields=["completed_by", "completed_at"])
            record_change(actor=actor, obj=order, action="update", changes={"inspection": [None, "completed"]})
    return locked


def _propose(order: WorkOrder, row: InspectionResult, actor: User) -> WorkOrderJob:
    item = row.item
    concern = item.localized("label", order.customer.language) + (f": {row.notes}" if row.notes else "")
    if item.operation is not None:
        return add_job(work_order=order, actor=actor, concern=concern, operation=item.operation, inspection_result=row)
    return add_job(
        work_order=order,
        actor=actor,
        concern=concern,
        flat_rate_hours=item.hours,
        skill=LabourOperation.Skill.MECHANICS,
        inspection_result=row,
    )
