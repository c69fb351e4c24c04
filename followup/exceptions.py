"""Domain errors of the follow-up app; each names the form field it concerns."""


class FollowupError(Exception):
    """A business rule refused the change; ``message`` is translatable."""

    field: str | None = None

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class ConcernRefused(FollowupError):
    pass


class CallRefused(FollowupError):
    pass


class MileageCheckRefused(FollowupError):
    pass


class SatisfactionRefused(FollowupError):
    pass
