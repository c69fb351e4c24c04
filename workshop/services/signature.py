"""The customer's signature of the work order: drawn on the tablet, or with a one-time code sent by SMS with a
signed link to the order.

A signature binds to the hash of the content the page showed (``workshop.signed_content``); signing with
another hash is refused, so a customer never signs something they did not see.
"""

import base64
import binascii
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import record_change
from aftersales.lib.formatting import format_money
from aftersales.lib.images import reencode_image
from aftersales.messaging.codes import issue_code, verify_code
from aftersales.messaging.exceptions import CodeRefused
from aftersales.messaging.models import OneTimeCode
from aftersales.messaging.services import queue_message

from ..exceptions import OrderChangedSinceShown, SignatureRefused
from ..message_texts import SIGNATURE_TEMPLATE
from ..models import Signature, WorkOrder
from ..signed_content import content_hash, hash_of, signed_content
from ..system_texts import SIGNED
from ._common import PHOTO_FORMATS, WORK_ORDER_FLOW, Status, image_kind, lock_order

SIGNATURE_PURPOSE = "work_order_signature"
MAX_SIGNATURE_BYTES = 1024 * 1024
CODE_RESEND_AFTER = timedelta(minutes=1)


def sign_on_tablet(*, work_order: WorkOrder, image_data_url: str, shown_hash: str, actor: User) -> Signature:
    """The customer signed on the tablet: keep the drawing, the time and the hash of what they were shown."""
    image = signature_png(image_data_url)
    with transaction.atomic():
        order = lock_order(work_order)
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
    if len(image) > MAX_SIGNATURE_BYTES or image_kind(image) != PHOTO_FORMATS["PNG"] or (pixels := reencode_image(image)) is None:
        raise SignatureRefused(_("The signature could not be read; ask the customer to sign again."))
    return pixels


def _ready_to_sign(order: WorkOrder, shown_hash: str) -> dict:
    if order.status in (Status.PREPARED, Status.DRAFT):
        raise SignatureRefused(_("Finish the check-in steps before the customer signs."))
    if order.status != Status.CHECKED_IN:
        raise SignatureRefused(_("This order is already signed."))
    content = signed_content(order)
    if hash_of(content) != shown_hash:
        raise OrderChangedSinceShown()
    return content


def request_code_signature(*, work_order: WorkOrder, link: str, actor: User) -> OneTimeCode:
    """The customer is not there: send them the signed link to the order, and a one-time code to sign it."""
    with transaction.atomic():
        order = lock_order(work_order)
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
    """A new code for the order, at most one a minute (the customer's page has a "send a new code" button);
    a code that died of too many wrong tries is replaced at once."""
    latest = OneTimeCode.objects.filter(
        purpose=SIGNATURE_PURPOSE, subject_id=work_order.pk, used_at__isnull=True, attempts__lt=F("max_attempts")
    ).first()
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
        order = lock_order(work_order)
        content = _ready_to_sign(order, shown_hash)
        signature = Signature.objects.create(work_order=order, method=Signature.Method.OTP, content=content, content_hash=shown_hash)
        WORK_ORDER_FLOW.move(order, Status.SIGNED, actor=None, note=SIGNED(method=Signature.Method.OTP))
    return signature
