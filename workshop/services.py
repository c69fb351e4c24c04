"""Workshop writes: reception (open, check-in steps, sign, hand over), the floor (dispatch, the two clocks,
sign-off), the inspection and extra work (proposals, decisions, deferred work), the quality check.

Every service runs in one transaction, locks the work order first, refuses
what the status does not allow, records an audit row (and a ``WorkOrderEvent``
for a status change) and raises a ``WorkOrderError`` naming the field.

The agreed content of an order is what the customer signs: ``signed_content``
gives it as plain JSON (jobs, parts, prices, estimate, spending limit, return
time, documents, walk-around...), ``content_hash`` its SHA-256. The page
shows the hash it displayed; signing with another hash is refused, so a
customer never signs something they did not see. After the signature the
agreed lines are frozen; ``add_job`` then adds a line waiting for approval.
"""

import base64
import binascii
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import ProtectedError, Sum
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from aftersales.accounts.models import Site, User
from aftersales.audit.services import model_changes, record_bulk_change, record_change
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import Customer, LabourOperation, MileageReading, MobilityService, OperationPart, Part, Vehicle
from aftersales.customers.services import record_mileage
from aftersales.lib.counters import take_next_number
from aftersales.lib.domain import StatusFlow
from aftersales.lib.formatting import format_money, format_number
from aftersales.lib.money import line_total, vat_on
from aftersales.lib.phones import normalize_phone
from aftersales.lib.system_texts import SystemText
from aftersales.messaging.codes import issue_code, verify_code
from aftersales.messaging.exceptions import CodeRefused
from aftersales.messaging.models import OneTimeCode
from aftersales.messaging.services import queue_message
from appointments.models import Appointment, Loaner, TechnicianProfile
from appointments.services import estimate_jobs, mark_arrived, mark_converted
from appointments.slots import JobRequest

from .exceptions import (
    ApprovalRefused,
    ClockingRefused,
    DispatchRefused,
    InspectionRefused,
    InvalidCheckIn,
    NotInvoiceable,
    OrderChangedSinceShown,
    OrderSigned,
    PhotoRefused,
    PriceChanged,
    QualityCheckRefused,
    SignatureRefused,
    SpendingLimitExceeded,
    TransitionNotAllowed,
)
from .message_texts import PROMISED_TIME_TEMPLATE, SIGNATURE_TEMPLATE
from .models import (
    AdvisorNotification,
    Approval,
    ApprovalDecision,
    ApprovalRequest,
    AttendanceSpan,
    Bay,
    DamageMark,
    DeferredWork,
    HoldReason,
    Inspection,
    InspectionResult,
    InspectionTemplate,
    JobClocking,
    JobStatus,
    LoanerHandover,
    Payer,
    QualityCheck,
    Rating,
    Signature,
    WorkOrder,
    WorkOrderCounter,
    WorkOrderEvent,
    WorkOrderJob,
    WorkOrderPart,
    WorkOrderPhoto,
    job_text_sources,
)
from .system_texts import ALL_JOBS_DONE, READY_FOR_INVOICING, SIGNED

Status = WorkOrder.Status
WORK_ORDER_FLOW = StatusFlow(
    event_model=WorkOrderEvent,
    subject="work_order",
    refused=TransitionNotAllowed,
    refusal=_("An order that is %(current)s cannot become %(target)s."),
)
SIGNATURE_PURPOSE = "work_order_signature"
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_SIGNATURE_BYTES = 1024 * 1024
CODE_RESEND_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Step:
    key: str
    title: Any
    fields: tuple[str, ...]


# The 9 standard steps of reception; the last one is the signature page.
STEPS = (
    Step("prepare", _("Prepare"), ("cover_seat", "cover_steering_wheel", "cover_floor_mat")),
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


# --- numbering ------------------------------------------------------------------


def take_number(*, site: Site, year: int) -> tuple[int, str]:
    """The next sequence of the site's year and its printed number; call inside the order's transaction."""
    sequence = take_next_number(WorkOrderCounter, site=site, year=year)
    return sequence, f"{site.code.upper()}-{year}-{sequence:05d}"


# --- opening ----------------------------------------------------------------------


def open_work_order(*, appointment: Appointment, actor: User) -> WorkOrder:
    """Check in a booked customer: the appointment's jobs become the order's jobs (once: a second call returns it)."""
    if not actor.visible_sites().filter(pk=appointment.site_id).exists():
        raise InvalidCheckIn(_("This appointment belongs to another site."), field="appointment")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update(of=("self",)).select_related("site").get(pk=appointment.pk)
        existing = WorkOrder.objects.filter(appointment=locked).first()
        if existing is not None:
            return existing
        if locked.status in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED):
            mark_arrived(appointment=locked, actor=actor)
        elif locked.status != Appointment.Status.ARRIVED:
            raise InvalidCheckIn(
                _("An appointment that is %(status)s cannot be checked in.") % {"status": locked.get_status_display()}, field="appointment"
            )
        order = _create_order(
            site=locked.site,
            customer=locked.customer,
            vehicle=locked.vehicle,
            actor=actor,
            appointment=locked,
            customer_words=locked.customer_words,
        )
        for booked in locked.jobs.select_related("operation"):
            job = WorkOrderJob.objects.create(
                work_order=order,
                operation=booked.operation,
                concern=booked.localized_description(locked.customer.language),
                skill=booked.skill,
                flat_rate_hours=booked.flat_rate_hours,
                labour_price=booked.labour_price,
                from_appointment=True,
                added_by=actor,
            )
            _add_kit(job)
        _refresh_estimate(order)
        if locked.mobility.filter(kind=MobilityService.Kind.LOUNGE).exists():
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
            site=site, customer=customer, vehicle=vehicle, actor=actor, appointment=None, customer_words=customer_words.strip()
        )


def _create_order(*, site, customer, vehicle, actor, appointment, customer_words) -> WorkOrder:
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
        advisor=actor,
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
    if job.operation_id is None:
        return
    WorkOrderPart.objects.bulk_create(
        WorkOrderPart(
            work_order=job.work_order,
            job=job,
            part=line.part,
            quantity=line.quantity,
            unit_price=line.part.unit_price,
            payer=job.payer,
            approval=job.approval,
        )
        for line in OperationPart.objects.filter(operation=job.operation).select_related("part")
    )


def _refresh_estimate(order: WorkOrder) -> None:
    """Totals of the lines the customer agreed to or approved (pending and declined additions are left out)."""
    counted = (Approval.AGREED, Approval.APPROVED)
    labour = sum((job.labour_price for job in order.jobs.filter(approval__in=counted)), Decimal("0"))
    parts = sum((line_total(part.quantity, part.unit_price) for part in order.parts.filter(approval__in=counted)), Decimal("0"))
    order.labour_total, order.parts_total, order.net_total = labour, parts, labour + parts
    order.vat_total = vat_on(order.net_total, order.vat_rate)
    order.gross_total = order.net_total + order.vat_total
    order.save(update_fields=["labour_total", "parts_total", "net_total", "vat_total", "gross_total"])


# --- check-in steps ---------------------------------------------------------------


def save_check_in_step(*, work_order: WorkOrder, step: str, data: Mapping[str, Any], actor: User) -> WorkOrder:
    """Save one step of the check-in; saving a step again (going back) overwrites it, nothing else is lost."""
    definition = step_by_key(step)
    if definition is None or not definition.fields:
        raise InvalidCheckIn(_("There is no such check-in step."), field="step")
    with transaction.atomic():
        order = _lock(work_order)
        _refuse_when_signed(order)
        before = WorkOrder.objects.get(pk=order.pk)
        values = {name: data[name] for name in definition.fields if name in data}
        if step == "walk_around":
            _save_walk_around(order, values, data, actor)
        elif step == "estimate":
            _check_promise(order, values.get("promised_at"))
        elif step == "agreement":
            values["contact_phone"] = _e164(order.site, values.get("contact_phone", ""))
        elif step == "mobility":
            _save_mobility(order, values, data, actor)
        for name, value in values.items():
            setattr(order, name, value)
        order.check_in_step = max(order.check_in_step, STEP_KEYS.index(step) + 1)
        order.save()
        changes = model_changes(before, order, list(definition.fields))
        if changes:
            record_change(actor=actor, obj=order, action="update", changes=changes)
        if step == "mobility" and order.status == Status.DRAFT:
            WORK_ORDER_FLOW.move(order, Status.CHECKED_IN, actor=actor)
    work_order.refresh_from_db()
    return work_order


def _save_walk_around(order: WorkOrder, values: dict, data: Mapping[str, Any], actor: User) -> None:
    mileage = values.get("mileage_in")
    if mileage is None:
        raise InvalidCheckIn(_("Read the mileage on the dashboard."), field="mileage_in")
    if mileage != order.mileage_in:
        try:
            record_mileage(
                vehicle=order.vehicle,
                km=mileage,
                source=MileageReading.Source.RECEPTION,
                recorded_by=actor,
                correction_reason=data.get("correction_reason", ""),
            )
        except CustomerError as error:
            raise InvalidCheckIn(error.message, field=error.field or "mileage_in") from None
    fuel = values.get("fuel_level")
    if fuel is None or not 0 <= fuel <= 8:
        raise InvalidCheckIn(_("Give the fuel level in eighths, from 0 to 8."), field="fuel_level")
    if "marks" in data:
        marks = [_damage_mark(order, mark) for mark in data["marks"]]
        order.damage_marks.all().delete()
        DamageMark.objects.bulk_create(marks)


def _damage_mark(order: WorkOrder, mark: Mapping[str, Any]) -> DamageMark:
    try:
        x, y = Decimal(str(mark["x"])).quantize(Decimal("0.0001")), Decimal(str(mark["y"])).quantize(Decimal("0.0001"))
        view, kind, note = str(mark["view"]), str(mark["kind"]), str(mark.get("note", ""))[:200]
    except (KeyError, TypeError, InvalidOperation):
        raise InvalidCheckIn(_("A damage mark is incomplete: place it again on the diagram."), field="marks") from None
    if view not in DamageMark.View.values or kind not in DamageMark.Kind.values or not (0 <= x <= 1 and 0 <= y <= 1):
        raise InvalidCheckIn(_("A damage mark is outside the diagram or of an unknown type."), field="marks")
    return DamageMark(work_order=order, view=view, kind=kind, x=x, y=y, note=note.strip())


def _check_promise(order: WorkOrder, promised_at) -> None:
    if promised_at is None:
        raise InvalidCheckIn(_("Promise a return time."), field="promised_at")
    if timezone.is_naive(promised_at) or promised_at <= timezone.now():
        raise InvalidCheckIn(_("The promised return time must be later than now."), field="promised_at")


def _e164(site: Site, raw: str) -> str:
    if not raw.strip():
        raise InvalidCheckIn(_("Give a phone number where the customer can be reached today."), field="contact_phone")
    try:
        return normalize_phone(raw, site.country)
    except ValidationError as error:
        raise InvalidCheckIn(error.messages[0], field="contact_phone") from None


def _save_mobility(order: WorkOrder, values: dict, data: Mapping[str, Any], actor: User) -> None:
    departure = values.get("departure", "")
    if departure not in WorkOrder.Departure.values:
        raise InvalidCheckIn(_("Choose how the customer waits or leaves."), field="departure")
    mobility: MobilityService | None = values.get("mobility")
    if mobility is not None and (mobility.site_id != order.site_id or not mobility.active):
        raise InvalidCheckIn(_("This mobility service is not offered by this site."), field="mobility")
    if departure == WorkOrder.Departure.MOBILITY and mobility is None:
        raise InvalidCheckIn(_("Choose the mobility service given."), field="mobility")
    if departure != WorkOrder.Departure.MOBILITY:
        values["mobility"] = None
    LoanerHandover.objects.filter(work_order=order).delete()
    if departure != WorkOrder.Departure.LOANER:
        return
    loaner: Loaner | None = data.get("loaner")
    if loaner is None or loaner.site_id != order.site_id or not loaner.active:
        raise InvalidCheckIn(_("Choose a loaner of this site's fleet."), field="loaner")
    fuel, km = data.get("loaner_fuel_out"), data.get("loaner_mileage_out")
    if fuel is None or not 0 <= fuel <= 8:
        raise InvalidCheckIn(_("Give the loaner's fuel level in eighths, from 0 to 8."), field="loaner_fuel_out")
    if km is None or km < 0:
        raise InvalidCheckIn(_("Read the loaner's mileage before handing it over."), field="loaner_mileage_out")
    LoanerHandover.objects.create(work_order=order, loaner=loaner, fuel_out=fuel, mileage_out=km, handed_over_by=actor)


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
        order = _lock(work_order)
        if order.status == Status.CANCELLED:
            raise TransitionNotAllowed(_("This order is cancelled."))
        request = JobRequest.of(operation) if operation else JobRequest(description=concern, skill=skill, flat_rate_hours=flat_rate_hours)
        line = estimate_jobs(site=order.site, jobs=[request]).lines[0]
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
        _refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"jobs": [None, f"+ {job.concern} ({job.get_approval_display()})"]})
    return job


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
        order = _lock(work_order)
        if order.status == Status.CANCELLED:
            raise TransitionNotAllowed(_("This order is cancelled."))
        line = WorkOrderPart.objects.create(
            work_order=order,
            job=job,
            part=part,
            quantity=quantity,
            unit_price=part.unit_price,
            payer=payer,
            approval=Approval.PENDING if order.is_signed else Approval.AGREED,
        )
        _refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"parts": [None, f"+ {line} ({line.get_approval_display()})"]})
    return line


def change_job(*, job: WorkOrderJob, actor: User, data: Mapping[str, Any]) -> WorkOrderJob:
    """Edit a job's agreed terms (concern, hours, price, payer); refused on a signed order's agreed line."""
    allowed = {"concern", "flat_rate_hours", "labour_price", "payer"}
    with transaction.atomic():
        order = _lock(job.work_order)
        locked = WorkOrderJob.objects.select_for_update().get(pk=job.pk)
        if locked.approval == Approval.AGREED:
            _refuse_when_signed(order)
        before = WorkOrderJob.objects.get(pk=locked.pk)
        for name, value in data.items():
            if name not in allowed:
                raise InvalidCheckIn(_("This part of a job cannot be changed here."), field=name)
            setattr(locked, name, value)
        if locked.payer not in Payer.values:
            raise InvalidCheckIn(_("Choose who pays from the list."), field="payer")
        locked.save()
        _refresh_estimate(order)
        changes = model_changes(before, locked, sorted(allowed))
        if changes:
            record_change(actor=actor, obj=locked, action="update", changes=changes)
    return locked


# Once the quality check has started, the jobs are what was done (and what gets invoiced).
JOBS_REMOVABLE_IN = (WorkOrder.Status.DRAFT, WorkOrder.Status.CHECKED_IN, WorkOrder.Status.SIGNED, WorkOrder.Status.IN_WORKSHOP)


def remove_job(*, job: WorkOrderJob, actor: User) -> None:
    with transaction.atomic():
        order = _lock(job.work_order)
        locked = WorkOrderJob.objects.select_for_update().get(pk=job.pk)
        if order.status not in JOBS_REMOVABLE_IN:
            raise TransitionNotAllowed(_("The work on this order is finished (checked or invoiced): its jobs can no longer be removed."))
        if locked.approval == Approval.AGREED:
            _refuse_when_signed(order)
        concern = locked.concern
        try:
            with transaction.atomic():
                locked.parts.all().delete()
                locked.delete()
        except ProtectedError:
            raise TransitionNotAllowed(_("This job is already on an invoice or another record: it can no longer be removed.")) from None
        _refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"jobs": [concern, None]})


# --- photos -----------------------------------------------------------------------


def add_photo(
    *,
    work_order: WorkOrder,
    upload,
    actor: User,
    caption: str = "",
    inspection_result: InspectionResult | None = None,
) -> WorkOrderPhoto:
    """Keep a walk-around or inspection photo: its type is read from the content (not the name), at most MAX_PHOTO_BYTES."""
    if inspection_result is not None and inspection_result.inspection.work_order_id != work_order.pk:
        raise PhotoRefused(_("This inspection point belongs to another order."))
    if upload is None:
        raise PhotoRefused(_("Choose a photo to upload."))
    if upload.size > MAX_PHOTO_BYTES:
        raise PhotoRefused(
            _("This photo is too big (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": format_number(upload.size / 1024 / 1024, 1), "limit": format_number(MAX_PHOTO_BYTES // 1024 // 1024)}
        )
    content = upload.read()
    kind = _image_kind(content)
    if kind is None:
        raise PhotoRefused(_("This file is not a photo (JPEG, PNG or WebP)."))
    with transaction.atomic():
        order = _lock(work_order)
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
        )
        photo.image.save(f"photo.{kind[1]}", ContentFile(content), save=True)
        record_change(actor=actor, obj=order, action="update", changes={"photos": [None, photo.image.name]})
    return photo


def _image_kind(content: bytes) -> tuple[str, str] | None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return PHOTO_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


# --- signature --------------------------------------------------------------------


def signed_content(work_order: WorkOrder) -> dict:
    """The agreed content of the order as plain data; its hash is what a signature binds to."""
    order = work_order
    counted = (Approval.AGREED, Approval.APPROVED)
    return {
        "number": order.number,
        "site": order.site.code,
        "customer": order.customer_id,
        "vehicle": order.vehicle.vin,
        "mileage_in": order.mileage_in,
        "fuel_level": order.fuel_level,
        "valuables": order.valuables,
        "customer_words": order.customer_words,
        "findings": order.findings,
        "covers": [order.cover_seat, order.cover_steering_wheel, order.cover_floor_mat],
        "documents": [
            order.doc_radio_code,
            order.doc_wheel_lock_key,
            order.doc_service_book,
            order.doc_driving_licence,
            order.doc_registration_papers,
        ],
        "damage": [[mark.view, str(mark.x), str(mark.y), mark.kind, mark.note] for mark in order.damage_marks.order_by("pk")],
        "jobs": [
            [job.pk, job.concern, job.operation.code if job.operation else "", str(job.flat_rate_hours), str(job.labour_price), job.payer]
            for job in order.jobs.filter(approval__in=counted).select_related("operation").order_by("pk")
        ],
        "parts": [
            [part.pk, part.part.number, str(part.quantity), str(part.unit_price), part.payer]
            for part in order.parts.filter(approval__in=counted).select_related("part").order_by("pk")
        ],
        "currency": order.currency,
        "totals": [
            str(order.labour_total),
            str(order.parts_total),
            str(order.net_total),
            str(order.vat_rate),
            str(order.vat_total),
            str(order.gross_total),
        ],
        "spending_limit": str(order.spending_limit) if order.spending_limit is not None else None,
        "promised_at": order.promised_at.isoformat() if order.promised_at else None,
        "payment_method": order.payment_method,
        "contact_phone": order.contact_phone,
    }


def canonical_json(content: dict) -> str:
    return json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(work_order: WorkOrder) -> str:
    return hashlib.sha256(canonical_json(signed_content(work_order)).encode()).hexdigest()


def sign_on_tablet(*, work_order: WorkOrder, image_data_url: str, shown_hash: str, actor: User) -> Signature:
    """The customer signed on the tablet: keep the drawing, the time and the hash of what they were shown."""
    image = signature_png(image_data_url)
    with transaction.atomic():
        order = _lock(work_order)
        content = _ready_to_sign(order, shown_hash)
        signature = Signature(work_order=order, method=Signature.Method.DRAWN, content=content, content_hash=shown_hash, recorded_by=actor)
        signature.image.save(f"{order.number}.png", ContentFile(image), save=False)
        signature.save()
        WORK_ORDER_FLOW.move(order, Status.SIGNED, actor=actor, note=SIGNED(method=Signature.Method.DRAWN))
    return signature


def signature_png(data_url: str) -> bytes:
    """The PNG bytes of a signature drawn on the tablet (a data URL), or ``SignatureRefused``; the handover reads it too."""
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise SignatureRefused(_("Ask the customer to sign in the box first."))
    try:
        image = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureRefused(_("The signature could not be read; ask the customer to sign again.")) from None
    if len(image) > MAX_SIGNATURE_BYTES or _image_kind(image) != PHOTO_FORMATS["PNG"]:
        raise SignatureRefused(_("The signature could not be read; ask the customer to sign again."))
    return image


def _ready_to_sign(order: WorkOrder, shown_hash: str) -> dict:
    if order.status == Status.DRAFT:
        raise SignatureRefused(_("Finish the check-in steps before the customer signs."))
    if order.status != Status.CHECKED_IN:
        raise SignatureRefused(_("This order is already signed."))
    content = signed_content(order)
    if hashlib.sha256(canonical_json(content).encode()).hexdigest() != shown_hash:
        raise OrderChangedSinceShown()
    return content


def request_code_signature(*, work_order: WorkOrder, link: str, actor: User) -> OneTimeCode:
    """The customer is not there: send them the signed link to the order, and a one-time code to sign it."""
    with transaction.atomic():
        order = _lock(work_order)
        if order.status != Status.CHECKED_IN:
            raise SignatureRefused(_("Only a checked-in order that is not signed yet can be sent for signature."))
        if not order.customer.mobile:
            raise SignatureRefused(_("The customer has no mobile number to receive a code."))
        with translation.override(order.customer.language or order.site.language):
            total = format_money(order.gross_total, order.currency)
        queue_message(
            customer=order.customer,
            template=SIGNATURE_TEMPLATE,
            about=order,
            purpose="service",
            channel="sms",
            urgent=True,
            idempotency_key=f"work-order-signature:{order.pk}:{content_hash(order)}",
            actor=actor,
            context={"vehicle": str(order.vehicle), "number": order.number, "total": total, "link": link},
        )
        code = send_signature_code(work_order=order, actor=actor)
        record_change(actor=actor, obj=order, action="update", changes={"signature_requested": [None, timezone.now()]})
    return code


def send_signature_code(*, work_order: WorkOrder, actor: User | None = None) -> OneTimeCode:
    """A new code for the order, at most one a minute (the customer's page has a "send a new code" button)."""
    latest = OneTimeCode.objects.filter(purpose=SIGNATURE_PURPOSE, subject_id=work_order.pk, used_at__isnull=True).first()
    if latest is not None and latest.created_at > timezone.now() - CODE_RESEND_AFTER:
        return latest
    return issue_code(purpose=SIGNATURE_PURPOSE, customer=work_order.customer, subject=work_order, actor=actor)


def sign_by_code(*, work_order: WorkOrder, code: str, shown_hash: str) -> Signature:
    """The customer typed the SMS code on the signed link's page: sign what that page showed.

    The order is checked before the code is used, so a changed order does not
    burn the code; a wrong code is counted even though this raises.
    """
    if content_hash(WorkOrder.objects.select_related("site", "vehicle").get(pk=work_order.pk)) != shown_hash:
        raise OrderChangedSinceShown()
    try:
        verify_code(purpose=SIGNATURE_PURPOSE, subject=work_order, code=code)
    except CodeRefused as error:
        raise SignatureRefused(error.message, field="code") from None
    with transaction.atomic():
        order = _lock(work_order)
        content = _ready_to_sign(order, shown_hash)
        signature = Signature.objects.create(work_order=order, method=Signature.Method.OTP, content=content, content_hash=shown_hash)
        WORK_ORDER_FLOW.move(order, Status.SIGNED, actor=None, note=SIGNED(method=Signature.Method.OTP))
    return signature


# --- workshop ---------------------------------------------------------------------


def hand_to_workshop(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    """The signed order goes to the workshop; its appointment has become a visit (converted)."""
    with transaction.atomic():
        order = _lock(work_order)
        WORK_ORDER_FLOW.move(order, Status.IN_WORKSHOP, actor=actor)
        if order.appointment_id is not None and order.appointment.status == Appointment.Status.ARRIVED:
            mark_converted(appointment=order.appointment, actor=actor)
    work_order.refresh_from_db()
    return work_order


# --- helpers ----------------------------------------------------------------------


def _lock(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("site", "customer", "vehicle").get(pk=work_order.pk)


def _refuse_when_signed(order: WorkOrder) -> None:
    if order.is_signed:
        raise OrderSigned()
    if order.status == Status.CANCELLED:
        raise TransitionNotAllowed(_("This order is cancelled."))


# --- the workshop floor: dispatch -------------------------------------------------
#
# A job line moves waiting -> assigned -> in progress -> done, or on hold (for
# parts, or for the customer's approval of an addition). Each move is an audit
# row (who, when, from, to). The order moves in the workshop -> quality check
# once every job it keeps is done, and back when the check fails.


def _is_technician_of(user, site: Site) -> bool:
    return user is not None and TechnicianProfile.objects.filter(user_id=user.pk, site=site, active=True).exists()


def _lock_job(job: WorkOrderJob) -> WorkOrderJob:
    return WorkOrderJob.objects.select_for_update(of=("self",)).select_related("operation", "technician").get(pk=job.pk)


def _set_job_status(job: WorkOrderJob, status: str, *, actor, hold_reason: str = "", extra: tuple[str, ...] = ()) -> None:
    previous = job.status
    job.status, job.hold_reason = status, hold_reason
    job.save(update_fields=["status", "hold_reason", *extra])
    if previous != status:
        record_change(actor=actor, obj=job, action="update", changes={"status": [previous, status]})


def _refuse_unapproved(job: WorkOrderJob, error=ClockingRefused) -> None:
    if job.approval == Approval.PENDING:
        raise error(_("This job waits for the customer's approval."))
    if job.approval == Approval.DECLINED:
        raise error(_("The customer declined this job."))


def assign_job(*, job: WorkOrderJob, technician: User, bay: Bay | None, actor: User) -> WorkOrderJob:
    """The foreman gives a job to a technician of the site who has the job's skill, in a bay of the site."""
    with transaction.atomic():
        order = _lock(job.work_order)
        if order.status != Status.IN_WORKSHOP:
            raise DispatchRefused(_("Only the jobs of an order in the workshop can be dispatched."), field="job")
        locked = _lock_job(job)
        _refuse_unapproved(locked, DispatchRefused)
        if locked.status == JobStatus.DONE:
            raise DispatchRefused(_("This job is already done."), field="job")
        profile = TechnicianProfile.objects.filter(user=technician, site=order.site, active=True).first()
        if profile is None:
            raise DispatchRefused(_("%(name)s is not a technician of this site.") % {"name": technician})
        if locked.skill not in profile.skills:
            raise DispatchRefused(
                _("%(name)s does not have the skill this job needs (%(skill)s).")
                % {"name": technician, "skill": locked.get_skill_display()}
            )
        if bay is not None and (bay.site_id != order.site_id or not bay.active):
            raise DispatchRefused(_("Choose a bay of this site."), field="bay")
        clocked = JobClocking.objects.filter(job=locked, ended_at__isnull=True).exclude(technician=technician).first()
        if clocked is not None:
            raise DispatchRefused(_("%(name)s is clocked on this job: they clock off first.") % {"name": clocked.technician})
        before = (locked.technician, locked.bay)
        locked.technician, locked.bay = technician, bay
        status = JobStatus.ASSIGNED if locked.status == JobStatus.WAITING else locked.status
        _set_job_status(locked, status, actor=actor, hold_reason=locked.hold_reason, extra=("technician", "bay"))
        record_change(
            actor=actor,
            obj=locked,
            action="update",
            changes={"technician": [str(before[0] or ""), str(technician)], "bay": [str(before[1] or ""), str(bay or "")]},
        )
    return locked


def hold_job(*, job: WorkOrderJob, actor: User) -> WorkOrderJob:
    """The job waits for parts; whoever is clocked on it is clocked off."""
    with transaction.atomic():
        _lock(job.work_order)
        locked = _lock_job(job)
        _refuse_unapproved(locked, DispatchRefused)
        if locked.status == JobStatus.DONE:
            raise DispatchRefused(_("This job is already done."), field="job")
        _close_clockings(JobClocking.objects.filter(job=locked, ended_at__isnull=True), timezone.now())
        _set_job_status(locked, JobStatus.ON_HOLD, actor=actor, hold_reason=HoldReason.PARTS)
    return locked


def resume_job(*, job: WorkOrderJob, actor: User) -> WorkOrderJob:
    with transaction.atomic():
        _lock(job.work_order)
        locked = _lock_job(job)
        if locked.status != JobStatus.ON_HOLD or locked.hold_reason != HoldReason.PARTS:
            raise DispatchRefused(_("Only a job waiting for parts can be resumed here."), field="job")
        _set_job_status(locked, JobStatus.ASSIGNED if locked.technician_id else JobStatus.WAITING, actor=actor)
    return locked


# --- the two clocks ---------------------------------------------------------------
#
# Attendance (clock in / out of the day, breaks) and job clocking (on / off one
# job line) are separate tables. A technician's clocks are serialised by
# locking their user row; the partial unique constraints (one open day, one
# open break, one open job clocking per technician) hold even if a writer
# forgets to lock.


def _lock_technician(technician: User) -> TechnicianProfile:
    User.objects.select_for_update(no_key=True).filter(pk=technician.pk).first()
    profile = TechnicianProfile.objects.select_related("site").filter(user=technician, active=True).first()
    if profile is None:
        raise ClockingRefused(_("You are not registered as a technician."), field="attendance")
    return profile


def _open_span(technician: User, kind: str) -> AttendanceSpan | None:
    return AttendanceSpan.objects.filter(technician=technician, kind=kind, ended_at__isnull=True).first()


def _close_clockings(clockings, now) -> None:
    for clocking in clockings.select_for_update():
        clocking.ended_at = max(now, clocking.started_at)
        clocking.save(update_fields=["ended_at"])


def clock_in(*, technician: User, now=None) -> AttendanceSpan:
    now = now or timezone.now()
    with transaction.atomic():
        profile = _lock_technician(technician)
        day = _open_span(technician, AttendanceSpan.Kind.DAY)
        if day is not None:
            raise ClockingRefused(
                _("You are already clocked in since %(time)s.")
                % {"time": timezone.localtime(day.started_at, profile.site.tz).strftime("%H:%M")},
                field="attendance",
            )
        return AttendanceSpan.objects.create(technician=technician, site=profile.site, kind=AttendanceSpan.Kind.DAY, started_at=now)


def start_break(*, technician: User, now=None) -> AttendanceSpan:
    """A break inside the day; the job clock stops with it."""
    now = now or timezone.now()
    with transaction.atomic():
        profile = _lock_technician(technician)
        if _open_span(technician, AttendanceSpan.Kind.DAY) is None:
            raise ClockingRefused(_("Clock in for the day first."), field="attendance")
        if _open_span(technician, AttendanceSpan.Kind.BREAK) is not None:
            raise ClockingRefused(_("You are already on a break."), field="attendance")
        _close_clockings(JobClocking.objects.filter(technician=technician, ended_at__isnull=True), now)
        return AttendanceSpan.objects.create(technician=technician, site=profile.site, kind=AttendanceSpan.Kind.BREAK, started_at=now)


def end_break(*, technician: User, now=None) -> AttendanceSpan:
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        span = _open_span(technician, AttendanceSpan.Kind.BREAK)
        if span is None:
            raise ClockingRefused(_("You are not on a break."), field="attendance")
        span.ended_at = max(now, span.started_at)
        span.save(update_fields=["ended_at"])
    return span


def clock_out(*, technician: User, now=None) -> AttendanceSpan:
    """End of the day: an open break and an open job clocking end with it."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        day = _open_span(technician, AttendanceSpan.Kind.DAY)
        if day is None:
            raise ClockingRefused(_("You are not clocked in."), field="attendance")
        _close_clockings(JobClocking.objects.filter(technician=technician, ended_at__isnull=True), now)
        for span in AttendanceSpan.objects.filter(technician=technician, ended_at__isnull=True):
            span.ended_at = max(now, span.started_at)
            span.save(update_fields=["ended_at"])
    day.refresh_from_db()
    return day


def _job_of_technician(job: WorkOrderJob, technician: User) -> tuple[WorkOrder, WorkOrderJob]:
    order = _lock(job.work_order)
    locked = _lock_job(job)
    if locked.technician_id != technician.pk:
        raise ClockingRefused(_("This job is not assigned to you; ask the foreman."))
    if order.status != Status.IN_WORKSHOP:
        raise ClockingRefused(_("This order is not in the workshop (%(status)s).") % {"status": order.get_status_display()})
    _refuse_unapproved(locked)
    return order, locked


def clock_on_job(*, job: WorkOrderJob, technician: User, now=None) -> JobClocking:
    """Start the job clock on a job assigned to the technician; one job at a time, only while at work."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        if _open_span(technician, AttendanceSpan.Kind.DAY) is None:
            raise ClockingRefused(_("Clock in for the day before clocking on a job."), field="attendance")
        if _open_span(technician, AttendanceSpan.Kind.BREAK) is not None:
            raise ClockingRefused(_("End your break before clocking on a job."), field="attendance")
        order, locked = _job_of_technician(job, technician)
        if locked.status == JobStatus.DONE:
            raise ClockingRefused(_("This job is already signed off."))
        if locked.status == JobStatus.ON_HOLD:
            raise ClockingRefused(_("This job is on hold: %(reason)s.") % {"reason": locked.get_hold_reason_display()})
        current = JobClocking.objects.select_related("job__work_order").filter(technician=technician, ended_at__isnull=True).first()
        if current is not None:
            if current.job_id == locked.pk:
                return current
            raise ClockingRefused(
                _("You are still clocked on “%(job)s” (%(number)s): clock off it first.")
                % {"job": current.job.localized_concern(), "number": current.job.work_order.number}
            )
        clocking = JobClocking.objects.create(technician=technician, job=locked, started_at=now)
        _set_job_status(locked, JobStatus.IN_PROGRESS, actor=technician)
    return clocking


def clock_off_job(*, job: WorkOrderJob, technician: User, now=None) -> JobClocking:
    now = now or timezone.now()
    with transaction.atomic():
        _lock_technician(technician)
        clocking = JobClocking.objects.select_for_update().filter(technician=technician, job=job, ended_at__isnull=True).first()
        if clocking is None:
            raise ClockingRefused(_("You are not clocked on this job."))
        clocking.ended_at = max(now, clocking.started_at)
        clocking.save(update_fields=["ended_at"])
    return clocking


def sign_off_job(*, job: WorkOrderJob, technician: User, correction: str = "", cause: str = "", now=None) -> WorkOrderJob:
    """The technician ticks the finished job (signed: who and when); its flat-rate hours count as sold to them."""
    now = now or timezone.now()
    with transaction.atomic():
        order, locked = _job_of_technician(job, technician)
        if locked.status == JobStatus.DONE:
            raise ClockingRefused(_("This job is already signed off."))
        if locked.status == JobStatus.ON_HOLD:
            raise ClockingRefused(_("This job is on hold: %(reason)s.") % {"reason": locked.get_hold_reason_display()})
        _close_clockings(JobClocking.objects.filter(job=locked, ended_at__isnull=True), now)
        locked.done_by, locked.done_at = technician, now
        locked.cause = cause.strip() or locked.cause
        locked.correction = correction.strip() or locked.correction
        _set_job_status(locked, JobStatus.DONE, actor=technician, extra=("done_by", "done_at", "cause", "correction"))
        _to_quality_check_when_done(order, actor=technician)
    return locked


def _to_quality_check_when_done(order: WorkOrder, *, actor) -> None:
    """Every job the order keeps is done and nothing waits for approval: the car goes to the quality check."""
    if order.status != Status.IN_WORKSHOP:
        return
    kept = order.jobs.exclude(approval=Approval.DECLINED)
    if not kept.exists() or kept.exclude(status=JobStatus.DONE).exists() or order.parts.filter(approval=Approval.PENDING).exists():
        return
    WORK_ORDER_FLOW.move(order, Status.QUALITY_CHECK, actor=actor, note=ALL_JOBS_DONE())


# --- multi-point inspection ------------------------------------------------------


def checklist_for(work_order: WorkOrder) -> InspectionTemplate | None:
    """The active checklist of the vehicle's brand, else the one for every brand."""
    templates = InspectionTemplate.objects.filter(active=True, items__isnull=False).distinct()
    make = (work_order.vehicle.make or "").strip()
    return (templates.filter(brand__name__iexact=make).order_by("pk").first() if make else None) or (
        templates.filter(brand__isnull=True).order_by("pk").first()
    )


def start_inspection(*, work_order: WorkOrder, actor: User) -> Inspection:
    with transaction.atomic():
        order = _lock(work_order)
        existing = Inspection.objects.filter(work_order=order).first()
        if existing is not None:
            return existing
        if order.status not in (Status.SIGNED, Status.IN_WORKSHOP):
            raise InspectionRefused(_("The inspection is done while the car is in the workshop."), field="status")
        template = checklist_for(order)
        if template is None:
            raise InspectionRefused(_("No inspection checklist is set up; ask the administrator."), field="status")
        inspection = Inspection.objects.create(work_order=order, template=template, started_by=actor)
        InspectionResult.objects.bulk_create(InspectionResult(inspection=inspection, item=item) for item in template.items.all())
        record_change(actor=actor, obj=order, action="update", changes={"inspection": [None, template.name]})
    return inspection


def save_inspection(
    *, inspection: Inspection, actor: User, results: Mapping[int, Mapping[str, Any]], complete: bool = False, now=None
) -> Inspection:
    """Save the ratings, measurements and notes ({result pk: {rating, measurement, notes}}).

    Completing needs every point rated; each amber or red point then becomes a
    priced proposal (its labour operation with the parts kit, or the point's
    hours) waiting for the customer's approval.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(inspection.work_order)
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.completed_at is not None:
            raise InspectionRefused(_("This inspection is complete; report anything new as a finding."), field="status")
        rows = {row.pk: row for row in locked.results.select_related("item__operation")}
        for pk, values in results.items():
            row = rows.get(pk)
            if row is None:
                raise InspectionRefused(_("This point is not on the inspection."), field="rating")
            rating, measurement = values.get("rating", ""), values.get("measurement")
            if rating not in ("", *Rating.values):
                raise InspectionRefused(_("Rate “%(point)s” green, amber or red.") % {"point": row.item.localized("label")})
            if measurement is not None and measurement < 0:
                raise InspectionRefused(
                    _("A measurement cannot be negative (“%(point)s”).") % {"point": row.item.localized("label")}, field="measurement"
                )
            changed = (row.rating, row.measurement, row.notes) != (rating, measurement, values.get("notes", "").strip()[:300])
            if changed:
                row.rating, row.measurement, row.notes = rating, measurement, values.get("notes", "").strip()[:300]
                row.checked_by, row.checked_at = actor, now
                row.save(update_fields=["rating", "measurement", "notes", "checked_by", "checked_at"])
        if complete:
            unrated = [row.item.localized("label") for row in rows.values() if not row.rating]
            if unrated:
                raise InspectionRefused(_("Rate every point before completing: %(points)s.") % {"points": ", ".join(unrated[:5])})
            for row in rows.values():
                if row.rating in (Rating.AMBER, Rating.RED):
                    _propose(order, row, actor)
            locked.completed_by, locked.completed_at = actor, now
            locked.save(update_fields=["completed_by", "completed_at"])
            record_change(actor=actor, obj=order, action="update", changes={"inspection": [None, "completed"]})
    return locked


def _propose(order: WorkOrder, row: InspectionResult, actor: User) -> WorkOrderJob:
    item = row.item
    concern = item.localized("label", order.customer.language) + (f": {row.notes}" if row.notes else "")
    if item.operation is not None:
        return add_job(work_order=order, actor=actor, concern=concern, operation=item.operation, inspection_result=row)
    return add_job(
        work_order=order,
        actor=actor,
        concern=concern,
        flat_rate_hours=item.hours,
        skill=LabourOperation.Skill.MECHANICS,
        inspection_result=row,
    )


# --- extra work: prices, approvals, deferred work ---------------------------------


def proposal_amounts(job: WorkOrderJob, vat_rate: Decimal) -> tuple[Decimal, Decimal]:
    """(before VAT, VAT included) of a job with its parts lines (read through ``job.parts.all()``)."""
    net = job.labour_price + sum((line_total(part.quantity, part.unit_price) for part in job.parts.all()), Decimal("0"))
    return net, net + vat_on(net, vat_rate)


def reprice_proposal(*, job: WorkOrderJob, actor: User, labour_price: Decimal, part_prices: Mapping[int, Decimal]) -> WorkOrderJob:
    """Adjust an addition's labour and parts prices; an approved one goes back to the customer for a new approval."""
    with transaction.atomic():
        order = _lock(job.work_order)
        locked = _lock_job(job)
        if locked.approval == Approval.AGREED:
            raise OrderSigned()
        if locked.approval == Approval.DECLINED:
            raise ApprovalRefused(_("The customer declined this job; its price no longer matters."))
        if locked.status == JobStatus.DONE:
            raise ApprovalRefused(_("This job is done; its price cannot change here."))
        if labour_price is None or labour_price < 0:
            raise ApprovalRefused(_("Give a labour price of zero or more."), field="labour_price")
        parts = {part.pk: part for part in locked.parts.select_for_update()}
        changes = {}
        for pk, price in part_prices.items():
            if pk not in parts:
                raise ApprovalRefused(_("This parts line belongs to another job."), field="parts")
            if price is None or price < 0:
                raise ApprovalRefused(_("Give a part price of zero or more."), field="parts")
            if parts[pk].unit_price != price:
                changes[f"part {parts[pk].part_id}"] = [str(parts[pk].unit_price), str(price)]
                parts[pk].unit_price = price
                parts[pk].save(update_fields=["unit_price"])
        if locked.labour_price != labour_price:
            changes["labour_price"] = [str(locked.labour_price), str(labour_price)]
            locked.labour_price = labour_price
            locked.save(update_fields=["labour_price"])
        if changes and locked.approval == Approval.APPROVED:
            _set_approval(locked, Approval.PENDING, actor=actor)
            _set_job_status(locked, JobStatus.ON_HOLD, actor=actor, hold_reason=HoldReason.APPROVAL)
            changes["approval"] = [Approval.APPROVED, Approval.PENDING]
        if changes:
            record_change(actor=actor, obj=locked, action="update", changes=changes)
            _refresh_estimate(order)
    return locked


def _set_approval(job: WorkOrderJob, approval: str, *, actor: User | None) -> None:
    job.approval = approval
    job.save(update_fields=["approval"])
    record_bulk_change(actor=actor, queryset=job.parts.all(), changes={"approval": approval})


def approved_extra_net(order: WorkOrder) -> Decimal:
    """What the customer already owes for approved additions, before VAT."""
    jobs = order.jobs.filter(approval=Approval.APPROVED).aggregate(total=Sum("labour_price"))["total"] or Decimal("0")
    parts = sum((line_total(part.quantity, part.unit_price) for part in order.parts.filter(approval=Approval.APPROVED)), Decimal("0"))
    return jobs + parts


def decide_proposal(
    *,
    job: WorkOrderJob,
    approved: bool,
    method: str,
    decided_by: str = "",
    actor: User | None = None,
    shown_gross: Decimal | None = None,
    reason: str = "",
    request: ApprovalRequest | None = None,
) -> ApprovalDecision:
    """Record the customer's decision on an addition: who, how, the amount and the moment.

    ``shown_gross`` is the price the deciding page showed; a different current
    price is refused. ``within_limit`` is the advisor approving on the
    customer's behalf, only while the approved additions stay within the
    spending limit agreed at reception. A declined job becomes deferred work on
    the vehicle.
    """
    if method not in ApprovalDecision.Method.values:
        raise ApprovalRefused(_("Choose how the customer decided."), field="method")
    if method != ApprovalDecision.Method.SIGNED_LINK and actor is None:
        raise ApprovalRefused(_("Only staff record a decision taken this way."), field="method")
    with transaction.atomic():
        order = _lock(job.work_order)
        locked = _lock_job(job)
        if locked.approval != Approval.PENDING:
            raise ApprovalRefused(_("This job was already decided (%(state)s).") % {"state": locked.get_approval_display()})
        if order.status not in (Status.SIGNED, Status.IN_WORKSHOP, Status.QUALITY_CHECK):
            raise ApprovalRefused(
                _("This order is %(status)s: extra work cannot be decided any more.") % {"status": order.get_status_display()},
                field="status",
            )
        net, gross = proposal_amounts(locked, order.vat_rate)
        if shown_gross is not None and shown_gross != gross:
            raise PriceChanged()
        who = decided_by.strip()[:120]
        if method == ApprovalDecision.Method.SIGNED_LINK:
            who = str(order.customer)
        elif method == ApprovalDecision.Method.WITHIN_LIMIT:
            _check_spending_limit(order, net, approved)
            who = str(actor)
        elif not who:
            raise ApprovalRefused(_("Write who decided (the name of the person on the phone, in the e-mail...)."), field="decided_by")
        decision = ApprovalDecision.objects.create(
            job=locked,
            approved=approved,
            method=method,
            decided_by=who,
            recorded_by=actor if actor and actor.is_authenticated else None,
            net_amount=net,
            gross_amount=gross,
            reason=reason.strip()[:300],
            request=request,
        )
        _set_approval(locked, Approval.APPROVED if approved else Approval.DECLINED, actor=actor)
        if approved:
            _set_job_status(locked, JobStatus.ASSIGNED if locked.technician_id else JobStatus.WAITING, actor=actor)
        else:
            _defer(order, locked, gross, reason)
        record_change(
            actor=actor,
            obj=locked,
            action="update",
            changes={"approval": [Approval.PENDING, locked.approval], "decided": [None, f"{decision.get_method_display()}: {who}"]},
        )
        _refresh_estimate(order)
        _to_quality_check_when_done(order, actor=actor)
    return decision


def _check_spending_limit(order: WorkOrder, net: Decimal, approved: bool) -> None:
    if not approved:
        raise SpendingLimitExceeded(_("Only the customer declines work; record how they said so."))
    limit = order.spending_limit or Decimal("0")
    already = approved_extra_net(order)
    if already + net > limit:
        raise SpendingLimitExceeded(
            _(
                "This work (%(amount)s) with the extras already approved (%(already)s) is above the customer's spending limit "
                "(%(limit)s, before VAT): ask the customer."
            )
            % {
                "amount": format_money(net, order.currency),
                "already": format_money(already, order.currency),
                "limit": format_money(limit, order.currency),
            }
        )


DEFERRED_DUE = {Rating.RED: timedelta(days=0), Rating.AMBER: timedelta(days=90)}
DEFERRED_DUE_DEFAULT = timedelta(days=30)


def _defer(order: WorkOrder, job: WorkOrderJob, gross: Decimal, reason: str) -> DeferredWork:
    rating = job.inspection_result.rating if job.inspection_result_id else ""
    today = timezone.localtime(timezone.now(), order.site.tz).date()
    return DeferredWork.objects.create(
        vehicle=order.vehicle,
        site=order.site,
        description=job.concern,
        reason=reason.strip()[:300],
        rating=rating,
        due_on=today + DEFERRED_DUE.get(rating, DEFERRED_DUE_DEFAULT),
        gross_price=gross,
        currency=order.currency,
        declined_job=job,
    )


def sell_deferred_work(*, deferred: DeferredWork, work_order: WorkOrder, actor: User) -> WorkOrderJob:
    """A later order takes on work the customer declined before; the deferred item points to the job that sells it."""
    with transaction.atomic():
        locked = DeferredWork.objects.select_for_update(of=("self",)).select_related("declined_job__operation").get(pk=deferred.pk)
        if locked.sold_job_id is not None:
            raise ApprovalRefused(_("This deferred work is already on an order."), field="deferred")
        if locked.vehicle_id != work_order.vehicle_id:
            raise ApprovalRefused(_("This deferred work is for another vehicle."), field="deferred")
        declined = locked.declined_job
        job = add_job(
            work_order=work_order,
            actor=actor,
            concern=locked.description,
            operation=declined.operation,
            flat_rate_hours=declined.flat_rate_hours,
            skill=declined.skill,
        )
        locked.sold_job = job
        locked.save(update_fields=["sold_job"])
    return job


def request_customer_approval(*, work_order: WorkOrder, actor: User, link_for) -> ApprovalRequest:
    """Send the pending additions to the customer by their preferred channel: a signed link to approve or decline each.

    ``link_for(request)`` builds the absolute link of the new request.
    """
    with transaction.atomic():
        order = _lock(work_order)
        pending = list(order.jobs.filter(approval=Approval.PENDING).select_related(*job_text_sources()).prefetch_related("parts"))
        if not pending:
            raise ApprovalRefused(_("No extra work waits for the customer's approval."), field="jobs")
        request = ApprovalRequest.objects.create(work_order=order, sent_by=actor)
        total = sum((proposal_amounts(job, order.vat_rate)[1] for job in pending), Decimal("0"))
        with translation.override(order.customer.language or order.site.language):
            total_text = format_money(total, order.currency)
        queue_message(
            customer=order.customer,
            template="approval_request",
            about=order,
            purpose="service",
            urgent=True,
            idempotency_key=f"approval-request:{request.pk}",
            actor=actor,
            context={
                "vehicle": str(order.vehicle),
                "items": lazy(lambda: ", ".join(job.localized_concern() for job in pending), str)(),  # in the message's language
                "total": total_text,
                "link": link_for(request),
            },
        )
        record_change(actor=actor, obj=order, action="update", changes={"approval_requested": [None, len(pending)]})
    return request


def mark_request_viewed(*, request: ApprovalRequest, viewer: User | AnonymousUser | None = None, now=None) -> None:
    """The link was opened: keep the first time only. The customer is anonymous (audited with no user); a signed-in
    user who opens the link is named in the audit trail, so a view by staff is not taken for the customer's."""
    record_bulk_change(
        actor=viewer,
        queryset=ApprovalRequest.objects.filter(pk=request.pk, first_viewed_at__isnull=True),
        changes={"first_viewed_at": now or timezone.now()},
    )


# --- promised time ----------------------------------------------------------------


def change_promised_time(*, work_order: WorkOrder, promised_at, actor: User, reason: str = "") -> WorkOrder:
    """A new return time, told to the customer at once (message ``promised_time_changed``)."""
    if promised_at is None or timezone.is_naive(promised_at) or promised_at <= timezone.now():
        raise InvalidCheckIn(_("The promised return time must be later than now."), field="promised_at")
    with transaction.atomic():
        order = _lock(work_order)
        if order.status in (Status.DRAFT, Status.CHECKED_IN, Status.READY, Status.DELIVERED, Status.CANCELLED):
            raise TransitionNotAllowed(
                _("The return time of an order that is %(status)s is changed elsewhere.") % {"status": order.get_status_display()}
            )
        previous = order.promised_at
        if previous == promised_at:
            raise InvalidCheckIn(_("This is already the promised return time."), field="promised_at")
        order.promised_at = promised_at
        order.save(update_fields=["promised_at"])
        record_change(
            actor=actor,
            obj=order,
            action="update",
            changes={"promised_at": [previous, promised_at], **({"reason": [None, reason.strip()]} if reason.strip() else {})},
        )
        queue_message(
            customer=order.customer,
            template=PROMISED_TIME_TEMPLATE,
            about=order,
            purpose="service",
            urgent=True,
            idempotency_key=f"promised-time:{order.pk}:{promised_at.isoformat()}",
            actor=actor,
            context={"vehicle": str(order.vehicle), "number": order.number, "promised": promised_at, "previous": previous or promised_at},
        )
    return order


# --- quality check and invoicing readiness --------------------------------------


def needs_road_test(order: WorkOrder) -> bool:
    return order.jobs.exclude(approval=Approval.DECLINED).filter(skill__in=ROAD_TEST_SKILLS).exists()


ROAD_TEST_SKILLS = (LabourOperation.Skill.MECHANICS, LabourOperation.Skill.DIAGNOSIS)


def record_quality_check(
    *,
    work_order: WorkOrder,
    inspector: User,
    passed: bool,
    data: Mapping[str, Any],
    redo_jobs: list[WorkOrderJob] = (),
) -> QualityCheck:
    """The internal handover. Passed: every point of the checklist holds, the order becomes ready for invoicing and the
    advisor is told. Failed: the reason, the jobs to redo go back to their technician, counted as rework."""
    fields = (
        "order_complete",
        "road_test_done",
        "road_test_notes",
        "all_jobs_done",
        "cleaned",
        "parking_place",
        "unfixed_findings",
        "fail_reason",
    )
    values = {
        name: data.get(name, "" if name in ("road_test_notes", "parking_place", "unfixed_findings", "fail_reason") else False)
        for name in fields
    }
    values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
    with transaction.atomic():
        order = _lock(work_order)
        if order.status != Status.QUALITY_CHECK:
            raise QualityCheckRefused(
                _("This order is not waiting for the quality check (%(status)s).") % {"status": order.get_status_display()}
            )
        if passed:
            _check_pass(order, values)
            check = QualityCheck.objects.create(work_order=order, inspector=inspector, passed=True, **{**values, "fail_reason": ""})
            mark_ready_for_invoicing(work_order=order, actor=inspector)
        else:
            if not values["fail_reason"]:
                raise QualityCheckRefused(_("Write why the car goes back to the workshop."), field="fail_reason")
            if not redo_jobs:
                raise QualityCheckRefused(_("Choose the jobs to redo."), field="redo_jobs")
            check = QualityCheck.objects.create(work_order=order, inspector=inspector, passed=False, **values)
            for job in redo_jobs:
                _send_back(order, job, inspector)
            WORK_ORDER_FLOW.move(order, Status.IN_WORKSHOP, actor=inspector, note=values["fail_reason"])
    return check


def _check_pass(order: WorkOrder, values: dict) -> None:
    for name, message in (
        ("order_complete", _("Check that the order is complete and signed off by the technicians.")),
        ("all_jobs_done", _("Check that every job is done.")),
        ("cleaned", _("The car is cleaned before it is handed over.")),
    ):
        if not values[name]:
            raise QualityCheckRefused(message, field=name)
    if needs_road_test(order) and not values["road_test_done"]:
        raise QualityCheckRefused(_("These jobs call for a road test: do it and write your notes."), field="road_test_done")
    if not values["parking_place"]:
        raise QualityCheckRefused(_("Write where the car is parked."), field="parking_place")


def _send_back(order: WorkOrder, job: WorkOrderJob, inspector: User) -> None:
    locked = _lock_job(job)
    if locked.work_order_id != order.pk or locked.status != JobStatus.DONE:
        raise QualityCheckRefused(_("Only done jobs of this order can be sent back."), field="redo_jobs")
    locked.rework_count += 1
    locked.done_by, locked.done_at = None, None
    _set_job_status(
        locked,
        JobStatus.ASSIGNED if locked.technician_id else JobStatus.WAITING,
        actor=inspector,
        extra=("rework_count", "done_by", "done_at"),
    )


def mark_ready_for_invoicing(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    """Ready for invoicing: refused while a line waits for approval or a kept job is not done; the advisor is told."""
    with transaction.atomic():
        order = _lock(work_order)
        pending = order.jobs.filter(approval=Approval.PENDING).first() or order.parts.filter(approval=Approval.PENDING).first()
        if pending is not None:
            raise NotInvoiceable(_("“%(line)s” waits for the customer's approval: nothing unapproved can be invoiced.") % {"line": pending})
        undone = order.jobs.exclude(approval=Approval.DECLINED).exclude(status=JobStatus.DONE).first()
        if undone is not None:
            raise NotInvoiceable(_("“%(job)s” is not done yet.") % {"job": undone.localized_concern()})
        WORK_ORDER_FLOW.move(order, Status.READY, actor=actor)
        notify_advisor(work_order=order, text=READY_FOR_INVOICING(number=order.number))
    work_order.refresh_from_db()
    return work_order


def mark_delivered(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    """The car is handed back to the customer (invoicing's handover calls it inside its own transaction)."""
    with transaction.atomic():
        order = _lock(work_order)
        WORK_ORDER_FLOW.move(order, Status.DELIVERED, actor=actor)
    work_order.refresh_from_db(fields=["status"])
    return work_order


def notify_advisor(*, work_order: WorkOrder, text: SystemText) -> AdvisorNotification:
    """A note on the advisor's board (shown in the language they read it in), and an e-mail in their language once
    the transaction commits."""
    notification = AdvisorNotification.objects.create(
        advisor=work_order.advisor, work_order=work_order, **text.fields("text", max_length=300)
    )
    address = work_order.advisor.email
    if address:
        with translation.override(work_order.advisor.language or work_order.site.language):
            subject = str(text)
        transaction.on_commit(lambda: send_mail(subject, subject, None, [address], fail_silently=True))
    return notification


def mark_notification_read(*, notification: AdvisorNotification, actor: User) -> None:
    record_bulk_change(
        actor=actor,
        queryset=AdvisorNotification.objects.filter(pk=notification.pk, advisor=actor, read_at__isnull=True),
        changes={"read_at": timezone.now()},
    )
