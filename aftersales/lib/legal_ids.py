"""Company identifiers checked the way their registries compute them, each giving back its compact form.

France: SIREN and SIRET (Luhn key, python-stdnum), the intra-EU VAT number
(its key is computed from the SIREN), the IBAN and the BIC. Russia: ИНН
(taxpayer number, check digits), КПП (registration reason code, its format),
ОГРН (state registration number, check digit), and a bank account (р/с) or
correspondent account (к/с) checked against its bank's БИК with the Bank of
Russia's control key. China: the unified social credit code (check
character). Each ``checked_*`` function raises a ValidationError saying what
is wrong, in the reader's language.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import bic as bic_numbers
from stdnum import iban as iban_numbers
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as NumberError
from stdnum.fr import siren as siren_numbers
from stdnum.fr import siret as siret_numbers
from stdnum.fr import tva
from stdnum.ru import inn as inn_numbers
from stdnum.ru import ogrn as ogrn_numbers

_KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")
_BIK = re.compile(r"^04\d{7}$")
_RU_ACCOUNT = re.compile(r"^\d{20}$")
_RU_KEY_WEIGHTS = (7, 1, 3)


def _checked(module, value: str, message: str) -> str:
    try:
        return module.validate(value)
    except NumberError:
        raise ValidationError(message, code="invalid") from None


def checked_siren(value: str) -> str:
    return _checked(siren_numbers, value, _("A SIREN is 9 digits whose last one is a check digit: check the number."))


def checked_siret(value: str, siren: str = "") -> str:
    compact = _checked(siret_numbers, value, _("A SIRET is 14 digits whose last one is a check digit: check the number."))
    if siren and not compact.startswith(siren):
        raise ValidationError(_("A SIRET starts with its company's SIREN (%(siren)s).") % {"siren": siren}, code="mismatch")
    return compact


def checked_french_vat(value: str, siren: str = "") -> str:
    compact = "FR" + _checked(tva, value, _("A French VAT number is FR, a 2-digit key and the SIREN: check the number."))
    owner = tva.to_siren(compact)
    if siren and owner != siren:
        raise ValidationError(_("This VAT number belongs to SIREN %(other)s, not %(siren)s.") % {"other": owner, "siren": siren})
    return compact


def checked_iban(value: str) -> str:
    return _checked(iban_numbers, value, _("This IBAN's check digits do not match: check the number."))


def checked_bic(value: str) -> str:
    return _checked(bic_numbers, value, _("A BIC is 8 or 11 letters and digits: check the code."))


def checked_inn(value: str) -> str:
    return _checked(inn_numbers, value, _("An INN is 10 digits (a company) or 12 (a sole trader) with check digits: check the number."))


def checked_ogrn(value: str) -> str:
    return _checked(ogrn_numbers, value, _("An OGRN is 13 digits (15 for a sole trader) with a check digit: check the number."))


def checked_kpp(value: str) -> str:
    compact = value.strip().upper()
    if not _KPP.match(compact):
        raise ValidationError(_("A KPP is 9 characters: 4 digits, 2 digits or letters, 3 digits."), code="invalid")
    return compact


def checked_bik(value: str) -> str:
    compact = value.strip()
    if not _BIK.match(compact):
        raise ValidationError(_("A BIK is 9 digits starting with 04."), code="invalid")
    return compact


def _russian_account_key_matches(prefix: str, account: str) -> bool:
    digits = prefix + account
    return sum(int(digit) * _RU_KEY_WEIGHTS[index % 3] for index, digit in enumerate(digits)) % 10 == 0


def checked_russian_account(value: str, bik: str) -> str:
    """A settlement account (р/с): 20 digits whose control key matches the bank's БИК (its last 3 digits)."""
    compact = re.sub(r"\s", "", value)
    if not _RU_ACCOUNT.match(compact):
        raise ValidationError(_("A Russian bank account is 20 digits."), code="invalid")
    if bik and not _russian_account_key_matches(bik[-3:], compact):
        raise ValidationError(_("This account's control key does not match the bank's BIK %(bik)s.") % {"bik": bik}, code="mismatch")
    return compact


def checked_correspondent_account(value: str, bik: str) -> str:
    """A bank's correspondent account (к/с): 20 digits starting with 301, keyed with 0 and the BIK's 5th and 6th digits."""
    compact = re.sub(r"\s", "", value)
    if not _RU_ACCOUNT.match(compact) or not compact.startswith("301"):
        raise ValidationError(_("A correspondent account is 20 digits starting with 301."), code="invalid")
    if bik and not _russian_account_key_matches("0" + bik[4:6], compact):
        raise ValidationError(_("This account's control key does not match the bank's BIK %(bik)s.") % {"bik": bik}, code="mismatch")
    return compact


def checked_uscc(value: str) -> str:
    return _checked(uscc, value, _("A unified social credit code is 18 characters whose last one is a check character."))
