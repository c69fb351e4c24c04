"""Domain errors of the customers app; each names the form field it concerns."""

from django.utils.translation import gettext_lazy as _


class CustomerError(Exception):
    """A business rule refused the change; ``message`` is translatable."""

    field: str | None = None

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class InvalidVin(CustomerError):
    field = "vin"


class VinAlreadyOnFile(CustomerError):
    field = "vin"

    def __init__(self, vehicle):
        super().__init__(_("This VIN is already on file."))
        self.vehicle = vehicle


class MileageNeedsCorrectionReason(CustomerError):
    field = "correction_reason"


class SameOwner(CustomerError):
    field = "new_owner"
