"""The seller's legal identity: what a site prints on its invoices, credit notes and work orders, in its country's form.

France (Code de commerce R123-237, CGI art. 242 nonies A): legal form, share
capital, SIREN (and the establishment's SIRET), the RCS and its city, the VAT
number (the site's). Russia: ИНН, КПП, ОГРН and the bank details (р/с, bank,
БИК, к/с). China: the unified social credit code. Another country prints the
VAT number and whatever is filled in.

``LegalIdentity.clean`` checks each number the way its registry computes it
(``aftersales.lib.legal_ids``) and asks for what the site's country requires;
``seller_mentions(site, identity)`` is the list of lines the documents print.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.lib import legal_ids
from aftersales.lib.formatting import format_money

from .models import Site

# What each country requires, beyond the VAT number kept on the site.
REQUIRED = {
    "FR": ("legal_form", "share_capital", "siren", "rcs_city"),
    "RU": ("inn", "kpp", "ogrn", "bank_name", "bank_account", "bank_code", "correspondent_account"),
    "CN": ("uscc",),
}


class LegalIdentity(models.Model):
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="legal_identity", verbose_name=_("site"))
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True, help_text=_("e.g. SAS, SARL, ООО, 有限责任公司"))
    share_capital = models.DecimalField(
        _("share capital"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("In the site's currency.")
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, help_text=_("France: the company's 9-digit number."))
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, help_text=_("France: this establishment's 14-digit number."))
    rcs_city = models.CharField(
        _("RCS registry city"), max_length=80, blank=True, help_text=_("France: the trade register's city, e.g. Lyon.")
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True, help_text=_("Russia: taxpayer number (ИНН)."))
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, help_text=_("Russia: registration reason code (КПП)."))
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True, help_text=_("Russia: state registration number (ОГРН)."))
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, help_text=_("China: 统一社会信用代码, 18 characters.")
    )
    bank_name = models.CharField(_("bank"), max_length=160, blank=True)
    bank_account = models.CharField(
        _("bank account"), max_length=34, blank=True, help_text=_("The IBAN, or in Russia the settlement account (р/с), 20 digits.")
    )
    bank_code = models.CharField(_("bank code"), max_length=11, blank=True, help_text=_("The BIC, or in Russia the BIK (БИК), 9 digits."))
    correspondent_account = models.CharField(
        _("correspondent account"), max_length=20, blank=True, help_text=_("Russia: the bank's correspondent account (к/с).")
    )

    class Meta:
        verbose_name = _("legal identity")
        verbose_name_plural = _("legal identities")

    def __str__(self) -> str:
        return str(self.site)

    def clean(self) -> None:
        site = getattr(self, "site", None)  # the admin's inline checks a new site's identity before the site is saved
        country = site.country if site is not None else ""
        errors: dict[str, list[str]] = {}
        for name in REQUIRED.get(country, ()):
            if getattr(self, name) in ("", None):
                errors.setdefault(name, []).append(_("Required for a site in this country."))
        for name, check in self._checks(country):
            value = getattr(self, name)
            if value and name not in errors:
                try:
                    setattr(self, name, check(value))
                except ValidationError as error:
                    errors.setdefault(name, []).extend(error.messages)
        if country == "FR" and self.siren and site.vat_number and "siren" not in errors:
            try:
                legal_ids.checked_french_vat(site.vat_number, self.siren)
            except ValidationError as error:
                errors.setdefault("siren", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def _checks(self, country: str):
        if country == "RU":
            return [
                ("inn", legal_ids.checked_inn),
                ("kpp", legal_ids.checked_kpp),
                ("ogrn", legal_ids.checked_ogrn),
                ("bank_code", legal_ids.checked_bik),
                ("bank_account", lambda value: legal_ids.checked_russian_account(value, self.bank_code)),
                ("correspondent_account", lambda value: legal_ids.checked_correspondent_account(value, self.bank_code)),
            ]
        checks = [("siren", legal_ids.checked_siren), ("siret", lambda value: legal_ids.checked_siret(value, self.siren))]
        checks += [("uscc", legal_ids.checked_uscc), ("bank_code", legal_ids.checked_bic), ("bank_account", legal_ids.checked_iban)]
        return checks


def _grouped(digits: str, *sizes: int) -> str:
    """'412345670' read as '412 345 670': the groups of the given sizes, then the rest."""
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    return " ".join(part for part in [*parts, digits[start:]] if part)


def _labelled(rows) -> list[str]:
    return [str(_("%(label)s: %(value)s") % {"label": label, "value": value}) for label, value in rows if value]


def seller_mentions(site: Site, identity: LegalIdentity | None) -> list[str]:
    """The lines of the seller's identity, in the active language; what is not filled in is left out."""
    if identity is None:
        return _labelled([(_("VAT number"), site.vat_number)])
    if site.country == "RU":
        return _labelled(
            [
                (_("INN / KPP"), " / ".join(value for value in (identity.inn, identity.kpp) if value)),
                (_("OGRN"), identity.ogrn),
                (_("Settlement account"), identity.bank_account),
                (_("Bank"), identity.bank_name),
                (_("BIK"), identity.bank_code),
                (_("Correspondent account"), identity.correspondent_account),
            ]
        )
    if site.country == "CN":
        return _labelled(
            [(_("Unified social credit code"), identity.uscc), (_("Bank"), identity.bank_name), (_("Bank account"), identity.bank_account)]
        )
    company = identity.legal_form
    if identity.legal_form and identity.share_capital is not None:
        company = _("%(form)s with a share capital of %(capital)s") % {
            "form": identity.legal_form,
            "capital": format_money(identity.share_capital, site.currency),
        }
    siren = _grouped(identity.siren, 3, 3)
    registry = _("RCS %(city)s %(siren)s") % {"city": identity.rcs_city, "siren": siren} if identity.rcs_city and siren else ""
    lines = [str(line) for line in (company, registry) if line]
    return lines + _labelled(
        [
            (_("SIREN"), "" if registry else siren),
            (_("SIRET"), _grouped(identity.siret, 3, 3, 3)),
            (_("VAT number"), site.vat_number),
            (_("IBAN"), _grouped(identity.bank_account, *([4] * 8))),
            (_("BIC"), identity.bank_code),
        ]
    )
