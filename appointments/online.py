"""Online self-booking, the customer's own changes, and web or e-mail requests (DOMAIN §1, issue 5).

Identification never tells a visitor whether a phone, an e-mail or a plate
is on file: the one-time code always goes to the address the visitor typed
(the same message, sent the same way, whoever it is), and only a verified
code leads to a lookup. A verified visitor on file goes on with the vehicle
found; an unknown one gives their details (customer and vehicle created
through ``aftersales.customers.services``, VIN required).

A pre-filled link (purpose ``prefill``, 45 days) names a vehicle: it skips
the typing, but the code still goes to the owner's contact on file, so a
forwarded or leaked link books nothing by itself.

Codes are delivered straight to the typed address, outside the outbox: the
outbox (``queue_message``) needs a customer on file, which a visitor may
not be, and one path for everybody keeps answers alike. A failed send is
logged; the visitor asks for a new code. Rate limits are counted in the
cache (``settings.CACHES``): production needs the shared Redis cache.
"""

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.contact_points import brand_of, contact_point_for
from aftersales.accounts.models import Brand, Site, User
from aftersales.accounts.notifications import notify_staff
from aftersales.accounts.roles import Role
from aftersales.customers.models import Channel, Customer, MobilityService, Vehicle
from aftersales.lib.business_hours import add_working_hours
from aftersales.lib.mail import AUTOMATED_HEADERS
from aftersales.lib.phones import normalize_phone
from aftersales.lib.signing import LinkError, make_token, read_token
from aftersales.lib.system_texts import SystemText
from aftersales.lib.text import plate_key
from aftersales.lib.vin import validate_vin
from aftersales.messaging import gateways
from aftersales.messaging.codes import CODE_DIGITS, CODE_TTL, MAX_CODE_ATTEMPTS, _hash_code, verify_code
from aftersales.messaging.exceptions import SendError
from aftersales.messaging.models import MessageChannel, OneTimeCode, OutboxMessage
from aftersales.messaging.services import find_template, queue_message, render_message

from . import services, slots
from .exceptions import InvalidBooking, SlotUnavailable, TransitionNotAllowed
from .models import DEFAULT_DOCUMENTS, Appointment, AppointmentEvent, WebRequest
from .selectors import free_loaners
from .system_texts import (
    APPOINTMENT_AT,
    CUSTOMER_CANCELLED,
    CUSTOMER_CHANGE_MAIL,
    CUSTOMER_CONFIRMED,
    CUSTOMER_MOVED,
    WEB_REQUEST_OVERDUE,
)

logger = logging.getLogger(__name__)

CODE_PURPOSE = "online_booking"
PREFILL_PURPOSE = "prefill"
PREFILL_MAX_AGE = timedelta(days=45)
ONLINE_USERNAME = "online-booking"
REQUEST_ANSWER_HOURS = 2

# (how many, per how many seconds) for each rate-limited action.
LIMITS = {
    "code_contact": (3, 15 * 60),
    "code_ip": (10, 60 * 60),
    "verify_ip": (30, 60 * 60),
    "book_ip": (5, 24 * 60 * 60),
    "book_phone": (3, 24 * 60 * 60),
    "request_ip": (5, 60 * 60),
}


# --- Rate limits ---------------------------------------------------------------


def allow(action: str, identity: str | None) -> bool:
    """Count one more ``action`` by ``identity``; False once its limit is reached in the window."""
    limit, window = LIMITS[action]
    key = "ratelimit:" + action + ":" + hashlib.sha256((identity or "").encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


# --- Contacts and one-time codes --------------------------------------------------


@dataclass(frozen=True)
class Contact:
    channel: str  # sms | email
    address: str  # E.164 or lower-case e-mail


def parse_contact(site: Site, raw: str) -> Contact:
    """A mobile (in the site's country by default) or an e-mail; ValidationError otherwise."""
    raw = (raw or "").strip()
    if "@" in raw:
        validate_email(raw)
        return Contact(MessageChannel.EMAIL, raw.lower())
    return Contact(MessageChannel.SMS, normalize_phone(raw, site.country))


def _code_key(site: Site, contact: Contact) -> str:
    digest = salted_hmac("appointments.online-contact", f"{contact.channel}:{contact.address}", algorithm="sha256").hexdigest()
    return f"online:{site.pk}:{digest[:40]}"


def send_access_code(*, site: Site, contact: Contact, language: str, customer: Customer | None = None, brand: Brand | None = None) -> None:
    """A fresh code for this contact (older ones retired), delivered to it after commit, signed by the brand's contact point."""
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    key = _code_key(site, contact)
    with transaction.atomic():
        OneTimeCode.objects.filter(purpose=CODE_PURPOSE, key=key, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        row = OneTimeCode(
            purpose=CODE_PURPOSE,
            key=key,
            customer=customer,
            created_at=now,
            max_attempts=MAX_CODE_ATTEMPTS,
            expires_at=(now + CODE_TTL).replace(microsecond=0),
        )
        row.code_hash = _hash_code(row, code)
        row.save()
        minutes = int(CODE_TTL.total_seconds() // 60)
        transaction.on_commit(lambda: _deliver_code(site, brand, contact, language, code, minutes))


def _deliver_code(site: Site, brand: Brand | None, contact: Contact, language: str, code: str, minutes: int) -> None:
    template, language = find_template(key="one_time_code", languages=[language, site.language, settings.LANGUAGE_CODE])
    point = contact_point_for(site, brand)
    context = {"code": code, "minutes": minutes, "site": point, "customer": "", "brand_name": point.brand.name if point.brand else ""}
    subject, body, body_html = render_message(message_template=template, channel=contact.channel, language=language, context=context)
    try:
        if contact.channel == MessageChannel.SMS:
            sms = OutboxMessage(site=site, brand=point.brand, channel=MessageChannel.SMS, recipient=contact.address, body=body)
            gateways.sms_backend().send(sms)
        else:
            email = EmailMultiAlternatives(
                subject,
                body,
                gateways.sender_address(point),
                [contact.address],
                headers=AUTOMATED_HEADERS,
                reply_to=gateways.reply_to_addresses(point),
            )
            email.attach_alternative(body_html, "text/html")
            email.send()
    except (SendError, smtplib.SMTPException, OSError):
        logger.warning("One-time code for site %s could not be sent by %s", site.pk, contact.channel, exc_info=True)


def verify_access_code(*, site: Site, contact: Contact, code: str) -> OneTimeCode:
    """The code row when ``code`` is right (used once); CodeRefused otherwise (wrong, expired, used, too many tries)."""
    return verify_code(purpose=CODE_PURPOSE, key=_code_key(site, contact), code=code)


# --- Who is it --------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    customer: Customer | None
    vehicle: Vehicle | None
    vehicle_of_someone_else: bool = False


def find_customer(*, site: Site, contact: Contact) -> Customer | None:
    field = "mobile" if contact.channel == MessageChannel.SMS else "email__iexact"
    return Customer.objects.filter(site=site, **{field: contact.address}).order_by("-pk").first()


def find_vehicle(*, customer: Customer, reference: str) -> Vehicle | None:
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    try:
        vin = validate_vin(reference)
    except ValidationError:
        return customer.vehicles.filter(Q(plate_key=plate_key(reference)) | Q(plate__iexact=reference)).order_by("-pk").first()
    return customer.vehicles.filter(vin=vin).first()


def identify(*, site: Site, contact: Contact, vehicle_reference: str) -> Identity:
    """After a verified code only: the customer behind the contact and their vehicle (either may be missing)."""
    customer = find_customer(site=site, contact=contact)
    vehicle = find_vehicle(customer=customer, reference=vehicle_reference) if customer else None
    return Identity(customer, vehicle)


def vehicle_elsewhere(vin: str, customer: Customer | None) -> bool:
    """A VIN already on file for another customer (asked only after verification, when adding a vehicle)."""
    return Vehicle.objects.filter(vin=vin).exclude(owner=customer).exists()


def online_user() -> User:
    """The account online bookings and customers' own changes are recorded under (inactive: it never logs in)."""
    user, created = User.objects.get_or_create(
        username=ONLINE_USERNAME, defaults={"first_name": "Online", "last_name": "booking", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# --- Pre-filled links -------------------------------------------------------------


def prefill_token(vehicle: Vehicle) -> str:
    return make_token(purpose=PREFILL_PURPOSE, pk=vehicle.pk)


def read_prefill_token(token: str) -> Vehicle:
    """The vehicle (with its owner) the link was made for; LinkError when tampered with or older than 45 days."""
    vehicle = (
        Vehicle.objects.select_related("owner__site")
        .filter(pk=read_token(token, purpose=PREFILL_PURPOSE, max_age=PREFILL_MAX_AGE), owner__isnull=False)
        .first()
    )
    if vehicle is None:
        raise LinkError("invalid")
    return vehicle


def online_booking_url(vehicle: Vehicle, *, page_url: str | None = None) -> str:
    """The absolute, pre-filled online booking link for the vehicle's owner (reminders, connected-car notices);
    ``page_url``: the site's booking page for the vehicle's brand, when the caller already has it (a timed job)."""
    if page_url is None:
        site = vehicle.owner.site
        page_url = booking_page_url(site, brand_of(site, vehicle))
    return page_url + "?" + urlencode({"p": prefill_token(vehicle)})


def booking_page_url(site: Site, brand: Brand | None) -> str:
    """The absolute address of the site's online booking, under one of its brands when given."""
    if brand is None:
        return settings.SITE_URL + reverse("online:book", kwargs={"site_code": site.code})
    return settings.SITE_URL + reverse("online:book_brand", kwargs={"site_code": site.code, "brand_code": brand.code})


def contact_on_file(customer: Customer) -> Contact | None:
    """Where a pre-filled link's code goes: the preferred channel first."""
    options = [(MessageChannel.SMS, customer.mobile), (MessageChannel.EMAIL, customer.email)]
    if customer.preferred_channel == Channel.EMAIL:
        options.reverse()
    return next((Contact(channel, address) for channel, address in options if address), None)


# --- Booking ------------------------------------------------------------------------


def online_slots(
    *, site: Site, jobs, needs_loaner: bool, waits: bool, now: datetime, first_day: date | None = None, days: int = slots.PROPOSAL_DAYS
) -> list[slots.Proposal]:
    first_day = first_day or timezone.localdate(now, site.tz)
    return slots.bookable_slots(
        site=site,
        jobs=jobs,
        now=now,
        first_day=first_day,
        last_day=first_day + timedelta(days=days),
        needs_loaner=needs_loaner,
        waits=waits,
        online=True,
    )


def loaner_offered(*, site: Site, jobs, now: datetime) -> bool:
    """Whether any slot of the next 14 days has a loaner free for online booking (the share kept back excluded)."""
    return bool(online_slots(site=site, jobs=jobs, needs_loaner=True, waits=False, now=now))


def book_online(
    *,
    site: Site,
    customer: Customer,
    vehicle: Vehicle,
    operations,
    mobility: MobilityService,
    advisor_id: int,
    starts_at: datetime,
    comment: str = "",
    origin: str | None = None,
    origin_record=None,
) -> Appointment:
    """Book what the customer chose, through the same engine and service as the CRC (channel online)."""
    jobs = [slots.JobRequest.of(operation) for operation in operations]
    if not jobs and comment.strip():
        jobs = [slots.JobRequest(description=comment.strip()[:200])]
    wants_loaner = mobility.kind == MobilityService.Kind.LOANER
    waits = mobility.kind == MobilityService.Kind.LOUNGE
    day = timezone.localdate(starts_at, site.tz)
    match = next(
        (
            p
            for p in online_slots(site=site, jobs=jobs, needs_loaner=wants_loaner, waits=waits, now=timezone.now(), first_day=day, days=0)
            if p.advisor_id == advisor_id and p.starts_at == starts_at
        ),
        None,
    )
    if match is None:
        raise SlotUnavailable(_("This time is no longer free; pick another."), field="slot")
    advisor = User.objects.filter(pk=advisor_id).first()
    loaner = None
    if wants_loaner:
        loaner = free_loaners(site=site, starts_at=starts_at, ends_at=match.handover_at + timedelta(minutes=30)).first()
        if loaner is None:
            raise SlotUnavailable(_("No loaner is free for this time any more; pick another time or another option."), field="slot")
    return services.book_appointment(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=starts_at,
        jobs=jobs,
        channel=Appointment.BookingChannel.ONLINE,
        origin=origin,
        origin_record=origin_record,
        booked_by=online_user(),
        mobility=[mobility],
        loaner=loaner,
        customer_words=comment,
        checklist={
            "services_explained": True,
            "mobility_offered": True,
            "prices_given": True,
            "documents_to_bring": str(DEFAULT_DOCUMENTS),
        },
    )


# --- The customer's own changes ------------------------------------------------------

CUSTOMER_CHANGES = {"confirmed": CUSTOMER_CONFIRMED, "rescheduled": CUSTOMER_MOVED, "cancelled": CUSTOMER_CANCELLED}


def slots_to_move(
    *, appointment: Appointment, now: datetime, first_day: date | None = None, days: int = slots.PROPOSAL_DAYS
) -> list[slots.Proposal]:
    """The times the customer may move the appointment to: its jobs, waiting and loaner, the online rules."""
    return online_slots(
        site=appointment.site,
        jobs=list(appointment.jobs.all()),
        now=now,
        first_day=first_day,
        days=days,
        needs_loaner=appointment.loaner_reservations.exists(),
        waits=appointment.customer_waits,
    )


def reschedule_by_customer(*, appointment: Appointment, advisor_id: int, starts_at: datetime) -> Appointment:
    if not services.APPOINTMENT_FLOW.allows(appointment, Appointment.Status.RESCHEDULED):
        raise TransitionNotAllowed(_("This appointment can no longer be moved online; please call us."))
    offered = slots_to_move(
        appointment=appointment, now=timezone.now(), first_day=timezone.localdate(starts_at, appointment.site.tz), days=0
    )
    if not any(p.advisor_id == advisor_id and p.starts_at == starts_at for p in offered):
        raise SlotUnavailable(_("This time is no longer free; pick another."), field="slot")
    advisor = User.objects.filter(pk=advisor_id).first()
    with transaction.atomic():
        new = services.reschedule_appointment(
            appointment=appointment, starts_at=starts_at, advisor=advisor, actor=online_user(), reason=CUSTOMER_MOVED()
        )
        notify_advisor(appointment=new, change="rescheduled", previous=appointment)
    return new


def cancel_by_customer(*, appointment: Appointment, reason: str) -> Appointment:
    if not reason.strip():
        raise InvalidBooking(_("Tell us why you cancel."), field="reason")
    with transaction.atomic():
        cancelled = services.cancel_appointment(appointment=appointment, actor=online_user(), reason=reason)
        notify_advisor(appointment=cancelled, change="cancelled", note=reason.strip())
    return cancelled


def confirm_by_customer(*, appointment: Appointment) -> Appointment:
    with transaction.atomic():
        was = appointment.confirmation_status
        confirmed = services.confirm_appointment(appointment=appointment, via="link")
        if was != confirmed.confirmation_status:
            notify_advisor(appointment=confirmed, change="confirmed")
    return confirmed


def notify_advisor(*, appointment: Appointment, change: str, note: str = "", previous: Appointment | None = None) -> AppointmentEvent:
    """A staff-visible event on the appointment (diary "changes by customers"); a move or a cancellation is also
    e-mailed to its advisor after commit."""
    event = services.APPOINTMENT_FLOW.record(
        appointment,
        actor=None,
        from_status=appointment.status,
        note=CUSTOMER_CHANGES[change](free=note),
        details={"customer_change": change, **({"previous": previous.pk} if previous else {})},
    )
    if change != "confirmed":
        subject = CUSTOMER_CHANGE_MAIL(customer=appointment.customer, change=change)
        notify_staff(
            recipients=[appointment.advisor],
            subject=subject,
            lines=[subject, APPOINTMENT_AT(starts_at=appointment.starts_at, vehicle=appointment.vehicle), SystemText.of(note)],
            link=reverse("appointments:detail", kwargs={"pk": appointment.pk}),
            site=appointment.site,
        )
    return event


# --- Web and e-mail requests -----------------------------------------------------------


def create_web_request(
    *,
    site: Site,
    channel: str,
    name: str,
    mobile: str,
    email: str,
    language: str,
    vehicle_text: str,
    message: str,
    received_at: datetime | None = None,
    recorded_by: User | None = None,
    brand=None,
) -> WebRequest:
    """File a request; it is due 2 working hours after it came in (site hours, holidays and closures count)."""
    if channel not in WebRequest.Channel.values:
        raise InvalidBooking(_("Choose how the request came in from the list."), field="channel")
    if not (mobile or email):
        raise InvalidBooking(_("Give a phone number or an e-mail so we can answer."), field="mobile")
    if not message.strip():
        raise InvalidBooking(_("Write your message."), field="message")
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        raise InvalidBooking(_("The time received cannot be in the future."), field="received_at")
    return WebRequest.objects.create(
        site=site,
        brand=brand,
        channel=channel,
        name=name.strip(),
        mobile=mobile,
        email=email,
        language=language,
        vehicle_text=vehicle_text.strip(),
        message=message.strip(),
        received_at=received_at,
        due_at=add_working_hours(site, received_at, REQUEST_ANSWER_HOURS),
        recorded_by=recorded_by,
    )


def answer_web_request(*, web_request: WebRequest, answer: str, with_booking_link: bool, actor: User) -> WebRequest:
    """Send the answer by the customer's channel (filing them as a customer when they are not yet) and close the request."""
    from aftersales.customers.services import create_customer

    if not answer.strip():
        raise InvalidBooking(_("Write the answer."), field="answer")
    with transaction.atomic():
        locked = WebRequest.objects.select_for_update(of=("self",)).select_related("site").get(pk=web_request.pk)
        if locked.answered_at is not None:
            raise TransitionNotAllowed(_("This request was already answered."))
        site = locked.site
        customer = locked.customer
        if customer is None and locked.mobile:
            customer = find_customer(site=site, contact=Contact(MessageChannel.SMS, locked.mobile))
        if customer is None and locked.email:
            customer = find_customer(site=site, contact=Contact(MessageChannel.EMAIL, locked.email))
        if customer is None:
            first, _space, last = locked.name.rpartition(" ")
            customer = create_customer(
                site=site,
                created_by=actor,
                first_name=first or locked.name,
                last_name=last if first else "",
                mobile=locked.mobile,
                email=locked.email,
                language=locked.language,
                preferred_channel=Channel.EMAIL
                if locked.channel == WebRequest.Channel.EMAIL and locked.email
                else (Channel.SMS if locked.mobile else Channel.EMAIL),
            )
        link = booking_page_url(site, locked.brand) if with_booking_link else ""
        queue_message(
            customer=customer,
            template="web_request_answer",
            context={"answer": answer.strip(), "link": link, "brand": locked.brand},
            about=locked,
            idempotency_key=f"web_request_answer:{locked.pk}",
            purpose="service",
            actor=actor,
        )
        locked.customer, locked.answer, locked.answered_at, locked.answered_by = customer, answer.strip(), timezone.now(), actor
        locked.save(update_fields=["customer", "answer", "answered_at", "answered_by"])
    return locked


def escalate_overdue_web_requests(*, now: datetime) -> int:
    """Flag each unanswered request past its due time to its site's managers, once (claimed by a conditional update)."""
    flagged = 0
    for request in WebRequest.objects.filter(answered_at__isnull=True, escalated_at__isnull=True, due_at__lte=now).select_related("site"):
        with transaction.atomic():
            if not WebRequest.objects.filter(pk=request.pk, escalated_at__isnull=True, answered_at__isnull=True).update(escalated_at=now):
                continue
            subject = WEB_REQUEST_OVERDUE(name=request.name)
            notify_staff(
                recipients=User.objects.filter(sites=request.site, is_active=True, groups__name=Role.MANAGER),
                subject=subject,
                lines=[subject, SystemText.of(request.message[:500])],
                link=reverse("appointments:web_request", kwargs={"pk": request.pk}),
                site=request.site,
            )
        flagged += 1
    return flagged
