"""Domain errors of booking; each names the form field it is about."""

from django.utils.translation import gettext_lazy as _


class BookingError(Exception):
    """A refusal with a translatable message and the field it concerns ("" for the whole form)."""

    field = ""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return str(self.message)


class SlotUnavailable(BookingError):
    field = "starts_at"


class SlotTaken(SlotUnavailable):
    def __init__(self, message=None, **kwargs):
        super().__init__(message or _("This slot was just taken by another booking; pick another."), **kwargs)


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
