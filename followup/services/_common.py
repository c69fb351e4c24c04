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

from aftersales.customers.models import MobilityService, SeasonalOffer, Vehicle
from aftersales.customers.selectors import active_campaigns
from aftersales.lib.formatting import format_money, format_number
from aftersales.lib.signing import make_token
from aftersales.messaging.models import Purpose
from appointments.online import online_booking_url

from ..models import MaintenanceReminder, VisitFollowup


def _moment(now: datetime | None) -> datetime:
    return now or timezone.now()


def booking_link_for(vehicle: Vehicle) -> str:
    """Where the customer books for this vehicle: the online booking page, pre-filled for it (a signed 45-day link)."""
    return online_booking_url(vehicle)


def reminder_message_arguments(reminder: MaintenanceReminder, *, channel: str | None = None) -> dict:
    """queue_message arguments of a reminder: vehicle, service, current offer with its price, mobility, campaigns, link."""
    vehicle, site, customer = reminder.vehicle, reminder.site, reminder.customer
    today = timezone.localdate(timezone=site.tz)
    with translation.override(customer.language):
        offers = SeasonalOffer.objects.filter(
            Q(sites=site) | Q(sites__isnull=True),
            Q(brand__name__iexact=vehicle.make) | Q(brand__isnull=True),
            starts_on__lte=today,
            ends_on__gte=today,
        ).distinct()
        offer_text = "; ".join(
            " ".join(filter(None, [offer.localized("title"), format_money(offer.price, site.currency, customer.language)]))
            for offer in offers
        )
        mobility = [service.localized("name") for service in MobilityService.objects.filter(site=site, active=True)]
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
