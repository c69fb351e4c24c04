"""What several follow-up sub-domains share: the acting moment, and the customer messages a call task falls back to.

The reminder and the survey are sent by their own sub-domain, and also by a
call task after its third unanswered call; the booking link goes into them and
into target-list campaigns. Kept here, below ``calls``, so that no sub-domain
module imports one that imports it back.
"""

from datetime import date, datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.models import Brand, Site, User
from aftersales.accounts.roles import FOLLOWUP_OWNER_ROLES
from aftersales.customers.models import MobilityService, Vehicle
from aftersales.customers.selectors import active_campaigns, current_offers
from aftersales.lib.formatting import format_money, format_number
from aftersales.lib.signing import make_token
from aftersales.messaging.batches import MessageRun
from aftersales.messaging.models import Purpose
from appointments.online import booking_page_url, online_booking_url

from ..models import MaintenanceReminder, VisitFollowup


def _moment(now: datetime | None) -> datetime:
    return now or timezone.now()


def followup_owners(site: Site):
    """Who a call or a concern of the site can be given to: its active CRC agents, advisors and managers
    (group-wide ones included), not the technicians, cashiers or administrators, who cannot act on it."""
    return (
        User.objects.filter(
            Q(sites=site) | Q(group_wide=True, sites__group_id=site.group_id),
            groups__name__in=FOLLOWUP_OWNER_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def may_own(user: User, site: Site) -> bool:
    return followup_owners(site).filter(pk=user.pk).exists()


def booking_link_for(vehicle: Vehicle, lookups: "ReminderLookups | None" = None) -> str:
    """Where the customer books for this vehicle: the online booking page, pre-filled for it (a signed 45-day link)."""
    return online_booking_url(vehicle, page_url=lookups.booking_page(vehicle.owner.site, vehicle) if lookups else None)


class ReminderLookups:
    """What reminder messages read besides the reminder: brands, offers, mobility services and campaigns. A timed job
    keeps one for its whole run (each read once per site, make or day); a single message reads them afresh."""

    def __init__(self, run: MessageRun | None = None):
        self.run = run or MessageRun(now=timezone.now())
        self._offers = {}
        self._mobility = {}
        self._campaigns = {}
        self._pages = {}

    def brand(self, site: Site, vehicle: Vehicle) -> Brand | None:
        return self.run.brand(site, {}, vehicle)

    def booking_page(self, site: Site, vehicle: Vehicle) -> str:
        brand = self.brand(site, vehicle)
        key = (site.pk, brand.pk if brand else None)
        if key not in self._pages:
            self._pages[key] = booking_page_url(site, brand)
        return self._pages[key]

    def offers(self, site: Site, make: str, on: date) -> list:
        key = (site.pk, (make or "").lower(), on)
        if key not in self._offers:
            self._offers[key] = current_offers(site=site, make=make, on=on)
        return self._offers[key]

    def mobility(self, site: Site, vehicle: Vehicle) -> list[MobilityService]:
        brand = self.brand(site, vehicle)
        key = (site.pk, brand.pk if brand else None)
        if key not in self._mobility:
            self._mobility[key] = list(MobilityService.objects.offered(site=site, brand=brand))
        return self._mobility[key]

    def campaigns(self, on: date) -> list:
        if on not in self._campaigns:
            self._campaigns[on] = active_campaigns(on=on)
        return self._campaigns[on]


def reminder_message_arguments(
    reminder: MaintenanceReminder, *, channel: str | None = None, lookups: ReminderLookups | None = None
) -> dict:
    """queue_message arguments of a reminder: vehicle, service (``overdue`` once its due day has passed: a chaser, or a
    vehicle found late), current offers with their prices, mobility, campaigns, link."""
    vehicle, site, customer = reminder.vehicle, reminder.site, reminder.customer
    lookups = lookups or ReminderLookups()
    today = timezone.localdate(timezone=site.tz)
    with translation.override(customer.language):
        offer_text = "; ".join(
            " ".join(filter(None, [offer.localized("title"), format_money(offer.local_price, site.currency, customer.language)]))
            for offer in lookups.offers(site, vehicle.make, today)
        )
        mobility = [service.localized("name") for service in lookups.mobility(site, vehicle)]
        campaigns = [campaign.localized("title") for campaign in lookups.campaigns(today) if campaign.matches(vehicle.vin)]
        due_km = format_number(reminder.due_km) if reminder.due_km else ""
    return {
        "customer": customer,
        "template": "maintenance_reminder",
        "about": reminder,
        "purpose": Purpose.MARKETING,
        "channel": channel,
        "context": {
            "vehicle": str(vehicle),
            "due_date": reminder.due_on,
            "due_km": due_km,
            "overdue": reminder.due_on < today,
            "offer": offer_text,
            "mobility": ", ".join(mobility),
            "campaigns": "; ".join(campaigns),
            "link": booking_link_for(vehicle, lookups),
        },
    }


SURVEY_PURPOSE = "satisfaction-survey"


def survey_link(followup: VisitFollowup) -> str:
    token = make_token(purpose=SURVEY_PURPOSE, pk=followup.pk)
    return settings.SITE_URL + reverse("followup:survey", kwargs={"token": token})


def survey_message_arguments(followup: VisitFollowup) -> dict:
    """queue_message arguments of the short survey (a service message: it is about the visit, no marketing consent needed)."""
    return {
        "customer": followup.customer,
        "template": "callback_survey",
        "about": followup,
        "purpose": Purpose.SERVICE,
        "context": {"vehicle": str(followup.vehicle), "link": survey_link(followup)},
    }
