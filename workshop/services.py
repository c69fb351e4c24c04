"""Reception writes: open a work order, save each check-in step, sign, hand to the workshop.

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

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from aftersales.accounts.models import Site, User
from aftersales.audit.services import model_changes, record_change
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import Customer, LabourOperation, MileageReading, MobilityService, OperationPart, Part, Vehicle
from aftersales.customers.services import record_mileage
from aftersales.lib.formatting import format_money
from aftersales.lib.money import line_total, vat_on
from aftersales.lib.phones import normalize_phone
from aftersales.messaging.codes import issue_code, verify_code
from aftersales.messaging.exceptions import CodeRefused
from aftersales.messaging.models import OneTimeCode
from aftersales.messaging.services import queue_message
from appointments.models import Appointment, Loaner
from appointments.services import estimate_jobs, mark_arrived
from appointments.slots import JobRequest

from .exceptions import InvalidCheckIn, OrderChangedSinceShown, OrderSigned, PhotoRefused, SignatureRefused, TransitionNotAllowed
from .message_texts import SIGNATURE_TEMPLATE
from .models import (
    Approval,
    DamageMark,
    LoanerHandover,
    Payer,
    Signature,
    WorkOrder,
    WorkOrderCounter,
    WorkOrderEvent,
    WorkOrderJob,
    WorkOrderPart,
    WorkOrderPhoto,
)

Status = WorkOrder.Status
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
    Step("documents", _("Documents"), (
        "doc_radio_code", "doc_wheel_lock_key", "doc_service_book", "doc_driving_licence", "doc_registration_papers",
    )),
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
    counter, _created = WorkOrderCounter.objects.get_or_create(site=site, year=year)
    counter = WorkOrderCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{site.code.upper()}-{year}-{counter.last:05d}"


# --- opening ----------------------------------------------------------------------


def open_work_order(*, appointment: Appointment, actor: User) -> WorkOrder:
    """Check in a booked customer: the appointment's jobs become the order's jobs (once: a second call returns it)."""
    if not actor.visible_sites().filter(pk=appointment.site_id).exists():
        raise InvalidCheckIn(_("This appointment belongs to another site."), field="appointment")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().select_related("site").get(pk=appointment.pk)
        existing = WorkOrder.objects.filter(appointment=locked).first()
        if existing is not None:
            return existing
        if locked.status in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED):
            mark_arrived(appointment=locked, actor=actor)
        elif locked.status != Appointment.Status.ARRIVED:
            raise InvalidCheckIn(
                _("An appointment that is %(status)s cannot be checked in.") % {"status": locked.get_status_display()}, field="appointment"
            )
        order = _create_order(site=locked.site, customer=locked.customer, vehicle=locked.vehicle, actor=actor,
                              appointment=locked, customer_words=locked.customer_words)
        for booked in locked.jobs.select_related("operation"):
            job = WorkOrderJob.objects.create(
                work_order=order, operation=booked.operation, concern=booked.description, skill=booked.skill,
                flat_rate_hours=booked.flat_rate_hours, labour_price=booked.labour_price, from_appointment=True, added_by=actor,
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
        site=site, year=year, sequence=sequence, number=number, appointment=appointment, customer=customer, vehicle=vehicle,
        advisor=actor, created_at=now, customer_words=customer_words, currency=site.currency, vat_rate=site.vat_rate,
        contact_phone=customer.mobile,
    )
    _record_status(order, actor=actor, from_status="")
    record_change(actor=actor, obj=order, action="create", changes={"number": [None, number]})
    return order


def _add_kit(job: WorkOrderJob) -> None:
    if job.operation_id is None:
        return
    WorkOrderPart.objects.bulk_create(
        WorkOrderPart(work_order=job.work_order, job=job, part=line.part, quantity=line.quantity, unit_price=line.part.unit_price,
                      payer=job.payer, approval=job.approval)
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
            _set_status(order, Status.CHECKED_IN, actor=actor)
    work_order.refresh_from_db()
    return work_order


def _save_walk_around(order: WorkOrder, values: dict, data: Mapping[str, Any], actor: User) -> None:
    mileage = values.get("mileage_in")
    if mileage is None:
        raise InvalidCheckIn(_("Read the mileage on the dashboard."), field="mileage_in")
    if mileage != order.mileage_in:
        try:
            record_mileage(vehicle=order.vehicle, km=mileage, source=MileageReading.Source.RECEPTION, recorded_by=actor,
                           correction_reason=data.get("correction_reason", ""))
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
    *, work_order: WorkOrder, actor: User, concern: str, operation: LabourOperation | None = None,
    flat_rate_hours: Decimal | None = None, skill: str = LabourOperation.Skill.DIAGNOSIS, payer: str = Payer.CUSTOMER,
) -> WorkOrderJob:
    """A job found at reception (agreed) or, once signed, an addition waiting for the customer's approval."""
    concern = concern.strip() or (operation.localized("description") if operation else "")
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
        job = WorkOrderJob.objects.create(
            work_order=order, operation=operation, concern=concern[:300], skill=line.skill, flat_rate_hours=line.flat_rate_hours,
            labour_price=line.labour_price, payer=payer, approval=Approval.PENDING if order.is_signed else Approval.AGREED,
            added_by=actor,
        )
        _add_kit(job)
        _refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"jobs": [None, f"+ {job.concern} ({job.get_approval_display()})"]})
    return job


def add_part(
    *, work_order: WorkOrder, actor: User, part: Part, quantity: Decimal, job: WorkOrderJob | None = None, payer: str = Payer.CUSTOMER,
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
            work_order=order, job=job, part=part, quantity=quantity, unit_price=part.unit_price, payer=payer,
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


def remove_job(*, job: WorkOrderJob, actor: User) -> None:
    with transaction.atomic():
        order = _lock(job.work_order)
        locked = WorkOrderJob.objects.select_for_update().get(pk=job.pk)
        if locked.approval == Approval.AGREED:
            _refuse_when_signed(order)
        concern = locked.concern
        locked.parts.all().delete()
        locked.delete()
        _refresh_estimate(order)
        record_change(actor=actor, obj=order, action="update", changes={"jobs": [concern, None]})


# --- photos -----------------------------------------------------------------------


def add_photo(*, work_order: WorkOrder, upload, actor: User, caption: str = "") -> WorkOrderPhoto:
    """Keep a walk-around photo: its type is read from the content (not the name), at most MAX_PHOTO_BYTES."""
    if upload is None:
        raise PhotoRefused(_("Choose a photo to upload."))
    if upload.size > MAX_PHOTO_BYTES:
        raise PhotoRefused(_("This photo is too big (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": round(upload.size / 1024 / 1024, 1), "limit": MAX_PHOTO_BYTES // 1024 // 1024})
    content = upload.read()
    kind = _image_kind(content)
    if kind is None:
        raise PhotoRefused(_("This file is not a photo (JPEG, PNG or WebP)."))
    with transaction.atomic():
        order = _lock(work_order)
        if order.status == Status.CANCELLED:
            raise TransitionNotAllowed(_("This order is cancelled."))
        photo = WorkOrderPhoto(work_order=order, content_type=kind[0], extension=kind[1], size=len(content),
                               caption=caption.strip()[:200], uploaded_by=actor)
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
        "documents": [order.doc_radio_code, order.doc_wheel_lock_key, order.doc_service_book, order.doc_driving_licence,
                      order.doc_registration_papers],
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
        "totals": [str(order.labour_total), str(order.parts_total), str(order.net_total), str(order.vat_rate),
                   str(order.vat_total), str(order.gross_total)],
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
    image = _signature_png(image_data_url)
    with transaction.atomic():
        order = _lock(work_order)
        content = _ready_to_sign(order, shown_hash)
        signature = Signature(work_order=order, method=Signature.Method.DRAWN, content=content, content_hash=shown_hash, recorded_by=actor)
        signature.image.save(f"{order.number}.png", ContentFile(image), save=False)
        signature.save()
        _set_status(order, Status.SIGNED, actor=actor, note=str(Signature.Method.DRAWN.label))
    return signature


def _signature_png(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise SignatureRefused(_("Ask the customer to sign in the box first."))
    try:
        image = base64.b64decode(data_url[len(prefix):], validate=True)
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
            customer=order.customer, template=SIGNATURE_TEMPLATE, about=order, purpose="service", channel="sms", urgent=True,
            idempotency_key=f"work-order-signature:{order.pk}:{content_hash(order)}", actor=actor,
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
        _set_status(order, Status.SIGNED, actor=None, note=str(Signature.Method.OTP.label))
    return signature


# --- workshop ---------------------------------------------------------------------


def hand_to_workshop(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    with transaction.atomic():
        order = _lock(work_order)
        _check_transition(order, Status.IN_WORKSHOP)
        _set_status(order, Status.IN_WORKSHOP, actor=actor)
    work_order.refresh_from_db()
    return work_order


# --- helpers ----------------------------------------------------------------------


def _lock(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("site", "customer", "vehicle").get(pk=work_order.pk)


def _refuse_when_signed(order: WorkOrder) -> None:
    if order.is_signed:
        raise OrderSigned()
    if order.status == Status.CANCELLED:
        raise TransitionNotAllowed(_("This order is cancelled."))


def _check_transition(order: WorkOrder, status: str) -> None:
    if not order.can_become(status):
        raise TransitionNotAllowed(_("An order that is %(current)s cannot become %(target)s.") % {
            "current": order.get_status_display(), "target": Status(status).label})


def _set_status(order: WorkOrder, status: str, *, actor, note: str = "") -> None:
    _check_transition(order, status)
    previous = order.status
    order.status = status
    order.save(update_fields=["status"])
    _record_status(order, actor=actor, from_status=previous, note=note)


def _record_status(order: WorkOrder, *, actor, from_status: str, note: str = "") -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        work_order=order, actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=from_status, to_status=order.status, note=note[:300],
    )
