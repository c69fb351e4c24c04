"""The parts desk before the visit: a part ordered from its supplier for a date, and the customer warned that a part
will be missing on the day, with the date it is expected.

A customer is warned once. Warning again is deliberate: the sender names the last warning they saw (``resend_of``),
so a second click, or a colleague who warned meanwhile, sends nothing more. The appointment's row is locked while
the warning is decided, so two senders at the same moment end with one message.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.contact_points import brand_of
from aftersales.accounts.models import User
from aftersales.messaging.services import queue_message

from . import selectors
from .exceptions import PartsError, TransitionNotAllowed
from .message_texts import PARTS_DELAY_TEMPLATE
from .models import Appointment, PartOrderRequest, PartsDelayWarning, PartStock
from .services import APPOINTMENT_FLOW, customer_link
from .system_texts import PART_ORDERED, PARTS_DELAY_WARNED, PARTS_DELAY_WARNED_EXPECTED

Ordered = PartOrderRequest.Status


def mark_part_ordered(*, order_request: PartOrderRequest, supplier: str, expected_on: date, actor: User) -> PartOrderRequest:
    """The parts advisor placed the order with ``supplier`` for delivery on ``expected_on``: the quantity counts as on
    order (once). Telling it again for an ordered request records the supplier's new date (or another supplier)."""
    supplier = supplier.strip()
    if not supplier:
        raise PartsError(_("Supplier: name the supplier the part is ordered from."), field="supplier")
    with transaction.atomic():
        locked = PartOrderRequest.objects.select_for_update().get(pk=order_request.pk)
        if locked.status == Ordered.CANCELLED:
            raise PartsError(_("This request is no longer open."), field="status")
        if expected_on < timezone.localdate(timezone.now(), locked.site.tz):
            raise PartsError(_("Expected arrival: the date cannot be in the past."), field="expected_on")
        if (locked.status, locked.supplier, locked.expected_on) == (Ordered.ORDERED, supplier, expected_on):
            return locked
        if locked.status == Ordered.OPEN:
            stock, _created = PartStock.objects.select_for_update().get_or_create(site=locked.site, part=locked.part)
            stock.on_order += locked.quantity
            stock.save(update_fields=["on_order"])
            locked.status, locked.handled_by, locked.handled_at = Ordered.ORDERED, actor, timezone.now()
        locked.supplier, locked.expected_on = supplier, expected_on
        locked.save(update_fields=["status", "handled_by", "handled_at", "supplier", "expected_on"])
        APPOINTMENT_FLOW.record(
            locked.appointment,
            actor=actor,
            from_status=locked.appointment.status,
            note=PART_ORDERED(supplier=supplier, part=locked.part, expected=expected_on),
        )
    return locked


def expected_arrival(kit: selectors.PreparedAppointment) -> date | None:
    """The day the last missing part of the kit is expected; None when one of them has no date from its supplier."""
    days = [
        line.order_request.expected_on if line.order_request and line.order_request.status == Ordered.ORDERED else None
        for line in kit.kit
        if line.short
    ]
    return None if not days or None in days else max(days)


def warn_parts_delay(*, appointment: Appointment, actor: User, resend_of: int | None = None) -> PartsDelayWarning:
    """Tell the customer that a part will be missing on the day, and when it is expected.

    ``resend_of``: the number of the last warning the sender saw and chose to send again; without it, an appointment
    already warned is refused.
    """
    with transaction.atomic():
        Appointment.objects.select_for_update(no_key=True).filter(pk=appointment.pk).values_list("pk").get()
        locked = (
            Appointment.objects.select_related("site", "customer", "vehicle")
            .prefetch_related(selectors.booked_jobs())
            .get(pk=appointment.pk)
        )
        if locked.status not in selectors.PREPARATION_STATUSES:
            raise TransitionNotAllowed(_("Only an upcoming appointment can be warned."))
        last = locked.parts_warnings.select_related("sent_by").order_by("-number").first()
        if last is not None and resend_of != last.number:
            raise PartsError(
                _("The customer was already warned by %(who)s on %(when)s; to warn them again, choose “Send the warning again”.")
                % {
                    "who": last.sent_by or "—",
                    "when": date_format(timezone.localtime(last.sent_at, locked.site.tz), "MEDIUM_DATETIME_FORMAT"),
                },
                field="resend_of",
            )
        kit = selectors.kits_of(appointments=[locked])[locked.pk]
        missing = kit.missing_parts
        if not missing:
            raise PartsError(_("No part of this appointment is missing."))
        expected = expected_arrival(kit)
        if expected is not None and expected < locked.workshop_day:
            raise PartsError(
                _("The missing parts are expected on %(day)s, before the appointment: the customer need not be warned.")
                % {"day": date_format(expected, "MEDIUM_DATE_FORMAT")},
                field="expected_on",
            )
        number = last.number + 1 if last else 1
        message = queue_message(
            customer=locked.customer,
            template=PARTS_DELAY_TEMPLATE,
            about=locked,
            actor=actor,
            purpose="service",
            idempotency_key=f"parts_delay:{locked.pk}:{number}",
            context={
                "start": locked.starts_at,
                "vehicle": str(locked.vehicle),
                "parts": lazy(lambda: ", ".join(part.localized("name") for part in missing), str)(),  # in the message's language
                "expected": expected,
                "link": customer_link(locked),
                "brand": brand_of(locked.site, locked.vehicle),
            },
        )
        warning = PartsDelayWarning.objects.create(appointment=locked, number=number, sent_by=actor, expected_on=expected, message=message)
        APPOINTMENT_FLOW.record(
            locked,
            actor=actor,
            from_status=locked.status,
            note=PARTS_DELAY_WARNED_EXPECTED(parts=missing, expected=expected) if expected else PARTS_DELAY_WARNED(parts=missing),
            details={"parts_delay_message": message.pk},
        )
    return warning
