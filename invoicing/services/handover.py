"""Handover: the customer welcomed, the loaner taken back, a test drive, the work explained, the delivery signed and the car seen off."""

from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import model_changes, record_change
from aftersales.customers.exceptions import CustomerError
from aftersales.customers.models import MileageReading
from aftersales.customers.services import record_mileage, update_vehicle
from aftersales.lib.formatting import format_money, format_number
from aftersales.messaging.codes import issue_code, verify_code
from aftersales.messaging.exceptions import CodeRefused
from appointments.models import LoanerReservation
from appointments.services import close_loaner_reservation
from workshop.exceptions import SignatureRefused
from workshop.models import DeferredWork, Payer, QualityCheck, WorkOrder
from workshop.services import mark_delivered, signature_png

from ..exceptions import BalanceDue, HandoverError
from ..models import Handover, Invoice, LoanerReturn, SalesLead
from ._common import lock_order
from .leads import check_salesperson, tell_salesperson
from .payments import balance_of, may_release
from .preparing import INVOICEABLE_APPROVALS, READY_FOR_INVOICING

HANDOVER_CODE_PURPOSE = "handover_signature"


def customer_arrived(*, work_order: WorkOrder, actor: User, waiting_note: str = "") -> Handover:
    """The customer is here for the car: acknowledged and put in the waiting queue until an advisor welcomes them."""
    with transaction.atomic():
        order = lock_order(work_order)
        existing = Handover.objects.filter(work_order=order).first()
        if existing is not None:
            return existing
        if order.status != READY_FOR_INVOICING:
            raise HandoverError(_("This car has not passed the quality check yet."), field="work_order")
        handover = Handover.objects.create(
            work_order=order, site=order.site, acknowledged_by=actor, waiting_note=waiting_note.strip()[:200]
        )
        record_change(actor=actor, obj=handover, action="create", changes={"moment": [None, handover.moment]})
    return handover


def _lock_handover(handover: Handover) -> Handover:
    locked = (
        Handover.objects.select_for_update(of=("self", "work_order"))
        .select_related("work_order__site", "work_order__customer", "work_order__vehicle")
        .get(pk=handover.pk)
    )
    if locked.closed_at is not None:
        raise HandoverError(_("This handover is closed."), field="moment")
    return locked


def _move(handover: Handover, moment: str, actor: User) -> None:
    before = handover.moment
    handover.moment = moment
    handover.save()
    record_change(actor=actor, obj=handover, action="update", changes={"moment": [before, moment]})


def welcome_customer(*, handover: Handover, actor: User) -> Handover:
    with transaction.atomic():
        locked = _lock_handover(handover)
        if locked.started_at is None:
            locked.started_at, locked.advisor = timezone.now(), actor
        _move(locked, Handover.Moment.WELCOME, actor)
    return locked


def record_loaner_return(
    *,
    handover: Handover,
    actor: User,
    fuel_in: int,
    mileage_in: int,
    satisfaction: int,
    keys_returned: bool = False,
    papers_returned: bool = False,
    new_damage: str = "",
    remarks: str = "",
) -> LoanerReturn:
    """The loaner comes back: keys, papers, fuel (in eighths), mileage, new damage, satisfaction."""
    with transaction.atomic():
        locked = _lock_handover(handover)
        lent = getattr(locked.work_order, "loaner_handover", None)
        if lent is None:
            raise HandoverError(_("No loaner was handed over with this work order."), field="loaner")
        if LoanerReturn.objects.filter(loaner_handover=lent).exists():
            raise HandoverError(_("The loaner is already back."), field="loaner")
        if mileage_in < lent.mileage_out:
            raise HandoverError(
                _("The loaner left with %(km)s km: its mileage cannot be lower.") % {"km": format_number(lent.mileage_out)},
                field="mileage_in",
            )
        returned = LoanerReturn.objects.create(
            handover=locked,
            loaner_handover=lent,
            keys_returned=keys_returned,
            papers_returned=papers_returned,
            fuel_in=fuel_in,
            mileage_in=mileage_in,
            new_damage=new_damage.strip()[:300],
            satisfaction=satisfaction,
            remarks=remarks.strip()[:300],
            received_by=actor,
        )
        record_change(actor=actor, obj=locked, action="update", changes={"loaner_returned": [None, f"{returned.mileage_in} km"]})
        reservation = LoanerReservation.objects.filter(
            appointment_id=locked.work_order.appointment_id, loaner=lent.loaner, returned_at__isnull=True
        ).first()
        if reservation is not None:
            close_loaner_reservation(reservation=reservation, returned_at=returned.returned_at, actor=actor)
    return returned


def record_test_drive(*, handover: Handover, actor: User, model_tried: str, impressions: str, salesperson: User) -> SalesLead:
    """The customer tried a new model during the visit: their impressions become a lead for a salesperson."""
    if not model_tried.strip():
        raise HandoverError(_("Which model did the customer try?"), field="model_tried")
    if not impressions.strip():
        raise HandoverError(_("Note the customer's impressions."), field="impressions")
    with transaction.atomic():
        locked = _lock_handover(handover)
        check_salesperson(salesperson, locked.work_order.site)
        lead = SalesLead.objects.create(
            handover=locked,
            customer=locked.work_order.customer,
            model_tried=model_tried.strip()[:120],
            impressions=impressions.strip(),
            salesperson=salesperson,
            created_by=actor,
        )
        record_change(actor=actor, obj=lead, action="create", changes={"salesperson": [None, str(salesperson)]})
        tell_salesperson(lead, locked.work_order.site)
    return lead


CHECKLIST = ("jobs_explained", "deferred_explained", "unfixed_explained", "parts_shown", "price_matches", "followup_announced")


def checklist_needs(work_order: WorkOrder) -> set[str]:
    """The checklist points this order calls for (declined work and unfixed faults only when there are some)."""
    needed = {"jobs_explained", "parts_shown", "price_matches", "followup_announced"}
    if DeferredWork.objects.filter(declined_job__work_order=work_order).exists():
        needed.add("deferred_explained")
    last_check = QualityCheck.objects.filter(work_order=work_order, passed=True).order_by("-checked_at", "-pk").first()
    if last_check is not None and last_check.unfixed_findings.strip():
        needed.add("unfixed_explained")
    return needed


def save_explanation(
    *,
    handover: Handover,
    actor: User,
    jobs_explained: bool = False,
    deferred_explained: bool = False,
    unfixed_explained: bool = False,
    parts_shown: bool = False,
    price_matches: bool = False,
    followup_announced: bool = False,
    next_service_date: date | None = None,
    next_service_km: int | None = None,
) -> Handover:
    """The explain moment: the checklist and the next service; the next service goes onto the vehicle (reminders read it)."""
    with transaction.atomic():
        locked = _lock_handover(handover)
        if locked.started_at is None:
            raise HandoverError(_("Welcome the customer first."), field="moment")
        before = Handover.objects.get(pk=locked.pk)
        locked.jobs_explained, locked.deferred_explained, locked.unfixed_explained = jobs_explained, deferred_explained, unfixed_explained
        locked.parts_shown, locked.price_matches, locked.followup_announced = parts_shown, price_matches, followup_announced
        locked.next_service_date, locked.next_service_km = next_service_date, next_service_km
        if locked.next_service_date is None and locked.next_service_km is None:
            raise HandoverError(_("Set the next service: a date, a mileage or both."), field="next_service_date")
        missing = [name for name in sorted(checklist_needs(locked.work_order)) if not getattr(locked, name)]
        if missing:
            raise HandoverError(_("Tick every point once explained to the customer."), field=missing[0])
        update_vehicle(
            vehicle=locked.work_order.vehicle,
            updated_by=actor,
            next_service_due_date=locked.next_service_date,
            next_service_due_km=locked.next_service_km,
        )
        _move(locked, Handover.Moment.PAYMENT, actor)
        changes = model_changes(before, locked, [*CHECKLIST, "next_service_date", "next_service_km"])
        if changes:
            record_change(actor=actor, obj=locked, action="update", changes=changes)
    return locked


def send_handover_code(*, handover: Handover, actor: User):
    """A one-time code by SMS for the customer to sign the delivery."""
    if not handover.work_order.customer.mobile:
        raise HandoverError(_("The customer has no mobile number to receive a code."), field="code")
    return issue_code(purpose=HANDOVER_CODE_PURPOSE, customer=handover.work_order.customer, subject=handover, actor=actor)


def _refuse_leaving(handover: Handover, mileage_out: int | None) -> None:
    """Why the car cannot leave yet (checked before a one-time code is used, and again under the lock)."""
    order = handover.work_order
    if handover.moment not in (Handover.Moment.PAYMENT, Handover.Moment.SEE_OFF):
        raise HandoverError(_("Explain the invoice and the work before seeing the customer off."), field="moment")
    if (
        not order.invoices.filter(status=Invoice.Status.ISSUED, payer=Payer.CUSTOMER, kind=Invoice.Kind.INVOICE).exists()
        and order.jobs.filter(payer=Payer.CUSTOMER, approval__in=INVOICEABLE_APPROVALS).exists()
    ):
        raise HandoverError(_("Issue the customer's invoice before the car leaves."), field="moment")
    if not may_release(order):
        balance = balance_of(order)
        if balance.due < 0:
            raise BalanceDue(
                _(
                    "The customer paid %(amount)s beyond the invoices: refund it or keep it as their credit, "
                    "or ask a manager to record why the car leaves without."
                )
                % {"amount": format_money(balance.overpaid, order.currency)},
                field="moment",
            )
        raise BalanceDue(
            _("%(due)s is still due: take the payment or ask a manager to release the car.")
            % {"due": format_money(balance.due, order.currency)},
            field="moment",
        )
    if getattr(order, "loaner_handover", None) is not None and not LoanerReturn.objects.filter(handover=handover).exists():
        raise HandoverError(_("Take the loaner back before the customer leaves."), field="loaner")
    if mileage_out is None or (order.mileage_in is not None and mileage_out < order.mileage_in):
        raise HandoverError(
            _("The car came in with %(km)s km: read the mileage out on the dashboard.") % {"km": format_number(order.mileage_in or 0)},
            field="mileage_out",
        )


def close_handover(
    *,
    handover: Handover,
    actor: User,
    mileage_out: int | None,
    signature_data_url: str = "",
    code: str = "",
    correction_reason: str = "",
) -> Handover:
    """See off: the delivery signed (drawn or by code), mileage out read, nothing due unless a manager allowed it.

    Closing records ``closed_at``: the follow-up stage schedules its satisfaction call from it.
    """
    handover = Handover.objects.select_related("work_order__site", "work_order__vehicle").get(pk=handover.pk)
    if handover.closed_at is not None:
        raise HandoverError(_("This handover is closed."), field="moment")
    _refuse_leaving(handover, mileage_out)
    if code.strip():
        try:
            verify_code(purpose=HANDOVER_CODE_PURPOSE, subject=handover, code=code)
        except CodeRefused as error:
            raise HandoverError(error.message, field="code") from None
        method, image = Handover.SignatureMethod.OTP, None
    else:
        try:
            image = signature_png(signature_data_url)
        except SignatureRefused as error:
            raise HandoverError(error.message, field="signature") from None
        method = Handover.SignatureMethod.DRAWN
    with transaction.atomic():
        locked = _lock_handover(handover)
        order = locked.work_order
        _refuse_leaving(locked, mileage_out)
        try:
            record_mileage(
                vehicle=order.vehicle,
                km=mileage_out,
                source=MileageReading.Source.HANDOVER,
                recorded_by=actor,
                correction_reason=correction_reason,
            )
        except CustomerError as error:
            raise HandoverError(error.message, field="mileage_out") from None
        now = timezone.now()
        locked.mileage_out, locked.signature_method, locked.signed_at = mileage_out, method, now
        if image is not None:
            locked.signature_image.save(f"{order.number}.png", ContentFile(image), save=False)
        locked.closed_at, locked.closed_by = now, actor
        _move(locked, Handover.Moment.CLOSED, actor)
        mark_delivered(work_order=order, actor=actor)
    return locked
