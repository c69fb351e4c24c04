import logging

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from aftersales.lib.mail import AUTOMATED_HEADERS

logger = logging.getLogger(__name__)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, with its e-mail (plain text) marked as automatic like every e-mail the system sends."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        email = EmailMessage(subject, render_to_string(email_template_name, context), from_email, [to_email], headers=AUTOMATED_HEADERS)
        try:
            email.send()
        except Exception:  # as Django's: the page never tells whether an account exists
            logger.exception("The password reset e-mail to user %s could not be sent", context["user"].pk)
