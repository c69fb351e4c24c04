"""Errors of the messaging app; each carries a message staff can read."""

from django.utils.translation import gettext_lazy as _

from aftersales.lib.domain import DomainError


class MessagingError(DomainError):
    default_message = _("The message could not be handled.")


class MissingTemplate(MessagingError):
    default_message = _("There is no text for this message type.")


class InvalidMessageRequest(MessagingError):
    default_message = _("The message request is incomplete.")


class SendError(MessagingError):
    """A provider refused or failed a send; ``failure_code`` names the reason."""

    def __init__(self, detail: str, failure_code: str = ""):
        self.failure_code = failure_code
        super().__init__(detail[:500])


class TemporarySendError(SendError):
    """Worth trying again later: rate limits, provider 5xx, time-outs, SMTP 4xx."""


class PermanentSendError(SendError):
    """Trying again cannot help: invalid number, opted-out recipient, SMTP 5xx."""


class CodeRefused(MessagingError):
    """A one-time code that cannot be accepted; the form field is ``code``."""

    field = "code"
    default_message = _("This code is not valid. Check the SMS and type it again.")


class CodeExpired(CodeRefused):
    default_message = _("This code has expired. Ask for a new one.")


class CodeAttemptsExhausted(CodeRefused):
    default_message = _("Too many wrong codes. Ask for a new one.")
