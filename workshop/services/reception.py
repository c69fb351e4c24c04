"""Reception: the order's number, opening it (booked customer or walk-in), the check-in steps, the job and parts
lines agreed at reception (later additions wait for approval), the walk-around photos, and the handover of the
signed order to the workshop.

Every service runs in one transaction, locks the work order first, refuses
what the status does not allow, records an audit row (and a ``WorkOrderEvent``
for a status change) and raises a ``WorkOrderError`` naming the field. After
the signature the agreed lines are frozen; ``add_job`` then adds a line
waiting for approval.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Site, User
from aftersales.audit.services import model_changes, record_change
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import Customer, LabourOperation, MileageReading, MobilityService, OperationPart, Part, Vehicle
from aftersales.customers.prices import missing_price_message, part_price, part_prices
from aftersales.customers.services import record_mileage
from aftersales.lib.counters import take_next_number
from aftersales.lib.formatting import format_number
from aftersales.lib.images import reencode_image
from aftersales.lib.phones import normalize_phone
from appointments.models import Appointment, Loaner, TechnicianProfile
from appointments.services import estimate_jobs, mark_arrived, mark_converted
from appointments.slots import JobRequest

from ..exceptions import InvalidCheckIn, PhotoRefused, TransitionNotAllowed
from ..models import (
    Approval,
    DamageMark,
    HoldReason,
    InspectionResult,
    JobStatus,
    LoanerHandover,
    Payer,
    WorkOrder,
    WorkOrderCounter,
    WorkOrderJob,
    WorkOrderPart,
    WorkOrderPhoto,
)
from ..system_texts import PREPARED_ORDER_WITHDRAWN
from ._common import WORK_ORDER_FLOW, Status, image_kind, lock_order, refresh_estimate, refuse_when_signed

MAX_PHOTO_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Step:
    key: str
    title: Any
    fields: tuple[str, ...]


# The 9 standard steps of reception; the last one is the signature page.
STEPS = (
    Step("prepare", _("Prepare"), ("cover_seat", "cover_steering_wheel", "cover_floor_mat", "covers_not_fitted_reason")),
    Step("greet", _("Greet and confirm the work"), ("customer_words", "requested_work_confirmed")),
    Step("walk_around", _("Walk around the vehicle"), ("mileage_in", "fuel_level", "valuables")),
    Step("findings", _("Findings and added work"), ("findings",)),
    Step("estimate", _("Return time and cost"), ("promised_at",)),
    Step(
        "documents",
        _("Documents"),
        (
            "doc_radio_code",
            "doc_wheel_lock_key",
            "doc_service_book",
            "doc_driving_licence",
            "doc_registration_papers",
        ),
    ),
    Step("agreement", _("Agreement"), ("spending_limit", "payment_method", "contact_phone")),
    Step("mobility", _("Waiting or leaving"), ("departure", "mobility")),
    Step("sign", _("Signature and handover to the workshop"), ()),
)
STEP_KEYS = [step.key for step in STEPS]


def step_by_key(key: str) -> Step | None:
    return next((step for step in STEPS if step.key == key), None)


# --- numbering --------------------------------------------------------------------


def take_number(*, site: Site, year: int) -> tuple[int, str]:
    """The next sequence of the site's year and its printed number; call inside the order's transaction."""
    sequence = take_next_number(WorkOrderCounter, site=site, year=year)
    return sequence, f"{site.code.upper()}-{year}-{sequence:05d}"


# --- opening ----------------------------------------------------------------------


def open_work_order(*, appointment: Appointment, actor: User) -> WorkOrder:
    """Check in a booked customer: the appointment's jobs become the order's jobs (once: a second call returns it).

    An order prepared in advance (``prepare_work_order``) is opened now: the
    moment of its opening becomes the check-in's and the advisor is whoever
    receives the customer.
    """
    _refuse_other_site(appointment, actor)
    with transaction.atomic():
        locked = _lock_appointment(appointment)
        existing = WorkOrder.objects.filter(appointment=locked).first()
        if existing is not None and existing.status != Status.PREPARED:
            return existing
        if locked.status in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED):
            mark_arrived(appointment=locked, actor=actor)
        elif locked.status != Appointment.Status.ARRIVED:
            raise InvalidCheckIn(
                _("An appointment that is %(status)s cannot be checked in.") % {"status": locked.get_status_display()}, field="appointment"
            )
        if existing is not None:
            order = lock_order(existing)
            WORK_ORDER_FLOW.move(order, Status.DRAFT, actor=actor, created_at=timezone.now(), advisor=actor)
            return order
        return _order_from_appointment(locked, actor=actor, advisor=actor, status=Status.DRAFT)


def prepare_work_order(*, appointment: Appointment, actor: User) -> WorkOrder:
    """Open a booked appointment's order in advance (the 24-48 h preparation): its number, jobs, parts and estimate.

    The appointment stays booked and the order waits, ``prepared``, for the
    check-in (``open_work_order``); its advisor is the appointment's. Once
    only: a second call returns the order.
    """
    _refuse_other_site(appointment, actor)
    with transaction.atomic():
        locked = _lock_appointment(appointment)
        existing = WorkOrder.objects.filter(appointment=locked).first()
        if existing is not None:
            return existing
        if locked.status not in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED):
            raise InvalidCheckIn(
                _("An appointment that is %(status)s cannot be prepared in advance.") % {"status": locked.get_status_display()},
                field="appointment",
            )
        return _order_from_appointment(locked, actor=actor, advisor=locked.advisor or actor, status=Status.PREPARED)


def withdraw_prepared_order(appointment: Appointment, to_status: str, actor: User | None) -> None:
    """The booking an order was prepared for is cancelled, moved or missed: the prepared order is cancelled with it.

    Registered with the appointments' status flow; runs in the transaction that moved the locked appointment.
    """
    if to_status not in (Appointment.Status.CANCELLED, Appointment.Status.RESCHEDULED, Appointment.Status.NO_SHOW):
        return
    prepared = WorkOrder.objects.filter(appointment=appointment, status=Status.PREPARED).first()
    if prepared is not None:
        order = lock_order(prepared)
        WORK_ORDER_FLOW.move(order, Status.CANCELLED, actor=actor, note=PREPARED_ORDER_WITHDRAWN(status=to_status))


def _refuse_other_site(appointment: Appointment, actor: User) -> None:
    if not actor.visible_sites().filter(pk=appointment.site_id).exists():
        raise InvalidCheckIn(_("This appointment belongs to another site."), field="appointment")


def _lock_appointment(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update(of=("self",)).select_related("site", "customer").get(pk=appointment.pk)


def _order_from_appointment(appointment: Appointment, *, actor: User, advisor: User, status: str) -> WorkOrder:
    order = _create_order(
        site=appointment.site,
        customer=appointment.customer,
        vehicle=appointment.vehicle,
        actor=actor,
        advisor=advisor,
        appointment=appointment,
        customer_words=appointment.customer_words,
        status=status,
    )
    for booked in appointment.jobs.select_related("operation"):
        job = WorkOrderJob.objects.create(
            work_order=order,
            operation=booked.operation,
            concern=booked.localized_description(appointment.customer.language),
            skill=booked.skill,
            flat_rate_hours=booked.flat_rate_hours,
            labour_price=booked.labour_price,
            from_appointment=True,
            added_by=actor,
        )
        _add_kit(job)
    refresh_estimate(order)
    if appointment.mobility.filter(kind=MobilityService.Kind.LOUNGE).exists():
        order.departure = WorkOrder.Departure.WAITS
        order.save(update_fields=["departure"])
    return order


def open_walk_in(*, site: Site, customer: Customer, vehicle: Vehicle, actor: User, customer_words: str = "") -> WorkOrder:
    """A customer without appointment: the same check-in, on a new order."""
    if not actor.visible_sites().filter(pk=site.pk).exists():
        raise InvalidCheckIn(_("You do not work at this site."), field="site")
    if customer.site_id != site.pk:
        raise InvalidCheckIn(_("This customer is filed at another site."), field="customer")
    if vehicle.owner_id not in (None, customer.pk) and customer.kind == Customer.Kind.PRIVATE:
        raise InvalidCheckIn(_("This vehicle belongs to another customer."), field="vehicle")
    with transaction.atomic():
        return _create_order(
            site=site,
            customer=customer,
            vehicle=vehicle,
            actor=actor,
            advisor=actor,
            appointment=None,
            customer_words=customer_words.strip(),
            status=Status.DRAFT,
        )


def _create_order(*, site, customer, vehicle, actor, advisor, appointment, customer_words, status) -> WorkOrder:
    now = timezone.now()
    year = timezone.localtime(now, site.tz).year
    sequence, number = take_number(site=site, year=year)
    order = WorkOrder.objects.create(
        site=site,
        year=year,
        sequence=sequence,
        number=number,
        appointment=appointment,
        customer=customer,
        vehicle=vehicle,
        advisor=advisor,
        status=status,
        created_at=now,
        customer_words=customer_words,
        currency=site.currency,
        vat_rate=site.vat_rate,
        contact_phone=customer.mobile,
    )
    WORK_ORDER_FLOW.record(order, actor=actor, from_status="")
    record_change(actor=actor, obj=order, action="create", changes={"number": [None, number]})
    return order


def _add_kit(job: WorkOrderJob) -> None:
    """The operation's parts kit at the prices in the order's currency; refused when a part has none there."""
    if job.operation_id is None:
        return
    kit = list(OperationPart.objects.filter(operation=job.operation).select_related("part"))
    currency = job.work_order.currency
    prices = part_prices([line.part for line in kit], currency)
    missing = [line.part for line in kit if line.part_id not in prices]
    if missing:
        raise InvalidCheckIn(missing_price_message(missing, currency), field="operation")
    WorkOrderPart.objects.bulk_create(
        WorkOrderPart(
            work_order=job.work_order,
            job=job,
            part=line.part,
            quantity=line.quantity,
            unit_price=prices[line.part_id],
            payer=job.payer,
            approval=job.approval,
        )
        for line in kit
    )


# --- check-in steps ---------------------------------------------------------------
#
# One service per step, taking that step's fields (STEP_SERVICES gives them by
# key); the signature step has its own services. Saving a step again (going
# back) overwrites it, nothing else is lost.


@contextmanager
def _check_in_step(work_order: WorkOrder, step: str, actor: User) -> Iterator[WorkOrder]:
    """The locked order for a step to set its fields on (refused once signed); then saved, audited, and checked in
    by the step before the signature. ``work_order`` is refreshed."""
    with transaction.atomic():
        order = lock_order(work_order)
        refuse_when_signed(order)
        if order.status == Status.PREPARED:
            raise InvalidCheckIn(_("This order was prepared in advance: check the customer in when they arrive."))
        before = WorkOrder.objects.get(pk=order.pk)
        yield order
        order.check_in_step = max(order.check_in_step, STEP_KEYS.index(step) + 1)
        order.save()
        changes = model_changes(before, order, list(step_by_key(step).fields))
        if changes:
            record_change(actor=actor, obj=order, action="update", changes=changes)
        if step == "mobility" and order.status == Status.DRAFT:
            WORK_ORDER_FLOW.move(order, Status.CHECKED_IN, actor=actor)
    work_order.refresh_from_db()


def save_prepare_step(
    *,
    work_order: WorkOrder,
    actor: User,
    cover_seat: bool,
    cover_steering_wheel: bool,
    cover_floor_mat: bool,
    covers_not_fitted_reason: str = "",
) -> WorkOrder:
    """The covers fitted before anyone sits in the car, or why none was (one of the two is required)."""
    reason = covers_not_fitted_reason.strip()[:300]
    if not (cover_seat or cover_steering_wheel or cover_floor_mat or reason):
        raise InvalidCheckIn(
            _("Tick the covers fitted (seat, steering wheel, floor mat), or say why none was fitted."), field="covers_not_fitted_reason"
        )
    with _check_in_step(work_order, "prepare", actor) as order:
        order.cover_seat, order.cover_steering_wheel, order.cover_floor_mat = cover_seat, cover_steering_wheel, cover_floor_mat
        order.covers_not_fitted_reason = reason
    return work_order


def save_greet_step(*, work_order: WorkOrder, actor: User, customer_words: str, requested_work_confirmed: bool) -> WorkOrder:
    """The requested work, in the customer's words, confirmed with them."""
    with _check_in_step(work_order, "greet", actor) as order:
        order.customer_words, order.requested_work_confirmed = customer_words, requested_work_confirmed
    return work_order


def save_walk_around_step(
    *,
    work_order: WorkOrder,
    actor: User,
    mileage_in: int | None,
    fuel_level: int | None,
    valuables: str,
    marks: Sequence[Mapping[str, Any]] | None = None,
    correction_reason: str = "",
) -> WorkOrder:
    """The mileage (a new reading of the vehicle; a lower one needs ``correction_reason``), the fuel level in eighths,
    the valuables, and the damage marks on the diagram ({view, x, y, kind, note}; None keeps the marks placed)."""
    with _check_in_step(work_order, "walk_around", actor) as order:
        if mileage_in is None:
            raise InvalidCheckIn(_("Read the mileage on the dashboard."), field="mileage_in")
        if mileage_in != order.mileage_in:
            try:
                record_mileage(
                    vehicle=order.vehicle,
                    km=mileage_in,
                    source=MileageReading.Source.RECEPTION,
                    recorded_by=actor,
                    correction_reason=correction_reason,
                )
            except CustomerError as error:
                raise InvalidCheckIn(error.message, field=error.field or "mileage_in") from None
        if fuel_level is None or not 0 <= fuel_level <= 8:
            raise InvalidCheckIn(_("Give the fuel level in eighths, from 0 to 8."), field="fuel_level")
        if marks is not None:
            _replace_damage_marks(order, [_damage_mark(order, mark) for mark in marks])
        order.mileage_in, order.fuel_level, order.valuables = mileage_in, fuel_level, valuables
    return work_order


def _replace_damage_marks(order: WorkOrder, placed: Sequence[DamageMark]) -> None:
    """The marks become ``placed``; a mark kept at the same place and of the same kind keeps its row (and its photos)."""
    kept = {(mark.view, mark.x, mark.y, mark.kind): mark for mark in order.damage_marks.all()}
    new = []
    for mark in placed:
        existing = kept.pop((mark.view, mark.x, mark.y, mark.kind), None)
        if existing is None:
            new.append(mark)
        elif existing.note != mark.note:
            existing.note = mark.note
            existing.save(update_fields=["note"])
    DamageMark.objects.filter(pk__in=[mark.pk for mark in kept.values()]).delete()
    DamageMark.objects.bulk_create(new)


def _damage_mark(order: WorkOrder, mark: Mapping[str, Any]) -> DamageMark:
    try:
        x, y = Decimal(str(mark["x"])).quantize(Decimal("0.0001")), Decimal(str(mark["y"])).quantize(Decimal("0.0001"))
        view, kind, note = str(mark["view"]), str(mark["kind"]), str(mark.get("note", ""))[:200]
    except (KeyError, TypeError, InvalidOperation):
        raise InvalidCheckIn(_("A damage mark is incomplete: place it again on the diagram."), field="marks") from None
    if view not in DamageMark.View.values or kind not in DamageMark.Kind.values or not (0 <= x <= 1 and 0 <= y <= 1):
        raise InvalidCheckIn(_("A damage mark is outside the diagram or of an unknown type."), field="marks")
    return DamageMark(work_order=order, view=view, kind=kind, x=x, y=y, note=note.strip())


def save_findings_step(*, work_order: WorkOrder, actor: User, findings: str) -> WorkOrder:
    """The findings confirmed with the customer (the jobs they add are ``add_job``'s)."""
    with _check_in_step(work_order, "findings", actor) as order:
        order.findings = findings
    return work_order


def save_estimate_step(*, work_order: WorkOrder, actor: User, promised_at: datetime | None) -> WorkOrder:
    """The promised return time, later than now."""
    with _check_in_step(work_order, "estimate", actor) as order:
        if promised_at is None:
            raise InvalidCheckIn(_("Promise a return time."), field="promised_at")
        if timezone.is_naive(promised_at) or promised_at <= timezone.now():
            raise InvalidCheckIn(_("The promised return time must be later than now."), field="promised_at")
        order.promised_at = promised_at
    return work_order


def save_documents_step(
    *,
    work_order: WorkOrder,
    actor: User,
    doc_radio_code: bool,
    doc_wheel_lock_key: bool,
    doc_service_book: bool,
    doc_driving_licence: bool,
    doc_registration_papers: bool,
) -> WorkOrder:
    """The documents and keys left with the car."""
    with _check_in_step(work_order, "documents", actor) as order:
        order.doc_radio_code, order.doc_wheel_lock_key, order.doc_service_book = doc_radio_code, doc_wheel_lock_key, doc_service_book
        order.doc_driving_licence, order.doc_registration_papers = doc_driving_licence, doc_registration_papers
    return work_order


def save_agreement_step(
    *, work_order: WorkOrder, actor: User, spending_limit: Decimal | None, payment_method: str, contact_phone: str
) -> WorkOrder:
    """The spending limit for extra work, the payment method, and the phone of the day (kept in E.164)."""
    with _check_in_step(work_order, "agreement", actor) as order:
        order.contact_phone = _e164(order.site, contact_phone)
        order.spending_limit, order.payment_method = spending_limit, payment_method
    return work_order


def _e164(site: Site, raw: str) -> str:
    if not raw.strip():
        raise InvalidCheckIn(_("Give a phone number where the customer can be reached today."), field="contact_phone")
    try:
        return normalize_phone(raw, site.country)
    except ValidationError as error:
        raise InvalidCheckIn(error.messages[0], field="contact_phone") from None


def save_mobility_step(
    *,
    work_order: WorkOrder,
    actor: User,
    departure: str,
    mobility: MobilityService | None = None,
    loaner: Loaner | None = None,
    loaner_fuel_out: int | None = None,
    loaner_mileage_out: int | None = None,
) -> WorkOrder:
    """How the customer waits or leaves: a mobility service of the site, or a loaner of its fleet handed over with its
    fuel and mileage out. The last step before the signature: the order is checked in."""
    with _check_in_step(work_order, "mobility", actor) as order:
        if departure not in WorkOrder.Departure.values:
            raise InvalidCheckIn(_("Choose how the customer waits or leaves."), field="departure")
        if mobility is not None and (mobility.site_id != order.site_id or not mobility.active):
            raise InvalidCheckIn(_("This mobility service is not offered by this site."), field="mobility")
        if departure == WorkOrder.Departure.MOBILITY and mobility is None:
            raise InvalidCheckIn(_("Choose the mobility service given."), field="mobility")
        LoanerHandover.objects.filter(work_order=order).delete()
        if departure == WorkOrder.Departure.LOANER:
            _hand_over_loaner(order, actor, loaner=loaner, fuel=loaner_fuel_out, km=loaner_mileage_out)
        order.departure = departure
        order.mobility = mobility if departure == WorkOrder.Departure.MOBILITY else None
    return work_order


def _hand_over_loaner(order: WorkOrder, actor: User, *, loaner: Loaner | None, fuel: int | None, km: int | None) -> None:
    if loaner is None or loaner.site_id != order.site_id or not loaner.active:
        raise InvalidCheckIn(_("Choose a loaner of this site's fleet."), field="loaner")
    if fuel is None or not 0 <= fuel <= 8:
        raise InvalidCheckIn(_("Give the loaner's fuel level in eighths, from 0 to 8."), field="loaner_fuel_out")
    if km is None or km < 0:
        raise InvalidCheckIn(_("Read the loaner's mileage before handing it over."), field="loaner_mileage_out")
    LoanerHandover.objects.create(work_order=order, loaner=loaner, fuel_out=fuel, mileage_out=km, handed_over_by=actor)


STEP_SERVICES: dict[str, Callable[..., WorkOrder]] = {
    "prepare": save_prepare_step,
    "greet": save_greet_step,
    "walk_around": save_walk_around_step,
    "findings": save_findings_step,
    "estimate": save_estimate_step,
    "documents": save_documents_step,
    "agreement": save_agreement_step,
    "mobility": save_mobility_step,
}


# --- jobs -------------------------------------------------------------------------


def add_job(
    *,
    work_order: WorkOrder,
    actor: User,
    concern: str,
    operation: LabourOperation | None = None,
    flat_rate_hours: Decimal | None = None,
    skill: str = LabourOperation.Skill.DIAGNOSIS,
    payer: str = Payer.CUSTOMER,
    inspection_result: InspectionResult | None = None,
) -> WorkOrderJob:
    """A job found at reception (agreed) or, once signed, an addition waiting for the customer's approval.

    An addition waits on hold for the approval; one found by a technician of the site stays assigned to them.
    """
    concern = concern.strip() or (operation.localized("description", work_order.customer.language) if operation else "")
    if not concern:
        raise InvalidCheckIn(_("Describe the job or choose a labour operation."), field="concern")
    if payer not in Payer.values:
        raise InvalidCheckIn(_("Choose who pays from the list."), field="payer")
    if operation is None and (flat_rate_hours is None or flat_rate_hours <= 0):
        raise InvalidCheckIn(_("Give the flat-rate hours of a free-text job."), field="flat_rate_hours")
    if skill not in LabourOperation.Skill.values:
        raise InvalidCheckIn(_("Choose a skill from the list."), field="skill")
    with transaction.atomic():
        order = lock_order(work_order)
        if order.status == Status.CANCELLED:
            raise TransitionNotAllowed(_("This order is cancelled."))
        request = JobRequest.of(operation) if operation else JobRequest(description=concern, skill=skill, flat_rate_hours=flat_rate_hours)
        estimate = estimate_jobs(site=order.site, jobs=[request])
        if estimate.missing:
            raise InvalidCheckIn(estimate.missing_price_message(), field="operation")
        line = estimate.lines[0]
        pending = order.is_signed
        job = WorkOrderJob.objects.create(
            work_order=order,
            operation=operation,
            concern=concern[:300],
            skill=line.skill,
            flat_rate_hours=line.flat_rate_hours,
            labour_price=line.labour_price,
            payer=payer,
            approval=Approval.PENDING if pending else Approval.AGREED,
            added_by=actor,
            status=JobStatus.ON_HOLD if pending else JobStatus.WAITING,
            hold_reason=HoldReason.APPROVAL if pending else "",
            inspection_result=inspection_result,
            technician=actor if pending and _is_technician_of(actor, order.site) else None,
        )
        _add_kit(job)
        refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"jobs": [None, f"+ {job.concern} ({job.get_approval_display()})"]})
    return job


def _is_technician_of(user, site: Site) -> bool:
    return user is not None and TechnicianProfile.objects.filter(user_id=user.pk, site=site, active=True).exists()


def add_part(
    *,
    work_order: WorkOrder,
    actor: User,
    part: Part,
    quantity: Decimal,
    job: WorkOrderJob | None = None,
    payer: str = Payer.CUSTOMER,
) -> WorkOrderPart:
    """A parts line at the catalogue price; once signed, an addition waiting for the customer's approval."""
    if quantity is None or quantity <= 0:
        raise InvalidCheckIn(_("Give a quantity above zero."), field="quantity")
    if payer not in Payer.values:
        raise InvalidCheckIn(_("Choose who pays from the list."), field="payer")
    if job is not None and job.work_order_id != work_order.pk:
        raise InvalidCheckIn(_("This job belongs to another order."), field="job")
    with transaction.atomic():
        order = lock_order(work_order)
        if order.status == Status.CANCELLED:
            raise TransitionNotAllowed(_("This order is cancelled."))
        unit_price = part_price(part, order.currency)
        if unit_price is None:
            raise InvalidCheckIn(missing_price_message([part], order.currency), field="part")
        line = WorkOrderPart.objects.create(
            work_order=order,
            job=job,
            part=part,
            quantity=quantity,
            unit_price=unit_price,
            payer=payer,
            approval=Approval.PENDING if order.is_signed else Approval.AGREED,
        )
        refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"parts": [None, f"+ {line} ({line.get_approval_display()})"]})
    return line


def change_job(
    *,
    job: WorkOrderJob,
    actor: User,
    concern: str | None = None,
    flat_rate_hours: Decimal | None = None,
    labour_price: Decimal | None = None,
    payer: str | None = None,
) -> WorkOrderJob:
    """Edit a job's agreed terms (those given of concern, hours, price, payer); refused on a signed order's agreed line."""
    terms = {"concern": concern, "flat_rate_hours": flat_rate_hours, "labour_price": labour_price, "payer": payer}
    with transaction.atomic():
        order = lock_order(job.work_order)
        locked = WorkOrderJob.objects.select_for_update().get(pk=job.pk)
        if locked.approval == Approval.AGREED:
            refuse_when_signed(order)
        before = WorkOrderJob.objects.get(pk=locked.pk)
        for name, value in terms.items():
            if value is not None:
                setattr(locked, name, value)
        if locked.payer not in Payer.values:
            raise InvalidCheckIn(_("Choose who pays from the list."), field="payer")
        locked.save()
        refresh_estimate(order)
        changes = model_changes(before, locked, sorted(terms))
        if changes:
            record_change(actor=actor, obj=locked, action="update", changes=changes)
    return locked


# Once the quality check has started, the jobs are what was done (and what gets invoiced).
JOBS_REMOVABLE_IN = (Status.PREPARED, Status.DRAFT, Status.CHECKED_IN, Status.SIGNED, Status.IN_WORKSHOP)


def remove_job(*, job: WorkOrderJob, actor: User) -> None:
    with transaction.atomic():
        order = lock_order(job.work_order)
        locked = WorkOrderJob.objects.select_for_update().get(pk=job.pk)
        if order.status not in JOBS_REMOVABLE_IN:
            raise TransitionNotAllowed(_("The work on this order is finished (checked or invoiced): its jobs can no longer be removed."))
        if locked.approval == Approval.AGREED:
            refuse_when_signed(order)
        concern = locked.concern
        try:
            with transaction.atomic():
                locked.parts.all().delete()
                locked.delete()
        except ProtectedError:
            raise TransitionNotAllowed(_("This job is already on an invoice or another record: it can no longer be removed.")) from None
        refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"jobs": [concern, None]})


# --- photos -----------------------------------------------------------------------


def add_photo(
    *,
    work_order: WorkOrder,
    upload,
    actor: User,
    caption: str = "",
    inspection_result: InspectionResult | None = None,
    damage_mark: DamageMark | None = None,
) -> WorkOrderPhoto:
    """Keep a walk-around or inspection photo, tied to the damage mark it shows if any: its type is read from the
    content (not the name), at most MAX_PHOTO_BYTES."""
    if inspection_result is not None and inspection_result.inspection.work_order_id != work_order.pk:
        raise PhotoRefused(_("This inspection point belongs to another order."))
    if damage_mark is not None and damage_mark.work_order_id != work_order.pk:
        raise PhotoRefused(_("This damage mark belongs to another order."), field="damage_mark")
    if upload is None:
        raise PhotoRefused(_("Choose a photo to upload."))
    if upload.size > MAX_PHOTO_BYTES:
        raise PhotoRefused(
            _("This photo is too big (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": format_number(upload.size / 1024 / 1024, 1), "limit": format_number(MAX_PHOTO_BYTES // 1024 // 1024)}
        )
    content = reencode_image(upload.read())  # only the pixels: no trailing bytes, no EXIF (GPS)
    kind = image_kind(content) if content is not None else None
    if kind is None:
        raise PhotoRefused(_("This file is not a photo (JPEG, PNG or WebP)."))
    with transaction.atomic():
        order = lock_order(work_order)
        if order.status == Status.CANCELLED:
            raise TransitionNotAllowed(_("This order is cancelled."))
        photo = WorkOrderPhoto(
            work_order=order,
            content_type=kind[0],
            extension=kind[1],
            size=len(content),
            caption=caption.strip()[:200],
            uploaded_by=actor,
            inspection_result=inspection_result,
            damage_mark=damage_mark,
        )
        photo.image.save(f"photo.{kind[1]}", ContentFile(content), save=True)
        record_change(actor=actor, obj=order, action="update", changes={"photos": [None, photo.image.name]})
    return photo


# --- handover to the workshop -----------------------------------------------------


def hand_to_workshop(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    """The signed order goes to the workshop; its appointment has become a visit (converted)."""
    with transaction.atomic():
        order = lock_order(work_order)
        WORK_ORDER_FLOW.move(order, Status.IN_WORKSHOP, actor=actor)
        if order.appointment_id is not None and order.appointment.status == Appointment.Status.ARRIVED:
            mark_converted(appointment=order.appointment, actor=actor)
    work_order.refresh_from_db()
    return work_order
