"""The demo dealer group: three sites, staff for every role, customers, vehicles, catalogue.

Loading is idempotent: reference rows are found by their natural keys
(username, site code, VIN, part number...), generated customers by their
mobile number within their site, and everything random comes from a fixed
seed, so a second run finds every row already there and changes nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import phonenumbers
from django.contrib.auth.models import Group

from aftersales.customers.models import (
    Campaign,
    Channel,
    ConsentRecord,
    Customer,
    LabourOperation,
    MileageReading,
    MobilityService,
    OperationPart,
    Ownership,
    Part,
    SeasonalOffer,
    Vehicle,
)
from aftersales.customers.services import customer_search_name, customer_search_phones
from aftersales.customers.translations import in_every_language
from aftersales.lib.text import fold, plate_key

from .legal_identity import LegalIdentity
from .models import AssistanceContact, Brand, DealerGroup, OpeningHours, Site, SiteBrand, SiteClosure, User
from .roles import Role

DEMO_PASSWORD = "demo-pass-2026"
SEED = 2026
GROUP_NAME = "Groupe Horizon Automobiles"

# --- Sites ---------------------------------------------------------------------

BRANDS = {"audi": "Audi", "lexus": "Lexus", "toyota": "Toyota", "citroen": "Citroën"}

SITES = [
    {
        "code": "audi-lyon",
        "name": "Audi Lyon",
        "legal_name": "Horizon Lyon Automobiles SAS",
        "vat_number": "FR96412345670",
        "address": "125 avenue Jean Jaurès",
        "postcode": "69007",
        "city": "Lyon",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "language": "fr",
        "currency": "EUR",
        "vat_rate": Decimal("20.00"),
        "labour_rate": Decimal("118.00"),
        "phone": "+33478601200",
        "email": "service.lyon@horizon-auto.example",
        "invoice_prefix": "LYO",
    },
    {
        "code": "lexus-marseille",
        "name": "Lexus Marseille",
        "legal_name": "Horizon Provence Automobiles SAS",
        "vat_number": "FR31523456788",
        "address": "210 boulevard Rabatau",
        "postcode": "13010",
        "city": "Marseille",
        "country": "FR",
        "time_zone": "Europe/Paris",
        "language": "fr",
        "currency": "EUR",
        "vat_rate": Decimal("20.00"),
        "labour_rate": Decimal("125.00"),
        "phone": "+33491290000",
        "email": "apres-vente.marseille@horizon-auto.example",
        "invoice_prefix": "MRS",
    },
    {
        "code": "citroen-moscow",
        "name": "Citroën Moscow",
        "legal_name": "ООО «Горизонт Авто»",
        "vat_number": "7714123459",
        "address": "Ленинградский проспект, 39",
        "postcode": "125167",
        "city": "Москва",
        "country": "RU",
        "time_zone": "Europe/Moscow",
        "language": "ru",
        "currency": "RUB",
        "vat_rate": Decimal("20.00"),
        "labour_rate": Decimal("4200.00"),
        "phone": "+74951234567",
        "email": "service.moscow@horizon-auto.example",
        "invoice_prefix": "MSK",
    },
]

# The seller's legal identity each site prints (fictitious numbers with valid check digits).
LEGAL_IDENTITIES = {
    "audi-lyon": {
        "legal_form": "SAS",
        "share_capital": Decimal("500000.00"),
        "siren": "412345670",
        "siret": "41234567000019",
        "rcs_city": "Lyon",
        "bank_name": "Banque Rhône-Alpes",
        "bank_account": "FR7630006000011234567890189",
        "bank_code": "AGRIFRPP",
    },
    "lexus-marseille": {
        "legal_form": "SAS",
        "share_capital": Decimal("250000.00"),
        "siren": "523456788",
        "siret": "52345678800018",
        "rcs_city": "Marseille",
    },
    "citroen-moscow": {
        "legal_form": "ООО",
        "inn": "7714123459",
        "kpp": "771401001",
        "ogrn": "1027700132195",
        "bank_name": "АО «Банк Горизонт»",
        "bank_account": "40702810600000012345",
        "bank_code": "044525999",
        "correspondent_account": "30101810600000000999",
    },
}

# (site code, brand code): contact point (name shown to customers, phone, e-mail,
# greeting). Lexus and Toyota share the Marseille site but each answers its own
# line with its own greeting, and signs its own messages.
BRAND_CONTACTS = {
    ("audi-lyon", "audi"): ("", "+33478601210", "audi.lyon@horizon-auto.example", "Audi Lyon, {agent}, bonjour…"),
    ("lexus-marseille", "lexus"): ("", "+33491290100", "lexus.marseille@horizon-auto.example", "Lexus Marseille, {agent}, bonjour…"),
    ("lexus-marseille", "toyota"): (
        "Toyota Marseille",
        "+33491290200",
        "toyota.marseille@horizon-auto.example",
        "Toyota Marseille, {agent}, bonjour…",
    ),
    ("citroen-moscow", "citroen"): ("", "+74951234500", "citroen.moscow@horizon-auto.example", "Citroën Москва, {agent}, здравствуйте…"),
}

WEEKDAY_HOURS = [(day, time(8), time(18)) for day in range(5)]
OPENING_HOURS = {
    "audi-lyon": [*WEEKDAY_HOURS, (5, time(8), time(12))],
    "lexus-marseille": [*WEEKDAY_HOURS, (5, time(8), time(12))],
    "citroen-moscow": [*WEEKDAY_HOURS, (5, time(10), time(16))],
}
CLOSURES = {
    "audi-lyon": [(date(2026, 12, 31), "Inventaire annuel")],
    "citroen-moscow": [(date(2026, 12, 31), "Инвентаризация")],
}
# Whom the breakdown or accident call names, per site (fictitious partners): (kind, name, phone, when, brand code or None).
ASSISTANCE = AssistanceContact.Kind.ASSISTANCE
INSURER = AssistanceContact.Kind.INSURER
ASSISTANCE_CONTACTS = {
    "audi-lyon": [
        (ASSISTANCE, "Audi Assistance Horizon", "+33969320000", "24/7", "audi"),
        (ASSISTANCE, "Dépannage Rhône Express", "+33472101010", "24/7", None),
        (INSURER, "Mutuelle Lyonnaise Auto", "+33478601299", "lun.–ven. 8h–19h", None),
    ],
    "lexus-marseille": [
        (ASSISTANCE, "Lexus Assistance 24", "+33800505050", "24/7", "lexus"),
        (ASSISTANCE, "Toyota Assistance Provence", "+33491290300", "24/7", "toyota"),
        (ASSISTANCE, "Dépannage Phocéen", "+33491808080", "24/7", None),
        (INSURER, "Assurances du Midi", "+33491290350", "lun.–sam. 8h–20h", None),
    ],
    "citroen-moscow": [
        (ASSISTANCE, "Citroën Assistance", "+78002005050", "круглосуточно", "citroen"),
        (ASSISTANCE, "Эвакуатор «Горизонт»", "+74957770011", "круглосуточно", None),
        (INSURER, "Страховая компания «Надёжный полис»", "+74952293344", "пн–пт 9:00–20:00", None),
    ],
}

# --- Staff ---------------------------------------------------------------------

# username: (role, first name, last name, site codes, language)
STAFF = {
    "crc.lyon": (Role.CRC_AGENT, "Julie", "Moreau", ["audi-lyon"], "fr"),
    "advisor.lyon": (Role.SERVICE_ADVISOR, "Thomas", "Girard", ["audi-lyon"], "fr"),
    "foreman.lyon": (Role.FOREMAN, "Patrick", "Roux", ["audi-lyon"], "fr"),
    "tech1.lyon": (Role.TECHNICIAN, "Karim", "Benali", ["audi-lyon"], "fr"),
    "tech2.lyon": (Role.TECHNICIAN, "Lucas", "Fontaine", ["audi-lyon"], "fr"),
    "qc.lyon": (Role.QUALITY_CONTROLLER, "Sandrine", "Blanc", ["audi-lyon"], "fr"),
    "cashier.lyon": (Role.CASHIER, "Nathalie", "Perrin", ["audi-lyon"], "fr"),
    "parts.lyon": (Role.PARTS_ADVISOR, "Olivier", "Chevalier", ["audi-lyon"], "fr"),
    "sales.lyon": (Role.SALESPERSON, "Hélène", "Garnier", ["audi-lyon"], "fr"),
    "manager.lyon": (Role.MANAGER, "Isabelle", "Lambert", ["audi-lyon"], "fr"),
    "crc.marseille": (Role.CRC_AGENT, "Julie", "Santini", ["lexus-marseille"], "fr"),
    "advisor.marseille": (Role.SERVICE_ADVISOR, "Marc", "Orsini", ["lexus-marseille"], "fr"),
    "tech1.marseille": (Role.TECHNICIAN, "Yanis", "Haddad", ["lexus-marseille"], "fr"),
    "manager.marseille": (Role.MANAGER, "Claire", "Rossi", ["lexus-marseille"], "fr"),
    "crc.moscow": (Role.CRC_AGENT, "Анна", "Смирнова", ["citroen-moscow"], "ru"),
    "advisor.moscow": (Role.SERVICE_ADVISOR, "Дмитрий", "Козлов", ["citroen-moscow"], "ru"),
    "foreman.moscow": (Role.FOREMAN, "Сергей", "Волков", ["citroen-moscow"], "ru"),
    "tech1.moscow": (Role.TECHNICIAN, "Алексей", "Морозов", ["citroen-moscow"], "ru"),
    "cashier.moscow": (Role.CASHIER, "Ольга", "Лебедева", ["citroen-moscow"], "ru"),
    "admin": (Role.ADMIN, "Admin", "Horizon", ["audi-lyon", "lexus-marseille", "citroen-moscow"], "en"),
}
GROUP_WIDE = {"admin"}
SUPERUSERS = {"admin"}


def demo_logins() -> list[tuple[str, str]]:
    """(role label, username): the first demo account of each role."""
    seen: dict[str, str] = {}
    for username, (role, *_rest) in STAFF.items():
        seen.setdefault(role, username)
    return [(Role(role).label, username) for role, username in seen.items()]


# --- Customers and vehicles ----------------------------------------------------

FRENCH_FIRST = {
    "f": [
        "Marie",
        "Camille",
        "Sophie",
        "Élodie",
        "Nathalie",
        "Céline",
        "Aurélie",
        "Chloé",
        "Léa",
        "Manon",
        "Inès",
        "Hélène",
        "Margaux",
        "Anaïs",
        "Brigitte",
        "Françoise",
        "Zoé",
        "Émilie",
    ],
    "m": [
        "Jean",
        "Pierre",
        "Nicolas",
        "Julien",
        "François",
        "Stéphane",
        "Sébastien",
        "Mathieu",
        "Hugo",
        "Louis",
        "Théo",
        "Antoine",
        "Jérôme",
        "Benoît",
        "Rémi",
        "Cédric",
        "Loïc",
        "Grégoire",
    ],
}
FRENCH_LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "García",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martínez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sánchez",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gérard",
    "Roger",
    "Roche",
    "Roy",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Jean",
    "Pérez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Gillet",
    "Barbier",
    "Brun",
    "Giraud",
]
RUSSIAN_FIRST = {
    "f": [
        "Анна",
        "Мария",
        "Елена",
        "Ольга",
        "Наталья",
        "Татьяна",
        "Ирина",
        "Светлана",
        "Екатерина",
        "Юлия",
        "Анастасия",
        "Дарья",
        "Ксения",
        "Виктория",
        "Людмила",
    ],
    "m": [
        "Александр",
        "Сергей",
        "Дмитрий",
        "Андрей",
        "Алексей",
        "Максим",
        "Иван",
        "Михаил",
        "Николай",
        "Евгений",
        "Владимир",
        "Павел",
        "Артём",
        "Игорь",
        "Роман",
    ],
}
# Masculine forms; the feminine adds "а" (Иванов → Иванова), except -ий → -ая.
RUSSIAN_LAST = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Анисимов",
    "Ерёмин",
    "Тихомиров",
    "Галкин",
    "Лукьянов",
    "Михеев",
    "Скворцов",
    "Юдин",
    "Белоусов",
    "Нестеров",
    "Симонов",
    "Прокофьев",
    "Харитонов",
]
CYRILLIC_TO_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a|b|v|g|d|e|e|zh|z|i|y|k|l|m|n|o|p|r|s|t|u|f|kh|ts|ch|sh|shch||y||e|yu|ya".split("|"),
        strict=True,
    )
)

FRENCH_STREETS = {
    "Lyon": [
        "rue de la République",
        "cours Lafayette",
        "avenue Berthelot",
        "rue Garibaldi",
        "quai Saint-Vincent",
        "rue Paul Bert",
        "avenue des Frères Lumière",
        "montée de la Grande Côte",
    ],
    "Marseille": [
        "La Canebière",
        "rue Paradis",
        "boulevard Michelet",
        "avenue du Prado",
        "rue de Rome",
        "boulevard Baille",
        "chemin du Roucas Blanc",
        "rue Saint-Ferréol",
    ],
}
FRENCH_POSTCODES = {
    "Lyon": ["69001", "69002", "69003", "69006", "69007", "69008"],
    "Marseille": ["13001", "13006", "13007", "13008", "13009", "13012"],
}
MOSCOW_STREETS = [
    "ул. Тверская",
    "Кутузовский проспект",
    "ул. Арбат",
    "Профсоюзная ул.",
    "ул. Маросейка",
    "Ленинский проспект",
    "ул. Покровка",
    "Варшавское шоссе",
]
COMPANIES_FR = [
    "Transports Rhône Express",
    "Taxis Phocéens",
    "Boulangerie Lefèvre SARL",
    "Cabinet Médical du Prado",
    "Location Azur Fleet",
    "BTP Saône SAS",
    "Ambulances Fourvière",
]
COMPANIES_RU = ["ООО «Столичный Трансфер»", "ООО «Таксопарк Север»", "АО «СтройМастер»", "ООО «Курьер Экспресс»"]


@dataclass(frozen=True)
class ModelLine:
    make: str
    model: str
    vin_prefix: str  # manufacturer code (WMI) and model part of the VIN, eight characters
    energies: tuple[str, ...]
    service_km: int


LINES = {
    "audi-lyon": [
        ModelLine("Audi", "A3 Sportback", "WAUZZZ8V", ("petrol", "diesel", "plug_in"), 30000),
        ModelLine("Audi", "A4 Avant", "WAUZZZF4", ("diesel", "petrol"), 30000),
        ModelLine("Audi", "Q3", "WAUZZZF3", ("petrol", "diesel"), 30000),
        ModelLine("Audi", "Q5", "WAUZZZFY", ("diesel", "plug_in"), 30000),
        ModelLine("Audi", "Q4 e-tron", "WAUZZZFZ", ("electric",), 30000),
    ],
    "lexus-marseille": [
        ModelLine("Lexus", "UX 250h", "JTHP9JBH", ("hybrid",), 15000),
        ModelLine("Lexus", "NX 350h", "JTJGKCEZ", ("hybrid", "plug_in"), 15000),
        ModelLine("Lexus", "RX 450h", "JTJBGMCA", ("hybrid",), 15000),
        ModelLine("Lexus", "ES 300h", "JTHB21B1", ("hybrid",), 15000),
        ModelLine("Toyota", "Yaris Cross", "JTDKAAC3", ("hybrid",), 15000),
    ],
    "citroen-moscow": [
        ModelLine("Citroën", "C5 Aircross", "VF7A5YHT", ("petrol", "diesel"), 15000),
        ModelLine("Citroën", "C4", "VF7CBYHZ", ("petrol",), 15000),
        ModelLine("Citroën", "Berlingo", "VF7ECYHY", ("diesel",), 15000),
        ModelLine("Citroën", "C3", "VF7SXHMZ", ("petrol",), 15000),
    ],
}
# Model-year letters of the tenth VIN character.
MODEL_YEAR_CODES = {2016: "G", 2017: "H", 2018: "J", 2019: "K", 2020: "L", 2021: "M", 2022: "N", 2023: "P", 2024: "R", 2025: "S", 2026: "T"}
FR_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"  # the SIV system skips I, O and U
RU_PLATE_LETTERS = "АВЕКМНОРСТУХ"  # the twelve letters that read the same in Latin
MOSCOW_REGIONS = ["77", "97", "99", "177", "197", "777", "799"]

CUSTOMERS_PER_SITE = {"audi-lyon": 130, "lexus-marseille": 110, "citroen-moscow": 110}


@dataclass
class DemoVehicle:
    vin: str
    plate: str
    line: ModelLine
    year: int
    energy: str
    first_registration: date
    readings: list[tuple[date, int]]
    connected: bool


@dataclass
class DemoCustomer:
    fields: dict
    consents: dict[str, bool]
    vehicles: list[DemoVehicle] = field(default_factory=list)


class Generator:
    """Turns the fixed seed into the same customers and vehicles on every run."""

    def __init__(self, today: date):
        self.rng = random.Random(SEED)
        self.today = today
        self.vins: set[str] = set()
        self.plates: set[str] = set()
        self.phones: set[str] = set()

    def phone(self, region: str, national_prefixes: list[str], length: int) -> str:
        while True:
            prefix = self.rng.choice(national_prefixes)
            national = prefix + "".join(self.rng.choice("0123456789") for _ in range(length - len(prefix)))
            number = phonenumbers.parse(national, region)
            if phonenumbers.is_valid_number(number):
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                if e164 not in self.phones:
                    self.phones.add(e164)
                    return e164

    def vin(self, line: ModelLine, year: int) -> str:
        while True:
            vin = (
                line.vin_prefix
                + self.rng.choice("0123456789Z")
                + MODEL_YEAR_CODES[year]
                + self.rng.choice("ADEKNX")
                + "".join(self.rng.choice("0123456789") for _ in range(6))
            )
            if vin not in self.vins:
                self.vins.add(vin)
                return vin

    def letters(self, alphabet: str, count: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(count))

    def plate(self, country: str) -> str:
        while True:
            if country == "RU":
                letters = self.letters(RU_PLATE_LETTERS, 3)
                plate = f"{letters[0]}{self.rng.randint(1, 999):03d}{letters[1:]}{self.rng.choice(MOSCOW_REGIONS)}"
            else:
                plate = f"{self.letters(FR_PLATE_LETTERS, 2)}-{self.rng.randint(1, 999):03d}-{self.letters(FR_PLATE_LETTERS, 2)}"
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def vehicle(self, site_code: str, country: str) -> DemoVehicle:
        line = self.rng.choice(LINES[site_code])
        year = self.rng.randint(2017, min(2026, self.today.year))
        first_registration = min(date(year - 1, 9, 1) + timedelta(days=self.rng.randint(0, 300)), self.today)
        age_days = max((self.today - first_registration).days, 30)
        km_per_day = self.rng.uniform(20, 70)
        readings = []
        for share in sorted(self.rng.sample([0.25, 0.5, 0.75, 1.0], self.rng.randint(1, 3))):
            day = first_registration + timedelta(days=int(age_days * share))
            readings.append((min(day, self.today), int(age_days * share * km_per_day)))
        return DemoVehicle(
            vin=self.vin(line, year),
            plate=self.plate(country),
            line=line,
            year=year,
            energy=self.rng.choice(line.energies),
            first_registration=first_registration,
            readings=readings,
            connected=year >= 2021 and self.rng.random() < 0.6,
        )

    def customer(self, site: dict) -> DemoCustomer:
        russian = site["country"] == "RU"
        gender = self.rng.choice("fm")
        if russian:
            first = self.rng.choice(RUSSIAN_FIRST[gender])
            last = self.rng.choice(RUSSIAN_LAST)
            if gender == "f":
                last = last[:-2] + "ая" if last.endswith("ий") else last + "а"
            email_name = "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in f"{first}.{last}".lower())
            mobile = self.phone("RU", ["91", "92", "93", "95", "96", "98", "90"], 10)
            other = self.phone("RU", ["495", "499"], 10) if self.rng.random() < 0.2 else ""
            street, postcode, city = (
                self.rng.choice(MOSCOW_STREETS),
                f"1{self.rng.randint(1, 29):02d}{self.rng.randint(0, 999):03d}",
                "Москва",
            )
            address = f"{street}, д. {self.rng.randint(1, 120)}, кв. {self.rng.randint(1, 300)}"
            language = self.rng.choices(["ru", "en", "zh-hans"], weights=[90, 7, 3])[0]
            company = self.rng.choice(COMPANIES_RU) if self.rng.random() < 0.06 else ""
            domain = self.rng.choice(["yandex.ru", "mail.ru", "gmail.com"])
        else:
            first = self.rng.choice(FRENCH_FIRST[gender])
            last = self.rng.choice(FRENCH_LAST)
            email_name = fold(f"{first}.{last}").replace(" ", "-")
            mobile = self.phone("FR", ["6", "7"], 9)
            other = self.phone("FR", ["472", "478"] if site["city"] == "Lyon" else ["491"], 9) if self.rng.random() < 0.2 else ""
            city = site["city"]
            address = f"{self.rng.randint(1, 180)} {self.rng.choice(FRENCH_STREETS[city])}"
            postcode = self.rng.choice(FRENCH_POSTCODES[city])
            language = self.rng.choices(["fr", "en", "zh-hans"], weights=[92, 6, 2])[0]
            company = self.rng.choice(COMPANIES_FR) if self.rng.random() < 0.06 else ""
            domain = self.rng.choice(["orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr"])
        has_email = self.rng.random() < 0.85
        kind = (Customer.Kind.FLEET if self.rng.random() < 0.4 else Customer.Kind.COMPANY) if company else Customer.Kind.PRIVATE
        preferred = self.rng.choices(
            [Channel.SMS, Channel.EMAIL, Channel.PHONE, Channel.APP],
            weights=[45, 30 if has_email else 0, 20, 5],
        )[0]
        customer = DemoCustomer(
            fields={
                "kind": kind,
                "first_name": first,
                "last_name": last,
                "company_name": company,
                "mobile": mobile,
                "phone_other": other,
                "email": f"{email_name}{self.rng.randint(1, 99)}@{domain}" if has_email else "",
                "language": language,
                "preferred_channel": preferred,
                "address": address,
                "postcode": postcode,
                "city": city,
                "country": site["country"],
            },
            consents={
                Channel.SMS: self.rng.random() < 0.85,
                Channel.EMAIL: has_email and self.rng.random() < 0.7,
                Channel.PHONE: self.rng.random() < 0.9,
            },
        )
        count = self.rng.choices([1, 2, 3], weights=[75, 20, 5])[0] + (2 if kind == Customer.Kind.FLEET else 0)
        customer.vehicles = [self.vehicle(site["code"], site["country"]) for _ in range(count)]
        return customer


# --- Catalogue -----------------------------------------------------------------

# number: ((names en/fr/ru/zh-hans), {currency: unit price before VAT}): a price in each currency the sites use
PARTS = {
    "OIL-5W30-1L": (
        ("Engine oil 5W-30, 1 litre", "Huile moteur 5W-30, 1 litre", "Моторное масло 5W-30, 1 л", "5W-30机油，1升"),
        {"EUR": "12.90", "RUB": "1190.00"},
    ),
    "OIL-0W20-1L": (
        ("Engine oil 0W-20, 1 litre", "Huile moteur 0W-20, 1 litre", "Моторное масло 0W-20, 1 л", "0W-20机油，1升"),
        {"EUR": "14.50", "RUB": "1450.00"},
    ),
    "FLT-OIL": (("Oil filter", "Filtre à huile", "Масляный фильтр", "机油滤清器"), {"EUR": "14.20", "RUB": "1290.00"}),
    "SEAL-DRAIN": (
        ("Drain plug seal", "Joint de bouchon de vidange", "Уплотнительное кольцо сливной пробки", "放油螺塞垫圈"),
        {"EUR": "1.80", "RUB": "190.00"},
    ),
    "FLT-AIR": (("Air filter", "Filtre à air", "Воздушный фильтр", "空气滤清器"), {"EUR": "29.90", "RUB": "2690.00"}),
    "FLT-CABIN": (
        ("Cabin (pollen) filter", "Filtre d'habitacle (pollen)", "Салонный фильтр", "空调滤清器（花粉）"),
        {"EUR": "24.50", "RUB": "2350.00"},
    ),
    "PADS-FRONT": (
        ("Front brake pads, set", "Jeu de plaquettes de frein avant", "Комплект передних тормозных колодок", "前刹车片（套）"),
        {"EUR": "89.00", "RUB": "8900.00"},
    ),
    "SENSOR-WEAR": (
        ("Brake-pad wear sensor", "Témoin d'usure des plaquettes", "Датчик износа тормозных колодок", "刹车片磨损传感器"),
        {"EUR": "18.40", "RUB": "1750.00"},
    ),
    "DISC-FRONT": (
        ("Front brake disc", "Disque de frein avant", "Передний тормозной диск", "前刹车盘"),
        {"EUR": "96.00", "RUB": "9400.00"},
    ),
    "FLUID-DOT4-1L": (
        ("Brake fluid DOT 4, 1 litre", "Liquide de frein DOT 4, 1 litre", "Тормозная жидкость DOT 4, 1 л", "DOT 4刹车油，1升"),
        {"EUR": "16.80", "RUB": "1490.00"},
    ),
    "R1234YF-KG": (
        ("Refrigerant R1234yf, 1 kg", "Fluide frigorigène R1234yf, 1 kg", "Хладагент R1234yf, 1 кг", "R1234yf制冷剂，1公斤"),
        {"EUR": "120.00", "RUB": "11800.00"},
    ),
    "VALVE-TPMS": (
        ("Tyre valve kit (TPMS)", "Kit de valve de pneu (TPMS)", "Ремкомплект вентиля шины (TPMS)", "轮胎气门嘴套件（胎压监测）"),
        {"EUR": "9.60", "RUB": "890.00"},
    ),
    "WINDSCREEN": (
        ("Windscreen, acoustic", "Pare-brise acoustique", "Лобовое стекло с шумоизоляцией", "隔音前挡风玻璃"),
        {"EUR": "640.00", "RUB": "62000.00"},
    ),
    "ADHESIVE-GLASS": (
        ("Windscreen adhesive kit", "Kit de collage de pare-brise", "Комплект клея для вклейки стекла", "挡风玻璃粘接套件"),
        {"EUR": "38.00", "RUB": "3600.00"},
    ),
    "TIMING-KIT": (
        (
            "Timing belt kit with tensioner",
            "Kit de distribution avec galet tendeur",
            "Комплект ремня ГРМ с натяжителем",
            "正时皮带套件（含张紧轮）",
        ),
        {"EUR": "245.00", "RUB": "23900.00"},
    ),
    "WATER-PUMP": (("Water pump", "Pompe à eau", "Водяной насос (помпа)", "水泵"), {"EUR": "132.00", "RUB": "12700.00"}),
    "COOLANT-1L": (
        ("Coolant, 1 litre", "Liquide de refroidissement, 1 litre", "Охлаждающая жидкость, 1 л", "冷却液，1升"),
        {"EUR": "8.90", "RUB": "850.00"},
    ),
    "SPARK-PLUG": (("Spark plug", "Bougie d'allumage", "Свеча зажигания", "火花塞"), {"EUR": "17.60", "RUB": "1650.00"}),
}

# code: (descriptions en/fr/ru/zh-hans, flat-rate hours, {currency: fixed price} or None, skill, brand code, parts kit)
OPERATIONS = {
    "OIL-SERVICE": (
        (
            "Oil service (engine oil and filter)",
            "Vidange (huile moteur et filtre)",
            "Замена моторного масла и фильтра",
            "机油保养（机油和机油滤清器）",
        ),
        "0.80",
        None,
        LabourOperation.Skill.EXPRESS,
        None,
        [("OIL-5W30-1L", "5"), ("FLT-OIL", "1"), ("SEAL-DRAIN", "1")],
    ),
    "INSPECTION": (
        ("Manufacturer service inspection", "Révision constructeur", "Плановое техническое обслуживание", "厂家定期保养检查"),
        "2.00",
        None,
        LabourOperation.Skill.MECHANICS,
        None,
        [("OIL-5W30-1L", "5"), ("FLT-OIL", "1"), ("SEAL-DRAIN", "1"), ("FLT-AIR", "1"), ("FLT-CABIN", "1")],
    ),
    "BRAKE-PADS-FRONT": (
        ("Front brake pads", "Plaquettes de frein avant", "Замена передних тормозных колодок", "更换前刹车片"),
        "1.00",
        None,
        LabourOperation.Skill.MECHANICS,
        None,
        [("PADS-FRONT", "1"), ("SENSOR-WEAR", "1")],
    ),
    "BRAKE-DISCS-FRONT": (
        (
            "Front brake discs and pads",
            "Disques et plaquettes de frein avant",
            "Замена передних тормозных дисков и колодок",
            "更换前刹车盘和刹车片",
        ),
        "1.60",
        None,
        LabourOperation.Skill.MECHANICS,
        None,
        [("DISC-FRONT", "2"), ("PADS-FRONT", "1"), ("SENSOR-WEAR", "1")],
    ),
    "BRAKE-FLUID": (
        ("Brake fluid replacement", "Remplacement du liquide de frein", "Замена тормозной жидкости", "更换刹车油"),
        "0.50",
        None,
        LabourOperation.Skill.EXPRESS,
        None,
        [("FLUID-DOT4-1L", "1")],
    ),
    "ALIGNMENT-4W": (
        ("Four-wheel alignment", "Géométrie 4 roues", "Регулировка развала-схождения (4 колеса)", "四轮定位"),
        "1.00",
        None,
        LabourOperation.Skill.MECHANICS,
        None,
        [],
    ),
    "DIAGNOSIS": (
        ("Electronic diagnosis", "Diagnostic électronique", "Компьютерная диагностика", "电子故障诊断"),
        "0.50",
        None,
        LabourOperation.Skill.DIAGNOSIS,
        None,
        [],
    ),
    "AIRCON-SERVICE": (
        ("Air-conditioning service", "Entretien de la climatisation", "Обслуживание кондиционера", "空调保养"),
        "0.70",
        None,
        LabourOperation.Skill.EXPRESS,
        None,
        [("R1234YF-KG", "0.5"), ("FLT-CABIN", "1")],
    ),
    "TYRE-CHANGE": (
        (
            "Seasonal tyre change (4 wheels)",
            "Changement de pneus saisonnier (4 roues)",
            "Сезонная замена шин (4 колеса)",
            "季节性换胎（4个车轮）",
        ),
        "0.60",
        None,
        LabourOperation.Skill.EXPRESS,
        None,
        [("VALVE-TPMS", "4")],
    ),
    "DENT-REPAIR": (
        ("Bodywork dent repair (per panel)", "Débosselage (par élément)", "Удаление вмятины (за элемент)", "钣金凹痕修复（每块）"),
        "2.50",
        None,
        LabourOperation.Skill.BODYWORK,
        None,
        [],
    ),
    "WINDSCREEN": (
        ("Windscreen replacement", "Remplacement du pare-brise", "Замена лобового стекла", "更换前挡风玻璃"),
        "2.00",
        None,
        LabourOperation.Skill.BODYWORK,
        None,
        [("WINDSCREEN", "1"), ("ADHESIVE-GLASS", "1")],
    ),
    "TIMING-BELT": (
        ("Timing belt and water pump", "Courroie de distribution et pompe à eau", "Замена ремня ГРМ и помпы", "更换正时皮带和水泵"),
        "3.50",
        None,
        LabourOperation.Skill.MECHANICS,
        None,
        [("TIMING-KIT", "1"), ("WATER-PUMP", "1"), ("COOLANT-1L", "3")],
    ),
    "SPARK-PLUGS": (
        ("Spark plugs (4 cylinders)", "Bougies d'allumage (4 cylindres)", "Замена свечей зажигания (4 цилиндра)", "更换火花塞（4缸）"),
        "0.90",
        None,
        LabourOperation.Skill.MECHANICS,
        None,
        [("SPARK-PLUG", "4")],
    ),
    "HYBRID-CHECK": (
        ("Hybrid health check", "Bilan de santé hybride", "Проверка гибридной системы", "混合动力系统健康检查"),
        "0.50",
        {"EUR": "49.00", "RUB": "4900.00"},
        LabourOperation.Skill.DIAGNOSIS,
        "lexus",
        [],
    ),
    "LEXUS-SERVICE": (
        (
            "Lexus hybrid service with oil 0W-20",
            "Entretien Lexus hybride (huile 0W-20)",
            "ТО Lexus Hybrid (масло 0W-20)",
            "雷克萨斯混动保养（0W-20机油）",
        ),
        "1.20",
        None,
        LabourOperation.Skill.MECHANICS,
        "lexus",
        [("OIL-0W20-1L", "4.5"), ("FLT-OIL", "1"), ("SEAL-DRAIN", "1"), ("FLT-CABIN", "1")],
    ),
}

CAMPAIGNS = {
    "R-AUDI-2026-07": (
        Campaign.Kind.RECALL,
        "Airbag control unit inspection, A3 model years 2019–2020",
        "Contrôle du calculateur d'airbag, A3 millésimes 2019–2020",
        "Проверка блока управления подушками безопасности, A3 2019–2020",
        "A3（2019–2020年款）安全气囊控制单元检查",
        "WAUZZZ8V?K*\nWAUZZZ8V?L*",
    ),
    "S-LEXUS-HYB-2026": (
        Campaign.Kind.SERVICE,
        "Free hybrid battery check, UX and NX",
        "Contrôle gratuit de la batterie hybride, UX et NX",
        "Бесплатная проверка гибридной батареи, UX и NX",
        "UX和NX混合动力电池免费检查",
        "JTHP9JBH*\nJTJGKCEZ*",
    ),
    "R-CIT-2026-11": (
        Campaign.Kind.RECALL,
        "Fuel pump software update, C5 Aircross 2022–2023",
        "Mise à jour du logiciel de la pompe à carburant, C5 Aircross 2022–2023",
        "Обновление ПО топливного насоса, C5 Aircross 2022–2023",
        "C5 Aircross（2022–2023年款）燃油泵软件升级",
        "VF7A5YHT?N*\nVF7A5YHT?P*",
    ),
}

# title (en): (fr, ru, zh-hans, {currency: price VAT included}, brand code, site codes, days from today to start, length in days)
SEASONAL_OFFERS = {
    "Winter check": (
        "Contrôle hiver",
        "Зимняя проверка автомобиля",
        "冬季检查",
        {"EUR": "39.00"},
        None,
        ["audi-lyon", "lexus-marseille"],
        -30,
        120,
    ),
    "Winter tyres fitted and stored": (
        "Pneus hiver montés et gardiennés",
        "Шиномонтаж и сезонное хранение шин",
        "冬季轮胎安装及存放",
        {"RUB": "5900.00"},
        "citroen",
        ["citroen-moscow"],
        -45,
        90,
    ),
    "Lexus spring air-conditioning service": (
        "Entretien climatisation de printemps Lexus",
        "Весеннее обслуживание кондиционера Lexus",
        "雷克萨斯春季空调保养",
        {"EUR": "89.00"},
        "lexus",
        ["lexus-marseille"],
        100,
        60,
    ),
}

# Service packages, with the same fields: a price the desk and online booking quote all year.
SERVICE_PACKAGES = {
    "Audi service plan, 2 years": (
        "Forfait entretien Audi 2 ans",
        "Пакет обслуживания Audi на 2 года",
        "奥迪两年保养套餐",
        {"EUR": "690.00"},
        "audi",
        ["audi-lyon"],
        -60,
        365,
    ),
    "Lexus hybrid health check": (
        "Bilan santé hybride Lexus",
        "Проверка гибридной системы Lexus",
        "雷克萨斯混合动力健康检查",
        {"EUR": "0.00"},
        "lexus",
        ["lexus-marseille"],
        -60,
        365,
    ),
}

# site code: [(kind, (names en/fr/ru/zh-hans), price)]
MOBILITY = {
    "audi-lyon": [
        (
            MobilityService.Kind.LOANER,
            ("Audi A1 courtesy car", "Véhicule de courtoisie Audi A1", "Подменный автомобиль Audi A1", "奥迪A1代步车"),
            "0.00",
        ),
        (
            MobilityService.Kind.SHUTTLE,
            (
                "Shuttle to Part-Dieu and Perrache",
                "Navette vers Part-Dieu et Perrache",
                "Трансфер до вокзалов Пар-Дьё и Перраш",
                "前往Part-Dieu和Perrache火车站的接驳车",
            ),
            "0.00",
        ),
        (
            MobilityService.Kind.TAXI_VOUCHER,
            ("Taxi voucher (central Lyon)", "Bon taxi (Lyon intra-muros)", "Талон на такси (центр Лиона)", "出租车券（里昂市区）"),
            "0.00",
        ),
        (
            MobilityService.Kind.LOUNGE,
            ("Waiting lounge with wifi", "Salon d'attente avec wifi", "Зона ожидания с Wi-Fi", "带无线网络的休息室"),
            "0.00",
        ),
    ],
    "lexus-marseille": [
        (
            MobilityService.Kind.LOANER,
            ("Lexus UX courtesy car", "Véhicule de remplacement Lexus UX", "Подменный автомобиль Lexus UX", "雷克萨斯UX代步车"),
            "0.00",
        ),
        (
            MobilityService.Kind.PICKUP_DELIVERY,
            (
                "Pick-up and delivery at home",
                "Prise en charge et livraison à domicile",
                "Забор и доставка автомобиля на дом",
                "上门取送车",
            ),
            "30.00",
        ),
        (MobilityService.Kind.TAXI_VOUCHER, ("Taxi voucher", "Bon taxi", "Талон на такси", "出租车券"), "0.00"),
        (MobilityService.Kind.LOUNGE, ("Lexus Lounge", "Lexus Lounge", "Лаунж Lexus", "雷克萨斯休息室"), "0.00"),
    ],
    "citroen-moscow": [
        (
            MobilityService.Kind.LOANER,
            ("Citroën C4 courtesy car", "Véhicule de courtoisie Citroën C4", "Подменный автомобиль Citroën C4", "雪铁龙C4代步车"),
            "1500.00",
        ),
        (MobilityService.Kind.TRANSPORT_VOUCHER, ("Metro travel card", "Carte de métro", "Проездной на метро", "地铁交通卡"), "0.00"),
        (MobilityService.Kind.TAXI_VOUCHER, ("Taxi home", "Taxi jusqu'au domicile", "Такси до дома", "打车回家"), "0.00"),
        (
            MobilityService.Kind.LOUNGE,
            ("Waiting lounge with wifi", "Salon d'attente avec wifi", "Зона ожидания с Wi-Fi", "带无线网络的休息室"),
            "0.00",
        ),
    ],
}

# (site code, kind): the brands a mobility service is kept for (the others are for every vehicle of the site).
MOBILITY_BRANDS = {("lexus-marseille", MobilityService.Kind.LOUNGE): ["lexus"]}


# --- Loading -------------------------------------------------------------------


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int = 1) -> None:
        if count:
            self.created[label] = self.created.get(label, 0) + count


def _load_sites(report: Report) -> dict[str, Site]:
    group, created = DealerGroup.objects.get_or_create(name=GROUP_NAME)
    report.add("dealer groups", created)
    brands = {}
    for code, name in BRANDS.items():
        brands[code], created = Brand.objects.get_or_create(code=code, defaults={"name": name})
        report.add("brands", created)
    sites = {}
    for values in SITES:
        site, created = Site.objects.get_or_create(code=values["code"], defaults={**values, "group": group})
        sites[site.code] = site
        report.add("sites", created)
        for weekday, opens, closes in OPENING_HOURS[site.code]:
            _hours, created = OpeningHours.objects.get_or_create(site=site, weekday=weekday, opens=opens, defaults={"closes": closes})
            report.add("opening hours", created)
        for day, reason in CLOSURES.get(site.code, []):
            _closure, created = SiteClosure.objects.get_or_create(site=site, day=day, defaults={"reason": reason})
            report.add("closures", created)
        _identity, created = LegalIdentity.objects.get_or_create(site=site, defaults=LEGAL_IDENTITIES.get(site.code, {}))
        report.add("legal identities", created)
    for (site_code, brand_code), (public_name, phone, email, greeting) in BRAND_CONTACTS.items():
        _contact, created = SiteBrand.objects.get_or_create(
            site=sites[site_code],
            brand=brands[brand_code],
            defaults={"public_name": public_name, "phone": phone, "email": email, "greeting": greeting},
        )
        report.add("brand contact points", created)
    return sites


def _load_assistance_contacts(sites: dict[str, Site], report: Report) -> None:
    brands = {brand.code: brand for brand in Brand.objects.all()}
    for site_code, contacts in ASSISTANCE_CONTACTS.items():
        for position, (kind, name, phone, hours, brand_code) in enumerate(contacts):
            _contact, created = AssistanceContact.objects.get_or_create(
                site=sites[site_code],
                kind=kind,
                name=name,
                defaults={"phone": phone, "hours": hours, "brand": brands.get(brand_code), "position": position},
            )
            report.add("assistance and insurer contacts", created)


def _load_staff(sites: dict[str, Site], report: Report) -> None:
    groups = {group.name: group for group in Group.objects.all()}
    for username, (role, first, last, site_codes, language) in STAFF.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@horizon-auto.example",
                "language": language,
                "group_wide": username in GROUP_WIDE,
                "is_staff": username in SUPERUSERS,
                "is_superuser": username in SUPERUSERS,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(groups[role])
            user.sites.set([sites[code] for code in site_codes])
            report.add("staff members")


def _load_catalogue(today: date, report: Report) -> None:
    brands = {brand.code: brand for brand in Brand.objects.all()}
    parts = {}
    for number, (names, prices) in PARTS.items():
        parts[number], created = Part.objects.get_or_create(number=number, defaults=in_every_language("name", names))
        report.add("parts", created)
        _load_prices(parts[number], prices, report)
    for code, (descriptions, hours, prices, skill, brand_code, kit) in OPERATIONS.items():
        operation, created = LabourOperation.objects.get_or_create(
            code=code,
            defaults={
                **in_every_language("description", descriptions),
                "flat_rate_hours": Decimal(hours),
                "skill": skill,
                "brand": brands.get(brand_code),
            },
        )
        report.add("labour operations", created)
        _load_prices(operation, prices or {}, report)
        for number, quantity in kit:
            _line, created = OperationPart.objects.get_or_create(
                operation=operation,
                part=parts[number],
                defaults={"quantity": Decimal(quantity)},
            )
            report.add("parts-kit lines", created)
    for code, (kind, en, fr, ru, zh, patterns) in CAMPAIGNS.items():
        _campaign, created = Campaign.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                **in_every_language("title", (en, fr, ru, zh)),
                "vin_patterns": patterns,
                "starts_on": today - timedelta(days=60),
            },
        )
        report.add("campaigns", created)


def _load_prices(item, prices: dict[str, str], report: Report) -> None:
    """The item's catalogue price in each currency (a database loaded before the prices per currency gets those missing)."""
    for currency, amount in prices.items():
        _price, created = item.prices.get_or_create(currency=currency, defaults={"amount": Decimal(amount)})
        report.add("catalogue prices", created)


def _load_offers_and_mobility(sites: dict[str, Site], today: date, report: Report) -> None:
    brands = {brand.code: brand for brand in Brand.objects.all()}
    offers = [(SeasonalOffer.Kind.SEASONAL, item) for item in SEASONAL_OFFERS.items()]
    offers += [(SeasonalOffer.Kind.PACKAGE, item) for item in SERVICE_PACKAGES.items()]
    for kind, (title, (fr, ru, zh, prices, brand_code, site_codes, start, length)) in offers:
        offer, created = SeasonalOffer.objects.get_or_create(
            title=title,
            defaults={
                **in_every_language("title", (title, fr, ru, zh)),
                "kind": kind,
                "brand": brands.get(brand_code),
                "starts_on": today + timedelta(days=start),
                "ends_on": today + timedelta(days=start + length),
            },
        )
        if created:
            offer.sites.set([sites[code] for code in site_codes])
            report.add("seasonal offers")
        _load_prices(offer, prices, report)
    for site_code, services in MOBILITY.items():
        site = sites[site_code]
        for kind, names, price in services:
            service, created = MobilityService.objects.get_or_create(
                site=site, kind=kind, defaults={**in_every_language("name", names), "price": Decimal(price)}
            )
            if created:
                service.brands.set([brands[code] for code in MOBILITY_BRANDS.get((site_code, kind), [])])
            report.add("mobility services", created)


def _at_noon(day: date, site: Site) -> datetime:
    return datetime.combine(day, time(12), tzinfo=site.tz).astimezone(UTC)


def _load_customers(sites: dict[str, Site], today: date, report: Report) -> None:
    generator = Generator(today)
    planned = {values["code"]: [generator.customer(values) for _ in range(CUSTOMERS_PER_SITE[values["code"]])] for values in SITES}
    for code, demo_customers in planned.items():
        site = sites[code]
        existing = set(Customer.objects.filter(site=site).values_list("mobile", flat=True))
        new_customers = []
        for demo in demo_customers:
            if demo.fields["mobile"] in existing:
                continue
            customer = Customer(site=site, created_at=_at_noon(today - timedelta(days=400), site), **demo.fields)
            customer.search_name = customer_search_name(customer)
            customer.search_phones = customer_search_phones(customer)
            new_customers.append((demo, customer))
        Customer.objects.bulk_create([customer for _demo, customer in new_customers])
        report.add("customers", len(new_customers))
        _load_consents(new_customers, site, today, report)
        _load_vehicles(new_customers, site, today, report)


def _load_consents(new_customers, site: Site, today: date, report: Report) -> None:
    consents = [
        ConsentRecord(
            customer=customer,
            channel=channel,
            granted=granted,
            source=ConsentRecord.Source.IMPORT,
            recorded_at=_at_noon(today - timedelta(days=400), site),
        )
        for demo, customer in new_customers
        for channel, granted in demo.consents.items()
    ]
    ConsentRecord.objects.bulk_create(consents)
    report.add("consent records", len(consents))


def _load_vehicles(new_customers, site: Site, today: date, report: Report) -> None:
    known_vins = set(
        Vehicle.objects.filter(vin__in=[v.vin for demo, _c in new_customers for v in demo.vehicles]).values_list("vin", flat=True)
    )
    vehicles, readings, ownerships = [], [], []
    for demo, customer in new_customers:
        for planned in demo.vehicles:
            if planned.vin in known_vins:
                continue
            last_day, last_km = planned.readings[-1]
            next_due = last_day + timedelta(days=365)
            vehicle = Vehicle(
                vin=planned.vin,
                plate=planned.plate,
                plate_key=plate_key(planned.plate),
                make=planned.line.make,
                model=planned.line.model,
                year=planned.year,
                energy=planned.energy,
                first_registration=planned.first_registration,
                warranty_end=planned.first_registration + timedelta(days=3 * 365),
                connected_services=planned.connected,
                next_service_due_date=next_due,
                next_service_due_km=(last_km // planned.line.service_km + 1) * planned.line.service_km,
                owner=customer,
                created_at=customer.created_at,
            )
            vehicles.append(vehicle)
            ownerships.append(Ownership(vehicle=vehicle, customer=customer, started_on=planned.first_registration))
            readings.extend(
                MileageReading(vehicle=vehicle, km=km, read_at=_at_noon(day, site), source=MileageReading.Source.RECEPTION)
                for day, km in planned.readings
            )
    Vehicle.objects.bulk_create(vehicles)
    Ownership.objects.bulk_create(ownerships)
    MileageReading.objects.bulk_create(readings)
    report.add("vehicles", len(vehicles))
    report.add("mileage readings", len(readings))


def load_dealer_group_demo(report: Report, *, today: date) -> None:
    """Create whatever part of the dealer group is missing, counted in the report.

    Sites, staff, catalogue, offers and customers; ``demo.loader.load_demo_data`` loads the stages' demo data after them.
    """
    sites = _load_sites(report)
    _load_assistance_contacts(sites, report)
    _load_staff(sites, report)
    _load_catalogue(today, report)
    _load_offers_and_mobility(sites, today, report)
    _load_customers(sites, today, report)
