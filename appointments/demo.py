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

from .breakdown import assistance_contacts, diagnosis_job, take_breakdown_call
from .exceptions import BookingError
from .models import (
    AdvisorSchedule,
    Appointment,
    Loaner,
    LoanTerms,
    PartOrderRequest,
    PartStock,
    SiteCapacityRule,
    TechnicianAttendance,
    TechnicianProfile,
    WebRequest,
)
from .online import create_web_request
from .parts import mark_part_ordered
from .selectors import PREPARATION_STATUSES, booked_jobs, kits_of
from .services import book_appointment, request_part_order
from .slots import JobRequest, free_reception_slots, propose

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
# The loan contract's terms per site (price per day, insurance excess, km per day), and a loaner with its own.
LOAN_TERMS = {
    "audi-lyon": (Decimal("0"), Decimal("800"), 150),
    "lexus-marseille": (Decimal("0"), Decimal("1000"), 200),
    "citroen-moscow": (Decimal("0"), Decimal("30000"), 200),
}
LOANER_TERMS = {"GA-103-LY": {"daily_price": Decimal("35"), "daily_km_allowance": 250}}
# Who each site orders parts from.
SUPPLIERS = {"audi-lyon": "Audi Pièces Rhône-Alpes", "lexus-marseille": "Toyota Parts Europe", "citroen-moscow": "Автодеталь-Сервис"}
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
                site=site,
                plate=plate,
                defaults={"description": description, **in_every_language("category", categories), **LOANER_TERMS.get(plate, {})},
            )
            report.add("loaners", created)
        if site.code in LOAN_TERMS:
            price, excess, km = LOAN_TERMS[site.code]
            _terms, created = LoanTerms.objects.get_or_create(
                site=site, defaults={"daily_price": price, "insurance_excess": excess, "daily_km_allowance": km}
            )
            report.add("loan terms", created)
        for part in parts:
            _stock, created = PartStock.objects.get_or_create(site=site, part=part, defaults={"on_hand": rng.choice(STOCK_LEVELS)})
            report.add("part stock rows", created)
        report.add("appointments", _book(site, rng, now))
        report.add("breakdown calls", _breakdown_call(site, now))
        report.add("part orders", _part_ordered(site, now))
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


def _agent(site: Site) -> User | None:
    """Who takes the demo calls: the site's CRC agent, else an advisor."""
    return (
        User.objects.filter(sites=site, groups__name=Role.CRC_AGENT).order_by("username").first()
        or User.objects.filter(sites=site, groups__name=Role.SERVICE_ADVISOR).order_by("username").first()
    )


def _book(site: Site, rng: random.Random, now) -> int:
    agent = _agent(site)
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
    # The first visit takes a loaner, whose loan contract the appointment page prints.
    courtesy_car = MobilityService.objects.filter(site=site, active=True, kind=MobilityService.Kind.LOANER).first()
    loaner = Loaner.objects.filter(site=site, active=True).order_by("plate").first()
    booked = 0
    for slot, vehicle in zip(picks, vehicles, strict=False):
        if booked == APPOINTMENTS_PER_SITE:
            break
        lend = booked == 0 and loaner is not None and courtesy_car is not None
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
                mobility=[courtesy_car] if lend else [shuttle] if shuttle else [],
                loaner=loaner if lend else None,
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


def _part_ordered(site: Site, now) -> bool:
    """The first upcoming appointment short of a part gets it asked and ordered from the site's supplier, arriving two days
    after the visit: the parts advisor's list then offers to warn the customer."""
    if PartOrderRequest.objects.filter(site=site).exists():
        return False
    today = timezone.localdate(now, site.tz)
    upcoming = list(
        Appointment.objects.filter(site=site, status__in=PREPARATION_STATUSES, workshop_day__gt=today)
        .select_related("site", "advisor")
        .prefetch_related(booked_jobs())
        .order_by("starts_at")[:20]
    )
    kits = kits_of(appointments=upcoming)
    short = next(((appointment, line) for appointment in upcoming for line in kits[appointment.pk].kit if line.short), None)
    if short is None:
        return False
    appointment, line = short
    order_request = request_part_order(appointment=appointment, part=line.part, quantity=line.quantity, actor=appointment.advisor)
    buyer = User.objects.filter(sites=site, groups__name=Role.PARTS_ADVISOR, is_active=True).order_by("username").first()
    mark_part_ordered(
        order_request=order_request,
        supplier=SUPPLIERS.get(site.code, site.name),
        expected_on=appointment.workshop_day + timedelta(days=2),
        actor=buyer or appointment.advisor,
    )
    return True


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


# One breakdown call per site, as the agent took it (in the site's language): what happened, where, the insurer's numbers.
BREAKDOWN_CALLS = {
    "fr": (
        "Le moteur a calé sur l'autoroute, voyant moteur rouge allumé",
        "A7 direction Marseille, sortie 15 (Valence Sud)",
        "POL-2026-4471",
    ),
    "ru": ("Заглох двигатель на МКАД, горит красный индикатор", "МКАД, 47-й км, внешняя сторона", "ХХХ-0123456789"),
}


def _breakdown_call(site: Site, now) -> int:
    """A towed breakdown with its urgent diagnosis appointment (once per site), so the board and the appointment show one."""
    agent = _agent(site)
    vehicle = Vehicle.objects.filter(owner__site=site).select_related("owner").order_by("-pk").first()
    if agent is None or vehicle is None or site.breakdown_calls.exists():
        return 0
    words, location, policy = BREAKDOWN_CALLS[site.language]
    proposals = propose(site=site, jobs=[diagnosis_job(words)], now=now, urgent=True).proposals
    if not proposals:
        return 0
    contacts = assistance_contacts(site=site, vehicle=vehicle)
    partner = next(iter(contacts["assistance"]), None)
    insurer = next(iter(contacts["insurer"]), None)
    try:
        take_breakdown_call(
            site=site,
            customer=vehicle.owner,
            vehicle=vehicle,
            advisor=User.objects.get(pk=proposals[0].advisor_id),
            starts_at=proposals[0].starts_at,
            kind="breakdown",
            what_happened=words,
            location=location,
            towing_needed=True,
            assistance_partner=partner,
            insurer=insurer.name if insurer else "",
            policy_number=policy,
            documents_to_bring=TYPED[site.language]["documents"],
            taken_by=agent,
        )
    except BookingError:
        return 0
    return 1
