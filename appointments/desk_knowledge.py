"""What the booking desk knows about the caller's vehicle besides the booking being made.

- Its upcoming appointments: the desk says so, offers to move that booking
  (the appointment page's move), and books a second one only when the agent
  ticks that the customer wants another visit (``BookingForm``).
- Its last visits (``vehicle_history``, fed by the later stages) with their
  jobs, amounts and comebacks.
- Its last mileage reading, next to the current mileage the agent asks for.
- Whether its service is overdue (date passed, or mileage reached).
- The seasonal offers and service packages running for it, with their prices.

Each read is a fixed number of queries, whatever the vehicle's history.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from aftersales.customers.models import MileageReading, SeasonalOffer, Vehicle
from aftersales.customers.selectors import OverdueService, current_offers, overdue_service

from .models import Appointment
from .vehicle_history import PastVisit, last_visits

UPCOMING_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED)


def upcoming_bookings(*, vehicle: Vehicle, now: datetime) -> list[Appointment]:
    """The vehicle's appointments still to come (booked or confirmed) from today on, in its owner's site's time zone
    (a customer late for this morning's appointment still has it), soonest first."""
    tz = vehicle.owner.site.tz
    today_starts = datetime.combine(timezone.localdate(now, tz), time.min, tzinfo=tz)
    return list(
        Appointment.objects.filter(vehicle=vehicle, status__in=UPCOMING_STATUSES, starts_at__gte=today_starts)
        .select_related("site", "advisor")
        .prefetch_related("jobs__operation")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class VehicleKnowledge:
    visits: list[PastVisit]
    offers: list[SeasonalOffer]
    overdue: OverdueService | None
    last_reading: MileageReading | None


def vehicle_knowledge(*, vehicle: Vehicle, site, now: datetime) -> VehicleKnowledge:
    today = timezone.localdate(now, site.tz)
    last_reading = vehicle.mileage_readings.order_by("-read_at", "-pk").first()
    return VehicleKnowledge(
        visits=last_visits(vehicle=vehicle),
        offers=current_offers(site=site, make=vehicle.make, on=today),
        overdue=overdue_service(vehicle=vehicle, today=today, last_km=last_reading.km if last_reading else None),
        last_reading=last_reading,
    )
