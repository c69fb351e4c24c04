"""Vehicle identification numbers (ISO 3779)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1,
    "B": 2,
    "C": 3,
    "D": 4,
    "E": 5,
    "F": 6,
    "G": 7,
    "H": 8,
    "J": 1,
    "K": 2,
    "L": 3,
    "M": 4,
    "N": 5,
    "P": 7,
    "R": 9,
    "S": 2,
    "T": 3,
    "U": 4,
    "V": 5,
    "W": 6,
    "X": 7,
    "Y": 8,
    "Z": 9,
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# North America (1-5) and China (L) make the ninth character a check digit;
# European VINs carry none, so theirs is not verified.
_CHECK_DIGIT_REGIONS = ("1", "2", "3", "4", "5", "L")


def normalize_vin(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").upper()


def check_digit(vin: str) -> str:
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(raw: str) -> str:
    """The VIN in canonical form, or a ValidationError saying what is wrong."""
    vin = normalize_vin(raw)
    if len(vin) != 17:
        raise ValidationError(_("A VIN has 17 characters; this one has %(count)d.") % {"count": len(vin)}, code="length")
    if not VIN_PATTERN.match(vin):
        raise ValidationError(_("A VIN uses only digits and capital letters other than I, O and Q."), code="characters")
    if vin[0] in _CHECK_DIGIT_REGIONS and vin[8] != check_digit(vin):
        raise ValidationError(_("The VIN's check digit (9th character) does not match: please re-read it."), code="check_digit")
    return vin
