"""What the site's country says about invoices and money: payment terms, late-payment clause, cash limits, the FEC.

France (Code de commerce L441-9 and L441-10, D441-5; Monetary and Financial
Code L112-6 and D112-3; Livre des procédures fiscales L47 A and A47 A-1):
a customer invoice is payable at the handover with no discount for early
payment; late payment bears penalties at three times the legal interest rate
and, from a business customer, a fixed recovery indemnity of 40 €; the date
of the service is stated; cash is limited to 1,000 € per purchase from a
customer resident in France or acting for business, 15,000 € from a private
customer who is not; the accounts are handed to the tax office as a FEC.

Russia (Civil Code art. 395; Bank of Russia directive 5348-U): payable in
roubles; late payment bears interest at the Bank of Russia's key rate; cash
between businesses is limited to 100,000 roubles per contract; no limit for
a private customer.

Any other country: payable at the handover or within 30 days, no cash limit
and no late-payment clause known here (add the country when its rules are).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.lib.formatting import format_money


@dataclass(frozen=True)
class CashLimit:
    """The most cash one purchase may be paid with, by kind of customer (None: no limit)."""

    currency: str
    resident: Decimal | None
    non_resident: Decimal | None
    business: Decimal | None
    rule: Promise


@dataclass(frozen=True)
class CountryRules:
    customer_terms: Promise
    account_terms: Promise
    account_days: int
    late_payment: Promise | None  # with %(fee)s when there is a recovery indemnity
    recovery_indemnity: Decimal | None  # in ``indemnity_currency``
    indemnity_currency: str
    cash_limit: CashLimit | None
    states_service_date: bool
    accounting_export: bool  # the FEC of article A47 A-1 of the LPF

    def late_payment_clause(self) -> str:
        """The late-payment clause in the active language ("" when the country has none known here)."""
        if self.late_payment is None:
            return ""
        if self.recovery_indemnity is None:
            return str(self.late_payment)
        return str(self.late_payment) % {"fee": format_money(self.recovery_indemnity, self.indemnity_currency)}


FRANCE = CountryRules(
    customer_terms=_("Payable on receipt, at the handover of the vehicle. No discount for early payment."),
    account_terms=_("Payable within 30 days of the invoice date by bank transfer."),
    account_days=30,
    late_payment=_(
        "Late payment: penalties at three times the legal interest rate, and for business customers a fixed recovery fee of %(fee)s."
    ),
    recovery_indemnity=Decimal("40.00"),
    indemnity_currency="EUR",
    cash_limit=CashLimit(
        currency="EUR",
        resident=Decimal("1000.00"),
        non_resident=Decimal("15000.00"),
        business=Decimal("1000.00"),
        rule=_("Monetary and Financial Code, art. L112-6"),
    ),
    states_service_date=True,
    accounting_export=True,
)
RUSSIA = CountryRules(
    customer_terms=_("Payable in roubles on receipt, at the handover of the vehicle."),
    account_terms=_("Payable in roubles within 30 days of the invoice date by bank transfer to the settlement account above."),
    account_days=30,
    late_payment=_("Late payment: interest at the key rate of the Bank of Russia on the amount due (Civil Code, art. 395)."),
    recovery_indemnity=None,
    indemnity_currency="RUB",
    cash_limit=CashLimit(
        currency="RUB", resident=None, non_resident=None, business=Decimal("100000.00"), rule=_("Bank of Russia directive 5348-U")
    ),
    states_service_date=True,
    accounting_export=False,
)
DEFAULT = CountryRules(
    customer_terms=_("Payable on receipt, at the handover of the vehicle."),
    account_terms=_("Payable within 30 days of the invoice date by bank transfer."),
    account_days=30,
    late_payment=None,
    recovery_indemnity=None,
    indemnity_currency="EUR",
    cash_limit=None,
    states_service_date=False,
    accounting_export=False,
)
_BY_COUNTRY = {"FR": FRANCE, "RU": RUSSIA}


def rules_for(country: str) -> CountryRules:
    return _BY_COUNTRY.get((country or "").upper(), DEFAULT)
