"""What the loan contract (appointments.loan_contract) reads from the workshop: the visit's work order and the loaner
handed over at reception, with its mileage and fuel out."""

from appointments.loan_contract import LoanHandover
from appointments.models import Appointment

from .models import LoanerHandover, WorkOrder


def loan_handover(appointment: Appointment) -> LoanHandover | None:
    handover = LoanerHandover.objects.filter(work_order__appointment=appointment).select_related("work_order", "loaner").first()
    if handover is not None:
        return LoanHandover(
            work_order=handover.work_order.number,
            loaner=handover.loaner,
            handed_over_at=handover.handed_over_at,
            mileage_out=handover.mileage_out,
            fuel_out=handover.get_fuel_out_display(),
        )
    number = (
        WorkOrder.objects.filter(appointment=appointment)
        .exclude(status=WorkOrder.Status.CANCELLED)
        .values_list("number", flat=True)
        .first()
    )
    return LoanHandover(work_order=number) if number else None
