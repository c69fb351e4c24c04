"""Catalogue prices in a site's own currency, read from the price tables in one query per kind and set of items.

An item priced in other currencies but not in the site's has no price at that site: screens show it as
"no price for this site" and the services that put it on an estimate, a work order or an invoice refuse it with
``missing_price_message``. It is never priced 0, nor at another currency's figure. Mobility services and loaners
belong to one site and are priced in its currency.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site
from aftersales.lib.money import to_cents

from .models import LabourOperation, OfferPrice, OperationPrice, Part, PartPrice, SeasonalOffer


def missing_price_message(items: Iterable, currency: str) -> str:
    """The refusal naming the catalogue items that have no price in ``currency``."""
    return _("No price in %(currency)s for %(items)s: add it to the catalogue first.") % {
        "currency": currency,
        "items": ", ".join(str(item) for item in items),
    }


def part_prices(parts: Iterable[Part | int], currency: str) -> dict[int, Decimal]:
    """Part id → unit price before VAT in ``currency``; a part without one is left out."""
    ids = [getattr(part, "pk", part) for part in parts]
    return dict(PartPrice.objects.filter(part_id__in=ids, currency=currency).values_list("part_id", "amount"))


def part_price(part: Part, currency: str) -> Decimal | None:
    return part_prices([part], currency).get(part.pk)


def labour_prices(operations: Iterable[LabourOperation], site: Site) -> dict[int, Decimal]:
    """Operation id → labour price before VAT at ``site``: its fixed price in the site's currency, or flat-rate hours ×
    the site's labour rate when it has no fixed price at all; one with fixed prices in other currencies only is left out."""
    operations = list(operations)
    fixed: dict[int, dict[str, Decimal]] = {}
    rows = OperationPrice.objects.filter(operation_id__in=[operation.pk for operation in operations])
    for operation_id, currency, amount in rows.values_list("operation_id", "currency", "amount"):
        fixed.setdefault(operation_id, {})[currency] = amount
    prices = {}
    for operation in operations:
        if operation.pk not in fixed:
            prices[operation.pk] = to_cents(operation.flat_rate_hours * site.labour_rate)
        elif site.currency in fixed[operation.pk]:
            prices[operation.pk] = fixed[operation.pk][site.currency]
    return prices


def with_offer_prices(offers: Iterable[SeasonalOffer], currency: str) -> list[SeasonalOffer]:
    """The offers, each with ``local_price`` (VAT included, in ``currency``; None when it has none there) and
    ``price_missing`` (priced in other currencies only), read in one query."""
    offers = list(offers)
    by_offer: dict[int, dict[str, Decimal]] = {}
    rows = OfferPrice.objects.filter(offer_id__in=[offer.pk for offer in offers])
    for offer_id, row_currency, amount in rows.values_list("offer_id", "currency", "amount"):
        by_offer.setdefault(offer_id, {})[row_currency] = amount
    for offer in offers:
        prices = by_offer.get(offer.pk, {})
        offer.local_price = prices.get(currency)
        offer.price_missing = bool(prices) and currency not in prices
    return offers
