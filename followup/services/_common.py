"""What several follow-up sub-domains share: the acting moment, and the customer messages a call task falls back to.

The reminder and the survey are sent by their own sub-domain, and also by a
call task after its third unanswered call; the booking link goes into them and
into target-list campaigns. Kept here, below ``calls``, so that no sub-domain
module imports one that imports it back.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.contact_points import brand_of
from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import FOLLOWUP_OWNER_ROLES
from aftersales.customers.models import MobilityService, Vehicle
from aftersales.customers.selectors import active_campaigns, current_offers
from aftersales.lib.formatting import format_money, format_number
from aftersales.lib.signing import make_token
from aftersales.messaging.models import Purpose
from appointments.online import online_booking_url

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


def booking_link_for(vehicle: Vehicle) -> str:
    """Where the customer books for this vehicle: the online booking page, pre-filled for it (a signed 45-day link)."""
    return online_booking_url(vehicle)


def reminder_message_arguments(reminder: MaintenanceReminder, *, channel: str | None = None) -> dict:
    """queue_message arguments of a reminder: vehicle, service (``overdue`` once its due day has passed: a chaser, or a
    vehicle found late), current offers with their prices, mobility, campaigns, link."""
    vehicle, site, customer = reminder.vehicle, reminder.site, reminder.customer
    today = timezone.localdate(timezone=site.tz)
    with translation.override(customer.language):
        offers = current_offers(site=site, make=vehicle.make, on=today)
        offer_text = "; ".join(
            " ".join(filter(None, [offer.localized("title"), format_money(offer.local_price, site.currency, customer.language)]))
            for offer in offers
        )
        offered = MobilityService.objects.offered(site=site, brand=brand_of(site, vehicle))
        mobility = [service.localized("name") for service in offered]
        campaigns = [campaign.display_title for campaign in active_campaigns(on=today) if campaign.matches(vehicle.vin)]
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
            "link": booking_link_for(vehicle),
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
