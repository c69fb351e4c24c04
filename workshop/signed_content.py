"""What the customer signs: the agreed content of a work order and its hash (reads only, no writes).

``signed_content`` gives the agreed content of an order as plain JSON (jobs,
parts, prices, estimate, spending limit, return time, documents,
walk-around...), ``content_hash`` its SHA-256. The page shows the hash it
displayed; signing with another hash is refused, so a customer never signs
something they did not see. ``canonical_json`` is the one serialisation every
hashed document uses (the invoices' chain too).
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import Approval, WorkOrder


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
            [part.pk, part.number or part.description, str(part.quantity), str(part.unit_price), part.payer]
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


def hash_of(content: dict) -> str:
    """The SHA-256 of signed content, as a signature records it."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def content_hash(work_order: WorkOrder) -> str:
    return hash_of(signed_content(work_order))
