"""Money arithmetic shared by the stages: amounts in cents, rounded half up.

VAT on an invoice is rounded the way the site's country requires
(``vat_rounding(country)``):

- ``PER_LINE``: the VAT of each line is rounded to the cent, then the lines'
  VAT is summed per rate. France (CGI art. 242 nonies A, BOFiP: the VAT may be
  computed per line as long as the invoice's totals are the sums of the
  rounded amounts shown) and Russia (Tax Code art. 168: the VAT of each line of
  the счёт-фактура is shown and the total is their sum) use this rule; it is
  also the default.
- ``PER_TOTAL``: the net amounts are summed per rate and the VAT computed
  once on each rate's net sum (allowed by the EU VAT directive, common in
  Germany and Austria). Add a country to ``_ROUNDING_BY_COUNTRY`` only when
  its rule is known.

Every amount is a ``Decimal``; a float given here raises ``TypeError``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PER_LINE = "per_line"
PER_TOTAL = "per_total"
_ROUNDING_BY_COUNTRY = {"FR": PER_LINE, "RU": PER_LINE, "DE": PER_TOTAL, "AT": PER_TOTAL}


def _decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money amounts are Decimal, never float")
    return Decimal(value)


def to_cents(amount: Decimal) -> Decimal:
    return _decimal(amount).quantize(CENT, ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return to_cents(_decimal(quantity) * _decimal(unit_price))


def vat_on(net: Decimal, rate_percent: Decimal) -> Decimal:
    """The VAT on a net amount at a rate given in percent, in cents."""
    return to_cents(_decimal(net) * _decimal(rate_percent) / Decimal("100"))


def vat_rounding(country: str) -> str:
    return _ROUNDING_BY_COUNTRY.get((country or "").upper(), PER_LINE)


@dataclass(frozen=True)
class RateTotal:
    rate: Decimal
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class Totals:
    by_rate: tuple[RateTotal, ...]
    net: Decimal
    vat: Decimal
    gross: Decimal


def vat_totals(lines: Iterable[tuple[Decimal, Decimal, Decimal]], *, rounding: str) -> Totals:
    """Totals of (net, rate percent, line VAT) lines, grouped by rate, with the country's rounding rule.

    The line VAT is the one printed on the line (``vat_on(net, rate)``); with
    ``PER_TOTAL`` it is ignored and the VAT is computed on each rate's sum.
    """
    if rounding not in (PER_LINE, PER_TOTAL):
        raise ValueError(f"unknown VAT rounding {rounding!r}")
    nets: dict[Decimal, Decimal] = {}
    vats: dict[Decimal, Decimal] = {}
    for net, rate, vat in lines:
        rate = _decimal(rate).quantize(CENT)
        nets[rate] = nets.get(rate, ZERO) + to_cents(net)
        vats[rate] = vats.get(rate, ZERO) + to_cents(vat)
    by_rate = tuple(
        RateTotal(rate=rate, net=nets[rate], vat=vats[rate] if rounding == PER_LINE else vat_on(nets[rate], rate)) for rate in sorted(nets)
    )
    net = sum((row.net for row in by_rate), ZERO)
    vat = sum((row.vat for row in by_rate), ZERO)
    return Totals(by_rate=by_rate, net=net, vat=vat, gross=net + vat)
