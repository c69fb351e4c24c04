"""Time the one-box customer search on a large data set.

Creates (once) a bench site with N customers and their vehicles in the
configured database, refreshes the planner statistics, then runs typical
searches through the selector the search page uses and prints the median
and worst time per kind of query. Use a database of its own: the data stays.
"""

import random
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from aftersales.accounts.models import DealerGroup, Site, User
from aftersales.customers.models import Customer, Vehicle
from aftersales.customers.selectors import search_customers
from aftersales.customers.services import customer_search_name, customer_search_phones
from aftersales.lib.text import fold, plate_key

LAST_NAMES = [
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
    "Müller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
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
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Ivanov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Vasiliev",
    "Petrov",
    "Sokolov",
    "Mikhailov",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "Hé",
    "Lin",
    "Gao",
    "Luo",
]
SYLLABLES = ["ber", "car", "del", "fon", "gal", "jol", "lam", "mar", "nou", "pel", "quin", "ros", "sau", "tel", "val", "vil", "bru", "cha"]
ENDINGS = ["", "and", "ard", "ier", "et", "in", "on", "eau", "ot", "el", "ès", "ski", "ova", "enko"]
FIRST_NAMES = [
    "Hélène",
    "Jean",
    "Marie",
    "Pierre",
    "Michel",
    "Nathalie",
    "Isabelle",
    "François",
    "Sophie",
    "Céline",
    "Léa",
    "Chloé",
    "Hugo",
    "Lucas",
    "Inès",
    "Zoé",
    "Noël",
    "Anaïs",
    "Jérôme",
    "Stéphane",
    "Olga",
    "Dmitri",
    "Anna",
    "Sergei",
    "Wei",
    "Fang",
    "Lei",
    "Jing",
    "Thomas",
    "Camille",
    "Manon",
    "Julien",
    "Élodie",
    "Mathis",
    "Gaëlle",
    "Raphaël",
]
WMIS = ["WAU", "VF1", "VF3", "VF7", "WVW", "JTD", "VR3", "XTA", "ZFA", "TMB"]
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "yandex.ru", "mail.ru", "qq.com", "outlook.com"]


class Command(BaseCommand):
    help = "Create N bench customers with vehicles (once) and time typical one-box searches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=500_000, help="customers on the bench site (default 500000)")
        parser.add_argument("--batch", type=int, default=5_000, help="rows per bulk insert")
        parser.add_argument("--samples", type=int, default=25, help="queries per kind")
        parser.add_argument("--seed", type=int, default=3779)

    def handle(self, *args, customers: int, batch: int, samples: int, seed: int, **options) -> None:
        rng = random.Random(seed)
        site, user = self._bench_site_and_user()
        existing = Customer.objects.filter(site=site).count()
        if existing < customers:
            self._fill(site, start=existing, count=customers - existing, batch=batch, rng=rng)
        self._analyze()
        self._time_searches(site, user, samples=samples, rng=rng)

    def _bench_site_and_user(self) -> tuple[Site, User]:
        group, _created = DealerGroup.objects.get_or_create(name="Bench group")
        site, _created = Site.objects.get_or_create(
            code="bench",
            defaults={
                "group": group,
                "name": "Bench site",
                "address": "1 rue du Banc",
                "postcode": "69001",
                "city": "Lyon",
                "country": "FR",
                "time_zone": "Europe/Paris",
                "language": "fr",
                "currency": "EUR",
                "vat_rate": Decimal("20.00"),
                "invoice_prefix": "BENCH",
            },
        )
        user, created = User.objects.get_or_create(username="bench-search", defaults={"first_name": "Bench"})
        if created:
            user.set_unusable_password()
            user.save()
        user.sites.add(site)
        return site, user

    def _fill(self, site: Site, *, start: int, count: int, batch: int, rng: random.Random) -> None:
        self.stdout.write(f"Creating {count} customers on {site} in batches of {batch}…")
        began = time.perf_counter()
        for offset in range(start, start + count, batch):
            size = min(batch, start + count - offset)
            with transaction.atomic():
                people = Customer.objects.bulk_create([self._customer(site, offset + index, rng) for index in range(size)])
                vehicles = []
                for person in people:
                    for _index in range(1 if rng.random() < 0.8 else 2):
                        vehicles.append(self._vehicle(person, len(vehicles) + 2 * offset, rng))
                Vehicle.objects.bulk_create(vehicles)
            done = offset + size - start
            self.stdout.write(f"  {done}/{count} ({time.perf_counter() - began:.0f} s)")

    def _customer(self, site: Site, number: int, rng: random.Random) -> Customer:
        if rng.random() < 0.6:
            last = rng.choice(LAST_NAMES)
        else:
            last = (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(ENDINGS)).capitalize()
        first = rng.choice(FIRST_NAMES)
        customer = Customer(
            site=site,
            first_name=first,
            last_name=last,
            language="fr",
            mobile=f"+336{rng.randrange(10**8):08d}",
            phone_other=f"+334{rng.randrange(10**8):08d}" if rng.random() < 0.3 else "",
            email=f"{fold(first)}.{fold(last)}{number}@{rng.choice(DOMAINS)}".replace(" ", ""),
        )
        customer.search_name = customer_search_name(customer)
        customer.search_phones = customer_search_phones(customer)
        return customer

    def _vehicle(self, owner: Customer, number: int, rng: random.Random) -> Vehicle:
        vin = (
            rng.choice(WMIS)
            + "ZZZ"
            + "".join(rng.choices(VIN_CHARS, k=2))
            + "Z"
            + rng.choice("HJKLMNPRS")
            + rng.choice("ABCDEFG")
            + f"{number % 10**6:06d}"
        )
        letters = rng.choices(PLATE_LETTERS, k=4)
        plate = f"{letters[0]}{letters[1]}-{rng.randrange(1, 1000):03d}-{letters[2]}{letters[3]}"
        return Vehicle(vin=vin, plate=plate, plate_key=plate_key(plate), make="Audi", model="A3", energy=Vehicle.Energy.PETROL, owner=owner)

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            for table in (Customer._meta.db_table, Vehicle._meta.db_table):
                cursor.execute(f"ANALYZE {table}")

    def _queries(self, site: Site, samples: int, rng: random.Random) -> dict[str, list[str]]:
        bounds = Customer.objects.filter(site=site).order_by("pk").values_list("pk", flat=True)
        low, high = bounds.first(), bounds.last()
        picked = list(
            Customer.objects.filter(site=site, pk__in=[rng.randint(low, high) for _ in range(samples * 3)]).prefetch_related("vehicles")[
                :samples
            ]
        )
        return {
            "last name": [c.last_name for c in picked],
            "first + last, no accents": [f"{fold(c.first_name)} {fold(c.last_name)}" for c in picked],
            "name, 4 first letters": [fold(c.last_name)[:4] for c in picked],
            "two letters": [fold(c.last_name)[:2] for c in picked],
            "e-mail, local part": [c.email.split("@")[0] for c in picked],
            "mobile, full +33": [c.mobile for c in picked],
            "mobile, '06 12 34 5' part": [f"0{c.mobile[3]} {c.mobile[4:6]} {c.mobile[6:8]} {c.mobile[8]}" for c in picked],
            "plate, exact": [c.vehicles.all()[0].plate for c in picked],
            "plate, 'AB-12' part": [c.vehicles.all()[0].plate[:5] for c in picked],
            "VIN, full": [c.vehicles.all()[0].vin for c in picked],
            "VIN, last 8": [c.vehicles.all()[0].vin[-8:] for c in picked],
            "no match": ["".join(rng.choices("qwxzk", k=6)) for _ in picked],
        }

    def _time_searches(self, site: Site, user: User, *, samples: int, rng: random.Random) -> None:
        total = Customer.objects.filter(site=site).count()
        self.stdout.write(f"\n{total} customers on {site}, {connection.vendor}; {samples} queries per kind (after one warm-up each)")
        self.stdout.write(f"{'kind of query':30} {'median ms':>10} {'max ms':>10} {'median hits':>12}")
        for kind, queries in self._queries(site, samples, rng).items():
            timings, hits = [], []
            for query in queries:
                search_customers(user=user, query=query)
                began = time.perf_counter()
                result = search_customers(user=user, query=query)
                timings.append((time.perf_counter() - began) * 1000)
                hits.append(len(result.customers))
            self.stdout.write(f"{kind:30} {statistics.median(timings):10.1f} {max(timings):10.1f} {statistics.median(hits):12.0f}")
