"""Domain errors of the workshop (reception, repair, quality check); each names the form field it is about."""

from django.utils.translation import gettext_lazy as _

from aftersales.lib.domain import DomainError


class WorkOrderError(DomainError):
    """A refusal of reception, repair or quality check."""


class InvalidCheckIn(WorkOrderError):
    """Bad input on a check-in step."""


class TransitionNotAllowed(WorkOrderError):
    field = "status"


class OrderSigned(WorkOrderError):
    """The agreed content of a signed order cannot change."""

    default_message = _("The customer signed this order: its agreed content cannot change. Add extra work as an addition.")


class PhotoRefused(WorkOrderError):
    field = "photo"


class SignatureRefused(WorkOrderError):
    field = "signature"


class OrderChangedSinceShown(SignatureRefused):
    default_message = _("The order changed since it was shown to the customer. Show it again and sign the new version.")


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
    default_message = _("The price of this work changed since it was shown. Read the new price and decide again.")


class SpendingLimitExceeded(ApprovalRefused):
    field = "method"


class QualityCheckRefused(WorkOrderError):
    field = "status"


class NotInvoiceable(WorkOrderError):
    field = "jobs"
