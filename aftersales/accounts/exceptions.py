from django.utils.translation import gettext_lazy as _


class AccountsError(Exception):
    """Base of the errors the accounts services raise; carries a translatable message."""

    default_message = _("This action is not possible.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(self.message)


class TwoFactorError(AccountsError):
    default_message = _("This code is not valid. Enter the 6 digits your authenticator app shows now.")
