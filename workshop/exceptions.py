"""Domain errors of the workshop (reception, repair, quality check); each names the form field it is about."""

from django.utils.translation import gettext_lazy as _


class WorkOrderError(Exception):
    """A refusal with a translatable message and the field it concerns ("" for the whole form)."""

    field = ""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return str(self.message)


class InvalidCheckIn(WorkOrderError):
    """Bad input on a check-in step."""


class TransitionNotAllowed(WorkOrderError):
    field = "status"


class OrderSigned(WorkOrderError):
    """The agreed content of a signed order cannot change."""

    def __init__(self, message=None, **kwargs):
        super().__init__(
            message or _("The customer signed this order: its agreed content cannot change. Add extra work as an addition."), **kwargs
        )


class PhotoRefused(WorkOrderError):
    field = "photo"


class SignatureRefused(WorkOrderError):
    field = "signature"


class OrderChangedSinceShown(SignatureRefused):
    def __init__(self, message=None, **kwargs):
        super().__init__(
            message or _("The order changed since it was shown to the customer. Show it again and sign the new version."), **kwargs
        )


class DispatchRefused(WorkOrderError):
    field = "technician"


class ClockingRefused(WorkOrderError):
    field = "job"


class InspectionRefused(WorkOrderError):
    field = "rating"


class ApprovalRefused(WorkOrderError):
    field = "job"


class PriceChanged(ApprovalRefused):
    field = "amount"

    def __init__(self, message=None, **kwargs):
        super().__init__(message or _("The price of this work changed since it was shown. Read the new price and decide again."), **kwargs)


class SpendingLimitExceeded(ApprovalRefused):
    field = "method"


class QualityCheckRefused(WorkOrderError):
    field = "status"


class NotInvoiceable(WorkOrderError):
    field = "jobs"
