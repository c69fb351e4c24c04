"""Phone numbers are stored in E.164; the site's country is the default region."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str, default_region: str) -> str:
    """The number in E.164, or a ValidationError saying why it is not one."""
    try:
        number = phonenumbers.parse(raw, default_region.upper() if default_region else None)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This is not a phone number."), code="unparsable") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number does not exist in the numbering plan of its country."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    number_type = phonenumbers.number_type(phonenumbers.parse(e164))
    return number_type in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def format_for_display(e164: str) -> str:
    if not e164:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def search_digits(raw: str) -> str:
    """Digits to look for inside stored numbers: '06 12 34' and '+33 6 12 34' both give '61234'."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    return digits.lstrip("0")
