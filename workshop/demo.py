"""Demo reception: at each site, two of today's customers already at the desk (one signed, one being checked in).

Written through the reception services; runs again without adding anything
once a site has a work order opened today.
"""

import base64
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from PIL import Image, ImageDraw

from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import Role
from aftersales.customers.models import LabourOperation, Vehicle
from appointments.models import Appointment, AppointmentJob
from appointments.services import estimate_jobs
from appointments.slots import JobRequest

from .models import WorkOrder
from .services import content_hash, open_work_order, save_check_in_step, sign_on_tablet

ARRIVALS = (time(8, 0), time(8, 30))


def load_workshop_demo(report) -> None:
    now = timezone.now()
    operation = LabourOperation.objects.filter(active=True).order_by("code").first()
    for site in Site.objects.order_by("code"):
        start, end = _today_bounds(site, now)
        if WorkOrder.objects.filter(site=site, created_at__gte=start, created_at__lt=end).exists():
            continue
        advisor = User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR, is_active=True).order_by("username").first()
        vehicles = list(Vehicle.objects.filter(owner__site=site, work_orders__isnull=True).select_related("owner").order_by("pk")[:2])
        if advisor is None or operation is None or len(vehicles) < 2:
            continue
        orders = [open_work_order(appointment=_appointment(site, vehicle, advisor, start, at, operation), actor=advisor)
                  for vehicle, at in zip(vehicles, ARRIVALS, strict=True)]
        _check_in(orders[0], advisor, now, sign=True)
        _check_in(orders[1], advisor, now, sign=False)
        report.add("work orders", len(orders))


def _today_bounds(site: Site, now: datetime) -> tuple[datetime, datetime]:
    day = timezone.localtime(now, site.tz).date()
    start = datetime.combine(day, time(0), tzinfo=site.tz)
    return start, start + timedelta(days=1)


def _appointment(site, vehicle, advisor, day_start, at, operation) -> Appointment:
    starts_at = day_start.replace(hour=at.hour, minute=at.minute)
    line = estimate_jobs(site=site, jobs=[JobRequest.of(operation)]).lines[0]
    appointment = Appointment.objects.create(
        site=site, customer=vehicle.owner, vehicle=vehicle, advisor=advisor, starts_at=starts_at,
        handover_at=starts_at + timedelta(hours=8),
        workshop_day=starts_at.date(), channel=Appointment.BookingChannel.PHONE_IN, origin=Appointment.Origin.INBOUND_CALL,
        currency=site.currency, booked_by=advisor, customer_words="Service, and a noise from the front when braking",
        labour_total=line.labour_price, parts_total=line.parts_price, net_total=line.labour_price + line.parts_price,
        flat_rate_hours=line.flat_rate_hours,
    )
    AppointmentJob.objects.create(appointment=appointment, operation=operation, description=line.description, skill=line.skill,
                                  flat_rate_hours=line.flat_rate_hours, labour_price=line.labour_price, parts_price=line.parts_price)
    return appointment


def _check_in(order: WorkOrder, advisor: User, now: datetime, *, sign: bool) -> None:
    last = order.vehicle.mileage_readings.first()
    steps = [
        ("prepare", {"cover_seat": True, "cover_steering_wheel": True, "cover_floor_mat": True}),
        ("greet", {"customer_words": order.customer_words, "requested_work_confirmed": True}),
    ]
    if sign:
        steps += [
            ("walk_around", {"mileage_in": (last.km if last else 30_000) + 1_234, "fuel_level": 5, "valuables": "",
                             "marks": [{"view": "left", "x": 0.3, "y": 0.55, "kind": "scratch", "note": "rear door"},
                                       {"view": "front", "x": 0.5, "y": 0.8, "kind": "chip", "note": "bumper"}]}),
            ("findings", {"findings": "Front pads at 3 mm"}),
            ("estimate", {"promised_at": now + timedelta(hours=7)}),
            ("documents", {"doc_radio_code": True, "doc_wheel_lock_key": True, "doc_service_book": True,
                           "doc_driving_licence": False, "doc_registration_papers": True}),
            ("agreement", {"spending_limit": Decimal("200"), "payment_method": "card",
                           "contact_phone": order.customer.mobile or order.site.phone}),
            ("mobility", {"departure": "leaves", "mobility": None}),
        ]
    for step, data in steps:
        order = save_check_in_step(work_order=order, step=step, data=data, actor=advisor)
    if sign:
        sign_on_tablet(work_order=order, image_data_url=_drawn_signature(), shown_hash=content_hash(order), actor=advisor)


def _drawn_signature() -> str:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 70), (60, 30), (90, 75), (130, 25), (170, 70), (220, 40), (280, 60)], fill=(20, 20, 20, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
