"""Domain errors of booking; each names the form field it is about."""

from django.utils.translation import gettext_lazy as _

from aftersales.lib.domain import DomainError


class BookingError(DomainError):
    """A refusal of booking, rescheduling, loaners or parts."""


class SlotUnavailable(BookingError):
    field = "starts_at"


class SlotTaken(SlotUnavailable):
    default_message = _("This slot was just taken by another booking; pick another.")


class CapacityExceeded(BookingError):
    field = "override_reason"

    def __init__(self, message, *, exceeded: dict, **kwargs):
        super().__init__(message, **kwargs)
        self.exceeded = exceeded


class LoanerUnavailable(BookingError):
    field = "loaner"


class InvalidBooking(BookingError):
    """Bad input: an advisor of another site, a customer who cannot be reached, a foreign mobility service..."""


class TransitionNotAllowed(BookingError):
    field = "status"


class PartsError(BookingError):
    """A part that cannot be reserved, ordered or warned about."""

    field = "part"
