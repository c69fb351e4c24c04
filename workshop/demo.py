"""Demo workshop: at each site, two of today's customers at the desk (one signed and handed to the workshop, one
being checked in); bays; a technician clocked in and on the first order's job, with its inspection done (an amber
point waiting for the customer's approval); a third order waiting for the quality check; and the order of the next
working day's first booking opened in advance, from the preparation list.

Written through the services; runs again without adding anything once a site has a work order opened today, an
inspection, or its bays.
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
from aftersales.customers.translations import in_every_language
from appointments.models import Appointment, AppointmentJob, TechnicianProfile
from appointments.preparation import preparation_days
from appointments.services import estimate_jobs
from appointments.slots import JobRequest

from .models import AttendanceSpan, Bay, Inspection, Rating, WorkOrder
from .services import (
    STEP_SERVICES,
    assign_job,
    clock_in,
    clock_on_job,
    hand_to_workshop,
    open_work_order,
    prepare_work_order,
    save_inspection,
    sign_off_job,
    sign_on_tablet,
    start_inspection,
)
from .signed_content import content_hash

ARRIVALS = (time(8, 0), time(8, 30))
# bay names in English, French, Russian and Chinese
BAYS = (
    ("Lift 1", "Pont 1", "Подъёмник 1", "1号举升机"),
    ("Lift 2", "Pont 2", "Подъёмник 2", "2号举升机"),
    ("Express lane", "Atelier rapide", "Экспресс-пост", "快修工位"),
)
# What the staff write, in the site's language.
TYPED = {
    "fr": {
        "words": "Entretien, et un bruit à l'avant au freinage",
        "correction": "Entretien réalisé selon le plan du constructeur",
        "worn": "Usure sur le bord intérieur",
        "findings": "Plaquettes avant à 3 mm",
        "rear door": "porte arrière",
        "bumper": "pare-chocs",
    },
    "ru": {
        "words": "ТО, и шум спереди при торможении",
        "correction": "ТО выполнено по регламенту производителя",
        "worn": "Износ по внутренней кромке",
        "findings": "Передние колодки — 3 мм",
        "rear door": "задняя дверь",
        "bumper": "бампер",
    },
}


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
        orders = [
            open_work_order(appointment=demo_appointment(site, vehicle, advisor, start, at, operation), actor=advisor)
            for vehicle, at in zip(vehicles, ARRIVALS, strict=True)
        ]
        demo_check_in(orders[0], advisor, now, sign=True)
        demo_check_in(orders[1], advisor, now, sign=False)
        report.add("work orders", len(orders))
    for site in Site.objects.order_by("code"):
        _workshop_floor(site, operation, now, report)
        _prepared_in_advance(site, now, report)


def _workshop_floor(site: Site, operation, now: datetime, report) -> None:
    for names in BAYS:
        fields = in_every_language("name", names)
        _bay, created = Bay.objects.get_or_create(site=site, name=fields.pop("name"), defaults=fields)
        report.add("bays", created)
    start, end = _today_bounds(site, now)
    signed = WorkOrder.objects.filter(site=site, status=WorkOrder.Status.SIGNED, created_at__gte=start, created_at__lt=end).first()
    if signed is None or Inspection.objects.filter(work_order__site=site).exists():
        return
    advisor = signed.advisor
    foreman = User.objects.filter(sites=site, groups__name=Role.FOREMAN, is_active=True).order_by("username").first() or advisor
    job = signed.jobs.first()
    profile = next(
        (
            profile
            for profile in TechnicianProfile.objects.filter(site=site, active=True).select_related("user").order_by("user__username")
            if job is not None and job.skill in profile.skills
        ),
        None,
    )
    vehicle = Vehicle.objects.filter(owner__site=site, work_orders__isnull=True).select_related("owner").order_by("pk").first()
    if profile is None or vehicle is None:
        return
    technician = profile.user
    bays = list(Bay.objects.filter(site=site).order_by("name"))
    second = open_work_order(appointment=demo_appointment(site, vehicle, advisor, start, time(7, 30), operation), actor=advisor)
    demo_check_in(second, advisor, now, sign=True)
    for order, bay in ((second, bays[1]), (signed, bays[0])):
        hand_to_workshop(work_order=order, actor=advisor)
        assign_job(job=order.jobs.first(), technician=technician, bay=bay, actor=foreman)
    if not AttendanceSpan.objects.filter(technician=technician, ended_at__isnull=True).exists():
        clock_in(technician=technician, now=now - timedelta(hours=3))
    clock_on_job(job=second.jobs.first(), technician=technician, now=now - timedelta(hours=2, minutes=45))
    sign_off_job(
        job=second.jobs.first(),
        technician=technician,
        correction=TYPED[site.language]["correction"],
        now=now - timedelta(hours=1, minutes=30),
    )
    clock_on_job(job=job, technician=technician, now=now - timedelta(hours=1, minutes=20))
    inspection = start_inspection(work_order=signed, actor=technician)
    results = {row.pk: {"rating": Rating.GREEN, "measurement": None, "notes": ""} for row in inspection.results.all()}
    amber = inspection.results.filter(item__label__startswith="Tyre").order_by("item__position").first()
    if amber is not None:
        results[amber.pk] = {"rating": Rating.AMBER, "measurement": Decimal("3.1"), "notes": TYPED[site.language]["worn"]}
    save_inspection(inspection=inspection, actor=technician, results=results, complete=True)
    report.add("work orders", 1)
    report.add("inspections", 1)


def _prepared_in_advance(site: Site, now: datetime, report) -> None:
    """The first booking of the site's next working day has its order opened in advance (its number on the bin label)."""
    if WorkOrder.objects.filter(site=site, status=WorkOrder.Status.PREPARED).exists():
        return
    next_days = preparation_days(site=site, today=timezone.localdate(now, site.tz)).working[:1]
    appointment = (
        Appointment.objects.filter(
            site=site,
            workshop_day__in=next_days,
            status__in=(Appointment.Status.BOOKED, Appointment.Status.CONFIRMED),
            advisor__isnull=False,
            work_order__isnull=True,
        )
        .select_related("advisor")
        .order_by("starts_at", "pk")
        .first()
    )
    if appointment is not None:
        prepare_work_order(appointment=appointment, actor=appointment.advisor)
        report.add("work orders", 1)


def _today_bounds(site: Site, now: datetime) -> tuple[datetime, datetime]:
    day = timezone.localtime(now, site.tz).date()
    start = datetime.combine(day, time(0), tzinfo=site.tz)
    return start, start + timedelta(days=1)


def demo_appointment(site, vehicle, advisor, day_start, at, operation) -> Appointment:
    """A booked appointment of the day at ``at`` for one operation (the later stages' demos start from it too)."""
    starts_at = day_start.replace(hour=at.hour, minute=at.minute)
    line = estimate_jobs(site=site, jobs=[JobRequest.of(operation)]).lines[0]
    appointment = Appointment.objects.create(
        site=site,
        customer=vehicle.owner,
        vehicle=vehicle,
        advisor=advisor,
        starts_at=starts_at,
        handover_at=starts_at + timedelta(hours=8),
        workshop_day=starts_at.date(),
        channel=Appointment.BookingChannel.PHONE_IN,
        origin=Appointment.Origin.INBOUND_CALL,
        currency=site.currency,
        booked_by=advisor,
        customer_words=TYPED[site.language]["words"],
        labour_total=line.labour_price,
        parts_total=line.parts_price,
        net_total=line.labour_price + line.parts_price,
        flat_rate_hours=line.flat_rate_hours,
    )
    AppointmentJob.objects.create(
        appointment=appointment,
        operation=operation,
        description=line.description,
        skill=line.skill,
        flat_rate_hours=line.flat_rate_hours,
        labour_price=line.labour_price,
        parts_price=line.parts_price,
    )
    return appointment


def demo_check_in(order: WorkOrder, advisor: User, now: datetime, *, sign: bool) -> None:
    """The check-in steps through the services; with ``sign`` every step and the customer's signature on the tablet."""
    last = order.vehicle.mileage_readings.first()
    typed = TYPED[order.site.language]
    steps = [
        ("prepare", {"cover_seat": True, "cover_steering_wheel": True, "cover_floor_mat": True}),
        ("greet", {"customer_words": order.customer_words, "requested_work_confirmed": True}),
    ]
    if sign:
        steps += [
            (
                "walk_around",
                {
                    "mileage_in": (last.km if last else 30_000) + 1_234,
                    "fuel_level": 5,
                    "valuables": "",
                    "marks": [
                        {"view": "left", "x": 0.3, "y": 0.55, "kind": "scratch", "note": typed["rear door"]},
                        {"view": "front", "x": 0.5, "y": 0.8, "kind": "chip", "note": typed["bumper"]},
                    ],
                },
            ),
            ("findings", {"findings": typed["findings"]}),
            ("estimate", {"promised_at": now + timedelta(hours=7)}),
            (
                "documents",
                {
                    "doc_radio_code": True,
                    "doc_wheel_lock_key": True,
                    "doc_service_book": True,
                    "doc_driving_licence": False,
                    "doc_registration_papers": True,
                },
            ),
            (
                "agreement",
                {"spending_limit": Decimal("200"), "payment_method": "card", "contact_phone": order.customer.mobile or order.site.phone},
            ),
            ("mobility", {"departure": "leaves", "mobility": None}),
        ]
    for step, data in steps:
        order = STEP_SERVICES[step](work_order=order, actor=advisor, **data)
    if sign:
        sign_on_tablet(work_order=order, image_data_url=drawn_signature(), shown_hash=content_hash(order), actor=advisor)


def drawn_signature() -> str:
    """A signature as the tablet sends it: a PNG data URL."""
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 70), (60, 30), (90, 75), (130, 25), (170, 70), (220, 40), (280, 60)], fill=(20, 20, 20, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
