"""Money arithmetic shared by the stages: amounts in cents, rounded half up."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return to_cents(Decimal(quantity) * Decimal(unit_price))


def vat_on(net: Decimal, rate_percent: Decimal) -> Decimal:
    """The VAT on a net amount at a rate given in percent, in cents."""
    return to_cents(Decimal(net) * Decimal(rate_percent) / Decimal("100"))
