"""Demo data of booking: diaries, workshop capacity, loaners, part stock and a few dozen appointments.

Called from ``demo.loader.load_demo_data`` after the sites,
staff, catalogue and customers exist. Idempotent: set-up rows are found by
their natural keys, and a site's appointments are booked only while it has
none ahead booked by its demo agent (always through ``services.book_appointment``, so the diaries,
handover slots and loaners are those a real booking leaves).
"""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from aftersales.accounts.models import Site, User
from aftersales.accounts.roles import Role
from aftersales.customers.models import LabourOperation, MobilityService, Part, Vehicle
from aftersales.customers.translations import in_every_language

from .exceptions import BookingError
from .models import (
    AdvisorSchedule,
    Appointment,
    Loaner,
    PartStock,
    SiteCapacityRule,
    TechnicianAttendance,
    TechnicianProfile,
    WebRequest,
)
from .online import create_web_request
from .services import book_appointment
from .slots import JobRequest, free_reception_slots

APPOINTMENTS_PER_SITE = 14
DAYS_AHEAD = 14
# loaner categories in English, French, Russian and Chinese
CITY_CAR = ("city car", "citadine", "городской автомобиль", "城市小型车")
SUV = ("SUV", "SUV", "кроссовер", "SUV")
ELECTRIC = ("electric", "électrique", "электромобиль", "电动车")
HATCHBACK = ("hatchback", "compacte", "хэтчбек", "两厢车")
LOANERS = {
    "audi-lyon": [
        ("Audi A1 Sportback", "GA-101-LY", CITY_CAR),
        ("Audi Q2", "GA-102-LY", SUV),
        ("Audi Q4 e-tron", "GA-103-LY", ELECTRIC),
    ],
    "lexus-marseille": [("Lexus UX 250h", "GB-201-MA", SUV), ("Toyota Yaris", "GB-202-MA", CITY_CAR)],
    "citroen-moscow": [("Citroën C4", "А101ВС77", HATCHBACK), ("Citroën C5 Aircross", "А102ВС77", SUV)],
}
STOCK_LEVELS = [Decimal("0"), Decimal("2"), Decimal("5"), Decimal("10"), Decimal("24")]
# What the staff write, in the site's language: the customer's words, the documents to bring, and the web requests
# (name, phone, e-mail, message, hours before the demo run: one fresh, one that is overdue).
TYPED = {
    "fr": {
        "words": ["", "", "Bruit au freinage", "Voyant moteur allumé", "Vibration à 110 km/h", ""],
        "documents": "Carnet d'entretien, carte grise",
        "web_requests": [
            ("Nadia Benali", "", "nadia.benali@example.test", "Combien coûte la révision des 60 000 km ?", 0),
            ("Pierre Lambert", "+33611223344", "", "Un bruit à l'avant droit, pouvez-vous me rappeler ?", 30),
        ],
    },
    "ru": {
        "words": ["", "", "Шум при торможении", "Горит индикатор двигателя", "Вибрация на 110 км/ч", ""],
        "documents": "Сервисная книжка, СТС",
        "web_requests": [
            ("Наталья Белова", "", "natalia.belova@example.test", "Сколько стоит ТО на 60 000 км?", 0),
            ("Пётр Ламин", "+79161234567", "", "Стук спереди справа, перезвоните, пожалуйста.", 30),
        ],
    },
}


def load_appointments_demo(report) -> None:
    now = timezone.now()
    parts = list(Part.objects.order_by("number"))
    for site in Site.objects.order_by("code"):
        rng = random.Random(site.code)
        SiteCapacityRule.objects.get_or_create(site=site)
        _schedules(site, report)
        _technicians(site, report)
        for description, plate, categories in LOANERS.get(site.code, []):
            _loaner, created = Loaner.objects.get_or_create(
                site=site, plate=plate, defaults={"description": description, **in_every_language("category", categories)}
            )
            report.add("loaners", created)
        for part in parts:
            _stock, created = PartStock.objects.get_or_create(site=site, part=part, defaults={"on_hand": rng.choice(STOCK_LEVELS)})
            report.add("part stock rows", created)
        report.add("appointments", _book(site, rng, now))
        for name, mobile, email, message, hours_ago in TYPED[site.language]["web_requests"]:
            _row, created = _web_request(site, name, mobile, email, message, now - timedelta(hours=hours_ago))
            report.add("web requests", created)


def _opening(site: Site) -> dict[int, tuple[time, time]]:
    return {hours.weekday: (hours.opens, hours.closes) for hours in site.opening_hours.all()}


def _schedules(site: Site, report) -> None:
    for advisor in User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR, is_active=True):
        for weekday, (opens, closes) in _opening(site).items():
            lunch = (time(12), time(13)) if opens < time(12) and closes > time(14) else (None, None)
            _row, created = AdvisorSchedule.objects.get_or_create(
                site=site,
                advisor=advisor,
                weekday=weekday,
                starts=opens,
                defaults={"ends": closes, "break_starts": lunch[0], "break_ends": lunch[1]},
            )
            report.add("advisor working hours", created)


def _technicians(site: Site, report) -> None:
    skills = [LabourOperation.Skill.MECHANICS, LabourOperation.Skill.EXPRESS, LabourOperation.Skill.DIAGNOSIS]
    for index, user in enumerate(User.objects.filter(sites=site, groups__name=Role.TECHNICIAN, is_active=True).order_by("username")):
        own = [*skills, LabourOperation.Skill.BODYWORK] if index == 1 else skills
        profile, created = TechnicianProfile.objects.get_or_create(user=user, defaults={"site": site, "skills": own})
        report.add("technician profiles", created)
        for weekday, (opens, closes) in _opening(site).items():
            hours = Decimal(min(8, closes.hour - opens.hour))
            _row, created = TechnicianAttendance.objects.get_or_create(profile=profile, weekday=weekday, defaults={"hours": hours})
            report.add("technician attendance", created)


def _book(site: Site, rng: random.Random, now) -> int:
    agent = (
        User.objects.filter(sites=site, groups__name=Role.CRC_AGENT).order_by("username").first()
        or User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR).order_by("username").first()
    )
    advisors = {advisor.pk: advisor for advisor in User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR)}
    operations = list(LabourOperation.objects.filter(active=True).exclude(skill=LabourOperation.Skill.BODYWORK).order_by("code"))
    vehicles = [
        vehicle
        for vehicle in Vehicle.objects.filter(owner__site=site).select_related("owner").order_by("pk")[:60]
        if vehicle.owner.has_contact_channel()
    ]
    if agent is None or not advisors or not operations or not vehicles:
        return 0
    if Appointment.objects.filter(site=site, booked_by=agent, starts_at__gte=now).exists():
        return 0  # booked by an earlier run
    today = timezone.localdate(now, site.tz)
    free = free_reception_slots(site=site, first_day=today, last_day=today + timedelta(days=DAYS_AHEAD), now=now)
    rng.shuffle(vehicles)
    picks = sorted(rng.sample(free, min(len(free), APPOINTMENTS_PER_SITE * 3)), key=lambda slot: slot.starts_at)
    shuttle = MobilityService.objects.filter(site=site, active=True).exclude(kind=MobilityService.Kind.LOANER).first()
    booked = 0
    for slot, vehicle in zip(picks, vehicles, strict=False):
        if booked == APPOINTMENTS_PER_SITE:
            break
        try:
            book_appointment(
                site=site,
                customer=vehicle.owner,
                vehicle=vehicle,
                advisor=advisors[slot.advisor_id],
                starts_at=slot.starts_at,
                jobs=[JobRequest.of(rng.choice(operations))],
                channel=rng.choice(["phone_in", "phone_in", "phone_out", "desk"]),
                booked_by=agent,
                mobility=[shuttle] if shuttle else [],
                customer_words=rng.choice(TYPED[site.language]["words"]),
                checklist={
                    "services_explained": True,
                    "mobility_offered": True,
                    "prices_given": True,
                    "walk_around_offered": True,
                    "documents_to_bring": TYPED[site.language]["documents"],
                    "arrival_area": "mechanical",
                },
            )
        except BookingError:
            continue  # a slot an earlier demo booking's handover took, or a full workshop day
        booked += 1
    return booked


def _web_request(site: Site, name: str, mobile: str, email: str, message: str, received_at):
    existing = WebRequest.objects.filter(site=site, name=name).first()
    if existing is not None:
        return existing, False
    return create_web_request(
        site=site,
        channel=WebRequest.Channel.WEB,
        name=name,
        mobile=mobile,
        email=email,
        language=site.language,
        vehicle_text="",
        message=message,
        received_at=received_at,
    ), True
