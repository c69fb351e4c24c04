"""Domain errors of the follow-up app; each names the form field it concerns."""

from aftersales.lib.domain import DomainError


class FollowupError(DomainError):
    """A refusal of follow-up: concerns, calls, mileage checks, satisfaction answers."""


class ConcernRefused(FollowupError):
    pass


class CallRefused(FollowupError):
    pass


class MileageCheckRefused(FollowupError):
    pass


class SatisfactionRefused(FollowupError):
    pass
