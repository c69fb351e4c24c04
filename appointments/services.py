"""Booking writes: book, reschedule, cancel, confirm, arrival and no-show.

Each service runs in one transaction and locks the advisor's user row first
(then the loaner's row), so two bookings for one advisor are serialised on
PostgreSQL; on SQLite the immediate transactions of the settings do the same.
The unique (advisor, start) grid of ``SlotReservation`` and, on PostgreSQL,
the loaner exclusion constraint are the last line: a violation becomes a
clear domain error and nothing is left half-saved.

Rescheduling keeps the history by closing the old row as ``rescheduled``
(its slots and loaner released) and booking a new row linked to it through
``rescheduled_from``, with the same jobs, prices, mobility and attribution.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email.utils import parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.contact_points import brand_of, contact_point_for_vehicle
from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import Role
from aftersales.audit.services import record_change
from aftersales.customers.exceptions import MileageNeedsCorrectionReason
from aftersales.customers.models import Customer, MileageReading, MobilityService, OperationPart, Part, Vehicle
from aftersales.customers.prices import labour_prices, missing_price_message, part_prices
from aftersales.customers.services import record_mileage
from aftersales.jobs.chunks import by_key, run_in_chunks
from aftersales.lib.domain import StatusFlow
from aftersales.lib.formatting import format_money, format_number
from aftersales.lib.ics import Party
from aftersales.lib.money import line_total
from aftersales.lib.signing import make_token
from aftersales.lib.system_texts import SystemText
from aftersales.messaging.batches import MessageRun, queue_messages
from aftersales.messaging.models import OutboxMessage
from aftersales.messaging.services import queue_message

from .exceptions import (
    CapacityExceeded,
    InvalidBooking,
    LoanerUnavailable,
    PartsError,
    SlotTaken,
    SlotUnavailable,
    TransitionNotAllowed,
)
from .grid_cache import grid_changed
from .models import (
    Appointment,
    AppointmentEvent,
    AppointmentJob,
    Loaner,
    LoanerReservation,
    PartOrderRequest,
    PartReservation,
    PartStock,
    SiteCapacityRule,
    Skill,
    SlotReservation,
)
from .selectors import reminders_due
from .slots import HANDOVER_SEARCH_DAYS, JobRequest, check_slot, load_calendar, workshop_need
from .system_texts import ANSWERED_VIA, PART_ORDER_REQUESTED, PARTS_RESERVED

CENT = Decimal("0.01")
Status = Appointment.Status
APPOINTMENT_FLOW = StatusFlow(
    event_model=AppointmentEvent,
    subject="appointment",
    refused=TransitionNotAllowed,
    refusal=_("An appointment that is %(current)s cannot become %(target)s."),
)
OVERRIDE_PERMISSION = "appointments.override_capacity"
CHANNEL_ORIGIN = {
    Appointment.BookingChannel.PHONE_IN: Appointment.Origin.INBOUND_CALL,
    Appointment.BookingChannel.PHONE_OUT: Appointment.Origin.OUTBOUND_CALL,
    Appointment.BookingChannel.DESK: Appointment.Origin.WALK_IN,
    Appointment.BookingChannel.WALK_IN: Appointment.Origin.WALK_IN,
    Appointment.BookingChannel.EMAIL_WEB: Appointment.Origin.EMAIL_WEB,
    Appointment.BookingChannel.ONLINE: Appointment.Origin.ONLINE,
    Appointment.BookingChannel.APP: Appointment.Origin.APP,
}
CHECKLIST_FLAGS = ("services_explained", "mobility_offered", "prices_given", "walk_around_offered")
CHECKLIST_TEXTS = ("documents_to_bring", "arrival_area")
LINK_PURPOSE = "appointment"


def customer_link(appointment: Appointment) -> str:
    """The signed link to the customer's page of this appointment (valid until the day after it, see views.public_page)."""
    token = make_token(purpose=LINK_PURPOSE, pk=appointment.pk)
    return settings.SITE_URL + reverse("appointments:public", kwargs={"token": token})


@dataclass(frozen=True)
class EstimateLine:
    description: str
    skill: str
    flat_rate_hours: Decimal
    labour_price: Decimal
    parts_price: Decimal
    # The catalogue items (the operation, its kit's parts) without a price in the site's currency: not counted.
    missing: tuple = ()

    @property
    def price(self) -> Decimal:
        return self.labour_price + self.parts_price


@dataclass(frozen=True)
class Estimate:
    lines: list[EstimateLine]
    currency: str
    flat_rate_hours: Decimal
    labour_total: Decimal
    parts_total: Decimal
    net_total: Decimal
    vat_total: Decimal
    gross_total: Decimal

    @property
    def missing(self) -> list:
        """The catalogue items without a price in the site's currency: the estimate is incomplete while there are any."""
        return list(dict.fromkeys(item for line in self.lines for item in line.missing))

    def missing_price_message(self) -> str:
        return missing_price_message(self.missing, self.currency)


def estimate_jobs(*, site: Site, jobs: Sequence[JobRequest]) -> Estimate:
    """Flat-rate hours × rate (or the operation's fixed price) + parts kits, at the prices in the site's currency, VAT
    of the site, rounded to cents (three queries). An item without a price there is listed in ``missing``, not priced."""
    operations = [job.operation for job in jobs if job.operation is not None]
    kit_lines = list(OperationPart.objects.filter(operation__in=operations).select_related("part"))
    unit_prices = part_prices([line.part for line in kit_lines], site.currency)
    labour = labour_prices(operations, site)
    kits: dict[int, Decimal] = {}
    unpriced: dict[int, list[Part]] = {}
    for line in kit_lines:
        if line.part_id in unit_prices:
            kits[line.operation_id] = kits.get(line.operation_id, Decimal("0")) + line_total(line.quantity, unit_prices[line.part_id])
        else:
            unpriced.setdefault(line.operation_id, []).append(line.part)
    lines = []
    for job in jobs:
        if job.operation is not None:
            missing = ([] if job.operation.pk in labour else [job.operation]) + unpriced.get(job.operation.pk, [])
            line = EstimateLine(
                job.description,
                job.skill,
                Decimal(job.flat_rate_hours),
                labour.get(job.operation.pk, Decimal("0")),
                kits.get(job.operation.pk, Decimal("0")),
                tuple(missing),
            )
        else:
            hours = Decimal(job.flat_rate_hours)
            line = EstimateLine(job.description, job.skill, hours, line_total(hours, site.labour_rate), Decimal("0"))
        lines.append(line)
    labour_total = sum((line.labour_price for line in lines), Decimal("0"))
    parts_total = sum((line.parts_price for line in lines), Decimal("0"))
    net = labour_total + parts_total
    vat = (net * site.vat_rate / Decimal("100")).quantize(CENT, ROUND_HALF_UP)
    return Estimate(
        lines=lines,
        currency=site.currency,
        flat_rate_hours=sum((line.flat_rate_hours for line in lines), Decimal("0")),
        labour_total=labour_total,
        parts_total=parts_total,
        net_total=net,
        vat_total=vat,
        gross_total=net + vat,
    )


def book_appointment(
    *,
    site: Site,
    customer: Customer,
    vehicle: Vehicle,
    advisor: User,
    starts_at: datetime,
    jobs: Sequence[JobRequest],
    channel: str,
    booked_by: User,
    mobility: Iterable[MobilityService] = (),
    loaner: Loaner | None = None,
    checklist: dict | None = None,
    customer_words: str = "",
    urgent: bool = False,
    origin: str | None = None,
    origin_record=None,
    override_reason: str | None = None,
    mileage_km: int | None = None,
    mileage_correction_reason: str = "",
) -> Appointment:
    """Book a reception slot and its handover slot (and a loaner) for a customer's vehicle.

    ``mileage_km``: the current mileage the customer gave, recorded with the booking (a lower one than the last
    reading needs ``mileage_correction_reason``, as on the vehicle page)."""
    jobs = list(jobs)
    mobility = list(mobility)
    _check_booking_input(
        site=site,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=starts_at,
        jobs=jobs,
        customer_words=customer_words,
        mobility=mobility,
        loaner=loaner,
    )
    if channel not in Appointment.BookingChannel.values:
        raise InvalidBooking(_("Choose how the booking came in from the list."), field="channel")
    if origin is not None and origin not in Appointment.Origin.values:
        raise InvalidBooking(_("Choose where the booking came from from the list."), field="origin")
    channel = Appointment.BookingChannel(channel)
    clean_checklist = _clean_checklist(checklist or {})
    clean_checklist["arrival_area"] = clean_checklist["arrival_area"] or arrival_area_for(jobs)
    with transaction.atomic():
        _lock_advisor(advisor)
        if mileage_km is not None:
            _record_told_mileage(vehicle, km=mileage_km, correction_reason=mileage_correction_reason, actor=booked_by)
        estimate = estimate_jobs(site=site, jobs=jobs)
        if estimate.missing:
            raise InvalidBooking(estimate.missing_price_message(), field="operations")
        waits = any(service.kind == MobilityService.Kind.LOUNGE for service in mobility)
        placement = _check_capacity(
            site=site,
            advisor=advisor,
            starts_at=starts_at,
            need=workshop_need(jobs),
            waits=waits,
            loaner=loaner,
            online=channel == Appointment.BookingChannel.ONLINE,
            urgent=urgent,
            actor=booked_by,
            override_reason=override_reason,
        )
        appointment = Appointment.objects.create(
            site=site,
            customer=customer,
            vehicle=vehicle,
            advisor=advisor,
            starts_at=starts_at,
            handover_at=placement.handover_at,
            workshop_day=timezone.localtime(starts_at, site.tz).date(),
            channel=channel,
            origin=origin or CHANNEL_ORIGIN[channel],
            origin_content_type=ContentType.objects.get_for_model(origin_record) if origin_record is not None else None,
            origin_object_id=origin_record.pk if origin_record is not None else None,
            customer_words=customer_words.strip(),
            urgent=urgent,
            customer_waits=waits,
            checklist=clean_checklist,
            currency=estimate.currency,
            labour_total=estimate.labour_total,
            parts_total=estimate.parts_total,
            net_total=estimate.net_total,
            vat_total=estimate.vat_total,
            gross_total=estimate.gross_total,
            flat_rate_hours=estimate.flat_rate_hours,
            booked_by=booked_by,
        )
        AppointmentJob.objects.bulk_create(
            AppointmentJob(
                appointment=appointment,
                operation=job.operation,
                description=(job.operation.localized("description", customer.language) if job.operation else line.description)[:200],
                skill=line.skill,
                flat_rate_hours=line.flat_rate_hours,
                labour_price=line.labour_price,
                parts_price=line.parts_price,
            )
            for job, line in zip(jobs, estimate.lines, strict=True)
        )
        appointment.mobility.set(mobility)
        _reserve(appointment, loaner, loaner_until=placement.loaner_until)
        APPOINTMENT_FLOW.record(appointment, actor=booked_by, from_status="", note=override_reason or "", details=placement.override)
        _queue_notice(appointment, "booking_confirmation", actor=booked_by, ics_until=placement.reception_until)
    return appointment


def _record_told_mileage(vehicle: Vehicle, *, km: int, correction_reason: str, actor: User) -> None:
    try:
        record_mileage(
            vehicle=vehicle, km=km, source=MileageReading.Source.CUSTOMER, correction_reason=correction_reason, recorded_by=actor
        )
    except MileageNeedsCorrectionReason as error:
        raise InvalidBooking(error.message, field="mileage_correction_reason") from error


def reschedule_appointment(
    *,
    appointment: Appointment,
    starts_at: datetime,
    actor: User,
    advisor: User | None = None,
    reason: SystemText | str = "",
    override_reason: str | None = None,
) -> Appointment:
    """Close the appointment as rescheduled and book the same visit at a new time; returns the new appointment."""
    advisor = advisor or appointment.advisor
    _check_advisor(appointment.site, advisor)
    _check_moment(starts_at)
    with transaction.atomic():
        _lock_advisor(advisor)
        old = _lock_appointment(appointment)
        loaner = Loaner.objects.filter(reservations__appointment=old).first()
        _release(old)
        APPOINTMENT_FLOW.move(old, Status.RESCHEDULED, actor=actor, note=reason)
        jobs = list(old.jobs.all())
        placement = _check_capacity(
            site=old.site,
            advisor=advisor,
            starts_at=starts_at,
            need=workshop_need(jobs),
            waits=old.customer_waits,
            loaner=loaner,
            online=old.channel == Appointment.BookingChannel.ONLINE,
            urgent=old.urgent,
            actor=actor,
            override_reason=override_reason,
        )
        new = Appointment.objects.get(pk=old.pk)
        new.pk = None
        new.advisor, new.starts_at, new.handover_at = advisor, starts_at, placement.handover_at
        new.workshop_day = timezone.localtime(starts_at, old.site.tz).date()
        new.status, new.confirmation_status, new.confirmed_at, new.confirmed_via = (
            Status.BOOKED,
            Appointment.ConfirmationStatus.PENDING,
            None,
            "",
        )
        new.rescheduled_from, new.booked_by, new.created_at = old, actor, timezone.now()
        new.calendar_sequence = old.calendar_sequence + 1  # the same calendar event (calendar_uid), a newer version
        new.save(force_insert=True)
        for job in jobs:
            job.pk, job.appointment = None, new
        AppointmentJob.objects.bulk_create(jobs)
        new.mobility.set(old.mobility.all())
        _reserve(new, loaner, loaner_until=placement.loaner_until)
        APPOINTMENT_FLOW.record(
            new, actor=actor, from_status="", note=override_reason or reason, details={**placement.override, "rescheduled_from": old.pk}
        )
        _queue_notice(new, "booking_rescheduled", actor=actor, ics_until=placement.reception_until, previous_start=old.starts_at)
    appointment.refresh_from_db()
    return new


def cancel_appointment(*, appointment: Appointment, actor: User | None, reason: str) -> Appointment:
    """Cancel and free the slots and the loaner; the reason is kept in the history."""
    if not reason.strip():
        raise InvalidBooking(_("Say why the appointment is cancelled."), field="reason")
    with transaction.atomic():
        locked = _lock_appointment(appointment)
        _release(locked)
        APPOINTMENT_FLOW.move(locked, Status.CANCELLED, actor=actor, note=reason.strip(), calendar_sequence=locked.calendar_sequence + 1)
        _queue_notice(locked, "booking_cancelled", actor=actor, ics_until=reception_end(locked))
    appointment.refresh_from_db()
    return appointment


def confirm_appointment(
    *,
    appointment: Appointment,
    via: str,
    actor: User | None = None,
    answer: str = Appointment.ConfirmationStatus.CONFIRMED,
) -> Appointment:
    """Record the customer's answer (by SMS reply, signed link, phone...). Confirming twice changes nothing."""
    answer = Appointment.ConfirmationStatus(answer)
    via = Appointment.ConfirmedVia(via)
    with transaction.atomic():
        locked = _lock_appointment(appointment)
        if locked.confirmation_status == answer:
            return locked
        if locked.status not in (Status.BOOKED, Status.CONFIRMED):
            raise TransitionNotAllowed(_("Only an upcoming appointment can be confirmed or declined."))
        locked.confirmation_status, locked.confirmed_at, locked.confirmed_via = answer, timezone.now(), via[:20]
        locked.save(update_fields=["confirmation_status", "confirmed_at", "confirmed_via"])
        if answer == Appointment.ConfirmationStatus.CONFIRMED and locked.status == Status.BOOKED:
            APPOINTMENT_FLOW.move(locked, Status.CONFIRMED, actor=actor, note=ANSWERED_VIA(via=via))
        else:
            APPOINTMENT_FLOW.record(
                locked, actor=actor, from_status=locked.status, note=ANSWERED_VIA(via=via), details={"confirmation": answer}
            )
    appointment.refresh_from_db()
    return appointment


def mark_arrived(*, appointment: Appointment, actor: User) -> Appointment:
    with transaction.atomic():
        locked = _lock_appointment(appointment)
        APPOINTMENT_FLOW.move(locked, Status.ARRIVED, actor=actor)
    appointment.refresh_from_db()
    return appointment


def mark_converted(*, appointment: Appointment, actor: User) -> Appointment:
    """The work order is open: the booking has become a visit (called by the workshop stage)."""
    with transaction.atomic():
        locked = _lock_appointment(appointment)
        APPOINTMENT_FLOW.move(locked, Status.CONVERTED, actor=actor)
    appointment.refresh_from_db()
    return appointment


def mark_no_show(*, appointment: Appointment, actor: User | None) -> Appointment:
    """The customer did not come: frees the loaner (the slots stay as they were, in the past)."""
    with transaction.atomic():
        locked = _lock_appointment(appointment)
        APPOINTMENT_FLOW.check(locked, Status.NO_SHOW)
        if locked.starts_at > timezone.now():
            raise TransitionNotAllowed(_("A customer cannot be marked as not come before the appointment time."))
        LoanerReservation.objects.filter(appointment=locked).delete()
        APPOINTMENT_FLOW.move(locked, Status.NO_SHOW, actor=actor)
    appointment.refresh_from_db()
    return appointment


def _check_booking_input(*, site, customer, vehicle, advisor, starts_at, jobs, customer_words, mobility, loaner) -> None:
    if not customer.has_contact_channel():
        raise InvalidBooking(
            _("The customer has no mobile, phone or e-mail: add one so the confirmation can reach them."), field="customer"
        )
    if vehicle.owner_id is not None and vehicle.owner_id != customer.pk and customer.kind == Customer.Kind.PRIVATE:
        raise InvalidBooking(_("This vehicle belongs to another customer."), field="vehicle")
    _check_advisor(site, advisor)
    _check_moment(starts_at)
    if not jobs and not customer_words.strip():
        raise InvalidBooking(_("Choose at least one job or write the customer's words."), field="jobs")
    if any(service.site_id != site.pk or not service.active for service in mobility):
        raise InvalidBooking(_("A mobility service chosen is not offered by this site."), field="mobility")
    _check_mobility_brand(site, vehicle, mobility)
    if loaner is not None and (loaner.site_id != site.pk or not loaner.active):
        raise LoanerUnavailable(_("This loaner is not in this site's fleet."))


def _check_mobility_brand(site: Site, vehicle: Vehicle, mobility: list[MobilityService]) -> None:
    """A service kept for some brands (the Lexus Lounge) is not offered for a vehicle of another."""
    if not mobility:
        return
    offered = set(MobilityService.objects.offered(site=site, brand=brand_of(site, vehicle)).values_list("pk", flat=True))
    refused = next((service for service in mobility if service.pk not in offered), None)
    if refused is not None:
        raise InvalidBooking(
            _("%(service)s is not offered for a %(make)s.") % {"service": refused.localized("name"), "make": vehicle.make}, field="mobility"
        )


def _check_advisor(site: Site, advisor: User) -> None:
    if not (advisor.is_active and advisor.sites.filter(pk=site.pk).exists() and Role.SERVICE_ADVISOR in advisor.role_names()):
        raise InvalidBooking(_("This advisor does not work at this site."), field="advisor")


def _check_moment(starts_at: datetime) -> None:
    if timezone.is_naive(starts_at):
        raise SlotUnavailable(_("The appointment time needs a time zone."))
    if starts_at <= timezone.now():
        raise SlotUnavailable(_("This time is in the past."))


def _clean_checklist(checklist: dict) -> dict:
    unknown = set(checklist) - set(CHECKLIST_FLAGS) - set(CHECKLIST_TEXTS)
    if unknown:
        raise InvalidBooking(_("Unknown checklist items: %(items)s.") % {"items": ", ".join(sorted(unknown))}, field="checklist")
    area = checklist.get("arrival_area", "")
    if area and area not in Appointment.ArrivalArea.values:
        raise InvalidBooking(_("Choose an arrival area from the list."), field="checklist")
    clean = {flag: bool(checklist.get(flag, False)) for flag in CHECKLIST_FLAGS}
    clean.update({text: str(checklist.get(text, "")).strip() for text in CHECKLIST_TEXTS})
    return clean


def booked_services(appointment: Appointment, language: str | None = None) -> str:
    """The booked jobs (else the customer's words) for a reader of ``language`` (the active language when None)."""
    jobs = appointment.jobs.select_related("operation")
    return ", ".join(job.localized_description(language) for job in jobs) or appointment.customer_words


def arrival_area_for(jobs: Sequence[JobRequest]) -> str:
    """Where the customer drives in when the booking did not say: the bodyshop for bodywork, the express lane when
    every job is express work, else the mechanical workshop."""
    skills = {job.skill for job in jobs}
    if Skill.BODYWORK in skills:
        return Appointment.ArrivalArea.BODYSHOP
    if skills == {Skill.EXPRESS}:
        return Appointment.ArrivalArea.EXPRESS
    return Appointment.ArrivalArea.MECHANICAL


def mobility_label(services: Iterable[MobilityService], currency: str, language: str | None = None) -> str:
    """The mobility chosen, with its price when it has one, for a reader of ``language`` (the active one when None)."""
    return ", ".join(
        f"{service.localized('name', language)} ({format_money(service.price, currency, language)})"
        if service.price
        else service.localized("name", language)
        for service in services
    )


def booking_details(appointment: Appointment) -> dict:
    """What a confirmation says besides the time: the work, the estimate, the mobility chosen, the documents to bring
    and the arrival area; each is read in the language of the message when it is rendered."""
    mobility = list(appointment.mobility.all())
    area = appointment.checklist.get("arrival_area", "")
    return {
        "services": lazy(booked_services, str)(appointment),
        "estimate": lazy(format_money, str)(appointment.gross_total, appointment.currency) if appointment.gross_total else "",
        "mobility": lazy(mobility_label, str)(mobility, appointment.currency) if mobility else "",
        "documents": lazy(lambda: appointment.documents_label, str)(),
        "arrival_area": Appointment.ArrivalArea(area).label if area in Appointment.ArrivalArea.values else "",
    }


def _queue_notice(appointment: Appointment, template: str, *, actor, ics_until: datetime | None = None, **extra) -> None:
    """The customer's confirmation, move or cancellation notice, sent by the outbox after commit; with ``ics_until``
    its e-mail carries the booking's calendar event: a request while the booking stands, a cancel once it is cancelled."""
    context = {
        "start": appointment.starts_at,
        "vehicle": str(appointment.vehicle),
        **booking_details(appointment),
        "link": customer_link(appointment),
        **extra,
    }
    method = "CANCEL" if appointment.status == Status.CANCELLED else "REQUEST"
    ics_event = ics_event_for(appointment, until=ics_until, method=method) if ics_until is not None else None
    queue_message(
        customer=appointment.customer,
        template=template,
        context=context,
        about=appointment,
        idempotency_key=f"{template}:{appointment.pk}",
        purpose="service",
        ics_event=ics_event,
        actor=actor,
    )


def reception_end(appointment: Appointment) -> datetime:
    """When the reception of the visit ends: the end of its calendar event."""
    rule = SiteCapacityRule.objects.filter(site=appointment.site).first() or SiteCapacityRule()
    return appointment.starts_at + timedelta(minutes=rule.reception_minutes)


def ics_event_for(appointment: Appointment, *, until: datetime, method: str = "PUBLISH") -> dict:
    """The booking's calendar event in the customer's language (``ics_event`` of queue_message, or with ``time_zone``
    the arguments of lib.ics.build_event): one UID for the booking's whole life, its version, who organises it."""
    site = appointment.site
    with translation.override(appointment.customer.language or site.language):
        details = {name: str(value) for name, value in booking_details(appointment).items()}
        lines = [
            details["services"],
            _("Estimate: %(total)s VAT included") % {"total": details["estimate"]} if details["estimate"] else "",
            _("Mobility: %(mobility)s") % {"mobility": details["mobility"]} if details["mobility"] else "",
            _("Arrival area: %(area)s") % {"area": details["arrival_area"]} if details["arrival_area"] else "",
            _("Documents to bring: %(documents)s") % {"documents": details["documents"]},
            _("To change or cancel: %(link)s") % {"link": customer_link(appointment)},
        ]
        summary = str(_("Service appointment: %(vehicle)s") % {"vehicle": appointment.vehicle})
    contact = contact_point_for_vehicle(site, appointment.vehicle)
    return {
        "uid": appointment.calendar_uid,
        "sequence": appointment.calendar_sequence,
        "method": method,
        "start": appointment.starts_at,
        "end": until,
        "summary": summary,
        "location": f"{contact.name}, {site.address}, {site.postcode} {site.city}",
        "description": "\n".join(str(line) for line in lines if line),
        "organizer": Party(name=contact.name, email=contact.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]),
    }


def _lock_advisor(advisor: User) -> None:
    User.objects.select_for_update(no_key=True).filter(pk=advisor.pk).values_list("pk").get()


def _lock_appointment(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update(of=("self",)).select_related("site").get(pk=appointment.pk)


@dataclass(frozen=True)
class _Placement:
    handover_at: datetime
    loaner_until: datetime
    reception_until: datetime
    override: dict


def _check_capacity(*, site, advisor, starts_at, need, waits, loaner, online, urgent, actor, override_reason) -> _Placement:
    """Where the visit fits, and the details of a capacity override to log (empty when none was needed)."""
    day = timezone.localtime(starts_at, site.tz).date()
    calendar = load_calendar(site=site, first_day=day, last_day=day + timedelta(days=HANDOVER_SEARCH_DAYS))
    check = check_slot(
        calendar,
        advisor_id=advisor.pk,
        starts_at=starts_at,
        need=need,
        now=timezone.now(),
        waits=waits,
        needs_loaner=loaner is not None and online,
        online=online,
        urgent=urgent,
    )
    if "taken" in check.refusals:
        raise SlotTaken()
    if check.refusals:
        raise SlotUnavailable(next(iter(check.refusals.values())))
    loaner_until = check.handover_at + calendar.step
    reception_until = starts_at + timedelta(minutes=calendar.rule.reception_minutes)
    if not check.exceeded:
        return _Placement(check.handover_at, loaner_until, reception_until, {})
    limits = "; ".join(str(message) for message in check.exceeded.values())
    if not actor.has_perm(OVERRIDE_PERMISSION):
        raise CapacityExceeded(
            _("Capacity exceeded: %(limits)s. Pick another slot.") % {"limits": limits}, exceeded=check.exceeded, field="starts_at"
        )
    if not (override_reason or "").strip():
        raise CapacityExceeded(
            _("Capacity exceeded: %(limits)s. Give a reason to book anyway.") % {"limits": limits}, exceeded=check.exceeded
        )
    override = {"override": {"axes": sorted(check.exceeded), "limits": limits, "reason": override_reason.strip()}}
    return _Placement(check.handover_at, loaner_until, reception_until, override)


def _reserve(appointment: Appointment, loaner: Loaner | None, *, loaner_until: datetime) -> None:
    """Take the reception and handover slots, then the loaner; a clash becomes a domain error."""
    try:
        with transaction.atomic():
            SlotReservation.objects.bulk_create(
                [
                    SlotReservation(
                        site=appointment.site,
                        advisor=appointment.advisor,
                        starts_at=appointment.starts_at,
                        kind=SlotReservation.Kind.RECEPTION,
                        appointment=appointment,
                    ),
                    SlotReservation(
                        site=appointment.site,
                        advisor=appointment.advisor,
                        starts_at=appointment.handover_at,
                        kind=SlotReservation.Kind.HANDOVER,
                        appointment=appointment,
                    ),
                ]
            )
    except IntegrityError as error:
        raise SlotTaken() from error
    grid_changed(site_id=appointment.site_id)
    if loaner is None:
        return
    ends_at = loaner_until
    Loaner.objects.select_for_update().filter(pk=loaner.pk).values_list("pk").get()
    if LoanerReservation.objects.filter(loaner=loaner, starts_at__lt=ends_at, ends_at__gt=appointment.starts_at).exists():
        raise LoanerUnavailable(_("This loaner is already out during that visit; choose another one."))
    try:
        with transaction.atomic():
            LoanerReservation.objects.create(loaner=loaner, appointment=appointment, starts_at=appointment.starts_at, ends_at=ends_at)
    except IntegrityError as error:
        raise LoanerUnavailable(_("This loaner is already out during that visit; choose another one.")) from error


def _release(appointment: Appointment) -> None:
    SlotReservation.objects.filter(appointment=appointment).delete()
    LoanerReservation.objects.filter(appointment=appointment).delete()


def booking_reminder_request(appointment: Appointment) -> dict:
    """queue_message arguments of the 24 h confirmation request: once per appointment and start time."""
    return {
        "customer": appointment.customer,
        "template": "booking_reminder_24h",
        "about": appointment,
        "idempotency_key": f"booking_reminder_24h:{appointment.pk}:{appointment.starts_at.isoformat()}",
        "purpose": "service",
        "context": {"start": appointment.starts_at, "vehicle": str(appointment.vehicle), "link": customer_link(appointment)},
    }


def send_booking_reminder(*, appointment: Appointment) -> bool:
    """Queue the 24 h confirmation request once per appointment and start time; False when it was already queued."""
    request = booking_reminder_request(appointment)
    if OutboxMessage.objects.filter(idempotency_key=request["idempotency_key"]).exists():
        return False
    with transaction.atomic():
        queue_message(**request)
    return True


def send_booking_reminders(*, now: datetime) -> int:
    """The 24 h confirmation requests of every appointment due one (``selectors.reminders_due``), in chunks: each
    chunk's messages written in bulk; a run cut off part-way goes on where it stopped (the keys skip what is done)."""
    run = MessageRun(now=now)

    def queue_chunk(appointments: list[Appointment]) -> int:
        return queue_messages([booking_reminder_request(appointment) for appointment in appointments], run=run)[1]

    return run_in_chunks(by_key(reminders_due(now=now)), queue_chunk)


def reserve_part(*, appointment: Appointment, part: Part, quantity: Decimal, actor: User) -> PartReservation:
    """Set the appointment's parts aside: on hand → reserved. Reserving again returns the first reservation."""
    with transaction.atomic():
        existing = PartReservation.objects.filter(appointment=appointment, part=part).first()
        if existing is not None:
            return existing
        stock = PartStock.objects.select_for_update().filter(site=appointment.site, part=part).first()
        if stock is None or stock.on_hand < quantity:
            raise PartsError(
                _("Only %(count)s of %(part)s on hand: request an order instead.")
                % {"count": format_number(stock.on_hand if stock else 0), "part": part}
            )
        stock.on_hand -= quantity
        stock.reserved += quantity
        stock.save(update_fields=["on_hand", "reserved"])
        reservation = PartReservation.objects.create(appointment=appointment, part=part, quantity=quantity, reserved_by=actor)
        APPOINTMENT_FLOW.record(
            appointment,
            actor=actor,
            from_status=appointment.status,
            note=PARTS_RESERVED(quantity=quantity, part=part),
        )
    return reservation


def request_part_order(*, appointment: Appointment, part: Part, quantity: Decimal, actor: User) -> PartOrderRequest:
    """Ask the parts advisor to order a part for the appointment; asking again returns the first request."""
    if quantity <= 0:
        raise PartsError(_("The quantity to order must be more than zero."), field="quantity")
    with transaction.atomic():
        request, created = PartOrderRequest.objects.get_or_create(
            appointment=appointment,
            part=part,
            defaults={"site": appointment.site, "quantity": quantity, "needed_by": appointment.starts_at, "requested_by": actor},
        )
        if created:
            APPOINTMENT_FLOW.record(
                appointment,
                actor=actor,
                from_status=appointment.status,
                note=PART_ORDER_REQUESTED(quantity=quantity, part=part),
            )
    return request


def close_loaner_reservation(*, reservation: LoanerReservation, returned_at: datetime, actor: User) -> LoanerReservation:
    """The loaner is back: the reservation ends at ``returned_at`` if that is before its booked end, so the loaner is free from then.

    A late return keeps the booked end (the next booking may start right after it). Closing twice is refused.
    """
    with transaction.atomic():
        locked = LoanerReservation.objects.select_for_update().get(pk=reservation.pk)
        if locked.returned_at is not None:
            raise LoanerUnavailable(_("This loaner is already back."))
        if returned_at <= locked.starts_at:
            raise LoanerUnavailable(_("A loaner cannot come back before its reservation starts."), field="returned_at")
        booked_end = locked.ends_at
        locked.returned_at, locked.returned_by, locked.ends_at = returned_at, actor, min(booked_end, returned_at)
        locked.save(update_fields=["returned_at", "returned_by", "ends_at"])
        record_change(
            actor=actor,
            obj=locked,
            action="update",
            changes={"returned_at": [None, returned_at.isoformat()], "ends_at": [booked_end.isoformat(), locked.ends_at.isoformat()]},
        )
    return locked


def confirm_loaner(*, reservation: LoanerReservation, actor: User) -> LoanerReservation:
    """The loaner is checked and ready for the appointment (confirming twice changes nothing)."""
    with transaction.atomic():
        locked = LoanerReservation.objects.select_for_update().get(pk=reservation.pk)
        if locked.confirmed_at is None:
            locked.confirmed_at, locked.confirmed_by = timezone.now(), actor
            locked.save(update_fields=["confirmed_at", "confirmed_by"])
    return locked
