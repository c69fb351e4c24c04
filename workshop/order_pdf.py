"""The work-order PDF, rendered once per printed content and language and served from the stored copy afterwards.

``printed_content`` lists everything the document prints (the signed content, every line with its approval,
the signature, the customer, vehicle and seller as printed, the template itself); its SHA-256 is the stored
copy's fingerprint. ``work_order_pdf`` returns the stored bytes while the fingerprint matches and renders
(WeasyPrint, photo thumbnails) only when it does not. The document is in the customer's language, so one copy is
kept per language.
"""

import hashlib
from functools import cache

from django.db.models import Prefetch, QuerySet
from django.template.loader import get_template

from aftersales.accounts.contact_points import contact_point_for_vehicle
from aftersales.accounts.legal_identity import LegalIdentity
from aftersales.lib.data_urls import png_data_url
from aftersales.lib.pdf import render_pdf

from .diagram import diagram_views, legend
from .models import WorkOrder, WorkOrderJob, WorkOrderPart, WorkOrderPdf, job_text_sources
from .photo_thumbnails import pdf_photos
from .signed_content import canonical_json

TEMPLATE = "pdf/workshop_order.html"
ORDER_FIELDS = (
    "number",
    "created_at",
    "advisor_id",
    "customer_words",
    "mileage_in",
    "fuel_level",
    "valuables",
    "findings",
    "promised_at",
    "currency",
    "labour_total",
    "parts_total",
    "net_total",
    "vat_rate",
    "vat_total",
    "gross_total",
    "doc_radio_code",
    "doc_wheel_lock_key",
    "doc_service_book",
    "doc_driving_licence",
    "doc_registration_papers",
    "spending_limit",
    "payment_method",
    "contact_phone",
    "departure",
)


def printed_orders() -> QuerySet[WorkOrder]:
    """Work orders with every row their PDF prints, in a fixed number of queries."""
    return WorkOrder.objects.select_related(
        "site", "customer", "vehicle", "advisor", "mobility", "signature", "loaner_handover__loaner"
    ).prefetch_related(
        Prefetch("jobs", queryset=WorkOrderJob.objects.select_related(*job_text_sources())),
        Prefetch("jobs__parts", queryset=WorkOrderPart.objects.select_related("part")),
        Prefetch("parts", queryset=WorkOrderPart.objects.select_related("part")),
        "damage_marks",
        "photos",
    )


def pdf_language(order: WorkOrder) -> str:
    return order.customer.language or order.site.language


def work_order_pdf(order: WorkOrder) -> bytes:
    """The order's PDF in its customer's language: the stored copy, or rendered and stored when what it prints changed."""
    language = pdf_language(order)
    contact = contact_point_for_vehicle(order.site, order.vehicle)
    fingerprint = hashlib.sha256(canonical_json(printed_content(order, language, contact)).encode()).hexdigest()
    stored = WorkOrderPdf.objects.filter(work_order=order, language=language, fingerprint=fingerprint).first()
    if stored is not None:
        return bytes(stored.content)
    content = _render(order, language, contact)
    WorkOrderPdf.objects.update_or_create(work_order=order, language=language, defaults={"fingerprint": fingerprint, "content": content})
    return content


def printed_content(order: WorkOrder, language: str, contact) -> dict:
    """Everything the PDF prints, as plain data (``order`` read with ``printed_orders``)."""
    site, customer, vehicle = order.site, order.customer, order.vehicle
    signature = getattr(order, "signature", None)
    handover = getattr(order, "loaner_handover", None)
    return {
        "template": _template_digest(),
        "language": language,
        "order": [getattr(order, field) for field in ORDER_FIELDS],
        "advisor": order.advisor.get_full_name() or order.advisor.username,
        "seller": [_row(site), _row(LegalIdentity.objects.filter(site=site).first()), contact.name, contact.phone, contact.email],
        "customer": [str(customer), customer.address, customer.postcode, customer.city],
        "vehicle": [vehicle.make, vehicle.model, vehicle.plate, vehicle.vin],
        "jobs": [
            [job.pk, job.approval, job.localized_concern(language), job.payer, job.flat_rate_hours, job.labour_price]
            for job in order.jobs.all()
        ],
        "parts": [
            [part.pk, part.job_id, part.localized_name(language), part.number, part.quantity, part.unit_price, part.payer]
            for part in order.parts.all()
        ],
        "damage": [[mark.pk, mark.view, mark.x, mark.y, mark.kind, mark.note] for mark in order.damage_marks.all()],
        "photos": [
            [photo.pk, photo.image.name, photo.caption, photo.damage_mark_id]
            for photo in order.photos.all()
            if photo.inspection_result_id is None
        ],
        "mobility": order.mobility.localized("name", language) if order.mobility else "",
        "loaner": [str(handover.loaner), handover.fuel_out, handover.mileage_out] if handover else None,
        "signature": [signature.method, signature.signed_at, signature.content_hash, signature.image.name] if signature else None,
    }


def _render(order: WorkOrder, language: str, contact) -> bytes:
    marks = list(order.damage_marks.all())
    signature = getattr(order, "signature", None)
    context = {
        "order": order,
        "contact": contact,
        "views": diagram_views(marks),
        "legend": legend(marks),
        "signature_image": png_data_url(signature.image if signature is not None else None),
        "photos": pdf_photos(order),
    }
    return render_pdf(TEMPLATE, context, language, order.site.tz)


def _row(instance) -> list | None:
    """A row's stored values (every concrete field), for rows printed as a whole: the site, its legal identity."""
    if instance is None:
        return None
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


@cache
def _template_digest() -> str:
    """A new template (a deployment) prints differently: its source is part of the fingerprint."""
    return hashlib.sha256(get_template(TEMPLATE).template.source.encode()).hexdigest()
