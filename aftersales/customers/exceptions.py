"""Domain errors of the customers app; each names the form field it concerns."""

from django.utils.translation import gettext_lazy as _

from aftersales.lib.domain import DomainError


class CustomerError(DomainError):
    """A business rule of customers and vehicles refused the change."""


class InvalidVin(CustomerError):
    field = "vin"


class VinAlreadyOnFile(CustomerError):
    field = "vin"
    default_message = _("This VIN is already on file.")

    def __init__(self, vehicle):
        super().__init__()
        self.vehicle = vehicle


class MileageNeedsCorrectionReason(CustomerError):
    field = "correction_reason"


class SameOwner(CustomerError):
    field = "new_owner"
