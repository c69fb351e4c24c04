"""The breakdown or accident call (Lexus standard, DOMAIN.md §1): its record and its diagnosis appointment, taken together.

The agent reassures the customer, addressed by name, and establishes where
the vehicle is, whether anyone is injured (the emergency numbers of the
site's country are then shown: ``aftersales.accounts.emergency``), whether
towing is needed (the site's assistance partners are shown), whether a
courtesy car is needed, and the insurer, policy and assistance file numbers.
The diagnosis appointment is the slot engine's urgent proposal (within 24 h,
at most 3 working days: ``slots.propose(urgent=True)``), booked by
``book_appointment`` in the same transaction as the ``BreakdownCall`` row it
points to; a move of the appointment keeps the link.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.contact_points import brand_of
from aftersales.accounts.models import AssistanceContact, Site, User
from aftersales.customers.models import Customer, MobilityService, Vehicle

from .exceptions import InvalidBooking, LoanerUnavailable
from .models import Appointment, BreakdownCall, Loaner
from .services import book_appointment
from .slots import JobRequest

Kind = BreakdownCall.Kind
ARRIVAL_AREA = {Kind.BREAKDOWN: Appointment.ArrivalArea.MECHANICAL, Kind.ACCIDENT: Appointment.ArrivalArea.BODYSHOP}
LATITUDE_LIMIT = Decimal("90")
LONGITUDE_LIMIT = Decimal("180")
COORDINATES_RANGE = _("Coordinates: a latitude between -90 and 90 and a longitude between -180 and 180, e.g. 43.2965, 5.3698.")


def addressed_as(customer: Customer) -> str:
    """The name the agent calls the customer by: the person's, also for a company's car."""
    return " ".join(part for part in (customer.first_name, customer.last_name) if part) or str(customer)


def assistance_contacts(*, site: Site, vehicle: Vehicle) -> dict[str, list[AssistanceContact]]:
    """The site's active assistance partners and insurers for this vehicle (those of every brand and its brand's), by kind."""
    brand = brand_of(site, vehicle)
    for_vehicle = Q(brand__isnull=True) | (Q(brand=brand) if brand is not None else Q(pk__in=[]))
    contacts = {kind: [] for kind in AssistanceContact.Kind.values}
    for contact in site.assistance_contacts.filter(for_vehicle, active=True).order_by("kind", "position", "name"):
        contacts[contact.kind].append(contact)
    return contacts


def diagnosis_job(what_happened: str) -> JobRequest:
    """The diagnosis the appointment books: the customer's words, on the diagnosis skill."""
    return JobRequest(description=what_happened.strip()[:200])


def take_breakdown_call(
    *,
    site: Site,
    customer: Customer,
    vehicle: Vehicle,
    advisor: User,
    starts_at: datetime,
    kind: str,
    what_happened: str,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    anyone_injured: bool = False,
    emergency_services_alerted: bool = False,
    towing_needed: bool = False,
    assistance_partner: AssistanceContact | None = None,
    courtesy_car_needed: bool = False,
    loaner: Loaner | None = None,
    insurer: str = "",
    policy_number: str = "",
    assistance_file_number: str = "",
    documents_to_bring: str = "",
    taken_by: User,
) -> Appointment:
    """Record the call and book its urgent diagnosis appointment in one transaction; returns the appointment."""
    _check_call(
        site=site,
        kind=kind,
        what_happened=what_happened,
        location=location,
        latitude=latitude,
        longitude=longitude,
        anyone_injured=anyone_injured,
        emergency_services_alerted=emergency_services_alerted,
        assistance_partner=assistance_partner,
        courtesy_car_needed=courtesy_car_needed,
        loaner=loaner,
    )
    mobility = []
    if courtesy_car_needed:
        offered = MobilityService.objects.offered(site=site, brand=brand_of(site, vehicle))
        mobility = list(offered.filter(kind=MobilityService.Kind.LOANER)[:1])
    with transaction.atomic():
        call = BreakdownCall.objects.create(
            site=site,
            customer=customer,
            vehicle=vehicle,
            kind=kind,
            location=location.strip(),
            latitude=latitude,
            longitude=longitude,
            anyone_injured=anyone_injured,
            emergency_services_alerted=emergency_services_alerted,
            towing_needed=towing_needed,
            assistance_partner=assistance_partner,
            courtesy_car_needed=courtesy_car_needed,
            insurer=insurer.strip(),
            policy_number=policy_number.strip(),
            assistance_file_number=assistance_file_number.strip(),
            taken_by=taken_by,
        )
        appointment = book_appointment(
            site=site,
            customer=customer,
            vehicle=vehicle,
            advisor=advisor,
            starts_at=starts_at,
            jobs=[diagnosis_job(what_happened)],
            channel=Appointment.BookingChannel.PHONE_IN,
            booked_by=taken_by,
            mobility=mobility,
            loaner=loaner,
            checklist={"documents_to_bring": documents_to_bring, "arrival_area": ARRIVAL_AREA[Kind(kind)]},
            customer_words=what_happened,
            urgent=True,
        )
        appointment.breakdown_call = call
        appointment.save(update_fields=["breakdown_call"])
    return appointment


def _check_call(
    *,
    site,
    kind,
    what_happened,
    location,
    latitude,
    longitude,
    anyone_injured,
    emergency_services_alerted,
    assistance_partner,
    courtesy_car_needed,
    loaner,
) -> None:
    if kind not in Kind.values:
        raise InvalidBooking(_("Breakdown or accident: choose one."), field="kind")
    if anyone_injured and not emergency_services_alerted:
        raise InvalidBooking(
            _("Emergency services: someone is injured, make sure they are alerted, then tick it."), field="emergency_services_alerted"
        )
    if (latitude is None) != (longitude is None) or (
        latitude is not None and (abs(latitude) > LATITUDE_LIMIT or abs(longitude) > LONGITUDE_LIMIT)
    ):
        raise InvalidBooking(COORDINATES_RANGE, field="coordinates")
    if not location.strip() and latitude is None:
        raise InvalidBooking(_("Where the vehicle is: give an address, a road and its direction, or the coordinates."), field="location")
    if not what_happened.strip():
        raise InvalidBooking(_("What happened: write it in the customer's words."), field="what_happened")
    if assistance_partner is not None and (
        assistance_partner.site_id != site.pk
        or assistance_partner.kind != AssistanceContact.Kind.ASSISTANCE
        or not assistance_partner.active
    ):
        raise InvalidBooking(_("Assistance partner: choose one of this site's partners."), field="assistance_partner")
    if loaner is not None and not courtesy_car_needed:
        raise LoanerUnavailable(_("Loaner: a loaner is reserved only when a courtesy car is needed."))
    if courtesy_car_needed and loaner is None and Loaner.objects.filter(site=site, active=True).exists():
        raise LoanerUnavailable(_("Loaner: a courtesy car is needed, choose one of the loaners free at that time."))
