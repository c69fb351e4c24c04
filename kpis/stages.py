"""Where each KPI sits on the dashboard: the brand standard's headline figures first, then the stages of a visit."""

from django.utils.translation import gettext_lazy as _

from .models import Headline

BOOKING, WORKSHOP, QUALITY, CUSTOMER, REVENUE, OTHER = "booking", "workshop", "quality", "customer", "revenue", "other"
STAGES = (
    (BOOKING, _("Booking")),
    (WORKSHOP, _("Workshop")),
    (QUALITY, _("Quality")),
    (CUSTOMER, _("Customer")),
    (REVENUE, _("Revenue")),
    (OTHER, _("Other figures")),
)
STAGE_OF = {
    "appointment_rate": BOOKING,
    "online_booking_rate": BOOKING,
    "booking_lead_time": BOOKING,
    "confirmations_24h": BOOKING,
    "no_show_rate": BOOKING,
    "reminder_contacts": BOOKING,
    "reminder_conversion": BOOKING,
    "vehicle_life_contacts": BOOKING,
    "attribution": BOOKING,
    "productivity": WORKSHOP,
    "efficiency": WORKSHOP,
    "proficiency": WORKSHOP,
    "unapplied_time": WORKSHOP,
    "hours_sold_per_visit": WORKSHOP,
    "cycle_time": WORKSHOP,
    "loaner_utilisation": WORKSHOP,
    "inspection_funnel": WORKSHOP,
    "deferred_revived": WORKSHOP,
    "rework_rate": QUALITY,
    "retention_rate": CUSTOMER,
    "csat": CUSTOMER,
    "nps": CUSTOMER,
    "invoice_variance": REVENUE,
    "effective_labour_rate": REVENUE,
    "revenue_per_visit": REVENUE,
}
HEADLINE_KEYS = tuple(Headline.values)


def stage_of(key: str) -> str:
    """The stage of a KPI; a figure added without one lands under "Other figures"."""
    return STAGE_OF.get(key, OTHER)
