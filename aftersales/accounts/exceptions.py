from django.utils.translation import gettext_lazy as _

from aftersales.lib.domain import DomainError


class AccountsError(DomainError):
    """Base of the errors the accounts services raise."""


class TwoFactorError(AccountsError):
    default_message = _("This code is not valid. Enter the 6 digits your authenticator app shows now.")
