"""The targets of the brand standard's headline figures and a figure's status against its target.

Targets are set in the admin per brand or per site (``HeadlineTarget``); a site's own target wins over its brands'
(the highest of them when it sells several), and a figure over several sites is held to the highest target of its
sites. Without any, the standard's default applies.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Headline, HeadlineTarget

DEFAULT_MARGIN = Decimal("5")
DEFAULTS: dict[str, Decimal] = {
    Headline.CONFIRMATION: Decimal("95"),
    Headline.CALLBACK: Decimal("90"),
    Headline.FIRST_TIME_FIX: Decimal("95"),
    Headline.SHOW_RATE: Decimal("95"),
    Headline.COMPLAINTS: Decimal("95"),
    Headline.REQUESTS: Decimal("90"),
}


class Status:
    ON = "on"
    CLOSE = "close"
    OFF = "off"
    NONE = "none"
    LABELS = {ON: _("On target"), CLOSE: _("Close to target"), OFF: _("Off target"), NONE: _("No data")}


@dataclass(frozen=True)
class Target:
    value: Decimal
    close_margin: Decimal = DEFAULT_MARGIN

    def status(self, figure: Decimal | None) -> str:
        """On target at or above it, close within the margin below it, off further below."""
        if figure is None:
            return Status.NONE
        if figure >= self.value:
            return Status.ON
        return Status.CLOSE if figure >= self.value - self.close_margin else Status.OFF


def targets_for(site_ids: tuple[int, ...]) -> dict[str, Target]:
    """Each headline figure's target for the sites (one query)."""
    own: dict[tuple[str, int], Target] = {}
    by_brand: dict[tuple[str, int], Target] = {}
    rows = HeadlineTarget.objects.filter(Q(site_id__in=site_ids) | Q(brand__sites__in=site_ids)).values_list(
        "kpi", "site_id", "brand__sites", "target", "close_margin"
    )
    for kpi, site, brand_site, value, margin in rows:
        target = Target(value, margin)
        if site is not None:
            own[(kpi, site)] = target
        elif brand_site in site_ids:
            known = by_brand.get((kpi, brand_site))
            by_brand[(kpi, brand_site)] = max(known, target, key=lambda t: t.value) if known else target
    return {
        kpi: max(
            (own.get((kpi, site)) or by_brand.get((kpi, site)) or Target(DEFAULTS[kpi]) for site in site_ids),
            key=lambda target: target.value,
            default=Target(DEFAULTS[kpi]),
        )
        for kpi in Headline.values
    }
